//! Virtual accounts: rules, roles, cross-account isolation and their events.

use crate::common;

use app::domain::error::Refusal;
use app::domain::roles::Role;
use app::error::AppError;
use app::model::{EventPage, PoolRow};
use app::services::catalogue;
use common::{backends, Client, TestApp};

async fn pools(c: &mut Client) -> Vec<PoolRow> {
    c.call("pools/list", &[]).await.result().unwrap()
}

async fn events(c: &mut Client, pool: i64) -> Vec<String> {
    let page: EventPage = c
        .call(
            "events/list",
            &[("pool", &pool.to_string()), ("kind", ""), ("text", "")],
        )
        .await
        .result()
        .unwrap();
    page.rows.into_iter().map(|e| e.message).collect()
}

fn field_of(err: AppError) -> String {
    match err {
        AppError::Validation { field, .. } => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn create_rename_describe_and_delete_write_events() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut c = app.account("Acme", "alice").await;
        let created: PoolRow = c
            .call(
                "pools/create",
                &[("name", "  East "), ("description", "Core")],
            )
            .await
            .result()
            .unwrap();
        assert_eq!(created.name, "East");
        assert!(
            !created.is_default,
            "the smart account already has a default"
        );
        let id = created.id.to_string();

        c.call(
            "pools/update",
            &[
                ("id", &id),
                ("name", "East Coast"),
                ("description", "Core and edge"),
            ],
        )
        .await
        .result::<()>()
        .unwrap();
        let row = pools(&mut c)
            .await
            .into_iter()
            .find(|p| p.id == created.id)
            .unwrap();
        assert_eq!(
            (row.name.as_str(), row.description.as_str()),
            ("East Coast", "Core and edge")
        );
        assert_eq!(
            events(&mut c, created.id).await[..3],
            [
                "Description of \"East Coast\" changed".to_owned(),
                "Virtual account \"East\" renamed to \"East Coast\"".to_owned(),
                "Virtual account \"East\" created".to_owned(),
            ]
        );

        c.call("pools/delete", &[("id", &id)])
            .await
            .result::<()>()
            .unwrap();
        assert_eq!(pools(&mut c).await.len(), 1, "{backend:?}");
        // The deletion is the account's, in its own log; the other pools' logs keep to themselves.
        let default = c.pool_id("Default").await;
        assert!(!events(&mut c, default)
            .await
            .iter()
            .any(|m| m.contains("deleted")));
        let account: EventPage = c
            .call("events/list", &[("account", "true")])
            .await
            .result()
            .unwrap();
        assert_eq!(
            account.rows[0].message,
            "Virtual account \"East Coast\" deleted"
        );
    }
}

#[tokio::test]
async fn names_are_unique_within_a_smart_account_and_errors_name_the_field() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut c = app.account("Acme", "alice").await;
        c.call("pools/create", &[("name", "East"), ("description", "")])
            .await
            .result::<PoolRow>()
            .unwrap();
        let dup = c
            .call("pools/create", &[("name", "east"), ("description", "")])
            .await
            .result::<PoolRow>()
            .unwrap_err();
        assert_eq!(
            dup,
            AppError::validation("name", "A virtual account named \"east\" already exists.")
        );
        assert_eq!(
            field_of(
                c.call("pools/create", &[("name", " "), ("description", "")])
                    .await
                    .result::<PoolRow>()
                    .unwrap_err()
            ),
            "name"
        );
        let long = "d".repeat(501);
        assert_eq!(
            field_of(
                c.call("pools/create", &[("name", "West"), ("description", &long)])
                    .await
                    .result::<PoolRow>()
                    .unwrap_err()
            ),
            "description"
        );
        let west: PoolRow = c
            .call("pools/create", &[("name", "West"), ("description", "")])
            .await
            .result()
            .unwrap();
        let rename = c
            .call(
                "pools/update",
                &[
                    ("id", &west.id.to_string()),
                    ("name", "EAST"),
                    ("description", ""),
                ],
            )
            .await;
        assert_eq!(field_of(rename.result::<()>().unwrap_err()), "name");
        // Nothing changed by the refused requests.
        let names: Vec<String> = pools(&mut c).await.into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["Default", "East", "West"]);
        // The same name is fine in another smart account.
        let mut other = app.account("Globex", "gina").await;
        other
            .call("pools/create", &[("name", "East"), ("description", "")])
            .await
            .result::<PoolRow>()
            .unwrap();
    }
}

#[tokio::test]
async fn delete_is_refused_while_the_pool_holds_something_or_is_the_default() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut c = app.account("Acme", "alice").await;
        let east: PoolRow = c
            .call("pools/create", &[("name", "East"), ("description", "")])
            .await
            .result()
            .unwrap();
        catalogue::add_license(app.db(), "A9K-100G-LIC", "100GE port", "ASR 9000")
            .await
            .unwrap();
        catalogue::provision(
            app.db(),
            catalogue::NewLot {
                account: "Acme",
                pool: "East",
                tag: "A9K-100G-LIC",
                quantity: 12,
                starts_at: app.now(),
                ends_at: None,
                source_ref: "ORD-1",
            },
            app.now(),
        )
        .await
        .unwrap();
        let refused = c
            .call("pools/delete", &[("id", &east.id.to_string())])
            .await
            .result::<()>()
            .unwrap_err();
        assert_eq!(
            refused,
            AppError::Refused(Refusal::PoolNotEmpty {
                name: "East".into(),
                licenses: 12,
                tokens: 0,
                instances: 0
            })
        );
        assert_eq!(
            refused.to_string(),
            "\"East\" still holds 12 licenses. Transfer or remove them first."
        );
        let default = c.pool_id("Default").await;
        let refused = c
            .call("pools/delete", &[("id", &default.to_string())])
            .await
            .result::<()>()
            .unwrap_err();
        assert!(
            matches!(refused, AppError::Refused(Refusal::DefaultPool { ref name }) if name == "Default"),
            "{refused:?}"
        );
        assert!(refused.to_string().contains("is the default"), "{refused}");
        assert_eq!(
            pools(&mut c)
                .await
                .iter()
                .find(|p| p.id == east.id)
                .unwrap()
                .licenses,
            12
        );

        // Make East the default: then Default can go.
        c.call("pools/set-default", &[("id", &east.id.to_string())])
            .await
            .result::<()>()
            .unwrap();
        let rows = pools(&mut c).await;
        assert!(rows.iter().find(|p| p.id == east.id).unwrap().is_default);
        assert_eq!(rows.iter().filter(|p| p.is_default).count(), 1);
        c.call("pools/delete", &[("id", &default.to_string())])
            .await
            .result::<()>()
            .unwrap();
    }
}

#[tokio::test]
async fn roles_decide_who_changes_what() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut admin = app.account("Acme", "alice").await;
        for name in ["East", "West"] {
            admin
                .call("pools/create", &[("name", name), ("description", "")])
                .await
                .result::<PoolRow>()
                .unwrap();
        }
        let east = admin.pool_id("East").await.to_string();
        let west = admin.pool_id("West").await.to_string();

        let mut viewer = app.user("Acme", "vic", Role::PoolViewer, &["East"]).await;
        assert_eq!(
            pools(&mut viewer)
                .await
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["East"]
        );
        assert!(!pools(&mut viewer).await[0].can_change);
        assert_eq!(
            viewer
                .call("pools/create", &[("name", "Mine"), ("description", "")])
                .await
                .result::<PoolRow>()
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            viewer
                .call(
                    "pools/update",
                    &[("id", &east), ("name", "X"), ("description", "")]
                )
                .await
                .result::<()>()
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            viewer
                .call(
                    "pools/update",
                    &[("id", &west), ("name", "X"), ("description", "")]
                )
                .await
                .result::<()>()
                .unwrap_err(),
            AppError::NotFound
        );
        let west_events = viewer
            .call(
                "events/list",
                &[("pool", &west), ("kind", ""), ("text", "")],
            )
            .await;
        assert_eq!(
            west_events.result::<EventPage>().unwrap_err(),
            AppError::NotFound
        );

        let mut pool_admin = app.user("Acme", "pat", Role::PoolAdmin, &["West"]).await;
        pool_admin
            .call(
                "pools/update",
                &[("id", &west), ("name", "West Coast"), ("description", "")],
            )
            .await
            .result::<()>()
            .unwrap();
        assert_eq!(
            pool_admin
                .call("pools/delete", &[("id", &west)])
                .await
                .result::<()>()
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            pool_admin
                .call("pools/set-default", &[("id", &west)])
                .await
                .result::<()>()
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            pool_admin
                .call(
                    "pools/update",
                    &[("id", &east), ("name", "Mine"), ("description", "")]
                )
                .await
                .result::<()>()
                .unwrap_err(),
            AppError::NotFound
        );

        let mut user = app.user("Acme", "una", Role::AccountUser, &[]).await;
        assert_eq!(pools(&mut user).await.len(), 3);
        user.call("pools/create", &[("name", "Lab"), ("description", "")])
            .await
            .result::<PoolRow>()
            .unwrap();
        assert!(user.me().await.unwrap().manages_pools);
        assert!(!viewer.me().await.unwrap().manages_pools);
    }
}

#[tokio::test]
async fn another_smart_account_is_not_found_whatever_id_is_sent() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let mut acme = app.account("Acme", "alice").await;
        let east: PoolRow = acme
            .call("pools/create", &[("name", "East"), ("description", "")])
            .await
            .result()
            .unwrap();
        let id = east.id.to_string();
        let mut globex = app.account("Globex", "gina").await;
        for (endpoint, form) in [
            (
                "pools/update",
                vec![("id", id.as_str()), ("name", "Stolen"), ("description", "")],
            ),
            ("pools/delete", vec![("id", id.as_str())]),
            ("pools/set-default", vec![("id", id.as_str())]),
            (
                "events/list",
                vec![("pool", id.as_str()), ("kind", ""), ("text", "")],
            ),
        ] {
            let reply = globex.call(endpoint, &form).await;
            assert_eq!(
                reply.result::<serde_json::Value>().unwrap_err(),
                AppError::NotFound,
                "{endpoint} on {backend:?}"
            );
        }
        assert!(pools(&mut globex).await.iter().all(|p| p.name != "East"));
        // Acme's pool is untouched.
        assert_eq!(
            pools(&mut acme)
                .await
                .iter()
                .find(|p| p.id == east.id)
                .unwrap()
                .name,
            "East"
        );
    }
}

#[tokio::test]
async fn signed_out_callers_get_unauthorized() {
    let app = TestApp::new(&backends()[0]).await;
    let mut anon = app.client();
    assert_eq!(
        anon.call("pools/list", &[])
            .await
            .result::<Vec<PoolRow>>()
            .unwrap_err(),
        AppError::Unauthorized
    );
    assert_eq!(
        anon.call("pools/create", &[("name", "X"), ("description", "")])
            .await
            .result::<PoolRow>()
            .unwrap_err(),
        AppError::Unauthorized
    );
}
