//! Passwords and sign-in: argon2id with OWASP's parameters, always off the async threads, with the same
//! cost for unknown users as for known ones, behind the database-backed throttle.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use crate::domain::names::Username;
use crate::domain::throttle::ThrottlePolicy;
use crate::entities::user;
use crate::error::AppError;

use super::throttle;

/// The shortest password the portal accepts for a new user.
pub const MIN_PASSWORD_CHARS: usize = 8;

fn argon2() -> Argon2<'static> {
    // The crate's default parameters are OWASP's (m = 19456 KiB, t = 2, p = 1); a test pins them.
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// A hash of a random password, verified against when the username is unknown so that the answer takes
/// as long as for a known user.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        argon2()
            .hash_password(b"no user has this password, it only costs time")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Checks a new password's length; the message names the field.
pub fn check_new_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AppError::validation(
            "password",
            format!("Use at least {MIN_PASSWORD_CHARS} characters."),
        ));
    }
    if n > 1024 {
        return Err(AppError::validation(
            "password",
            "Use at most 1024 characters.",
        ));
    }
    Ok(())
}

/// Hashes a password (argon2id, PHC string) on the blocking pool.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        argon2()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| {
                tracing::error!(error = %e, "hashing a password failed");
                AppError::Internal
            })
    })
    .await?
}

async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    Ok(tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = argon2()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        ok && known
    })
    .await?)
}

/// Signs in: returns the user's id, or `BadCredentials`, or `Throttled` (decided before any hashing).
pub async fn sign_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    username: &str,
    password: &str,
    client_addr: &str,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let username = Username::parse(username)?;
    if password.is_empty() {
        return Err(AppError::validation("password", "Enter your password."));
    }
    let account_key = throttle::account_key(username.as_str());
    let address_key = throttle::address_key(client_addr);
    let now_secs = now.timestamp();
    throttle::reserve(
        db,
        &[
            (&account_key, ThrottlePolicy::ACCOUNT),
            (&address_key, ThrottlePolicy::ADDRESS),
        ],
        now_secs,
    )
    .await?;

    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username.as_str()))
        .one(db)
        .await?;
    let hash = found.as_ref().map(|u| u.password_hash.clone());
    if verify_password(password.to_owned(), hash).await? {
        throttle::clear(db, &account_key).await?;
        throttle::refund(db, &address_key, ThrottlePolicy::ADDRESS, now_secs).await?;
        // `found` is Some whenever the verification passed.
        found.map(|u| u.id).ok_or(AppError::BadCredentials)
    } else {
        tracing::info!(
            username = username.as_str(),
            client = client_addr,
            "failed sign-in"
        );
        Err(AppError::BadCredentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_owasps() {
        let p = Params::default();
        assert_eq!((p.m_cost(), p.t_cost(), p.p_cost()), (19_456, 2, 1));
    }

    #[test]
    fn new_passwords_need_eight_characters() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough").is_ok());
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse".into(), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!verify_password("wrong".into(), Some(hash)).await.unwrap());
        assert!(!verify_password("anything".into(), None).await.unwrap());
    }
}
