//! The REST API's keys: a key acts as its user narrowed by scope and virtual accounts; revoked or
//! expired keys and disabled or removed users are refused at once; another account's ids are not
//! found; a key's use is an event once a day.

use app::domain::api_keys::ApiScope;
use app::domain::roles::Role;
use axum::http::StatusCode;
use serde_json::json;

use crate::common::{backends, TestApp};
use crate::rest_common::{acme, balance, call, code, get, json, key, pool};

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
        // Key events are the account's: its own log (the REST API reads pools' logs only).
        let account_events = |kind: &'static str| {
            let app = &app;
            let alice = alice.clone();
            async move {
                app::services::events::list(
                    app.db(),
                    &alice,
                    app::model::EventQuery {
                        account: true,
                        kind: kind.into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .rows
                .len()
            }
        };
        assert_eq!(account_events("api_key.used").await, 1, "{backend:?}");
        app.state.clock.advance(86_400);
        get(&app, "/virtual-accounts", &k).await;
        assert_eq!(
            account_events("api_key.used").await,
            2,
            "{backend:?}: the next day's first use"
        );
        assert_eq!(account_events("api_key.created").await, 1);
    }
}
