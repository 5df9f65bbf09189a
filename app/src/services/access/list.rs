//! The Users page's list: the account's members with their user, pools and state, filtered, sorted
//! and paged in the database.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::domain::roles::{Action, Actor};
use crate::domain::users::UserState;
use crate::entities::{membership, pool_grant, user, virtual_account};
use crate::error::AppError;
use crate::model::{SortDir, UserPage, UserQuery, UserRow, UserSort};

use crate::services::require;

/// Rows per page of the Users list.
pub const PAGE_SIZE: u64 = 50;

/// One page of the account's users.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    query: &UserQuery,
) -> Result<UserPage, AppError> {
    require(actor, Action::ManageUsers)?;
    let mut select = membership::Entity::find()
        .filter(membership::Column::SmartAccountId.eq(actor.smart_account_id))
        .select_also(user::Entity)
        .join(
            JoinType::InnerJoin,
            membership::Entity::belongs_to(user::Entity)
                .from(membership::Column::UserId)
                .to(user::Column::Id)
                .into(),
        );
    let q = query.q.trim().to_lowercase();
    if !q.is_empty() {
        let pattern = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        select = select.filter(
            Expr::expr(Func::lower(Expr::col((
                user::Entity,
                user::Column::Username,
            ))))
            .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
        );
    }
    let order = if query.dir == SortDir::Desc {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    select = match query.sort {
        UserSort::Username => select,
        UserSort::Role => select.order_by(membership::Column::Role, order.clone()),
        UserSort::LastSignIn => select.order_by(
            Expr::col((user::Entity, user::Column::LastSignInAt)),
            order.clone(),
        ),
    };
    select = select.order_by(Expr::col((user::Entity, user::Column::Username)), order);
    let paginator = select.paginate(db, PAGE_SIZE);
    let total = paginator.num_items().await?;
    let pages = std::cmp::max(total.div_ceil(PAGE_SIZE), 1);
    let page = std::cmp::min(query.page, pages - 1);
    let found = paginator.fetch_page(page).await?;
    let memberships: Vec<i64> = found.iter().map(|(m, _)| m.id).collect();
    let mut grants: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    let granted: Vec<(i64, i64, String)> = pool_grant::Entity::find()
        .select_only()
        .column(pool_grant::Column::MembershipId)
        .column(pool_grant::Column::VirtualAccountId)
        .column_as(
            Expr::col((virtual_account::Entity, virtual_account::Column::Name)),
            "name",
        )
        .join(
            JoinType::InnerJoin,
            pool_grant::Entity::belongs_to(virtual_account::Entity)
                .from(pool_grant::Column::VirtualAccountId)
                .to(virtual_account::Column::Id)
                .into(),
        )
        .filter(pool_grant::Column::MembershipId.is_in(memberships))
        .order_by_asc(Expr::col((
            virtual_account::Entity,
            virtual_account::Column::Name,
        )))
        .into_tuple()
        .all(db)
        .await?;
    for (member, pool, name) in granted {
        grants.entry(member).or_default().push((pool, name));
    }
    let rows = found
        .into_iter()
        .filter_map(|(m, u)| u.map(|u| (m, u)))
        .map(|(m, u)| UserRow {
            id: u.id,
            is_you: u.id == actor.user_id,
            state: UserState::of(m.disabled_at.is_some(), u.password_set_at.is_some()),
            pools: grants.remove(&m.id).unwrap_or_default(),
            role: m.role,
            last_sign_in_at: u.last_sign_in_at,
            two_factor: u.totp_enabled,
            username: u.username,
        })
        .collect();
    Ok(UserPage {
        rows,
        total,
        page,
        pages,
    })
}
