//! Helpers of the license tests: account "Acme" with pools East, West and Lab, catalogue entries,
//! lots, product instances using licenses, and the Licenses tab's server functions.
#![allow(dead_code)]

use std::collections::BTreeMap;

use app::entities::{license, license_lot, product_instance};
use app::error::AppError;
use app::model::{EventPage, LicenseDetail, LicensePage, LicenseRow, TransferDone};
use app::services::{catalogue, usage};
use chrono::Duration;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use crate::common::{Client, TestApp};

pub const TAG: &str = "A9K-100G-LIC";

/// Catalogue entries: tag, name, family.
pub async fn catalogue(app: &TestApp, entries: &[(&str, &str, &str)]) {
    for (tag, name, family) in entries {
        catalogue::add_license(app.db(), tag, name, family)
            .await
            .unwrap();
    }
}

/// A lot in `pool` of account "Acme": started `start` days from now, ending `end` days from now.
pub async fn lot(
    app: &TestApp,
    pool: &str,
    tag: &str,
    quantity: i64,
    start: i64,
    end: Option<i64>,
) {
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
pub async fn instance(app: &TestApp, pool: i64, hostname: &str, uses: &[(&str, i64)]) -> i64 {
    let now = app.now();
    let txn = app.db().begin().await.unwrap();
    let created = product_instance::ActiveModel {
        virtual_account_id: Set(pool),
        pid: Set("ASR-9006-AC".into()),
        sn: Set(format!("FOX{}", crate::common::unique())[..11].to_owned()),
        hostname: Set(hostname.into()),
        product: Set("ASR9K".into()),
        software_version: Set(Some("7.9.2".into())),
        credential_hash: Set(format!(
            "{}{}",
            crate::common::unique(),
            crate::common::unique()
        )),
        token_id: Set(None),
        registered_at: Set(now),
        last_contact_at: Set(now),
        silent_after: Set(app::domain::alerts::silent_after(now)),
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
    app::services::pools::move_instance_counts(&txn, &[(pool, 1)].into())
        .await
        .unwrap();
    txn.commit().await.unwrap();
    created.id
}

/// Account "Acme" (admin alice) with pools East, West and Lab; returns the client and their ids.
pub async fn acme(app: &TestApp) -> (Client, [i64; 3]) {
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

pub async fn list(
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

pub async fn rows(c: &mut Client, pool: i64) -> Vec<LicenseRow> {
    list(c, pool, "", "", "", 1).await.unwrap().rows
}

pub fn row<'a>(rows: &'a [LicenseRow], tag: &str) -> &'a LicenseRow {
    rows.iter()
        .find(|r| r.tag == tag)
        .unwrap_or_else(|| panic!("no row {tag} in {rows:?}"))
}

pub async fn transfer(
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

pub async fn detail(c: &mut Client, pool: i64, license: i64) -> Result<LicenseDetail, AppError> {
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

pub async fn license_id(app: &TestApp, tag: &str) -> i64 {
    license::Entity::find()
        .filter(license::Column::Tag.eq(tag))
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .id
}

pub async fn event_messages(c: &mut Client, pool: i64) -> Vec<String> {
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
pub async fn lots(app: &TestApp, pool: i64, license: i64) -> Vec<(i64, Option<i64>, String)> {
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
