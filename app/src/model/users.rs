//! The Users page, sign-in links, sessions and two-factor sign-in, as the pages and server functions
//! exchange them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::roles::Role;
use crate::domain::users::UserState;

/// A row of the Users page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub role: Role,
    /// The virtual accounts a pool role is given (ids and names), by name.
    pub pools: Vec<(i64, String)>,
    pub state: UserState,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub two_factor: bool,
    /// The signed-in admin's own row.
    pub is_you: bool,
}

/// One page of the Users list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPage {
    pub rows: Vec<UserRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

/// A sort column of the Users page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserSort {
    #[default]
    Username,
    Role,
    LastSignIn,
}

impl std::str::FromStr for UserSort {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "username" => Ok(UserSort::Username),
            "role" => Ok(UserSort::Role),
            "last_sign_in" => Ok(UserSort::LastSignIn),
            _ => Err(()),
        }
    }
}

impl UserSort {
    pub fn as_str(self) -> &'static str {
        match self {
            UserSort::Username => "username",
            UserSort::Role => "role",
            UserSort::LastSignIn => "last_sign_in",
        }
    }
}

/// What the Users list asks for (`users/list`).
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default, deserialize_with = "super::lenient")]
    pub sort: UserSort,
    #[serde(default, deserialize_with = "super::lenient")]
    pub dir: super::SortDir,
    #[serde(default)]
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub page: u64,
}

/// The Add User and Edit forms: username (add only), role, virtual accounts for pool roles.
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    #[serde_as(as = "Option<serde_with::DisplayFromStr>")]
    pub id: Option<i64>,
    #[serde(default)]
    pub username: String,
    pub role: String,
    /// Checkboxes named `pools[]`.
    #[serde(default)]
    #[serde_as(as = "Vec<serde_with::DisplayFromStr>")]
    pub pools: Vec<i64>,
}

/// A user id, for the row buttons.
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserIdForm {
    #[serde_as(as = "serde_with::DisplayFromStr")]
    pub id: i64,
}

/// A one-time sign-in link, shown once to the admin who made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedLink {
    pub username: String,
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// What the page of a sign-in link shows before the password is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkInfo {
    pub username: String,
    pub expires_at: DateTime<Utc>,
}

/// Setting a password on a sign-in link.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SetPasswordForm {
    pub link: String,
    pub new_password: String,
    pub confirm_password: String,
}

/// Changing one's own password.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangePasswordForm {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

/// A session of the signed-in user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    pub id: String,
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub address: String,
    pub browser: String,
    pub current: bool,
}

/// A session id, for "Revoke".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SessionIdForm {
    pub id: String,
}

/// The Account page: the user, their two-factor state, their sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub username: String,
    pub two_factor: bool,
    /// Whether the smart account requires two-factor sign-in (and the user may change that).
    pub account_requires_two_factor: bool,
    pub may_require_two_factor: bool,
    pub recovery_codes_left: u64,
    pub sessions: Vec<SessionRow>,
}

/// Two-factor enrolment, started: the secret as text and as a QR code (an SVG data URL).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    pub secret: String,
    pub otpauth_url: String,
    pub qr_svg_data_url: String,
}

/// A code typed by the user (enrolment, sign-in, turning two-factor off).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CodeForm {
    pub code: String,
}

/// A smart account the user belongs to, for choosing and switching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRef {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// Account-wide two-factor requirement.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RequireTwoFactorForm {
    #[serde(default)]
    pub require: Option<String>,
}
