//! Test harness: a fresh database per test on SQLite (always) and PostgreSQL (when TEST_DATABASE_URL
//! names a server), the real router, and a tiny cookie-keeping client for server functions.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

use app::error::AppError;
use app::state::{AppState, ClientAddr, Settings};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use server::device_api::RateLimits;
use server::startup::{Application, Config};
use tower::ServiceExt;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// 128 random bits in hex: names that no other test (or earlier run) has.
pub fn unique() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// A database URL for one test: a new SQLite file, or a new PostgreSQL database.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// The backends every integration test runs on.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        if !url.trim().is_empty() {
            all.push(Backend::Postgres(url));
        }
    }
    all
}

async fn drop_stale_databases(admin: &DatabaseConnection) {
    static ONCE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    ONCE.get_or_init(|| async {
        let mine = format!("portal_t_{}_", std::process::id());
        let rows = admin
            .query_all_raw(sea_orm::Statement::from_string(
                admin.get_database_backend(),
                "SELECT datname FROM pg_database WHERE datname LIKE 'portal_t_%'",
            ))
            .await
            .unwrap_or_default();
        for row in rows {
            let name: String = row.try_get("", "datname").unwrap_or_default();
            if !name.starts_with(&mine) {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
            }
        }
    })
    .await;
}

/// The URL of a fresh, empty database on `backend` (a new SQLite file, or a new PostgreSQL database).
pub async fn fresh_db(backend: &Backend) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("portal-test-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("t{n}-{}.db", unique()));
            format!("sqlite:{}?mode=rwc", path.display())
        }
        Backend::Postgres(url) => {
            let admin = Database::connect(url.as_str())
                .await
                .expect("TEST_DATABASE_URL connects");
            drop_stale_databases(&admin).await;
            let name = format!("portal_t_{}_{n}_{}", std::process::id(), &unique()[..8]);
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .unwrap();
            let _ = admin.close().await;
            let base = match url.rfind('/') {
                Some(i) if url[..i].contains("://") && i > url.find("://").unwrap() + 2 => {
                    &url[..i]
                }
                _ => url.as_str(),
            };
            let query = url.find('?').map(|i| &url[i..]).unwrap_or("");
            format!("{base}/{name}{query}")
        }
    }
}

/// The router and its state on a fresh database.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub backend: Backend,
    /// What the portal was started with, for another process on the same database.
    pub config: Config,
}

/// Device limits no test reaches unless it means to.
pub const NO_LIMITS: RateLimits = RateLimits {
    per_address: 1_000_000,
    per_credential: 1_000_000,
};

impl TestApp {
    pub async fn new(backend: &Backend) -> TestApp {
        Self::with_settings(backend, Settings::default()).await
    }

    pub async fn with_settings(backend: &Backend, settings: Settings) -> TestApp {
        Self::with_config(backend, |config| config.settings = settings).await
    }

    /// A portal on a fresh database with `change` made to its default test config.
    pub async fn with_config(backend: &Backend, change: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config::new(fresh_db(backend).await);
        config.device_limits = NO_LIMITS;
        change(&mut config);
        let app = Application::build(config.clone()).await.unwrap();
        TestApp {
            state: app.state,
            router: app.router,
            backend: backend.clone(),
            config,
        }
    }

    /// Another portal process on the same database, with the given device limits.
    pub async fn another_process(&self, limits: RateLimits) -> Application {
        let mut config = self.config.clone();
        config.device_limits = limits;
        Application::build(config).await.unwrap()
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.now()
    }

    /// A browser-like client with its own cookie jar and client address.
    pub fn client(&self) -> Client {
        self.client_from("10.0.0.1")
    }

    pub fn client_from(&self, addr: &str) -> Client {
        Client {
            router: self.router.clone(),
            cookie: None,
            addr: addr.to_owned(),
        }
    }

    /// Creates a smart account with an admin, returning a client signed in as that admin.
    pub async fn account(&self, name: &str, admin: &str) -> Client {
        app::services::users::create_account(self.db(), name, admin, PASSWORD, self.now())
            .await
            .unwrap();
        let mut client = self.client();
        client.login(admin, PASSWORD).await.unwrap();
        client
    }

    /// Adds a user with a role (and pools, for pool roles), returning a signed-in client.
    pub async fn user(
        &self,
        account: &str,
        username: &str,
        role: app::domain::roles::Role,
        pools: &[&str],
    ) -> Client {
        let pools: Vec<String> = pools.iter().map(|p| p.to_string()).collect();
        app::services::users::add_user(
            self.db(),
            account,
            username,
            PASSWORD,
            role,
            &pools,
            self.now(),
        )
        .await
        .unwrap();
        let mut client = self.client();
        client.login(username, PASSWORD).await.unwrap();
        client
    }
}

/// The password of every test user.
pub const PASSWORD: &str = "correct horse battery";

/// A response: status, headers and body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The server function's result: its JSON value, or its `AppError`.
    pub fn result<T: serde::de::DeserializeOwned>(&self) -> Result<T, AppError> {
        if self.status.is_success() {
            Ok(serde_json::from_slice(&self.body)
                .unwrap_or_else(|e| panic!("bad JSON {e}: {}", self.text())))
        } else {
            Err(serde_json::from_slice(&self.body).unwrap_or_else(|e| {
                panic!(
                    "status {} with a body that is no AppError ({e}): {}",
                    self.status,
                    self.text()
                )
            }))
        }
    }
}

/// Keeps the session cookie between requests, like a browser.
#[derive(Clone)]
pub struct Client {
    router: Router,
    pub cookie: Option<String>,
    pub addr: String,
}

impl Client {
    /// The same browser (cookie and address) talking to another portal process.
    pub fn via(&self, router: Router) -> Client {
        Client {
            router,
            ..self.clone()
        }
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Reply {
        if let Some(cookie) = &self.cookie {
            req.headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        req.extensions_mut().insert(ClientAddr(self.addr.clone()));
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
            self.cookie = if set.to_str().unwrap().contains("Max-Age=0") {
                None
            } else {
                Some(pair)
            };
        }
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// POSTs a form to a server function (`/api/<endpoint>`), as the page's JavaScript does.
    pub async fn call(&mut self, endpoint: &str, form: &[(&str, &str)]) -> Reply {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let req = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// POSTs a JSON body to a server function taking JSON (`input = Json`).
    pub async fn call_json(&mut self, endpoint: &str, body: serde_json::Value) -> Reply {
        let req = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(serde_json::to_vec(&body).unwrap()))
            .unwrap();
        self.send(req).await
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let req = Request::get(path)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Result<(), AppError> {
        self.call(
            "auth/login",
            &[("username", username), ("password", password)],
        )
        .await
        .result::<()>()
    }

    pub async fn me(&mut self) -> Option<app::model::Me> {
        self.call("auth/me", &[])
            .await
            .result::<Option<app::model::Me>>()
            .unwrap()
    }

    /// The id of a pool the user sees, by name.
    pub async fn pool_id(&mut self, name: &str) -> i64 {
        self.me()
            .await
            .expect("signed in")
            .pools
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no pool {name}"))
            .id
    }
}
