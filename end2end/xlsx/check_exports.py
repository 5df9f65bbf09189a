#!/usr/bin/env python3
"""Independent check of the portal's exports.

Starts a release portal with the demo account on a fresh SQLite database, signs in as the demo admin,
downloads every report as .xlsx (and the Full Inventory workbook, and CSVs), then reads the files with
openpyxl / the csv module and the database with sqlite3, and checks that they agree: row counts, values,
real numbers and real dates, a bold frozen header with an autofilter on each sheet, the file names.

    python3 end2end/xlsx/check_exports.py [path/to/server]

Exits non-zero with the list of failures.
"""

import csv
import datetime as dt
import http.cookiejar
import io
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import openpyxl

SERVER = sys.argv[1] if len(sys.argv) > 1 else "target/release/server"
REPORTS = [
    "licenses", "product-instances", "virtual-accounts", "license-usage", "license-usage-history",
    "tokens", "event-log",
]
TITLES = {
    "licenses": "Licenses",
    "product-instances": "Product Instances",
    "virtual-accounts": "Virtual Accounts",
    "license-usage": "License Usage",
    "license-usage-history": "License Usage History",
    "tokens": "Tokens",
    "event-log": "Event Log",
}

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
        print("FAIL:", message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_db_time(text):
    """sqlx stores UTC times as RFC 3339 text; keep microseconds."""
    text = text.replace(" ", "T", 1)
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    return dt.datetime.fromisoformat(text).astimezone(dt.timezone.utc).replace(tzinfo=None)


def close_in_time(a, b):
    return abs((a - b).total_seconds()) < 1.0


def main():
    data = tempfile.mkdtemp(prefix="xlsx-check-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(data, "server.log"), "w")
    server = subprocess.Popen(
        [SERVER, "--data-dir", data, "serve", "--demo", "--listen", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "LEPTOS_OUTPUT_NAME": "portal"},
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("the portal did not start; see " + log.name)
        run_checks(base, os.path.join(data, "portal.db"))
    finally:
        server.terminate()
        server.wait(timeout=10)
    if failures:
        print(f"\n{len(failures)} export check(s) failed")
        sys.exit(1)
    print("all export checks passed")


def run_checks(base, db_path):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = urllib.request.Request(
        base + "/api/auth/login",
        data=urllib.parse.urlencode({"username": "demo", "password": "demo-portal-2026"}).encode(),
        headers={"Accept": "application/json", "Sec-Fetch-Site": "same-origin"},
    )
    check(opener.open(login).status == 200, "demo sign-in")

    db = sqlite3.connect(db_path)
    account_id, account = db.execute(
        "SELECT id, name FROM smart_accounts WHERE name = 'Acme Networks'"
    ).fetchone()
    pools = dict(
        db.execute("SELECT id, name FROM virtual_accounts WHERE smart_account_id = ?", (account_id,))
    )
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()

    # A token whose description a spreadsheet would run as a formula, were it written as one.
    default_pool = db.execute(
        "SELECT id FROM virtual_accounts WHERE smart_account_id = ? AND is_default", (account_id,)
    ).fetchone()[0]
    create = urllib.request.Request(
        base + "/api/tokens/create",
        data=urllib.parse.urlencode(
            {"pool": default_pool, "description": "=SUM(1+1)", "expire_days": "30", "max_uses": "5"}
        ).encode(),
        headers={"Accept": "application/json", "Sec-Fetch-Site": "same-origin"},
    )
    check(opener.open(create).status == 200, "token created")

    def download(path):
        with opener.open(base + path) as reply:
            disposition = reply.headers["Content-Disposition"]
            return reply.read(), disposition

    books = {}
    for slug in REPORTS + ["full-inventory"]:
        body, disposition = download(f"/export/{slug}.xlsx")
        check(
            disposition == f'attachment; filename="Acme-Networks-{slug}-{today}.xlsx"',
            f"{slug}: file name in {disposition!r}",
        )
        books[slug] = openpyxl.load_workbook(io.BytesIO(body))

    for slug in REPORTS:
        book = books[slug]
        check(book.sheetnames == [TITLES[slug], "Summary"], f"{slug}: sheets {book.sheetnames}")
        check_sheet(slug, book[TITLES[slug]])
        summary_rows = summary_counts(book["Summary"])
        check(
            summary_rows.get(TITLES[slug]) == book[TITLES[slug]].max_row - 1,
            f"{slug}: the summary's row count {summary_rows} matches the sheet",
        )

    full = books["full-inventory"]
    check(
        full.sheetnames == ["Summary"] + [TITLES[s] for s in REPORTS],
        f"full inventory: sheets {full.sheetnames}",
    )
    counts = summary_counts(full["Summary"])
    for slug in REPORTS:
        sheet = full[TITLES[slug]]
        check_sheet("full inventory " + slug, sheet)
        check(counts.get(TITLES[slug]) == sheet.max_row - 1, f"full inventory: {slug} count in summary")
        single = books[slug][TITLES[slug]]
        check(
            [[c.value for c in r] for r in sheet.iter_rows()]
            == [[c.value for c in r] for r in single.iter_rows()],
            f"full inventory: {slug} sheet equals the single export",
        )

    # Product instances: one row per instance of the account, with its dates.
    rows = records(books["product-instances"]["Product Instances"])
    expected = {
        sn: (pools[va], host, parse_db_time(reg), parse_db_time(last))
        for sn, va, host, reg, last in db.execute(
            "SELECT sn, virtual_account_id, hostname, registered_at, last_contact_at "
            "FROM product_instances WHERE virtual_account_id IN (%s)" % ",".join(map(str, pools))
        )
    }
    check(len(rows) == len(expected) and len(rows) > 0, f"instances: {len(rows)} rows, {len(expected)} in the database")
    for r in rows:
        want = expected.get(r["Serial Number"])
        check(want is not None, f"instances: unknown serial {r['Serial Number']}")
        if want is None:
            continue
        check(r["Virtual Account"] == want[0] and r["Hostname"] == want[1], f"instances: {r['Serial Number']} pool/hostname")
        check(isinstance(r["Registered (UTC)"], dt.datetime), "instances: Registered is a date")
        check(close_in_time(r["Registered (UTC)"], want[2]), f"instances: registered {r['Registered (UTC)']} vs {want[2]}")
        check(close_in_time(r["Last Contact (UTC)"], want[3]), f"instances: last contact {r['Last Contact (UTC)']} vs {want[3]}")

    # License usage: one row per instance and tag, counts as numbers.
    usage = records(books["license-usage"]["License Usage"])
    db_usage = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(count), 0) FROM instance_usages WHERE virtual_account_id IN (%s)"
        % ",".join(map(str, pools))
    ).fetchone()
    check(len(usage) == db_usage[0], f"usage: {len(usage)} rows vs {db_usage[0]}")
    check(all(isinstance(r["Count"], int) for r in usage), "usage: counts are numbers")
    check(sum(r["Count"] for r in usage) == db_usage[1], "usage: total count")

    # Licenses: purchased is the sum of the active lots; balance = purchased - in use.
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    active = {}
    for va, tag, qty, start, end in db.execute(
        "SELECT l.virtual_account_id, c.tag, l.quantity, l.starts_at, l.ends_at "
        "FROM license_lots l JOIN licenses c ON c.id = l.license_id"
    ):
        if va in pools and parse_db_time(start) <= now and (end is None or parse_db_time(end) > now):
            active[(pools[va], tag)] = active.get((pools[va], tag), 0) + qty
    for r in records(books["licenses"]["Licenses"]):
        key = (r["Virtual Account"], r["Entitlement Tag"])
        check(isinstance(r["Purchased"], int), f"licenses: {key} purchased is a number")
        check(r["Purchased"] == active.get(key, 0), f"licenses: {key} purchased {r['Purchased']} vs {active.get(key, 0)}")
        check(r["Balance"] == r["Purchased"] - r["In Use"], f"licenses: {key} balance")

    # License usage history: one row per snapshot of the account's pools, days as dates, newest first.
    history = records(books["license-usage-history"]["License Usage History"])
    db_history = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(in_use), 0), COALESCE(SUM(purchased), 0) FROM usage_snapshots "
        "WHERE virtual_account_id IN (%s)" % ",".join(map(str, pools))
    ).fetchone()
    check(len(history) == db_history[0] and db_history[0] > 0, f"history: {len(history)} rows vs {db_history[0]}")
    check(all(isinstance(r["Day (UTC)"], dt.datetime) for r in history), "history: days are dates")
    check(sum(r["In Use"] for r in history) == db_history[1], "history: total in use")
    check(sum(r["Purchased"] for r in history) == db_history[2], "history: total purchased")
    check(all(r["Balance"] == r["Purchased"] - r["In Use"] for r in history), "history: balance")
    days = [r["Day (UTC)"] for r in history]
    check(days == sorted(days, reverse=True), "history: newest day first")

    tokens = records(books["tokens"]["Tokens"])
    db_tokens = db.execute(
        "SELECT COUNT(*) FROM tokens WHERE virtual_account_id IN (%s)" % ",".join(map(str, pools))
    ).fetchone()[0]
    check(len(tokens) == db_tokens and db_tokens > 0, f"tokens: {len(tokens)} vs {db_tokens}")
    sheet = books["tokens"]["Tokens"]
    formula = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == "=SUM(1+1)"]
    check(len(formula) == 1 and formula[0].data_type == "s", "tokens: a typed formula stays text")
    made = [r for r in tokens if r["Description"] == "=SUM(1+1)"]
    check(len(made) == 1 and made[0]["Max Uses"] == 5 and made[0]["Uses"] == 0, "tokens: uses are numbers")
    db_uses = sorted(u for (u,) in db.execute(
        "SELECT uses FROM tokens WHERE virtual_account_id IN (%s)" % ",".join(map(str, pools))))
    check(sorted(r["Uses"] for r in tokens) == db_uses and all(type(r["Uses"]) is int for r in tokens),
          "tokens: every token's uses, as numbers, as the database counts them")

    events = records(books["event-log"]["Event Log"])
    db_events = db.execute("SELECT COUNT(*) FROM events WHERE smart_account_id = ?", (account_id,)).fetchone()[0]
    check(len(events) == db_events, f"events: {len(events)} vs {db_events}")
    check(all(isinstance(r["Time (UTC)"], dt.datetime) for r in events), "events: times are dates")

    pools_sheet = records(books["virtual-accounts"]["Virtual Accounts"])
    check(sorted(r["Virtual Account"] for r in pools_sheet) == sorted(pools.values()), "virtual accounts: every pool")

    print(
        f"checked {len(rows)} instances, {len(usage)} usage rows, {len(tokens)} tokens, "
        f"{len(events)} events, {len(pools_sheet)} virtual accounts against the database"
    )

    # CSV: the same rows as the workbook.
    body, disposition = download("/export/product-instances.csv")
    check(disposition.endswith(f'-product-instances-{today}.csv"'), f"csv: file name {disposition}")
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    check(len(table) == len(rows), f"csv: {len(table)} rows vs {len(rows)}")
    check(
        sorted(r["Serial Number"] for r in table) == sorted(r["Serial Number"] for r in rows),
        "csv: same serial numbers as the workbook",
    )


def records(sheet):
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]


def summary_counts(sheet):
    counts = {}
    in_table = False
    for row in sheet.iter_rows(values_only=True):
        if row[:3] == ("Report", "Rows", "Sheets"):
            in_table = True
            continue
        if in_table and row[0] and isinstance(row[1], (int, float)):
            counts[row[0]] = int(row[1])
    return counts


def check_sheet(name, sheet):
    header = sheet[1]
    check(all(c.font.b for c in header if c.value), f"{name}: header is bold")
    check(sheet.freeze_panes == "A2", f"{name}: header frozen ({sheet.freeze_panes})")
    ref = sheet.auto_filter.ref or ""
    last_col = openpyxl.utils.get_column_letter(len([c for c in header if c.value]))
    check(
        ref == f"A1:{last_col}{max(sheet.max_row, 1)}",
        f"{name}: autofilter {ref!r} covers A1:{last_col}{sheet.max_row}",
    )
    for i, cell in enumerate(header, start=1):
        width = sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width
        check(width and width >= 8, f"{name}: column {cell.value} has a width ({width})")
    for row in sheet.iter_rows(min_row=2):
        for title, cell in zip((c.value for c in header), row):
            if isinstance(cell.value, str):
                check(
                    not re.fullmatch(r"-?\d+(\.\d+)?", cell.value) or title in ("Serial Number", "Token", "Message", "Description"),
                    f"{name}: {title} holds a number as text ({cell.value!r})",
                )


if __name__ == "__main__":
    main()
