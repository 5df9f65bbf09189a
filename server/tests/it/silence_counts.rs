//! The counters of silent instances (`silence_hours`, with PostgreSQL's `silence_moves` not yet
//! folded): after any mix of writes (instances added, contacts moving their `silent_after` across
//! hours, one at a time or in batches as the device writer does, moves to another pool, removals)
//! they equal the instances counted one by one, and the Alerts page's "Failed to Connect" counts
//! equal the instances silent now; hundreds of concurrent writing transactions neither fail nor leave
//! them wrong (SQLite and PostgreSQL).

use std::collections::BTreeMap;

use crate::common;
use crate::licenses_common::{acme, instance};

use app::domain::alerts::{Alert, AlertKind, AlertSource};
use app::entities::product_instance as pi;
use app::services::housekeeping;
use chrono::{DateTime, Duration, Utc};
use common::{backends, Client, TestApp};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set, Statement, TransactionTrait,
};

/// One write, with indexes into the instances there are (taken modulo their number).
#[derive(Debug, Clone)]
enum Op {
    Add {
        pool: usize,
        secs: i64,
    },
    Contact {
        which: usize,
        secs: i64,
    },
    Batch {
        first: usize,
        len: usize,
        secs: i64,
    },
    Move {
        which: usize,
        pool: usize,
    },
    MoveAndContact {
        which: usize,
        pool: usize,
        secs: i64,
    },
    Remove {
        which: usize,
    },
}

/// Seconds from now for a `silent_after`: within a few minutes of an hour's edge, or anywhere over
/// ten days either way.
fn offset() -> impl Strategy<Value = i64> {
    prop_oneof![
        (-240i64..240, -90i64..90).prop_map(|(h, s)| h * 3600 + s),
        -864_000i64..864_000,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..3, offset()).prop_map(|(pool, secs)| Op::Add { pool, secs }),
        (any::<usize>(), offset()).prop_map(|(which, secs)| Op::Contact { which, secs }),
        (any::<usize>(), 1usize..40, offset()).prop_map(|(first, len, secs)| Op::Batch {
            first,
            len,
            secs
        }),
        (any::<usize>(), 0usize..3).prop_map(|(which, pool)| Op::Move { which, pool }),
        (any::<usize>(), 0usize..3, offset()).prop_map(|(which, pool, secs)| Op::MoveAndContact {
            which,
            pool,
            secs
        }),
        any::<usize>().prop_map(|which| Op::Remove { which }),
    ]
}

async fn ids(app: &TestApp) -> Vec<i64> {
    pi::Entity::find()
        .select_only()
        .column(pi::Column::Id)
        .into_tuple::<i64>()
        .all(app.db())
        .await
        .unwrap()
}

async fn set(app: &TestApp, id: i64, pool: Option<i64>, silent_after: Option<DateTime<Utc>>) {
    let mut m = pi::Entity::find_by_id(id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    if let Some(pool) = pool {
        m.virtual_account_id = Set(pool);
    }
    if let Some(at) = silent_after {
        m.silent_after = Set(at);
    }
    m.update(app.db()).await.unwrap();
}

async fn apply(app: &TestApp, pools: [i64; 3], ops: &[Op]) {
    let now = app.now();
    for op in ops {
        let all = ids(app).await;
        let pick = |i: usize| all[i % all.len()];
        match *op {
            Op::Add { pool, secs } => {
                let id = instance(app, pools[pool], "r", &[]).await;
                set(app, id, None, Some(now + Duration::seconds(secs))).await;
            }
            _ if all.is_empty() => {}
            Op::Contact { which, secs } => {
                set(app, pick(which), None, Some(now + Duration::seconds(secs))).await
            }
            Op::Batch { first, len, secs } => {
                let chosen: Vec<i64> = (first..first + len).map(pick).collect();
                pi::Entity::update_many()
                    .col_expr(
                        pi::Column::SilentAfter,
                        Expr::value(now + Duration::seconds(secs)),
                    )
                    .filter(pi::Column::Id.is_in(chosen))
                    .exec(app.db())
                    .await
                    .unwrap();
            }
            Op::Move { which, pool } => set(app, pick(which), Some(pools[pool]), None).await,
            Op::MoveAndContact { which, pool, secs } => {
                let at = now + Duration::seconds(secs);
                set(app, pick(which), Some(pools[pool]), Some(at)).await
            }
            Op::Remove { which } => {
                pi::Entity::delete_by_id(pick(which))
                    .exec(app.db())
                    .await
                    .unwrap();
            }
        }
    }
}

/// (pool, hour) → instances, as the counters and the unfolded moves say.
async fn counters(app: &TestApp) -> BTreeMap<(i64, i64), i64> {
    let sql = "SELECT virtual_account_id AS pool, hour, CAST(SUM(n) AS BIGINT) AS n FROM \
               (SELECT virtual_account_id, hour, instances AS n FROM silence_hours \
                UNION ALL SELECT virtual_account_id, hour, d FROM silence_moves) c \
               GROUP BY virtual_account_id, hour";
    let db = app.db();
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.into_iter()
        .map(|r| {
            let key = (
                r.try_get("", "pool").unwrap(),
                r.try_get("", "hour").unwrap(),
            );
            (key, r.try_get::<i64>("", "n").unwrap())
        })
        .filter(|(_, n)| *n != 0)
        .collect()
}

/// (pool, hour) → instances, counted one by one.
async fn truth(app: &TestApp) -> BTreeMap<(i64, i64), i64> {
    let mut out = BTreeMap::new();
    for m in pi::Entity::find().all(app.db()).await.unwrap() {
        let hour = m.silent_after.timestamp().div_euclid(3600);
        *out.entry((m.virtual_account_id, hour)).or_default() += 1;
    }
    out
}

/// Pool → how many "Failed to Connect" the Alerts page says.
async fn failed_to_connect(c: &mut Client) -> BTreeMap<i64, i64> {
    let list: Vec<Alert> = c
        .call("alerts/list", &[("severity", "")])
        .await
        .result()
        .unwrap();
    list.into_iter()
        .filter(|a| a.kind == AlertKind::InstanceFailedToConnect)
        .map(|a| {
            let n = match a.source {
                AlertSource::Instance { .. } => 1,
                AlertSource::Instances { count, .. } => count,
                other => panic!("a silent alert about {other:?}"),
            };
            (a.pool_id, n)
        })
        .collect()
}

/// Pool → instances silent now, counted one by one.
async fn silent_now(app: &TestApp) -> BTreeMap<i64, i64> {
    let mut out = BTreeMap::new();
    for m in pi::Entity::find()
        .filter(pi::Column::SilentAfter.lt(app.now()))
        .all(app.db())
        .await
        .unwrap()
    {
        *out.entry(m.virtual_account_id).or_default() += 1;
    }
    out
}

async fn check(app: &TestApp, c: &mut Client, ops: &[Op]) {
    assert_eq!(counters(app).await, truth(app).await, "after {ops:?}");
    assert_eq!(
        failed_to_connect(c).await,
        silent_now(app).await,
        "after {ops:?}"
    );
}

#[test]
fn the_counters_follow_every_kind_of_write() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for backend in backends() {
        let app = rt.block_on(TestApp::new(&backend));
        let (mut c, pools) = rt.block_on(acme(&app));
        let c = std::cell::RefCell::new(&mut c);
        let mut runner = TestRunner::new(Config {
            cases: 24,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&proptest::collection::vec(op(), 1..30), |ops| {
                rt.block_on(async {
                    apply(&app, pools, &ops).await;
                    check(&app, &mut c.borrow_mut(), &ops).await;
                    // The sweep folds PostgreSQL's moves into the counters: the same figures after.
                    housekeeping::sweep(app.db(), app.now()).await.unwrap();
                    check(&app, &mut c.borrow_mut(), &ops).await;
                });
                Ok(())
            })
            .unwrap();
        let moves: Vec<_> = rt.block_on(async {
            let db = app.db();
            db.query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT id FROM silence_moves",
            ))
            .await
            .unwrap()
        });
        assert!(
            moves.is_empty(),
            "{backend:?}: the sweep leaves no move unfolded"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundreds_of_concurrent_writers_neither_fail_nor_miscount() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (_c, pools) = acme(&app).await;
        let mut all = Vec::new();
        for i in 0..600 {
            all.push(instance(&app, pools[i % 3], "r", &[]).await);
        }
        let now = app.now();
        let mut tasks = Vec::new();
        for t in 0..200usize {
            let db = app.db().clone();
            let all = all.clone();
            tasks.push(tokio::spawn(async move {
                // As the device writer and a transfer do: several statements in one transaction,
                // each moving its instances across hours (and one across pools), while 199 other
                // transactions move theirs through the same counters in other orders.
                let txn = db.begin().await?;
                for s in 0..3usize {
                    let chosen: Vec<i64> = (0..3).map(|k| all[t * 3 + k]).collect();
                    let hours = ((t * 7 + s * 13) % 50) as i64 - 25;
                    pi::Entity::update_many()
                        .col_expr(
                            pi::Column::SilentAfter,
                            Expr::value(now + Duration::seconds(hours * 3600 + t as i64)),
                        )
                        .filter(pi::Column::Id.is_in(chosen))
                        .exec(&txn)
                        .await?;
                }
                pi::Entity::update_many()
                    .col_expr(pi::Column::VirtualAccountId, Expr::value(pools[t % 3]))
                    .filter(pi::Column::Id.eq(all[t * 3 + t % 3]))
                    .exec(&txn)
                    .await?;
                txn.commit().await
            }));
        }
        let mut failed = Vec::new();
        for task in tasks {
            if let Err(e) = task.await.unwrap() {
                failed.push(e.to_string());
            }
        }
        assert!(
            failed.is_empty(),
            "{backend:?}: {} failed: {:?}",
            failed.len(),
            &failed[..failed.len().min(3)]
        );
        assert_eq!(counters(&app).await, truth(&app).await, "{backend:?}");
        housekeeping::sweep(app.db(), app.now()).await.unwrap();
        assert_eq!(
            counters(&app).await,
            truth(&app).await,
            "{backend:?} after the fold"
        );
    }
}
