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
        // 60 renames + 1 creation, and the account-wide "user added" event an admin sees too.
        assert_eq!(second.rows.len(), 12, "on {backend:?}");
        assert_eq!(second.older, None);
        assert_eq!(second.rows[10].message, "Virtual account \"P0\" created");
        assert_eq!(second.rows[10].actor, "alice");
        assert_eq!(
            second.rows[11].message,
            "User \"alice\" added as Account admin"
        );
        assert_eq!(second.rows[11].actor, "operator");
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
        // The actor matches too, case-insensitively: three changes by alice, and "User "alice" added".
        assert_eq!(page(&mut c, pool.id, "", "ALICE", None).await.rows.len(), 4);
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
