//! Registration tokens: their state, and what the New Token form and the operator's command line give,
//! parsed once into types that are valid by construction.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::error::FieldError;
use crate::domain::names::Description;

/// The longest token the portal accepts from a device (its own are 47 characters).
pub const MAX_TOKEN_CHARS: usize = 256;

/// A token's state, in the order the checks apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
    Exhausted,
}

impl TokenState {
    pub const ALL: [TokenState; 4] = [
        TokenState::Active,
        TokenState::Expired,
        TokenState::Revoked,
        TokenState::Exhausted,
    ];

    /// A token is revoked (whatever else), else expired, else exhausted, else active.
    ///
    /// The reports filter by this rule in SQL too (`sql::token_state`); a property test checks that the
    /// two agree.
    pub fn of(
        expires_at: DateTime<Utc>,
        revoked: bool,
        uses: i32,
        max_uses: Option<i32>,
        now: DateTime<Utc>,
    ) -> TokenState {
        if revoked {
            TokenState::Revoked
        } else if now >= expires_at {
            TokenState::Expired
        } else if max_uses.is_some_and(|max| uses >= max) {
            TokenState::Exhausted
        } else {
            TokenState::Active
        }
    }

    /// The stable name (report filters, exports' status values).
    pub fn code(self) -> &'static str {
        match self {
            TokenState::Active => "active",
            TokenState::Expired => "expired",
            TokenState::Revoked => "revoked",
            TokenState::Exhausted => "exhausted",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenState::Active => "Active",
            TokenState::Expired => "Expired",
            TokenState::Revoked => "Revoked",
            TokenState::Exhausted => "Exhausted",
        }
    }
}

/// "Expire After": 1 to 365 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct ExpireDays(i64);

impl ExpireDays {
    pub const MAX: i64 = 365;

    pub fn days(self) -> i64 {
        self.0
    }

    /// What the form's field holds.
    pub fn parse(raw: &str) -> Result<ExpireDays, FieldError> {
        raw.trim()
            .parse::<i64>()
            .ok()
            .and_then(|d| ExpireDays::try_from(d).ok())
            .ok_or_else(ExpireDays::error)
    }

    fn error() -> FieldError {
        FieldError::new("expire_days", "Enter a whole number of days from 1 to 365.")
    }
}

impl TryFrom<i64> for ExpireDays {
    type Error = FieldError;

    fn try_from(days: i64) -> Result<ExpireDays, FieldError> {
        if (1..=ExpireDays::MAX).contains(&days) {
            Ok(ExpireDays(days))
        } else {
            Err(ExpireDays::error())
        }
    }
}

impl From<ExpireDays> for i64 {
    fn from(d: ExpireDays) -> i64 {
        d.0
    }
}

/// "Max. Number of Uses": 1 to 1,000,000; no limit is `None`, never a `MaxUses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct MaxUses(i32);

impl MaxUses {
    pub const MAX: i32 = 1_000_000;

    pub fn get(self) -> i32 {
        self.0
    }

    /// What the form's field holds: blank is unlimited.
    pub fn parse_optional(raw: &str) -> Result<Option<MaxUses>, FieldError> {
        match raw.trim() {
            "" => Ok(None),
            raw => raw
                .parse::<i32>()
                .ok()
                .and_then(|n| MaxUses::try_from(n).ok())
                .map(Some)
                .ok_or_else(MaxUses::error),
        }
    }

    fn error() -> FieldError {
        FieldError::new(
            "max_uses",
            "Leave blank for unlimited, or enter 1 to 1,000,000.",
        )
    }
}

impl TryFrom<i32> for MaxUses {
    type Error = FieldError;

    fn try_from(n: i32) -> Result<MaxUses, FieldError> {
        if (1..=MaxUses::MAX).contains(&n) {
            Ok(MaxUses(n))
        } else {
            Err(MaxUses::error())
        }
    }
}

impl From<MaxUses> for i32 {
    fn from(m: MaxUses) -> i32 {
        m.0
    }
}

/// A registration token as a device sends it: 1 to 256 characters, no control characters. Whether it
/// exists is the database's to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    pub fn parse(field: &str, raw: &str) -> Result<TokenSecret, FieldError> {
        let n = raw.chars().count();
        if n == 0 || n > MAX_TOKEN_CHARS {
            return Err(FieldError::new(
                field,
                format!("{field} must be 1 to {MAX_TOKEN_CHARS} characters"),
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(FieldError::new(
                field,
                format!("{field} must not contain control characters"),
            ));
        }
        Ok(TokenSecret(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new token as the form (or the command line) asks for it, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub description: Description,
    pub expire_days: ExpireDays,
    pub max_uses: Option<MaxUses>,
    pub allow_export_controlled: bool,
}

/// What the New Token form sends, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewTokenForm {
    pub description: String,
    pub expire_days: String,
    /// Blank is unlimited.
    pub max_uses: String,
    /// A checkbox: present when ticked.
    pub allow_export_controlled: Option<String>,
}

impl TryFrom<NewTokenForm> for NewToken {
    type Error = FieldError;

    /// The fields in the form's order; the first wrong one is named.
    fn try_from(form: NewTokenForm) -> Result<NewToken, FieldError> {
        Ok(NewToken {
            description: Description::parse("description", &form.description)?,
            expire_days: ExpireDays::parse(&form.expire_days)?,
            max_uses: MaxUses::parse_optional(&form.max_uses)?,
            allow_export_controlled: form.allow_export_controlled.is_some(),
        })
    }
}

/// A token for people who may not use it: the first 8 and the last 4 characters.
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

/// The SQL of `TokenState::of`, for filters over the `tokens` table.
#[cfg(feature = "ssr")]
pub mod sql {
    use chrono::{DateTime, Utc};
    use sea_orm::sea_query::{Expr, ExprTrait};
    use sea_orm::{ColumnTrait, Condition};

    use super::TokenState;
    use crate::entities::token::Column;

    /// The tokens that are in `state` at `now`.
    pub fn token_state(state: TokenState, now: DateTime<Utc>) -> Condition {
        let live = || {
            Condition::all()
                .add(Column::RevokedAt.is_null())
                .add(Column::ExpiresAt.gt(now))
        };
        let used_up = || {
            Condition::all()
                .add(Column::MaxUses.is_not_null())
                .add(Expr::col(Column::Uses).gte(Expr::col(Column::MaxUses)))
        };
        match state {
            TokenState::Revoked => Condition::all().add(Column::RevokedAt.is_not_null()),
            TokenState::Expired => Condition::all()
                .add(Column::RevokedAt.is_null())
                .add(Column::ExpiresAt.lte(now)),
            TokenState::Exhausted => live().add(used_up()),
            TokenState::Active => live().add(used_up().not()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn token_state_checks_revocation_then_expiry_then_uses() {
        assert_eq!(
            TokenState::of(t(100), false, 0, None, t(0)),
            TokenState::Active
        );
        assert_eq!(
            TokenState::of(t(100), false, 0, None, t(100)),
            TokenState::Expired
        );
        assert_eq!(
            TokenState::of(t(100), true, 9, Some(1), t(200)),
            TokenState::Revoked
        );
        assert_eq!(
            TokenState::of(t(100), false, 2, Some(2), t(0)),
            TokenState::Exhausted
        );
        assert_eq!(
            TokenState::of(t(100), false, 1, Some(2), t(0)),
            TokenState::Active
        );
    }

    fn form(days: &str, max: &str) -> NewTokenForm {
        NewTokenForm {
            description: "d".into(),
            expire_days: days.into(),
            max_uses: max.into(),
            allow_export_controlled: Some("on".into()),
        }
    }

    #[test]
    fn the_form_is_parsed_with_named_fields() {
        let ok = NewToken::try_from(form("30", "")).unwrap();
        assert_eq!((ok.expire_days.days(), ok.max_uses), (30, None));
        assert!(ok.allow_export_controlled);
        let limited = NewToken::try_from(form("365", "50")).unwrap();
        assert_eq!(limited.max_uses.map(MaxUses::get), Some(50));
        for bad in ["0", "366", "x", "", "1.5"] {
            assert_eq!(
                NewToken::try_from(form(bad, "")).unwrap_err().field,
                "expire_days",
                "{bad}"
            );
        }
        for bad in ["0", "-1", "1.5", "many", "1000001"] {
            assert_eq!(
                NewToken::try_from(form("30", bad)).unwrap_err().field,
                "max_uses",
                "{bad}"
            );
        }
        let mut long = form("30", "");
        long.description = "d".repeat(501);
        assert_eq!(NewToken::try_from(long).unwrap_err().field, "description");
    }

    #[test]
    fn secrets_are_bounded_and_printable() {
        assert!(TokenSecret::parse("id_token", "idt_abc").is_ok());
        assert_eq!(
            TokenSecret::parse("id_token", "").unwrap_err().field,
            "id_token"
        );
        assert!(TokenSecret::parse("id_token", &"x".repeat(257)).is_err());
        assert!(TokenSecret::parse("id_token", "a\nb").is_err());
    }

    #[test]
    fn shortening_keeps_both_ends() {
        assert_eq!(shorten("idt_ABCDEFGHIJKLMNOP"), "idt_ABCD…MNOP");
        assert_eq!(shorten("short"), "short");
    }
}
