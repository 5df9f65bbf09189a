//! Runs of authorizations applied at once by the device writer (`services/devices/authorize.rs`):
//! whatever lands in one batch, each device ends with the usage of its last request, the pool's
//! counter equals the sum of the usage rows, and refusals in the run change nothing.

use crate::common::backends;
use crate::common::TestApp;
use crate::device_api::{registration, setup, spawn_post};

use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn concurrent_asks_of_one_device_leave_the_last_usage_and_an_exact_counter() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = setup(&app, 100, "").await;
        let mut credentials = Vec::new();
        let registrations: Vec<_> = (0..200)
            .map(|i| {
                let body = registration(&token, &format!("RUN{i:04}"), false);
                spawn_post(&app, "/register", None, body)
            })
            .collect();
        for r in registrations {
            let (status, body) = r.await.unwrap();
            assert_eq!(status, StatusCode::CREATED, "{backend:?}: {body}");
            credentials.push(body["credential"].as_str().unwrap().to_owned());
        }
        // Each device asks for 1, then 2, then 3 at once, beside an unknown credential and a bad
        // list: runs of all sizes, with refusals inside them.
        let mut tasks = Vec::new();
        for c in &credentials {
            for count in [1, 2, 3] {
                let body = json!({"entitlements": [{"tag": "A9K-100G-LIC", "count": count}]});
                tasks.push((true, spawn_post(&app, "/authorize", Some(c.clone()), body)));
            }
            tasks.push((
                false,
                spawn_post(
                    &app,
                    "/authorize",
                    Some(format!("unknown-{c}")),
                    json!({"entitlements": []}),
                ),
            ));
            tasks.push((
                false,
                spawn_post(
                    &app,
                    "/authorize",
                    Some(c.clone()),
                    json!({"entitlements": [{"tag": "A9K-100G-LIC", "count": 0}]}),
                ),
            ));
        }
        for (good, t) in tasks {
            let (status, body) = t.await.unwrap();
            match (good, status) {
                (true, StatusCode::OK) => {}
                (false, StatusCode::UNAUTHORIZED) => {
                    assert_eq!(body["error"]["code"], "not_registered")
                }
                (false, StatusCode::BAD_REQUEST) => {
                    assert_eq!(body["error"]["code"], "invalid_request")
                }
                other => panic!("{backend:?}: {other:?} {body}"),
            }
        }
        let usages = <app::entities::instance_usage::Entity as sea_orm::EntityTrait>::find()
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(usages.len(), 200, "{backend:?}: one row per device");
        assert!(
            usages.iter().all(|u| (1..=3).contains(&u.count)),
            "{backend:?}"
        );
        let rows: i64 = usages.iter().map(|u| u.count).sum();
        let pool = usages[0].virtual_account_id;
        let counter = app::services::usage::in_use(app.db(), pool, None)
            .await
            .unwrap()
            .get("A9K-100G-LIC")
            .copied();
        assert_eq!(counter, Some(rows), "{backend:?}: counter and rows agree");

        // Then every device releases everything at once: rows and counter go to zero together.
        let releases: Vec<_> = credentials
            .iter()
            .map(|c| {
                spawn_post(
                    &app,
                    "/authorize",
                    Some(c.clone()),
                    json!({"entitlements": []}),
                )
            })
            .collect();
        for r in releases {
            let (status, body) = r.await.unwrap();
            assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
            assert_eq!(body["status"], "authorized");
        }
        let left = <app::entities::instance_usage::Entity as sea_orm::EntityTrait>::find()
            .all(app.db())
            .await
            .unwrap();
        assert!(left.is_empty(), "{backend:?}");
        let counter = app::services::usage::in_use(app.db(), pool, None)
            .await
            .unwrap()
            .get("A9K-100G-LIC")
            .copied()
            .unwrap_or(0);
        assert_eq!(counter, 0, "{backend:?}");
    }
}
