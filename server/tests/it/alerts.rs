//! The Alerts page: every kind with its severity, due date, order and link; the filters; the count of
//! the navigation's badge; who sees which alerts; alerts appearing and stepping up as the (dev) clock
//! moves (SQLite and PostgreSQL).

use crate::common;
use crate::licenses_common;

use app::domain::alerts::{Alert, AlertKind, Severity};
use app::domain::roles::Role;
use app::entities::product_instance;
use app::error::AppError;
use app::model::TokenRow;
use app::pages::alerts::alert_href;
use app::services::catalogue;
use app::state::Settings;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{DateTime, Duration, Utc};
use common::{backends, Client, TestApp};
use licenses_common::*;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

const DAY: i64 = 86_400;

async fn alerts(c: &mut Client, pool: Option<i64>, severity: &str) -> Result<Vec<Alert>, AppError> {
    let pool = pool.map(|p| p.to_string());
    let mut form = vec![("severity", severity)];
    if let Some(pool) = &pool {
        form.push(("pool", pool));
    }
    c.call("alerts/list", &form).await.result()
}

async fn count(c: &mut Client) -> u64 {
    c.call("alerts/count", &[]).await.result().unwrap()
}

/// (severity, kind, pool, source) of each alert, in the page's order.
fn summary(alerts: &[Alert]) -> Vec<(Severity, AlertKind, String, String)> {
    alerts
        .iter()
        .map(|a| (a.severity, a.kind, a.pool.clone(), a.source.label()))
        .collect()
}

fn find<'a>(alerts: &'a [Alert], kind: AlertKind, source: &str) -> &'a Alert {
    alerts
        .iter()
        .find(|a| a.kind == kind && a.source.label() == source)
        .unwrap_or_else(|| panic!("no {kind:?} alert for {source} in {:#?}", summary(alerts)))
}

/// Whole days from `now` to `at`, rounded to the nearest day.
fn days(at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((at - now).num_seconds() as f64 / DAY as f64).round() as i64
}

/// Sets an instance's last contact (and so when it goes silent) and authorization end, `days` from now.
async fn set_times(app: &TestApp, id: i64, last_contact: f64, auth_end: f64) {
    let now = app.now();
    let at = |d: f64| now + Duration::seconds((d * DAY as f64) as i64);
    let mut m = product_instance::Entity::find_by_id(id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    m.last_contact_at = Set(at(last_contact));
    // As the device API writes it: silent 48 hours after the last contact.
    m.silent_after = Set(app::domain::alerts::silent_after(at(last_contact)));
    m.auth_expires_at = Set(Some(at(auth_end)));
    m.update(app.db()).await.unwrap();
}

async fn token(c: &mut Client, pool: i64, description: &str, days: &str) -> TokenRow {
    c.call(
        "tokens/create",
        &[
            ("pool", &pool.to_string()),
            ("description", description),
            ("expire_days", days),
            ("max_uses", ""),
        ],
    )
    .await
    .result::<Vec<app::model::CreatedToken>>()
    .unwrap()
    .remove(0)
    .row
}

/// Thresholds of "Licenses Expiring", each on its own license in East.
const NOTICES: [i64; 7] = [90, 60, 30, 14, 7, 3, 1];

fn exp_tag(days: i64) -> String {
    format!("EXP-{days:02}")
}

/// Acme with one alert of every kind, and things that must raise none. Returns the admin's client,
/// the pools' ids and the ids of the single instances (Lab silent, Lab unrenewed).
async fn estate(app: &TestApp) -> (Client, [i64; 3], [i64; 2]) {
    let (mut c, [east, west, lab]) = acme(app).await;
    let mut entries = vec![
        (TAG.to_owned(), "ASR 9000 100GE port license".to_owned()),
        ("XR-SW-ESS".to_owned(), "IOS XR Essentials".to_owned()),
        ("FAR-LIC".to_owned(), "Far from expiry".to_owned()),
        ("LATER-LIC".to_owned(), "Not started".to_owned()),
    ];
    entries.extend(NOTICES.map(|d| (exp_tag(d), format!("Expires in {d}"))));
    for (tag, name) in &entries {
        catalogue::add_license(app.db(), tag, name, "Test")
            .await
            .unwrap();
    }
    // Expiring at each notice, exactly that many days ahead.
    for d in NOTICES {
        lot(app, "East", &exp_tag(d), 5, -100, Some(d)).await;
    }
    // No alert: ends beyond 90 days; not started yet; perpetual and covered.
    lot(app, "East", "FAR-LIC", 5, -100, Some(91)).await;
    lot(app, "East", "LATER-LIC", 5, 10, Some(375)).await;
    lot(app, "East", TAG, 40, -400, None).await;
    instance(
        app,
        east,
        "nyc-core-01",
        &[(TAG, 24), ("X-NOT-IN-CATALOGUE", 2)],
    )
    .await;
    // A shortage in West, and a lot that has ended.
    lot(app, "West", TAG, 12, -300, None).await;
    lot(app, "West", "XR-SW-ESS", 6, -380, Some(-15)).await;
    instance(app, west, "sfo-bng-01", &[(TAG, 15)]).await;
    // Three silent instances in East (one of them also unrenewed: silence wins, as in its status).
    for (host, silent_days, auth) in [
        ("bos-1", 5.0, 90.0),
        ("bos-2", 4.0, 90.0),
        ("bos-3", 3.0, -2.0),
    ] {
        let id = instance(app, east, host, &[]).await;
        set_times(app, id, -silent_days, auth).await;
    }
    // Lab: one silent instance, one whose authorization expired yesterday, one that is fine (a day
    // of silence is within the retry window).
    let silent = instance(app, lab, "lab-silent", &[]).await;
    set_times(app, silent, -3.0, 60.0).await;
    let unrenewed = instance(app, lab, "lab-unrenewed", &[]).await;
    set_times(app, unrenewed, -0.1, -1.0).await;
    let fine = instance(app, lab, "lab-fine", &[]).await;
    set_times(app, fine, -1.0, 30.0).await;
    // Tokens in West: one expiring in 3 days; none for one in 30 days or a revoked one.
    token(&mut c, west, "rollout", "3").await;
    token(&mut c, west, "later", "30").await;
    let revoked = token(&mut c, west, "revoked", "2").await;
    c.call(
        "tokens/revoke",
        &[("id", &revoked.id.to_string()), ("reason", "leaked")],
    )
    .await
    .result::<()>()
    .unwrap();
    (c, [east, west, lab], [silent, unrenewed])
}

#[tokio::test]
async fn every_kind_is_listed_by_severity_then_due_date_with_its_link() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, lab], [silent, unrenewed]) = estate(&app).await;
        let list = alerts(&mut c, None, "").await.unwrap();
        let now = app.now();
        use AlertKind::*;
        use Severity::*;
        let s =
            |sev, kind, pool: &str, source: &str| (sev, kind, pool.to_owned(), source.to_owned());
        let exp = |d: i64| format!("Expires in {d}");
        assert_eq!(
            summary(&list),
            [
                s(Major, InstanceFailedToRenew, "Lab", "lab-unrenewed"),
                s(Major, InsufficientLicenses, "East", "X-NOT-IN-CATALOGUE"),
                s(
                    Major,
                    InsufficientLicenses,
                    "West",
                    "ASR 9000 100GE port license"
                ),
                s(Major, LicensesExpiring, "East", &exp(1)),
                s(Major, LicensesExpiring, "East", &exp(3)),
                s(Major, LicensesExpiring, "East", &exp(7)),
                s(Minor, LicensesExpired, "West", "IOS XR Essentials"),
                s(
                    Minor,
                    InstanceFailedToConnect,
                    "East",
                    "3 product instances"
                ),
                s(Minor, InstanceFailedToConnect, "Lab", "lab-silent"),
                s(Minor, LicensesExpiring, "East", &exp(14)),
                s(Minor, LicensesExpiring, "East", &exp(30)),
                s(
                    Informational,
                    TokenExpiring,
                    "West",
                    &list[11].source.label()
                ),
                s(Informational, LicensesExpiring, "East", &exp(60)),
                s(Informational, LicensesExpiring, "East", &exp(90)),
            ],
            "{backend:?}"
        );
        assert!(list[11].source.label().starts_with("Token idt_"));

        // Due dates: the end for expiries, the moment it went wrong for what has happened.
        for d in NOTICES {
            let a = find(&list, LicensesExpiring, &exp(d));
            assert_eq!(days(a.due, now), d);
            assert!(
                a.message.contains(&format!("{d}-day notice")),
                "{}",
                a.message
            );
        }
        let expired = find(&list, LicensesExpired, "IOS XR Essentials");
        assert_eq!(days(expired.due, now), -15);
        assert!(expired.due_text.starts_with("Overdue since"));
        let short = find(&list, InsufficientLicenses, "ASR 9000 100GE port license");
        assert_eq!((short.due_text.as_str(), short.pool_id), ("Now", west));
        assert!(
            short.message.contains("15 in use, 12 purchased: 3 short"),
            "{}",
            short.message
        );
        let east_silent = find(&list, InstanceFailedToConnect, "3 product instances");
        assert_eq!(
            days(east_silent.due, now),
            -3,
            "the oldest contact plus 48 hours"
        );
        assert!(
            east_silent.message.contains("such as bos-1"),
            "{}",
            east_silent.message
        );
        let renew = find(&list, InstanceFailedToRenew, "lab-unrenewed");
        assert_eq!(days(renew.due, now), -1);
        assert_eq!(days(list[11].due, now), 3);

        // Each links to the place to act.
        let tag_id = license_id(&app, TAG).await;
        assert_eq!(
            alert_href(short),
            format!("/inventory?va={west}&tab=licenses&license={tag_id}")
        );
        assert_eq!(
            alert_href(find(&list, InsufficientLicenses, "X-NOT-IN-CATALOGUE")),
            format!("/inventory?va={east}&tab=licenses&q=X-NOT-IN-CATALOGUE")
        );
        let ess = license_id(&app, "XR-SW-ESS").await;
        assert_eq!(
            alert_href(expired),
            format!("/inventory?va={west}&tab=licenses&license={ess}")
        );
        assert_eq!(
            alert_href(east_silent),
            format!("/inventory?va={east}&tab=instances&sort=last_contact&dir=asc")
        );
        assert_eq!(
            alert_href(find(&list, InstanceFailedToConnect, "lab-silent")),
            format!("/inventory?va={lab}&tab=instances&instance={silent}")
        );
        assert_eq!(
            alert_href(renew),
            format!("/inventory?va={lab}&tab=instances&instance={unrenewed}")
        );
        assert_eq!(
            alert_href(&list[11]),
            format!("/inventory?va={west}&tab=general")
        );

        // The badge counts the same alerts.
        assert_eq!(count(&mut c).await, list.len() as u64, "{backend:?}");
    }
}

#[tokio::test]
async fn the_page_renders_the_alerts_with_links_and_the_badge() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [_, west, _], _) = estate(&app).await;
        let tag_id = license_id(&app, TAG).await;
        let page = c.get("/alerts").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("Insufficient Licenses"), "{html}");
        assert!(html.contains("Product Instance Failed to Renew"));
        let href = format!("/inventory?va={west}&amp;tab=licenses&amp;license={tag_id}");
        assert!(
            html.contains(&format!("href=\"{href}\""))
                || html.contains(&href.replace("&amp;", "&")),
            "no link to the short license in {html}"
        );
        assert!(html.contains("(14 alerts)"), "the badge's text: {html}");

        // Without JavaScript the filters are a GET form: the query picks what is shown.
        let major = c
            .get(&format!("/alerts?va={west}&severity=major"))
            .await
            .text();
        assert!(major.contains("Insufficient Licenses"));
        assert!(
            !major.contains("Licenses Expired"),
            "a Minor alert is filtered out"
        );
        assert!(
            !major.contains("Product Instance Failed to Renew"),
            "Lab's alert is filtered out"
        );
    }
}

#[tokio::test]
async fn filters_pick_a_pool_and_a_severity() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, _], _) = estate(&app).await;
        let all = alerts(&mut c, None, "").await.unwrap();

        let west_only = alerts(&mut c, Some(west), "").await.unwrap();
        let expected: Vec<_> = all.iter().filter(|a| a.pool_id == west).cloned().collect();
        // (A shortage is due "now", which moved between the two calls.)
        assert_eq!(summary(&west_only), summary(&expected), "{backend:?}");
        assert_eq!(west_only.len(), 3);

        let major = alerts(&mut c, None, "major").await.unwrap();
        assert_eq!(major.len(), 6);
        assert!(major.iter().all(|a| a.severity == Severity::Major));

        let east_minor = alerts(&mut c, Some(east), "minor").await.unwrap();
        let kinds: Vec<AlertKind> = east_minor.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [
                AlertKind::InstanceFailedToConnect,
                AlertKind::LicensesExpiring,
                AlertKind::LicensesExpiring
            ]
        );

        let bad = alerts(&mut c, None, "critical").await.unwrap_err();
        assert!(bad.for_field("severity").is_some(), "{bad:?}");
    }
}

#[tokio::test]
async fn users_see_only_the_alerts_of_pools_they_may_see() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut admin, [_, west, lab], _) = estate(&app).await;
        let mut viewer = app.user("Acme", "vera", Role::PoolViewer, &["Lab"]).await;
        let seen = alerts(&mut viewer, None, "").await.unwrap();
        assert_eq!(
            summary(&seen)
                .into_iter()
                .map(|(_, kind, pool, source)| (kind, pool, source))
                .collect::<Vec<_>>(),
            [
                (
                    AlertKind::InstanceFailedToRenew,
                    "Lab".to_owned(),
                    "lab-unrenewed".to_owned()
                ),
                (
                    AlertKind::InstanceFailedToConnect,
                    "Lab".to_owned(),
                    "lab-silent".to_owned()
                ),
            ],
            "{backend:?}"
        );
        assert!(seen.iter().all(|a| a.pool_id == lab));
        assert_eq!(count(&mut viewer).await, 2);
        assert_eq!(
            alerts(&mut viewer, Some(west), "").await.unwrap_err(),
            AppError::NotFound
        );
        // The page shows the viewer no other pool's alert either.
        let html = viewer.get("/alerts").await.text();
        assert!(html.contains("lab-silent"));
        assert!(!html.contains("Insufficient Licenses"), "{html}");

        // Another smart account, with its own shortage and expiring licenses.
        let mut other = app.account("Globex", "gary").await;
        other
            .call(
                "pools/create",
                &[("name", "Globex Edge"), ("description", "")],
            )
            .await
            .result::<serde_json::Value>()
            .unwrap();
        let globex_edge = other.pool_id("Globex Edge").await;
        let now = app.now();
        catalogue::provision(
            app.db(),
            catalogue::NewLot {
                account: "Globex",
                pool: "Globex Edge",
                tag: "EXP-07",
                quantity: 1,
                starts_at: now - Duration::days(10),
                ends_at: Some(now + Duration::days(5)),
                source_ref: "G-1",
            },
            now,
        )
        .await
        .unwrap();
        instance(&app, globex_edge, "globex-r1", &[(TAG, 2)]).await;

        let theirs = alerts(&mut other, None, "").await.unwrap();
        assert_eq!(
            summary(&theirs)
                .into_iter()
                .map(|(sev, kind, pool, _)| (sev, kind, pool))
                .collect::<Vec<_>>(),
            [
                (
                    Severity::Major,
                    AlertKind::InsufficientLicenses,
                    "Globex Edge".to_owned()
                ),
                (
                    Severity::Major,
                    AlertKind::LicensesExpiring,
                    "Globex Edge".to_owned()
                ),
            ]
        );
        assert_eq!(count(&mut other).await, 2);
        let ours = alerts(&mut admin, None, "").await.unwrap();
        assert_eq!(ours.len(), 14, "Acme's alerts are unchanged");
        assert!(ours
            .iter()
            .all(|a| a.pool_id != globex_edge && a.pool != "Globex Edge"));
        assert_eq!(
            alerts(&mut admin, Some(globex_edge), "").await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            alerts(&mut other, Some(west), "").await.unwrap_err(),
            AppError::NotFound
        );

        // Signed out: nothing.
        assert_eq!(
            alerts(&mut app.client(), None, "").await.unwrap_err(),
            AppError::Unauthorized
        );
    }
}

/// Moves the portal's clock through `POST /api/dev/clock`, as the browser specs can.
async fn advance(c: &mut Client, secs: i64) {
    let req = Request::post("/api/dev/clock")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(format!("{{\"advance_secs\":{secs}}}")))
        .unwrap();
    let reply = c.send(req).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

#[tokio::test]
async fn alerts_appear_and_step_up_as_the_clock_moves() {
    for backend in backends() {
        let settings = Settings {
            dev_clock: true,
            ..Settings::default()
        };
        let app = TestApp::with_settings(&backend, settings).await;
        let (mut c, [east, west, _]) = acme(&app).await;
        catalogue::add_license(app.db(), TAG, "ASR 9000 100GE port license", "ASR 9000")
            .await
            .unwrap();
        lot(&app, "East", TAG, 10, -10, Some(95)).await;
        token(&mut c, west, "rollout", "10").await;
        let router = instance(&app, east, "nyc-core-01", &[(TAG, 2)]).await;
        set_times(&app, router, 0.0, 200.0).await;
        assert_eq!(alerts(&mut c, None, "").await.unwrap(), [], "{backend:?}");
        assert_eq!(count(&mut c).await, 0);

        // 95 days ahead, then 90, 60, 30, 14, 7, 3 and 1: the notice steps up on each one's day.
        let mut steps = vec![];
        for advance_days in [5, 30, 30, 16, 7, 4, 2] {
            advance(&mut c, advance_days * DAY).await;
            let list = alerts(&mut c, Some(east), "").await.unwrap();
            let expiring = find(
                &list,
                AlertKind::LicensesExpiring,
                "ASR 9000 100GE port license",
            );
            let notice = expiring
                .message
                .split("; ")
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            steps.push((notice, expiring.severity));
        }
        use Severity::*;
        let step = |n: &str, s| (format!("{n}-day notice)."), s);
        assert_eq!(
            steps,
            [
                step("90", Informational),
                step("60", Informational),
                step("30", Minor),
                step("14", Minor),
                step("7", Major),
                step("3", Major),
                step("1", Major),
            ],
            "{backend:?}"
        );
        // The router has been silent since the first step; the token expired on the way.
        let list = alerts(&mut c, None, "").await.unwrap();
        let kinds: Vec<AlertKind> = list.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [
                AlertKind::LicensesExpiring,
                AlertKind::InstanceFailedToConnect
            ]
        );

        // A day later the lot has ended: expired, and the router is now short of licenses.
        advance(&mut c, DAY).await;
        let list = alerts(&mut c, None, "").await.unwrap();
        let kinds: Vec<AlertKind> = list.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [
                AlertKind::InsufficientLicenses,
                AlertKind::InstanceFailedToConnect,
                AlertKind::LicensesExpired
            ]
        );
        assert_eq!(count(&mut c).await, 3);
    }
}

#[tokio::test]
async fn a_token_warns_in_its_last_week() {
    for backend in backends() {
        let settings = Settings {
            dev_clock: true,
            ..Settings::default()
        };
        let app = TestApp::with_settings(&backend, settings).await;
        let (mut c, [_, west, _]) = acme(&app).await;
        token(&mut c, west, "rollout", "10").await;
        assert_eq!(count(&mut c).await, 0, "{backend:?}");
        advance(&mut c, 3 * DAY).await;
        let list = alerts(&mut c, None, "").await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].kind, list[0].severity, list[0].pool_id),
            (AlertKind::TokenExpiring, Severity::Informational, west)
        );
        assert!(list[0].message.contains("in 7 days"), "{}", list[0].message);
        advance(&mut c, 7 * DAY).await;
        assert_eq!(
            count(&mut c).await,
            0,
            "an expired token is no longer expiring"
        );
    }
}
