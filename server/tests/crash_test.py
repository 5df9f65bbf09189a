#!/usr/bin/env python3
"""Kills the portal (SIGKILL) while devices register and authorize, restarts it, and checks that
nothing acknowledged was lost: every acknowledged registration answers /status 200 with its last
acknowledged usage, the token's uses equal the registrations the database holds (at least those
acknowledged, at most those plus the ones in flight at the kill), and SQLite's integrity check is ok.
Several rounds on one database, on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

Run by `make crash-test` (part of `make test`) against the release-built server.
"""
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVER = os.path.join(ROOT, "target", "release", "server")
PASSWORD = "correct horse battery"
TAG = "A9K-100G-LIC"
ROUNDS = 3
WORKERS = 16
RUN_SECS = 1.5


def operator(data, env, *args, stdin=None):
    out = subprocess.run(
        [SERVER, "--data-dir", data, "--log-level", "warn", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120, env=env,
    )
    if out.returncode != 0:
        raise RuntimeError(f"server {' '.join(args)} failed: {out.stderr}")
    return out.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, method, path, body=None, credential=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + "/api/device/v1" + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if credential:
        req.add_header("Authorization", "Bearer " + credential)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def start(data, env, port, log):
    portal = subprocess.Popen(
        [SERVER, "--data-dir", data, "serve", "--listen", f"127.0.0.1:{port}",
         "--device-rate-per-address", "100000000", "--device-rate-per-credential", "100000000"],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return portal, url
        except OSError:
            time.sleep(0.1)
    portal.kill()
    raise RuntimeError("the portal did not come up")


class Fleet:
    """What the devices were told: acknowledged registrations and usages, and what was in flight."""

    def __init__(self):
        self.lock = threading.Lock()
        self.devices = {}  # credential -> {"acked": count or None, "pending": count or None}
        self.registered = 0
        self.in_flight_registrations = 0

    def run(self, url, token, round_no, stop):
        rng = random.Random(round_no)
        n = 0
        while not stop.is_set():
            n += 1
            sn = f"R{round_no}-{threading.get_ident() % 100000}-{n}"
            with self.lock:
                self.in_flight_registrations += 1
            try:
                status, body = call(url, "POST", "/register", {
                    "id_token": token, "udi": {"pid": "ASR-9006-AC", "sn": sn}, "hostname": sn,
                    "product": "ASR9K", "software_version": "7.3.2", "force": False,
                })
            except OSError:
                return  # the portal died: this registration may or may not have been kept
            with self.lock:
                self.in_flight_registrations -= 1
            if status != 201:
                raise RuntimeError(f"register answered {status}: {body}")
            credential = body["credential"]
            with self.lock:
                self.registered += 1
                self.devices[credential] = {"acked": None, "pending": None}
            for _ in range(3):
                count = rng.randint(1, 4)
                with self.lock:
                    self.devices[credential]["pending"] = count
                try:
                    status, body = call(url, "POST", "/authorize",
                                        {"entitlements": [{"tag": TAG, "count": count}]}, credential)
                except OSError:
                    return
                if status != 200:
                    raise RuntimeError(f"authorize answered {status}: {body}")
                with self.lock:
                    self.devices[credential] = {"acked": count, "pending": None}


def check(url, fleet, token_uses, instances, label):
    for credential, seen in fleet.devices.items():
        status, body = call(url, "GET", "/status", credential=credential)
        if status != 200:
            raise AssertionError(f"{label}: an acknowledged registration answers {status}: {body}")
        counts = {e["tag"]: e["count"] for e in body["entitlements"]}
        now = counts.get(TAG)
        allowed = {seen["acked"], seen["pending"]}
        if now not in allowed:
            raise AssertionError(f"{label}: usage {now}, acknowledged {seen['acked']} (in flight {seen['pending']})")
    if token_uses != instances:
        raise AssertionError(f"{label}: token uses {token_uses} but {instances} registrations kept")
    if not fleet.registered <= instances <= fleet.registered + fleet.in_flight_registrations + WORKERS:
        raise AssertionError(f"{label}: {instances} registrations kept, {fleet.registered} acknowledged")


def counts_sqlite(db_path):
    db = sqlite3.connect(db_path)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        uses = db.execute("SELECT uses FROM tokens").fetchone()[0]
        instances = db.execute("SELECT COUNT(*) FROM product_instances").fetchone()[0]
        return integrity, uses, instances
    finally:
        db.close()


def counts_postgres(url):
    """Token uses and registrations, read once the killed portal's server backends are gone (a
    COMMIT it sent before dying still completes after it died) and in one statement (one snapshot):
    read apart, a batch committing between the two reads looks like a lost token use."""
    def q(sql):
        return subprocess.run(["psql", url, "-tAc", sql], capture_output=True, text=True,
                              check=True).stdout.strip()
    others = ("SELECT COUNT(*) FROM pg_stat_activity "
              "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    deadline = time.monotonic() + 60
    while int(q(others)) > 0:
        if time.monotonic() > deadline:
            raise AssertionError("the killed portal's database sessions did not end within 60 s")
        time.sleep(0.2)
    uses, instances = q("SELECT (SELECT uses FROM tokens), (SELECT COUNT(*) FROM product_instances)").split("|")
    return "ok", int(uses), int(instances)


def acme(prefix, database_url, *lot):
    """A temporary data dir (and the database URL, when given) with account Acme, its admin alice,
    TAG in the catalogue and a lot of it in Default (`lot`: the provision flags); (tmp, data, env)."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    data = os.path.join(tmp, "data")
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    operator(data, env, "create-account", "--name", "Acme", "--admin", "alice", stdin=PASSWORD + "\n")
    operator(data, env, "add-license", "--tag", TAG, "--name", "ASR 9000 100GE port license",
             "--family", "ASR 9000")
    operator(data, env, "provision", "--account", "Acme", "--pool", "Default", "--tag", TAG, *lot)
    return tmp, data, env


def run_backend(label, database_url):
    tmp, data, env = acme(f"crash-{label}-", database_url, "--quantity", "100000")
    token = operator(data, env, "token", "create", "--account", "Acme", "--pool", "Default",
                     "--days", "30").splitlines()[-1]
    port = free_port()
    log = open(os.path.join(tmp, "portal.log"), "w")
    fleet = Fleet()
    for round_no in range(1, ROUNDS + 1):
        portal, url = start(data, env, port, log)
        stop = threading.Event()
        errors = []

        def worker():
            try:
                fleet.run(url, token, round_no, stop)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
        for t in threads:
            t.start()
        time.sleep(RUN_SECS)
        portal.send_signal(signal.SIGKILL)
        portal.wait()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        if errors:
            raise AssertionError(f"{label} round {round_no}: {errors[0]}")
        if database_url:
            integrity, uses, instances = counts_postgres(database_url)
        else:
            integrity, uses, instances = counts_sqlite(os.path.join(data, "portal.db"))
        if integrity != "ok":
            raise AssertionError(f"{label} round {round_no}: integrity_check says {integrity}")
        portal, url = start(data, env, port, log)
        try:
            check(url, fleet, uses, instances, f"{label} round {round_no}")
        finally:
            portal.terminate()
            portal.wait()
        # Registrations in flight at the kill are now settled one way or the other.
        fleet.registered = instances
        fleet.in_flight_registrations = 0
        print(f"crash_test: {label} round {round_no}: killed under load, "
              f"{len(fleet.devices)} acknowledged devices intact, {instances} registrations, token uses {uses}")


QUIET = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")


def postgres_database(base_url, name, create):
    """Creates (or drops) database `name` on the server of `base_url`; returns its URL."""
    sql = f'CREATE DATABASE "{name}"' if create else f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    if create:
        subprocess.run(["psql", base_url, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True, env=QUIET)
    subprocess.run(["psql", base_url, "-qc", sql], check=True, env=QUIET)
    head, _, _ = base_url.partition("?")[0].rpartition("/")
    return f"{head}/{name}"


def on_every_backend(run, prefix):
    """`run(label, database_url)` on SQLite, then on a fresh PostgreSQL database of the server
    TEST_DATABASE_URL names (when it does), dropped afterwards."""
    run("sqlite", None)
    pg = os.environ.get("TEST_DATABASE_URL", "").strip()
    if pg:
        name = f"{prefix}_{os.getpid()}"
        try:
            run("postgres", postgres_database(pg, name, create=True))
        finally:
            postgres_database(pg, name, create=False)


def main():
    if not os.access(SERVER, os.X_OK):
        sys.exit(f"crash_test: {SERVER} is missing (make build)")
    on_every_backend(run_backend, "portal_crash")
    print("crash_test: passed")


if __name__ == "__main__":
    main()
