//! A real portal on a random loopback port, in-process (the server's own router, database and
//! signing key), with the smart account "Acme", a small pool and a registration token; and helpers
//! to drive a device through its library API as a script would.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use app::state::AppState;
use device::command::Mode;
use device::state::Identity;
use device::{Device, Reply, Setup};
use device_protocol::Udi;
use sea_orm::DatabaseConnection;
use server::cli::{Command, TokenCommand};
use server::device_api::RateLimits;
use server::startup::{Application, Config, TlsFiles};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Licenses of A9K-100G-LIC the pool "Default" holds.
pub const POOL_100G: i64 = 2;

/// A running portal.
pub struct Portal {
    /// `http://127.0.0.1:<port>` (or `https://localhost:<port>`).
    pub url: String,
    pub state: AppState,
    /// A token of the pool "Default" of "Acme".
    pub token: String,
    /// A folder for this test's files.
    pub dir: PathBuf,
}

/// A fresh folder under the temp dir.
pub fn temp_dir(label: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!(
        "device-it-{}-{label}-{n}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn seed(db: &DatabaseConnection, now: chrono::DateTime<chrono::Utc>) -> String {
    app::services::users::create_account(db, "Acme", "alice", "correct horse battery", now)
        .await
        .unwrap();
    for (tag, name) in [
        ("A9K-100G-LIC", "ASR 9000 100GE port license"),
        ("A9K-IVRF-LIC", "Infrastructure VRF"),
    ] {
        app::services::catalogue::add_license(db, tag, name, "ASR 9000")
            .await
            .unwrap();
    }
    app::services::catalogue::provision(
        db,
        app::services::catalogue::NewLot {
            account: "Acme",
            pool: "Default",
            tag: "A9K-100G-LIC",
            quantity: POOL_100G,
            starts_at: now - chrono::Duration::days(1),
            ends_at: None,
            source_ref: "ORD-1",
        },
        now,
    )
    .await
    .unwrap();
    server::operator::run(
        db,
        Command::Token(TokenCommand::Create {
            account: "Acme".into(),
            pool: "Default".into(),
            days: 30,
            max_uses: None,
            description: "device tests".into(),
            no_export_controlled: false,
        }),
        now,
    )
    .await
    .unwrap()
}

impl Portal {
    /// A portal over plain HTTP on loopback.
    pub async fn start() -> Portal {
        Self::serve(false).await
    }

    /// A portal over HTTPS with a self-signed certificate (`dir/tls/cert.pem`).
    pub async fn start_tls() -> Portal {
        Self::serve(true).await
    }

    async fn serve(tls: bool) -> Portal {
        let dir = temp_dir("portal");
        let mut config = Config::new(format!(
            "sqlite:{}?mode=rwc",
            dir.join("portal.db").display()
        ));
        config.device_limits = RateLimits {
            per_address: 1_000_000,
            per_credential: 1_000_000,
        };
        if tls {
            server::operator::make_cert(
                &dir.join("tls"),
                vec!["localhost".into(), "127.0.0.1".into()],
            )
            .unwrap();
            config.tls = Some(TlsFiles {
                cert: dir.join("tls/cert.pem"),
                key: dir.join("tls/key.pem"),
            });
        }
        let app = Application::build(config).await.unwrap();
        let state = app.state.clone();
        let token = seed(&state.db, state.now()).await;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(app.serve(listener, std::future::pending()));
        let url = if tls {
            format!("https://localhost:{port}")
        } else {
            format!("http://127.0.0.1:{port}")
        };
        Portal {
            url,
            state,
            token,
            dir,
        }
    }

    /// Opens (or reopens) a device whose state is `name.json` in this test's folder, calling home here.
    pub fn device(&self, name: &str, sn: &str) -> Device {
        let mut device = Device::open(
            &self.dir.join(format!("{name}.json")),
            Setup {
                identity: Some(Identity {
                    hostname: name.to_owned(),
                    udi: Udi {
                        pid: "ASR-9006-AC".into(),
                        sn: sn.to_owned(),
                    },
                }),
                destination: Some(self.url.clone()),
                ..Setup::default()
            },
        )
        .unwrap();
        device.set_mode(Mode::Script);
        device
    }

    /// A transport client of this portal, to look at it as a device would.
    pub fn client(&self) -> device::transport::Portal {
        device::transport::Portal::new(&self.url, None, 1).unwrap()
    }
}

/// Runs a command that must succeed and returns what it printed.
pub async fn ok(device: &mut Device, line: &str) -> String {
    let reply = device.execute(line, 0).await;
    assert!(reply.ok, "`{line}` failed:\n{}", reply.output);
    reply.output
}

/// Runs a command that must fail and returns what it printed.
pub async fn fails(device: &mut Device, line: &str) -> Reply {
    let reply = device.execute(line, 0).await;
    assert!(!reply.ok, "`{line}` should fail:\n{}", reply.output);
    reply
}

/// Enables smart licensing, configures `features` and registers with the portal's token.
pub async fn registered(portal: &Portal, name: &str, sn: &str, features: &[(&str, i64)]) -> Device {
    let mut device = portal.device(name, sn);
    ok(&mut device, "license smart enable").await;
    for (tag, count) in features {
        ok(&mut device, &format!("feature {tag} {count}")).await;
    }
    ok(
        &mut device,
        &format!("license smart register idtoken {}", portal.token),
    )
    .await;
    device
}

/// The one line of `text` that starts with `prefix` (after indentation).
pub fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find(|l| l.trim_start().starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{text}"))
        .trim()
}
