#!/usr/bin/env python3
"""Drives the interactive `device` shell as a customer's Expect automation would: a release-built
portal over HTTPS (self-signed, trusted through the CA file), an account, a pool and a token made with
the operator CLI; then enable -> register -> show license status, a typo, and a reload of the device.

Run by `make device-test` (after `cargo build --release -p device` and the portal's release build).
"""
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

try:
    import pexpect
except ImportError:
    sys.exit("shell_expect: pexpect is missing (make e2e-deps installs it)")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVER = os.path.join(ROOT, "target", "release", "server")
DEVICE = os.path.join(ROOT, "target", "release", "device")
PASSWORD = "correct horse battery"


def operator(data, *args, stdin=None):
    """Runs an operator command of the portal and returns its standard output."""
    out = subprocess.run(
        [SERVER, "--data-dir", data, "--log-level", "warn", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    if out.returncode != 0:
        raise RuntimeError(f"server {' '.join(args)} failed: {out.stderr}")
    return out.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url, cafile, seconds=60):
    context = ssl.create_default_context(cafile=cafile)
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", context=context, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the portal at {url} did not come up")


def shell(state):
    child = pexpect.spawn(
        DEVICE, ["--state", state, "--hostname", "SAMDD", "--sn", "FOX1234ABCD"],
        encoding="utf-8", timeout=30, cwd=ROOT,
    )
    child.logfile_read = sys.stdout
    return child


def main():
    for binary in (SERVER, DEVICE):
        if not os.access(binary, os.X_OK):
            sys.exit(f"shell_expect: {binary} is missing (make build; cargo build --release -p device)")
    tmp = tempfile.mkdtemp(prefix="device-expect-")
    data = os.path.join(tmp, "portal")
    tls = os.path.join(data, "tls")
    cert = os.path.join(tls, "cert.pem")
    operator(data, "make-cert", "--out", tls)
    operator(data, "create-account", "--name", "Acme", "--admin", "alice", stdin=PASSWORD + "\n")
    operator(data, "add-license", "--tag", "A9K-100G-LIC", "--name", "ASR 9000 100GE port license",
             "--family", "ASR 9000")
    operator(data, "provision", "--account", "Acme", "--pool", "Default", "--tag", "A9K-100G-LIC",
             "--quantity", "4")
    token = operator(data, "token", "create", "--account", "Acme", "--pool", "Default").splitlines()[-1]
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    log = open(os.path.join(tmp, "portal.log"), "w")
    portal = subprocess.Popen(
        [SERVER, "--data-dir", data, "serve", "--listen", f"127.0.0.1:{port}",
         "--tls-cert", cert, "--tls-key", os.path.join(tls, "key.pem")],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
    )
    try:
        wait_healthy(url, cert)
        state = os.path.join(tmp, "samdd.json")
        exec_prompt = "RP/0/RSP0/CPU0:SAMDD#"
        admin_prompt = "RP/0/RSP0/CPU0:SAMDD(admin)#"
        config_prompt = "RP/0/RSP0/CPU0:SAMDD(admin-config)#"

        child = shell(state)
        child.expect_exact(exec_prompt)
        child.sendline("admin")
        child.expect_exact(admin_prompt)
        child.sendline("configure")
        child.expect_exact(config_prompt)
        child.sendline("license smart enable")
        child.expect_exact("%SMART_LIC-6-AGENT_ENABLED")
        child.expect_exact(config_prompt)
        child.sendline(f"call-home destination {url}")
        child.expect_exact(config_prompt)
        child.sendline(f"call-home ca-file {cert}")
        child.expect_exact(config_prompt)
        child.sendline("feature A9K-100G-LIC 2")
        child.expect_exact(config_prompt)
        child.sendline("end")
        child.expect_exact(admin_prompt)
        child.sendline(f"license smart register idtoken {token}")
        child.expect_exact("%SMART_LIC-6-AGENT_REG_SUCCESS")
        child.expect_exact("State=AUTHORIZED")
        child.expect_exact(admin_prompt)
        child.sendline("show license status")
        child.expect_exact("Smart Licensing is ENABLED")
        child.expect_exact("Status: REGISTERED")
        child.expect_exact("Smart Account: Acme")
        child.expect_exact("Status: AUTHORIZED on ")
        child.expect_exact(admin_prompt)
        child.sendline("show licence status")
        child.expect_exact("% Invalid input detected at '^' marker.")
        child.expect_exact(admin_prompt)
        child.sendline("exit")
        child.expect_exact(exec_prompt)
        child.sendline("exit")
        child.expect(pexpect.EOF)

        # The device restarts: its registration is still there.
        child = shell(state)
        child.expect_exact(exec_prompt)
        child.sendline("show license summary")
        child.expect_exact("Status: REGISTERED")
        child.expect(r"A9K-100G-LIC\s+2\s+AUTHORIZED")
        child.expect_exact(exec_prompt)
        child.sendline("exit")
        child.expect(pexpect.EOF)
    except (pexpect.ExceptionPexpect, RuntimeError) as e:
        print(f"\nshell_expect: FAILED: {type(e).__name__}: {str(e)[:2000]}")
        print("shell_expect: 0 passed, 1 failed")
        return 1
    finally:
        portal.terminate()
        portal.wait(timeout=30)
        log.close()
    print("\nshell_expect: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
