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

/// The shortest password the portal accepts for a new user (ASVS 2.1.1).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password the portal hashes, in bytes; a longer sign-in attempt is refused unhashed.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The 10,000 most common passwords (source named in the file), lower case, one a line.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

fn is_common(password: &str) -> bool {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    let set = SET.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    });
    set.contains(password.trim().to_lowercase().as_str())
}

/// Password hashing with a bounded number of hashes at once (argon2id takes about 19 MiB and a core
/// each): sign-in attempts beyond that wait their turn instead of exhausting memory. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Hasher {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Hasher {
    /// A hasher running at most `at_once` hashes (at least one).
    pub fn new(at_once: usize) -> Hasher {
        Hasher {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(at_once.max(1))),
        }
    }

    /// One hash at a time per core of this machine.
    pub fn per_core() -> Hasher {
        Hasher::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// Hashes a password (argon2id, PHC string) on the blocking pool.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::Internal)?;
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

    /// Whether `password` matches `hash`; with no hash (unknown user) it costs as long and is false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::Internal)?;
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
}

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

/// The least strength estimate (zxcvbn's 0–4 score) a new password needs: 3, "safely unguessable"
/// (about 10^8 guesses and more) against an attacker who knows the username.
pub const MIN_STRENGTH: u8 = 3;

/// Checks a new password for `username`: 12 characters or more, at most 1,024 bytes, not one of the
/// common passwords, not the username, and hard to guess by zxcvbn's estimate (what is wrong and how
/// to do better are in the message). The message names the field.
pub fn check_new_password(password: &str, username: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::validation(
            "password",
            format!("Use at least {MIN_PASSWORD_CHARS} characters."),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::validation(
            "password",
            format!("Use at most {MAX_PASSWORD_BYTES} bytes."),
        ));
    }
    if is_common(password) {
        return Err(AppError::validation(
            "password",
            "This is one of the most common passwords; choose another.",
        ));
    }
    if password.trim().eq_ignore_ascii_case(username.trim()) {
        return Err(AppError::validation(
            "password",
            "The password must not be the username.",
        ));
    }
    let estimate = zxcvbn::zxcvbn(password, &[username.trim()]);
    if u8::from(estimate.score()) < MIN_STRENGTH {
        let feedback = estimate.feedback();
        let why = feedback
            .and_then(|f| f.warning())
            .map(|w| w.to_string())
            .unwrap_or_else(|| "This password would be guessed quickly.".to_owned());
        let how = feedback
            .map(|f| {
                f.suggestions()
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Use a few uncommon words.".to_owned());
        return Err(AppError::validation(
            "password",
            format!("Too easy to guess: {why} {how}"),
        ));
    }
    Ok(())
}

/// Hashes a password with a hasher of its own (the operator's command line: one hash at a time).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    Hasher::new(1).hash(password).await
}

/// Signs in: returns the user's id, or `BadCredentials`, or `Throttled` (decided before any hashing).
pub async fn sign_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    hasher: &Hasher,
    username: &str,
    password: &str,
    client_addr: &str,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let username = Username::parse(username)?;
    if password.is_empty() {
        return Err(AppError::validation("password", "Enter your password."));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        // Refused before the throttle and the hash: no cost to the portal, no count against anyone.
        return Err(AppError::validation(
            "password",
            format!("Passwords are at most {MAX_PASSWORD_BYTES} bytes."),
        ));
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
    if hasher.verify(password.to_owned(), hash).await? {
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

    fn refusal(password: &str, username: &str) -> Option<String> {
        match check_new_password(password, username) {
            Ok(()) => None,
            Err(AppError::Validation { field, message }) => {
                assert_eq!(field, "password");
                Some(message)
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn new_passwords_need_twelve_characters() {
        assert_eq!(
            refusal("eleven chrs", "alice").as_deref(),
            Some("Use at least 12 characters.")
        );
        assert_eq!(refusal("twelve chars", "alice"), None);
        // Characters, not bytes: twelve accented letters are enough.
        assert_eq!(refusal("ñandú çœur ø", "alice"), None);
        assert!(refusal(&"x".repeat(1025), "alice").is_some());
    }

    #[test]
    fn common_passwords_and_the_username_are_refused() {
        assert!(refusal("1q2w3e4r5t6y", "alice").unwrap().contains("common"));
        assert!(refusal("alice.example", "Alice.Example")
            .unwrap()
            .contains("username"));
        assert!(refusal("correct horse battery", "alice").is_none());
        // The list is the shipped one, not an empty set.
        assert!(
            COMMON_PASSWORDS
                .lines()
                .filter(|l| !l.starts_with('#'))
                .count()
                >= 10_000
        );
    }

    #[test]
    fn easily_guessed_passwords_are_refused_with_a_reason_and_a_way_out() {
        for weak in [
            "password1234",
            "aaaaaaaaaaaa",
            "éééééééééééé",
            "qwertyuiop12",
        ] {
            let message = refusal(weak, "alice").unwrap_or_else(|| panic!("{weak} accepted"));
            assert!(
                message.starts_with("Too easy to guess") || message.contains("common"),
                "{weak}: {message}"
            );
        }
        let message = refusal("aaaaaaaaaaaa", "alice").unwrap();
        assert!(message.contains("Repeats"), "{message}");
        // The username counts as known to the attacker.
        assert!(refusal("alicealice2026", "alice").is_some());
        for strong in ["correct horse battery", "lumpy zebra7", "demo-portal-2026"] {
            assert_eq!(refusal(strong, "alice"), None, "{strong}");
        }
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let hasher = Hasher::new(2);
        let hash = hasher.hash("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher
            .verify("correct horse".into(), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!hasher.verify("wrong".into(), Some(hash)).await.unwrap());
        assert!(!hasher.verify("anything".into(), None).await.unwrap());
    }
}
