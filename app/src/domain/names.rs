//! Names and descriptions that users type, parsed once into types that are valid by construction.

use serde::{Deserialize, Serialize};

use crate::domain::error::FieldError;

/// The most characters a virtual-account name may have.
pub const MAX_NAME_CHARS: usize = 64;
/// The most characters a description may have.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// Whether `c` is invisible or reorders the text around it: zero-width characters, bidirectional
/// marks, embeddings, overrides and isolates, the word joiner and the byte-order mark. Such a
/// character makes two names look alike or one name read backwards (U+202E), so names refuse them.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// The one rule of typed text: what is wrong with its hidden characters (control characters other
/// than `allowed`, invisible and bidirectional ones), said so that the user can fix it.
pub fn hidden_characters(text: &str, allowed: &[char]) -> Option<&'static str> {
    if text
        .chars()
        .any(|c| c.is_control() && !allowed.contains(&c))
    {
        return Some("Remove the control characters.");
    }
    if text.chars().any(is_hidden) {
        return Some("Remove the invisible or text-direction characters (such as U+200B or U+202E); they make names look like others.");
    }
    None
}

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
        if let Some(problem) = hidden_characters(name, &[]) {
            return Err(FieldError::new(field, problem));
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
        if let Some(problem) = hidden_characters(text, &['\n', '\t']) {
            return Err(FieldError::new(field, problem));
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
            return Err(FieldError::new("username", "Enter a username."));
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

    #[test]
    fn names_refuse_invisible_and_direction_characters() {
        for raw in [
            "\u{200B}",
            "\u{200B}\u{200B}",
            "abc\u{202E}cod.exe",
            "East\u{2066}",
            "\u{FEFF}Lab",
        ] {
            let err = PoolName::parse("name", raw).unwrap_err();
            assert_eq!(err.field, "name", "{raw:?}");
            assert!(
                err.message.contains("invisible"),
                "{raw:?}: {}",
                err.message
            );
            assert!(Description::parse("description", raw).is_err(), "{raw:?}");
            assert!(Username::parse(raw).is_err(), "{raw:?}");
        }
        assert!(PoolName::parse("name", "Zürich – Core 2").is_ok());
        assert!(Description::parse("description", "two\nlines\tand a tab").is_ok());
    }

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
