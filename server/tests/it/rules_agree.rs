//! Rules that also run in SQL agree with their Rust function: for random tokens, instances and lots
//! and a random "now" (boundaries included), the rows each state's SQL condition selects are exactly
//! the rows the Rust rule puts in that state (SQLite and PostgreSQL).

use std::collections::BTreeSet;

use app::domain::device::sql::instance_status;
use app::domain::licenses::sql::lot_state;
use app::domain::licenses::LotState;
use app::domain::tokens::sql::token_state;
use app::domain::tokens::TokenState;
use app::entities::{license_lot, product_instance as pi, token};
use app::protocol::{InstanceStatus, SYNC_INTERVAL_SECS};
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set,
};

use crate::common::{backends, TestApp};

const DAY: i64 = 86_400;

/// A whole-second instant (every backend stores seconds exactly).
fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

/// Offsets from "now" in seconds: the boundaries of the rules and anything around them.
fn offset() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(0),
        Just(1),
        Just(-1),
        Just(-2 * SYNC_INTERVAL_SECS),
        Just(-2 * SYNC_INTERVAL_SECS - 1),
        -100 * DAY..100 * DAY,
    ]
}

/// The app, the pool everything goes into, and a runtime to drive them from proptest.
struct Fixture {
    rt: tokio::runtime::Runtime,
    db: DatabaseConnection,
    pool: i64,
    license: i64,
}

fn fixture(backend: &crate::common::Backend) -> Fixture {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (db, pool, license) = rt.block_on(async {
        let app = TestApp::new(backend).await;
        let (account, _) = app::services::users::create_account(
            app.db(),
            "Rules",
            "rita",
            crate::common::PASSWORD,
            app.now(),
        )
        .await
        .unwrap();
        let pool = app::services::users::find_pool(app.db(), account.id, "Default")
            .await
            .unwrap()
            .id;
        let license = app::services::catalogue::add_license(app.db(), "T-RULES", "Rules", "F")
            .await
            .unwrap()
            .id;
        (app.db().clone(), pool, license)
    });
    Fixture {
        rt,
        db,
        pool,
        license,
    }
}

/// For each of `states`, the rows of `E` that its SQL condition selects are exactly the rows the Rust
/// rule put in it (`expected`: id and state).
async fn agree<E: EntityTrait, S: Copy + PartialEq + std::fmt::Debug>(
    db: &DatabaseConnection,
    id: E::Column,
    states: &[S],
    expected: &[(i64, S)],
    sql: impl Fn(S) -> Condition,
) -> Result<(), TestCaseError> {
    for &state in states {
        let selected: BTreeSet<i64> = E::find()
            .select_only()
            .column(id)
            .filter(sql(state))
            .into_tuple::<i64>()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .collect();
        let ruled: BTreeSet<i64> = expected
            .iter()
            .filter(|(_, s)| *s == state)
            .map(|(id, _)| *id)
            .collect();
        prop_assert_eq!(selected, ruled, "{:?}", state);
    }
    Ok(())
}

type TokenSpec = (i64, bool, i32, Option<i32>);

#[test]
fn token_states_agree_in_sql_and_rust() {
    for backend in backends() {
        let f = fixture(&backend);
        let specs = proptest::collection::vec(
            (
                offset(),
                any::<bool>(),
                0i32..4,
                proptest::option::of(1i32..4),
            ),
            1..25,
        );
        let mut runner = TestRunner::new(Config {
            cases: 24,
            ..Config::default()
        });
        runner
            .run(&(specs, offset()), |(specs, now): (Vec<TokenSpec>, i64)| {
                f.rt.block_on(async {
                    token::Entity::delete_many().exec(&f.db).await.unwrap();
                    let now = at(now);
                    let mut expected: Vec<(i64, TokenState)> = Vec::new();
                    for (i, (expires, revoked, uses, max_uses)) in specs.into_iter().enumerate() {
                        let expires_at = now + Duration::seconds(expires);
                        let row = token::ActiveModel {
                            virtual_account_id: Set(f.pool),
                            token: Set(format!("idt_rules_{i}_{}", crate::common::unique())),
                            description: Set(String::new()),
                            created_by: Set("rita".into()),
                            created_at: Set(now),
                            expires_at: Set(expires_at),
                            max_uses: Set(max_uses),
                            uses: Set(uses),
                            allow_export_controlled: Set(true),
                            revoked_at: Set(revoked.then_some(now)),
                            revoke_reason: Set(None),
                            ..Default::default()
                        }
                        .insert(&f.db)
                        .await
                        .unwrap();
                        let state = TokenState::of(expires_at, revoked, uses, max_uses, now);
                        expected.push((row.id, state));
                    }
                    agree::<token::Entity, _>(
                        &f.db,
                        token::Column::Id,
                        &TokenState::ALL,
                        &expected,
                        |state| token_state(state, now),
                    )
                    .await
                })
            })
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    }
}

type InstanceSpec = (i64, Option<i64>, bool);

#[test]
fn instance_statuses_agree_in_sql_and_rust() {
    for backend in backends() {
        let f = fixture(&backend);
        let specs = proptest::collection::vec(
            (offset(), proptest::option::of(offset()), any::<bool>()),
            1..25,
        );
        let mut runner = TestRunner::new(Config {
            cases: 24,
            ..Config::default()
        });
        runner
            .run(
                &(specs, offset()),
                |(specs, now): (Vec<InstanceSpec>, i64)| {
                    f.rt.block_on(async {
                        pi::Entity::delete_many().exec(&f.db).await.unwrap();
                        let now = at(now);
                        let mut expected: Vec<(i64, InstanceStatus)> = Vec::new();
                        let mut short = Vec::new();
                        for (i, (contact, auth, ooc)) in specs.into_iter().enumerate() {
                            let last_contact_at = now + Duration::seconds(contact);
                            let auth_expires_at = auth.map(|a| now + Duration::seconds(a));
                            let row = pi::ActiveModel {
                                virtual_account_id: Set(f.pool),
                                pid: Set("ASR-9006-AC".into()),
                                sn: Set(format!("RULES{i}")),
                                hostname: Set(format!("r{i}")),
                                product: Set("ASR9K".into()),
                                software_version: Set(None),
                                credential_hash: Set(crate::common::unique()),
                                token_id: Set(None),
                                registered_at: Set(now),
                                last_contact_at: Set(last_contact_at),
                                silent_after: Set(app::domain::alerts::silent_after(
                                    last_contact_at,
                                )),
                                id_cert_serial: Set("S".into()),
                                id_cert_expires_at: Set(now),
                                auth_expires_at: Set(auth_expires_at),
                                ..Default::default()
                            }
                            .insert(&f.db)
                            .await
                            .unwrap();
                            if ooc {
                                short.push(row.id);
                            }
                            let status =
                                InstanceStatus::of(last_contact_at, auth_expires_at, ooc, now);
                            expected.push((row.id, status));
                        }
                        // The reports pass "uses a tag its pool is short of"; here, a list of ids.
                        let ooc = || Condition::all().add(pi::Column::Id.is_in(short.clone()));
                        agree::<pi::Entity, _>(
                            &f.db,
                            pi::Column::Id,
                            &InstanceStatus::ALL,
                            &expected,
                            |status| instance_status(status, now, ooc()),
                        )
                        .await
                    })
                },
            )
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    }
}

#[test]
fn lot_states_agree_in_sql_and_rust() {
    for backend in backends() {
        let f = fixture(&backend);
        let specs = proptest::collection::vec((offset(), proptest::option::of(offset())), 1..25);
        let mut runner = TestRunner::new(Config {
            cases: 24,
            ..Config::default()
        });
        runner
            .run(
                &(specs, offset()),
                |(specs, now): (Vec<(i64, Option<i64>)>, i64)| {
                    f.rt.block_on(async {
                        license_lot::Entity::delete_many()
                            .exec(&f.db)
                            .await
                            .unwrap();
                        let now = at(now);
                        let mut expected: Vec<(i64, LotState)> = Vec::new();
                        for (start, end) in specs {
                            let starts_at = now + Duration::seconds(start);
                            let ends_at = end.map(|e| now + Duration::seconds(e));
                            let row = license_lot::ActiveModel {
                                virtual_account_id: Set(f.pool),
                                license_id: Set(f.license),
                                quantity: Set(1),
                                starts_at: Set(starts_at),
                                ends_at: Set(ends_at),
                                source_ref: Set("rules".into()),
                                origin_lot_id: Set(None),
                                created_at: Set(now),
                                ..Default::default()
                            }
                            .insert(&f.db)
                            .await
                            .unwrap();
                            expected.push((row.id, LotState::at(starts_at, ends_at, now)));
                        }
                        agree::<license_lot::Entity, _>(
                            &f.db,
                            license_lot::Column::Id,
                            &LotState::ALL,
                            &expected,
                            |state| lot_state(state, license_lot::Entity, now),
                        )
                        .await
                    })
                },
            )
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    }
}
