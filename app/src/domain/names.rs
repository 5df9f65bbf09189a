//! Names and descriptions that users type, parsed once into types that are valid by construction.

use serde::{Deserialize, Serialize};

use crate::domain::error::FieldError;

/// The most characters a virtual-account name may have.
pub const MAX_NAME_CHARS: usize = 64;
/// The most characters a description may have.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// A virtual-account name: trimmed, 1 to 64 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolName(String);

impl PoolName {
    /// Parses what the user typed into the field `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::new(field, "Enter a name."));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(FieldError::new(
                field,
                format!("Use at most {MAX_NAME_CHARS} characters."),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(FieldError::new(field, "Remove the control characters."));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A free-text description: trimmed, at most 500 characters, may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Description(String);

impl Description {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let text = raw.trim();
        if text.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(FieldError::new(
                field,
                format!("Use at most {MAX_DESCRIPTION_CHARS} characters."),
            ));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(FieldError::new(field, "Remove the control characters."));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An entitlement tag of the catalogue: 1 to 64 characters of A–Z, 0–9, `-`, `_` or `.`, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LicenseTag(String);

impl LicenseTag {
    /// Parses what the operator typed (any case) into the field `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let tag = raw.trim().to_uppercase();
        if tag.is_empty()
            || tag.len() > 64
            || !tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(FieldError::new(
                field,
                "Use 1 to 64 characters: A-Z, 0-9, '-', '_' or '.'.",
            ));
        }
        Ok(Self(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A username: 1 to 64 characters of letters, digits, `.`, `_`, `-` or `@`; compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::new("username", "Enter your username."));
        }
        if name.chars().count() > 64
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        {
            return Err(FieldError::new(
                "username",
                "Use up to 64 letters, digits, '.', '_', '-' or '@'.",
            ));
        }
        Ok(Self(name.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(err: FieldError) -> String {
        err.field
    }

    #[test]
    fn pool_names_are_trimmed_and_bounded() {
        assert_eq!(
            PoolName::parse("name", "  East  ").unwrap().as_str(),
            "East"
        );
        assert_eq!(
            field_of(PoolName::parse("name", "   ").unwrap_err()),
            "name"
        );
        assert!(PoolName::parse("name", &"x".repeat(64)).is_ok());
        assert!(PoolName::parse("name", &"x".repeat(65)).is_err());
        assert!(PoolName::parse("name", "a\u{7}b").is_err());
        // Characters, not bytes, count.
        assert!(PoolName::parse("name", &"é".repeat(64)).is_ok());
    }

    #[test]
    fn descriptions_may_be_empty_but_not_huge() {
        assert_eq!(Description::parse("description", "").unwrap().as_str(), "");
        assert!(Description::parse("description", "line one\nline two").is_ok());
        assert_eq!(
            field_of(Description::parse("description", &"d".repeat(501)).unwrap_err()),
            "description"
        );
    }

    #[test]
    fn tags_are_upper_cased_and_restricted() {
        assert_eq!(
            LicenseTag::parse("tag", " a9k-100g-lic ").unwrap().as_str(),
            "A9K-100G-LIC"
        );
        assert_eq!(
            field_of(LicenseTag::parse("tag", "a b").unwrap_err()),
            "tag"
        );
        assert!(LicenseTag::parse("tag", "").is_err());
        assert!(LicenseTag::parse("tag", &"A".repeat(65)).is_err());
    }

    #[test]
    fn usernames_fold_case_and_refuse_odd_characters() {
        assert_eq!(Username::parse(" Alice ").unwrap().as_str(), "alice");
        assert!(Username::parse("a b").is_err());
        assert!(Username::parse("").is_err());
        assert!(Username::parse("ops@acme.example").is_ok());
    }
}
