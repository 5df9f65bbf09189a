//! Usage over time (SQLite and PostgreSQL): the daily snapshots are taken once across processes
//! (the housekeeping lease), catch up the days missed with the clock moved on, count licenses from
//! the lots' dates, are kept two years; the Overview counts what needs attention per virtual account
//! and draws the history.

use std::collections::BTreeMap;

use app::entities::usage_snapshot;
use app::model::Overview;
use app::services::forecasts;
use app::services::housekeeping;
use app::services::snapshots::{self, KEEP_DAYS};
use chrono::{Duration, NaiveDate};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::common::{self, backends, TestApp};
use crate::licenses_common::*;

/// Every snapshot row: (day, pool, tag) → (purchased, in use, instances).
async fn snapshot_rows(app: &TestApp) -> BTreeMap<(NaiveDate, i64, String), (i64, i64, i64)> {
    usage_snapshot::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                (r.day, r.virtual_account_id, r.tag),
                (r.purchased, r.in_use, r.instances),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn snapshots_are_taken_once_across_processes_and_catch_up_missed_days() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let other = app.another_process(common::NO_LIMITS).await;
        let (_, [east, west, _]) = acme(&app).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        lot(&app, "East", TAG, 10, -30, None).await;
        // A term lot of West that ends two days from now.
        lot(&app, "West", TAG, 4, -30, Some(2)).await;
        instance(&app, west, "sfo-1", &[(TAG, 3)]).await;
        instance(&app, west, "sfo-2", &[(TAG, 1)]).await;
        let now = app.now();
        let today = now.date_naive();

        // Twenty processes tick at once: one takes yesterday, once.
        let mut tasks = Vec::new();
        for i in 0..20 {
            let db = if i % 2 == 0 {
                app.db().clone()
            } else {
                other.state.db.clone()
            };
            tasks.push(tokio::spawn(async move {
                housekeeping::tick(&db, &format!("p{i}"), now)
                    .await
                    .unwrap()
            }));
        }
        let mut took = 0;
        for t in tasks {
            if let Some(swept) = t.await.unwrap() {
                took += swept.snapshot_days;
            }
        }
        assert_eq!(took, 1, "{backend:?}");
        let yesterday = today - Duration::days(1);
        let rows = snapshot_rows(&app).await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[&(yesterday, east, TAG.to_owned())], (10, 0, 0));
        assert_eq!(rows[&(yesterday, west, TAG.to_owned())], (4, 4, 2));

        // Nothing new until the day is over; then the days missed are taken, the lot's end counted.
        assert_eq!(snapshots::catch_up(app.db(), now).await.unwrap(), 0);
        let later = now + Duration::days(4);
        assert_eq!(snapshots::catch_up(app.db(), later).await.unwrap(), 4);
        let rows = snapshot_rows(&app).await;
        let west_on = |d: i64| rows[&(today + Duration::days(d), west, TAG.to_owned())];
        assert_eq!(west_on(0).0, 4);
        assert_eq!(west_on(1).0, 4, "the lot ends within day 2");
        assert_eq!(west_on(2).0, 0);
        assert_eq!(west_on(3), (0, 4, 2));
        assert_eq!(rows.len(), 2 + 4 * 2);
        assert_eq!(
            snapshots::catch_up(app.db(), later).await.unwrap(),
            0,
            "taken once"
        );

        // Rows past two years go.
        usage_snapshot::ActiveModel {
            virtual_account_id: Set(east),
            tag: Set(TAG.into()),
            day: Set(today - Duration::days(KEEP_DAYS + 5)),
            purchased: Set(1),
            in_use: Set(1),
            instances: Set(1),
        }
        .insert(app.db())
        .await
        .unwrap();
        snapshots::catch_up(app.db(), later).await.unwrap();
        let old = usage_snapshot::Entity::find()
            .filter(usage_snapshot::Column::Day.lt(today - Duration::days(KEEP_DAYS)))
            .count(app.db())
            .await
            .unwrap();
        assert_eq!(old, 0);
    }
}

#[tokio::test]
async fn a_portal_off_for_months_catches_up_at_most_90_days() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (_, [east, ..]) = acme(&app).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        lot(&app, "East", TAG, 10, -30, None).await;
        let now = app.now();
        snapshots::catch_up(app.db(), now).await.unwrap();
        let taken = snapshots::catch_up(app.db(), now + Duration::days(200))
            .await
            .unwrap();
        assert_eq!(taken as i64, snapshots::CATCH_UP_DAYS, "{backend:?}");
        let rows = snapshot_rows(&app).await;
        assert!(rows.keys().all(|(_, pool, _)| *pool == east));
    }
}

#[tokio::test]
async fn the_overview_counts_what_needs_attention_per_pool_and_draws_the_history() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, lab]) = acme(&app).await;
        catalogue(
            &app,
            &[
                (TAG, "100GE port", "ASR 9000"),
                ("XR-SW-ESS", "Essentials", "IOS XR"),
            ],
        )
        .await;
        lot(&app, "East", TAG, 20, -30, None).await;
        lot(&app, "East", "XR-SW-ESS", 5, -30, Some(20)).await;
        lot(&app, "West", TAG, 2, -30, None).await;
        lot(&app, "Lab", "XR-SW-ESS", 2, -60, Some(-5)).await;
        instance(&app, west, "sfo-1", &[(TAG, 5)]).await;
        instance(&app, east, "nyc-1", &[(TAG, 4), ("XR-SW-ESS", 1)]).await;

        let empty: Overview = c.call("overview", &[]).await.result().unwrap();
        assert!(
            empty.history.is_empty(),
            "no history before the first day is over"
        );
        let pool = |o: &Overview, id: i64| o.pools.iter().find(|p| p.id == id).cloned().unwrap();
        let w = pool(&empty, west);
        assert_eq!(
            (w.purchased, w.in_use, w.instances, w.short),
            (2, 5, 1, 1),
            "{backend:?}"
        );
        let e = pool(&empty, east);
        assert_eq!((e.purchased, e.in_use, e.short, e.expiring), (25, 5, 0, 1));
        assert_eq!(pool(&empty, lab).expired, 1);
        assert!(empty.can_resolve);

        snapshots::generate_history(app.db(), app.now(), 30)
            .await
            .unwrap();
        let drawn: Overview = c.call("overview", &[]).await.result().unwrap();
        assert_eq!(drawn.history.len(), 31, "30 days and today");
        let today = drawn.history.last().unwrap();
        assert_eq!((today.purchased, today.in_use), (27, 10));
        assert!(drawn.history.windows(2).all(|w| w[0].day < w[1].day));

        // A pool viewer's overview holds their pool only.
        let mut viewer = app
            .user("Acme", "vi", app::domain::roles::Role::PoolViewer, &["Lab"])
            .await;
        let theirs: Overview = viewer.call("overview", &[]).await.result().unwrap();
        assert_eq!(theirs.pools.iter().map(|p| p.id).collect::<Vec<_>>(), [lab]);
        assert!(!theirs.can_resolve);
        assert!(theirs.history.iter().all(|p| p.in_use == 0));
    }
}

#[tokio::test]
async fn growing_use_is_forecast_once_a_day_in_the_licenses_tab_and_as_an_alert() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, ..]) = acme(&app).await;
        catalogue(&app, &[(TAG, "100GE port", "ASR 9000")]).await;
        lot(&app, "East", TAG, 20, -60, None).await;
        instance(&app, east, "nyc-1", &[(TAG, 15)]).await;
        let now = app.now();
        let today = now.date_naive();
        // Use grew by half a license a day for 30 days, to 15 today: 20 are reached in ~10 days.
        for back in 1..=30i64 {
            usage_snapshot::ActiveModel {
                virtual_account_id: Set(east),
                tag: Set(TAG.into()),
                day: Set(today - Duration::days(back)),
                purchased: Set(20),
                in_use: Set(15 - back / 2),
                instances: Set(1),
            }
            .insert(app.db())
            .await
            .unwrap();
        }
        assert_eq!(
            forecasts::refresh_daily(app.db(), now).await.unwrap(),
            Some(1),
            "{backend:?}"
        );
        assert_eq!(
            forecasts::refresh_daily(app.db(), now).await.unwrap(),
            None,
            "once a day"
        );
        let forecast = row(&rows(&mut c, east).await, TAG).clone();
        let days = forecast
            .shortage_expected_in
            .expect("a forecast in the Licenses tab");
        assert!((9..=12).contains(&days), "{days}");

        let alerts: Vec<app::domain::alerts::Alert> = c
            .call("alerts/list", &[("severity", "")])
            .await
            .result()
            .unwrap();
        let expected: Vec<_> = alerts
            .iter()
            .filter(|a| a.kind == app::domain::alerts::AlertKind::ShortageExpected)
            .collect();
        assert_eq!(expected.len(), 1);
        assert_eq!(
            expected[0].severity,
            app::domain::alerts::Severity::Informational
        );
        assert!(
            expected[0].message.contains(&format!("~{days} days")),
            "{}",
            expected[0].message
        );

        // The next day 200 more licenses are in: nothing is expected within the year any more.
        lot(&app, "East", TAG, 200, -1, None).await;
        assert_eq!(
            forecasts::refresh_daily(app.db(), now + Duration::days(1))
                .await
                .unwrap(),
            Some(0)
        );
        assert_eq!(
            row(&rows(&mut c, east).await, TAG).shortage_expected_in,
            None
        );
    }
}

#[tokio::test]
async fn the_license_usage_history_report_lists_the_snapshots_newest_first_filtered() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, _]) = acme(&app).await;
        catalogue(
            &app,
            &[
                (TAG, "100GE port", "ASR 9000"),
                ("XR-SW-ESS", "Essentials", "IOS XR"),
            ],
        )
        .await;
        lot(&app, "East", TAG, 20, -100, None).await;
        lot(&app, "West", "XR-SW-ESS", 4, -100, None).await;
        instance(&app, east, "nyc-1", &[(TAG, 10)]).await;
        instance(&app, west, "sfo-1", &[("XR-SW-ESS", 2)]).await;
        snapshots::generate_history(app.db(), app.now(), 10)
            .await
            .unwrap();
        let kind = app::domain::reports::ReportKind::LicenseUsageHistory;
        let all: app::model::ReportPreview = c
            .call("reports/preview", &[("report", kind.slug()), ("query", "")])
            .await
            .result()
            .unwrap();
        assert_eq!(all.total, 20, "{backend:?}: 10 days × 2 pools");
        let titles: Vec<&str> = all.columns.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            titles[..4],
            ["Day (UTC)", "Virtual Account", "Entitlement Tag", "License"]
        );
        let yesterday = (app.now() - Duration::days(1)).date_naive().to_string();
        assert!(
            all.rows[0][0].display().starts_with(&yesterday),
            "{:?}",
            all.rows[0][0]
        );
        assert_eq!(all.rows[0][4].display(), "20", "purchased");
        assert_eq!(
            all.rows[0][5].display(),
            "10",
            "in use the day before today: 100 %"
        );
        assert_eq!(all.rows[0][6].display(), "10", "balance");

        let since = (app.now() - Duration::days(3)).date_naive().to_string();
        let narrowed: app::model::ReportPreview = c
            .call(
                "reports/preview",
                &[
                    ("report", kind.slug()),
                    ("query", &format!("license=XR-SW-ESS&from={since}")),
                ],
            )
            .await
            .result()
            .unwrap();
        assert_eq!(narrowed.total, 3);
        assert!(narrowed.rows.iter().all(|r| r[1].display() == "West"));
    }
}
