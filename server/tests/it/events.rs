//! The Event Log: newest first, keyset pages, filters by kind and text.

use crate::common;

use app::domain::events::EventKind;
use app::model::{EventPage, PoolRow};
use common::{backends, Client, TestApp};

async fn page(c: &mut Client, pool: i64, kind: &str, text: &str, before: Option<i64>) -> EventPage {
    let pool = pool.to_string();
    let before = before.map(|b| b.to_string());
    let mut form = vec![("pool", pool.as_str()), ("kind", kind), ("text", text)];
    if let Some(b) = &before {
        form.push(("before", b.as_str()));
    }
    c.call("events/list", &form).await.result().unwrap()
}

#[tokio::test]
async fn pages_through_events_newest_first() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut c = app.account("Acme", "alice").await;
        let pool: PoolRow = c
            .call("pools/create", &[("name", "P0"), ("description", "")])
            .await
            .result()
            .unwrap();
        let id = pool.id.to_string();
        for i in 1..=60 {
            let name = format!("P{i}");
            c.call(
                "pools/update",
                &[("id", &id), ("name", &name), ("description", "")],
            )
            .await
            .result::<()>()
            .unwrap();
        }
        let first = page(&mut c, pool.id, "", "", None).await;
        assert_eq!(first.rows.len(), 50);
        assert_eq!(
            first.rows[0].message,
            "Virtual account \"P59\" renamed to \"P60\""
        );
        assert!(
            first.rows.windows(2).all(|w| w[0].id > w[1].id),
            "newest first"
        );
        let second = page(&mut c, pool.id, "", "", first.older).await;
        // 60 renames + 1 creation; the account-wide "user added" is in the account's own log.
        assert_eq!(second.rows.len(), 11, "on {backend:?}");
        assert_eq!(second.older, None);
        assert_eq!(second.rows[10].message, "Virtual account \"P0\" created");
        assert_eq!(second.rows[10].actor, "alice");
    }
}

#[tokio::test]
async fn filters_by_kind_and_by_text() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut c = app.account("Acme", "alice").await;
        let pool: PoolRow = c
            .call("pools/create", &[("name", "East"), ("description", "")])
            .await
            .result()
            .unwrap();
        let id = pool.id.to_string();
        c.call(
            "pools/update",
            &[("id", &id), ("name", "East 100%"), ("description", "new")],
        )
        .await
        .result::<()>()
        .unwrap();
        let renamed = page(&mut c, pool.id, "virtual_account.renamed", "", None).await;
        assert_eq!(renamed.rows.len(), 1);
        assert_eq!(renamed.rows[0].kind, EventKind::PoolRenamed);
        assert_eq!(renamed.rows[0].kind.label(), "Virtual account renamed");
        let text = page(&mut c, pool.id, "", "100%", None).await;
        assert_eq!(
            text.rows.len(),
            2,
            "rename and description events mention the new name"
        );
        // % is matched literally, not as a wildcard.
        assert!(page(&mut c, pool.id, "", "st 1%0", None)
            .await
            .rows
            .is_empty());
        // The actor matches too, case-insensitively: three changes by alice.
        assert_eq!(page(&mut c, pool.id, "", "ALICE", None).await.rows.len(), 3);
        let bad = c
            .call(
                "events/list",
                &[("pool", &id), ("kind", "nonsense"), ("text", "")],
            )
            .await;
        assert_eq!(
            bad.result::<EventPage>().unwrap_err(),
            app::error::AppError::validation("kind", "Pick a kind from the list.")
        );
    }
}

async fn account_page(
    c: &mut Client,
    form: &[(&str, &str)],
) -> Result<EventPage, app::error::AppError> {
    let mut form = form.to_vec();
    form.push(("account", "true"));
    c.call("events/list", &form).await.result()
}

#[tokio::test]
async fn account_events_have_their_own_log_for_account_admins_and_a_date_range() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut admin = app.account("Acme", "alice").await;
        let east: PoolRow = admin
            .call("pools/create", &[("name", "East"), ("description", "")])
            .await
            .result()
            .unwrap();
        admin
            .call(
                "api-keys/create",
                &[
                    ("name", "ci"),
                    ("scope", "read"),
                    ("expires", "30"),
                    ("reach", "all"),
                ],
            )
            .await
            .result::<serde_json::Value>()
            .unwrap();
        // The pool's log has the pool's events only: no user, no API key.
        let pool_log = page(&mut admin, east.id, "", "", None).await;
        let pool_messages: Vec<&str> = pool_log.rows.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            pool_messages,
            ["Virtual account \"East\" created"],
            "{backend:?}"
        );
        // The account's log has the account's events, and none of a pool's.
        let account = account_page(&mut admin, &[]).await.unwrap();
        let messages: Vec<&str> = account.rows.iter().map(|e| e.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("API key") && m.contains("ci")),
            "{messages:?}"
        );
        assert!(
            messages.contains(&"User \"alice\" added as Account admin"),
            "{messages:?}"
        );
        assert!(!messages.iter().any(|m| m.contains("East")), "{messages:?}");

        // A date range: today's events, none tomorrow; days are checked and ordered.
        let today = app.now().date_naive().to_string();
        let tomorrow = app.now().date_naive().succ_opt().unwrap().to_string();
        let yesterday = app.now().date_naive().pred_opt().unwrap().to_string();
        let same = account_page(&mut admin, &[("from", &today), ("to", &today)])
            .await
            .unwrap();
        assert_eq!(same.rows.len(), account.rows.len());
        assert!(account_page(&mut admin, &[("from", &tomorrow)])
            .await
            .unwrap()
            .rows
            .is_empty());
        assert!(account_page(&mut admin, &[("to", &yesterday)])
            .await
            .unwrap()
            .rows
            .is_empty());
        assert!(
            page_in_range(&mut admin, east.id, &yesterday, &today)
                .await
                .rows
                .len()
                == 1
        );
        assert_eq!(
            account_page(&mut admin, &[("from", "2026-13-01")])
                .await
                .unwrap_err(),
            app::error::AppError::validation(
                "from",
                "Enter a date as YYYY-MM-DD, such as 2026-12-01."
            )
        );
        assert_eq!(
            account_page(&mut admin, &[("from", &today), ("to", &yesterday)])
                .await
                .unwrap_err(),
            app::error::AppError::validation("to", "The end date comes before the start date.")
        );

        // Only those who manage the account's pools read its log.
        let mut viewer = app
            .user(
                "Acme",
                "vic",
                app::domain::roles::Role::PoolViewer,
                &["East"],
            )
            .await;
        assert_eq!(
            account_page(&mut viewer, &[]).await.unwrap_err(),
            app::error::AppError::Forbidden
        );
    }
}

async fn page_in_range(c: &mut Client, pool: i64, from: &str, to: &str) -> EventPage {
    let pool = pool.to_string();
    c.call(
        "events/list",
        &[("pool", pool.as_str()), ("from", from), ("to", to)],
    )
    .await
    .result()
    .unwrap()
}
