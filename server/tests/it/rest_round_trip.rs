//! Every REST API endpoint's round trip: virtual accounts, licenses, tokens, product instances,
//! events, alerts, reports and the public document.

use app::domain::api_keys::ApiScope;
use axum::http::StatusCode;
use serde_json::json;

use crate::common::{backends, TestApp};
use crate::rest_common::{acme, call, code, get, json, key, pool};

#[tokio::test]
async fn every_endpoint_round_trips() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let token = acme(&app).await;
        let k = key(&app, "Acme", "alice", ApiScope::Write, &[]).await;
        let (default, east) = (
            pool(&app, &k, "Default").await,
            pool(&app, &k, "East").await,
        );

        // Virtual accounts: create, rename, make default and back, delete.
        let made = call(
            &app,
            "POST",
            "/virtual-accounts",
            &k,
            Some(json!({"name": "North", "description": "new"})),
            &[],
        )
        .await;
        assert_eq!(
            made.status,
            StatusCode::CREATED,
            "{backend:?}: {}",
            made.text()
        );
        let north = json(&made)["id"].as_i64().unwrap();
        let renamed = call(
            &app,
            "PATCH",
            &format!("/virtual-accounts/{north}"),
            &k,
            Some(json!({"name": "Northeast"})),
            &[],
        )
        .await;
        assert_eq!(
            (
                json(&renamed)["name"].as_str(),
                json(&renamed)["description"].as_str()
            ),
            (Some("Northeast"), Some("new"))
        );
        let made_default = call(
            &app,
            "PATCH",
            &format!("/virtual-accounts/{north}"),
            &k,
            Some(json!({"is_default": true})),
            &[],
        )
        .await;
        assert_eq!(
            json(&made_default)["is_default"],
            true,
            "{}",
            made_default.text()
        );
        call(
            &app,
            "PATCH",
            &format!("/virtual-accounts/{default}"),
            &k,
            Some(json!({"is_default": true})),
            &[],
        )
        .await;
        assert_eq!(
            call(
                &app,
                "DELETE",
                &format!("/virtual-accounts/{north}"),
                &k,
                None,
                &[]
            )
            .await
            .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            get(&app, &format!("/virtual-accounts/{north}"), &k)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Licenses: list and one in full.
        let licenses = json(&get(&app, &format!("/virtual-accounts/{east}/licenses"), &k).await);
        assert_eq!(licenses["data"][0]["tag"], "A9K-100G-LIC");
        assert_eq!(licenses["data"][0]["balance"], 100);
        let detail = json(
            &get(
                &app,
                &format!("/virtual-accounts/{east}/licenses/A9K-100G-LIC"),
                &k,
            )
            .await,
        );
        assert_eq!(detail["lots"][0]["quantity"], 100);
        assert_eq!(detail["lots"][0]["state"], "active");

        // Tokens: create, list, revoke, delete.
        let made = json(&call(&app, "POST", &format!("/virtual-accounts/{east}/tokens"), &k, Some(json!({"expires_after_days": 30, "max_uses": 2, "allow_export_controlled": true})), &[]).await);
        let id = made["id"].as_i64().unwrap();
        assert_eq!(
            (made["state"].as_str(), made["max_uses"].as_i64()),
            (Some("active"), Some(2))
        );
        let listed = json(&get(&app, &format!("/virtual-accounts/{east}/tokens"), &k).await);
        assert_eq!(listed["data"][0]["id"], id);
        let revoked = call(
            &app,
            "POST",
            &format!("/tokens/{id}/revoke"),
            &k,
            Some(json!({"reason": "leaked"})),
            &[],
        )
        .await;
        assert_eq!(
            (
                json(&revoked)["state"].as_str(),
                json(&revoked)["revoke_reason"].as_str()
            ),
            (Some("revoked"), Some("leaked"))
        );
        let again = call(
            &app,
            "POST",
            &format!("/tokens/{id}/revoke"),
            &k,
            Some(json!({"reason": "leaked"})),
            &[],
        )
        .await;
        assert_eq!(
            (again.status, code(&again)),
            (StatusCode::CONFLICT, "conflict".into())
        );
        assert_eq!(
            call(&app, "DELETE", &format!("/tokens/{id}"), &k, None, &[])
                .await
                .status,
            StatusCode::NO_CONTENT
        );

        // Product instances: list, get, transfer several at once, remove.
        let mut ids = Vec::new();
        for sn in ["RT1", "RT2", "RT3"] {
            ids.push(
                crate::device_api::register(&app, &token, sn)
                    .await
                    .instance_id
                    .parse::<i64>()
                    .unwrap(),
            );
        }
        let listed = json(
            &get(
                &app,
                &format!(
                    "/virtual-accounts/{default}/product-instances?search=RT&sort=serial&dir=desc"
                ),
                &k,
            )
            .await,
        );
        let serials: Vec<&str> = listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["udi"]["sn"].as_str().unwrap())
            .collect();
        assert_eq!(serials, ["RT3", "RT2", "RT1"]);
        let one = json(&get(&app, &format!("/product-instances/{}", ids[0]), &k).await);
        assert_eq!(
            (
                one["virtual_account"]["name"].as_str(),
                one["hostname"].as_str()
            ),
            (Some("Default"), Some("r1"))
        );
        let moved = call(
            &app,
            "POST",
            "/product-instances/transfer",
            &k,
            Some(json!({"instances": [ids[0], ids[1]], "to": east})),
            &[],
        )
        .await;
        assert_eq!(
            moved.status,
            StatusCode::OK,
            "{backend:?}: {}",
            moved.text()
        );
        assert_eq!(json(&moved)["to"]["name"], "East");
        let east_list = json(
            &get(
                &app,
                &format!("/virtual-accounts/{east}/product-instances"),
                &k,
            )
            .await,
        );
        assert_eq!(east_list["data"].as_array().unwrap().len(), 2);
        // All or nothing: the third is already in East after this move's first half.
        let refused = call(
            &app,
            "POST",
            "/product-instances/transfer",
            &k,
            Some(json!({"instances": [ids[2], ids[0]], "to": east})),
            &[],
        )
        .await;
        assert_eq!(
            (refused.status, json(&refused)["error"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("to")),
            "{}",
            refused.text()
        );
        assert_eq!(
            json(&get(&app, &format!("/product-instances/{}", ids[2]), &k).await)
                ["virtual_account"]["name"],
            "Default",
            "{backend:?}: nothing moved"
        );
        assert_eq!(
            call(
                &app,
                "DELETE",
                &format!("/product-instances/{}", ids[2]),
                &k,
                None,
                &[]
            )
            .await
            .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            get(&app, &format!("/product-instances/{}", ids[2]), &k)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Events and alerts.
        let events = json(
            &get(
                &app,
                &format!("/virtual-accounts/{east}/events?kind=instance.transferred&limit=1"),
                &k,
            )
            .await,
        );
        assert_eq!(events["data"][0]["kind"], "instance.transferred");
        assert!(events["next"].is_string());
        let alerts = get(&app, "/alerts?severity=major", &k).await;
        assert_eq!(alerts.status, StatusCode::OK, "{}", alerts.text());

        // Reports: CSV streamed with the filters; a workbook; a report that does not exist.
        let csv = get(
            &app,
            &format!("/reports/product-instances.csv?va={east}"),
            &k,
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
        assert_eq!(
            csv.text().lines().count(),
            3,
            "{backend:?}: header and two devices: {}",
            csv.text()
        );
        let xlsx = get(&app, "/reports/full-inventory.xlsx", &k).await;
        assert_eq!((xlsx.status, &xlsx.body[..2]), (StatusCode::OK, &b"PK"[..]));
        assert_eq!(
            get(&app, "/reports/secrets.csv", &k).await.status,
            StatusCode::NOT_FOUND
        );

        // The document is public.
        let doc = get(&app, "/openapi.json", "").await;
        assert_eq!(doc.status, StatusCode::OK);
        assert!(json(&doc)["openapi"].as_str().unwrap().starts_with("3.1"));
    }
}
