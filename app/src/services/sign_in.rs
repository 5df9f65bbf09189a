//! What follows a right password: refused when the user is disabled in every smart account they
//! belong to, a second factor when they turned it on, then a session in one of their accounts (the
//! first; they choose when they have several).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::error::Refusal;
use crate::entities::{membership, smart_account, user};
use crate::error::AppError;
use crate::model::AccountRef;

use super::sessions::{self, Origin};

/// The next step of a sign-in whose password was right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The user owes their authentication code.
    Code,
    /// Signed in, working in `smart_account_id`; `choose` when they have several accounts.
    Done { smart_account_id: i64, choose: bool },
}

/// The smart accounts the user may work in (enabled memberships), in the order they joined.
pub async fn accounts(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<AccountRef>, AppError> {
    let members = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::DisabledAt.is_null())
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = members.iter().map(|m| m.smart_account_id).collect();
    let names: std::collections::HashMap<i64, String> = smart_account::Entity::find()
        .filter(smart_account::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    Ok(members
        .into_iter()
        .filter_map(|m| {
            names.get(&m.smart_account_id).map(|name| AccountRef {
                id: m.smart_account_id,
                name: name.clone(),
                role: m.role,
            })
        })
        .collect())
}

/// Decides the step after the password (or, with `code_done`, after the second factor).
pub async fn next_step(
    db: &impl ConnectionTrait,
    user_id: i64,
    code_done: bool,
) -> Result<(user::Model, Step), AppError> {
    let found = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AppError::BadCredentials)?;
    let active = accounts(db, user_id).await?;
    let Some(first) = active.first() else {
        let disabled = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user_id))
            .one(db)
            .await?
            .is_some();
        return Err(if disabled {
            Refusal::AccessDisabled.into()
        } else {
            AppError::BadCredentials
        });
    };
    if found.totp_enabled && !code_done {
        return Ok((found, Step::Code));
    }
    let step = Step::Done {
        smart_account_id: first.id,
        choose: active.len() > 1,
    };
    Ok((found, step))
}

/// Starts the session row of a finished sign-in and notes the time; returns the row's id.
pub async fn complete(
    db: &impl ConnectionTrait,
    user_id: i64,
    smart_account_id: i64,
    origin: &Origin,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let id = sessions::start(db, user_id, Some(smart_account_id), origin, now).await?;
    user::Entity::update_many()
        .col_expr(user::Column::LastSignInAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(id)
}
