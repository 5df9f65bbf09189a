//! The demo's access fleet in the Default pool: routers registered over 90 days with a field
//! rollout token, and tokens in every state — exhausted, revoked, expiring next week, and a one-day
//! "remote hands" token used within a minute for a dozen devices of a product and from an address
//! range the pool never had (what the token misuse view flags).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set, TransactionTrait};

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
    let txn = db.begin().await?;
    let device =
        |hostname: String, pid, sn: String, product, registered_at, token: &token::Model| {
            let short = shorten(&token.token);
            (hostname, pid, sn, product, registered_at, token.id, short)
        };
    let mut devices = Vec::new();
    let rollout = create_token(&txn, pool, &ROLLOUT, ROLLOUT_DEVICES as i32, now).await?;
    let span = Duration::days(90).num_seconds() / ROLLOUT_DEVICES as i64;
    for i in 0..ROLLOUT_DEVICES {
        let at = now - Duration::days(90) + Duration::seconds(span * i as i64);
        devices.push((
            device(
                format!("asr9901-pop-{:03}", i + 1),
                "ASR-9901",
                format!("FOC2611{:04}", i + 1),
                "ASR9K",
                at,
                &rollout,
            ),
            format!("198.51.100.{}", 10 + i % 200),
            ACCESS_USES,
        ));
    }
    let spares = create_token(&txn, pool, &SPARES, 5, now).await?;
    for i in 0..5 {
        let at = now - Duration::days(50 - 7 * i as i64);
        devices.push((
            device(
                format!("asr9901-spare-{}", i + 1),
                "ASR-9901",
                format!("FOC2699{:04}", i + 1),
                "ASR9K",
                at,
                &spares,
            ),
            format!("198.51.100.{}", 220 + i),
            ACCESS_USES,
        ));
    }
    let contractor = create_token(&txn, pool, &CONTRACTOR, 3, now).await?;
    for i in 0..3 {
        let at = now - Duration::days(30 - 5 * i as i64);
        devices.push((
            device(
                format!("asr9901-ctr-{}", i + 1),
                "ASR-9901",
                format!("FOC2688{:04}", i + 1),
                "ASR9K",
                at,
                &contractor,
            ),
            format!("198.51.100.{}", 240 + i),
            ACCESS_USES,
        ));
    }
    // The seed's story: a one-day token sent to remote hands, used within a minute for routers that
    // are not the company's, from an address range the pool never had.
    let remote = create_token(&txn, pool, &REMOTE_HANDS, BURST_DEVICES as i32, now).await?;
    let burst_at = now - Duration::days(2) + Duration::hours(3);
    for i in 0..BURST_DEVICES {
        devices.push((
            device(
                format!("rtr-dnv-{:02}", i + 1),
                "C8300-1N1S-4T2X",
                format!("FDO2740{:04}", i + 1),
                "C8300",
                burst_at + Duration::seconds(4 * i as i64),
                &remote,
            ),
            format!("203.0.113.{}", 20 + i),
            &[],
        ));
    }
    create_token(&txn, pool, &STAGING, 0, now).await?;
    for (i, ((hostname, pid, sn, product, registered_at, token, short), source, uses)) in
        devices.into_iter().enumerate()
    {
        let contact = now - Duration::minutes(20 + (i as i64 % 600));
        insert_device(
            &txn,
            account,
            DemoDevice {
                pool,
                hostname,
                pid,
                sn,
                product,
                version: "7.11.2",
                registered_at,
                last_contact_at: contact.max(registered_at),
                token: Some((token, &short)),
                source: Some(source),
                uses,
            },
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
