//! Product instances in bulk through the server functions the tab calls (SQLite and PostgreSQL):
//! ticked rows and "Select all" matching a search move in chunks with every count and usage kept
//! and an event per instance; removal releases the licenses; a pool admin's rows of another pool,
//! and a viewer's, stay put; two bulk runs at once over the same rows move each row once.

use app::domain::roles::Role;
use app::error::AppError;
use app::model::{BulkAction, BulkProgress, BulkSelection, BulkStep};
use app::services::instances::bulk::CHUNK;
use serde_json::json;

use crate::common::{backends, Client, TestApp};
use crate::licenses_common::*;

async fn step(c: &mut Client, step: &BulkStep) -> Result<BulkProgress, AppError> {
    c.call_json("instances/bulk-step", json!({ "step": step }))
        .await
        .result()
}

async fn count(c: &mut Client, selection: &BulkSelection) -> Result<u64, AppError> {
    c.call_json("instances/bulk-count", json!({ "selection": selection }))
        .await
        .result()
}

/// Runs every chunk as the page does; the chunks' answers.
async fn run(
    c: &mut Client,
    selection: BulkSelection,
    action: BulkAction,
) -> Result<Vec<BulkProgress>, AppError> {
    let mut after = None;
    let mut out = Vec::new();
    loop {
        let done = step(
            c,
            &BulkStep {
                selection: selection.clone(),
                action,
                after,
            },
        )
        .await?;
        after = done.next;
        out.push(done);
        if after.is_none() {
            return Ok(out);
        }
    }
}

/// Instances in the pool now, and in use of TAG there (the counters the tab and devices read).
async fn held(c: &mut Client, app: &TestApp, pool: i64) -> (i64, i64) {
    let instances = app::entities::virtual_account::Entity::find_by_id(pool)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .instance_count;
    let in_use = rows(c, pool)
        .await
        .iter()
        .find(|r| r.tag == TAG)
        .map_or(0, |r| r.in_use);
    (instances, in_use)
}

use sea_orm::EntityTrait;

/// The newest page of the pool's events of one kind.
async fn events(c: &mut Client, pool: i64, kind: &str) -> Vec<String> {
    let page: app::model::EventPage = c
        .call(
            "events/list",
            &[("pool", &pool.to_string()), ("kind", kind), ("text", "")],
        )
        .await
        .result()
        .unwrap();
    page.rows.into_iter().map(|e| e.message).collect()
}

#[tokio::test]
async fn select_all_matching_moves_every_chunk_with_counts_usage_and_events() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, _]) = acme(&app).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        let n = CHUNK as usize * 2 + 7;
        let mut ids = Vec::new();
        for i in 0..n {
            ids.push(instance(&app, east, &format!("edge-{i:04}"), &[(TAG, 2)]).await);
        }
        instance(&app, east, "core-01", &[(TAG, 5)]).await;
        let all = BulkSelection::Matching {
            pool: east,
            search: "edge-".into(),
            status: None,
        };
        assert_eq!(count(&mut c, &all).await.unwrap(), n as u64, "{backend:?}");

        let chunks = run(&mut c, all.clone(), BulkAction::Transfer { target: west })
            .await
            .unwrap();
        assert_eq!(chunks.len(), 3, "chunks of {CHUNK}");
        assert_eq!(chunks.iter().map(|p| p.done).sum::<u64>(), n as u64);
        assert!(chunks.iter().all(|p| p.skipped.is_empty()));
        assert_eq!(held(&mut c, &app, east).await, (1, 5), "core-01 stays");
        assert_eq!(held(&mut c, &app, west).await, (n as i64, 2 * n as i64));
        assert_eq!(count(&mut c, &all).await.unwrap(), 0);
        // The newest events: the last chunk's, one per instance.
        let west_events = events(&mut c, west, "instance.transferred").await;
        let last = format!("Product instance edge-{:04} (", n - 1);
        assert!(
            west_events
                .iter()
                .any(|m| m.starts_with(&last) && m.ends_with("transferred from \"East\"")),
            "{west_events:?}"
        );
        let transferred = app::entities::event::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .iter()
            .filter(|e| e.kind == app::domain::events::EventKind::InstanceTransferred)
            .count();
        assert_eq!(transferred, 2 * n, "an event in each pool per instance");

        // Ticked rows: removed, licenses released.
        let three = BulkSelection::Ids(ids[..3].to_vec());
        let done = run(&mut c, three, BulkAction::Remove).await.unwrap();
        assert_eq!(done[0].done, 3);
        assert_eq!(
            held(&mut c, &app, west).await,
            (n as i64 - 3, 2 * (n as i64 - 3))
        );
        let removed = events(&mut c, west, "instance.removed").await;
        assert!(
            removed
                .iter()
                .any(|m| m.starts_with("Product instance edge-0001 (")
                    && m.ends_with("removed; its licenses are released")),
            "{removed:?}"
        );
    }
}

#[tokio::test]
async fn rows_out_of_reach_stay_put_and_are_reported() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (_, [east, west, lab]) = acme(&app).await;
        let mine = instance(&app, west, "west-01", &[]).await;
        let theirs = instance(&app, east, "east-01", &[]).await;
        let mut pat = app
            .user("Acme", "pat", Role::PoolAdmin, &["West", "Lab"])
            .await;

        // East's row is not even seen: only West's moves.
        let done = run(
            &mut pat,
            BulkSelection::Ids(vec![mine, theirs]),
            BulkAction::Transfer { target: lab },
        )
        .await
        .unwrap();
        assert_eq!((done[0].done, done[0].skipped.len()), (1, 0), "{backend:?}");
        assert_eq!(held(&mut pat, &app, lab).await.0, 1);
        assert_eq!(
            app::entities::virtual_account::Entity::find_by_id(east)
                .one(app.db())
                .await
                .unwrap()
                .unwrap()
                .instance_count,
            1
        );
        // Not to a pool pat may not change, and not "all of East".
        let refused = step(
            &mut pat,
            &BulkStep {
                selection: BulkSelection::Ids(vec![mine]),
                action: BulkAction::Transfer { target: east },
                after: None,
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(refused, AppError::Validation { ref field, .. } if field == "target"));
        let all_east = BulkSelection::Matching {
            pool: east,
            search: String::new(),
            status: None,
        };
        assert_eq!(
            run(&mut pat, all_east.clone(), BulkAction::Remove)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        // A viewer of Lab sees the row but may not remove it: skipped with the reason.
        let mut vi = app.user("Acme", "vi", Role::PoolViewer, &["Lab"]).await;
        let done = run(&mut vi, BulkSelection::Ids(vec![mine]), BulkAction::Remove)
            .await
            .unwrap();
        assert_eq!(done[0].done, 0);
        assert_eq!(
            done[0].skipped[0].reason,
            "You may not change its virtual account."
        );
        assert!(run(
            &mut vi,
            BulkSelection::Matching {
                pool: lab,
                search: String::new(),
                status: None,
            },
            BulkAction::Remove
        )
        .await
        .is_err());
        assert_eq!(held(&mut pat, &app, lab).await.0, 1, "still there");
    }
}

#[tokio::test]
async fn bulk_runs_at_once_move_each_row_once() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (c, [east, west, lab]) = acme(&app).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        let mut ids = Vec::new();
        for i in 0..60 {
            ids.push(instance(&app, east, &format!("r-{i:03}"), &[(TAG, 1)]).await);
        }
        // 200 requests at once: half move the rows to West, half to Lab, some remove a few.
        let mut tasks = Vec::new();
        for k in 0..200 {
            let mut c = c.clone();
            let ids = ids.clone();
            tasks.push(tokio::spawn(async move {
                let (selection, action) = match k % 3 {
                    0 => (
                        BulkSelection::Ids(ids),
                        BulkAction::Transfer { target: west },
                    ),
                    1 => (
                        BulkSelection::Ids(ids),
                        BulkAction::Transfer { target: lab },
                    ),
                    _ => (
                        BulkSelection::Ids(ids[k % 60..k % 60 + 1].to_vec()),
                        BulkAction::Remove,
                    ),
                };
                step(
                    &mut c,
                    &BulkStep {
                        selection,
                        action,
                        after: None,
                    },
                )
                .await
            }));
        }
        for t in tasks {
            // A run may lose a race (PostgreSQL's serialization), never corrupt a count.
            let _ = t.await.unwrap();
        }
        let mut c = c.clone();
        let (mut instances, mut in_use) = (0, 0);
        for pool in [east, west, lab] {
            let (n, used) = held(&mut c, &app, pool).await;
            let real = app::entities::product_instance::Entity::find()
                .all(app.db())
                .await
                .unwrap()
                .iter()
                .filter(|m| m.virtual_account_id == pool)
                .count() as i64;
            assert_eq!(n, real, "{backend:?}: pool {pool}'s count is its rows");
            assert_eq!(used, real, "each uses one");
            instances += n;
            in_use += used;
        }
        let (in_east, _) = held(&mut c, &app, east).await;
        assert!(in_east < 60, "{backend:?}: some run moved or removed rows");
        let left = app::entities::product_instance::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .len() as i64;
        assert_eq!((instances, in_use), (left, left));
    }
}

async fn shortfalls(
    c: &mut Client,
    selection: &BulkSelection,
    target: i64,
) -> Result<Vec<app::model::Shortfall>, AppError> {
    c.call_json(
        "instances/transfer-shortfalls",
        json!({ "selection": selection, "target": target }),
    )
    .await
    .result()
}

#[tokio::test]
async fn a_transfer_confirmation_names_the_licenses_the_target_would_go_short_of() {
    const OTHER: &str = "A9K-400G-LIC";
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, lab]) = acme(&app).await;
        catalogue(
            &app,
            &[
                (TAG, "100GE port", "ASR 9000"),
                (OTHER, "400GE port", "ASR 9000"),
            ],
        )
        .await;
        // West holds 10 of TAG and uses 8; Lab holds none and already uses 1 of OTHER.
        lot(&app, "West", TAG, 10, -1, None).await;
        instance(&app, west, "west-01", &[(TAG, 8)]).await;
        instance(&app, lab, "lab-01", &[(OTHER, 1)]).await;
        let a = instance(&app, east, "edge-a", &[(TAG, 2)]).await;
        let b = instance(&app, east, "edge-b", &[(TAG, 3), (OTHER, 2)]).await;
        let none = instance(&app, east, "edge-c", &[]).await;

        // Two of TAG fit West exactly: no warning.
        let one = BulkSelection::Ids(vec![a]);
        assert_eq!(
            shortfalls(&mut c, &one, west).await.unwrap(),
            [],
            "{backend:?}"
        );
        // Both: 8 + 5 = 13 of 10 (3 short), and 2 of OTHER that West has none of.
        let both = BulkSelection::Ids(vec![a, b, none]);
        let got = shortfalls(&mut c, &both, west).await.unwrap();
        let got: Vec<(String, i64, i64)> =
            got.into_iter().map(|s| (s.tag, s.short, s.added)).collect();
        assert_eq!(
            got,
            [(TAG.to_owned(), 3, 3), (OTHER.to_owned(), 2, 2)],
            "by tag"
        );
        // Lab is short of OTHER already: the transfer adds 2 to the 1.
        let got = shortfalls(&mut c, &BulkSelection::Ids(vec![b]), lab)
            .await
            .unwrap();
        let got: Vec<(String, i64, i64)> =
            got.into_iter().map(|s| (s.tag, s.short, s.added)).collect();
        assert_eq!(got, [(TAG.to_owned(), 3, 3), (OTHER.to_owned(), 3, 2)]);
        // "Select all" matching a search counts the same.
        let all = BulkSelection::Matching {
            pool: east,
            search: "EDGE-".into(),
            status: None,
        };
        assert_eq!(shortfalls(&mut c, &all, west).await.unwrap().len(), 2);
        // Instances already in the target do not count, and nothing moves.
        assert_eq!(
            shortfalls(&mut c, &BulkSelection::Ids(vec![a, b]), east)
                .await
                .unwrap(),
            []
        );
        let (instances, in_use) = held(&mut c, &app, east).await;
        assert_eq!((instances, in_use), (3, 5));
        // A pool the user cannot see is refused as a target, naming the field.
        let err = shortfalls(&mut c, &one, 999_999).await.unwrap_err();
        assert!(err.for_field("target").is_some(), "{err:?}");
    }
}
