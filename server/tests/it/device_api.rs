//! The device API through the real router: every endpoint and error code, signatures, limits, and
//! token use counting under concurrency.

use crate::common;

use app::domain::tokens::TokenState;
use app::domain::tokens::{NewToken, NewTokenForm};
use app::protocol::{
    AuthorizeResponse, InstanceStatus, RegisterResponse, SigningKey, StatusResponse,
};
use app::services::tokens;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::Engine;
use common::{backends, Reply, TestApp};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde_json::{json, Value};

pub(crate) async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    credential: Option<&str>,
    body: Option<Vec<u8>>,
) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("/api/device/v1{path}"));
    if let Some(c) = credential {
        req = req.header(header::AUTHORIZATION, format!("Bearer {c}"));
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let mut client = app.client();
    client
        .send(
            req.body(body.map(Body::from).unwrap_or_else(Body::empty))
                .unwrap(),
        )
        .await
}

pub(crate) async fn post(
    app: &TestApp,
    path: &str,
    credential: Option<&str>,
    body: Value,
) -> Reply {
    send(
        app,
        "POST",
        path,
        credential,
        Some(serde_json::to_vec(&body).unwrap()),
    )
    .await
}

pub(crate) fn code(reply: &Reply) -> String {
    let v: Value = serde_json::from_slice(&reply.body)
        .unwrap_or_else(|_| panic!("not JSON: {}", reply.text()));
    v["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {v}"))
        .to_owned()
}

/// An account "Acme" with pool "Default" holding `licenses` × A9K-100G-LIC, and a token.
pub(crate) async fn setup(app: &TestApp, licenses: i64, max_uses: &str) -> String {
    app::services::users::create_account(app.db(), "Acme", "alice", common::PASSWORD, app.now())
        .await
        .unwrap();
    app::services::catalogue::add_license(app.db(), "A9K-100G-LIC", "100GE", "ASR 9000")
        .await
        .unwrap();
    if licenses > 0 {
        app::services::catalogue::provision(
            app.db(),
            app::services::catalogue::NewLot {
                account: "Acme",
                pool: "Default",
                tag: "A9K-100G-LIC",
                quantity: licenses,
                starts_at: app.now() - chrono::Duration::days(1),
                ends_at: None,
                source_ref: "ORD",
            },
            app.now(),
        )
        .await
        .unwrap();
    }
    let (actor, _) = app::services::actors::load(app.db(), 1, None)
        .await
        .unwrap();
    let pool = app::services::pools::refs(app.db(), &actor).await.unwrap()[0].id;
    let form = NewToken::try_from(NewTokenForm {
        description: "t".into(),
        expire_days: "30".into(),
        max_uses: max_uses.into(),
        allow_export_controlled: Some("on".into()),
    })
    .unwrap();
    tokens::create(app.db(), &actor, pool, form, app.now())
        .await
        .unwrap()
        .token
}

pub(crate) fn registration(token: &str, sn: &str, force: bool) -> Value {
    json!({"id_token": token, "udi": {"pid": "ASR-9006-AC", "sn": sn}, "hostname": "r1", "product": "ASR9K", "software_version": "7.3.2", "force": force})
}

pub(crate) async fn register(app: &TestApp, token: &str, sn: &str) -> RegisterResponse {
    let reply = post(app, "/register", None, registration(token, sn, false)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    serde_json::from_slice(&reply.body).unwrap()
}

#[tokio::test]
async fn register_authorize_status_renew_deregister() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = setup(&app, 3, "").await;
        let reg = register(&app, &token, "FOX1").await;
        assert_eq!(
            (reg.smart_account.as_str(), reg.virtual_account.as_str()),
            ("Acme", "Default")
        );
        assert!(reg.credential.starts_with("dcr_"));
        assert_eq!(reg.sync_interval_secs, 86_400);
        assert_eq!(
            (reg.id_cert.expires_at - reg.id_cert.issued_at).num_days(),
            365
        );

        let auth = post(
            &app,
            "/authorize",
            Some(&reg.credential),
            json!({"entitlements": [{"tag": "A9K-100G-LIC", "count": 2}]}),
        )
        .await;
        assert_eq!(auth.status, StatusCode::OK, "{}", auth.text());
        let auth: AuthorizeResponse = serde_json::from_slice(&auth.body).unwrap();
        assert_eq!(serde_json::to_value(auth.status).unwrap(), "authorized");
        assert_eq!(
            (auth.authorization.expires_at - auth.authorization.issued_at).num_days(),
            90
        );

        // A second device pushes the pool over: both are out of compliance (pooled).
        let other = register(&app, &token, "FOX2").await;
        let auth2 = post(&app, "/authorize", Some(&other.credential), json!({"entitlements": [{"tag": "A9K-100G-LIC", "count": 2}, {"tag": "UNKNOWN-TAG", "count": 1}]})).await;
        let v: Value = serde_json::from_slice(&auth2.body).unwrap();
        assert_eq!(v["status"], "out_of_compliance", "{backend:?}");
        assert_eq!(v["entitlements"][0]["tag"], "A9K-100G-LIC");
        assert_eq!(v["entitlements"][0]["status"], "out_of_compliance");
        assert_eq!(
            v["entitlements"][1]["status"], "out_of_compliance",
            "a tag the pool holds none of"
        );
        let status: StatusResponse = serde_json::from_slice(
            &send(&app, "GET", "/status", Some(&reg.credential), None)
                .await
                .body,
        )
        .unwrap();
        assert_eq!(status.status, InstanceStatus::OutOfCompliance);
        assert_eq!(status.udi.sn, "FOX1");

        // The second device lets go: the first is authorized again.
        post(
            &app,
            "/authorize",
            Some(&other.credential),
            json!({"entitlements": []}),
        )
        .await;
        let status: StatusResponse = serde_json::from_slice(
            &send(&app, "GET", "/status", Some(&reg.credential), None)
                .await
                .body,
        )
        .unwrap();
        assert_eq!(status.status, InstanceStatus::Authorized);

        let renew = send(&app, "POST", "/renew", Some(&reg.credential), None).await;
        assert_eq!(renew.status, StatusCode::OK);
        let dereg = send(&app, "POST", "/deregister", Some(&reg.credential), None).await;
        assert_eq!(dereg.status, StatusCode::NO_CONTENT);
        let after = send(&app, "GET", "/status", Some(&reg.credential), None).await;
        assert_eq!(
            (after.status, code(&after).as_str()),
            (StatusCode::UNAUTHORIZED, "not_registered")
        );
    }
}

#[tokio::test]
async fn token_errors_and_force() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = setup(&app, 0, "2").await;
        let bad = post(
            &app,
            "/register",
            None,
            registration("idt_nope", "A", false),
        )
        .await;
        assert_eq!(
            (bad.status, code(&bad).as_str()),
            (StatusCode::FORBIDDEN, "token_invalid")
        );

        let first = register(&app, &token, "A").await;
        let dup = post(&app, "/register", None, registration(&token, "A", false)).await;
        assert_eq!(
            (dup.status, code(&dup).as_str()),
            (StatusCode::CONFLICT, "already_registered")
        );
        // A forced retry with the same token replaces the registration without a second use.
        let forced = post(&app, "/register", None, registration(&token, "A", true)).await;
        assert_eq!(forced.status, StatusCode::CREATED);
        let old = send(&app, "GET", "/status", Some(&first.credential), None).await;
        assert_eq!(
            code(&old),
            "not_registered",
            "the replaced credential stops working"
        );
        register(&app, &token, "B").await;
        let exhausted = post(&app, "/register", None, registration(&token, "C", false)).await;
        assert_eq!(
            (exhausted.status, code(&exhausted).as_str()),
            (StatusCode::FORBIDDEN, "token_exhausted"),
            "{backend:?}"
        );

        // Expiry through the app's clock.
        let fresh = {
            let (actor, _) = app::services::actors::load(app.db(), 1, None)
                .await
                .unwrap();
            let form = NewToken::try_from(NewTokenForm {
                description: "".into(),
                expire_days: "1".into(),
                max_uses: "".into(),
                allow_export_controlled: Some("on".into()),
            })
            .unwrap();
            tokens::create(app.db(), &actor, actor_pool(&app).await, form, app.now())
                .await
                .unwrap()
        };
        app.state.clock.advance(2 * 86_400);
        let expired = post(
            &app,
            "/register",
            None,
            registration(&fresh.token, "D", false),
        )
        .await;
        assert_eq!(code(&expired), "token_expired");

        // Revoked.
        let (actor, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        let form = NewToken::try_from(NewTokenForm {
            description: "".into(),
            expire_days: "30".into(),
            max_uses: "".into(),
            allow_export_controlled: Some("on".into()),
        })
        .unwrap();
        let revoked = tokens::create(app.db(), &actor, actor_pool(&app).await, form, app.now())
            .await
            .unwrap();
        tokens::revoke(app.db(), &actor, revoked.id, "lost", app.now())
            .await
            .unwrap();
        let refused = post(
            &app,
            "/register",
            None,
            registration(&revoked.token, "E", false),
        )
        .await;
        assert_eq!(code(&refused), "token_revoked");
    }
}

async fn actor_pool(app: &TestApp) -> i64 {
    let (actor, _) = app::services::actors::load(app.db(), 1, None)
        .await
        .unwrap();
    app::services::pools::refs(app.db(), &actor).await.unwrap()[0].id
}

#[tokio::test]
async fn bad_bodies_get_the_error_shape() {
    let app = TestApp::new(&backends()[0]).await;
    let token = setup(&app, 0, "").await;
    let malformed = send(&app, "POST", "/register", None, Some(b"{not json".to_vec())).await;
    assert_eq!(
        (malformed.status, code(&malformed).as_str()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
    let missing = post(&app, "/register", None, json!({"id_token": token})).await;
    assert_eq!(code(&missing), "invalid_request");
    assert!(missing.text().contains("udi"), "{}", missing.text());
    let long = post(&app, "/register", None, json!({"id_token": token, "udi": {"pid": "P", "sn": "x".repeat(65)}, "hostname": "h", "product": "p"})).await;
    assert!(long.text().contains("udi.sn"), "{}", long.text());
    let huge = send(&app, "POST", "/register", None, Some(vec![b' '; 70 * 1024])).await;
    assert_eq!(
        (huge.status, code(&huge).as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "invalid_request")
    );
    let no_credential = post(&app, "/authorize", None, json!({"entitlements": []})).await;
    assert_eq!(
        (no_credential.status, code(&no_credential).as_str()),
        (StatusCode::UNAUTHORIZED, "not_registered")
    );
    let reg = register(&app, &token, "Z").await;
    let dup_tags = post(
        &app,
        "/authorize",
        Some(&reg.credential),
        json!({"entitlements": [{"tag": "A", "count": 1}, {"tag": "A", "count": 1}]}),
    )
    .await;
    assert!(
        dup_tags.text().contains("entitlements[1].tag"),
        "{}",
        dup_tags.text()
    );
    let unknown = send(&app, "GET", "/nothing", None, None).await;
    assert_eq!(
        (unknown.status, code(&unknown).as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
}

#[tokio::test]
async fn answers_are_signed_with_the_published_key() {
    let app = TestApp::new(&backends()[0]).await;
    let token = setup(&app, 1, "").await;
    let key_reply = send(&app, "GET", "/signing-key", None, None).await;
    let key: SigningKey = serde_json::from_slice(&key_reply.body).unwrap();
    assert_eq!(key.algorithm, "ed25519");
    let b64 = base64::engine::general_purpose::STANDARD;
    let public: [u8; 32] = b64.decode(&key.public_key).unwrap().try_into().unwrap();
    let verifying = VerifyingKey::from_bytes(&public).unwrap();
    let reply = post(&app, "/register", None, registration(&token, "S1", false)).await;
    let signature = reply
        .headers
        .get("x-signature")
        .expect("signed")
        .to_str()
        .unwrap();
    let signature = Signature::from_slice(&b64.decode(signature).unwrap()).unwrap();
    verifying
        .verify(&reply.body, &signature)
        .expect("the signature verifies");
    let mut tampered = reply.body.clone();
    tampered[5] ^= 1;
    assert!(verifying.verify(&tampered, &signature).is_err());
    // The key survives a restart: a new router on the same database publishes the same key.
    let again = app.another_process(common::NO_LIMITS).await.router;
    let req = Request::get("/api/device/v1/signing-key")
        .body(Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(again, req).await.unwrap();
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(serde_json::from_slice::<SigningKey>(&body).unwrap(), key);
}

/// A transfer in the portal reaches the device: the next `/authorize` and `/renew` answers name the
/// virtual account it is in now.
#[tokio::test]
async fn answers_carry_the_virtual_account_the_device_is_in_now() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = setup(&app, 1, "").await;
        let reg = register(&app, &token, "MOVED1").await;
        assert_eq!(reg.virtual_account, "Default");
        let entitlements = json!({"entitlements": [{"tag": "A9K-100G-LIC", "count": 1}]});
        let auth: AuthorizeResponse = serde_json::from_slice(
            &post(
                &app,
                "/authorize",
                Some(&reg.credential),
                entitlements.clone(),
            )
            .await
            .body,
        )
        .unwrap();
        assert_eq!(
            auth.virtual_account.as_deref(),
            Some("Default"),
            "{backend:?}"
        );

        let (actor, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        let lab = app::services::pools::create(app.db(), &actor, "Lab", "", app.now())
            .await
            .unwrap();
        app::services::instances::transfer(
            app.db(),
            &actor,
            app::model::InstanceTransfer {
                id: reg.instance_id.parse().unwrap(),
                target: lab.id,
            },
            app.now(),
        )
        .await
        .unwrap();

        let auth: AuthorizeResponse = serde_json::from_slice(
            &post(&app, "/authorize", Some(&reg.credential), entitlements)
                .await
                .body,
        )
        .unwrap();
        assert_eq!(auth.virtual_account.as_deref(), Some("Lab"), "{backend:?}");
        let renew: app::protocol::RenewResponse = serde_json::from_slice(
            &send(&app, "POST", "/renew", Some(&reg.credential), None)
                .await
                .body,
        )
        .unwrap();
        assert_eq!(renew.virtual_account.as_deref(), Some("Lab"), "{backend:?}");
    }
}

#[tokio::test]
async fn removal_in_the_portal_withdraws_the_credential() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = setup(&app, 1, "").await;
        let reg = register(&app, &token, "R1").await;
        let (actor, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        app::services::instances::remove(
            app.db(),
            &actor,
            reg.instance_id.parse().unwrap(),
            app.now(),
        )
        .await
        .unwrap();
        let reply = post(
            &app,
            "/authorize",
            Some(&reg.credential),
            json!({"entitlements": []}),
        )
        .await;
        assert_eq!(
            (reply.status, code(&reply).as_str()),
            (StatusCode::UNAUTHORIZED, "not_registered")
        );
    }
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let app = TestApp::new(&backends()[0]).await;
    let router = app
        .another_process(server::device_api::RateLimits {
            per_address: 3,
            per_credential: 3,
        })
        .await
        .router;
    let mut last = None;
    for _ in 0..4 {
        let req = Request::get("/api/device/v1/signing-key")
            .body(Body::empty())
            .unwrap();
        last = Some(
            tower::ServiceExt::oneshot(router.clone(), req)
                .await
                .unwrap(),
        );
    }
    let last = last.unwrap();
    assert_eq!(last.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = last
        .headers()
        .get(header::RETRY_AFTER)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
}

#[tokio::test]
async fn two_hundred_concurrent_registrations_never_exceed_max_uses() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = setup(&app, 0, "50").await;
        let mut tasks = Vec::new();
        for i in 0..200 {
            tasks.push(spawn_register(
                app.router.clone(),
                registration(&token, &format!("SN{i:04}"), false),
            ));
        }
        let mut created = 0;
        let mut exhausted = 0;
        for t in tasks {
            match t.await.unwrap() {
                StatusCode::CREATED => created += 1,
                StatusCode::FORBIDDEN => exhausted += 1,
                other => panic!("unexpected {other} on {backend:?}"),
            }
        }
        assert_eq!((created, exhausted), (50, 150), "{backend:?}");
        let (actor, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        let rows = tokens::list(app.db(), &actor, actor_pool(&app).await, app.now())
            .await
            .unwrap();
        assert_eq!((rows[0].uses, rows[0].state), (50, TokenState::Exhausted));
    }
}

#[tokio::test]
async fn an_unknown_credential_is_not_registered_whatever_the_body() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = setup(&app, 3, "").await;
        // A bogus credential: 401 before the body is looked at, empty or malformed.
        for body in [Some(Vec::new()), Some(b"{not json".to_vec()), None] {
            let reply = send(&app, "POST", "/authorize", Some("dcr_bogus"), body).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{backend:?}: {}",
                reply.text()
            );
            assert_eq!(code(&reply), "not_registered");
        }
        // A registered device still hears what is wrong with its body.
        let reg = register(&app, &token, "FOX-EMPTY").await;
        let reply = send(
            &app,
            "POST",
            "/authorize",
            Some(&reg.credential),
            Some(Vec::new()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    }
}

#[tokio::test]
async fn the_register_answer_says_whether_export_control_is_allowed() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let allowed = setup(&app, 3, "").await;
        assert!(
            register(&app, &allowed, "FOX-EXP-1")
                .await
                .export_controlled_allowed
        );
        let (actor, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        let pool = app::services::pools::refs(app.db(), &actor).await.unwrap()[0].id;
        let form = NewToken::try_from(NewTokenForm {
            description: "no export".into(),
            expire_days: "30".into(),
            max_uses: "".into(),
            allow_export_controlled: None,
        })
        .unwrap();
        let denied = tokens::create(app.db(), &actor, pool, form, app.now())
            .await
            .unwrap()
            .token;
        assert!(
            !register(&app, &denied, "FOX-EXP-2")
                .await
                .export_controlled_allowed,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn status_writes_the_contact_only_when_its_minute_changes() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = setup(&app, 3, "").await;
        let reg = register(&app, &token, "FOX-CONTACT").await;
        let last_contact = |reply: Reply| {
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
            serde_json::from_slice::<app::protocol::StatusResponse>(&reply.body)
                .unwrap()
                .last_contact_at
        };
        // Five seconds into a new minute.
        let into = app.now().timestamp().rem_euclid(60);
        app.state.clock.advance(65 - into);
        let first = last_contact(send(&app, "GET", "/status", Some(&reg.credential), None).await);
        // The clock is the real one moved on: on a loaded machine a second or more may pass
        // between reading it and the request.
        assert!(
            (5..25).contains(&first.timestamp().rem_euclid(60)),
            "{backend:?}: written at {first}"
        );
        // Twenty seconds later, the same minute: nothing written, the page would show the same.
        app.state.clock.advance(20);
        let same = last_contact(send(&app, "GET", "/status", Some(&reg.credential), None).await);
        assert_eq!(same, first, "{backend:?}");
        // The next minute is written.
        app.state.clock.advance(60);
        let next = last_contact(send(&app, "GET", "/status", Some(&reg.credential), None).await);
        assert!(next > first, "{backend:?}: {next} after {first}");
    }
}

/// Sends `body` to `path` through a clone of the router, as one device of many at once.
/// A registration posted to `router` (a portal process) on a task of its own; its status.
pub(crate) fn spawn_register(
    router: axum::Router,
    body: Value,
) -> tokio::task::JoinHandle<StatusCode> {
    tokio::spawn(async move {
        let req = Request::post("/api/device/v1/register")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(&body).unwrap()))
            .unwrap();
        tower::ServiceExt::oneshot(router, req)
            .await
            .unwrap()
            .status()
    })
}

pub(crate) fn spawn_post(
    app: &TestApp,
    path: &'static str,
    credential: Option<String>,
    body: Value,
) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    let router = app.router.clone();
    tokio::spawn(async move {
        let mut req = Request::post(format!("/api/device/v1{path}"))
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(c) = credential {
            req = req.header(header::AUTHORIZATION, format!("Bearer {c}"));
        }
        let res = tower::ServiceExt::oneshot(
            router,
            req.body(Body::from(serde_json::to_vec(&body).unwrap()))
                .unwrap(),
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
    })
}

/// The device writer applies requests that arrive together in batches, one after another: 300
/// devices asking one license each of a pool of 100, all at once, get exactly 100 `authorized`
/// answers (the first 100 applied) and 200 `out_of_compliance`; the requests refused in the same
/// batches (unknown credentials, negative counts) leave them untouched; the pool's counter ends at
/// exactly 300, the sum of the usage rows.
#[tokio::test]
async fn three_hundred_concurrent_authorizations_are_counted_exactly_beside_refusals() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = setup(&app, 100, "").await;
        let registrations: Vec<_> = (0..300)
            .map(|i| {
                spawn_post(
                    &app,
                    "/register",
                    None,
                    registration(&token, &format!("BATCH{i:04}"), false),
                )
            })
            .collect();
        let mut credentials = Vec::new();
        for r in registrations {
            let (status, body) = r.await.unwrap();
            assert_eq!(status, StatusCode::CREATED, "{backend:?}: {body}");
            credentials.push(body["credential"].as_str().unwrap().to_owned());
        }

        let one = json!({"entitlements": [{"tag": "A9K-100G-LIC", "count": 1}]});
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for (i, c) in credentials.iter().enumerate() {
            good.push(spawn_post(&app, "/authorize", Some(c.clone()), one.clone()));
            if i % 6 == 0 {
                bad.push(spawn_post(
                    &app,
                    "/authorize",
                    Some(format!("unknown-{i}")),
                    one.clone(),
                ));
                bad.push(spawn_post(
                    &app,
                    "/authorize",
                    Some(c.clone()),
                    json!({"entitlements": [{"tag": "A9K-100G-LIC", "count": -1}]}),
                ));
            }
        }
        let (mut authorized, mut over) = (0, 0);
        for g in good {
            let (status, body) = g.await.unwrap();
            assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
            match body["entitlements"][0]["status"].as_str() {
                Some("authorized") => authorized += 1,
                Some("out_of_compliance") => over += 1,
                other => panic!("{backend:?}: status {other:?} in {body}"),
            }
        }
        assert_eq!((authorized, over), (100, 200), "{backend:?}");
        for b in bad {
            let (status, body) = b.await.unwrap();
            assert!(
                status == StatusCode::UNAUTHORIZED || status == StatusCode::BAD_REQUEST,
                "{backend:?}: {status} {body}"
            );
        }

        let pool = actor_pool(&app).await;
        let in_use = app::services::usage::in_use(app.db(), pool, None)
            .await
            .unwrap();
        assert_eq!(in_use.get("A9K-100G-LIC"), Some(&300), "{backend:?}");
        let rows: i64 = <app::entities::instance_usage::Entity as sea_orm::EntityTrait>::find()
            .all(app.db())
            .await
            .unwrap()
            .iter()
            .map(|u| u.count)
            .sum();
        assert_eq!(
            rows, 300,
            "{backend:?}: the usage rows agree with the counter"
        );
    }
}
