//! The demo smart account: a small ASR 9000 estate for a newcomer to click through.

use app::services::catalogue::{self, NewLot};
use app::services::users;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use app::domain::roles::Role;
use app::entities::{license, smart_account};
use app::services::pools;

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
const LOTS: &[(&str, &str, i64, i64, Option<i64>, &str)] = &[
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
];

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
    Ok(DemoSignIn { created: true })
}
