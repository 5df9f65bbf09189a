//! The conservation of licenses under concurrent transfers: 240 transfers at once in both directions
//! between three pools, on SQLite and PostgreSQL.

use crate::common;
use crate::licenses_common;

use app::entities::{event, license_lot, license_transfer, user};
use app::services::usage;
use common::{backends, TestApp};
use licenses_common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// A tiny deterministic generator, so that a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_transfers_never_change_a_total_nor_give_what_is_in_use() {
    const TASKS: usize = 240;
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (_c, pools) = acme(&app).await;
        catalogue(
            &app,
            &[
                (TAG, "100GE port", "ASR 9000"),
                ("A9K-10G-LIC", "10GE port", "ASR 9000"),
            ],
        )
        .await;
        let in_use = [60, 80, 95];
        for (i, name) in ["East", "West", "Lab"].into_iter().enumerate() {
            lot(&app, name, TAG, 50, -400, None).await;
            lot(&app, name, TAG, 30, -10, Some(30 + i as i64)).await;
            lot(&app, name, TAG, 20, -10, Some(300)).await;
            lot(&app, name, "A9K-10G-LIC", 7, -10, None).await;
            instance(&app, pools[i], &format!("host-{i}"), &[(TAG, in_use[i])]).await;
        }
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

        let mut rng = Lcg(7);
        let mut tasks = Vec::new();
        for i in 0..TASKS {
            let from = pools[i % 3];
            let to = pools[(i % 3 + 1 + rng.next(2) as usize) % 3];
            let quantity = (1 + rng.next(8)).to_string();
            let (db, actor) = (app.db().clone(), actor.clone());
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
        assert!(
            refused > 0 && moved > 0,
            "both outcomes happen: refused {refused}, moved {moved}"
        );

        let all = license_lot::Entity::find()
            .filter(license_lot::Column::LicenseId.eq(id))
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(
            all.iter().map(|l| l.quantity).sum::<i64>(),
            300,
            "the total never changes ({backend:?})"
        );
        assert!(
            all.iter().all(|l| l.quantity > 0),
            "no empty lot is left behind"
        );
        let history = license_transfer::Entity::find()
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(history.iter().map(|t| t.quantity).sum::<i64>(), moved);
        assert_eq!(history.len(), TASKS - refused);
        for (i, &pool) in pools.iter().enumerate() {
            let tags = [TAG.to_owned()];
            let active = usage::active_quantity(app.db(), pool, Some(&tags), now)
                .await
                .unwrap()[TAG];
            let used = usage::in_use(app.db(), pool, Some(&tags)).await.unwrap()[TAG];
            assert!(
                active >= used,
                "pool {i} gave licenses in use: {active} < {used}"
            );
            let received: i64 = history
                .iter()
                .filter(|t| t.to_virtual_account_id == pool)
                .map(|t| t.quantity)
                .sum();
            let given: i64 = history
                .iter()
                .filter(|t| t.from_virtual_account_id == pool)
                .map(|t| t.quantity)
                .sum();
            assert_eq!(
                active,
                100 + received - given,
                "pool {i}: the history explains the balance"
            );
            let ten =
                usage::active_quantity(app.db(), pool, Some(&["A9K-10G-LIC".to_owned()]), now)
                    .await
                    .unwrap();
            assert_eq!(ten["A9K-10G-LIC"], 7, "another license is untouched");
        }
        let events = event::Entity::find()
            .filter(event::Column::Kind.eq("license.transferred"))
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(
            events.len(),
            2 * history.len(),
            "one event in each pool per transfer"
        );
    }
}
