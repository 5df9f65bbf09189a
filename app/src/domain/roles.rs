//! Who may do what. One decision function serves every server function and API call.

use serde::{Deserialize, Serialize};

use crate::domain::api_keys::KeyLimits;

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
/// virtual accounts they were given; when an API key acts for the user, what the key narrows them to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub smart_account_id: i64,
    pub role: Role,
    /// Virtual accounts given to a pool admin or viewer; ignored for account-wide roles.
    pub pools: Vec<i64>,
    /// The API key acting for the user (`None`: the user in the browser).
    #[serde(default)]
    pub key: Option<KeyLimits>,
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
    /// Register satellites and take their sync files (account admins, in the browser).
    ManageSatellites,
}

/// The outcome of a decision. `NotFound` hides what the actor may not even see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Forbidden,
    NotFound,
}

impl Actor {
    /// The same user acting through an API key: never more than the user, narrowed by the key.
    pub fn narrowed(self, limits: KeyLimits) -> Actor {
        Actor {
            key: Some(limits),
            ..self
        }
    }

    /// Who did it, as events name them: `alice`, or `alice (API key "ci")`.
    pub fn who(&self) -> String {
        match &self.key {
            None => self.username.clone(),
            Some(key) => format!("{} (API key \"{}\")", self.username, key.name),
        }
    }

    fn read_only(&self) -> bool {
        self.role == Role::PoolViewer || self.key.as_ref().is_some_and(|k| k.read_only)
    }

    /// Whether the actor sees every virtual account of the smart account (an account-wide role, not
    /// narrowed to some by a key): account-wide events and lists are theirs.
    pub fn sees_all_pools(&self) -> bool {
        self.role.is_account_wide() && self.key.as_ref().is_none_or(|k| k.pools.is_none())
    }

    /// The virtual accounts the actor sees when not all of them (`None`: every one of the account).
    pub fn pool_filter(&self) -> Option<Vec<i64>> {
        if self.sees_all_pools() {
            return None;
        }
        let key_pools = self.key.as_ref().and_then(|k| k.pools.as_ref());
        Some(match (self.role.is_account_wide(), key_pools) {
            (true, Some(keyed)) => keyed.clone(),
            (_, Some(keyed)) => self
                .pools
                .iter()
                .copied()
                .filter(|p| keyed.contains(p))
                .collect(),
            (_, None) => self.pools.clone(),
        })
    }

    /// Whether the actor can see the virtual account at all.
    pub fn sees_pool(&self, pool: i64) -> bool {
        let by_role = self.role.is_account_wide() || self.pools.contains(&pool);
        let by_key = self
            .key
            .as_ref()
            .is_none_or(|k| k.pools.as_ref().is_none_or(|p| p.contains(&pool)));
        by_role && by_key
    }

    /// Decides an action. Callers have already scoped ids to the actor's smart account: an id of
    /// another smart account never reaches here (it is not found by the query).
    pub fn decide(&self, action: Action) -> Decision {
        match action {
            Action::ViewPool(pool) if self.sees_pool(pool) => Decision::Allow,
            Action::ViewPool(_) => Decision::NotFound,
            Action::ChangePool(pool) if !self.sees_pool(pool) => Decision::NotFound,
            Action::ChangePool(_) if self.read_only() => Decision::Forbidden,
            Action::ChangePool(_) => Decision::Allow,
            Action::ManagePools if self.sees_all_pools() && !self.read_only() => Decision::Allow,
            Action::ManagePools => Decision::Forbidden,
            Action::ManageUsers if self.role == Role::AccountAdmin && self.key.is_none() => {
                Decision::Allow
            }
            Action::ManageUsers => Decision::Forbidden,
            Action::ManageSatellites if self.role == Role::AccountAdmin && self.key.is_none() => {
                Decision::Allow
            }
            Action::ManageSatellites => Decision::Forbidden,
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
    use proptest::prelude::*;

    fn actor(role: Role, pools: &[i64]) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            smart_account_id: 10,
            role,
            pools: pools.to_vec(),
            key: None,
        }
    }

    fn key(read_only: bool, pools: Option<&[i64]>) -> KeyLimits {
        KeyLimits {
            name: "k".into(),
            read_only,
            pools: pools.map(<[i64]>::to_vec),
        }
    }

    fn any_role() -> impl Strategy<Value = Role> {
        proptest::sample::select(Role::ALL.to_vec())
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop_oneof![
            (0i64..6).prop_map(Action::ViewPool),
            (0i64..6).prop_map(Action::ChangePool),
            Just(Action::ManagePools),
            Just(Action::ManageUsers),
            Just(Action::ManageSatellites),
        ]
    }

    proptest! {
        /// A key never lets its user do more than the user may: whatever the role, the user's pools,
        /// the key's scope and pools, an action the key allows the user allows.
        #[test]
        fn a_key_never_widens_its_user(
            role in any_role(),
            pools in proptest::collection::vec(0i64..6, 0..4),
            read_only in any::<bool>(),
            key_pools in proptest::option::of(proptest::collection::vec(0i64..6, 0..4)),
            action in any_action(),
        ) {
            let user = actor(role, &pools);
            let keyed = user.clone().narrowed(key(read_only, key_pools.as_deref()));
            if keyed.decide(action) == Decision::Allow {
                prop_assert_eq!(user.decide(action), Decision::Allow);
            }
            if let Action::ChangePool(_)
            | Action::ManagePools
            | Action::ManageUsers
            | Action::ManageSatellites = action
            {
                if read_only {
                    prop_assert_ne!(keyed.decide(action), Decision::Allow);
                }
            }
            if let Action::ViewPool(p) = action {
                if key_pools.as_ref().is_some_and(|k| !k.contains(&p)) {
                    prop_assert_eq!(keyed.decide(action), Decision::NotFound);
                }
            }
            // The list filter and the one-pool test agree.
            for p in 0..6 {
                let listed = keyed.pool_filter().is_none_or(|ids| ids.contains(&p));
                prop_assert_eq!(listed, keyed.sees_pool(p));
            }
        }
    }

    #[test]
    fn a_key_names_itself_in_events_and_never_manages_users() {
        let admin = actor(Role::AccountAdmin, &[]);
        let keyed = admin.clone().narrowed(key(false, None));
        assert_eq!(keyed.who(), "u (API key \"k\")");
        assert_eq!(admin.who(), "u");
        assert_eq!(keyed.decide(Action::ManageUsers), Decision::Forbidden);
        assert_eq!(keyed.decide(Action::ManagePools), Decision::Allow);
        let narrowed = admin.narrowed(key(false, Some(&[5])));
        assert_eq!(narrowed.decide(Action::ManagePools), Decision::Forbidden);
        assert_eq!(narrowed.decide(Action::ChangePool(5)), Decision::Allow);
        assert_eq!(narrowed.decide(Action::ViewPool(6)), Decision::NotFound);
        assert_eq!(narrowed.pool_filter(), Some(vec![5]));
    }

    #[test]
    fn account_admin_may_do_everything() {
        let a = actor(Role::AccountAdmin, &[]);
        for action in [
            Action::ViewPool(5),
            Action::ChangePool(5),
            Action::ManagePools,
            Action::ManageUsers,
            Action::ManageSatellites,
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
        assert_eq!(a.decide(Action::ManageSatellites), Decision::Forbidden);
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
