//! Shortage forecasts, once a day: for every virtual account and license in use, `domain::forecast`
//! over the last 90 days of snapshots, the lots and today's use; the days a shortage is expected are
//! kept in `license_forecasts` (replaced whole each day), which the Licenses tab and the alerts read.
//! The housekeeping tick runs `refresh_daily` (only the lease's holder), which refreshes once per
//! UTC day, marked by a row of `leases` that names the day.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

use crate::domain::forecast::forecast;
use crate::domain::licenses::sql::lot_is_active;
use crate::entities::{lease, license, license_forecast, license_lot, pool_usage, usage_snapshot};
use crate::error::AppError;
use crate::services::usage::lot_license;

/// The `leases` row that remembers the day of the last refresh (its holder is the day).
const MARK: &str = "forecasts";

/// Computes every forecast at `now` and replaces the table's rows. Returns how many shortages are
/// expected.
pub async fn refresh(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let today = now.date_naive();
    let used: Vec<pool_usage::Model> = pool_usage::Entity::find()
        .filter(pool_usage::Column::InUse.gt(0))
        .all(db)
        .await?;
    let mut history: HashMap<(i64, String), Vec<(NaiveDate, i64)>> = HashMap::new();
    let rows: Vec<(i64, String, NaiveDate, i64)> = usage_snapshot::Entity::find()
        .select_only()
        .column(usage_snapshot::Column::VirtualAccountId)
        .column(usage_snapshot::Column::Tag)
        .column(usage_snapshot::Column::Day)
        .column(usage_snapshot::Column::InUse)
        .filter(usage_snapshot::Column::Day.gte(today - Duration::days(90)))
        .into_tuple()
        .all(db)
        .await?;
    for (pool, tag, day, in_use) in rows {
        history.entry((pool, tag)).or_default().push((day, in_use));
    }
    let mut lots: HashMap<(i64, String), Vec<(i64, Option<DateTime<Utc>>)>> = HashMap::new();
    let active: Vec<(i64, String, i64, Option<DateTime<Utc>>)> = license_lot::Entity::find()
        .select_only()
        .column(license_lot::Column::VirtualAccountId)
        .column(license::Column::Tag)
        .column(license_lot::Column::Quantity)
        .column(license_lot::Column::EndsAt)
        .join(JoinType::InnerJoin, lot_license())
        .filter(lot_is_active(now))
        .into_tuple()
        .all(db)
        .await?;
    for (pool, tag, quantity, ends) in active {
        lots.entry((pool, tag)).or_default().push((quantity, ends));
    }
    let mut expected = Vec::new();
    for u in used {
        let key = (u.virtual_account_id, u.tag);
        let past = history.get(&key).map(Vec::as_slice).unwrap_or_default();
        let held = lots.get(&key).map(Vec::as_slice).unwrap_or_default();
        if let Some(days) = forecast(past, u.in_use, held, now).shortage_in_days {
            expected.push(license_forecast::ActiveModel {
                virtual_account_id: Set(key.0),
                tag: Set(key.1),
                shortage_on: Set(today + Duration::days(days)),
                computed_at: Set(now),
            });
        }
    }
    let txn = crate::services::begin_writing(db).await?;
    license_forecast::Entity::delete_many().exec(&txn).await?;
    let n = expected.len() as u64;
    for chunk in expected.chunks(500) {
        license_forecast::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(n)
}

/// `refresh` once per UTC day: Some(expected shortages) when it ran now.
pub async fn refresh_daily(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> Result<Option<u64>, AppError> {
    let day = now.date_naive().to_string();
    let done = lease::Entity::find_by_id(MARK.to_owned())
        .one(db)
        .await?
        .is_some_and(|mark| mark.holder == day);
    if done {
        return Ok(None);
    }
    let n = refresh(db, now).await?;
    lease::Entity::insert(lease::ActiveModel {
        name: Set(MARK.to_owned()),
        holder: Set(day),
        expires_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(lease::Column::Name)
            .update_columns([lease::Column::Holder, lease::Column::ExpiresAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(Some(n))
}

/// The forecast shortage days of `tags` in `pool`.
pub async fn of_pool(
    db: &impl ConnectionTrait,
    pool: i64,
    tags: Vec<String>,
) -> Result<HashMap<String, NaiveDate>, AppError> {
    Ok(license_forecast::Entity::find()
        .filter(license_forecast::Column::VirtualAccountId.eq(pool))
        .filter(license_forecast::Column::Tag.is_in(tags))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.tag, f.shortage_on))
        .collect())
}
