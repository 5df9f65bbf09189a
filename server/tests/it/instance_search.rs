//! The Product Instances tab's search (anywhere in hostname, serial, PID and product, whatever the
//! case: FTS5 trigram on SQLite, pg_trgm on PostgreSQL), its Status filter, its total and its pages
//! both ways, in the page's server function and the REST API's `search=` and `status=`.

use crate::common;
use crate::licenses_common::{acme, instance};

use app::entities::product_instance;
use app::model::InstancePage;
use app::protocol::InstanceStatus;
use chrono::Duration;
use common::{backends, Client, TestApp};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

async fn list(c: &mut Client, pool: i64, form: &[(&str, &str)]) -> InstancePage {
    let pool = pool.to_string();
    let mut form = form.to_vec();
    form.push(("pool", pool.as_str()));
    c.call("instances/list", &form).await.result().unwrap()
}

async fn names(c: &mut Client, pool: i64, search: &str) -> Vec<String> {
    let mut names: Vec<String> = list(c, pool, &[("search", search)])
        .await
        .rows
        .into_iter()
        .map(|r| r.hostname)
        .collect();
    names.sort();
    names
}

/// Gives an instance its own PID, serial and product (an UPDATE: the search follows it).
async fn set_identity(app: &TestApp, id: i64, pid: &str, sn: &str, product: &str) {
    let mut m = product_instance::Entity::find_by_id(id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    m.pid = Set(pid.into());
    m.sn = Set(sn.into());
    m.product = Set(product.into());
    m.update(app.db()).await.unwrap();
}

#[tokio::test]
async fn search_matches_anywhere_whatever_the_case_and_follows_changes() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, west, _]) = acme(&app).await;
        let pop = instance(&app, east, "ASR9901-POP-01.example.net", &[]).await;
        set_identity(&app, pop, "ASR-9901", "FOC2611X0AB", "ASR 9901 Router").await;
        let edge = instance(&app, east, "edge-lab-7", &[]).await;
        set_identity(&app, edge, "N540X-8Z16G", "FOC9999ZZZ1", "NCS 540 Small").await;
        let odd = instance(&app, east, "100%_cover", &[]).await;
        set_identity(&app, odd, "C8300", "QQQ\"1", "Catalyst").await;
        instance(&app, west, "pop-01-west", &[]).await;

        let pop_name = "ASR9901-POP-01.example.net".to_owned();
        let edge_name = "edge-lab-7".to_owned();
        // The three: a lower-case serial, a lower/upper mix, a middle of the hostname.
        assert_eq!(
            names(&mut c, east, "foc2611").await,
            [pop_name.clone()],
            "{backend:?}"
        );
        assert_eq!(names(&mut c, east, "asr9901-POP").await, [pop_name.clone()]);
        assert_eq!(
            names(&mut c, east, "pop-01").await,
            [pop_name.clone()],
            "only East's"
        );
        // PID and product, and a serial's middle shared by two.
        assert_eq!(names(&mut c, east, "540x").await, [edge_name.clone()]);
        assert_eq!(names(&mut c, east, "ncs 5").await, [edge_name.clone()]);
        assert_eq!(names(&mut c, east, "foc").await.len(), 2);
        // Short searches (under three characters) match anywhere too.
        assert_eq!(names(&mut c, east, "7").await, [edge_name.clone()]);
        assert_eq!(names(&mut c, east, "Z1").await, [edge_name.clone()]);
        // Wildcards and quotes are plain characters.
        assert_eq!(names(&mut c, east, "0%_").await, ["100%_cover".to_owned()]);
        assert_eq!(names(&mut c, east, "%").await, ["100%_cover".to_owned()]);
        assert_eq!(names(&mut c, east, "q\"1").await, ["100%_cover".to_owned()]);
        assert_eq!(names(&mut c, east, "QQ\"").await, ["100%_cover".to_owned()]);
        assert!(names(&mut c, east, "nothing-like-it").await.is_empty());

        // An instance whose serial changes is found by the new one only; a removed one not at all.
        set_identity(&app, pop, "ASR-9901", "FXS2700AAAA", "ASR 9901 Router").await;
        assert!(
            names(&mut c, east, "foc2611").await.is_empty(),
            "{backend:?}"
        );
        assert_eq!(names(&mut c, east, "fxs27").await, [pop_name.clone()]);
        product_instance::Entity::delete_by_id(pop)
            .exec(app.db())
            .await
            .unwrap();
        assert!(names(&mut c, east, "fxs27").await.is_empty());
    }
}

#[tokio::test]
async fn status_filter_total_and_pages_both_ways() {
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (mut c, [east, _, _]) = acme(&app).await;
        // Five that use a license East does not hold (out of compliance), two silent for days.
        let mut short = Vec::new();
        for i in 0..5 {
            short.push(instance(&app, east, &format!("short-{i}"), &[("A9K-NOPE", 1)]).await);
        }
        for i in 0..2 {
            let id = instance(&app, east, &format!("quiet-{i}"), &[]).await;
            let mut m = product_instance::Entity::find_by_id(id)
                .one(app.db())
                .await
                .unwrap()
                .unwrap()
                .into_active_model();
            m.silent_after = Set(app.now() - Duration::hours(1));
            m.update(app.db()).await.unwrap();
        }
        for i in 0..3 {
            instance(&app, east, &format!("fine-{i}"), &[]).await;
        }
        let by_status = |s: InstanceStatus| s.code();
        let all = list(&mut c, east, &[]).await;
        assert_eq!((all.total, all.total_exact), (10, true), "{backend:?}");
        for (status, n) in [
            (InstanceStatus::OutOfCompliance, 5),
            (InstanceStatus::FailedToConnect, 2),
            (InstanceStatus::Authorized, 3),
            (InstanceStatus::AuthorizationExpired, 0),
        ] {
            let page = list(&mut c, east, &[("status", by_status(status))]).await;
            assert_eq!(page.total, n, "{status:?} on {backend:?}");
            assert_eq!(page.rows.len() as u64, n);
            assert!(page.rows.iter().all(|r| r.status == status), "{status:?}");
        }
        // Status and search together.
        let page = list(
            &mut c,
            east,
            &[("status", "out_of_compliance"), ("search", "SHORT-3")],
        )
        .await;
        assert_eq!(
            page.rows
                .iter()
                .map(|r| r.hostname.as_str())
                .collect::<Vec<_>>(),
            ["short-3"]
        );
        // An unknown status is no filter.
        assert_eq!(list(&mut c, east, &[("status", "bogus")]).await.total, 10);

        // Pages of 3 forward, then back again with `before`: the same rows, the same order.
        let mut forward = Vec::new();
        let mut pages = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut form = vec![("limit", "3")];
            if let Some(a) = &after {
                form.push(("after", a.as_str()));
            }
            let page = list(&mut c, east, &form).await;
            assert_eq!(
                page.prev.is_some(),
                after.is_some(),
                "a way back from every page but the first"
            );
            forward.extend(page.rows.iter().map(|r| r.hostname.clone()));
            pages.push(page.clone());
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(forward.len(), 10);
        assert!(forward.windows(2).all(|w| w[0] < w[1]), "{forward:?}");
        let mut back = Vec::new();
        let mut before = pages.last().unwrap().prev.clone();
        back.push(
            pages
                .last()
                .unwrap()
                .rows
                .iter()
                .map(|r| r.hostname.clone())
                .collect::<Vec<_>>(),
        );
        while let Some(b) = before {
            let page = list(&mut c, east, &[("limit", "3"), ("before", b.as_str())]).await;
            assert!(
                page.next.is_some(),
                "a way forward from every page going back"
            );
            back.push(page.rows.iter().map(|r| r.hostname.clone()).collect());
            before = page.prev;
        }
        back.reverse();
        let forward_pages: Vec<Vec<String>> = pages
            .iter()
            .map(|p| p.rows.iter().map(|r| r.hostname.clone()).collect())
            .collect();
        assert_eq!(back, forward_pages, "{backend:?}");
        let _ = short;
    }
}

#[tokio::test]
async fn the_rest_api_searches_and_filters_the_same_way() {
    use crate::rest_common::{get, json, key};
    use app::domain::api_keys::ApiScope;
    for backend in backends() {
        let app = TestApp::new(&backend).await;
        let (_c, [east, _, _]) = acme(&app).await;
        let pop = instance(&app, east, "ASR9901-POP-01", &[]).await;
        set_identity(&app, pop, "ASR-9901", "FOC2611X0AB", "ASR 9901 Router").await;
        instance(&app, east, "short-1", &[("A9K-NOPE", 1)]).await;
        let k = key(&app, "Acme", "alice", ApiScope::Read, &[]).await;
        let found = json(
            &get(
                &app,
                &format!("/virtual-accounts/{east}/product-instances?search=foc2611"),
                &k,
            )
            .await,
        );
        let hosts: Vec<&str> = found["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["hostname"].as_str().unwrap())
            .collect();
        assert_eq!(hosts, ["ASR9901-POP-01"], "{backend:?}");
        let short = json(
            &get(
                &app,
                &format!("/virtual-accounts/{east}/product-instances?status=out_of_compliance"),
                &k,
            )
            .await,
        );
        let hosts: Vec<&str> = short["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["hostname"].as_str().unwrap())
            .collect();
        assert_eq!(hosts, ["short-1"]);
        let bad = get(
            &app,
            &format!("/virtual-accounts/{east}/product-instances?status=sideways"),
            &k,
        )
        .await;
        assert_eq!(bad.status, axum::http::StatusCode::BAD_REQUEST);
    }
}
