//! The rules of managing users: a user's state in a smart account, and the last active account
//! admin, who can be neither disabled, demoted nor removed.

use serde::{Deserialize, Serialize};

use super::error::Refusal;
use super::roles::Role;

/// How long a one-time sign-in link (invitation or password reset) stays valid.
pub const SIGN_IN_LINK_HOURS: i64 = 72;

/// A user's state in one smart account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserState {
    /// Has a password and may sign in.
    Active,
    /// An account admin disabled them: sign-in refused, sessions ended.
    Disabled,
    /// Added, but has not set a password on their sign-in link yet.
    Invited,
}

impl UserState {
    pub fn of(disabled: bool, has_password: bool) -> UserState {
        match (disabled, has_password) {
            (true, _) => UserState::Disabled,
            (false, true) => UserState::Active,
            (false, false) => UserState::Invited,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UserState::Active => "Active",
            UserState::Disabled => "Disabled",
            UserState::Invited => "Invited",
        }
    }
}

/// A member as the last-admin rule sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub role: Role,
    pub disabled: bool,
}

impl Member {
    /// An account admin who is not disabled (an invited admin counts: they hold the role and can
    /// take it up with their link).
    pub fn is_active_admin(self) -> bool {
        self.role == Role::AccountAdmin && !self.disabled
    }
}

/// What a change makes of a member: `None` removes them.
pub fn check_last_admin(
    active_admins: usize,
    before: Member,
    after: Option<Member>,
) -> Result<(), Refusal> {
    let loses_one = before.is_active_admin() && !after.is_some_and(Member::is_active_admin);
    if loses_one && active_admins <= 1 {
        Err(Refusal::LastAccountAdmin)
    } else {
        Ok(())
    }
}

/// Pool roles need at least one virtual account; account-wide roles take none.
pub fn check_role_pools(role: Role, pools: &[i64]) -> Result<(), super::error::FieldError> {
    use super::error::FieldError;
    if role.is_account_wide() && !pools.is_empty() {
        return Err(FieldError::new(
            "pools",
            format!(
                "{} sees every virtual account; give no virtual accounts.",
                role.label()
            ),
        ));
    }
    if !role.is_account_wide() && pools.is_empty() {
        return Err(FieldError::new(
            "pools",
            format!(
                "A {} needs at least one virtual account.",
                role.label().to_lowercase()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ADMIN: Member = Member {
        role: Role::AccountAdmin,
        disabled: false,
    };

    fn role() -> impl Strategy<Value = Role> {
        proptest::sample::select(Role::ALL.to_vec())
    }

    #[test]
    fn the_last_admin_stays() {
        let demoted = Member {
            role: Role::AccountUser,
            disabled: false,
        };
        let disabled = Member {
            disabled: true,
            ..ADMIN
        };
        for after in [Some(demoted), Some(disabled), None] {
            assert_eq!(
                check_last_admin(1, ADMIN, after),
                Err(Refusal::LastAccountAdmin)
            );
            assert_eq!(check_last_admin(2, ADMIN, after), Ok(()));
        }
        assert_eq!(check_last_admin(1, ADMIN, Some(ADMIN)), Ok(()));
    }

    proptest! {
        /// Whatever the change, the rule refuses exactly when it would leave no active admin.
        #[test]
        fn refuses_exactly_when_no_active_admin_would_remain(
            admins in 0usize..4, before_role in role(), before_disabled: bool,
            after in proptest::option::of((role(), any::<bool>())),
        ) {
            let before = Member { role: before_role, disabled: before_disabled };
            let after = after.map(|(role, disabled)| Member { role, disabled });
            // `admins` counts the other active admins; the target adds one when it is one.
            let total = admins + usize::from(before.is_active_admin());
            let remaining = admins + usize::from(after.is_some_and(Member::is_active_admin));
            let refused = check_last_admin(total, before, after).is_err();
            prop_assert_eq!(refused, remaining == 0 && total > 0 && before.is_active_admin());
        }
    }

    #[test]
    fn states_and_pool_rules() {
        assert_eq!(UserState::of(true, false), UserState::Disabled);
        assert_eq!(UserState::of(false, false), UserState::Invited);
        assert_eq!(UserState::of(false, true), UserState::Active);
        assert!(check_role_pools(Role::PoolViewer, &[]).is_err());
        assert!(check_role_pools(Role::PoolViewer, &[3]).is_ok());
        assert!(check_role_pools(Role::AccountUser, &[3]).is_err());
        assert!(check_role_pools(Role::AccountAdmin, &[]).is_ok());
    }
}
