//! The operator's command line, run as a customer's operator would: the real binary, a data folder,
//! the password on standard input.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn server(data: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh data folder, removed when dropped.
fn data_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("portal-cli-")
        .tempdir()
        .unwrap()
}

#[test]
fn operator_provisions_an_account_end_to_end() {
    let dir = data_dir();
    let d = dir.path();
    let run = server(
        d,
        &["create-account", "--name", "Acme", "--admin", "alice"],
        "a long password\n",
    );
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "Created smart account \"Acme\" with the virtual account \"Default\" and its admin \"alice\".");

    let run = server(
        d,
        &[
            "add-license",
            "--tag",
            "a9k-100g-lic",
            "--name",
            "100GE port",
            "--family",
            "ASR 9000",
        ],
        "",
    );
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "Added A9K-100G-LIC \"100GE port\" (ASR 9000) to the catalogue."
    );

    let run = server(
        d,
        &[
            "provision",
            "--account",
            "Acme",
            "--pool",
            "default",
            "--tag",
            "A9K-100G-LIC",
            "--quantity",
            "10",
            "--start",
            "2026-01-01",
            "--end",
            "2026-12-31",
            "--ref",
            "ORD-7",
        ],
        "",
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.starts_with("Provisioned 10 × A9K-100G-LIC into \"default\" of \"Acme\", from 2026-01-01 until 2027-01-01 00:00 UTC"), "{}", run.stdout);

    let run = server(
        d,
        &[
            "add-user",
            "--account",
            "Acme",
            "--username",
            "vic",
            "--role",
            "pool-viewer",
            "--pool",
            "Default",
        ],
        "another password\n",
    );
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "Added \"vic\" to \"Acme\" as Pool viewer for Default."
    );
}

#[test]
fn bad_input_is_explained_and_changes_nothing() {
    let dir = data_dir();
    let d = dir.path();
    assert!(
        server(
            d,
            &["create-account", "--name", "Acme", "--admin", "alice"],
            "a long password\n"
        )
        .ok
    );

    let short = server(
        d,
        &["create-account", "--name", "Globex", "--admin", "gina"],
        "short\n",
    );
    assert!(!short.ok);
    assert!(
        short
            .stderr
            .contains("--password: Use at least 12 characters."),
        "{}",
        short.stderr
    );

    let dup = server(
        d,
        &["create-account", "--name", "Acme", "--admin", "bob"],
        "a long password\n",
    );
    assert!(!dup.ok);
    assert!(
        dup.stderr
            .contains("--account: A smart account named \"Acme\" already exists."),
        "{}",
        dup.stderr
    );
    // The refused account left no user behind: "bob" can still be created elsewhere.
    assert!(
        server(
            d,
            &["create-account", "--name", "Initech", "--admin", "bob"],
            "a long password\n"
        )
        .ok
    );

    let unknown_tag = server(
        d,
        &[
            "provision",
            "--account",
            "Acme",
            "--pool",
            "Default",
            "--tag",
            "NOPE",
            "--quantity",
            "1",
        ],
        "",
    );
    assert!(!unknown_tag.ok);
    assert!(
        unknown_tag
            .stderr
            .contains("--tag: The catalogue has no NOPE; add it first."),
        "{}",
        unknown_tag.stderr
    );

    assert!(
        server(
            d,
            &[
                "add-license",
                "--tag",
                "T1",
                "--name",
                "Thing",
                "--family",
                "F"
            ],
            ""
        )
        .ok
    );
    let zero = server(
        d,
        &[
            "provision",
            "--account",
            "Acme",
            "--pool",
            "Default",
            "--tag",
            "T1",
            "--quantity",
            "0",
        ],
        "",
    );
    assert!(zero.stderr.contains("--quantity:"), "{}", zero.stderr);
    let backwards = server(
        d,
        &[
            "provision",
            "--account",
            "Acme",
            "--pool",
            "Default",
            "--tag",
            "T1",
            "--quantity",
            "1",
            "--start",
            "2026-05-01",
            "--end",
            "2026-03-01",
        ],
        "",
    );
    assert!(
        backwards
            .stderr
            .contains("--end: The end must be after the start."),
        "{}",
        backwards.stderr
    );
    let bad_date = server(
        d,
        &[
            "provision",
            "--account",
            "Acme",
            "--pool",
            "Default",
            "--tag",
            "T1",
            "--quantity",
            "1",
            "--start",
            "May 1",
        ],
        "",
    );
    // Dates are parsed by the command line itself: its message names the flag and the format.
    assert!(
        bad_date.stderr.contains("'--start <START>'")
            && bad_date.stderr.contains("expected a date as YYYY-MM-DD"),
        "{}",
        bad_date.stderr
    );
    let no_pool = server(
        d,
        &[
            "provision",
            "--account",
            "Acme",
            "--pool",
            "Mars",
            "--tag",
            "T1",
            "--quantity",
            "1",
        ],
        "",
    );
    assert!(
        no_pool
            .stderr
            .contains("--pool: No virtual account named \"Mars\"."),
        "{}",
        no_pool.stderr
    );

    let role = server(
        d,
        &[
            "add-user",
            "--account",
            "Acme",
            "--username",
            "x",
            "--role",
            "root",
        ],
        "a long password\n",
    );
    // Roles are a type of the command line: its message names the flag and lists the roles.
    assert!(
        role.stderr.contains("'--role <ROLE>'")
            && role
                .stderr
                .contains("account-admin, account-user, pool-admin, pool-viewer"),
        "{}",
        role.stderr
    );
    let pool_role = server(
        d,
        &[
            "add-user",
            "--account",
            "Acme",
            "--username",
            "x",
            "--role",
            "pool-admin",
        ],
        "a long password\n",
    );
    assert!(
        pool_role
            .stderr
            .contains("--pool: A pool admin needs at least one virtual account."),
        "{}",
        pool_role.stderr
    );
}

#[test]
fn demo_seeding_is_idempotent_and_prints_the_sign_in() {
    let dir = data_dir();
    let first = server(dir.path(), &["demo"], "");
    assert!(first.ok, "{}", first.stderr);
    assert!(
        first
            .stdout
            .contains("Username: demo\nPassword: demo-portal-2026"),
        "{}",
        first.stdout
    );
    let again = server(dir.path(), &["demo"], "");
    assert!(again.ok, "{}", again.stderr);
    assert!(
        again.stdout.starts_with("Demo account ready."),
        "{}",
        again.stdout
    );
}

#[test]
fn tokens_can_be_created_listed_and_revoked_from_the_command_line() {
    let dir = data_dir();
    let d = dir.path();
    assert!(
        server(
            d,
            &["create-account", "--name", "Acme", "--admin", "alice"],
            "a long password\n"
        )
        .ok
    );
    let created = server(
        d,
        &[
            "token",
            "create",
            "--account",
            "Acme",
            "--pool",
            "Default",
            "--days",
            "7",
            "--max-uses",
            "3",
        ],
        "",
    );
    assert!(created.ok, "{}", created.stderr);
    let token = created.stdout.trim().to_owned();
    assert!(token.starts_with("idt_") && token.len() == 47, "{token}");
    let list = server(
        d,
        &["token", "list", "--account", "Acme", "--pool", "Default"],
        "",
    );
    let line = list.stdout.lines().next().unwrap().to_owned();
    let fields: Vec<&str> = line.split('\t').collect();
    assert_eq!(&fields[1..3], ["Active", "0/3"], "{line}");
    assert_eq!(fields[4], token);
    let revoked = server(
        d,
        &[
            "token",
            "revoke",
            "--account",
            "Acme",
            "--id",
            fields[0],
            "--reason",
            "lost in the mail",
        ],
        "",
    );
    assert!(revoked.ok, "{}", revoked.stderr);
    let list = server(
        d,
        &["token", "list", "--account", "Acme", "--pool", "Default"],
        "",
    );
    assert!(list.stdout.contains("\tRevoked\t"), "{}", list.stdout);
    let bad = server(
        d,
        &[
            "token",
            "create",
            "--account",
            "Acme",
            "--pool",
            "Default",
            "--days",
            "400",
        ],
        "",
    );
    assert!(!bad.ok);
    assert!(
        bad.stderr
            .contains("--days: Enter a whole number of days from 1 to 365."),
        "{}",
        bad.stderr
    );
}

#[test]
fn serve_help_says_the_scope_of_each_limit_and_the_public_url() {
    let dir = data_dir();
    let help = server(dir.path(), &["serve", "--help"], "");
    assert!(help.ok, "{}", help.stderr);
    let text = help.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("counted by each portal process on its own (N processes behind a load balancer admit up to N times this; the sign-in throttle is shared)"),
        "{text}"
    );
    assert!(text.contains("--public-url"), "{text}");
    assert!(
        text.contains("session cookies are `Secure` and responses carry HSTS"),
        "{text}"
    );
}
