#!/usr/bin/env python3
"""Runs the example scripts of docs/examples/ against a fresh portal and checks what they did through
the API. Plain Python (requests, openpyxl); exits non-zero when a check fails.

    python3 docs/examples/test_examples.py      (make api-test; SERVER and DEVICE override the binaries)

The portal: release build, SQLite in a temporary folder, the demo account, a write key made with
`server api-key create`, loopback on a free port. It is stopped at the end whatever happens.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

import openpyxl
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SERVER = os.path.abspath(os.environ.get("SERVER", os.path.join(ROOT, "target/release/server")))
DEVICE = os.path.abspath(os.environ.get("DEVICE", os.path.join(ROOT, "target/release/device")))
ACCOUNT = "Acme Networks"
DEVICES = 12
MOVE = {"license": "A9K-100G-LIC", "from": "East", "to": "West", "quantity": 10}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Portal:
    """A portal process of its own, and the API as the key sees it."""

    def __init__(self, folder):
        self.folder = folder
        self.process = None
        self.log = open(os.path.join(folder, "portal.log"), "w")

    def operator(self, *args):
        return subprocess.run([SERVER, "--data-dir", self.folder, "--log-level", "warn", *args],
                              cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()

    def start(self):
        self.operator("demo")
        self.key = self.operator("api-key", "create", "--account", ACCOUNT, "--user", "demo",
                                 "--name", "examples", "--scope", "write", "--expires", "never")
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [SERVER, "--data-dir", self.folder, "--log-level", "warn", "serve",
             "--listen", f"127.0.0.1:{port}", "--api-rate-per-key", "100000"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {self.key}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{self.url}/api/v1/openapi.json", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the portal did not start; see {self.log.name}")
            time.sleep(0.2)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def get(self, path, **params):
        r = self.session.get(f"{self.url}/api/v1{path}", params=params, timeout=30)
        assert r.ok, f"GET {path}: {r.status_code} {r.text}"
        return r.json()

    def every(self, path, limit=5):
        """Every item of a list, page after page (small pages, so that paging itself is tested)."""
        items, cursor = [], None
        while True:
            page = self.get(path, limit=limit, **({"cursor": cursor} if cursor else {}))
            items += page["data"]
            cursor = page["next"]
            if cursor is None:
                return items

    def pool(self, name):
        return next(va for va in self.every("/virtual-accounts", limit=2) if va["name"] == name)

    def instances(self, name):
        return len(self.every(f"/virtual-accounts/{self.pool(name)['id']}/product-instances"))

    def purchased(self, pool, tag):
        return self.get(f"/virtual-accounts/{self.pool(pool)['id']}/licenses/{tag}")["license"]["purchased"]

    def example(self, *args, expect_ok=True):
        """Runs an example script with the portal's URL and key in the environment."""
        env = dict(os.environ, PORTAL_URL=self.url, PORTAL_API_KEY=self.key, DEVICE=DEVICE)
        script = os.path.join(HERE, args[0])
        command = [sys.executable if script.endswith(".py") else "bash", script, *args[1:]]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        print(f"  $ {' '.join(args)}  (exit {done.returncode})")
        for line in (done.stdout + done.stderr).splitlines():
            print(f"    {line}")
        if expect_ok:
            assert done.returncode == 0, f"{args[0]} failed"
        else:
            assert done.returncode != 0, f"{args[0]} should have failed"
        return done


def test_make_tokens(p, state):
    done = p.example("make_tokens.py", "East", "West", "--days", "7", "--max-uses", "50")
    lines = [line.split("\t") for line in done.stdout.splitlines()]
    assert [pool for pool, _ in lines] == ["East", "West"], lines
    for pool, token in lines:
        listed = [t for t in p.every(f"/virtual-accounts/{p.pool(pool)['id']}/tokens", limit=1)
                  if t["token"] == token]
        assert len(listed) == 1, f"{pool}: token not listed"
        assert (listed[0]["state"], listed[0]["max_uses"]) == ("active", 50), listed[0]
    state["tokens"] = dict(lines)
    # A name the key does not see: no token at all, and a message.
    before = p.pool("East")["tokens"]
    done = p.example("make_tokens.py", "East", "Nowhere", expect_ok=False)
    assert "Nowhere" in done.stderr
    assert p.pool("East")["tokens"] == before, "a token was made despite the unknown name"


def test_register_devices(p, state):
    before = p.instances("East")
    p.example("register_devices.sh", state["tokens"]["East"], str(DEVICES))
    after = p.instances("East")
    assert after == before + DEVICES, f"East had {before} instances, now {after}; wanted +{DEVICES}"
    p.example("register_devices.sh", "idt_not-a-token", "1", expect_ok=False)
    assert p.instances("East") == after


def test_move_licenses(p, state):
    giver, taker = p.purchased(MOVE["from"], MOVE["license"]), p.purchased(MOVE["to"], MOVE["license"])
    args = ["move_licenses.py", "--license", MOVE["license"], "--from", MOVE["from"], "--to", MOVE["to"],
            "--quantity", str(MOVE["quantity"]), "--key", "test-move-1"]
    first = p.example(*args)
    assert "moved now" in first.stdout
    again = p.example(*args)
    assert "replay" in again.stdout
    assert first.stdout.splitlines()[0] == again.stdout.splitlines()[0], "the replay differs"
    n = MOVE["quantity"]
    assert p.purchased(MOVE["from"], MOVE["license"]) == giver - n, "the giver did not lose exactly 10"
    assert p.purchased(MOVE["to"], MOVE["license"]) == taker + n, "the taker did not gain exactly 10"
    # The same key with another move is refused with the API's message, and moves nothing.
    args[args.index(str(n))] = str(n + 1)
    refused = p.example(*args, expect_ok=False)
    assert "idempotency_key_reused" in refused.stderr, refused.stderr
    assert p.purchased(MOVE["from"], MOVE["license"]) == giver - n


def rows_of(path):
    book = openpyxl.load_workbook(path, read_only=True)
    assert "Product Instances" in book.sheetnames, book.sheetnames
    sheet = book["Product Instances"]
    header, *rows = sheet.iter_rows(values_only=True)
    assert header[0] == "Virtual Account", header
    return rows


def test_export_report(p, state):
    out = os.path.join(p.folder, "instances.xlsx")
    p.example("export_report.py", "--report", "product-instances", "--out", out)
    listed = sum(len(p.every(f"/virtual-accounts/{va['id']}/product-instances", limit=50))
                 for va in p.every("/virtual-accounts"))
    rows = rows_of(out)
    assert len(rows) == listed, f"the workbook has {len(rows)} rows, the API lists {listed} instances"
    east = os.path.join(p.folder, "east.xlsx")
    p.example("export_report.py", "--report", "product-instances", "--out", east, "--pool", "East")
    rows = rows_of(east)
    assert len(rows) == p.instances("East"), f"{len(rows)} rows for East"
    assert {row[0] for row in rows} == {"East"}


TESTS = [test_make_tokens, test_register_devices, test_move_licenses, test_export_report]


def main():
    for binary in (SERVER, DEVICE):
        if not os.access(binary, os.X_OK):
            sys.exit(f"{binary} is missing: run make build")
    folder = tempfile.mkdtemp(prefix="api-examples-")
    portal = Portal(folder)
    passed, failed, state = 0, 0, {}
    try:
        portal.start()
        print(f"portal {portal.url} (data in {folder})")
    except Exception:
        failed += 1
        print(f"the portal did not start:\n{traceback.format_exc()}")
        TESTS.clear()
    try:
        for test in TESTS:
            print(f"{test.__name__}")
            try:
                test(portal, state)
                passed += 1
                print("  ok")
            except Exception:
                failed += 1
                print(f"  FAILED\n{traceback.format_exc()}")
    finally:
        portal.stop()
        if failed == 0:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"the portal's data and log are kept in {folder}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
