//! One-time sign-in links: an invited user, or one whose password an admin reset, sets their own
//! password on it. Valid 72 hours, used once; only the SHA-256 of the secret is stored, so the link
//! is shown once, to the admin who made it.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};

use crate::domain::events::EventKind;
use crate::domain::users::SIGN_IN_LINK_HOURS;
use crate::entities::{sign_in_link, user};
use crate::error::AppError;
use crate::model::LinkInfo;

use super::auth::{check_new_password, Hasher};
use super::events;
use super::{secrets, sessions};

/// The path of the page a link opens.
pub const PATH: &str = "/welcome";

/// Makes a new link for `user_id`, ending any earlier one; returns the secret (for the URL) and when
/// it expires.
pub async fn issue(
    db: &impl ConnectionTrait,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), AppError> {
    sign_in_link::Entity::delete_many()
        .filter(sign_in_link::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    let secret = secrets::random_secret("sil");
    let expires_at = now + Duration::hours(SIGN_IN_LINK_HOURS);
    sign_in_link::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(secrets::sha256_hex(&secret)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((secret, expires_at))
}

fn dead_link() -> AppError {
    AppError::validation(
        "link",
        "This sign-in link has expired or was already used. Ask your account admin for a new one.",
    )
}

async fn live(
    db: &impl ConnectionTrait,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(sign_in_link::Model, user::Model), AppError> {
    let link = sign_in_link::Entity::find()
        .filter(sign_in_link::Column::TokenHash.eq(secrets::sha256_hex(secret.trim())))
        .one(db)
        .await?
        .filter(|l| l.used_at.is_none() && l.expires_at > now)
        .ok_or_else(dead_link)?;
    let user = user::Entity::find_by_id(link.user_id)
        .one(db)
        .await?
        .ok_or_else(dead_link)?;
    Ok((link, user))
}

/// Whose link this is, while it is live.
pub async fn info(
    db: &impl ConnectionTrait,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<LinkInfo, AppError> {
    let (link, user) = live(db, secret, now).await?;
    Ok(LinkInfo {
        username: user.username,
        expires_at: link.expires_at,
    })
}

/// Sets the password on a live link and uses the link up (once, even when two tabs submit at the
/// same time); every session of the user ends. Returns the username.
pub async fn set_password(
    db: &(impl ConnectionTrait + TransactionTrait),
    hasher: &Hasher,
    secret: &str,
    password: &str,
    confirm: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let (link, found) = live(db, secret, now).await?;
    check_new_password(password, &found.username).map_err(|e| rename_field(e, "new_password"))?;
    if password != confirm {
        return Err(AppError::validation(
            "confirm_password",
            "The two passwords are not the same.",
        ));
    }
    let hash = hasher.hash(password.to_owned()).await?;
    let txn = crate::services::begin_writing(db).await?;
    let used = sign_in_link::Entity::update_many()
        .col_expr(sign_in_link::Column::UsedAt, Expr::value(now))
        .filter(sign_in_link::Column::Id.eq(link.id))
        .filter(sign_in_link::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        return Err(dead_link());
    }
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::PasswordSetAt, Expr::value(now))
        .filter(user::Column::Id.eq(found.id))
        .exec(&txn)
        .await?;
    sessions::end_all(&txn, found.id, None).await?;
    events::record_for_user(
        &txn,
        now,
        found.id,
        &found.username,
        EventKind::UserPasswordSet,
        format!(
            "User \"{}\" set a password with a sign-in link",
            found.username
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(found.username)
}

/// The same validation error, under the form's field name.
pub fn rename_field(err: AppError, field: &str) -> AppError {
    match err {
        AppError::Validation { message, .. } => AppError::validation(field, message),
        other => other,
    }
}
