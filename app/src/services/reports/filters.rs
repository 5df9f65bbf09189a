//! The reports' filters as SQL conditions: the scope's pools, the license, the date range and the
//! status, each status through the SQL mirror of its rule (`domain::…::sql`).

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition};

use super::Scope;
use crate::domain::device::sql::instance_status;
use crate::domain::device::sql::uses_a_tag;
use crate::domain::reports::{ReportKind, ReportStatus};
use crate::domain::tokens::sql::token_state;
use crate::entities::{event, instance_usage, product_instance as pi, token, usage_snapshot};
use crate::protocol::EntitlementStatus;

/// `column` within the filter's date range (no condition without one).
fn in_date_range(scope: &Scope, column: impl ColumnTrait) -> Condition {
    let (from, to) = scope.filter.time_range();
    let mut cond = Condition::all();
    if let Some(from) = from {
        cond = cond.add(column.gte(from));
    }
    if let Some(to) = to {
        cond = cond.add(column.lt(to));
    }
    cond
}

/// The instances of the scope, with the status filter in SQL (`InstanceStatus::of`'s mirror).
pub(super) fn instance_condition(scope: &Scope) -> Condition {
    let mut cond = Condition::all().add(pi::Column::VirtualAccountId.is_in(scope.pool_ids()));
    if let Some(tag) = &scope.filter.license {
        cond = cond.add(uses_a_tag(
            Expr::col((instance_usage::Entity, instance_usage::Column::Tag)).eq(tag.clone()),
        ));
    }
    cond = cond.add(in_date_range(scope, pi::Column::RegisteredAt));
    match scope
        .status(ReportKind::ProductInstances)
        .and_then(ReportStatus::instance)
    {
        Some(status) => cond.add(instance_status(
            status,
            scope.now,
            scope.out_of_compliance_instances(),
        )),
        None => cond,
    }
}

pub(super) fn usage_condition(scope: &Scope) -> Condition {
    let mut cond =
        Condition::all().add(instance_usage::Column::VirtualAccountId.is_in(scope.pool_ids()));
    if let Some(tag) = &scope.filter.license {
        cond = cond.add(instance_usage::Column::Tag.eq(tag.clone()));
    }
    match scope
        .status(ReportKind::LicenseUsage)
        .and_then(ReportStatus::usage)
    {
        Some(EntitlementStatus::OutOfCompliance) => cond.add(scope.out_of_compliance_usages()),
        Some(EntitlementStatus::Authorized) => cond.add(scope.out_of_compliance_usages().not()),
        None => cond,
    }
}

pub(super) fn token_condition(scope: &Scope) -> Condition {
    let cond = Condition::all()
        .add(token::Column::VirtualAccountId.is_in(scope.pool_ids()))
        .add(in_date_range(scope, token::Column::CreatedAt));
    match scope
        .status(ReportKind::Tokens)
        .and_then(ReportStatus::token)
    {
        Some(state) => cond.add(token_state(state, scope.now)),
        None => cond,
    }
}

/// The actor's events in the scope's pools; account-wide events too for account-wide roles asking for
/// every pool (as the Event Log shows them).
pub(super) fn event_condition(scope: &Scope) -> Condition {
    let mut pools = Condition::any().add(event::Column::VirtualAccountId.is_in(scope.pool_ids()));
    if scope.all_pools && scope.actor.sees_all_pools() {
        pools = pools.add(event::Column::VirtualAccountId.is_null());
    }
    Condition::all()
        .add(event::Column::SmartAccountId.eq(scope.actor.smart_account_id))
        .add(pools)
        .add(in_date_range(scope, event::Column::At))
}

/// The daily snapshots of the scope's pools, of the license and within the date range.
pub(super) fn history_condition(scope: &Scope) -> Condition {
    let mut cond =
        Condition::all().add(usage_snapshot::Column::VirtualAccountId.is_in(scope.pool_ids()));
    if let Some(tag) = &scope.filter.license {
        cond = cond.add(usage_snapshot::Column::Tag.eq(tag.clone()));
    }
    if let Some(from) = scope.filter.from {
        cond = cond.add(usage_snapshot::Column::Day.gte(from));
    }
    if let Some(to) = scope.filter.to {
        cond = cond.add(usage_snapshot::Column::Day.lte(to));
    }
    cond
}
