//! Who may move a registered device: `force` replaces a registration only inside one smart account,
//! every move leaves an event in the pool the device left, and two registrations of one UDI at once
//! answer 201 and 409, never 500.

use crate::common::{self, backends, TestApp};
use crate::device_api::{code, post, registration, setup};

use app::domain::events::EventKind;
use app::domain::tokens::{NewToken, NewTokenForm};
use app::entities::{event, product_instance as pi};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// A token of `user_id`'s pool `pool` (the user's first smart account).
async fn token_in(app: &TestApp, user_id: i64, pool: &str) -> String {
    let (actor, _) = app::services::actors::load(app.db(), user_id, None)
        .await
        .unwrap();
    let pool = app::services::pools::refs(app.db(), &actor)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == pool)
        .unwrap()
        .id;
    let form = NewToken::try_from(NewTokenForm {
        description: "t".into(),
        expire_days: "30".into(),
        max_uses: "".into(),
        allow_export_controlled: Some("on".into()),
    })
    .unwrap();
    app::services::tokens::create(app.db(), &actor, pool, form, app.now())
        .await
        .unwrap()
        .token
}

async fn instance(app: &TestApp, sn: &str) -> pi::Model {
    pi::Entity::find()
        .filter(pi::Column::Sn.eq(sn))
        .one(app.db())
        .await
        .unwrap()
        .expect("registered")
}

async fn instance_pool(app: &TestApp, sn: &str) -> i64 {
    instance(app, sn).await.virtual_account_id
}

/// The seeded account's Default token, and a token of a new pool "Lab" of the same account.
async fn default_and_lab_tokens(app: &TestApp) -> (String, String) {
    let default_token = setup(app, 0, "").await;
    let (actor, _) = app::services::actors::load(app.db(), 1, None)
        .await
        .unwrap();
    app::services::pools::create(app.db(), &actor, "Lab", "", app.now())
        .await
        .unwrap();
    (default_token, token_in(app, 1, "Lab").await)
}

#[tokio::test]
async fn force_never_takes_a_device_from_another_smart_account() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let acme = setup(&app, 0, "").await;
        let (_, bob) = app::services::users::create_account(
            app.db(),
            "Bravo",
            "bob",
            common::PASSWORD,
            app.now(),
        )
        .await
        .unwrap();
        let bravo = token_in(&app, bob.id, "Default").await;

        let first = post(&app, "/register", None, registration(&acme, "FOX-1", false)).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
        let pool = instance_pool(&app, "FOX-1").await;

        for force in [false, true] {
            let taken = post(
                &app,
                "/register",
                None,
                registration(&bravo, "FOX-1", force),
            )
            .await;
            assert_eq!(
                (taken.status, code(&taken).as_str()),
                (StatusCode::CONFLICT, "already_registered"),
                "force={force} on {backend:?}"
            );
        }
        assert_eq!(instance_pool(&app, "FOX-1").await, pool, "the device stays");
    }
}

#[tokio::test]
async fn force_moves_a_device_inside_one_account_and_says_so_where_it_left() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (default_token, lab_token) = default_and_lab_tokens(&app).await;

        let first = post(
            &app,
            "/register",
            None,
            registration(&default_token, "FOX-2", false),
        )
        .await;
        assert_eq!(first.status, StatusCode::CREATED);
        let left = instance_pool(&app, "FOX-2").await;
        let moved = post(
            &app,
            "/register",
            None,
            registration(&lab_token, "FOX-2", true),
        )
        .await;
        assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.text());
        assert_ne!(instance_pool(&app, "FOX-2").await, left);

        let said = event::Entity::find()
            .filter(event::Column::VirtualAccountId.eq(left))
            .filter(event::Column::Kind.eq(EventKind::InstanceDeregistered))
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(said.len(), 1, "{backend:?}");
        assert!(
            said[0].message.contains("re-registered into \"Lab\""),
            "{}",
            said[0].message
        );
    }
}

#[tokio::test]
async fn simultaneous_registrations_of_one_udi_answer_201_once_and_409_otherwise() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = setup(&app, 0, "").await;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let mut client = app.client();
            let body = serde_json::to_vec(&registration(&token, "FOX-3", false)).unwrap();
            tasks.spawn(async move {
                let req = Request::post("/api/device/v1/register")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body))
                    .unwrap();
                client.send(req).await
            });
        }
        let replies = tasks.join_all().await;
        let created = replies
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count();
        let conflicts = replies
            .iter()
            .filter(|r| r.status == StatusCode::CONFLICT && code(r) == "already_registered")
            .count();
        let others: Vec<String> = replies
            .iter()
            .filter(|r| !matches!(r.status, StatusCode::CREATED | StatusCode::CONFLICT))
            .map(|r| format!("{} {}", r.status, r.text()))
            .collect();
        assert_eq!((created, conflicts), (1, 49), "{backend:?}: {others:?}");
        let rows = pi::Entity::find()
            .filter(pi::Column::Sn.eq("FOX-3"))
            .count(app.db())
            .await
            .unwrap();
        assert_eq!(rows, 1);
    }
}

/// The pool's instance count (`virtual_accounts.instance_count`, what the pool list shows) as every
/// way an instance arrives or leaves moves it: registration, a forced move between pools,
/// deregistration, a transfer and a removal in the portal; always equal to the rows themselves.
#[tokio::test]
async fn every_pool_keeps_its_instance_count_as_instances_come_move_and_go() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (default_token, lab_token) = default_and_lab_tokens(&app).await;
        let (actor, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        let check = |expected: [(&'static str, i64); 2]| {
            let app = &app;
            let actor = &actor;
            let backend = &backend;
            async move {
                let rows = app::services::pools::list(app.db(), actor, app.now())
                    .await
                    .unwrap();
                for (name, want) in expected {
                    let row = rows.iter().find(|r| r.name == name).unwrap();
                    let counted = pi::Entity::find()
                        .filter(pi::Column::VirtualAccountId.eq(row.id))
                        .count(app.db())
                        .await
                        .unwrap();
                    assert_eq!(
                        (row.instances, counted),
                        (want, want as u64),
                        "{backend:?}: {name}"
                    );
                }
            }
        };

        let mut credentials = Vec::new();
        for sn in ["FOX-1", "FOX-2", "FOX-3", "FOX-4"] {
            let r = post(
                &app,
                "/register",
                None,
                registration(&default_token, sn, false),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend:?}");
            let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            credentials.push(body["credential"].as_str().unwrap().to_owned());
        }
        check([("Default", 4), ("Lab", 0)]).await;

        let moved = post(
            &app,
            "/register",
            None,
            registration(&lab_token, "FOX-4", true),
        )
        .await;
        assert_eq!(moved.status, StatusCode::CREATED, "{backend:?}");
        check([("Default", 3), ("Lab", 1)]).await;

        let gone =
            crate::device_api::send(&app, "POST", "/deregister", Some(&credentials[0]), None).await;
        assert!(gone.status.is_success(), "{backend:?}: {}", gone.status);
        check([("Default", 2), ("Lab", 1)]).await;

        let lab = instance_pool(&app, "FOX-4").await;
        let transfer = app::model::InstanceTransfer {
            id: instance(&app, "FOX-2").await.id,
            target: lab,
        };
        app::services::instances::transfer(app.db(), &actor, transfer, app.now())
            .await
            .unwrap();
        check([("Default", 1), ("Lab", 2)]).await;

        app::services::instances::remove(
            app.db(),
            &actor,
            instance(&app, "FOX-3").await.id,
            app.now(),
        )
        .await
        .unwrap();
        check([("Default", 0), ("Lab", 2)]).await;
    }
}
