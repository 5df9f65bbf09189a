//! The customer REST API (`/api/v1`) through the real router: keys narrowed by scope and pools,
//! revoked and expired keys and disabled users, another account's ids, the error shape, cursor paging
//! under inserts, rate limits, and every endpoint's round trip.

use app::domain::api_keys::ApiScope;
use app::domain::roles::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::common::{backends, TestApp};
use crate::rest_common::{acme, balance, call, call_raw, code, get, json, key, pool};

#[tokio::test]
async fn a_key_acts_as_its_user_narrowed_by_scope_and_virtual_accounts() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        acme(&app).await;
        let admin = key(&app, "Acme", "alice", ApiScope::Write, &[]).await;
        let names = |reply: &crate::common::Reply| -> Vec<String> {
            json(reply)["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect()
        };
        let all = get(&app, "/virtual-accounts", &admin).await;
        assert_eq!(all.status, StatusCode::OK, "{backend:?}: {}", all.text());
        assert_eq!(names(&all), ["Default", "East", "West"], "{backend:?}");
        let (east, west) = (
            pool(&app, &admin, "East").await,
            pool(&app, &admin, "West").await,
        );

        // Read only: reads everything, changes nothing.
        let reader = key(&app, "Acme", "alice", ApiScope::Read, &[]).await;
        assert_eq!(
            names(&get(&app, "/virtual-accounts", &reader).await).len(),
            3
        );
        let refused = call(
            &app,
            "POST",
            "/virtual-accounts",
            &reader,
            Some(json!({"name": "North"})),
            &[],
        )
        .await;
        assert_eq!(
            (refused.status, code(&refused)),
            (StatusCode::FORBIDDEN, "forbidden".into()),
            "{backend:?}"
        );
        let refused = call(
            &app,
            "POST",
            &format!("/virtual-accounts/{east}/tokens"),
            &reader,
            Some(json!({"expires_after_days": 1})),
            &[],
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend:?}");

        // Limited to East: the rest of the account does not exist for it.
        let limited = key(&app, "Acme", "alice", ApiScope::Write, &["East"]).await;
        assert_eq!(
            names(&get(&app, "/virtual-accounts", &limited).await),
            ["East"],
            "{backend:?}"
        );
        for path in [
            format!("/virtual-accounts/{west}"),
            format!("/virtual-accounts/{west}/licenses"),
            format!("/virtual-accounts/{west}/tokens"),
            format!("/virtual-accounts/{west}/product-instances"),
            format!("/virtual-accounts/{west}/events"),
        ] {
            let hidden = get(&app, &path, &limited).await;
            assert_eq!(
                (hidden.status, code(&hidden)),
                (StatusCode::NOT_FOUND, "not_found".into()),
                "{backend:?} {path}"
            );
        }
        // It changes what it sees, but may not make virtual accounts (an account-wide change).
        let made = call(
            &app,
            "POST",
            &format!("/virtual-accounts/{east}/tokens"),
            &limited,
            Some(json!({"expires_after_days": 7, "max_uses": 5, "description": "lab"})),
            &[],
        )
        .await;
        assert_eq!(
            made.status,
            StatusCode::CREATED,
            "{backend:?}: {}",
            made.text()
        );
        assert!(json(&made)["token"].as_str().unwrap().starts_with("idt_"));
        let refused = call(
            &app,
            "POST",
            "/virtual-accounts",
            &limited,
            Some(json!({"name": "North"})),
            &[],
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend:?}");
        // A move into a pool out of its reach names the field.
        let refused = call(
            &app,
            "POST",
            "/transfers",
            &limited,
            Some(json!({"transfers": [{"license": "A9K-100G-LIC", "from": east, "to": west, "quantity": 1}]})),
            &[],
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{backend:?}: {}",
            refused.text()
        );
        assert_eq!(json(&refused)["error"]["field"], "transfers[0].to");

        // A pool viewer's write key is still a viewer's.
        app::services::users::add_user(
            app.db(),
            "Acme",
            "vera",
            crate::common::PASSWORD,
            Role::PoolViewer,
            &["West".to_owned()],
            app.now(),
        )
        .await
        .unwrap();
        let viewer = key(&app, "Acme", "vera", ApiScope::Write, &[]).await;
        assert_eq!(
            names(&get(&app, "/virtual-accounts", &viewer).await),
            ["West"],
            "{backend:?}"
        );
        let refused = call(
            &app,
            "POST",
            &format!("/virtual-accounts/{west}/tokens"),
            &viewer,
            Some(json!({"expires_after_days": 1})),
            &[],
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend:?}");

        // What a key changes is an event in its user's name and the key's.
        let events = json(
            &get(
                &app,
                &format!("/virtual-accounts/{east}/events?kind=token.created"),
                &admin,
            )
            .await,
        );
        assert_eq!(
            events["data"][0]["actor"], "alice (API key \"alice 1\")",
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn revoked_or_expired_keys_and_disabled_or_removed_users_are_refused_at_once() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        acme(&app).await;
        let missing = get(&app, "/virtual-accounts", "").await;
        assert_eq!(
            (missing.status, code(&missing)),
            (StatusCode::UNAUTHORIZED, "unauthorized".into())
        );
        assert!(missing.headers.contains_key("www-authenticate"));
        let bogus = get(&app, "/virtual-accounts", "lp_not-a-key").await;
        assert_eq!(bogus.status, StatusCode::UNAUTHORIZED, "{backend:?}");

        // Revoked by its owner in the browser.
        let revoked = key(&app, "Acme", "alice", ApiScope::Write, &[]).await;
        assert_eq!(
            get(&app, "/virtual-accounts", &revoked).await.status,
            StatusCode::OK
        );
        let (alice, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        let listed = app::services::api_keys::list(app.db(), &alice, app.now())
            .await
            .unwrap();
        app::services::api_keys::revoke(app.db(), &alice, listed.keys[0].id, app.now())
            .await
            .unwrap();
        assert_eq!(
            get(&app, "/virtual-accounts", &revoked).await.status,
            StatusCode::UNAUTHORIZED,
            "{backend:?}"
        );

        // Expired: 30 days on.
        let expiring = key(&app, "Acme", "alice", ApiScope::Read, &[]).await;
        assert_eq!(
            get(&app, "/virtual-accounts", &expiring).await.status,
            StatusCode::OK
        );
        app.state.clock.advance(30 * 86_400);
        assert_eq!(
            get(&app, "/virtual-accounts", &expiring).await.status,
            StatusCode::UNAUTHORIZED,
            "{backend:?}"
        );
        app.state.clock.advance(-30 * 86_400);

        // The user disabled, then enabled, then removed.
        app::services::users::add_user(
            app.db(),
            "Acme",
            "uma",
            crate::common::PASSWORD,
            Role::AccountUser,
            &[],
            app.now(),
        )
        .await
        .unwrap();
        let users_key = key(&app, "Acme", "uma", ApiScope::Write, &[]).await;
        assert_eq!(
            get(&app, "/virtual-accounts", &users_key).await.status,
            StatusCode::OK
        );
        let uma = app::services::access::list(app.db(), &alice, &app::model::UserQuery::default())
            .await
            .unwrap()
            .rows
            .into_iter()
            .find(|u| u.username == "uma")
            .unwrap()
            .id;
        app::services::access::set_disabled(app.db(), &alice, uma, true, app.now())
            .await
            .unwrap();
        assert_eq!(
            get(&app, "/virtual-accounts", &users_key).await.status,
            StatusCode::UNAUTHORIZED,
            "{backend:?}"
        );
        app::services::access::set_disabled(app.db(), &alice, uma, false, app.now())
            .await
            .unwrap();
        assert_eq!(
            get(&app, "/virtual-accounts", &users_key).await.status,
            StatusCode::OK,
            "{backend:?}"
        );
        app::services::access::remove(app.db(), &alice, uma, app.now())
            .await
            .unwrap();
        assert_eq!(
            get(&app, "/virtual-accounts", &users_key).await.status,
            StatusCode::UNAUTHORIZED,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn another_accounts_ids_are_not_found() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = acme(&app).await;
        let acme_key = key(&app, "Acme", "alice", ApiScope::Write, &[]).await;
        let east = pool(&app, &acme_key, "East").await;
        let device = crate::device_api::register(&app, &token, "ACME0001").await;
        let instance: i64 = device.instance_id.parse().unwrap();
        let tokens = json(
            &get(
                &app,
                &format!(
                    "/virtual-accounts/{}/tokens",
                    pool(&app, &acme_key, "Default").await
                ),
                &acme_key,
            )
            .await,
        );
        let token_id = tokens["data"][0]["id"].as_i64().unwrap();

        app::services::users::create_account(
            app.db(),
            "Other",
            "oscar",
            crate::common::PASSWORD,
            app.now(),
        )
        .await
        .unwrap();
        let other = key(&app, "Other", "oscar", ApiScope::Write, &[]).await;
        let not_found = [
            ("GET", format!("/virtual-accounts/{east}"), None),
            (
                "PATCH",
                format!("/virtual-accounts/{east}"),
                Some(json!({"name": "Mine"})),
            ),
            ("DELETE", format!("/virtual-accounts/{east}"), None),
            ("GET", format!("/virtual-accounts/{east}/licenses"), None),
            (
                "GET",
                format!("/virtual-accounts/{east}/licenses/A9K-100G-LIC"),
                None,
            ),
            ("GET", format!("/virtual-accounts/{east}/tokens"), None),
            (
                "POST",
                format!("/virtual-accounts/{east}/tokens"),
                Some(json!({"expires_after_days": 1})),
            ),
            (
                "POST",
                format!("/tokens/{token_id}/revoke"),
                Some(json!({"reason": "mine"})),
            ),
            ("DELETE", format!("/tokens/{token_id}"), None),
            ("GET", format!("/product-instances/{instance}"), None),
            ("DELETE", format!("/product-instances/{instance}"), None),
            ("GET", format!("/virtual-accounts/{east}/events"), None),
            ("GET", format!("/alerts?virtual_account={east}"), None),
            (
                "POST",
                "/transfers".to_owned(),
                Some(
                    json!({"transfers": [{"license": "A9K-100G-LIC", "from": east, "to": east + 1, "quantity": 1}]}),
                ),
            ),
        ];
        for (method, path, body) in not_found {
            let reply = call(&app, method, &path, &other, body, &[]).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{backend:?}: {method} {path}: {}",
                reply.text()
            );
        }
        // Moving another account's device into one's own pool: the device is not found.
        let mine = pool(&app, &other, "Default").await;
        let reply = call(
            &app,
            "POST",
            "/product-instances/transfer",
            &other,
            Some(json!({"instances": [instance], "to": mine})),
            &[],
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{backend:?}: {}",
            reply.text()
        );
        // A report filtered on another account's pool names the filter.
        let reply = get(&app, &format!("/reports/licenses.csv?va={east}"), &other).await;
        assert_eq!(
            (reply.status, json(&reply)["error"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("va"))
        );
        // And Acme's data is untouched.
        assert_eq!(balance(&app, &acme_key, east).await, 100, "{backend:?}");
        assert_eq!(
            get(&app, &format!("/product-instances/{instance}"), &acme_key)
                .await
                .status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn a_retried_transfer_with_its_idempotency_key_moves_once_and_another_body_is_refused() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        acme(&app).await;
        let k = key(&app, "Acme", "alice", ApiScope::Write, &[]).await;
        let (east, west) = (pool(&app, &k, "East").await, pool(&app, &k, "West").await);
        let body = json!({"transfers": [{"license": "A9K-100G-LIC", "from": east, "to": west, "quantity": 10}]});
        let first = call(
            &app,
            "POST",
            "/transfers",
            &k,
            Some(body.clone()),
            &[("Idempotency-Key", "move-10")],
        )
        .await;
        assert_eq!(
            first.status,
            StatusCode::CREATED,
            "{backend:?}: {}",
            first.text()
        );
        assert!(!first.headers.contains_key("idempotent-replayed"));
        let again = call(
            &app,
            "POST",
            "/transfers",
            &k,
            Some(body.clone()),
            &[("Idempotency-Key", "move-10")],
        )
        .await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.headers["idempotent-replayed"], "true");
        assert_eq!(
            json(&again),
            json(&first),
            "{backend:?}: the first answer, again"
        );
        assert_eq!(
            (balance(&app, &k, east).await, balance(&app, &k, west).await),
            (90, 10),
            "{backend:?}"
        );

        let other_body = json!({"transfers": [{"license": "A9K-100G-LIC", "from": east, "to": west, "quantity": 11}]});
        let reused = call(
            &app,
            "POST",
            "/transfers",
            &k,
            Some(other_body),
            &[("Idempotency-Key", "move-10")],
        )
        .await;
        assert_eq!(
            (reused.status, code(&reused)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused".into()
            )
        );
        // A refusal is kept too: retrying it gives the same refusal, and nothing moves.
        let too_many = json!({"transfers": [{"license": "A9K-100G-LIC", "from": east, "to": west, "quantity": 1000}]});
        for _ in 0..2 {
            let refused = call(
                &app,
                "POST",
                "/transfers",
                &k,
                Some(too_many.clone()),
                &[("Idempotency-Key", "too-many")],
            )
            .await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{backend:?}");
            assert_eq!(json(&refused)["error"]["field"], "transfers[0].quantity");
        }
        // Another key's same Idempotency-Key is its own.
        let k2 = key(&app, "Acme", "alice", ApiScope::Write, &["East", "West"]).await;
        let theirs = call(
            &app,
            "POST",
            "/transfers",
            &k2,
            Some(body.clone()),
            &[("Idempotency-Key", "move-10")],
        )
        .await;
        assert_eq!(theirs.status, StatusCode::CREATED);
        assert!(!theirs.headers.contains_key("idempotent-replayed"));
        assert_eq!(
            (balance(&app, &k, east).await, balance(&app, &k, west).await),
            (80, 20),
            "{backend:?}"
        );
        // Kept a day: after it, the key is new again.
        app.state.clock.advance(25 * 3600);
        let later = call(
            &app,
            "POST",
            "/transfers",
            &k,
            Some(body),
            &[("Idempotency-Key", "move-10")],
        )
        .await;
        assert_eq!(later.status, StatusCode::CREATED);
        assert!(!later.headers.contains_key("idempotent-replayed"));
        assert_eq!(balance(&app, &k, east).await, 70, "{backend:?}");
    }
}

#[tokio::test]
async fn a_hundred_concurrent_retries_with_one_idempotency_key_move_once() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        acme(&app).await;
        let k = key(&app, "Acme", "alice", ApiScope::Write, &[]).await;
        let (east, west) = (pool(&app, &k, "East").await, pool(&app, &k, "West").await);
        let body = serde_json::to_vec(
            &json!({"transfers": [{"license": "A9K-100G-LIC", "from": east, "to": west, "quantity": 7}]}),
        )
        .unwrap();
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let router = app.router.clone();
                let (k, body) = (k.clone(), body.clone());
                tokio::spawn(async move {
                    let req = axum::http::Request::post("/api/v1/transfers")
                        .header("authorization", format!("Bearer {k}"))
                        .header("content-type", "application/json")
                        .header("idempotency-key", "same-retry")
                        .body(axum::body::Body::from(body))
                        .unwrap();
                    let res = tower::ServiceExt::oneshot(router, req).await.unwrap();
                    let status = res.status();
                    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
                        .await
                        .unwrap();
                    (status, bytes.to_vec())
                })
            })
            .collect();
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.unwrap());
        }
        assert!(
            answers
                .iter()
                .all(|(s, b)| *s == StatusCode::CREATED && *b == answers[0].1),
            "{backend:?}: every retry answers the first answer: {:?}",
            answers
                .iter()
                .map(|(s, b)| (*s, String::from_utf8_lossy(b).into_owned()))
                .find(|(s, _)| *s != StatusCode::CREATED)
        );
        assert_eq!(
            (balance(&app, &k, east).await, balance(&app, &k, west).await),
            (93, 7),
            "{backend:?}"
        );
        let events = json(
            &get(
                &app,
                &format!("/virtual-accounts/{west}/events?kind=license.transferred"),
                &k,
            )
            .await,
        );
        assert_eq!(
            events["data"].as_array().unwrap().len(),
            1,
            "{backend:?}: one transfer"
        );
    }
}

#[tokio::test]
async fn several_moves_apply_together_or_not_at_all() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        acme(&app).await;
        let k = key(&app, "Acme", "alice", ApiScope::Write, &[]).await;
        let (default, east, west) = (
            pool(&app, &k, "Default").await,
            pool(&app, &k, "East").await,
            pool(&app, &k, "West").await,
        );
        let refused = call(
            &app,
            "POST",
            "/transfers",
            &k,
            Some(json!({"transfers": [
                {"license": "A9K-100G-LIC", "from": east, "to": west, "quantity": 60},
                {"license": "A9K-100G-LIC", "from": east, "to": default, "quantity": 60},
            ]})),
            &[],
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{backend:?}: {}",
            refused.text()
        );
        assert_eq!(json(&refused)["error"]["field"], "transfers[1].quantity");
        assert_eq!(
            balance(&app, &k, east).await,
            100,
            "{backend:?}: the first move did not happen"
        );
        let done = call(
            &app,
            "POST",
            "/transfers",
            &k,
            Some(json!({"transfers": [
                {"license": "A9K-100G-LIC", "from": east, "to": west, "quantity": 60},
                {"license": "A9K-100G-LIC", "from": west, "to": default, "quantity": 25},
            ]})),
            &[],
        )
        .await;
        assert_eq!(
            done.status,
            StatusCode::CREATED,
            "{backend:?}: {}",
            done.text()
        );
        assert_eq!(json(&done)["transfers"][1]["to"]["name"], "Default");
        let got = (
            balance(&app, &k, east).await,
            balance(&app, &k, west).await,
            balance(&app, &k, default).await,
        );
        assert_eq!(got, (40, 35, 25), "{backend:?}");
    }
}

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
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                None => format!("/virtual-accounts/{default}/events?limit=7"),
                Some(c) => format!("/virtual-accounts/{default}/events?limit=7&cursor={c}"),
            };
            let page = json(&get(&app, &path, &k).await);
            ids.extend(
                page["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["id"].as_i64().unwrap()),
            );
            match page["next"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
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

#[tokio::test]
async fn every_endpoint_round_trips() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = acme(&app).await;
        let k = key(&app, "Acme", "alice", ApiScope::Write, &[]).await;
        let (default, east) = (
            pool(&app, &k, "Default").await,
            pool(&app, &k, "East").await,
        );

        // Virtual accounts: create, rename, make default and back, delete.
        let made = call(
            &app,
            "POST",
            "/virtual-accounts",
            &k,
            Some(json!({"name": "North", "description": "new"})),
            &[],
        )
        .await;
        assert_eq!(
            made.status,
            StatusCode::CREATED,
            "{backend:?}: {}",
            made.text()
        );
        let north = json(&made)["id"].as_i64().unwrap();
        let renamed = call(
            &app,
            "PATCH",
            &format!("/virtual-accounts/{north}"),
            &k,
            Some(json!({"name": "Northeast"})),
            &[],
        )
        .await;
        assert_eq!(
            (
                json(&renamed)["name"].as_str(),
                json(&renamed)["description"].as_str()
            ),
            (Some("Northeast"), Some("new"))
        );
        let made_default = call(
            &app,
            "PATCH",
            &format!("/virtual-accounts/{north}"),
            &k,
            Some(json!({"is_default": true})),
            &[],
        )
        .await;
        assert_eq!(
            json(&made_default)["is_default"],
            true,
            "{}",
            made_default.text()
        );
        call(
            &app,
            "PATCH",
            &format!("/virtual-accounts/{default}"),
            &k,
            Some(json!({"is_default": true})),
            &[],
        )
        .await;
        assert_eq!(
            call(
                &app,
                "DELETE",
                &format!("/virtual-accounts/{north}"),
                &k,
                None,
                &[]
            )
            .await
            .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            get(&app, &format!("/virtual-accounts/{north}"), &k)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Licenses: list and one in full.
        let licenses = json(&get(&app, &format!("/virtual-accounts/{east}/licenses"), &k).await);
        assert_eq!(licenses["data"][0]["tag"], "A9K-100G-LIC");
        assert_eq!(licenses["data"][0]["balance"], 100);
        let detail = json(
            &get(
                &app,
                &format!("/virtual-accounts/{east}/licenses/A9K-100G-LIC"),
                &k,
            )
            .await,
        );
        assert_eq!(detail["lots"][0]["quantity"], 100);
        assert_eq!(detail["lots"][0]["state"], "active");

        // Tokens: create, list, revoke, delete.
        let made = json(&call(&app, "POST", &format!("/virtual-accounts/{east}/tokens"), &k, Some(json!({"expires_after_days": 30, "max_uses": 2, "allow_export_controlled": true})), &[]).await);
        let id = made["id"].as_i64().unwrap();
        assert_eq!(
            (made["state"].as_str(), made["max_uses"].as_i64()),
            (Some("active"), Some(2))
        );
        let listed = json(&get(&app, &format!("/virtual-accounts/{east}/tokens"), &k).await);
        assert_eq!(listed["data"][0]["id"], id);
        let revoked = call(
            &app,
            "POST",
            &format!("/tokens/{id}/revoke"),
            &k,
            Some(json!({"reason": "leaked"})),
            &[],
        )
        .await;
        assert_eq!(
            (
                json(&revoked)["state"].as_str(),
                json(&revoked)["revoke_reason"].as_str()
            ),
            (Some("revoked"), Some("leaked"))
        );
        let again = call(
            &app,
            "POST",
            &format!("/tokens/{id}/revoke"),
            &k,
            Some(json!({"reason": "leaked"})),
            &[],
        )
        .await;
        assert_eq!(
            (again.status, code(&again)),
            (StatusCode::CONFLICT, "conflict".into())
        );
        assert_eq!(
            call(&app, "DELETE", &format!("/tokens/{id}"), &k, None, &[])
                .await
                .status,
            StatusCode::NO_CONTENT
        );

        // Product instances: list, get, transfer several at once, remove.
        let mut ids = Vec::new();
        for sn in ["RT1", "RT2", "RT3"] {
            ids.push(
                crate::device_api::register(&app, &token, sn)
                    .await
                    .instance_id
                    .parse::<i64>()
                    .unwrap(),
            );
        }
        let listed = json(
            &get(
                &app,
                &format!(
                    "/virtual-accounts/{default}/product-instances?search=RT&sort=serial&dir=desc"
                ),
                &k,
            )
            .await,
        );
        let serials: Vec<&str> = listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["udi"]["sn"].as_str().unwrap())
            .collect();
        assert_eq!(serials, ["RT3", "RT2", "RT1"]);
        let one = json(&get(&app, &format!("/product-instances/{}", ids[0]), &k).await);
        assert_eq!(
            (
                one["virtual_account"]["name"].as_str(),
                one["hostname"].as_str()
            ),
            (Some("Default"), Some("r1"))
        );
        let moved = call(
            &app,
            "POST",
            "/product-instances/transfer",
            &k,
            Some(json!({"instances": [ids[0], ids[1]], "to": east})),
            &[],
        )
        .await;
        assert_eq!(
            moved.status,
            StatusCode::OK,
            "{backend:?}: {}",
            moved.text()
        );
        assert_eq!(json(&moved)["to"]["name"], "East");
        let east_list = json(
            &get(
                &app,
                &format!("/virtual-accounts/{east}/product-instances"),
                &k,
            )
            .await,
        );
        assert_eq!(east_list["data"].as_array().unwrap().len(), 2);
        // All or nothing: the third is already in East after this move's first half.
        let refused = call(
            &app,
            "POST",
            "/product-instances/transfer",
            &k,
            Some(json!({"instances": [ids[2], ids[0]], "to": east})),
            &[],
        )
        .await;
        assert_eq!(
            (refused.status, json(&refused)["error"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("to")),
            "{}",
            refused.text()
        );
        assert_eq!(
            json(&get(&app, &format!("/product-instances/{}", ids[2]), &k).await)
                ["virtual_account"]["name"],
            "Default",
            "{backend:?}: nothing moved"
        );
        assert_eq!(
            call(
                &app,
                "DELETE",
                &format!("/product-instances/{}", ids[2]),
                &k,
                None,
                &[]
            )
            .await
            .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            get(&app, &format!("/product-instances/{}", ids[2]), &k)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Events and alerts.
        let events = json(
            &get(
                &app,
                &format!("/virtual-accounts/{east}/events?kind=instance.transferred&limit=1"),
                &k,
            )
            .await,
        );
        assert_eq!(events["data"][0]["kind"], "instance.transferred");
        assert!(events["next"].is_string());
        let alerts = get(&app, "/alerts?severity=major", &k).await;
        assert_eq!(alerts.status, StatusCode::OK, "{}", alerts.text());

        // Reports: CSV streamed with the filters; a workbook; a report that does not exist.
        let csv = get(
            &app,
            &format!("/reports/product-instances.csv?va={east}"),
            &k,
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
        assert_eq!(
            csv.text().lines().count(),
            3,
            "{backend:?}: header and two devices: {}",
            csv.text()
        );
        let xlsx = get(&app, "/reports/full-inventory.xlsx", &k).await;
        assert_eq!((xlsx.status, &xlsx.body[..2]), (StatusCode::OK, &b"PK"[..]));
        assert_eq!(
            get(&app, "/reports/secrets.csv", &k).await.status,
            StatusCode::NOT_FOUND
        );

        // The document is public.
        let doc = get(&app, "/openapi.json", "").await;
        assert_eq!(doc.status, StatusCode::OK);
        assert!(json(&doc)["openapi"].as_str().unwrap().starts_with("3.1"));
    }
}

#[tokio::test]
async fn a_keys_use_is_an_event_once_a_day_and_shows_as_last_used() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        acme(&app).await;
        let k = key(&app, "Acme", "alice", ApiScope::Read, &[]).await;
        let (alice, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        let last_used = || async {
            app::services::api_keys::list(app.db(), &alice, app.now())
                .await
                .unwrap()
                .keys[0]
                .last_used_at
        };
        assert_eq!(last_used().await, None);
        for _ in 0..3 {
            get(&app, "/virtual-accounts", &k).await;
        }
        assert!(last_used().await.is_some(), "{backend:?}");
        let default = pool(&app, &k, "Default").await;
        let used = |events: serde_json::Value| {
            events["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "api_key.used")
                .count()
        };
        let path = format!("/virtual-accounts/{default}/events?kind=api_key.used");
        assert_eq!(used(json(&get(&app, &path, &k).await)), 1, "{backend:?}");
        app.state.clock.advance(86_400);
        get(&app, "/virtual-accounts", &k).await;
        assert_eq!(
            used(json(&get(&app, &path, &k).await)),
            2,
            "{backend:?}: the next day's first use"
        );
        let created = format!("/virtual-accounts/{default}/events?kind=api_key.created");
        assert_eq!(
            json(&get(&app, &created, &k).await)["data"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}
