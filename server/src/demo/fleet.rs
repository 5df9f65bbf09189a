//! The demo's access fleet in the Default pool: routers registered over 90 days with a field
//! rollout token, and tokens in every state — exhausted, revoked, expiring next week, and a one-day
//! "remote hands" token used within a minute for a dozen devices of a product and from an address
//! range the pool never had (what the token misuse view flags).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

use app::domain::tokens::shorten;
use app::entities::token;
use app::services::users;

use super::{insert_device, DemoDevice};

/// A demo token: description, created days ago, days it lasts, max uses, revoked days ago (with
/// the reason).
struct DemoToken {
    description: &'static str,
    created_days_ago: i64,
    lasts_days: i64,
    max_uses: Option<i32>,
    revoked: Option<(i64, &'static str)>,
}

const ROLLOUT: DemoToken = DemoToken {
    description: "Field rollout 2026",
    created_days_ago: 95,
    lasts_days: 365,
    max_uses: None,
    revoked: None,
};
const SPARES: DemoToken = DemoToken {
    description: "Spare stock",
    created_days_ago: 60,
    lasts_days: 365,
    max_uses: Some(5),
    revoked: None,
};
const CONTRACTOR: DemoToken = DemoToken {
    description: "Contractor install",
    created_days_ago: 40,
    lasts_days: 90,
    max_uses: None,
    revoked: Some((10, "Contract ended")),
};
const REMOTE_HANDS: DemoToken = DemoToken {
    description: "Remote hands, Denver",
    created_days_ago: 2,
    lasts_days: 1,
    max_uses: None,
    revoked: None,
};
const STAGING: DemoToken = DemoToken {
    description: "Staging, next week",
    created_days_ago: 1,
    lasts_days: 7,
    max_uses: None,
    revoked: None,
};

/// Routers of the field rollout.
pub const ROLLOUT_DEVICES: usize = 265;
/// Devices the remote-hands token registered within a minute.
pub const BURST_DEVICES: usize = 12;

/// The devices one token registered: how many, their names and numbers, from where, when.
struct Batch {
    token: &'static DemoToken,
    count: usize,
    /// The hostname's prefix; the device's number follows, zero-padded to `width`.
    hostname: &'static str,
    width: usize,
    pid: &'static str,
    /// The serial's prefix; a four-digit number follows.
    sn: &'static str,
    product: &'static str,
    /// Addresses: `network` then `first_host`, `first_host + 1`, …
    network: &'static str,
    first_host: usize,
    /// The first registration, seconds before now, and the time between two.
    first_secs_ago: i64,
    step_secs: i64,
    uses: &'static [(&'static str, i64)],
}

const DAY: i64 = 86_400;

#[rustfmt::skip]
const BATCHES: &[Batch] = &[
    Batch { token: &ROLLOUT, count: ROLLOUT_DEVICES, hostname: "asr9901-pop-", width: 3, pid: "ASR-9901",
        sn: "FOC2611", product: "ASR9K", network: "198.51.100.", first_host: 10, first_secs_ago: 90 * DAY,
        step_secs: 90 * DAY / ROLLOUT_DEVICES as i64, uses: ACCESS_USES },
    Batch { token: &SPARES, count: 5, hostname: "asr9901-spare-", width: 1, pid: "ASR-9901", sn: "FOC2699",
        product: "ASR9K", network: "198.51.100.", first_host: 220, first_secs_ago: 50 * DAY,
        step_secs: 7 * DAY, uses: ACCESS_USES },
    Batch { token: &CONTRACTOR, count: 3, hostname: "asr9901-ctr-", width: 1, pid: "ASR-9901", sn: "FOC2688",
        product: "ASR9K", network: "198.51.100.", first_host: 240, first_secs_ago: 30 * DAY,
        step_secs: 5 * DAY, uses: ACCESS_USES },
    // The seed's story: a one-day token sent to remote hands, used within a minute for routers that
    // are not the company's, from an address range the pool never had.
    Batch { token: &REMOTE_HANDS, count: BURST_DEVICES, hostname: "rtr-dnv-", width: 2,
        pid: "C8300-1N1S-4T2X", sn: "FDO2740", product: "C8300", network: "203.0.113.", first_host: 20,
        first_secs_ago: 2 * DAY - 3 * 3600, step_secs: 4, uses: &[] },
];

const ACCESS_USES: &[(&str, i64)] = &[("A9K-10G-LIC", 2), ("XR-SW-ESS", 1)];

async fn create_token(
    txn: &impl sea_orm::ConnectionTrait,
    pool: i64,
    t: &DemoToken,
    uses: i32,
    now: DateTime<Utc>,
) -> anyhow::Result<token::Model> {
    let created_at = now - Duration::days(t.created_days_ago);
    Ok(token::ActiveModel {
        virtual_account_id: Set(pool),
        token: Set(app::services::tokens::generate()),
        description: Set(t.description.to_owned()),
        created_by: Set(super::USERNAME.to_owned()),
        created_at: Set(created_at),
        expires_at: Set(created_at + Duration::days(t.lasts_days)),
        max_uses: Set(t.max_uses),
        uses: Set(uses),
        allow_export_controlled: Set(true),
        revoked_at: Set(t.revoked.map(|(ago, _)| now - Duration::days(ago))),
        revoke_reason: Set(t.revoked.map(|(_, why)| why.to_owned())),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// Seeds the fleet and its tokens into the account's Default pool, in one transaction.
pub async fn seed(db: &DatabaseConnection, account: i64, now: DateTime<Utc>) -> anyhow::Result<()> {
    let pool = users::find_pool(db, account, "Default")
        .await
        .map_err(crate::operator::explain)?
        .id;
    let txn = app::services::begin_writing(db).await?;
    let mut n = 0i64;
    for b in BATCHES {
        let token = create_token(&txn, pool, b.token, b.count as i32, now).await?;
        let short = shorten(&token.token);
        let first = now - Duration::seconds(b.first_secs_ago);
        for i in 0..b.count {
            let registered_at = first + Duration::seconds(b.step_secs * i as i64);
            let contact = now - Duration::minutes(20 + n % 600);
            n += 1;
            insert_device(
                &txn,
                account,
                DemoDevice {
                    pool,
                    hostname: format!("{}{:0width$}", b.hostname, i + 1, width = b.width),
                    pid: b.pid,
                    sn: format!("{}{:04}", b.sn, i + 1),
                    product: b.product,
                    version: "7.11.2",
                    registered_at,
                    last_contact_at: contact.max(registered_at),
                    token: Some((token.id, &short)),
                    source: Some(format!("{}{}", b.network, b.first_host + i % 200)),
                    uses: b.uses,
                },
                now,
            )
            .await?;
        }
    }
    create_token(&txn, pool, &STAGING, 0, now).await?;
    txn.commit().await?;
    Ok(())
}
