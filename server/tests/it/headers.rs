//! Security headers on every kind of answer, HTTPS behind a proxy (`--public-url`), and the cross-site
//! guard's scheme-and-host comparison.

use crate::common;

use app::state::Settings;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{backends, Reply, TestApp, PASSWORD};

fn get(reply: &Reply, name: header::HeaderName) -> &str {
    reply
        .headers
        .get(&name)
        .unwrap_or_else(|| panic!("no {name} header: {:?}", reply.headers))
        .to_str()
        .unwrap()
}

fn assert_common(reply: &Reply) {
    assert_eq!(get(reply, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(get(reply, header::REFERRER_POLICY), "same-origin");
    assert_eq!(get(reply, header::X_FRAME_OPTIONS), "DENY");
    assert!(get(reply, header::CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn a_page_carries_a_policy_with_its_own_nonce_and_no_store() {
    let app = TestApp::new(&backends()[0]).await;
    let mut c = app.account("Acme", "alice").await;
    let page = c.get("/inventory").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_common(&page);
    assert_eq!(get(&page, header::CACHE_CONTROL), "no-store");
    assert!(
        page.headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none(),
        "not over HTTP"
    );
    let csp = get(&page, header::CONTENT_SECURITY_POLICY);
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("no nonce in {csp}"));
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("style-src 'self';"), "no inline styles: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // Every inline script of the page carries that nonce.
    let html = page.text();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert!(
        html.matches(&format!("nonce=\"{nonce}\"")).count() >= scripts,
        "{html}"
    );
    // A second page has another nonce.
    let again = c.get("/inventory").await;
    assert!(!get(&again, header::CONTENT_SECURITY_POLICY).contains(nonce));
}

#[tokio::test]
async fn server_functions_errors_and_the_device_api_carry_them_too() {
    let app = TestApp::new(&backends()[0]).await;
    let mut c = app.account("Acme", "alice").await;
    let answer = c.call("auth/me", &[]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_common(&answer);
    assert_eq!(get(&answer, header::CACHE_CONTROL), "no-store");
    assert_eq!(
        get(&answer, header::CONTENT_SECURITY_POLICY),
        server::router::NON_PAGE_CSP
    );
    let refused = c
        .call("auth/login", &[("username", "alice"), ("password", "x")])
        .await;
    assert!(!refused.status.is_success());
    assert_common(&refused);
    let missing = c.get("/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_common(&missing);
    let device = c
        .send(
            Request::post("/api/device/v1/authorize")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert!(device.status.is_client_error());
    assert_common(&device);
    assert_eq!(get(&device, header::CACHE_CONTROL), "no-store");
}

#[tokio::test]
async fn behind_a_tls_proxy_cookies_are_secure_and_hsts_is_on() {
    for backend in backends() {
        let settings = Settings {
            https: true,
            public_origin: Some("https://portal.example".to_owned()),
            ..Settings::default()
        };
        let app = TestApp::with_settings(&backend, settings).await;
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
        assert!(reply.status.is_success(), "{backend:?}: {}", reply.text());
        let cookie = get(&reply, header::SET_COOKIE);
        assert!(cookie.contains("Secure"), "{cookie}");
        assert_eq!(
            get(&reply, header::STRICT_TRANSPORT_SECURITY),
            "max-age=31536000"
        );

        // The guard takes the public origin, scheme included.
        let post = |origin: Option<&str>| {
            let mut req = Request::post("/api/pools/create")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::HOST, "portal.example");
            if let Some(origin) = origin {
                req = req.header(header::ORIGIN, origin);
            }
            req.body(Body::from("name=East&description=")).unwrap()
        };
        assert_eq!(
            c.send(post(Some("http://portal.example"))).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            c.send(post(Some("https://evil.example"))).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(c.send(post(None)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            c.send(post(Some("https://portal.example"))).await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn a_post_with_neither_origin_nor_fetch_site_is_refused() {
    let app = TestApp::new(&backends()[0]).await;
    let mut c = app.account("Acme", "alice").await;
    let bare = Request::post("/api/pools/create")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "portal.example")
        .body(Body::from("name=Evil&description="))
        .unwrap();
    assert_eq!(c.send(bare).await.status, StatusCode::FORBIDDEN);
    // Over plain HTTP an https:// origin is another site, and `Sec-Fetch-Site: none` is no page's.
    let other_scheme = Request::post("/api/pools/create")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "portal.example")
        .header(header::ORIGIN, "https://portal.example")
        .body(Body::from("name=Evil&description="))
        .unwrap();
    assert_eq!(c.send(other_scheme).await.status, StatusCode::FORBIDDEN);
    let typed = Request::post("/api/pools/create")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "none")
        .body(Body::from("name=Evil&description="))
        .unwrap();
    assert_eq!(c.send(typed).await.status, StatusCode::FORBIDDEN);
    let names: Vec<String> = c
        .me()
        .await
        .unwrap()
        .pools
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, vec!["Default"]);
}
