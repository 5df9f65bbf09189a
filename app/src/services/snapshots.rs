//! Usage over time: once a day, one row per virtual account and license (purchased, in use, product
//! instances using it) in `usage_snapshots`, kept two years. The housekeeping tick runs `catch_up`,
//! so only the lease's holder takes them (one process across the portal); the table's key makes a
//! second taker of the same day change nothing.
//!
//! A day is taken once it is over (the first tick after midnight UTC), as it stood at its end:
//! licenses are counted from the lots active at that moment. Days missed while no portal ran are
//! taken at the next tick (at most `CATCH_UP_DAYS` back): their purchased counts come from the lots'
//! dates, their in-use counts are the current ones, the only ones the portal has. Charts add today
//! from the live counters.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::entities::{instance_usage, pool_usage, usage_snapshot};
use crate::error::AppError;

/// Snapshots older than this many days are removed.
pub const KEEP_DAYS: i64 = 730;
/// The most missed days one catch-up takes.
pub const CATCH_UP_DAYS: i64 = 90;

/// The moment a day ends (the next day's midnight, UTC): lots are counted as they stand then.
pub fn day_end(day: NaiveDate) -> DateTime<Utc> {
    (day + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_default()
}

/// One row to write: purchased, in use, instances.
type Counts = (i64, i64, i64);

/// Active quantity per (pool, tag) at `at`, every pool.
async fn purchased(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
) -> Result<Vec<(i64, String, Option<i64>)>, AppError> {
    Ok(crate::services::usage::active_quantities(at, true)
        .into_tuple()
        .all(db)
        .await?)
}

/// In use and instances per (pool, tag), now.
async fn used(db: &impl ConnectionTrait) -> Result<BTreeMap<(i64, String), (i64, i64)>, AppError> {
    let mut out: BTreeMap<(i64, String), (i64, i64)> = BTreeMap::new();
    let counters: Vec<pool_usage::Model> = pool_usage::Entity::find()
        .filter(pool_usage::Column::InUse.gt(0))
        .all(db)
        .await?;
    for c in counters {
        out.entry((c.virtual_account_id, c.tag)).or_default().0 = c.in_use;
    }
    let instances: Vec<(i64, String, i64)> = instance_usage::Entity::find()
        .select_only()
        .column(instance_usage::Column::VirtualAccountId)
        .column(instance_usage::Column::Tag)
        .column_as(
            Expr::col((
                instance_usage::Entity,
                instance_usage::Column::ProductInstanceId,
            ))
            .count()
            .cast_as(Alias::new("BIGINT")),
            "instances",
        )
        .filter(instance_usage::Column::Count.gt(0))
        .group_by(instance_usage::Column::VirtualAccountId)
        .group_by(instance_usage::Column::Tag)
        .into_tuple()
        .all(db)
        .await?;
    for (pool, tag, n) in instances {
        out.entry((pool, tag)).or_default().1 = n;
    }
    Ok(out)
}

/// Writes the rows of `day` (a row already there stays as it is).
async fn write_day(
    db: &impl ConnectionTrait,
    day: NaiveDate,
    rows: &BTreeMap<(i64, String), Counts>,
) -> Result<(), AppError> {
    let models: Vec<usage_snapshot::ActiveModel> = rows
        .iter()
        .filter(|(_, &(p, u, i))| p != 0 || u != 0 || i != 0)
        .map(
            |((pool, tag), &(purchased, in_use, instances))| usage_snapshot::ActiveModel {
                virtual_account_id: Set(*pool),
                tag: Set(tag.clone()),
                day: Set(day),
                purchased: Set(purchased),
                in_use: Set(in_use),
                instances: Set(instances),
            },
        )
        .collect();
    for chunk in models.chunks(500) {
        usage_snapshot::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing()
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Takes every day from the one after the last taken (at most `CATCH_UP_DAYS` back) to yesterday,
/// and removes days past `KEEP_DAYS`. Returns how many days it took.
pub async fn catch_up(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, AppError> {
    let today = now.date_naive();
    let yesterday = today - Duration::days(1);
    let last: Option<NaiveDate> = usage_snapshot::Entity::find()
        .select_only()
        .column_as(usage_snapshot::Column::Day.max(), "day")
        .into_tuple::<Option<NaiveDate>>()
        .one(db)
        .await?
        .flatten();
    let first = match last {
        Some(day) => std::cmp::max(
            day + Duration::days(1),
            today - Duration::days(CATCH_UP_DAYS),
        ),
        None => yesterday,
    };
    let mut taken = 0;
    if first <= yesterday {
        let used = used(db).await?;
        let mut day = first;
        while day <= yesterday {
            let mut rows: BTreeMap<(i64, String), Counts> = used
                .iter()
                .map(|(key, &(in_use, instances))| (key.clone(), (0, in_use, instances)))
                .collect();
            for (pool, tag, quantity) in purchased(db, day_end(day)).await? {
                rows.entry((pool, tag)).or_default().0 = quantity.unwrap_or(0);
            }
            write_day(db, day, &rows).await?;
            taken += 1;
            day += Duration::days(1);
        }
    }
    usage_snapshot::Entity::delete_many()
        .filter(usage_snapshot::Column::Day.lt(today - Duration::days(KEEP_DAYS)))
        .exec(db)
        .await?;
    Ok(taken)
}

/// One day of a license (or of every license) summed over pools: the chart's point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayTotals {
    pub day: NaiveDate,
    pub purchased: i64,
    pub in_use: i64,
    pub instances: i64,
}

/// A day and its sums: purchased, in use, instances.
type DaySums = (NaiveDate, Option<i64>, Option<i64>, Option<i64>);

/// The days from `since` of the pools `pools` (and of `tag` only, when given), summed per day.
pub async fn history(
    db: &impl ConnectionTrait,
    pools: &[i64],
    tag: Option<&str>,
    since: NaiveDate,
) -> Result<Vec<DayTotals>, AppError> {
    let sum = |c: usage_snapshot::Column| {
        Expr::col((usage_snapshot::Entity, c))
            .sum()
            .cast_as(Alias::new("BIGINT"))
    };
    let mut query = usage_snapshot::Entity::find()
        .select_only()
        .column(usage_snapshot::Column::Day)
        .column_as(sum(usage_snapshot::Column::Purchased), "purchased")
        .column_as(sum(usage_snapshot::Column::InUse), "in_use")
        .column_as(sum(usage_snapshot::Column::Instances), "instances")
        .filter(usage_snapshot::Column::VirtualAccountId.is_in(pools.to_vec()))
        .filter(usage_snapshot::Column::Day.gte(since))
        .group_by(usage_snapshot::Column::Day);
    if let Some(tag) = tag {
        query = query.filter(usage_snapshot::Column::Tag.eq(tag));
    }
    let mut rows: Vec<DaySums> = query.into_tuple().all(db).await?;
    rows.sort_by_key(|r| r.0);
    Ok(rows
        .into_iter()
        .map(|(day, p, u, i)| DayTotals {
            day,
            purchased: p.unwrap_or(0),
            in_use: u.unwrap_or(0),
            instances: i.unwrap_or(0),
        })
        .collect())
}

/// Demo data: `days` of made-up history before today, so that a new portal's charts show something.
/// Purchased counts follow the lots' dates; in use grows towards today's counts (60 % of them
/// `days` ago), with a weekly ripple. Never used outside `serve --demo`.
pub async fn generate_history(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    days: i64,
) -> Result<(), AppError> {
    let today = now.date_naive();
    let used = used(db).await?;
    for back in (1..=days).rev() {
        let day = today - Duration::days(back);
        let progress = 1.0 - back as f64 / std::cmp::max(days, 1) as f64;
        let ripple = [0.0, 0.02, 0.04, 0.03, 0.01, -0.02, -0.03][(back % 7) as usize];
        let factor = (0.6 + 0.4 * progress + ripple).clamp(0.0, 1.0);
        let scaled = |n: i64| (n as f64 * factor).round() as i64;
        let mut rows: BTreeMap<(i64, String), Counts> = used
            .iter()
            .map(|(key, &(in_use, instances))| {
                (key.clone(), (0, scaled(in_use), scaled(instances)))
            })
            .collect();
        for (pool, tag, quantity) in purchased(db, day_end(day)).await? {
            rows.entry((pool, tag)).or_default().0 = quantity.unwrap_or(0);
        }
        write_day(db, day, &rows).await?;
    }
    Ok(())
}
