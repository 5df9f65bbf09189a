//! Two portal processes on one database (two routers, two connection pools): the rules that hold in one
//! process hold across both — a token's max uses, and the conservation of licenses under transfers.

use crate::common;
use crate::device_api::{registration, setup, spawn_register};
use crate::licenses_common::*;

use app::entities::{license_lot, license_transfer, product_instance, token, user};
use axum::http::StatusCode;
use common::{backends, TestApp, NO_LIMITS};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_registrations_over_two_processes_count_max_uses_exactly() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token_text = setup(&app, 0, "50").await;
        let other = app.another_process(NO_LIMITS).await;
        let routers = [app.router.clone(), other.router.clone()];
        let mut tasks = Vec::new();
        for i in 0..200 {
            tasks.push(spawn_register(
                routers[i % 2].clone(),
                registration(&token_text, &format!("SN2P{i:04}"), false),
            ));
        }
        let (mut created, mut exhausted) = (0, 0);
        for t in tasks {
            match t.await.unwrap() {
                StatusCode::CREATED => created += 1,
                StatusCode::FORBIDDEN => exhausted += 1,
                other => panic!("unexpected {other} on {backend:?}"),
            }
        }
        assert_eq!((created, exhausted), (50, 150), "{backend:?}");
        let tok = token::Entity::find()
            .filter(token::Column::Token.eq(token_text.as_str()))
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(tok.uses, 50);
        assert_eq!(
            product_instance::Entity::find()
                .count(app.db())
                .await
                .unwrap(),
            50
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transfers_over_two_processes_conserve_every_total() {
    const TASKS: usize = 200;
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (_c, pools) = acme(&app).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        for (i, name) in ["East", "West", "Lab"].into_iter().enumerate() {
            lot(&app, name, TAG, 60, -100, None).await;
            lot(&app, name, TAG, 40, -10, Some(200)).await;
            instance(
                &app,
                pools[i],
                &format!("host-{i}"),
                &[(TAG, 30 + 20 * i as i64)],
            )
            .await;
        }
        let other = app.another_process(NO_LIMITS).await;
        let dbs = [app.db().clone(), other.state.db.clone()];
        let id = license_id(&app, TAG).await;
        let alice = user::Entity::find()
            .filter(user::Column::Username.eq("alice"))
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        let (actor, _) = app::services::actors::load(app.db(), alice.id, None)
            .await
            .unwrap();
        let now = app.now();
        let mut tasks = Vec::new();
        for i in 0..TASKS {
            let (from, to) = (pools[i % 3], pools[(i + 1 + i / 3 % 2) % 3]);
            let quantity = (1 + i % 7).to_string();
            let (db, actor) = (dbs[i % 2].clone(), actor.clone());
            tasks.push(tokio::spawn(async move {
                let form = app::model::LicenseTransferForm {
                    from: app::model::LicenseInPool {
                        pool: from,
                        license: id,
                    },
                    fields: app::domain::licenses::TransferForm {
                        target: to.to_string(),
                        quantity,
                    },
                };
                app::services::licenses::transfer(&db, &actor, form, now).await
            }));
        }
        let (mut moved, mut refused) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Ok(done) => moved += done.quantity,
                Err(e) if e.for_field("quantity").is_some() => refused += 1,
                Err(other) => panic!("unexpected failure on {backend:?}: {other:?}"),
            }
        }
        assert!(moved > 0, "{backend:?}");
        let lots = license_lot::Entity::find()
            .filter(license_lot::Column::LicenseId.eq(id))
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(
            lots.iter().map(|l| l.quantity).sum::<i64>(),
            300,
            "{backend:?}: total conserved"
        );
        let history = license_transfer::Entity::find()
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(history.len(), TASKS - refused);
        assert_eq!(history.iter().map(|t| t.quantity).sum::<i64>(), moved);
        for (i, &pool) in pools.iter().enumerate() {
            let tags = [TAG.to_owned()];
            let active = app::services::usage::active_quantity(app.db(), pool, Some(&tags), now)
                .await
                .unwrap()[TAG];
            let used = app::services::usage::in_use(app.db(), pool, Some(&tags))
                .await
                .unwrap()[TAG];
            assert!(
                active >= used,
                "{backend:?}: pool {i} gave licenses in use ({active} < {used})"
            );
            let net: i64 = history
                .iter()
                .map(|t| {
                    (t.to_virtual_account_id == pool) as i64 * t.quantity
                        - (t.from_virtual_account_id == pool) as i64 * t.quantity
                })
                .sum();
            assert_eq!(
                active,
                100 + net,
                "{backend:?}: pool {i}'s history explains its balance"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fleet_spread_over_eight_pools_registers_over_two_processes_without_a_deadlock() {
    // Eight virtual accounts with a token each, and 800 registrations at once over two processes,
    // one process taking the tokens in ascending order, the other in descending: each process's batches hold several tokens, which they once locked
    // in the order their registrations came, so that the two processes deadlocked on PostgreSQL,
    // again on every retry, and devices got internal_error or no answer.
    const DEVICES: usize = 800;
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut tokens = vec![setup(&app, 0, "").await];
        let (actor, _) = app::services::actors::load(app.db(), 1, None)
            .await
            .unwrap();
        for n in 2..=8 {
            let pool =
                app::services::pools::create(app.db(), &actor, &format!("Pool {n}"), "", app.now())
                    .await
                    .unwrap();
            let form = app::domain::tokens::NewToken::try_from(app::domain::tokens::NewTokenForm {
                description: "t".into(),
                expire_days: "30".into(),
                max_uses: String::new(),
                allow_export_controlled: Some("on".into()),
            })
            .unwrap();
            tokens.push(
                app::services::tokens::create(app.db(), &actor, pool.id, form, app.now())
                    .await
                    .unwrap()
                    .token,
            );
        }
        let other = app.another_process(NO_LIMITS).await;
        let routers = [app.router.clone(), other.router.clone()];
        let mut tasks = Vec::new();
        for i in 0..DEVICES {
            // One process gets the tokens in ascending order, the other in descending.
            let n = (i / 2) % tokens.len();
            let n = if i % 2 == 0 { n } else { tokens.len() - 1 - n };
            tasks.push(spawn_register(
                routers[i % 2].clone(),
                registration(&tokens[n], &format!("SN8P{i:04}"), false),
            ));
        }
        let mut refused = Vec::new();
        for t in tasks {
            let status = t.await.unwrap();
            if status != StatusCode::CREATED {
                refused.push(status);
            }
        }
        assert!(
            refused.is_empty(),
            "{backend:?}: {} refused: {refused:?}",
            refused.len()
        );
        assert_eq!(
            product_instance::Entity::find()
                .count(app.db())
                .await
                .unwrap(),
            DEVICES as u64
        );
        let uses: Vec<i32> = token::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.uses)
            .collect();
        assert_eq!(uses, vec![(DEVICES / 8) as i32; 8], "{backend:?}");
    }
}
