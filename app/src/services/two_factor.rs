//! Two-factor sign-in: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of clock skew
//! either way) with the secret shown as text and as a QR code drawn on the server (SVG), and ten
//! one-time recovery codes shown once and stored hashed.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::domain::events::EventKind;
use crate::entities::{recovery_code, user};
use crate::error::AppError;
use crate::model::TwoFactorSetup;

use super::events;
use super::secrets;

/// The issuer name authenticator apps show.
pub const ISSUER: &str = "Licensing Portal";
/// Recovery codes made at enrolment.
pub const RECOVERY_CODES: usize = 10;

fn totp(secret_base32: &str, username: &str) -> Result<TOTP, AppError> {
    let bytes = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .map_err(|_| AppError::Internal)?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some(ISSUER.to_owned()),
        username.replace(':', "_"),
    )
    .map_err(|e| {
        tracing::error!(error = %e, "building a TOTP failed");
        AppError::Internal
    })
}

/// Whether `code` is the TOTP of `secret_base32` at `now` (a step either way allowed).
pub fn code_matches(secret_base32: &str, code: &str, now: DateTime<Utc>) -> bool {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    totp(secret_base32, "x").is_ok_and(|t| t.check(&code, now.timestamp().max(0) as u64))
}

/// The TOTP of `secret_base32` at `now` (tests and the device of a test user).
pub fn code_at(secret_base32: &str, now: DateTime<Utc>) -> Result<String, AppError> {
    Ok(totp(secret_base32, "x")?.generate(now.timestamp().max(0) as u64))
}

fn user_of(found: Option<user::Model>) -> Result<user::Model, AppError> {
    found.ok_or(AppError::Unauthorized)
}

/// Starts (or restarts) enrolment: a new secret, kept but not in use until a code confirms it.
pub async fn start(db: &impl ConnectionTrait, user_id: i64) -> Result<TwoFactorSetup, AppError> {
    let found = user_of(user::Entity::find_by_id(user_id).one(db).await?)?;
    if found.totp_enabled {
        return Err(AppError::validation(
            "code",
            "Two-factor sign-in is already on.",
        ));
    }
    let mut raw = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut raw);
    let secret = Secret::Raw(raw.to_vec()).to_encoded().to_string();
    user::Entity::update_many()
        .col_expr(user::Column::TotpSecret, Expr::value(secret.clone()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    let t = totp(&secret, &found.username)?;
    let url = t.get_url();
    let svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(|_| AppError::Internal)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(TwoFactorSetup {
        secret,
        otpauth_url: url,
        qr_svg_data_url: format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg)),
    })
}

fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut raw = [0u8; 10];
    rand::thread_rng().fill_bytes(&mut raw);
    let chars: String = raw
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

fn normalize_recovery(code: &str) -> String {
    code.trim().to_lowercase()
}

/// Confirms enrolment with a code from the app: two-factor sign-in is on, and the ten recovery codes
/// are returned (the only time they are shown).
pub async fn confirm(
    db: &(impl ConnectionTrait + TransactionTrait),
    user_id: i64,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    let found = user_of(user::Entity::find_by_id(user_id).one(db).await?)?;
    let secret = found
        .totp_secret
        .clone()
        .filter(|_| !found.totp_enabled)
        .ok_or_else(|| {
            AppError::validation("code", "Start the set-up again: no set-up is waiting.")
        })?;
    if !code_matches(&secret, code, now) {
        return Err(AppError::validation(
            "code",
            "That code is not right. Type the 6 digits your app shows now.",
        ));
    }
    let txn = crate::services::begin_writing(db).await?;
    let codes = replace_recovery_codes(&txn, user_id).await?;
    user::Entity::update_many()
        .col_expr(user::Column::TotpEnabled, Expr::value(true))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    events::record_for_user(
        &txn,
        now,
        found.id,
        &found.username,
        EventKind::TwoFactorChanged,
        format!("User \"{}\" turned two-factor sign-in on", found.username),
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

/// A new set of ten recovery codes for `user_id`, the old ones gone (inside the caller's
/// transaction); the codes are returned to be shown once and kept hashed.
async fn replace_recovery_codes(
    txn: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<String>, AppError> {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    for c in &codes {
        recovery_code::ActiveModel {
            user_id: Set(user_id),
            code_hash: Set(secrets::sha256_hex(c)),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(codes)
}

/// New recovery codes in place of the old ones (used up, lost, or seen by someone else), with a
/// current code from the app (or a recovery code) to show it is the user.
pub async fn regenerate_recovery_codes(
    db: &(impl ConnectionTrait + TransactionTrait),
    user_id: i64,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    let found = user_of(user::Entity::find_by_id(user_id).one(db).await?)?;
    if !found.totp_enabled {
        return Err(AppError::validation(
            "code",
            "Two-factor sign-in is off: set it up to get recovery codes.",
        ));
    }
    let txn = crate::services::begin_writing(db).await?;
    if !verify(&txn, &found, code, now).await? {
        return Err(AppError::validation("code", "That code is not right."));
    }
    let codes = replace_recovery_codes(&txn, user_id).await?;
    events::record_for_user(
        &txn,
        now,
        found.id,
        &found.username,
        EventKind::TwoFactorChanged,
        format!("User \"{}\" made new recovery codes", found.username),
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

/// Checks the second factor at sign-in: the current TOTP, or an unused recovery code (which is
/// then used up, once, even when two sign-ins race with it).
pub async fn verify(
    db: &impl ConnectionTrait,
    found: &user::Model,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let Some(secret) = found.totp_secret.as_deref().filter(|_| found.totp_enabled) else {
        return Ok(false);
    };
    if code_matches(secret, code, now) {
        return Ok(true);
    }
    let used = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
        .filter(recovery_code::Column::UserId.eq(found.id))
        .filter(recovery_code::Column::CodeHash.eq(secrets::sha256_hex(&normalize_recovery(code))))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(used.rows_affected == 1)
}

/// Recovery codes not used yet.
pub async fn codes_left(db: &impl ConnectionTrait, user_id: i64) -> Result<u64, AppError> {
    Ok(recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(db)
        .await?)
}

/// Turns two-factor sign-in off (a current code or a recovery code required).
pub async fn turn_off(
    db: &(impl ConnectionTrait + TransactionTrait),
    user_id: i64,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let found = user_of(user::Entity::find_by_id(user_id).one(db).await?)?;
    let txn = crate::services::begin_writing(db).await?;
    if !verify(&txn, &found, code, now).await? {
        return Err(AppError::validation("code", "That code is not right."));
    }
    user::Entity::update_many()
        .col_expr(user::Column::TotpEnabled, Expr::value(false))
        .col_expr(
            user::Column::TotpSecret,
            Expr::value(Option::<String>::None),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    events::record_for_user(
        &txn,
        now,
        found.id,
        &found.username,
        EventKind::TwoFactorChanged,
        format!("User \"{}\" turned two-factor sign-in off", found.username),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// RFC 6238's SHA-1 test secret ("12345678901234567890") and its vectors, 6 digits.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_follow_rfc_6238() {
        let at = |secs| Utc.timestamp_opt(secs, 0).unwrap();
        assert_eq!(code_at(RFC_SECRET, at(59)).unwrap(), "287082");
        assert_eq!(code_at(RFC_SECRET, at(1_111_111_109)).unwrap(), "081804");
        assert_eq!(code_at(RFC_SECRET, at(1_234_567_890)).unwrap(), "005924");
        assert!(code_matches(RFC_SECRET, "287082", at(59)));
        // One step of skew either way, not two.
        assert!(code_matches(RFC_SECRET, "287082", at(59 + 30)));
        assert!(!code_matches(RFC_SECRET, "287082", at(59 + 61)));
        assert!(!code_matches(RFC_SECRET, "28708", at(59)));
        assert!(!code_matches(RFC_SECRET, "abcdef", at(59)));
    }

    #[test]
    fn recovery_codes_are_distinct_and_readable() {
        let a = recovery_code();
        assert_eq!(a.len(), 11);
        assert_eq!(&a[5..6], "-");
        assert_ne!(a, recovery_code());
        assert_eq!(normalize_recovery(" ABCDE-FGHJK "), "abcde-fghjk");
    }
}
