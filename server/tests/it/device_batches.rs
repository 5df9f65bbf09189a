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

#[tokio::test]
async fn pool_facts_read_together_agree_with_each_pool_read_alone() {
    // The writer reads the facts of a run's pools in one go (`Batch::prefetch`): the same in-use
    // counters and active quantities as the one-pool reads, lots that ended or have not started
    // left out, pools without any left empty.
    use crate::licenses_common::{acme, catalogue, instance, lot};
    use app::services::usage;
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (_c, pools) = acme(&app).await;
        catalogue(
            &app,
            &[
                ("A9K-100G-LIC", "100GE", "ASR 9000"),
                ("A9K-10G-LIC", "10GE", "ASR 9000"),
            ],
        )
        .await;
        lot(&app, "East", "A9K-100G-LIC", 10, -5, None).await;
        lot(&app, "East", "A9K-100G-LIC", 7, -5, Some(-1)).await;
        lot(&app, "East", "A9K-10G-LIC", 4, 3, None).await;
        lot(&app, "West", "A9K-10G-LIC", 9, -2, Some(30)).await;
        instance(
            &app,
            pools[0],
            "e1",
            &[("A9K-100G-LIC", 3), ("A9K-10G-LIC", 1)],
        )
        .await;
        instance(&app, pools[1], "w1", &[("A9K-10G-LIC", 2)]).await;
        let now = app.now();
        let in_use = usage::in_use_of_pools(app.db(), &pools).await.unwrap();
        let active = usage::active_quantity_of_pools(app.db(), &pools, now)
            .await
            .unwrap();
        for pool in pools {
            let alone = usage::in_use(app.db(), pool, None).await.unwrap();
            assert_eq!(
                in_use.get(&pool).cloned().unwrap_or_default(),
                alone,
                "{backend:?}"
            );
            let alone = usage::active_quantity(app.db(), pool, None, now)
                .await
                .unwrap();
            assert_eq!(
                active.get(&pool).cloned().unwrap_or_default(),
                alone,
                "{backend:?}"
            );
        }
        assert_eq!(active[&pools[0]]["A9K-100G-LIC"], 10);
        assert!(!active[&pools[0]].contains_key("A9K-10G-LIC"));
        assert_eq!(in_use[&pools[0]]["A9K-100G-LIC"], 3);
        assert!(!in_use.contains_key(&pools[2]) || in_use[&pools[2]].values().all(|&n| n == 0));
    }
}
