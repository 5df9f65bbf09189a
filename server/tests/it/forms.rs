//! State-changing forms of the pages: a repeat of one submission (same one-time form id) changes once
//! and answers as the first did, also when the repeats arrive together; many different writes at
//! once all wait their turn (no 5xx, no "database is locked"); refusals have their own 4xx status.

use crate::common;
use crate::licenses_common;

use app::domain::roles::Role;
use app::entities::{api_key, license_transfer, virtual_account};
use app::model::{IssuedKey, PoolRow, TransferDone};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{backends, Client, TestApp};
use licenses_common::*;
use sea_orm::{EntityTrait, PaginatorTrait};

async fn count<E: EntityTrait>(app: &TestApp) -> u64
where
    E::Model: Sync,
{
    E::find().count(app.db()).await.unwrap()
}

fn owned(form: &[(&str, &str)]) -> Vec<(String, String)> {
    form.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Sends every call at the same time (one task each) and waits for all the answers.
async fn all_at_once(
    calls: impl Iterator<Item = (Client, &'static str, Vec<(String, String)>)>,
) -> Vec<common::Reply> {
    let tasks: Vec<_> = calls
        .map(|(mut c, endpoint, form)| {
            tokio::spawn(async move {
                let pairs: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                c.call(endpoint, &pairs).await
            })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    replies
}

fn transfer_form<'a>(
    pool: &'a str,
    license: &'a str,
    target: &'a str,
    id: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("pool", pool),
        ("license", license),
        ("target", target),
        ("quantity", "1"),
        ("form_id", id),
    ]
}

#[tokio::test]
async fn the_same_form_posted_twice_changes_once_and_answers_alike() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        let (mut c, [east, west, _]) = acme(&app).await;
        lot(&app, "East", TAG, 10, -1, None).await;
        let license = license_id(&app, TAG).await.to_string();
        let (east, west) = (east.to_string(), west.to_string());

        // A transfer sent twice with one form id: one transfer, the same answer.
        let form = transfer_form(&east, &license, &west, "transfer-form-0001");
        let first: TransferDone = c.call("licenses/transfer", &form).await.result().unwrap();
        let again: TransferDone = c.call("licenses/transfer", &form).await.result().unwrap();
        assert_eq!(
            first, again,
            "{backend:?}: the repeat answers as the first did"
        );
        assert_eq!(
            count::<license_transfer::Entity>(&app).await,
            1,
            "{backend:?}"
        );
        assert_eq!(
            row(&rows(&mut c, west.parse().unwrap()).await, TAG).purchased,
            1
        );

        // A new form id is a new transfer.
        let form = transfer_form(&east, &license, &west, "transfer-form-0002");
        c.call("licenses/transfer", &form)
            .await
            .result::<TransferDone>()
            .unwrap();
        assert_eq!(
            count::<license_transfer::Entity>(&app).await,
            2,
            "{backend:?}"
        );

        // A refused submission keeps nothing: corrected, the same id goes through.
        let mut refused = transfer_form(&east, &license, &west, "transfer-form-0003");
        refused[3] = ("quantity", "999");
        assert!(c
            .call("licenses/transfer", &refused)
            .await
            .result::<TransferDone>()
            .is_err());
        let form = transfer_form(&east, &license, &west, "transfer-form-0003");
        c.call("licenses/transfer", &form)
            .await
            .result::<TransferDone>()
            .unwrap();
        assert_eq!(
            count::<license_transfer::Entity>(&app).await,
            3,
            "{backend:?}"
        );

        // A new API key twice: one key, and the repeat shows the same (whole) key.
        let key_form = [
            ("name", "ci"),
            ("scope", "read"),
            ("expires", "30"),
            ("reach", "all"),
            ("form_id", "api-key-form-0001"),
        ];
        let a: IssuedKey = c.call("api-keys/create", &key_form).await.result().unwrap();
        let b: IssuedKey = c.call("api-keys/create", &key_form).await.result().unwrap();
        assert_eq!(a.secret, b.secret, "{backend:?}");
        assert_eq!(count::<api_key::Entity>(&app).await, 1, "{backend:?}");

        // A form id is the user's: another user's same id is their own submission.
        let pools_before = count::<virtual_account::Entity>(&app).await;
        let mut other = app.user("Acme", "olga", Role::AccountAdmin, &[]).await;
        for (client, name) in [(&mut c, "Alice's"), (&mut other, "Olga's")] {
            let made: PoolRow = client
                .call(
                    "pools/create",
                    &[
                        ("name", name),
                        ("description", ""),
                        ("form_id", "shared-form-id-1"),
                    ],
                )
                .await
                .result()
                .unwrap();
            assert_eq!(made.name, name, "{backend:?}");
        }
        assert_eq!(
            count::<virtual_account::Entity>(&app).await,
            pools_before + 2
        );

        // The same id at another endpoint is refused, naming the form.
        let reused = c
            .call(
                "pools/create",
                &[
                    ("name", "Elsewhere"),
                    ("description", ""),
                    ("form_id", "api-key-form-0001"),
                ],
            )
            .await;
        assert_eq!(reused.status, StatusCode::BAD_REQUEST, "{}", reused.text());
        assert_eq!(
            reused
                .result::<PoolRow>()
                .unwrap_err()
                .for_field("form_id")
                .is_some(),
            true
        );
    }
}

#[tokio::test]
async fn repeats_arriving_together_change_once() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let c = app.account("Acme", "alice").await;
        let before = count::<virtual_account::Entity>(&app).await;
        let form = [
            ("name", "Twice"),
            ("description", ""),
            ("form_id", "double-click-0001"),
        ];
        let replies = all_at_once((0..20).map(|_| (c.clone(), "pools/create", owned(&form)))).await;
        let mut ids = std::collections::BTreeSet::new();
        for reply in &replies {
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{backend:?}: {}",
                reply.text()
            );
            ids.insert(reply.result::<PoolRow>().unwrap().id);
        }
        assert_eq!(
            ids.len(),
            1,
            "{backend:?}: every repeat answers the first pool"
        );
        assert_eq!(
            count::<virtual_account::Entity>(&app).await,
            before + 1,
            "{backend:?}"
        );
    }
}

/// 50 of each kind of write at once, from the pages' server functions: every one answered, none 5xx.
#[tokio::test]
async fn fifty_concurrent_writes_of_each_kind_answer_no_5xx() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        let (c, [east, west, _]) = acme(&app).await;
        lot(&app, "East", TAG, 100, -1, None).await;
        let license = license_id(&app, TAG).await.to_string();
        let (east, west) = (east.to_string(), west.to_string());
        type Form = Vec<(String, String)>;
        let kinds: Vec<(&'static str, Box<dyn Fn(usize) -> Form>)> = vec![
            (
                "pools/create",
                Box::new(|i| {
                    vec![
                        ("name".into(), format!("Pool {i}")),
                        ("description".into(), String::new()),
                    ]
                }),
            ),
            (
                "tokens/create",
                Box::new({
                    let east = east.clone();
                    move |i| {
                        vec![
                            ("pool".into(), east.clone()),
                            ("description".into(), format!("t{i}")),
                            ("expire_days".into(), "30".into()),
                            ("max_uses".into(), String::new()),
                        ]
                    }
                }),
            ),
            (
                "licenses/transfer",
                Box::new({
                    let (east, west, license) = (east.clone(), west.clone(), license.clone());
                    move |_| {
                        vec![
                            ("pool".into(), east.clone()),
                            ("license".into(), license.clone()),
                            ("target".into(), west.clone()),
                            ("quantity".into(), "1".into()),
                        ]
                    }
                }),
            ),
            (
                "users/add",
                Box::new(|i| {
                    vec![
                        ("username".into(), format!("user{i}")),
                        ("role".into(), "account-user".into()),
                    ]
                }),
            ),
            (
                "api-keys/create",
                Box::new(|i| {
                    vec![
                        ("name".into(), format!("k{i}")),
                        ("scope".into(), "read".into()),
                        ("expires".into(), "30".into()),
                        ("reach".into(), "all".into()),
                    ]
                }),
            ),
        ];
        for (endpoint, form) in &kinds {
            let replies = all_at_once((0..50).map(|i| (c.clone(), *endpoint, form(i)))).await;
            for reply in &replies {
                assert!(
                    reply.status.is_success(),
                    "{backend:?} {endpoint}: {} {}",
                    reply.status,
                    reply.text()
                );
            }
        }
        assert_eq!(
            count::<license_transfer::Entity>(&app).await,
            50,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn refusals_answer_their_own_status() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, ..]) = acme(&app).await;
        let mut viewer = app.user("Acme", "vera", Role::PoolViewer, &["East"]).await;
        let default_pool = c
            .me()
            .await
            .unwrap()
            .pools
            .iter()
            .find(|p| p.is_default)
            .unwrap()
            .id;
        let cases: Vec<(&str, Client, &str, Vec<(&str, String)>, StatusCode)> = vec![
            (
                "validation",
                c.clone(),
                "pools/create",
                vec![("name", String::new()), ("description", String::new())],
                StatusCode::BAD_REQUEST,
            ),
            (
                "forbidden",
                viewer.clone(),
                "pools/update",
                vec![
                    ("id", east.to_string()),
                    ("name", "E".into()),
                    ("description", String::new()),
                ],
                StatusCode::FORBIDDEN,
            ),
            (
                "not found",
                c.clone(),
                "pools/delete",
                vec![("id", "999999".into())],
                StatusCode::NOT_FOUND,
            ),
            (
                "conflict",
                c.clone(),
                "pools/delete",
                vec![("id", default_pool.to_string())],
                StatusCode::CONFLICT,
            ),
            (
                "unreadable",
                c.clone(),
                "pools/delete",
                vec![("id", "1e+20".into())],
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "signed out",
                app.client(),
                "pools/list",
                vec![],
                StatusCode::UNAUTHORIZED,
            ),
        ];
        for (what, mut client, endpoint, form, status) in cases {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let reply = client.call(endpoint, &pairs).await;
            assert_eq!(reply.status, status, "{backend:?} {what}: {}", reply.text());
            // The page still gets the refusal to show.
            assert!(reply.result::<serde_json::Value>().is_err(), "{what}");
        }
        // 8 MiB: refused before it is read, as too large.
        let big = format!("name={}&description=", "a".repeat(8 * 1024 * 1024));
        let req = Request::post("/api/pools/create")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(big))
            .unwrap();
        let reply = c.send(req).await;
        assert_eq!(
            reply.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{backend:?}: {}",
            reply.text()
        );
        assert!(reply.result::<PoolRow>().is_err());
        let _ = viewer.me().await;
    }
}
