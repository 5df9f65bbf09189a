//! The Licenses tab: what each pool holds and uses, its alerts, sorting, search and paging, and who
//! may read or move licenses (SQLite and PostgreSQL).

use crate::common;
use crate::licenses_common;

use app::domain::licenses::LicenseAlert;
use app::domain::roles::Role;
use app::error::AppError;
use app::model::LicensePage;
use common::{backends, TestApp};
use licenses_common::*;

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
