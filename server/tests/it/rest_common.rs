//! Helpers of the REST API's tests: an account with pools, keys made as a user would make them, and
//! calls with a bearer key.

use app::domain::api_keys::{ApiScope, KeyExpiry, KeyName, NewApiKey};
use axum::body::Body;
use axum::http::{header, Request};
use serde_json::Value;

use crate::common::{Reply, TestApp};

/// Account "Acme" (admin `alice`, user id 1) with pools Default, East and West, 100 licenses of
/// A9K-100G-LIC in East, and a token of Default (returned).
pub async fn acme(app: &TestApp) -> String {
    let token = crate::device_api::setup(app, 0, "").await;
    let (actor, _) = app::services::actors::load(app.db(), 1, None)
        .await
        .unwrap();
    for name in ["East", "West"] {
        app::services::pools::create(app.db(), &actor, name, "", app.now())
            .await
            .unwrap();
    }
    app::services::catalogue::provision(
        app.db(),
        app::services::catalogue::NewLot {
            account: "Acme",
            pool: "East",
            tag: "A9K-100G-LIC",
            quantity: 100,
            starts_at: app.now() - chrono::Duration::days(1),
            ends_at: None,
            source_ref: "ORD-1",
        },
        app.now(),
    )
    .await
    .unwrap();
    token
}

/// A key of `user` in `account`, with `scope`, limited to the named pools (all when empty).
pub async fn key(
    app: &TestApp,
    account: &str,
    user: &str,
    scope: ApiScope,
    pools: &[&str],
) -> String {
    let found = app::services::users::find_account(app.db(), account)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for p in pools {
        ids.push(
            app::services::users::find_pool(app.db(), found.id, p)
                .await
                .unwrap()
                .id,
        );
    }
    let new = NewApiKey {
        name: KeyName::parse(&format!("{user} {}", ids.len())).unwrap(),
        scope,
        expiry: KeyExpiry::Days(30),
        pools: (!ids.is_empty()).then_some(ids),
    };
    app::services::api_keys::create_for(app.db(), account, user, new, app.now())
        .await
        .unwrap()
        .secret
}

/// A call of the REST API with `key` (none when empty), a JSON body and headers.
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    key: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Reply {
    call_raw(
        app,
        method,
        path,
        key,
        body.map(|b| serde_json::to_vec(&b).unwrap()),
        headers,
    )
    .await
}

pub async fn call_raw(
    app: &TestApp,
    method: &str,
    path: &str,
    key: &str,
    body: Option<Vec<u8>>,
    headers: &[(&str, &str)],
) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("/api/v1{path}"));
    if !key.is_empty() {
        req = req.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app.client()
        .send(
            req.body(body.map(Body::from).unwrap_or_else(Body::empty))
                .unwrap(),
        )
        .await
}

pub async fn get(app: &TestApp, path: &str, key: &str) -> Reply {
    call(app, "GET", path, key, None, &[]).await
}

pub fn json(reply: &Reply) -> Value {
    serde_json::from_slice(&reply.body).unwrap_or_else(|_| panic!("not JSON: {}", reply.text()))
}

/// The error code of an error answer.
pub fn code(reply: &Reply) -> String {
    json(reply)["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {}", reply.text()))
        .to_owned()
}

/// The id of a pool by name, through the API.
pub async fn pool(app: &TestApp, key: &str, name: &str) -> i64 {
    let list = json(&get(app, "/virtual-accounts", key).await);
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no pool {name} in {list}"))["id"]
        .as_i64()
        .unwrap()
}

/// The balance of A9K-100G-LIC in a pool, through the API (0 when it holds none).
pub async fn balance(app: &TestApp, key: &str, pool: i64) -> i64 {
    let reply = get(
        app,
        &format!("/virtual-accounts/{pool}/licenses/A9K-100G-LIC"),
        key,
    )
    .await;
    json(&reply)["license"]["purchased"].as_i64().unwrap_or(0)
}

/// Every row of a list, page after page (`path` has a query string already).
pub async fn all_pages(app: &TestApp, key: &str, path: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let at = match &cursor {
            None => path.to_owned(),
            Some(c) => format!("{path}&cursor={c}"),
        };
        let page = json(&get(app, &at, key).await);
        rows.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return rows,
        }
    }
}

/// The id of a pool of "Acme" by name, from the database.
pub async fn pool_named(app: &TestApp, name: &str) -> i64 {
    let account = app::services::users::find_account(app.db(), "Acme")
        .await
        .unwrap();
    app::services::users::find_pool(app.db(), account.id, name)
        .await
        .unwrap()
        .id
}
