//! Transfers between pools: which lots move and with which dates, the history and events they leave,
//! the refusals and their fields, and the form without JavaScript (SQLite and PostgreSQL).

use crate::common;
use crate::licenses_common;

use app::domain::licenses::{LicenseAlert, LotState};
use app::entities::{license_lot, license_transfer};
use app::error::AppError;
use common::{backends, TestApp};
use licenses_common::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

#[tokio::test]
async fn a_transfer_moves_the_soonest_ending_lots_with_their_dates_and_leaves_history_and_events() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, _]) = acme(&app).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        lot(&app, "East", TAG, 10, -400, None).await;
        lot(&app, "East", TAG, 5, -100, Some(200)).await;
        lot(&app, "East", TAG, 4, -100, Some(20)).await;
        instance(&app, east, "nyc-core-01", &[(TAG, 3)]).await;
        let id = license_id(&app, TAG).await;
        let east_lots = license_lot::Entity::find()
            .filter(license_lot::Column::VirtualAccountId.eq(east))
            .order_by_asc(license_lot::Column::Id)
            .all(app.db())
            .await
            .unwrap();
        let (long, short) = (east_lots[1].id, east_lots[2].id);

        let done = transfer(&mut c, east, id, &west.to_string(), "6")
            .await
            .unwrap();
        assert_eq!(
            (
                done.quantity,
                done.from_pool.as_str(),
                done.to_pool.as_str()
            ),
            (6, "East", "West")
        );
        assert_eq!(
            lots(&app, east, id).await,
            [
                (5 - 2, Some(200), "ORD-1".into()),
                (10, None, "ORD-1".into())
            ],
            "{backend:?}"
        );
        assert_eq!(
            lots(&app, west, id).await,
            [
                (2, Some(200), format!("transfer from East (lot {long})")),
                (4, Some(20), format!("transfer from East (lot {short})"))
            ]
        );
        let w = rows(&mut c, west).await;
        assert_eq!(
            (w[0].purchased, w[0].alert),
            (6, Some(LicenseAlert::Expiring { days: 20 }))
        );
        assert_eq!(row(&rows(&mut c, east).await, TAG).balance, 19 - 6 - 3);

        // Again from the same lot: the target's lot from it grows instead of a new one appearing.
        transfer(&mut c, east, id, &west.to_string(), "1")
            .await
            .unwrap();
        assert_eq!(
            lots(&app, west, id).await[0],
            (3, Some(200), format!("transfer from East (lot {long})"))
        );
        assert_eq!(lots(&app, west, id).await.len(), 2);
        // And back: West gives its soonest-ending licenses first.
        transfer(&mut c, west, id, &east.to_string(), "4")
            .await
            .unwrap();
        assert_eq!(row(&rows(&mut c, west).await, TAG).purchased, 3);

        assert_eq!(
            event_messages(&mut c, east).await,
            [
                "4 × A9K-100G-LIC received from \"West\"",
                "1 × A9K-100G-LIC transferred to \"West\"",
                "6 × A9K-100G-LIC transferred to \"West\"",
            ]
        );
        assert_eq!(
            event_messages(&mut c, west).await[2],
            "6 × A9K-100G-LIC received from \"East\""
        );

        let d = detail(&mut c, east, id).await.unwrap();
        assert_eq!((d.row.purchased, d.row.in_use), (19 - 7 + 4, 3));
        let history: Vec<(String, String, i64, String)> = d
            .transfers
            .iter()
            .map(|t| {
                (
                    t.from_pool.clone(),
                    t.to_pool.clone(),
                    t.quantity,
                    t.actor.clone(),
                )
            })
            .collect();
        assert_eq!(
            history,
            [
                ("West".into(), "East".into(), 4, "alice".into()),
                ("East".into(), "West".into(), 1, "alice".into()),
                ("East".into(), "West".into(), 6, "alice".into()),
            ]
        );
        let usage: Vec<(String, i64, i64)> = d
            .usage
            .iter()
            .map(|u| (u.pool.clone(), u.purchased, u.in_use))
            .collect();
        assert_eq!(usage, [("East".into(), 16, 3), ("West".into(), 3, 0)]);
        assert_eq!(d.instances.len(), 1);
        assert_eq!(
            (d.instances[0].hostname.as_str(), d.instances[0].count),
            ("nyc-core-01", 3)
        );
        assert!(d.instances[0].udi.starts_with("PID:ASR-9006-AC,SN:FOX"));
        assert!(d.lots.iter().all(|l| l.state == LotState::Active));
    }
}

#[tokio::test]
async fn refused_transfers_name_the_field_and_change_nothing() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, lab]) = acme(&app).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        lot(&app, "East", TAG, 40, -400, None).await;
        lot(&app, "East", TAG, 6, -400, Some(-1)).await;
        lot(&app, "West", TAG, 12, -300, None).await;
        instance(&app, east, "nyc-core-01", &[(TAG, 24)]).await;
        instance(&app, west, "sfo-bng-01", &[(TAG, 15)]).await;
        let id = license_id(&app, TAG).await;
        let (w, l) = (west.to_string(), lab.to_string());

        let too_many = transfer(&mut c, east, id, &w, "17").await.unwrap_err();
        assert_eq!(
            too_many,
            AppError::validation("quantity", "At most 16 can move."),
            "{backend:?}"
        );
        let short = transfer(&mut c, west, id, &l, "1").await.unwrap_err();
        assert_eq!(
            short.for_field("quantity").as_deref(),
            Some("At most 0 can move: every active license is in use.")
        );
        for bad in ["0", "-2", "abc", "", "2.5"] {
            let err = transfer(&mut c, east, id, &w, bad).await.unwrap_err();
            assert!(err.for_field("quantity").is_some(), "{bad:?}: {err:?}");
        }
        let same = transfer(&mut c, east, id, &east.to_string(), "1")
            .await
            .unwrap_err();
        assert_eq!(
            same.for_field("target").as_deref(),
            Some("Choose a virtual account other than the one the licenses are in.")
        );
        for target in ["999999", "", "West"] {
            let err = transfer(&mut c, east, id, target, "1").await.unwrap_err();
            assert_eq!(
                err.for_field("target").as_deref(),
                Some("Choose a virtual account you may change."),
                "{target:?}"
            );
        }
        let mut globex = app.account("Globex", "gina").await;
        let theirs = globex.pool_id("Default").await.to_string();
        assert!(transfer(&mut c, east, id, &theirs, "1")
            .await
            .unwrap_err()
            .for_field("target")
            .is_some());
        assert_eq!(
            transfer(&mut c, east, 424242, &w, "1").await.unwrap_err(),
            AppError::NotFound
        );

        // Nothing moved, nothing recorded.
        assert_eq!(row(&rows(&mut c, east).await, TAG).purchased, 40);
        assert_eq!(row(&rows(&mut c, west).await, TAG).purchased, 12);
        assert!(license_transfer::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .is_empty());
        assert!(event_messages(&mut c, east).await.is_empty());
    }
}

#[tokio::test]
async fn the_transfer_form_works_without_javascript() {
    let app = TestApp::new(&backends()[0]).await;
    let (mut c, [east, west, _]) = acme(&app).await;
    catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
    lot(&app, "East", TAG, 40, -400, None).await;
    let id = license_id(&app, TAG).await;
    let form =
        |quantity: &str| format!("pool={east}&license={id}&target={west}&quantity={quantity}");
    let referer = format!("http://localhost/inventory?va={east}&tab=licenses&transfer={id}");
    let post = |body: String| {
        axum::http::Request::post("/api/licenses/transfer")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html")
            .header("referer", referer.as_str())
            .header("sec-fetch-site", "same-origin")
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let refused = c.send(post(form("41"))).await;
    assert_eq!(refused.status, 302);
    let back = refused.headers["location"].to_str().unwrap().to_owned();
    assert!(
        back.contains(&format!("transfer={id}")) && back.contains("__err="),
        "{back}"
    );
    let shown = c
        .get(back.trim_start_matches("http://localhost"))
        .await
        .text();
    assert!(
        shown.contains("At most 40 can move."),
        "the error shows under the field: {shown}"
    );

    let moved = c.send(post(form("2"))).await;
    assert_eq!(moved.status, 302);
    assert_eq!(
        moved.headers["location"],
        format!("/inventory?va={east}&tab=licenses").as_str()
    );
    assert_eq!(row(&rows(&mut c, west).await, TAG).purchased, 2);
}

#[tokio::test]
async fn licenses_from_the_same_lot_join_it_after_the_pool_is_renamed() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, _]) = acme(&app).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        lot(&app, "East", TAG, 10, -10, Some(200)).await;
        let id = license_id(&app, TAG).await;
        let source = license_lot::Entity::find()
            .filter(license_lot::Column::VirtualAccountId.eq(east))
            .one(app.db())
            .await
            .unwrap()
            .unwrap()
            .id;
        transfer(&mut c, east, id, &west.to_string(), "3")
            .await
            .unwrap();
        c.call(
            "pools/update",
            &[
                ("id", &east.to_string()),
                ("name", "East Coast"),
                ("description", ""),
            ],
        )
        .await
        .result::<()>()
        .unwrap();
        transfer(&mut c, east, id, &west.to_string(), "2")
            .await
            .unwrap();
        let received = license_lot::Entity::find()
            .filter(license_lot::Column::VirtualAccountId.eq(west))
            .all(app.db())
            .await
            .unwrap();
        assert_eq!(
            received.len(),
            1,
            "one lot, not two: {received:?} on {backend:?}"
        );
        assert_eq!(
            (received[0].quantity, received[0].origin_lot_id),
            (5, Some(source))
        );
        assert_eq!(row(&rows(&mut c, west).await, TAG).purchased, 5);
    }
}

#[tokio::test]
async fn the_migration_reads_the_origin_of_earlier_transfers_from_their_text() {
    use sea_orm::{ConnectionTrait, Database};
    use sea_orm_migration::MigratorTrait;
    use server::migrations::Migrator;

    for backend in backends() {
        let db = Database::connect(common::fresh_db(&backend).await)
            .await
            .unwrap();
        // The schema as it was before lots had an origin column, with lots written then.
        Migrator::up(&db, Some(5)).await.unwrap();
        let now = "2026-01-01 00:00:00+00:00";
        for sql in [
            "INSERT INTO smart_accounts (id, name, created_at) VALUES (1, 'Acme', '2026-01-01 00:00:00+00:00')".to_owned(),
            format!("INSERT INTO virtual_accounts (id, smart_account_id, name, description, is_default, created_at) VALUES (1, 1, 'East', '', true, '{now}'), (2, 1, 'West', '', false, '{now}')"),
            "INSERT INTO licenses (id, tag, name, product_family) VALUES (1, 'T', 'T', 'F')".to_owned(),
            format!("INSERT INTO license_lots (id, virtual_account_id, license_id, quantity, starts_at, ends_at, source_ref, created_at) VALUES (5, 1, 1, 7, '{now}', NULL, 'ORD-1', '{now}'), (6, 2, 1, 3, '{now}', NULL, 'transfer from East (lot 5)', '{now}')"),
        ] {
            db.execute_unprepared(&sql).await.unwrap();
        }
        Migrator::up(&db, None).await.unwrap();
        let origins: Vec<(i64, Option<i64>)> = license_lot::Entity::find()
            .order_by_asc(license_lot::Column::Id)
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.id, l.origin_lot_id))
            .collect();
        assert_eq!(origins, [(5, None), (6, Some(5))], "{backend:?}");
    }
}
