//! What every user does to their own account: change the password; and what an account admin
//! decides for everyone: that two-factor sign-in is required.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait,
};

use crate::domain::events::EventKind;
use crate::domain::roles::{Action, Actor};
use crate::entities::{smart_account, user};
use crate::error::AppError;
use crate::model::ChangePasswordForm;

use super::auth::{check_new_password, Hasher};
use super::events::{self, NewEvent};
use super::sign_in_links::rename_field;
use super::{require, sessions};

/// Changes the actor's password: the current one must be right; every session but `keep` ends.
pub async fn change_password(
    db: &(impl ConnectionTrait + TransactionTrait),
    hasher: &Hasher,
    actor: &Actor,
    keep: &str,
    form: &ChangePasswordForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let found = user::Entity::find_by_id(actor.user_id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if form.current_password.len() > super::auth::MAX_PASSWORD_BYTES
        || !hasher
            .verify(
                form.current_password.clone(),
                Some(found.password_hash.clone()),
            )
            .await?
    {
        return Err(AppError::validation(
            "current_password",
            "This is not your current password.",
        ));
    }
    check_new_password(&form.new_password, &found.username)
        .map_err(|e| rename_field(e, "new_password"))?;
    if form.new_password == form.current_password {
        return Err(AppError::validation(
            "new_password",
            "This is your current password; choose a new one.",
        ));
    }
    if form.new_password != form.confirm_password {
        return Err(AppError::validation(
            "confirm_password",
            "The two passwords are not the same.",
        ));
    }
    let hash = hasher.hash(form.new_password.clone()).await?;
    let txn = crate::services::begin_writing(db).await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::PasswordSetAt, Expr::value(now))
        .filter(user::Column::Id.eq(actor.user_id))
        .exec(&txn)
        .await?;
    sessions::end_all(&txn, actor.user_id, Some(keep)).await?;
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: None,
            actor: &actor.username,
            kind: EventKind::UserPasswordSet,
            message: format!("User \"{}\" changed their password", actor.username),
            instance: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Requires two-factor sign-in of everyone in the actor's smart account, or stops requiring it.
pub async fn require_two_factor(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    required: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    require(actor, Action::ManageUsers)?;
    let txn = crate::services::begin_writing(db).await?;
    smart_account::Entity::update_many()
        .col_expr(
            smart_account::Column::RequireTwoFactor,
            Expr::value(required),
        )
        .filter(smart_account::Column::Id.eq(actor.smart_account_id))
        .exec(&txn)
        .await?;
    events::record(
        &txn,
        now,
        NewEvent {
            smart_account_id: actor.smart_account_id,
            virtual_account_id: None,
            actor: &actor.username,
            kind: EventKind::TwoFactorChanged,
            message: format!(
                "{} {} two-factor sign-in for everyone in the account",
                actor.username,
                if required {
                    "required"
                } else {
                    "stopped requiring"
                }
            ),
            instance: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Whether the actor still has to set up two-factor sign-in before doing anything else.
pub async fn must_enrol(db: &impl ConnectionTrait, actor: &Actor) -> Result<bool, AppError> {
    let required = smart_account::Entity::find_by_id(actor.smart_account_id)
        .one(db)
        .await?
        .is_some_and(|a| a.require_two_factor);
    if !required {
        return Ok(false);
    }
    Ok(!user::Entity::find_by_id(actor.user_id)
        .one(db)
        .await?
        .is_some_and(|u| u.totp_enabled))
}

/// The user's own facts for the Account page.
pub async fn info(
    db: &impl ConnectionTrait,
    actor: &Actor,
    session_id: &str,
) -> Result<crate::model::AccountInfo, AppError> {
    let found = user::Entity::find_by_id(actor.user_id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let account = smart_account::Entity::find_by_id(actor.smart_account_id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok(crate::model::AccountInfo {
        username: found.username,
        two_factor: found.totp_enabled,
        account_requires_two_factor: account.require_two_factor,
        may_require_two_factor: actor.decide(Action::ManageUsers)
            == crate::domain::roles::Decision::Allow,
        recovery_codes_left: super::two_factor::codes_left(db, actor.user_id).await?,
        sessions: sessions::list(db, actor.user_id, session_id, Utc::now()).await?,
    })
}
