//! Reports: each report's rows against a seeded database, the filters, who may read what, and the
//! `/export/…` downloads (CSV neutralisation, file names, workbooks) on SQLite and PostgreSQL.

use crate::common;
use crate::licenses_common;

use app::domain::reports::{Cell, ReportKind};
use app::domain::roles::Role;
use app::error::AppError;
use app::model::ReportPreview;
use axum::http::{header, StatusCode};
use common::{backends, Client, TestApp};
use licenses_common::*;
use sea_orm::EntityTrait;

const OTHER: &str = "A9K-MPA-LIC";

async fn preview(c: &mut Client, kind: ReportKind, query: &str) -> Result<ReportPreview, AppError> {
    c.call(
        "reports/preview",
        &[("report", kind.slug()), ("query", query)],
    )
    .await
    .result::<ReportPreview>()
}

/// The rows of a preview as display text, by column title.
fn column(p: &ReportPreview, title: &str) -> Vec<String> {
    let i = p
        .columns
        .iter()
        .position(|(t, _)| t == title)
        .unwrap_or_else(|| panic!("no column {title}"));
    p.rows.iter().map(|r| r[i].display()).collect()
}

fn row_of<'a>(p: &'a ReportPreview, title: &str, value: &str) -> &'a [Cell] {
    let i = p.columns.iter().position(|(t, _)| t == title).unwrap();
    p.rows
        .iter()
        .find(|r| r[i].display() == value)
        .unwrap_or_else(|| panic!("no row with {title} = {value}"))
}

/// Acme with East (5 of TAG, 2 in use; 3 of OTHER, none used) and West (1 of TAG ending in 10 days,
/// 3 in use: short), a token in East whose description is a formula.
async fn seed(app: &TestApp) -> (Client, [i64; 3]) {
    let (mut c, pools) = acme(app).await;
    catalogue(
        app,
        &[
            (TAG, "ASR 9000 100G Port License", "ASR9K"),
            (OTHER, "ASR 9000 MPA License", "ASR9K"),
        ],
    )
    .await;
    lot(app, "East", TAG, 5, -1, None).await;
    lot(app, "East", OTHER, 3, -1, Some(200)).await;
    lot(app, "West", TAG, 1, -1, Some(10)).await;
    instance(app, pools[0], "east-edge-1", &[(TAG, 2)]).await;
    instance(app, pools[1], "west-edge-1", &[(TAG, 3)]).await;
    c.call(
        "tokens/create",
        &[
            ("pool", &pools[0].to_string()),
            ("description", "=HYPERLINK(\"http://x\")"),
            ("expire_days", "30"),
            ("max_uses", "10"),
        ],
    )
    .await
    .result::<Vec<app::model::CreatedToken>>()
    .unwrap();
    (c, pools)
}

#[tokio::test]
async fn each_report_shows_what_the_database_holds() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, _lab]) = seed(&app).await;

        let licenses = preview(&mut c, ReportKind::Licenses, "").await.unwrap();
        assert_eq!(licenses.total, 3, "{licenses:?}");
        let east_tag = licenses
            .rows
            .iter()
            .find(|r| r[0].display() == "East" && r[2].display() == TAG)
            .unwrap();
        assert_eq!(
            east_tag[4..7],
            [Cell::Number(5), Cell::Number(2), Cell::Number(3)]
        );
        let west_tag = row_of(&licenses, "Virtual Account", "West");
        assert_eq!(west_tag[6], Cell::Number(-2));
        assert_eq!(west_tag[8].display(), "Insufficient Licenses");
        assert!(matches!(west_tag[7], Cell::Time(_)), "expiry is a date");

        let instances = preview(&mut c, ReportKind::ProductInstances, "")
            .await
            .unwrap();
        assert_eq!(instances.total, 2);
        let w = row_of(&instances, "Hostname", "west-edge-1");
        assert_eq!(w[0].display(), "West");
        assert_eq!(w[8].display(), "Out of Compliance");
        assert_eq!(w[11].display(), format!("{TAG} × 3"));
        let e = row_of(&instances, "Hostname", "east-edge-1");
        assert_eq!(e[8].display(), "Authorized");
        assert_eq!(e[5].display(), "7.9.2");

        let usage = preview(&mut c, ReportKind::LicenseUsage, "").await.unwrap();
        assert_eq!(usage.total, 2);
        let w = row_of(&usage, "Hostname", "west-edge-1");
        assert_eq!(w[6], Cell::Number(3));
        assert_eq!(w[5].display(), "ASR 9000 100G Port License");
        assert_eq!(w[7].display(), "Out of Compliance");

        let pools = preview(&mut c, ReportKind::VirtualAccounts, "")
            .await
            .unwrap();
        let visible = c.me().await.unwrap().pools.len() as u64;
        assert_eq!(pools.total, visible);
        let east_row = row_of(&pools, "Virtual Account", "East");
        assert_eq!(
            east_row[3..7],
            [
                Cell::Number(8),
                Cell::Number(2),
                Cell::Number(1),
                Cell::Number(1)
            ]
        );

        let tokens = preview(&mut c, ReportKind::Tokens, "").await.unwrap();
        assert_eq!(tokens.total, 1);
        assert_eq!(column(&tokens, "Status"), ["Active"]);
        assert_eq!(column(&tokens, "Max Uses"), ["10"]);
        // A report is a file that travels: even the pool's admins get the token shortened, and
        // the secret appears nowhere in the export.
        let shown = column(&tokens, "Token")[0].clone();
        assert!(shown.contains('…'), "{shown}");
        let secret = app::entities::token::Entity::find()
            .one(app.db())
            .await
            .unwrap()
            .unwrap();
        let csv = c.get("/export/tokens.csv").await.text();
        assert!(
            !csv.contains(&secret.token),
            "the whole token is not exported"
        );

        let events = preview(&mut c, ReportKind::EventLog, "").await.unwrap();
        assert!(
            events.total >= 4,
            "pools created, token created: {events:?}"
        );
        assert!(column(&events, "Event").iter().any(|k| k.contains("oken")));

        let _ = (east, west);
    }
}

#[tokio::test]
async fn filters_narrow_the_rows() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, lab]) = seed(&app).await;
        let count = |p: ReportPreview| p.total;

        let q = format!("va={east}");
        assert_eq!(
            count(
                preview(&mut c, ReportKind::ProductInstances, &q)
                    .await
                    .unwrap()
            ),
            1
        );
        let q = format!("va={east}&va={west}");
        assert_eq!(
            count(
                preview(&mut c, ReportKind::ProductInstances, &q)
                    .await
                    .unwrap()
            ),
            2
        );
        let q = format!("va={lab}");
        assert_eq!(
            count(
                preview(&mut c, ReportKind::ProductInstances, &q)
                    .await
                    .unwrap()
            ),
            0
        );

        let ooc = preview(
            &mut c,
            ReportKind::ProductInstances,
            "status=out_of_compliance",
        )
        .await
        .unwrap();
        assert_eq!(column(&ooc, "Hostname"), ["west-edge-1"]);
        let ok = preview(&mut c, ReportKind::ProductInstances, "status=authorized")
            .await
            .unwrap();
        assert_eq!(column(&ok, "Hostname"), ["east-edge-1"]);
        let usage_ok = preview(&mut c, ReportKind::LicenseUsage, "status=authorized")
            .await
            .unwrap();
        assert_eq!(column(&usage_ok, "Hostname"), ["east-edge-1"]);

        let q = format!("license={OTHER}");
        let lic = preview(&mut c, ReportKind::Licenses, &q).await.unwrap();
        assert_eq!(column(&lic, "Entitlement Tag"), [OTHER]);
        assert_eq!(
            count(
                preview(&mut c, ReportKind::ProductInstances, &q)
                    .await
                    .unwrap()
            ),
            0
        );
        let short = preview(&mut c, ReportKind::Licenses, "status=insufficient")
            .await
            .unwrap();
        assert_eq!(column(&short, "Virtual Account"), ["West"]);

        let today = app.now().date_naive();
        let tomorrow = today.succ_opt().unwrap();
        let q = format!("from={today}&to={today}");
        assert_eq!(
            count(
                preview(&mut c, ReportKind::ProductInstances, &q)
                    .await
                    .unwrap()
            ),
            2
        );
        let q = format!("from={tomorrow}");
        assert_eq!(
            count(
                preview(&mut c, ReportKind::ProductInstances, &q)
                    .await
                    .unwrap()
            ),
            0
        );
        assert_eq!(
            count(preview(&mut c, ReportKind::Tokens, &q).await.unwrap()),
            0
        );
        assert_eq!(
            count(preview(&mut c, ReportKind::EventLog, &q).await.unwrap()),
            0
        );

        assert_eq!(
            count(
                preview(&mut c, ReportKind::Tokens, "status=revoked")
                    .await
                    .unwrap()
            ),
            0
        );
        assert_eq!(
            count(
                preview(&mut c, ReportKind::Tokens, "status=active")
                    .await
                    .unwrap()
            ),
            1
        );

        // Three days without contact: both devices failed to connect; the token is still active.
        app.state.clock.advance(3 * 86_400);
        let failed = preview(
            &mut c,
            ReportKind::ProductInstances,
            "status=failed_to_connect",
        )
        .await
        .unwrap();
        assert_eq!(failed.total, 2);
        assert_eq!(
            column(&failed, "Status"),
            ["Failed to Connect", "Failed to Connect"]
        );
        // Forty days on: the token has expired.
        app.state.clock.advance(40 * 86_400);
        assert_eq!(
            count(
                preview(&mut c, ReportKind::Tokens, "status=expired")
                    .await
                    .unwrap()
            ),
            1
        );
    }
}

#[tokio::test]
async fn bad_filters_name_their_field() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, _) = seed(&app).await;
        let field = |r: Result<ReportPreview, AppError>| match r {
            Err(AppError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        };
        assert_eq!(
            field(preview(&mut c, ReportKind::Tokens, "va=999999").await),
            "va"
        );
        assert_eq!(
            field(preview(&mut c, ReportKind::Tokens, "from=2026-02-30").await),
            "from"
        );
        assert_eq!(
            field(preview(&mut c, ReportKind::Tokens, "status=authorized").await),
            "status"
        );
        assert_eq!(
            field(preview(&mut c, ReportKind::FullInventory, "").await),
            "report"
        );
    }
}

#[tokio::test]
async fn users_only_report_what_they_may_see() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (_admin, [east, west, _]) = seed(&app).await;
        let mut viewer = app
            .user("Acme", "victor", Role::PoolViewer, &["East"])
            .await;

        let instances = preview(&mut viewer, ReportKind::ProductInstances, "")
            .await
            .unwrap();
        assert_eq!(column(&instances, "Hostname"), ["east-edge-1"]);
        let pools = preview(&mut viewer, ReportKind::VirtualAccounts, "")
            .await
            .unwrap();
        assert_eq!(column(&pools, "Virtual Account"), ["East"]);
        let tokens = preview(&mut viewer, ReportKind::Tokens, "").await.unwrap();
        assert!(
            column(&tokens, "Token")[0].contains('…'),
            "viewers see a shortened token"
        );
        let q = format!("va={west}");
        assert!(matches!(
            preview(&mut viewer, ReportKind::ProductInstances, &q).await,
            Err(AppError::Validation { field, .. }) if field == "va"
        ));

        // The same rule for the downloads.
        let csv = viewer.get("/export/product-instances.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.text().contains("east-edge-1"));
        assert!(!csv.text().contains("west-edge-1"));
        let refused = viewer
            .get(&format!("/export/product-instances.xlsx?va={west}"))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.text().starts_with("va:"), "{}", refused.text());

        // Another smart account sees none of Acme's pools, by id or otherwise.
        let mut stranger = app.account("Globex", "gina").await;
        let q = format!("va={east}");
        assert!(preview(&mut stranger, ReportKind::Tokens, &q)
            .await
            .is_err());
        let theirs = stranger.get("/export/product-instances.csv").await;
        assert_eq!(theirs.status, StatusCode::OK);
        assert!(!theirs.text().contains("edge-1"));

        // Nobody signed in: no export.
        let anonymous = app.client().get("/export/licenses.xlsx").await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn csv_exports_neutralise_formulas_and_name_the_file() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, _) = seed(&app).await;
        let reply = c.get("/export/tokens.csv").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.headers[header::CONTENT_TYPE],
            "text/csv; charset=utf-8"
        );
        let day = app.now().date_naive();
        assert_eq!(
            reply.headers[header::CONTENT_DISPOSITION],
            format!("attachment; filename=\"Acme-tokens-{day}.csv\"").as_str()
        );
        let text = reply.text();
        let mut lines = text.trim_start_matches('\u{feff}').split("\r\n");
        assert!(lines
            .next()
            .unwrap()
            .starts_with("Virtual Account,Token,Description,"));
        let row = lines.next().unwrap();
        assert!(
            row.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","),
            "formula not neutralised: {row}"
        );
        assert!(row.contains(",10,"), "max uses is a number: {row}");

        let balance = c
            .get("/export/licenses.csv?status=insufficient")
            .await
            .text();
        assert!(
            balance.contains(",1,3,-2,"),
            "negative balance stays a number: {balance}"
        );

        assert_eq!(
            c.get("/export/full-inventory.csv").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            c.get("/export/nothing.xlsx").await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn workbooks_download_with_their_name() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, ..]) = seed(&app).await;
        let day = app.now().date_naive();
        for (kind, query) in [
            (
                ReportKind::ProductInstances,
                format!("?va={east}&progress=test-progress-1"),
            ),
            (ReportKind::FullInventory, String::new()),
        ] {
            let reply = c.get(&format!("/export/{}.xlsx{query}", kind.slug())).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
            assert_eq!(
                reply.headers[header::CONTENT_TYPE],
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            );
            assert_eq!(
                reply.headers[header::CONTENT_DISPOSITION],
                format!("attachment; filename=\"Acme-{}-{day}.xlsx\"", kind.slug()).as_str()
            );
            assert_eq!(&reply.body[..2], b"PK", "an xlsx file is a zip archive");
            assert_eq!(
                reply.headers[header::CONTENT_LENGTH],
                reply.body.len().to_string().as_str()
            );
        }
        // The page's progress line saw the export through.
        let progress = c
            .call("reports/export-progress", &[("id", "test-progress-1")])
            .await
            .result::<Option<app::model::ExportProgress>>()
            .unwrap()
            .unwrap();
        assert_eq!((progress.rows, progress.total, progress.done), (1, 1, true));
    }
}

#[tokio::test]
async fn export_progress_is_kept_for_its_user_and_read_by_any_process() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut alice, [east, ..]) = seed(&app).await;
        let reply = alice
            .get(&format!(
                "/export/product-instances.csv?va={east}&progress=shared-progress-1"
            ))
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let progress = |reply: common::Reply| {
            reply
                .result::<Option<app::model::ExportProgress>>()
                .unwrap()
        };
        // The page's poll may reach another portal process: the progress is in the database.
        let other = app.another_process(common::NO_LIMITS).await.router;
        let seen = progress(
            alice
                .via(other)
                .call("reports/export-progress", &[("id", "shared-progress-1")])
                .await,
        )
        .unwrap();
        assert_eq!((seen.rows, seen.total, seen.done), (1, 1, true));
        // Another user of the same account, asking for the same id, learns nothing.
        let mut bob = app.user("Acme", "bob", Role::AccountUser, &[]).await;
        assert_eq!(
            progress(
                bob.call("reports/export-progress", &[("id", "shared-progress-1")])
                    .await
            ),
            None,
            "{backend:?}"
        );
    }
}
