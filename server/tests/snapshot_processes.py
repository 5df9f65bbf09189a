#!/usr/bin/env python3
"""The daily usage snapshot across two real portal processes on one database: both start at once and
tick the housekeeping job, and exactly one of them takes yesterday's snapshot (the lease in the
database); then both clocks move two days on (`--dev-clock`) and, at the next ticks, the days missed
are caught up, each day once (the days expected come from the processes' clocks, so a run across
midnight holds too). Each process logs what its sweeps did (`--log-level
debug`), and the days taken summed over both logs must equal the days the table holds.

On SQLite always and on PostgreSQL with TEST_DATABASE_URL. Run by `make snapshot-test` (part of
`make test`) against the release-built server; about 70 s a backend (the job ticks every minute).
"""
import datetime
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from crash_test import SERVER, acme, free_port, on_every_backend  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TICK_SECS = 60


def start(data, env, port, log):
    portal = subprocess.Popen(
        [SERVER, "--data-dir", data, "--log-level", "debug", "serve", "--listen", f"127.0.0.1:{port}",
         "--dev-clock"],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
    )
    return portal, f"http://127.0.0.1:{port}"


def wait_up(url):
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def advance(url, secs):
    """Moves the process's clock on; its new time."""
    req = urllib.request.Request(url + "/api/dev/clock", data=json.dumps({"advance_secs": secs}).encode(),
                                 method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Sec-Fetch-Site", "same-origin")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200, r.status
        return datetime.datetime.fromisoformat(json.loads(r.read())["now"].replace("Z", "+00:00"))


def snapshot_days(database_url, data):
    """The days the table holds (first, last, how many distinct) and its rows."""
    sql = "SELECT MIN(day), MAX(day), COUNT(DISTINCT day), COUNT(*) FROM usage_snapshots"
    if database_url:
        out = subprocess.run(["psql", database_url, "-tAF,", "-c", sql], capture_output=True, text=True,
                             check=True).stdout.strip()
        first, last, days, rows = out.split(",")
    else:
        db = sqlite3.connect(os.path.join(data, "portal.db"), timeout=30)
        try:
            first, last, days, rows = db.execute(sql).fetchone()
        finally:
            db.close()
    day = lambda v: datetime.date.fromisoformat(str(v)[:10]) if v else None  # noqa: E731
    return day(first), day(last), int(days), int(rows)


def taken(log_path):
    """Days of history each sweep of the process took, from its debug log."""
    with open(log_path, encoding="utf-8", errors="replace") as f:
        text = re.sub(r"\x1b\[[0-9;]*m", "", f.read())
    return [int(n) for n in re.findall(r"snapshot_days: (\d+)", text)]


def wait_for(what, check, secs):
    deadline = time.time() + secs
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def run_backend(label, database_url):
    tmp, data, env = acme(f"snapshots-{label}-", database_url, "--quantity", "40", "--start", "2020-01-01")
    logs = [os.path.join(tmp, f"portal-{i}.log") for i in range(2)]
    handles = [open(p, "w") for p in logs]
    portals = [start(data, env, free_port(), h) for h in handles]
    try:
        for _, url in portals:
            wait_up(url)
        # At start each process ticks once: yesterday is taken, by one of them.
        wait_for("yesterday's snapshot", lambda: snapshot_days(database_url, data)[2] >= 1, 30)
        time.sleep(2)
        first = [taken(p) for p in logs]
        assert sum(1 for t in first if sum(t) > 0) == 1, f"{label}: days taken per process at start: {first}"
        assert sum(map(sum, first)) == snapshot_days(database_url, data)[2], f"{label}: {first}"

        # Two days later by both clocks (and past the lease's 5 minutes): the next ticks catch up the
        # days missed, once. (Computed from the clocks, so that a run across midnight holds too.)
        moved = [advance(url, 2 * 86_400 + 600) for _, url in portals]
        yesterday = min(moved).date() - datetime.timedelta(days=1)
        wait_for("the days missed", lambda: snapshot_days(database_url, data)[1] >= yesterday, TICK_SECS + 30)
        time.sleep(TICK_SECS + 5)  # every process has ticked at least once more
        after = [taken(p) for p in logs]
        total = sum(map(sum, after))
        first_day, last_day, days, rows = snapshot_days(database_url, data)
        assert last_day >= yesterday, f"{label}: last day {last_day}, expected {yesterday}"
        assert (last_day - first_day).days + 1 == days == rows == total, \
            f"{label}: taken {after}, table {first_day}..{last_day}, {days} days, {rows} rows"
        assert days >= 3, f"{label}: only {days} days"
        workers = sum(1 for t in after if sum(t) > 0)
        print(f"snapshot_test: {label}: two processes, {days} days taken once each "
              f"({' + '.join(str(sum(t)) for t in after)}), by {workers} process(es)")
    finally:
        for portal, _ in portals:
            portal.terminate()
            portal.wait()
        for h in handles:
            h.close()


def main():
    if not os.access(SERVER, os.X_OK):
        sys.exit(f"snapshot_test: {SERVER} is missing (make build)")
    on_every_backend(run_backend, "portal_snapshots")
    print("snapshot_test: passed")


if __name__ == "__main__":
    main()
