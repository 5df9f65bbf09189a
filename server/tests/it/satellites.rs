//! Satellites: a portal and a satellite, each on its own database, the portal served on a loopback
//! port. Network mode (the satellite posts its sync file, applies the response), air-gapped mode by
//! files (duplicates change nothing, tampered, foreign and stale files are refused), the 30- and
//! 90-day rules with the clock, and a transfer in the portal reaching the satellite's compliance.

use std::sync::Arc;

use app::domain::satellites::SatelliteState;
use app::services::satellites::{self, mirror};
use app::services::signing::Signer;
use app::state::{AppState, OffsetClock, Settings};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use leptos::config::LeptosOptions;
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::{json, Value};

use crate::common::{backends, fresh_db, Backend, TestApp};

/// The portal: account "Acme" (alice, user 1), pools Default and Plant, 10 × A9K-100G-LIC in Plant
/// and 20 in Default, a token of Plant (returned).
async fn portal(app: &TestApp) -> String {
    crate::device_api::setup(app, 20, "").await;
    let (alice, _) = app::services::actors::load(app.db(), 1, None)
        .await
        .unwrap();
    let plant = app::services::pools::create(app.db(), &alice, "Plant", "site 3", app.now())
        .await
        .unwrap();
    app::services::catalogue::provision(
        app.db(),
        app::services::catalogue::NewLot {
            account: "Acme",
            pool: "Plant",
            tag: "A9K-100G-LIC",
            quantity: 10,
            starts_at: app.now() - chrono::Duration::days(1),
            ends_at: None,
            source_ref: "ORD-2",
        },
        app.now(),
    )
    .await
    .unwrap();
    let form = app::domain::tokens::NewToken::try_from(app::domain::tokens::NewTokenForm {
        description: "plant routers".into(),
        expire_days: "30".into(),
        max_uses: "5".into(),
        allow_export_controlled: None,
    })
    .unwrap();
    app::services::tokens::create(app.db(), &alice, plant.id, form, app.now())
        .await
        .unwrap()
        .token
}

/// The registration file of a new satellite serving Plant.
async fn register_satellite(app: &TestApp, name: &str) -> String {
    let (alice, _) = app::services::actors::load(app.db(), 1, None)
        .await
        .unwrap();
    let plant = crate::rest_common::pool_named(app, "Plant").await;
    satellites::create(
        app.db(),
        app.state.signer.as_ref().unwrap(),
        &alice,
        &app::model::NewSatelliteForm {
            name: name.into(),
            pools: vec![plant],
        },
        "http://portal.invalid",
        app.now(),
    )
    .await
    .unwrap()
    .registration
}

/// A satellite: its own database, its key, and its device API.
struct Satellite {
    db: DatabaseConnection,
    signer: Arc<Signer>,
    device: Router,
}

async fn satellite(backend: &Backend) -> Satellite {
    let db = server::db::connect_and_migrate(&fresh_db(backend).await)
        .await
        .unwrap();
    let signer = Arc::new(
        Signer::load_or_create(&db, chrono::Utc::now())
            .await
            .unwrap(),
    );
    let state = AppState::new(
        LeptosOptions::builder().output_name("portal").build(),
        db.clone(),
        Arc::new(OffsetClock::default()),
        Settings::default(),
    )
    .with_signer(signer.clone());
    let device = server::device_api::DeviceState::new(
        state,
        signer.clone(),
        crate::common::NO_LIMITS,
        false,
        true,
    );
    Satellite {
        db,
        signer,
        device: server::device_api::router(device),
    }
}

async fn device_call(
    sat: &Satellite,
    path: &str,
    credential: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = credential {
        req = req.header(header::AUTHORIZATION, format!("Bearer {c}"));
    }
    let res = tower::ServiceExt::oneshot(
        sat.device.clone(),
        req.body(Body::from(body.to_string())).unwrap(),
    )
    .await
    .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Registers a router through the satellite and has it use `count` × A9K-100G-LIC.
async fn router_through(sat: &Satellite, token: &str, sn: &str, count: i64) -> (String, Value) {
    let (status, body) = device_call(
        sat,
        "/register",
        None,
        json!({"id_token": token, "udi": {"pid": "ASR-9006-AC", "sn": sn}, "hostname": format!("plant-{sn}"), "product": "ASR9K"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let credential = body["credential"].as_str().unwrap().to_owned();
    let (status, answer) = device_call(
        sat,
        "/authorize",
        Some(&credential),
        json!({"entitlements": [{"tag": "A9K-100G-LIC", "count": count}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    (credential, answer)
}

/// One air-gapped round trip: the satellite's file up, the portal's response down.
async fn round_trip(app: &TestApp, sat: &Satellite) -> satellites::Received {
    let (up, _) = mirror::export_up(&sat.db, &sat.signer, app.now())
        .await
        .unwrap();
    let received = satellites::receive(
        app.db(),
        app.state.signer.as_ref().unwrap(),
        &up,
        Some(1),
        app.now(),
    )
    .await
    .unwrap();
    mirror::import_down(&sat.db, &received.response, app.now())
        .await
        .unwrap();
    received
}

async fn plant_in_use(app: &TestApp) -> i64 {
    let plant = crate::rest_common::pool_named(app, "Plant").await;
    app::services::usage::in_use(app.db(), plant, None)
        .await
        .unwrap()
        .get("A9K-100G-LIC")
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn network_mode_brings_devices_up_and_a_transfer_down_to_the_satellites_compliance() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = portal(&app).await;
        let registration = register_satellite(&app, "Plant 3").await;
        // The portal on a loopback port, as the satellite reaches it.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = app.router.clone();
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        let sat = satellite(&backend).await;
        mirror::init(&sat.db, &registration, Some(&url), app.now())
            .await
            .unwrap();
        let client = server::satellite::client::http_client(None).unwrap();
        server::satellite::client::sync_now(&sat.db, &sat.signer, &client)
            .await
            .unwrap();

        // The token came down: a router registers with the satellite; 12 needed, 10 held.
        let (credential, answer) = router_through(&sat, &token, "FOXSAT001", 12).await;
        assert_eq!(
            answer["status"], "out_of_compliance",
            "{backend:?}: {answer}"
        );
        server::satellite::client::sync_now(&sat.db, &sat.signer, &client)
            .await
            .unwrap();

        // Up in the portal: the device, via the satellite, counted in the pool.
        assert_eq!(plant_in_use(&app).await, 12, "{backend:?}");
        let devices = <app::entities::product_instance::Entity as EntityTrait>::find()
            .all(app.db())
            .await
            .unwrap();
        let mine: Vec<_> = devices
            .iter()
            .filter(|d| d.satellite_id.is_some())
            .collect();
        assert_eq!(mine.len(), 1, "{backend:?}");
        assert_eq!(mine[0].sn, "FOXSAT001");
        let (alice, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        let plant = crate::rest_common::pool_named(&app, "Plant").await;
        let page = app::services::instances::list(
            app.db(),
            &alice,
            app::model::InstanceQuery {
                pool: plant,
                ..Default::default()
            },
            app.now(),
        )
        .await
        .unwrap();
        assert_eq!(page.rows[0].via.as_deref(), Some("Plant 3"), "{backend:?}");
        // The token's use reached the portal.
        let tokens = app::services::tokens::list(app.db(), &alice, plant, app.now())
            .await
            .unwrap();
        assert_eq!(tokens[0].uses, 1, "{backend:?}");
        // The portal never gives away what the satellite reported in use: Plant has none to spare.
        let refused = app::services::licenses::transfer(
            app.db(),
            &alice,
            app::model::LicenseTransferForm {
                from: app::model::LicenseInPool {
                    pool: plant,
                    license: 1,
                },
                fields: app::domain::licenses::TransferForm {
                    target: "1".into(),
                    quantity: "1".into(),
                },
            },
            app.now(),
        )
        .await;
        assert!(refused.is_err(), "{backend:?}");
        // The device may not be moved or removed in the portal: it belongs to the satellite.
        let moved = app::services::instances::remove(app.db(), &alice, mine[0].id, app.now()).await;
        assert!(
            matches!(moved, Err(app::error::AppError::Validation { .. })),
            "{backend:?}"
        );

        // A transfer of 5 into Plant reaches the satellite at the next sync: now compliant.
        let default = crate::rest_common::pool_named(&app, "Default").await;
        app::services::licenses::transfer(
            app.db(),
            &alice,
            app::model::LicenseTransferForm {
                from: app::model::LicenseInPool {
                    pool: default,
                    license: 1,
                },
                fields: app::domain::licenses::TransferForm {
                    target: plant.to_string(),
                    quantity: "5".into(),
                },
            },
            app.now(),
        )
        .await
        .unwrap();
        server::satellite::client::sync_now(&sat.db, &sat.signer, &client)
            .await
            .unwrap();
        let (_, answer) = device_call(
            &sat,
            "/authorize",
            Some(&credential),
            json!({"entitlements": [{"tag": "A9K-100G-LIC", "count": 12}]}),
        )
        .await;
        assert_eq!(answer["status"], "authorized", "{backend:?}: {answer}");
        let list = satellites::list(app.db(), &alice, app.now()).await.unwrap();
        assert_eq!(list.satellites[0].state, SatelliteState::Synchronized);
        assert_eq!(list.satellites[0].mode, "Network");
        assert_eq!(list.satellites[0].instances, 1);
    }
}

#[tokio::test]
async fn air_gapped_files_apply_once_and_tampered_foreign_or_stale_ones_are_refused() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = portal(&app).await;
        let registration = register_satellite(&app, "Lab 7").await;
        let sat = satellite(&backend).await;
        mirror::init(&sat.db, &registration, None, app.now())
            .await
            .unwrap();
        round_trip(&app, &sat).await;
        router_through(&sat, &token, "FOXAIR001", 2).await;
        router_through(&sat, &token, "FOXAIR002", 3).await;

        let (up, seq) = mirror::export_up(&sat.db, &sat.signer, app.now())
            .await
            .unwrap();
        let signer = app.state.signer.clone().unwrap();
        let first = satellites::receive(app.db(), &signer, &up, Some(1), app.now())
            .await
            .unwrap();
        assert!(!first.repeat);
        assert_eq!(plant_in_use(&app).await, 5, "{backend:?}");
        let events = <app::entities::event::Entity as EntityTrait>::find()
            .all(app.db())
            .await
            .unwrap()
            .len();
        // The same file again: nothing changes; its response comes again.
        let again = satellites::receive(app.db(), &signer, &up, Some(1), app.now())
            .await
            .unwrap();
        assert!(again.repeat, "{backend:?}");
        assert_eq!(again.response_seq, first.response_seq);
        assert_eq!(plant_in_use(&app).await, 5);
        assert_eq!(
            <app::entities::event::Entity as EntityTrait>::find()
                .all(app.db())
                .await
                .unwrap()
                .len(),
            events,
            "{backend:?}: no event twice"
        );
        // The response applies once; again, nothing changes.
        assert!(
            !mirror::import_down(&sat.db, &first.response, app.now())
                .await
                .unwrap()
                .repeat
        );
        assert!(
            mirror::import_down(&sat.db, &first.response, app.now())
                .await
                .unwrap()
                .repeat
        );

        // Tampered: one byte of the payload changed.
        let mut envelope: Value = serde_json::from_str(&up).unwrap();
        let payload = envelope["payload"].as_str().unwrap().to_owned();
        let flipped = if payload.starts_with('e') { "f" } else { "e" };
        envelope["payload"] = json!(format!("{flipped}{}", &payload[1..]));
        let err = satellites::receive(app.db(), &signer, &envelope.to_string(), Some(1), app.now())
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("signature") || err.to_string().contains("sync file"),
            "{err}"
        );
        // A response meant for this satellite changed on the way: refused by the satellite.
        let mut down: Value = serde_json::from_str(&first.response).unwrap();
        down["signature"] = json!(app.state.signer.as_ref().unwrap().sign(b"something else"));
        let err = mirror::import_down(&sat.db, &down.to_string(), app.now())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("signature"), "{err}");
        // Foreign: another smart account uploads it.
        let err = satellites::receive(app.db(), &signer, &up, Some(999), app.now())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("another satellite"), "{err}");
        // Stale: a newer file applied, then the older one comes.
        let (newer, newer_seq) = mirror::export_up(&sat.db, &sat.signer, app.now())
            .await
            .unwrap();
        assert_eq!(newer_seq, seq + 1);
        satellites::receive(app.db(), &signer, &newer, Some(1), app.now())
            .await
            .unwrap();
        let err = satellites::receive(app.db(), &signer, &up, Some(1), app.now())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("older"), "{err}");
        // A registration file is no sync file.
        let err = satellites::receive(app.db(), &signer, &registration, Some(1), app.now())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not a"), "{err}");

        // A device deregistered on the satellite goes from the portal at the next sync.
        let devices = <app::entities::product_instance::Entity as EntityTrait>::find()
            .all(&sat.db)
            .await
            .unwrap();
        app::services::instances::delete_instance(&sat.db, &devices[0])
            .await
            .unwrap();
        round_trip(&app, &sat).await;
        assert_eq!(plant_in_use(&app).await, 3, "{backend:?}");
    }
}

#[tokio::test]
async fn after_30_days_an_alert_and_after_90_its_devices_fail_to_connect() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = portal(&app).await;
        let registration = register_satellite(&app, "Remote").await;
        let sat = satellite(&backend).await;
        mirror::init(&sat.db, &registration, None, app.now())
            .await
            .unwrap();
        round_trip(&app, &sat).await;
        router_through(&sat, &token, "FOXOLD001", 1).await;
        round_trip(&app, &sat).await;
        let (alice, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        let plant = crate::rest_common::pool_named(&app, "Plant").await;
        let status = |app: &TestApp| {
            let alice = alice.clone();
            let db = app.db().clone();
            let now = app.now();
            async move {
                app::services::instances::list(
                    &db,
                    &alice,
                    app::model::InstanceQuery {
                        pool: plant,
                        ..Default::default()
                    },
                    now,
                )
                .await
                .unwrap()
                .rows[0]
                    .status
            }
        };
        let satellite_alerts = |app: &TestApp| {
            let alice = alice.clone();
            let db = app.db().clone();
            let now = app.now();
            async move {
                app::services::alerts::list(&db, &alice, Default::default(), now)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|a| a.kind == app::domain::alerts::AlertKind::SatelliteNotSynchronized)
                    .count()
            }
        };
        use app::protocol::InstanceStatus;
        assert_eq!(status(&app).await, InstanceStatus::Authorized);
        assert_eq!(satellite_alerts(&app).await, 0);

        // Three days on, a direct device would be silent; one behind a satellite is not.
        app.state.clock.advance(3 * 86_400);
        assert_eq!(
            status(&app).await,
            InstanceStatus::Authorized,
            "{backend:?}"
        );
        app.state.clock.advance(28 * 86_400);
        assert_eq!(satellite_alerts(&app).await, 1, "{backend:?}: 31 days");
        assert_eq!(
            status(&app).await,
            InstanceStatus::Authorized,
            "{backend:?}"
        );
        let list = satellites::list(app.db(), &alice, app.now()).await.unwrap();
        assert_eq!(list.satellites[0].state, SatelliteState::OutOfSync);
        app.state.clock.advance(60 * 86_400);
        assert_eq!(
            status(&app).await,
            InstanceStatus::FailedToConnect,
            "{backend:?}: 91 days"
        );
        let failed = app::services::alerts::list(app.db(), &alice, Default::default(), app.now())
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.kind == app::domain::alerts::AlertKind::InstanceFailedToConnect)
            .count();
        assert_eq!(failed, 1, "{backend:?}");
        // A sync brings it back.
        let (up, _) = mirror::export_up(&sat.db, &sat.signer, app.now())
            .await
            .unwrap();
        satellites::receive(
            app.db(),
            app.state.signer.as_ref().unwrap(),
            &up,
            Some(1),
            app.now(),
        )
        .await
        .unwrap();
        assert_eq!(satellite_alerts(&app).await, 0, "{backend:?}");
    }
}

#[tokio::test]
async fn a_traditional_license_converts_once_even_when_asked_twenty_times_at_once() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        portal(&app).await;
        let made = app::services::traditional::provision(
            app.db(),
            "Acme",
            "PAK-0001-XYZ",
            "A9K-100G-LIC",
            8,
            "ASR 9000 upgrade, 2019",
            app.now(),
        )
        .await
        .unwrap();
        let again = app::services::traditional::provision(
            app.db(),
            "Acme",
            "PAK-0001-XYZ",
            "A9K-100G-LIC",
            8,
            "",
            app.now(),
        )
        .await;
        assert!(again.is_err(), "one PAK once");
        let (alice, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        let plant = crate::rest_common::pool_named(&app, "Plant").await;
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (db, alice, now) = (app.db().clone(), alice.clone(), app.now());
                tokio::spawn(async move {
                    app::services::traditional::convert(
                        &db,
                        &alice,
                        app::model::ConvertForm {
                            id: made.id,
                            pool: Some(plant),
                        },
                        now,
                    )
                    .await
                })
            })
            .collect();
        let mut done = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => done += 1,
                Err(app::error::AppError::Validation { field, .. }) => assert_eq!(field, "id"),
                Err(other) => panic!("{backend:?}: {other:?}"),
            }
        }
        assert_eq!(done, 1, "{backend:?}");
        let active = app::services::usage::active_quantity(app.db(), plant, None, app.now())
            .await
            .unwrap();
        assert_eq!(active.get("A9K-100G-LIC"), Some(&18), "{backend:?}: 10 + 8");
        let list = app::services::traditional::list(app.db(), &alice)
            .await
            .unwrap();
        assert!(list.licenses[0].converted.is_some());
    }
}
