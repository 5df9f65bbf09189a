//! Each report's rows, read within a `Scope` and built as the report's row struct: the small reports
//! (licenses, virtual accounts) whole, the large ones in keyset pages by id.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

use super::filters::{
    event_condition, history_condition, instance_condition, token_condition, usage_condition,
};
use super::{keyset, RowPage, Scope};
use crate::domain::device::InstanceStatus;
use crate::domain::reports::{
    EventReportRow, HistoryReportRow, InstanceReportRow, LicenseReportRow, PoolReportRow,
    ReportKind, ReportStatus, TokenReportRow, UsageReportRow,
};
use crate::entities::{
    event, instance_usage, pool_usage, product_instance as pi, token, usage_snapshot,
};
use crate::error::AppError;
use crate::model::{LicenseQuery, LicenseSort, SortDir};
use crate::protocol::EntitlementStatus;
use crate::services::{licenses, pools as pool_service, tokens as token_service};

/// Licenses per pool, as the Licenses tab computes them, by pool then license.
pub(super) async fn licenses(
    db: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<Vec<LicenseReportRow>, AppError> {
    let status = scope.status(ReportKind::Licenses);
    let mut out = Vec::new();
    for pool in &scope.pools {
        let mut n = 1;
        loop {
            let page = licenses::list(
                db,
                &scope.actor,
                LicenseQuery {
                    pool: pool.id,
                    q: String::new(),
                    sort: LicenseSort::License,
                    dir: SortDir::Asc,
                    page: n,
                },
                scope.now,
            )
            .await?;
            for r in page.rows {
                let other_tag = scope
                    .filter
                    .license
                    .as_deref()
                    .is_some_and(|tag| !tag.eq_ignore_ascii_case(&r.tag));
                if other_tag || status.is_some_and(|s| s != ReportStatus::of_license(r.alert)) {
                    continue;
                }
                out.push(LicenseReportRow {
                    pool: pool.name.clone(),
                    name: r.name,
                    tag: r.tag,
                    family: r.product_family,
                    purchased: r.purchased,
                    in_use: r.in_use,
                    balance: r.balance,
                    next_expiry: r.nearest_expiry,
                    alert: r.alert,
                });
            }
            if page.page >= page.pages {
                break;
            }
            n += 1;
        }
    }
    Ok(out)
}

/// One row per pool with what it holds.
pub(super) async fn pools(
    db: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<Vec<PoolReportRow>, AppError> {
    let ids = scope.pool_ids();
    let in_use: Vec<(i64, Option<i64>)> = pool_usage::Entity::find()
        .select_only()
        .column(pool_usage::Column::VirtualAccountId)
        .column_as(
            Expr::col(pool_usage::Column::InUse)
                .sum()
                .cast_as(sea_orm::sea_query::Alias::new("BIGINT")),
            "in_use",
        )
        .filter(pool_usage::Column::VirtualAccountId.is_in(ids.clone()))
        .group_by(pool_usage::Column::VirtualAccountId)
        .into_tuple()
        .all(db)
        .await?;
    let in_use: HashMap<i64, i64> = in_use
        .into_iter()
        .map(|(p, n)| (p, n.unwrap_or(0)))
        .collect();
    Ok(pool_service::list(db, &scope.actor, scope.now)
        .await?
        .into_iter()
        .filter(|p| ids.contains(&p.id))
        .map(|p| PoolReportRow {
            in_use: in_use.get(&p.id).copied().unwrap_or(0),
            name: p.name,
            description: p.description,
            is_default: p.is_default,
            active_licenses: p.licenses,
            tokens: p.tokens,
            instances: p.instances,
        })
        .collect())
}

/// The columns of a product instance the export reads, in `ExportedInstance::read`'s order.
const EXPORT_COLUMNS: [pi::Column; 12] = [
    pi::Column::Id,
    pi::Column::VirtualAccountId,
    pi::Column::Pid,
    pi::Column::Sn,
    pi::Column::Hostname,
    pi::Column::Product,
    pi::Column::SoftwareVersion,
    pi::Column::RegisteredAt,
    pi::Column::LastContactAt,
    pi::Column::IdCertExpiresAt,
    pi::Column::AuthExpiresAt,
    pi::Column::SilentAfter,
];

/// What the export reads of a product instance.
struct ExportedInstance {
    id: i64,
    virtual_account_id: i64,
    pid: String,
    sn: String,
    hostname: String,
    product: String,
    software_version: Option<String>,
    registered_at: chrono::DateTime<chrono::Utc>,
    last_contact_at: chrono::DateTime<chrono::Utc>,
    id_cert_expires_at: chrono::DateTime<chrono::Utc>,
    auth_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    silent_after: chrono::DateTime<chrono::Utc>,
}

impl ExportedInstance {
    fn read(r: &sea_orm::QueryResult, id: i64) -> Result<ExportedInstance, sea_orm::DbErr> {
        Ok(ExportedInstance {
            id,
            virtual_account_id: r.try_get_by_index(1)?,
            pid: r.try_get_by_index(2)?,
            sn: r.try_get_by_index(3)?,
            hostname: r.try_get_by_index(4)?,
            product: r.try_get_by_index(5)?,
            software_version: r.try_get_by_index(6)?,
            registered_at: r.try_get_by_index(7)?,
            last_contact_at: r.try_get_by_index(8)?,
            id_cert_expires_at: r.try_get_by_index(9)?,
            auth_expires_at: r.try_get_by_index(10)?,
            silent_after: r.try_get_by_index(11)?,
        })
    }
}

/// A page of product instances with their statuses and entitlements (one statement a page).
pub(super) async fn instances(
    db: &impl ConnectionTrait,
    scope: &Scope,
    after: Option<i64>,
    limit: u64,
) -> Result<RowPage, AppError> {
    // One statement per page: the page of instances (keyset by id, in a subquery so that the limit
    // counts instances) joined with their usage rows, by instance then tag.
    let mut page = pi::Entity::find().filter(instance_condition(scope));
    if let Some(after) = after {
        page = page.filter(pi::Column::Id.gt(after));
    }
    let page = page
        .order_by_asc(pi::Column::Id)
        .limit(limit + 1)
        .into_query();
    let (p, u) = (Alias::new("p"), Alias::new("u"));
    // Only the columns the report shows, read by position: each row of the join is copied out of
    // SQLite whole, so the columns it does not need (credential hash, certificate serial, …) cost
    // on every row.
    let stmt = Query::select()
        .columns(EXPORT_COLUMNS.map(|c| (p.clone(), c)))
        .column((u.clone(), instance_usage::Column::Tag))
        .column((u.clone(), instance_usage::Column::Count))
        .from_subquery(page, p.clone())
        .join_as(
            JoinType::LeftJoin,
            instance_usage::Entity,
            u.clone(),
            Expr::col((u.clone(), instance_usage::Column::ProductInstanceId))
                .equals((p.clone(), pi::Column::Id)),
        )
        .order_by((p, pi::Column::Id), Order::Asc)
        .order_by((u, instance_usage::Column::Tag), Order::Asc)
        .to_owned();
    let mut rows: Vec<(ExportedInstance, Vec<(String, i64)>)> = Vec::new();
    for r in db.query_all(&stmt).await? {
        let id: i64 = r.try_get_by_index(0)?;
        if rows.last().map(|(m, _)| m.id) != Some(id) {
            rows.push((ExportedInstance::read(&r, id)?, Vec::new()));
        }
        let tag: Option<String> = r.try_get_by_index(EXPORT_COLUMNS.len())?;
        let count: Option<i64> = r.try_get_by_index(EXPORT_COLUMNS.len() + 1)?;
        if let (Some(tag), Some(count), Some((_, mine))) = (tag, count, rows.last_mut()) {
            mine.push((tag, count));
        }
    }
    let next = super::next_cursor(&mut rows, limit, |(m, _)| m.id);
    let rows = rows
        .into_iter()
        .map(|(m, mine)| {
            let ooc = mine
                .iter()
                .any(|(tag, _)| scope.is_short(m.virtual_account_id, tag));
            let mut entitlements = String::new();
            for (i, (tag, count)) in mine.iter().enumerate() {
                if i > 0 {
                    entitlements.push_str(", ");
                }
                entitlements.push_str(tag);
                entitlements.push_str(" × ");
                entitlements.push_str(&count.to_string());
            }
            InstanceReportRow {
                pool: scope.pool_name(Some(m.virtual_account_id)),
                status: InstanceStatus::from_silence(
                    m.silent_after,
                    m.auth_expires_at,
                    ooc,
                    scope.now,
                ),
                entitlements,
                hostname: m.hostname,
                product: m.product,
                pid: m.pid,
                sn: m.sn,
                software_version: m.software_version,
                registered_at: m.registered_at,
                last_contact_at: m.last_contact_at,
                id_cert_expires_at: m.id_cert_expires_at,
                auth_expires_at: m.auth_expires_at,
            }
        })
        .collect();
    Ok(RowPage::of(rows, next))
}

/// A page of license usage: one row per instance and tag.
pub(super) async fn usage(
    db: &impl ConnectionTrait,
    scope: &Scope,
    after: Option<i64>,
    limit: u64,
) -> Result<RowPage, AppError> {
    let (rows, next) = keyset::<instance_usage::Entity>(
        db,
        usage_condition(scope),
        instance_usage::Column::Id,
        false,
        after,
        limit,
        |r| r.id,
    )
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.product_instance_id).collect();
    let instances: HashMap<i64, pi::Model> = pi::Entity::find()
        .filter(pi::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let rows = rows
        .into_iter()
        .filter_map(|u| {
            let m = instances.get(&u.product_instance_id)?;
            Some(UsageReportRow {
                pool: scope.pool_name(Some(u.virtual_account_id)),
                hostname: m.hostname.clone(),
                pid: m.pid.clone(),
                sn: m.sn.clone(),
                license: scope.names.get(&u.tag).cloned(),
                status: if scope.is_short(u.virtual_account_id, &u.tag) {
                    EntitlementStatus::OutOfCompliance
                } else {
                    EntitlementStatus::Authorized
                },
                tag: u.tag,
                count: u.count,
                last_contact_at: m.last_contact_at,
            })
        })
        .collect();
    Ok(RowPage::of(rows, next))
}

/// A page of tokens, newest first; whole tokens only where the actor may change the pool.
pub(super) async fn tokens(
    db: &impl ConnectionTrait,
    scope: &Scope,
    after: Option<i64>,
    limit: u64,
) -> Result<RowPage, AppError> {
    let (rows, next) = keyset::<token::Entity>(
        db,
        token_condition(scope),
        token::Column::Id,
        true,
        after,
        limit,
        |r| r.id,
    )
    .await?;
    let rows = rows
        .into_iter()
        .map(|m| {
            let pool = m.virtual_account_id;
            // A report is a file that travels (mail, tickets): never a whole token in it, whoever
            // exports it; the General tab shows it to the pool's admins.
            let r = token_service::to_row(m, false, scope.now);
            TokenReportRow {
                pool: scope.pool_name(Some(pool)),
                token: r.token,
                description: r.description,
                created_by: r.created_by,
                created_at: r.created_at,
                expires_at: r.expires_at,
                uses: r.uses,
                max_uses: r.max_uses,
                allow_export_controlled: r.allow_export_controlled,
                state: r.state,
                revoke_reason: r.revoke_reason,
            }
        })
        .collect();
    Ok(RowPage::of(rows, next))
}

/// A page of events, newest first.
pub(super) async fn events(
    db: &impl ConnectionTrait,
    scope: &Scope,
    after: Option<i64>,
    limit: u64,
) -> Result<RowPage, AppError> {
    let (rows, next) = keyset::<event::Entity>(
        db,
        event_condition(scope),
        event::Column::Id,
        true,
        after,
        limit,
        |r| r.id,
    )
    .await?;
    let rows = rows
        .into_iter()
        .map(|m| EventReportRow {
            at: m.at,
            pool: scope.pool_name(m.virtual_account_id),
            actor: m.actor,
            kind: m.kind,
            message: m.message,
        })
        .collect();
    Ok(RowPage::of(rows, next))
}

/// A page of the usage history, newest day first, then by pool and tag; the cursor is the offset
/// (the snapshots have no id, and their order is fixed by their key).
pub(super) async fn history(
    db: &impl ConnectionTrait,
    scope: &Scope,
    after: Option<i64>,
    limit: u64,
) -> Result<RowPage, AppError> {
    let offset = u64::try_from(after.unwrap_or(0)).unwrap_or(0);
    let mut rows = usage_snapshot::Entity::find()
        .filter(history_condition(scope))
        .order_by_desc(usage_snapshot::Column::Day)
        .order_by_asc(usage_snapshot::Column::VirtualAccountId)
        .order_by_asc(usage_snapshot::Column::Tag)
        .offset(offset)
        .limit(limit + 1)
        .all(db)
        .await?;
    let next = (rows.len() as u64 > limit).then(|| {
        rows.truncate(limit as usize);
        (offset + limit) as i64
    });
    let rows = rows
        .into_iter()
        .map(|r| HistoryReportRow {
            day: r.day.and_time(chrono::NaiveTime::MIN).and_utc(),
            pool: scope.pool_name(Some(r.virtual_account_id)),
            license: scope.names.get(&r.tag).cloned(),
            tag: r.tag,
            purchased: r.purchased,
            in_use: r.in_use,
            instances: r.instances,
        })
        .collect();
    Ok(RowPage::of(rows, next))
}
