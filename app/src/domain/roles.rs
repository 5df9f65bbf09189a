//! Who may do what. One decision function serves every server function and API call.

use serde::{Deserialize, Serialize};

/// A user's role in one smart account. Its stable name (`as_str`) is its value in the database
/// (`memberships.role`) and on the operator's command line (`--role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter, clap::ValueEnum)
)]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum Role {
    /// Everything in the smart account, users included.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "account-admin"))]
    AccountAdmin,
    /// Every virtual account, no user management.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "account-user"))]
    AccountUser,
    /// Only the virtual accounts they are given, with changes.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "pool-admin"))]
    PoolAdmin,
    /// Only the virtual accounts they are given, read only.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "pool-viewer"))]
    PoolViewer,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::AccountAdmin,
        Role::AccountUser,
        Role::PoolAdmin,
        Role::PoolViewer,
    ];

    /// The stable name stored in the database and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::AccountAdmin => "account-admin",
            Role::AccountUser => "account-user",
            Role::PoolAdmin => "pool-admin",
            Role::PoolViewer => "pool-viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::AccountAdmin => "Account admin",
            Role::AccountUser => "Account user",
            Role::PoolAdmin => "Pool admin",
            Role::PoolViewer => "Pool viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Account-wide roles see every virtual account of the smart account.
    pub fn is_account_wide(self) -> bool {
        matches!(self, Role::AccountAdmin | Role::AccountUser)
    }
}

/// The signed-in user as the rules see them: a role in one smart account and, for pool roles, the
/// virtual accounts they were given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub smart_account_id: i64,
    pub role: Role,
    /// Virtual accounts given to a pool admin or viewer; ignored for account-wide roles.
    pub pools: Vec<i64>,
}

/// What an actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read a virtual account and everything in it.
    ViewPool(i64),
    /// Change what a virtual account holds: tokens, transfers, instances, its description.
    ChangePool(i64),
    /// Create, delete or make default a virtual account; read account-wide history.
    ManagePools,
    /// Add users and set roles.
    ManageUsers,
}

/// The outcome of a decision. `NotFound` hides what the actor may not even see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Forbidden,
    NotFound,
}

impl Actor {
    /// Whether the actor can see the virtual account at all.
    pub fn sees_pool(&self, pool: i64) -> bool {
        self.role.is_account_wide() || self.pools.contains(&pool)
    }

    /// Decides an action. Callers have already scoped ids to the actor's smart account: an id of
    /// another smart account never reaches here (it is not found by the query).
    pub fn decide(&self, action: Action) -> Decision {
        match action {
            Action::ViewPool(pool) if self.sees_pool(pool) => Decision::Allow,
            Action::ViewPool(_) => Decision::NotFound,
            Action::ChangePool(pool) if !self.sees_pool(pool) => Decision::NotFound,
            Action::ChangePool(_) => match self.role {
                Role::PoolViewer => Decision::Forbidden,
                _ => Decision::Allow,
            },
            Action::ManagePools if self.role.is_account_wide() => Decision::Allow,
            Action::ManagePools => Decision::Forbidden,
            Action::ManageUsers if self.role == Role::AccountAdmin => Decision::Allow,
            Action::ManageUsers => Decision::Forbidden,
        }
    }

    /// Whether the actor may change anything in the pool (drives which buttons a page shows).
    pub fn can_change(&self, pool: i64) -> bool {
        self.decide(Action::ChangePool(pool)) == Decision::Allow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, pools: &[i64]) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            smart_account_id: 10,
            role,
            pools: pools.to_vec(),
        }
    }

    #[test]
    fn account_admin_may_do_everything() {
        let a = actor(Role::AccountAdmin, &[]);
        for action in [
            Action::ViewPool(5),
            Action::ChangePool(5),
            Action::ManagePools,
            Action::ManageUsers,
        ] {
            assert_eq!(a.decide(action), Decision::Allow, "{action:?}");
        }
    }

    #[test]
    fn account_user_manages_pools_but_not_users() {
        let a = actor(Role::AccountUser, &[]);
        assert_eq!(a.decide(Action::ChangePool(5)), Decision::Allow);
        assert_eq!(a.decide(Action::ManagePools), Decision::Allow);
        assert_eq!(a.decide(Action::ManageUsers), Decision::Forbidden);
    }

    #[test]
    fn pool_admin_changes_only_given_pools_and_never_sees_others() {
        let a = actor(Role::PoolAdmin, &[5]);
        assert_eq!(a.decide(Action::ChangePool(5)), Decision::Allow);
        assert_eq!(a.decide(Action::ViewPool(6)), Decision::NotFound);
        assert_eq!(a.decide(Action::ChangePool(6)), Decision::NotFound);
        assert_eq!(a.decide(Action::ManagePools), Decision::Forbidden);
        assert_eq!(a.decide(Action::ManageUsers), Decision::Forbidden);
    }

    #[test]
    fn pool_viewer_reads_given_pools_and_changes_nothing() {
        let a = actor(Role::PoolViewer, &[5]);
        assert_eq!(a.decide(Action::ViewPool(5)), Decision::Allow);
        assert_eq!(a.decide(Action::ChangePool(5)), Decision::Forbidden);
        assert_eq!(a.decide(Action::ViewPool(7)), Decision::NotFound);
        assert!(!a.can_change(5));
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
