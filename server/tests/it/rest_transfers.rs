//! License transfers through the REST API: an Idempotency-Key makes a retry move once (a hundred
//! concurrent retries too) and refuses another body; several moves apply together or not at all.

use app::domain::api_keys::ApiScope;
use axum::http::StatusCode;
use serde_json::json;

use crate::common::{backends, TestApp};
use crate::rest_common::{acme, balance, call, code, get, json, key, pool};

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
