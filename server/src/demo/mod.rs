//! The demo smart account: an ASR 9000 estate for a newcomer to click through — a core in East and
//! West (West short of 100GE licenses, East with spare), a lab, and in Default about 290 access
//! routers registered with tokens in every state, one of them used for a burst of foreign devices.

use std::collections::BTreeMap;

use app::services::catalogue::{self, NewLot};
use app::services::users;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use app::domain::events::EventKind;
use app::domain::roles::Role;
use app::entities::{license, product_instance, smart_account};
use app::services::devices::{credential_hash, new_credential};
use app::services::events::{self, NewEvent};
use app::services::secrets::random_hex;
use app::services::{pools, usage};

mod fleet;

/// The demo account's name.
pub const ACCOUNT: &str = "Acme Networks";
/// The demo admin's sign-in.
pub const USERNAME: &str = "demo";
pub const PASSWORD: &str = "demo-portal-2026";

/// What the demo seeding left.
pub struct DemoSignIn {
    pub created: bool,
}

impl DemoSignIn {
    /// The lines `make run` prints.
    pub fn sign_in_lines(&self) -> String {
        format!(
            "{}\nUsername: {USERNAME}\nPassword: {PASSWORD}",
            if self.created {
                "Demo account created."
            } else {
                "Demo account ready."
            }
        )
    }
}

/// The catalogue: tag, name, family.
const CATALOGUE: &[(&str, &str, &str)] = &[
    ("A9K-100G-LIC", "ASR 9000 100GE port license", "ASR 9000"),
    ("A9K-10G-LIC", "ASR 9000 10GE port license", "ASR 9000"),
    (
        "A9K-AIP-LIC-E",
        "Advanced IP, extended scale (line card)",
        "ASR 9000",
    ),
    (
        "A9K-BNG-LIC-8K",
        "Broadband Network Gateway, 8K sessions",
        "ASR 9000",
    ),
    ("A9K-IVRF-LIC", "Infrastructure VRF", "ASR 9000"),
    ("A9K-MACSEC-LIC", "MACsec encryption per port", "ASR 9000"),
    (
        "XR-SW-ESS",
        "IOS XR Essentials subscription",
        "IOS XR software",
    ),
];

/// Lots: pool, tag, quantity, days from now the lot started, days until it ends (None: perpetual), order.
type DemoLot = (
    &'static str,
    &'static str,
    i64,
    i64,
    Option<i64>,
    &'static str,
);
const LOTS: &[DemoLot] = &[
    ("East", "A9K-100G-LIC", 40, 400, None, "ORD-1001"),
    ("East", "A9K-AIP-LIC-E", 8, 400, None, "ORD-1001"),
    ("East", "XR-SW-ESS", 10, 200, Some(20), "SUB-2207"),
    ("East", "A9K-MACSEC-LIC", 16, 90, Some(275), "SUB-2301"),
    ("West", "A9K-100G-LIC", 12, 300, None, "ORD-1142"),
    ("West", "A9K-10G-LIC", 48, 300, None, "ORD-1142"),
    ("West", "A9K-BNG-LIC-8K", 2, 120, Some(245), "SUB-2255"),
    ("West", "XR-SW-ESS", 6, 380, Some(-15), "SUB-1990"),
    ("Lab", "A9K-100G-LIC", 2, 60, None, "ORD-1300"),
    ("Lab", "A9K-IVRF-LIC", 4, 60, None, "ORD-1300"),
    ("Default", "A9K-10G-LIC", 600, 300, None, "ORD-1500"),
    ("Default", "XR-SW-ESS", 300, 100, Some(265), "SUB-2410"),
];

/// A demo router: pool, hostname, PID, serial, software version, days since registration, and the
/// licenses it uses (tag, count).
type DemoInstance = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static [(&'static str, i64)],
);

/// The routers of the estate. Together they use more A9K-100G-LIC in West (15) than West holds (12),
/// so the demo shows a shortage; East has spare 100GE licenses to transfer.
#[rustfmt::skip]
const INSTANCES: &[DemoInstance] = &[
    ("East", "asr9k-nyc-core-01", "ASR-9010-AC-V2", "FOX2231P0Q1", "7.9.2", 210,
        &[("A9K-100G-LIC", 10), ("A9K-AIP-LIC-E", 2), ("XR-SW-ESS", 1), ("A9K-MACSEC-LIC", 4)]),
    ("East", "asr9k-nyc-core-02", "ASR-9010-AC-V2", "FOX2231P0Q7", "7.9.2", 210,
        &[("A9K-100G-LIC", 8), ("A9K-AIP-LIC-E", 2), ("XR-SW-ESS", 1), ("A9K-MACSEC-LIC", 4)]),
    ("East", "asr9k-bos-agg-01", "ASR-9006-AC-V2", "FOX2145R1ZK", "7.8.2", 150,
        &[("A9K-100G-LIC", 4), ("XR-SW-ESS", 1)]),
    ("East", "asr9k-phl-agg-01", "ASR-9006-AC-V2", "FOX2145R2B3", "7.8.2", 95,
        &[("A9K-100G-LIC", 2), ("XR-SW-ESS", 1)]),
    ("West", "asr9k-sfo-bng-01", "ASR-9006-AC-V2", "FOX2302K0A4", "7.11.2", 120,
        &[("A9K-100G-LIC", 6), ("A9K-10G-LIC", 16), ("A9K-BNG-LIC-8K", 1)]),
    ("West", "asr9k-lax-bng-01", "ASR-9006-AC-V2", "FOX2302K0C9", "7.11.2", 118,
        &[("A9K-100G-LIC", 5), ("A9K-10G-LIC", 12), ("A9K-BNG-LIC-8K", 1)]),
    ("West", "asr9k-sea-edge-01", "ASR-9010-AC-V2", "FOX2218M3D2", "7.9.2", 64,
        &[("A9K-100G-LIC", 4), ("A9K-10G-LIC", 8)]),
    ("Lab", "asr9k-lab-dut-01", "ASR-9006-AC-V2", "FOX2011L7Q8", "7.11.2", 30,
        &[("A9K-100G-LIC", 1), ("A9K-IVRF-LIC", 2)]),
];

/// A demo device as it is written: where, what, since when, with which token and usage.
pub(crate) struct DemoDevice<'a> {
    pub pool: i64,
    pub hostname: String,
    pub pid: &'a str,
    pub sn: String,
    pub product: &'a str,
    pub version: &'a str,
    pub registered_at: DateTime<Utc>,
    pub last_contact_at: DateTime<Utc>,
    pub token: Option<(i64, &'a str)>,
    pub source: Option<String>,
    pub uses: &'a [(&'a str, i64)],
}

/// Writes one demo device with its usage, counts and event, as a registration would, inside the
/// caller's transaction. Its credential is random and never shown: it cannot call the API.
pub(crate) async fn insert_device(
    txn: &impl sea_orm::ConnectionTrait,
    account: i64,
    d: DemoDevice<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let explain = crate::operator::explain;
    let created = product_instance::ActiveModel {
        virtual_account_id: Set(d.pool),
        pid: Set(d.pid.to_owned()),
        sn: Set(d.sn.clone()),
        hostname: Set(d.hostname.clone()),
        product: Set(d.product.to_owned()),
        software_version: Set(Some(d.version.to_owned())),
        credential_hash: Set(credential_hash(&new_credential())),
        token_id: Set(d.token.map(|t| t.0)),
        registered_at: Set(d.registered_at),
        last_contact_at: Set(d.last_contact_at),
        silent_after: Set(app::domain::alerts::silent_after(d.last_contact_at)),
        id_cert_serial: Set(random_hex::<8>()),
        id_cert_expires_at: Set(now + Duration::days(365)),
        auth_expires_at: Set(Some(now + Duration::days(90))),
        registered_from: Set(d.source),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let wanted: BTreeMap<String, i64> =
        d.uses.iter().map(|&(tag, n)| (tag.to_owned(), n)).collect();
    usage::replace(txn, created.id, d.pool, &wanted)
        .await
        .map_err(explain)?;
    app::services::pools::move_instance_counts(txn, &[(d.pool, 1)].into()).await?;
    let udi = format!("PID:{},SN:{}", d.pid, d.sn);
    let with = d
        .token
        .map(|t| format!(" with token {}", t.1))
        .unwrap_or_default();
    events::record(
        txn,
        d.registered_at,
        NewEvent {
            smart_account_id: account,
            virtual_account_id: Some(d.pool),
            actor: &format!("device {udi}"),
            kind: EventKind::InstanceRegistered,
            message: format!("Product instance {} ({udi}) registered{with}", d.hostname),
            instance: Some(created.id),
        },
    )
    .await
    .map_err(explain)?;
    Ok(())
}

/// Registers the demo routers with their usage, as the device API would (one transaction each).
async fn seed_instances(
    db: &DatabaseConnection,
    account: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let explain = crate::operator::explain;
    for (i, &(pool, hostname, pid, sn, version, age_days, uses)) in INSTANCES.iter().enumerate() {
        let pool = users::find_pool(db, account, pool).await.map_err(explain)?;
        let txn = app::services::begin_writing(db).await?;
        let contact = now - Duration::hours(2 + i as i64);
        insert_device(
            &txn,
            account,
            DemoDevice {
                pool: pool.id,
                hostname: hostname.to_owned(),
                pid,
                sn: sn.to_owned(),
                product: "ASR9K",
                version,
                registered_at: now - Duration::days(age_days),
                last_contact_at: contact,
                token: None,
                source: None,
                uses,
            },
            now,
        )
        .await?;
        txn.commit().await?;
    }
    Ok(())
}

/// Seeds the demo account unless it exists. Idempotent.
pub async fn seed(db: &DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<DemoSignIn> {
    let exists = smart_account::Entity::find()
        .filter(smart_account::Column::Name.eq(ACCOUNT))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(DemoSignIn { created: false });
    }
    let explain = crate::operator::explain;
    let (account, admin) = users::create_account(db, ACCOUNT, USERNAME, PASSWORD, now)
        .await
        .map_err(explain)?;
    let (actor, _) = app::services::actors::load(db, admin.id, Some(account.id))
        .await
        .map_err(explain)?;
    for (name, description) in [
        ("East", "East coast core and aggregation"),
        ("West", "West coast broadband edge"),
        ("Lab", "Test and certification lab"),
    ] {
        pools::create(db, &actor, name, description, now)
            .await
            .map_err(explain)?;
    }
    for &(tag, name, family) in CATALOGUE {
        let known = license::Entity::find()
            .filter(license::Column::Tag.eq(tag))
            .one(db)
            .await?
            .is_some();
        if !known {
            catalogue::add_license(db, tag, name, family)
                .await
                .map_err(explain)?;
        }
    }
    for &(pool, tag, quantity, started_days_ago, ends_in_days, order) in LOTS {
        catalogue::provision(
            db,
            NewLot {
                account: ACCOUNT,
                pool,
                tag,
                quantity,
                starts_at: now - Duration::days(started_days_ago),
                ends_at: ends_in_days.map(|d| now + Duration::days(d)),
                source_ref: order,
            },
            now,
        )
        .await
        .map_err(explain)?;
    }
    seed_instances(db, account.id, now).await?;
    fleet::seed(db, account.id, now).await?;
    users::add_user(
        db,
        ACCOUNT,
        "viewer",
        PASSWORD,
        Role::PoolViewer,
        &["Lab".to_owned()],
        now,
    )
    .await
    .map_err(explain)?;
    // 90 days of usage history, so that the Overview's chart has a story to tell.
    app::services::snapshots::generate_history(db, now, 90)
        .await
        .map_err(explain)?;
    Ok(DemoSignIn { created: true })
}
