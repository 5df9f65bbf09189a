//! The REST API's common rules: cursor paging stable under inserts, errors naming their field in
//! the one shape, per-key rate limits with their headers.

use app::domain::api_keys::ApiScope;
use axum::http::StatusCode;
use serde_json::json;

use crate::common::{backends, TestApp};
use crate::rest_common::{acme, all_pages, balance, call, call_raw, code, get, json, key, pool};

#[tokio::test]
async fn cursor_pages_of_instances_see_every_device_once_while_devices_register() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = acme(&app).await;
        let k = key(&app, "Acme", "alice", ApiScope::Read, &[]).await;
        for i in 0..23 {
            crate::device_api::register(&app, &token, &format!("SN{i:03}")).await;
        }
        let default = pool(&app, &k, "Default").await;
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut added = 0;
        loop {
            let path = match &cursor {
                None => {
                    format!("/virtual-accounts/{default}/product-instances?sort=serial&limit=5")
                }
                Some(c) => format!(
                    "/virtual-accounts/{default}/product-instances?sort=serial&limit=5&cursor={c}"
                ),
            };
            let page = json(&get(&app, &path, &k).await);
            for row in page["data"].as_array().unwrap() {
                seen.push(row["udi"]["sn"].as_str().unwrap().to_owned());
            }
            // Devices register between pages, before and after the cursor.
            crate::device_api::register(&app, &token, &format!("AA{added:03}")).await;
            crate::device_api::register(&app, &token, &format!("ZZ{added:03}")).await;
            added += 1;
            match page["next"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        let originals: Vec<&String> = seen.iter().filter(|s| s.starts_with("SN")).collect();
        assert_eq!(
            originals.len(),
            23,
            "{backend:?}: every device once: {seen:?}"
        );
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "{backend:?}: none twice");
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "{backend:?}: in order"
        );
        assert!(
            !seen.iter().any(|s| s.starts_with("AA")),
            "{backend:?}: none behind the cursor"
        );

        // Events page by id, newest first, the same way.
        let ids: Vec<i64> = all_pages(
            &app,
            &k,
            &format!("/virtual-accounts/{default}/events?limit=7"),
        )
        .await
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "{backend:?}");
        assert!(ids.len() >= 23 + 2 * added, "{backend:?}");
    }
}

#[tokio::test]
async fn errors_name_their_field_in_the_one_shape() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        acme(&app).await;
        let k = key(&app, "Acme", "alice", ApiScope::Write, &[]).await;
        let east = pool(&app, &k, "East").await;
        let field = |reply: &crate::common::Reply| {
            json(reply)["error"]["field"].as_str().map(str::to_owned)
        };
        let bad = call_raw(&app, "POST", "/transfers", &k, Some(b"{bad".to_vec()), &[]).await;
        assert_eq!(
            (bad.status, field(&bad).as_deref()),
            (StatusCode::BAD_REQUEST, Some("body"))
        );
        let bad = call(&app, "POST", "/transfers", &k, Some(json!({"transfers": [{"license": "A9K-100G-LIC", "from": east, "to": east, "quantity": "x"}]})), &[]).await;
        assert_eq!(
            field(&bad).as_deref(),
            Some("transfers[0].quantity"),
            "{}",
            bad.text()
        );
        let bad = get(&app, "/virtual-accounts?limit=501", &k).await;
        assert_eq!(
            (bad.status, field(&bad).as_deref()),
            (StatusCode::BAD_REQUEST, Some("limit"))
        );
        let bad = get(&app, "/virtual-accounts?limit=ten", &k).await;
        assert_eq!(
            (bad.status, field(&bad).as_deref()),
            (StatusCode::BAD_REQUEST, Some("limit")),
            "{}",
            bad.text()
        );
        let bad = get(&app, "/virtual-accounts?cursor=nonsense", &k).await;
        assert_eq!(field(&bad).as_deref(), Some("cursor"));
        let bad = call(
            &app,
            "POST",
            "/virtual-accounts",
            &k,
            Some(json!({"name": "  "})),
            &[],
        )
        .await;
        assert_eq!(
            (bad.status, field(&bad).as_deref()),
            (StatusCode::BAD_REQUEST, Some("name"))
        );
        let bad = call(
            &app,
            "POST",
            &format!("/virtual-accounts/{east}/tokens"),
            &k,
            Some(json!({"expires_after_days": 400})),
            &[],
        )
        .await;
        assert_eq!(
            field(&bad).as_deref(),
            Some("expires_after_days"),
            "{}",
            bad.text()
        );
        let bad = call(
            &app,
            "POST",
            "/transfers",
            &k,
            Some(json!({"transfers": []})),
            &[("Idempotency-Key", "has space")],
        )
        .await;
        assert_eq!(field(&bad).as_deref(), Some("Idempotency-Key"));
        // An empty key is a mistake, not "no key": refused, nothing moved.
        let bad = call(
            &app,
            "POST",
            "/transfers",
            &k,
            Some(json!({"transfers": []})),
            &[("Idempotency-Key", "")],
        )
        .await;
        assert_eq!(
            (bad.status, field(&bad).as_deref()),
            (StatusCode::BAD_REQUEST, Some("Idempotency-Key"))
        );
        let big = vec![b' '; rest_limit() + 1];
        let bad = call_raw(&app, "POST", "/transfers", &k, Some(big), &[]).await;
        assert_eq!(
            (bad.status, code(&bad)),
            (StatusCode::PAYLOAD_TOO_LARGE, "invalid_request".into())
        );
        let none = get(&app, "/no-such-thing", &k).await;
        assert_eq!(
            (none.status, code(&none)),
            (StatusCode::NOT_FOUND, "not_found".into())
        );
        let wrong = call(&app, "PUT", "/virtual-accounts", &k, None, &[]).await;
        assert_eq!(
            (wrong.status, code(&wrong)),
            (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed".into())
        );
        let refused = call(
            &app,
            "DELETE",
            &format!("/virtual-accounts/{east}"),
            &k,
            None,
            &[],
        )
        .await;
        assert_eq!(
            (refused.status, code(&refused)),
            (StatusCode::CONFLICT, "conflict".into()),
            "{backend:?}: East holds licenses"
        );
        // Nothing of that changed anything.
        assert_eq!(balance(&app, &k, east).await, 100);
    }
}

fn rest_limit() -> usize {
    server::rest::MAX_BODY_BYTES
}

#[tokio::test]
async fn each_key_has_its_rate_limit_with_headers() {
    let backend = &backends()[0];
    let app = TestApp::with_config(backend, |c| c.api_rate_per_key = 3).await;
    acme(&app).await;
    let k = key(&app, "Acme", "alice", ApiScope::Read, &[]).await;
    let other = key(&app, "Acme", "alice", ApiScope::Read, &["East"]).await;
    for remaining in ["2", "1", "0"] {
        let ok = get(&app, "/virtual-accounts", &k).await;
        assert_eq!(ok.status, StatusCode::OK);
        assert_eq!(ok.headers["ratelimit-limit"], "3");
        assert_eq!(ok.headers["ratelimit-remaining"], remaining);
        assert!(ok.headers.contains_key("ratelimit-reset"));
    }
    let limited = get(&app, "/virtual-accounts", &k).await;
    assert_eq!(
        (limited.status, code(&limited)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into())
    );
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(limited.headers["ratelimit-remaining"], "0");
    assert_eq!(
        get(&app, "/virtual-accounts", &other).await.status,
        StatusCode::OK,
        "another key counts apart"
    );
}
