//! Sign-in, sessions, sign-out, the throttle and the cross-site guard, through the real router.

use crate::common;

use app::error::AppError;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{backends, TestApp, PASSWORD};

#[tokio::test]
async fn wrong_password_is_refused_and_right_one_signs_in() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        app::services::users::create_account(app.db(), "Acme", "alice", PASSWORD, app.now())
            .await
            .unwrap();
        let mut c = app.client();
        assert_eq!(
            c.login("alice", "nope-nope").await,
            Err(AppError::BadCredentials),
            "{backend:?}"
        );
        assert_eq!(
            c.login("mallory", PASSWORD).await,
            Err(AppError::BadCredentials)
        );
        assert!(c.me().await.is_none());
        c.login("ALICE", PASSWORD).await.unwrap();
        let me = c.me().await.expect("signed in");
        assert_eq!(me.username, "alice");
        assert_eq!(me.smart_account, "Acme");
        assert_eq!(me.pools.len(), 1);
        assert!(me.pools[0].is_default);
    }
}

#[tokio::test]
async fn empty_fields_name_the_field() {
    let app = TestApp::new(&backends()[0]).await;
    let mut c = app.client();
    match c.login("", "x").await {
        Err(AppError::Validation { field, .. }) => assert_eq!(field, "username"),
        other => panic!("{other:?}"),
    }
    match c.login("alice", "").await {
        Err(AppError::Validation { field, .. }) => assert_eq!(field, "password"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn session_id_is_cycled_at_sign_in_and_ended_by_sign_out() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        app::services::users::create_account(app.db(), "Acme", "alice", PASSWORD, app.now())
            .await
            .unwrap();
        let mut c = app.client();
        // A session that exists before sign-in (a failed attempt leaves none, so plant one by hand).
        c.cookie = Some("portal_session=planted-by-an-attacker".into());
        c.login("alice", PASSWORD).await.unwrap();
        let signed_in = c.cookie.clone().expect("a session cookie");
        assert_ne!(signed_in, "portal_session=planted-by-an-attacker");
        assert!(c.me().await.is_some());

        let mut stolen = c.clone();
        let out = c.call("auth/logout", &[]).await;
        assert!(out.status.is_success(), "{}", out.text());
        assert!(c.me().await.is_none());
        // The old cookie no longer works either: the session ended on the server.
        stolen.cookie = Some(signed_in);
        assert!(stolen.me().await.is_none(), "{backend:?}");
    }
}

#[tokio::test]
async fn session_cookie_is_http_only_and_lax() {
    let app = TestApp::new(&backends()[0]).await;
    app::services::users::create_account(app.db(), "Acme", "alice", PASSWORD, app.now())
        .await
        .unwrap();
    let mut c = app.client();
    let reply = c
        .call(
            "auth/login",
            &[("username", "alice"), ("password", PASSWORD)],
        )
        .await;
    let cookie = reply
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        cookie.contains("Max-Age=1800"),
        "idle timeout of 30 minutes: {cookie}"
    );
    assert!(!cookie.contains("Secure"), "not over plain HTTP: {cookie}");
}

#[tokio::test]
async fn sessions_survive_a_new_router_on_the_same_database() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut c = app.account("Acme", "alice").await;
        // A second portal process: a new router over the same database.
        let other = app.another_process(common::NO_LIMITS).await.router;
        let req = Request::post("/api/auth/me")
            .header(header::COOKIE, c.cookie.clone().unwrap())
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::empty())
            .unwrap();
        let res = tower::ServiceExt::oneshot(other, req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        let me: Option<app::model::Me> = serde_json::from_slice(&body).unwrap();
        assert_eq!(me.unwrap().username, "alice");
        assert!(c.me().await.is_some());
    }
}

#[tokio::test]
async fn account_is_locked_after_five_failures_even_for_the_right_password() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        app::services::users::create_account(app.db(), "Acme", "alice", PASSWORD, app.now())
            .await
            .unwrap();
        for i in 0..5 {
            // Different addresses: this is the per-account limit.
            let mut c = app.client_from(&format!("10.1.0.{i}"));
            assert_eq!(
                c.login("alice", "wrong-password").await,
                Err(AppError::BadCredentials)
            );
        }
        let mut c = app.client_from("10.2.0.1");
        match c.login("alice", PASSWORD).await {
            Err(AppError::Throttled { retry_after_secs }) => {
                assert!(retry_after_secs > 0 && retry_after_secs <= 900)
            }
            other => panic!("expected Throttled on {backend:?}, got {other:?}"),
        }
        // Another account from another address is unaffected.
        app::services::users::add_user(
            app.db(),
            "Acme",
            "bob",
            PASSWORD,
            app::domain::roles::Role::AccountUser,
            &[],
            app.now(),
        )
        .await
        .unwrap();
        assert!(app
            .client_from("10.3.0.1")
            .login("bob", PASSWORD)
            .await
            .is_ok());
        // The throttle says so in words a user understands.
        let reply = c
            .call(
                "auth/login",
                &[("username", "alice"), ("password", PASSWORD)],
            )
            .await;
        let err = reply.result::<()>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "Too many failed sign-ins. Try again in 15 minutes."
        );
    }
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_evaluates_at_most_the_limit() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        app::services::users::create_account(app.db(), "Acme", "alice", PASSWORD, app.now())
            .await
            .unwrap();
        // 20 at once, each from its own address: only the per-account limit applies.
        let mut attempts = tokio::task::JoinSet::new();
        for i in 0..20 {
            let mut c = app.client_from(&format!("10.9.0.{i}"));
            attempts.spawn(async move { c.login("alice", "wrong-password").await });
        }
        let answers = attempts.join_all().await;
        let evaluated = answers
            .iter()
            .filter(|a| **a == Err(AppError::BadCredentials))
            .count();
        let throttled = answers
            .iter()
            .filter(|a| matches!(a, Err(AppError::Throttled { .. })))
            .count();
        assert_eq!((evaluated, throttled), (5, 15), "{backend:?}: {answers:?}");
    }
}

#[tokio::test]
async fn an_overlong_password_is_refused_unhashed_and_uncounted() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        app::services::users::create_account(app.db(), "Acme", "alice", PASSWORD, app.now())
            .await
            .unwrap();
        let mut c = app.client_from("192.0.2.10");
        let huge = "x".repeat(1025);
        for _ in 0..10 {
            match c.login("alice", &huge).await {
                Err(AppError::Validation { field, message }) => {
                    assert_eq!(field, "password");
                    assert_eq!(message, "Passwords are at most 1024 bytes.");
                }
                other => panic!("{backend:?}: {other:?}"),
            }
        }
        // Ten refusals did not lock the account (its limit is five).
        c.login("alice", PASSWORD).await.unwrap();
    }
}

#[tokio::test]
async fn a_right_password_gives_its_attempt_back_to_the_address() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        app::services::users::create_account(app.db(), "Acme", "alice", PASSWORD, app.now())
            .await
            .unwrap();
        let mut c = app.client_from("192.0.2.9");
        // 19 failures, then 30 right sign-ins: none of those counts against the address.
        for i in 0..19 {
            assert_eq!(
                c.login(&format!("guess{i}"), "x-wrong-x").await,
                Err(AppError::BadCredentials)
            );
        }
        for _ in 0..30 {
            c.login("alice", PASSWORD).await.unwrap();
        }
        assert_eq!(
            c.login("guess-last", "x-wrong-x").await,
            Err(AppError::BadCredentials),
            "{backend:?}"
        );
        assert!(matches!(
            c.login("alice", PASSWORD).await,
            Err(AppError::Throttled { .. })
        ));
    }
}

#[tokio::test]
async fn an_address_is_locked_after_twenty_failures_whatever_the_usernames() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        app::services::users::create_account(app.db(), "Acme", "alice", PASSWORD, app.now())
            .await
            .unwrap();
        let mut c = app.client_from("192.0.2.7");
        for i in 0..20 {
            assert_eq!(
                c.login(&format!("guess{i}"), "x-wrong-x").await,
                Err(AppError::BadCredentials)
            );
        }
        assert!(
            matches!(
                c.login("alice", PASSWORD).await,
                Err(AppError::Throttled { .. })
            ),
            "{backend:?}"
        );
        assert!(app
            .client_from("192.0.2.8")
            .login("alice", PASSWORD)
            .await
            .is_ok());
    }
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = TestApp::new(&backends()[0]).await;
    let mut c = app.account("Acme", "alice").await;
    let cross_site = Request::post("/api/pools/create")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from("name=Evil&description="))
        .unwrap();
    assert_eq!(c.send(cross_site).await.status, StatusCode::FORBIDDEN);
    let foreign_origin = Request::post("/api/pools/create")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::HOST, "portal.example")
        .body(Body::from("name=Evil&description="))
        .unwrap();
    assert_eq!(c.send(foreign_origin).await.status, StatusCode::FORBIDDEN);
    let same_origin = Request::post("/api/pools/create")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://portal.example")
        .header(header::HOST, "portal.example")
        .body(Body::from("name=Fine&description="))
        .unwrap();
    assert_eq!(c.send(same_origin).await.status, StatusCode::OK);
    let names: Vec<String> = c
        .me()
        .await
        .unwrap()
        .pools
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, vec!["Default", "Fine"]);
}

#[tokio::test]
async fn pages_redirect_to_sign_in_without_a_session() {
    let app = TestApp::new(&backends()[0]).await;
    let mut c = app.client();
    let reply = c.get("/inventory").await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert_eq!(reply.headers.get(header::LOCATION).unwrap(), "/login");
    let login = c.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.text().contains("Sign in"));
}

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::new(&backends()[0]).await;
    let reply = app.client().get("/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.text(), "ok");
}

#[tokio::test]
async fn a_new_session_never_takes_over_an_existing_id() {
    use tower_sessions::session::{Id, Record};
    use tower_sessions::SessionStore;
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let store = server::session_store::DbSessionStore::new(app.db().clone());
        let expiry = time::OffsetDateTime::now_utc() + time::Duration::minutes(30);
        let mut first = Record {
            id: Id(42),
            data: Default::default(),
            expiry_date: expiry,
        };
        store.create(&mut first).await.unwrap();
        let mut second = Record {
            id: Id(42),
            data: [("user_id".to_owned(), serde_json::json!(7))]
                .into_iter()
                .collect(),
            expiry_date: expiry,
        };
        store.create(&mut second).await.unwrap();
        assert_ne!(
            second.id,
            Id(42),
            "{backend:?}: the colliding id was drawn again"
        );
        // The first session is untouched.
        let kept = store.load(&Id(42)).await.unwrap().unwrap();
        assert!(kept.data.is_empty());
    }
}
