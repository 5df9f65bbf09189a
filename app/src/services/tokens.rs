//! Registration tokens of a virtual account: create, list, revoke, delete.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use crate::domain::error::{FieldError, Refusal};
use crate::domain::events::EventKind;
use crate::domain::roles::{Action, Actor};
use crate::domain::tokens::{shorten, NewToken, TokenState};
use crate::entities::token;
use crate::error::AppError;
use crate::model::{CreatedToken, TokenRow};

use super::events::{self, NewEvent};
use super::{pools, require};

/// The most tokens the General tab lists (newest first).
pub const LIST_LIMIT: u64 = 200;

/// A new token: 256 bits of randomness, URL-safe, with a readable prefix.
pub fn generate() -> String {
    super::secrets::random_secret("idt")
}

pub(crate) fn to_row(m: token::Model, full: bool, now: DateTime<Utc>) -> TokenRow {
    let state = TokenState::of(
        m.expires_at,
        m.revoked_at.is_some(),
        m.uses,
        m.max_uses,
        now,
    );
    TokenRow {
        id: m.id,
        token: if full { m.token } else { shorten(&m.token) },
        description: m.description,
        created_by: m.created_by,
        created_at: m.created_at,
        expires_at: m.expires_at,
        uses: m.uses,
        max_uses: m.max_uses,
        allow_export_controlled: m.allow_export_controlled,
        state,
        revoke_reason: m.revoke_reason,
    }
}

/// Creates a token for the pool; the answer carries the whole token.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    pool: i64,
    form: NewToken,
    now: DateTime<Utc>,
) -> Result<TokenRow, AppError> {
    pools::find_visible(db, actor, pool).await?;
    require(actor, Action::ChangePool(pool))?;
    let txn = crate::services::begin_writing(db).await?;
    let created = create_in(&txn, actor, pool, &form, now).await?;
    txn.commit().await?;
    Ok(created)
}

/// Creates one token each for several pools (the first is the form's own), all or none; the
/// answers carry the whole tokens with their pools' names, in the order asked.
pub async fn create_for_pools(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    ids: &[i64],
    form: NewToken,
    now: DateTime<Utc>,
) -> Result<Vec<CreatedToken>, AppError> {
    let mut wanted: Vec<i64> = Vec::new();
    for &id in ids {
        if !wanted.contains(&id) {
            wanted.push(id);
        }
    }
    let mut names = Vec::new();
    for (i, &id) in wanted.iter().enumerate() {
        let found = pools::find_visible(db, actor, id).await;
        if i == 0 {
            let pool = found?;
            require(actor, Action::ChangePool(pool.id))?;
            names.push(pool.name);
            continue;
        }
        match found {
            Ok(pool) if actor.can_change(pool.id) => names.push(pool.name),
            _ => {
                return Err(AppError::validation(
                    "also",
                    "Tick only virtual accounts you may change.",
                ))
            }
        }
    }
    let txn = crate::services::begin_writing(db).await?;
    let mut out = Vec::new();
    for (id, pool_name) in wanted.into_iter().zip(names) {
        let row = create_in(&txn, actor, id, &form, now).await?;
        out.push(CreatedToken { pool_name, row });
    }
    txn.commit().await?;
    Ok(out)
}

/// Writes a token and its event inside the caller's transaction (rights already checked).
async fn create_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    pool: i64,
    form: &NewToken,
    now: DateTime<Utc>,
) -> Result<TokenRow, AppError> {
    let days = form.expire_days.days();
    let max_uses = form.max_uses.map(i32::from);
    let created = token::ActiveModel {
        virtual_account_id: Set(pool),
        token: Set(generate()),
        description: Set(form.description.as_str().to_owned()),
        created_by: Set(actor.who()),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(days)),
        max_uses: Set(max_uses),
        uses: Set(0),
        allow_export_controlled: Set(form.allow_export_controlled),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let uses = max_uses.map_or("unlimited uses".to_owned(), |n| format!("at most {n} uses"));
    events::record(
        txn,
        now,
        NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: Some(pool),
            actor: &actor.who(),
            kind: EventKind::TokenCreated,
            message: format!(
                "Token {} created, expires after {days} days, {uses}",
                shorten(&created.token)
            ),
            instance: None,
        },
    )
    .await?;
    Ok(to_row(created, true, now))
}

/// The pool's tokens, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pool: i64,
    now: DateTime<Utc>,
) -> Result<Vec<TokenRow>, AppError> {
    pools::find_visible(db, actor, pool).await?;
    let full = actor.can_change(pool);
    Ok(token::Entity::find()
        .filter(token::Column::VirtualAccountId.eq(pool))
        .order_by_desc(token::Column::Id)
        .limit(LIST_LIMIT)
        .all(db)
        .await?
        .into_iter()
        .map(|m| to_row(m, full, now))
        .collect())
}

/// A page of the pool's tokens, newest first: `limit` of those older than `before` (a token id).
pub async fn page(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pool: i64,
    before: Option<i64>,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<TokenRow>, AppError> {
    pools::find_visible(db, actor, pool).await?;
    let full = actor.can_change(pool);
    let mut query = token::Entity::find().filter(token::Column::VirtualAccountId.eq(pool));
    if let Some(before) = before {
        query = query.filter(token::Column::Id.lt(before));
    }
    Ok(query
        .order_by_desc(token::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|m| to_row(m, full, now))
        .collect())
}

/// One token the actor sees, or `NotFound`.
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<TokenRow, AppError> {
    let found = token::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    pools::find_visible(db, actor, found.virtual_account_id).await?;
    let full = actor.can_change(found.virtual_account_id);
    Ok(to_row(found, full, now))
}

/// Finds a token the actor may change (scoped to the actor's smart account through its pool).
async fn find_changeable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<token::Model, AppError> {
    let found = token::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    pools::find_visible(db, actor, found.virtual_account_id).await?;
    require(actor, Action::ChangePool(found.virtual_account_id))?;
    Ok(found)
}

/// The reason of a revocation: 1 to 500 characters.
fn revoke_reason(raw: &str) -> Result<&str, FieldError> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(FieldError::new("reason", "Say why the token is revoked."));
    }
    if reason.chars().count() > 500 {
        return Err(FieldError::new("reason", "Use at most 500 characters."));
    }
    Ok(reason)
}

/// Revokes a token with a reason; devices registered with it stay registered.
pub async fn revoke(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let found = find_changeable(db, actor, id).await?;
    let reason = revoke_reason(reason)?;
    if found.revoked_at.is_some() {
        return Err(Refusal::TokenAlreadyRevoked.into());
    }
    let txn = crate::services::begin_writing(db).await?;
    let pool = found.virtual_account_id;
    let short = shorten(&found.token);
    let mut active = found.into_active_model();
    active.revoked_at = Set(Some(now));
    active.revoke_reason = Set(Some(reason.to_owned()));
    active.update(&txn).await?;
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: Some(pool),
            actor: &actor.who(),
            kind: EventKind::TokenRevoked,
            message: format!("Token {short} revoked: {reason}"),
            instance: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes a token; devices registered with it stay registered.
pub async fn delete(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let found = find_changeable(db, actor, id).await?;
    let txn = crate::services::begin_writing(db).await?;
    // Instances keep their registration; they only forget which token brought them.
    crate::entities::product_instance::Entity::update_many()
        .col_expr(
            crate::entities::product_instance::Column::TokenId,
            sea_orm::sea_query::Expr::value(Option::<i64>::None),
        )
        .filter(crate::entities::product_instance::Column::TokenId.eq(found.id))
        .exec(&txn)
        .await?;
    token::Entity::delete_by_id(found.id).exec(&txn).await?;
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: Some(found.virtual_account_id),
            actor: &actor.who(),
            kind: EventKind::TokenDeleted,
            message: format!("Token {} deleted", shorten(&found.token)),
            instance: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revocation_says_why_in_at_most_500_characters() {
        assert_eq!(revoke_reason("  lost  "), Ok("lost"));
        assert_eq!(revoke_reason(" ").unwrap_err().field, "reason");
        assert!(revoke_reason(&"r".repeat(501)).is_err());
    }
}
