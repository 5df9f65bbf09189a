//! Status badges: every status, state, mark and severity the portal shows is an enum with a label;
//! `Badge` gives each its tone, and `badge` draws it. Pages never pick a colour from a label.

use leptos::prelude::*;

use crate::domain::alerts::Severity;
use crate::domain::api_keys::KeyState;
use crate::domain::licenses::{LicenseAlert, LotState};
use crate::domain::satellites::SatelliteState;
use crate::domain::tokens::TokenState;
use crate::domain::users::UserState;
use crate::protocol::{EntitlementStatus, InstanceStatus};

/// A badge's colour, as the stylesheet names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Success,
    Warning,
    Danger,
    Info,
    Neutral,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Success => "badge badge-success",
            Tone::Warning => "badge badge-warning",
            Tone::Danger => "badge badge-danger",
            Tone::Info => "badge badge-info",
            Tone::Neutral => "badge badge-neutral",
        }
    }
}

/// What a badge shows: the value's label in its tone.
pub trait Badge {
    fn text(&self) -> String;
    fn tone(&self) -> Tone;
}

impl Badge for InstanceStatus {
    fn text(&self) -> String {
        self.label().to_owned()
    }

    fn tone(&self) -> Tone {
        match self {
            InstanceStatus::Authorized => Tone::Success,
            InstanceStatus::OutOfCompliance | InstanceStatus::FailedToConnect => Tone::Danger,
            InstanceStatus::AuthorizationExpired => Tone::Warning,
        }
    }
}

impl Badge for EntitlementStatus {
    fn text(&self) -> String {
        self.label().to_owned()
    }

    fn tone(&self) -> Tone {
        match self {
            EntitlementStatus::Authorized => Tone::Success,
            EntitlementStatus::OutOfCompliance => Tone::Danger,
        }
    }
}

impl Badge for SatelliteState {
    fn text(&self) -> String {
        self.label().to_owned()
    }

    fn tone(&self) -> Tone {
        match self {
            SatelliteState::Registered => Tone::Info,
            SatelliteState::Synchronized => Tone::Success,
            SatelliteState::Due => Tone::Warning,
            SatelliteState::OutOfSync => Tone::Danger,
        }
    }
}

impl Badge for KeyState {
    fn text(&self) -> String {
        self.label().to_owned()
    }

    fn tone(&self) -> Tone {
        match self {
            KeyState::Active => Tone::Success,
            KeyState::Expired => Tone::Warning,
            KeyState::Revoked => Tone::Danger,
        }
    }
}

impl Badge for TokenState {
    fn text(&self) -> String {
        self.label().to_owned()
    }

    fn tone(&self) -> Tone {
        match self {
            TokenState::Active => Tone::Success,
            TokenState::Expired => Tone::Warning,
            TokenState::Revoked => Tone::Danger,
            TokenState::Exhausted => Tone::Neutral,
        }
    }
}

impl Badge for LotState {
    fn text(&self) -> String {
        self.label().to_owned()
    }

    fn tone(&self) -> Tone {
        match self {
            LotState::Active => Tone::Success,
            LotState::NotStarted => Tone::Info,
            LotState::Expired => Tone::Danger,
        }
    }
}

impl Badge for LicenseAlert {
    fn text(&self) -> String {
        self.label()
    }

    fn tone(&self) -> Tone {
        match self {
            LicenseAlert::Insufficient { .. } | LicenseAlert::Expired => Tone::Danger,
            LicenseAlert::Expiring { .. } => Tone::Warning,
        }
    }
}

impl Badge for Severity {
    fn text(&self) -> String {
        self.label().to_owned()
    }

    fn tone(&self) -> Tone {
        match self {
            Severity::Major => Tone::Danger,
            Severity::Minor => Tone::Warning,
            Severity::Informational => Tone::Info,
        }
    }
}

/// The badge of `value`.
impl Badge for UserState {
    fn text(&self) -> String {
        self.label().to_owned()
    }

    fn tone(&self) -> Tone {
        match self {
            UserState::Active => Tone::Success,
            UserState::Disabled => Tone::Danger,
            UserState::Invited => Tone::Info,
        }
    }
}

pub fn badge(value: impl Badge) -> impl IntoView {
    view! { <span class=value.tone().class()>{value.text()}</span> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_have_their_colours() {
        assert_eq!(InstanceStatus::Authorized.tone(), Tone::Success);
        assert_eq!(InstanceStatus::AuthorizationExpired.tone(), Tone::Warning);
        assert_eq!(
            InstanceStatus::OutOfCompliance.tone().class(),
            "badge badge-danger"
        );
        assert_eq!(TokenState::Revoked.tone(), Tone::Danger);
        assert_eq!(LotState::NotStarted.tone(), Tone::Info);
        assert_eq!(
            LicenseAlert::Expiring { days: 3 }.text(),
            "Expiring in 3 days"
        );
    }
}
