//! The token misuse view through the device API and the server functions (SQLite and PostgreSQL):
//! the registering address is kept; a token used for a burst of a product and from an address range
//! the pool never had gets its devices flagged, the pool's usual token none; "New Token…" for
//! several pools makes one token each; a viewer of another pool never sees the token.

use std::net::SocketAddr;

use app::domain::misuse::MisuseFlag;
use app::domain::roles::Role;
use app::error::AppError;
use app::model::{CreatedToken, TokenDevices};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use crate::common::{backends, Client, TestApp};
use crate::licenses_common::acme;

async fn new_tokens(
    c: &mut Client,
    pool: i64,
    also: &[i64],
) -> Result<Vec<CreatedToken>, AppError> {
    let pool = pool.to_string();
    let also: Vec<String> = also.iter().map(i64::to_string).collect();
    let mut form = vec![
        ("pool", pool.as_str()),
        ("description", "Remote hands"),
        ("expire_days", "1"),
        ("max_uses", ""),
    ];
    for a in &also {
        form.push(("also[]", a.as_str()));
    }
    c.call("tokens/create", &form).await.result()
}

/// Registers a device from `from` (a loopback address: plain HTTP is allowed from there).
async fn register(app: &TestApp, token: &str, pid: &str, sn: &str, from: &str) {
    let body = json!({"id_token": token, "udi": {"pid": pid, "sn": sn}, "hostname": sn.to_lowercase(), "product": "router", "software_version": "1.0"});
    let mut req = Request::post("/api/device/v1/register")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(&body).unwrap()))
        .unwrap();
    let addr: SocketAddr = format!("{from}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    let reply = app.client().send(req).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
}

async fn devices(c: &mut Client, id: i64) -> Result<TokenDevices, AppError> {
    c.call("tokens/devices", &[("id", &id.to_string())])
        .await
        .result()
}

#[tokio::test]
async fn a_burst_of_a_new_product_from_a_new_range_is_flagged_and_the_usual_token_is_not() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, lab]) = acme(&app).await;
        // One form, three pools: a token each.
        let made = new_tokens(&mut c, east, &[west, lab]).await.unwrap();
        let names: Vec<&str> = made.iter().map(|t| t.pool_name.as_str()).collect();
        assert_eq!(names, ["East", "West", "Lab"], "{backend:?}");
        assert!(made.iter().all(|t| t.row.token.starts_with("idt")));
        let usual = made[0].row.clone();

        // The pool's usual devices, a day earlier, from 127.0.1.0/24.
        for i in 0..3 {
            register(
                &app,
                &usual.token,
                "ASR-9006-AC",
                &format!("USUAL{i}"),
                &format!("127.0.1.{}", 10 + i),
            )
            .await;
        }
        app.state.clock.advance(86_400);
        let remote = new_tokens(&mut c, east, &[]).await.unwrap().remove(0).row;
        for i in 0..11 {
            register(
                &app,
                &remote.token,
                "C8300-1N1S",
                &format!("BURST{i:02}"),
                &format!("127.0.2.{}", 20 + i),
            )
            .await;
        }
        // Later, one more usual device with the remote token: no burst, known product and range.
        app.state.clock.advance(3_600);
        register(&app, &remote.token, "ASR-9006-AC", "LATE01", "127.0.1.99").await;

        let seen = devices(&mut c, remote.id).await.unwrap();
        assert_eq!(seen.rows.len(), 12);
        let burst = &seen.rows[0];
        assert_eq!(burst.source.as_deref(), Some("127.0.2.20"));
        assert_eq!(burst.pool_name, "East");
        assert_eq!(
            burst.flags,
            [
                MisuseFlag::Burst,
                MisuseFlag::NewProduct,
                MisuseFlag::NewAddressRange
            ]
        );
        assert!(seen.rows[..11]
            .iter()
            .all(|r| r.flags.contains(&MisuseFlag::Burst)));
        assert_eq!(seen.rows[11].hostname, "late01");
        assert!(seen.rows[11].flags.is_empty(), "{:?}", seen.rows[11].flags);

        let usual_seen = devices(&mut c, usual.id).await.unwrap();
        assert_eq!(usual_seen.rows.len(), 3);
        assert!(
            usual_seen.rows.iter().all(|r| r.flags.is_empty()),
            "first devices of the pool: nothing to compare with"
        );

        // A viewer of Lab does not see East's token at all.
        let mut vi = app.user("Acme", "vi", Role::PoolViewer, &["Lab"]).await;
        assert_eq!(
            devices(&mut vi, remote.id).await.unwrap_err(),
            AppError::NotFound
        );
        // Nor may a Lab admin make tokens for East through "Also for".
        let mut pat = app.user("Acme", "pat", Role::PoolAdmin, &["Lab"]).await;
        let refused = new_tokens(&mut pat, lab, &[east]).await.unwrap_err();
        assert!(
            matches!(refused, AppError::Validation { ref field, .. } if field == "also"),
            "{refused:?}"
        );
    }
}
