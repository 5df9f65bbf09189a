//! "Resolve Shortages…" through its server functions (SQLite and PostgreSQL): the plan clears every
//! shortage with the fewest transfers, Apply runs it as one change with its events and keeps every
//! total, a plan made stale by a change in between is refused with nothing moved, a user who may
//! change only some pools gets a plan among those only, and concurrent Applies move once.

use app::domain::roles::Role;
use app::entities::license_lot;
use app::error::AppError;
use app::model::{ShortagePlanView, ShortagesResolved};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::common::{backends, Client, TestApp};
use crate::licenses_common::*;

const TEN_G: &str = "A9K-10G-LIC";

async fn plan(c: &mut Client) -> ShortagePlanView {
    c.call("licenses/shortage-plan", &[])
        .await
        .result()
        .unwrap()
}

async fn apply(c: &mut Client, fingerprint: &str) -> Result<ShortagesResolved, AppError> {
    c.call(
        "licenses/resolve-shortages",
        &[("fingerprint", fingerprint)],
    )
    .await
    .result()
}

fn moves(plan: &ShortagePlanView) -> Vec<(&str, &str, &str, i64, i64, i64)> {
    plan.moves
        .iter()
        .map(|m| {
            (
                m.tag.as_str(),
                m.from_name.as_str(),
                m.to_name.as_str(),
                m.quantity,
                m.from_balance,
                m.to_balance,
            )
        })
        .collect()
}

/// East holds 20 × 100GE spare; West is 3 short and Lab 2 short of it; West uses 4 × 10GE nobody
/// holds.
async fn shortages(app: &TestApp) -> (Client, [i64; 3]) {
    let (c, [east, west, lab]) = acme(app).await;
    catalogue(
        app,
        &[
            (TAG, "100GE port", "ASR 9000"),
            (TEN_G, "10GE port", "ASR 9000"),
        ],
    )
    .await;
    lot(app, "East", TAG, 20, -10, None).await;
    lot(app, "West", TAG, 5, -10, None).await;
    instance(app, west, "sfo-bng-01", &[(TAG, 8), (TEN_G, 4)]).await;
    instance(app, lab, "lab-dut-01", &[(TAG, 2)]).await;
    (c, [east, west, lab])
}

async fn total(app: &TestApp, tag: &str) -> i64 {
    let license = license_id(app, tag).await;
    license_lot::Entity::find()
        .filter(license_lot::Column::LicenseId.eq(license))
        .all(app.db())
        .await
        .unwrap()
        .iter()
        .map(|l| l.quantity)
        .sum()
}

#[tokio::test]
async fn apply_clears_every_shortage_it_can_in_one_change_and_says_what_to_buy() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, lab]) = shortages(&app).await;
        let shown = plan(&mut c).await;
        assert_eq!(
            moves(&shown),
            [
                (TAG, "East", "West", 3, 15, 0),
                (TAG, "East", "Lab", 2, 15, 0)
            ],
            "{backend:?}"
        );
        assert_eq!(shown.missing, [(TEN_G.to_owned(), 4)]);

        let done = apply(&mut c, &shown.fingerprint).await.unwrap();
        assert_eq!((done.transfers, done.quantity), (2, 5));
        for (pool, balance) in [(east, 15), (west, 0), (lab, 0)] {
            assert_eq!(row(&rows(&mut c, pool).await, TAG).balance, balance);
        }
        assert_eq!(total(&app, TAG).await, 25, "nothing made or lost");
        assert!(event_messages(&mut c, west)
            .await
            .contains(&format!("3 × {TAG} received from \"East\"")));
        assert!(event_messages(&mut c, east)
            .await
            .contains(&format!("2 × {TAG} transferred to \"Lab\"")));

        let again = plan(&mut c).await;
        assert!(again.moves.is_empty());
        assert_eq!(again.missing, [(TEN_G.to_owned(), 4)], "still to buy");
        let refused = apply(&mut c, &again.fingerprint).await.unwrap_err();
        assert!(matches!(refused, AppError::Validation { ref field, .. } if field == "plan"));
    }
}

#[tokio::test]
async fn a_plan_made_stale_by_a_change_in_between_is_refused_and_nothing_moves() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, _]) = shortages(&app).await;
        let shown = plan(&mut c).await;
        // Someone moves 1 license to West by hand meanwhile: West is now 2 short, the plan is stale.
        transfer(
            &mut c,
            east,
            license_id(&app, TAG).await,
            &west.to_string(),
            "1",
        )
        .await
        .unwrap();
        let refused = apply(&mut c, &shown.fingerprint).await.unwrap_err();
        match refused {
            AppError::Validation { field, message } => {
                assert_eq!(field, "plan");
                assert!(
                    message.contains("changed since this plan was made"),
                    "{message}"
                );
            }
            other => panic!("{other:?} ({backend:?})"),
        }
        assert_eq!(
            row(&rows(&mut c, west).await, TAG).balance,
            -2,
            "nothing more moved"
        );
        let fresh = plan(&mut c).await;
        assert_eq!(fresh.moves[0].quantity, 2);
        apply(&mut c, &fresh.fingerprint).await.unwrap();
        assert_eq!(row(&rows(&mut c, west).await, TAG).balance, 0);
    }
}

#[tokio::test]
async fn a_user_who_may_change_some_pools_gets_a_plan_among_those_only() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (_, [east, ..]) = shortages(&app).await;
        // West and Lab are short, only East has spare: without East there is nothing to move.
        let mut pat = app
            .user("Acme", "pat", Role::PoolAdmin, &["West", "Lab"])
            .await;
        let shown = plan(&mut pat).await;
        assert!(shown.moves.is_empty(), "{backend:?}");
        assert_eq!(shown.missing, [(TAG.to_owned(), 5), (TEN_G.to_owned(), 4)]);
        assert!(apply(&mut pat, &shown.fingerprint).await.is_err());

        // With East in reach too, a plan; shortages of pools seen but not changed are named apart.
        let mut bo = app
            .user("Acme", "bo", Role::PoolAdmin, &["East", "West"])
            .await;
        let shown = plan(&mut bo).await;
        assert_eq!(moves(&shown), [(TAG, "East", "West", 3, 17, 0)]);
        assert!(shown.out_of_reach.is_empty(), "bo does not see Lab");
        let mut viewer = app.user("Acme", "vi", Role::PoolViewer, &["Lab"]).await;
        let seen = plan(&mut viewer).await;
        assert!(seen.moves.is_empty());
        assert_eq!(seen.out_of_reach, [("Lab".to_owned(), TAG.to_owned(), 2)]);
        assert_eq!(
            row(&rows(&mut bo, east).await, TAG).balance,
            20,
            "nothing moved yet"
        );
    }
}

#[tokio::test]
async fn applies_at_once_move_the_licenses_once() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, lab]) = shortages(&app).await;
        let shown = plan(&mut c).await;
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let mut c = c.clone();
            let fingerprint = shown.fingerprint.clone();
            tasks.push(tokio::spawn(
                async move { apply(&mut c, &fingerprint).await },
            ));
        }
        let mut applied = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => applied += 1,
                Err(AppError::Validation { field, .. }) => assert_eq!(field, "plan"),
                Err(other) => panic!("{other:?} ({backend:?})"),
            }
        }
        assert_eq!(applied, 1, "{backend:?}");
        for (pool, balance) in [(east, 15), (west, 0), (lab, 0)] {
            assert_eq!(row(&rows(&mut c, pool).await, TAG).balance, balance);
        }
        assert_eq!(total(&app, TAG).await, 25);
    }
}

/// A pool with a shortage forecast gives only when no other can: Lab's licenses go to West first
/// while East expects to run short; when Lab cannot cover it, East gives and the plan says so.
#[tokio::test]
async fn pools_expecting_a_shortage_give_last_and_the_plan_says_so() {
    use app::entities::license_forecast;
    use sea_orm::{ActiveModelTrait, Set};
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, _west, lab]) = acme(&app).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        lot(&app, "East", TAG, 20, -10, None).await;
        lot(&app, "Lab", TAG, 10, -10, None).await;
        let west = c.pool_id("West").await;
        instance(&app, west, "sfo-bng-01", &[(TAG, 3)]).await;
        license_forecast::ActiveModel {
            virtual_account_id: Set(east),
            tag: Set(TAG.into()),
            shortage_on: Set((app.now() + chrono::Duration::days(23)).date_naive()),
            computed_at: Set(app.now()),
        }
        .insert(app.db())
        .await
        .unwrap();
        let p = plan(&mut c).await;
        assert_eq!(moves(&p), [(TAG, "Lab", "West", 3, 7, 0)], "{backend:?}");
        assert!(!p.moves[0].from_expects_shortage);

        // Lab's ten are not enough for 15: East gives the rest, marked.
        instance(&app, west, "sfo-bng-02", &[(TAG, 12)]).await;
        let p = plan(&mut c).await;
        let from: Vec<(&str, i64, bool)> = p
            .moves
            .iter()
            .map(|m| (m.from_name.as_str(), m.quantity, m.from_expects_shortage))
            .collect();
        assert_eq!(from.iter().map(|f| f.1).sum::<i64>(), 15, "{from:?}");
        assert!(from.contains(&("East", 5, true)), "{from:?}");
        assert!(from.contains(&("Lab", 10, false)), "{from:?}");
        let _ = lab;
    }
}
