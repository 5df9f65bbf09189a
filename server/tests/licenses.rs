//! The Licenses tab and transfers between pools: list, detail, transfer rules, rights, and the
//! conservation of every license's total under concurrent transfers (SQLite and PostgreSQL).

mod common;

use std::collections::BTreeMap;

use app::domain::licenses::{LicenseAlert, LotState};
use app::domain::roles::Role;
use app::entities::{event, license, license_lot, license_transfer, product_instance, user};
use app::error::AppError;
use app::model::{EventPage, LicenseDetail, LicensePage, LicenseRow, TransferDone};
use app::services::{catalogue, usage};
use chrono::Duration;
use common::{backends, Client, TestApp};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

const TAG: &str = "A9K-100G-LIC";

/// Catalogue entries: tag, name, family.
async fn catalogue(app: &TestApp, entries: &[(&str, &str, &str)]) {
    for (tag, name, family) in entries {
        catalogue::add_license(app.db(), tag, name, family)
            .await
            .unwrap();
    }
}

/// A lot in `pool` of account "Acme": started `start` days from now, ending `end` days from now.
async fn lot(app: &TestApp, pool: &str, tag: &str, quantity: i64, start: i64, end: Option<i64>) {
    let now = app.now();
    let new = catalogue::NewLot {
        account: "Acme",
        pool,
        tag,
        quantity,
        starts_at: now + Duration::days(start),
        ends_at: end.map(|d| now + Duration::days(d)),
        source_ref: "ORD-1",
    };
    catalogue::provision(app.db(), new, now).await.unwrap();
}

/// A product instance in `pool` using `uses` (tag, count), as the device API records it.
async fn instance(app: &TestApp, pool: i64, hostname: &str, uses: &[(&str, i64)]) -> i64 {
    let now = app.now();
    let txn = app.db().begin().await.unwrap();
    let created = product_instance::ActiveModel {
        virtual_account_id: Set(pool),
        pid: Set("ASR-9006-AC".into()),
        sn: Set(format!("FOX{}", uuid::Uuid::new_v4().simple())[..11].to_owned()),
        hostname: Set(hostname.into()),
        product: Set("ASR9K".into()),
        software_version: Set(Some("7.9.2".into())),
        credential_hash: Set(format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        )),
        token_id: Set(None),
        registered_at: Set(now),
        last_contact_at: Set(now),
        id_cert_serial: Set("01".into()),
        id_cert_expires_at: Set(now + Duration::days(365)),
        auth_expires_at: Set(Some(now + Duration::days(90))),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .unwrap();
    let wanted: BTreeMap<String, i64> = uses.iter().map(|(t, n)| (t.to_string(), *n)).collect();
    usage::replace(&txn, created.id, pool, &wanted)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    created.id
}

/// Account "Acme" (admin alice) with pools East, West and Lab; returns the client and their ids.
async fn acme(app: &TestApp) -> (Client, [i64; 3]) {
    let mut c = app.account("Acme", "alice").await;
    for name in ["East", "West", "Lab"] {
        c.call("pools/create", &[("name", name), ("description", "")])
            .await
            .result::<serde_json::Value>()
            .unwrap();
    }
    let ids = [
        c.pool_id("East").await,
        c.pool_id("West").await,
        c.pool_id("Lab").await,
    ];
    (c, ids)
}

async fn list(
    c: &mut Client,
    pool: i64,
    q: &str,
    sort: &str,
    dir: &str,
    page: u64,
) -> Result<LicensePage, AppError> {
    let (pool, page) = (pool.to_string(), page.to_string());
    c.call(
        "licenses/list",
        &[
            ("pool", &pool),
            ("q", q),
            ("sort", sort),
            ("dir", dir),
            ("page", &page),
        ],
    )
    .await
    .result()
}

async fn rows(c: &mut Client, pool: i64) -> Vec<LicenseRow> {
    list(c, pool, "", "", "", 1).await.unwrap().rows
}

fn row<'a>(rows: &'a [LicenseRow], tag: &str) -> &'a LicenseRow {
    rows.iter()
        .find(|r| r.tag == tag)
        .unwrap_or_else(|| panic!("no row {tag} in {rows:?}"))
}

async fn transfer(
    c: &mut Client,
    pool: i64,
    license: i64,
    target: &str,
    quantity: &str,
) -> Result<TransferDone, AppError> {
    let (pool, license) = (pool.to_string(), license.to_string());
    c.call(
        "licenses/transfer",
        &[
            ("pool", &pool),
            ("license", &license),
            ("target", target),
            ("quantity", quantity),
        ],
    )
    .await
    .result()
}

async fn detail(c: &mut Client, pool: i64, license: i64) -> Result<LicenseDetail, AppError> {
    c.call(
        "licenses/detail",
        &[
            ("pool", &pool.to_string()),
            ("license", &license.to_string()),
        ],
    )
    .await
    .result()
}

async fn license_id(app: &TestApp, tag: &str) -> i64 {
    license::Entity::find()
        .filter(license::Column::Tag.eq(tag))
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn event_messages(c: &mut Client, pool: i64) -> Vec<String> {
    let page: EventPage = c
        .call(
            "events/list",
            &[
                ("pool", &pool.to_string()),
                ("kind", "license.transferred"),
                ("text", ""),
            ],
        )
        .await
        .result()
        .unwrap();
    page.rows.into_iter().map(|e| e.message).collect()
}

/// Every lot of the license in the pool: (quantity, days from now to the end, source).
async fn lots(app: &TestApp, pool: i64, license: i64) -> Vec<(i64, Option<i64>, String)> {
    let now = app.now();
    let mut out: Vec<_> = license_lot::Entity::find()
        .filter(license_lot::Column::VirtualAccountId.eq(pool))
        .filter(license_lot::Column::LicenseId.eq(license))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|l| {
            (
                l.quantity,
                l.ends_at
                    .map(|e| ((e - now).num_seconds() as f64 / 86_400.0).round() as i64),
                l.source_ref,
            )
        })
        .collect();
    out.sort_by(|a, b| {
        a.2.cmp(&b.2)
            .then(a.1.is_none().cmp(&b.1.is_none()))
            .then(a.1.cmp(&b.1))
    });
    out
}

#[tokio::test]
async fn the_list_shows_purchased_in_use_balance_expiry_and_alerts() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, _]) = acme(&app).await;
        catalogue(
            &app,
            &[
                (TAG, "ASR 9000 100GE port license", "ASR 9000"),
                ("A9K-10G-LIC", "ASR 9000 10GE port license", "ASR 9000"),
                ("XR-SW-ESS", "IOS XR Essentials", "IOS XR software"),
                ("A9K-IVRF-LIC", "Infrastructure VRF", "ASR 9000"),
                ("A9K-BNG-LIC-8K", "BNG 8K sessions", "ASR 9000"),
            ],
        )
        .await;
        lot(&app, "East", TAG, 40, -400, None).await;
        lot(&app, "East", "XR-SW-ESS", 10, -200, Some(20)).await;
        lot(&app, "East", "XR-SW-ESS", 5, -200, Some(300)).await;
        lot(&app, "East", "A9K-IVRF-LIC", 6, -300, Some(-15)).await;
        lot(&app, "East", "A9K-BNG-LIC-8K", 4, 10, Some(375)).await;
        lot(&app, "West", TAG, 12, -300, None).await;
        instance(
            &app,
            east,
            "nyc-core-01",
            &[(TAG, 24), ("A9K-10G-LIC", 3), ("X-NOT-IN-CATALOGUE", 2)],
        )
        .await;
        instance(&app, west, "sfo-bng-01", &[(TAG, 15)]).await;

        let page = list(&mut c, east, "", "", "", 1).await.unwrap();
        assert_eq!(
            (page.total, page.page, page.pages),
            (6, 1, 1),
            "{backend:?}"
        );
        let r = &page.rows;
        let g = row(r, TAG);
        assert_eq!(
            (g.purchased, g.in_use, g.balance, g.transferable),
            (40, 24, 16, 16),
            "{backend:?}"
        );
        assert_eq!((g.nearest_expiry, g.alert), (None, None));
        let ess = row(r, "XR-SW-ESS");
        assert_eq!(
            (ess.purchased, ess.alert),
            (15, Some(LicenseAlert::Expiring { days: 20 }))
        );
        assert_eq!(
            ess.nearest_expiry.map(|e| (e - app.now()).num_hours()),
            Some(20 * 24 - 1),
            "the nearest end of an active lot"
        );
        let ivrf = row(r, "A9K-IVRF-LIC");
        assert_eq!(
            (ivrf.purchased, ivrf.alert),
            (0, Some(LicenseAlert::Expired))
        );
        let bng = row(r, "A9K-BNG-LIC-8K");
        assert_eq!(
            (bng.purchased, bng.alert),
            (0, None),
            "a lot not started yet does not count"
        );
        let ten = row(r, "A9K-10G-LIC");
        assert_eq!(
            (ten.purchased, ten.in_use, ten.balance, ten.transferable),
            (0, 3, -3, 0)
        );
        assert_eq!(ten.alert, Some(LicenseAlert::Insufficient { short: 3 }));
        let unknown = row(r, "X-NOT-IN-CATALOGUE");
        assert_eq!(
            (unknown.license_id, unknown.alert),
            (None, Some(LicenseAlert::Insufficient { short: 2 }))
        );
        // Sorted by license name by default; the unknown tag sorts by its tag.
        let names: Vec<&str> = r.iter().map(|r| r.tag.as_str()).collect();
        assert_eq!(
            names,
            [
                TAG,
                "A9K-10G-LIC",
                "A9K-BNG-LIC-8K",
                "A9K-IVRF-LIC",
                "XR-SW-ESS",
                "X-NOT-IN-CATALOGUE"
            ]
        );

        let west_row = rows(&mut c, west).await;
        assert_eq!(west_row.len(), 1);
        assert_eq!(
            (west_row[0].balance, west_row[0].alert),
            (-3, Some(LicenseAlert::Insufficient { short: 3 }))
        );
    }
}

#[tokio::test]
async fn the_list_sorts_filters_and_pages() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, ..]) = acme(&app).await;
        for i in 1..=120i64 {
            let tag = format!("T-{i:04}");
            let family = if i % 2 == 0 { "Family B" } else { "Family A" };
            catalogue(&app, &[(&tag, &format!("Feature {i:04}"), family)]).await;
            let end = (i % 10 == 0).then_some(i);
            lot(&app, "East", &tag, i, -1, end).await;
        }
        instance(&app, east, "big-01", &[("T-0005", 9), ("T-0100", 1)]).await;

        let first = list(&mut c, east, "", "", "", 1).await.unwrap();
        assert_eq!(
            (first.total, first.pages, first.rows.len()),
            (120, 3, 50),
            "{backend:?}"
        );
        assert_eq!(first.rows[0].tag, "T-0001");
        let last = list(&mut c, east, "", "", "", 3).await.unwrap();
        assert_eq!(
            (last.rows.len(), last.rows[19].tag.as_str()),
            (20, "T-0120")
        );
        assert_eq!(
            list(&mut c, east, "", "", "", 99).await.unwrap().page,
            3,
            "a page past the end shows the last"
        );

        let tags = |p: LicensePage| p.rows.into_iter().map(|r| r.tag).collect::<Vec<_>>();
        assert_eq!(
            tags(
                list(&mut c, east, "", "purchased", "desc", 1)
                    .await
                    .unwrap()
            )[..2],
            ["T-0120", "T-0119"]
        );
        assert_eq!(
            tags(list(&mut c, east, "", "balance", "asc", 1).await.unwrap())[..2],
            ["T-0005", "T-0001"]
        );
        assert_eq!(
            tags(list(&mut c, east, "", "alert", "asc", 1).await.unwrap())[..3],
            ["T-0005", "T-0010", "T-0020"]
        );
        assert_eq!(
            tags(list(&mut c, east, "", "expires", "asc", 1).await.unwrap())[..2],
            ["T-0010", "T-0020"]
        );
        assert_eq!(
            tags(list(&mut c, east, "", "expires", "desc", 1).await.unwrap())[..2],
            ["T-0120", "T-0110"]
        );
        assert_eq!(
            tags(list(&mut c, east, "", "in_use", "desc", 1).await.unwrap())[..2],
            ["T-0005", "T-0100"]
        );
        assert_eq!(
            tags(list(&mut c, east, "", "family", "desc", 1).await.unwrap())[0],
            "T-0002"
        );
        assert_eq!(
            tags(
                list(&mut c, east, "", "nonsense", "sideways", 1)
                    .await
                    .unwrap()
            )[0],
            "T-0001"
        );

        let found = list(&mut c, east, "t-011", "", "", 1).await.unwrap();
        assert_eq!(found.total, 10);
        assert_eq!(
            list(&mut c, east, "FEATURE 0042", "", "", 1)
                .await
                .unwrap()
                .total,
            1
        );
        assert_eq!(
            list(&mut c, east, "family b", "", "", 1)
                .await
                .unwrap()
                .total,
            60
        );
        assert_eq!(
            list(&mut c, east, "%", "", "", 1).await.unwrap().total,
            0,
            "typed % matches literally"
        );
    }
}

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
async fn a_transfer_needs_the_right_to_change_both_pools() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut admin, [east, west, lab]) = acme(&app).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        lot(&app, "East", TAG, 40, -400, None).await;
        let id = license_id(&app, TAG).await;
        let (w, l) = (west.to_string(), lab.to_string());

        let mut viewer = app
            .user("Acme", "vic", Role::PoolViewer, &["East", "West"])
            .await;
        assert_eq!(
            transfer(&mut viewer, east, id, &w, "1").await.unwrap_err(),
            AppError::Forbidden,
            "{backend:?}"
        );
        assert_eq!(
            rows(&mut viewer, east).await[0].purchased,
            40,
            "a viewer still reads the list"
        );
        let mut one = app.user("Acme", "pat", Role::PoolAdmin, &["East"]).await;
        assert!(transfer(&mut one, east, id, &w, "1")
            .await
            .unwrap_err()
            .for_field("target")
            .is_some());
        assert_eq!(
            transfer(&mut one, west, id, &east.to_string(), "1")
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        let mut both = app
            .user("Acme", "bo", Role::PoolAdmin, &["East", "West"])
            .await;
        transfer(&mut both, east, id, &w, "2").await.unwrap();
        assert!(transfer(&mut both, east, id, &l, "1")
            .await
            .unwrap_err()
            .for_field("target")
            .is_some());
        let mut user = app.user("Acme", "una", Role::AccountUser, &[]).await;
        transfer(&mut user, east, id, &l, "3").await.unwrap();

        // Another smart account cannot list, read or move Acme's licenses, whatever ids it sends.
        let mut globex = app.account("Globex", "gina").await;
        let theirs = globex.pool_id("Default").await.to_string();
        assert_eq!(
            list(&mut globex, east, "", "", "", 1).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            detail(&mut globex, east, id).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            transfer(&mut globex, east, id, &theirs, "1")
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(row(&rows(&mut admin, east).await, TAG).purchased, 35);

        // The page offers Transfer… to those who may use it, and not to viewers.
        let page = format!("/inventory?va={east}&tab=licenses");
        let html = admin.get(&page).await.text();
        assert!(
            html.contains("Purchased") && html.contains("Transfer…"),
            "{html}"
        );
        let html = viewer.get(&page).await.text();
        assert!(
            html.contains("Purchased") && !html.contains("Transfer…"),
            "{html}"
        );
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
                let req = app::services::licenses::TransferRequest {
                    pool: from,
                    license_id: id,
                    target: &to.to_string(),
                    quantity: &quantity,
                };
                app::services::licenses::transfer(&db, &actor, req, now).await
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
