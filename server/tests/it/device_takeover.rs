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

async fn instance_pool(app: &TestApp, sn: &str) -> i64 {
    pi::Entity::find()
        .filter(pi::Column::Sn.eq(sn))
        .one(app.db())
        .await
        .unwrap()
        .expect("registered")
        .virtual_account_id
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
        let default_token = setup(&app, 0, "").await;
        let (actor, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        app::services::pools::create(app.db(), &actor, "Lab", "", app.now())
            .await
            .unwrap();
        let lab_token = token_in(&app, 1, "Lab").await;

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
