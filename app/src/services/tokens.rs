//! Registration tokens of a virtual account: create, list, revoke, delete.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use crate::domain::device::TokenState;
use crate::domain::events::EventKind;
use crate::domain::names::Description;
use crate::domain::roles::{Action, Actor};
use crate::entities::token;
use crate::error::AppError;
use crate::model::TokenRow;

use super::events::{self, NewEvent};
use super::{pools, require};

/// The most tokens the General tab lists (newest first).
pub const LIST_LIMIT: u64 = 200;

/// A new token: 32 random bytes, URL-safe base64 (256 bits of randomness), with a readable prefix.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("idt_{}", base64url(&bytes))
}

/// URL-safe base64 without padding.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Shortens a token for people who may not use it.
pub fn shorten(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() <= 12 {
        return token.to_owned();
    }
    format!(
        "{}…{}",
        chars[..8].iter().collect::<String>(),
        chars[chars.len() - 4..].iter().collect::<String>()
    )
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
        state: state.label().to_owned(),
        revoke_reason: m.revoke_reason,
    }
}

/// What the New Token form sends.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub description: String,
    /// "Expire After", days, as typed.
    pub expire_days: String,
    /// "Max. Number of Uses", as typed; blank is unlimited.
    pub max_uses: String,
    pub allow_export_controlled: bool,
}

/// Parses the form: expiry 1–365 days, max uses blank or 1–1,000,000.
pub fn parse_new(form: &NewToken) -> Result<(Description, i64, Option<i32>), AppError> {
    let description = Description::parse("description", &form.description)?;
    let days: i64 = form
        .expire_days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=365).contains(d))
        .ok_or_else(|| {
            AppError::validation("expire_days", "Enter a whole number of days from 1 to 365.")
        })?;
    let max_uses = match form.max_uses.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i32>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or_else(|| {
                    AppError::validation(
                        "max_uses",
                        "Leave blank for unlimited, or enter 1 to 1,000,000.",
                    )
                })?,
        ),
    };
    Ok((description, days, max_uses))
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
    let (description, days, max_uses) = parse_new(&form)?;
    let txn = db.begin().await?;
    let created = token::ActiveModel {
        virtual_account_id: Set(pool),
        token: Set(generate()),
        description: Set(description.as_str().to_owned()),
        created_by: Set(actor.username.clone()),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(days)),
        max_uses: Set(max_uses),
        uses: Set(0),
        allow_export_controlled: Set(form.allow_export_controlled),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let uses = max_uses.map_or("unlimited uses".to_owned(), |n| format!("at most {n} uses"));
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: Some(pool),
            actor: &actor.username,
            kind: EventKind::TokenCreated,
            message: format!(
                "Token {} created, expires after {days} days, {uses}",
                shorten(&created.token)
            ),
            instance: None,
        },
    )
    .await?;
    txn.commit().await?;
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

/// Revokes a token with a reason; devices registered with it stay registered.
pub async fn revoke(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let found = find_changeable(db, actor, id).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::validation(
            "reason",
            "Say why the token is revoked.",
        ));
    }
    if reason.chars().count() > 500 {
        return Err(AppError::validation(
            "reason",
            "Use at most 500 characters.",
        ));
    }
    if found.revoked_at.is_some() {
        return Err(AppError::Refused("This token is already revoked.".into()));
    }
    let txn = db.begin().await?;
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
            actor: &actor.username,
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
    let txn = db.begin().await?;
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
            actor: &actor.username,
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

    fn form(days: &str, max: &str) -> NewToken {
        NewToken {
            description: "d".into(),
            expire_days: days.into(),
            max_uses: max.into(),
            allow_export_controlled: true,
        }
    }

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = generate();
        assert!(a.starts_with("idt_"));
        assert_eq!(a.len(), 4 + 43, "32 bytes in unpadded base64");
        assert!(a[4..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(a, generate());
    }

    #[test]
    fn base64url_matches_the_standard_alphabet() {
        assert_eq!(base64url(b"Man"), "TWFu");
        assert_eq!(base64url(b"Ma"), "TWE");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn the_form_is_parsed_with_named_fields() {
        assert_eq!(parse_new(&form("30", "")).unwrap().1, 30);
        assert_eq!(parse_new(&form("365", "50")).unwrap().2, Some(50));
        for bad in ["0", "366", "x", ""] {
            assert_eq!(
                parse_new(&form(bad, ""))
                    .unwrap_err()
                    .for_field("expire_days")
                    .is_some(),
                true,
                "{bad}"
            );
        }
        for bad in ["0", "-1", "1.5", "many"] {
            assert!(
                parse_new(&form("30", bad))
                    .unwrap_err()
                    .for_field("max_uses")
                    .is_some(),
                "{bad}"
            );
        }
    }

    #[test]
    fn shortening_keeps_both_ends() {
        assert_eq!(shorten("idt_ABCDEFGHIJKLMNOP"), "idt_ABCD…MNOP");
        assert_eq!(shorten("short"), "short");
    }
}
