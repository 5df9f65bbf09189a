//! API keys: made by a user in the browser (shown once, only a hash kept), listed (an account admin
//! sees every key of the account), revoked, and turned back into their user, narrowed by the key's
//! scope and virtual accounts, on every call of the REST API.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};

use crate::domain::api_keys::{ApiScope, KeyExpiry, KeyLimits, KeyName, KeyState, NewApiKey};
use crate::domain::events::EventKind;
use crate::domain::roles::{Actor, Role};
use crate::entities::{api_key, api_key_pool, user};
use crate::error::AppError;
use crate::model::{ApiKeyList, ApiKeyRow, IssuedKey, NewApiKeyForm};

use super::events::record_account as record;
use super::{actors, pools, secrets};

/// Characters of a key shown in lists: `lp_` and eight of its random ones.
const PREFIX_CHARS: usize = 11;
/// `last_used_at` moves when it is older than this (a busy script costs one write a minute).
const LAST_USED_STEP: Duration = Duration::seconds(60);

/// Reads the New API Key form.
pub fn parse_form(form: &NewApiKeyForm) -> Result<NewApiKey, AppError> {
    let name = KeyName::parse(&form.name)?;
    let scope = ApiScope::parse(&form.scope)?;
    let expiry = KeyExpiry::parse(&form.expires)?;
    let pools = match form.reach.trim() {
        "" | "all" => None,
        "some" if form.pools.is_empty() => {
            return Err(AppError::validation(
                "pools",
                "Choose at least one virtual account, or all of them.",
            ))
        }
        "some" => Some(form.pools.clone()),
        _ => {
            return Err(AppError::validation(
                "pools",
                "Choose which virtual accounts.",
            ))
        }
    };
    Ok(NewApiKey {
        name,
        scope,
        expiry,
        pools,
    })
}

/// Makes a key for the signed-in user. Keys are made in the browser only: a key cannot make keys.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    new: NewApiKey,
    now: DateTime<Utc>,
) -> Result<IssuedKey, AppError> {
    if actor.key.is_some() {
        return Err(AppError::Forbidden);
    }
    let pool_ids = match &new.pools {
        None => None,
        Some(ids) => {
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            let visible = pools::refs(db, actor).await?;
            if !ids.iter().all(|id| visible.iter().any(|p| p.id == *id)) {
                return Err(AppError::validation(
                    "pools",
                    "A chosen virtual account no longer exists.",
                ));
            }
            Some(ids)
        }
    };
    let secret = secrets::random_secret(crate::domain::api_keys::KEY_PREFIX);
    let txn = crate::services::begin_writing(db).await?;
    let row = api_key::ActiveModel {
        smart_account_id: Set(actor.smart_account_id),
        user_id: Set(actor.user_id),
        name: Set(new.name.as_str().to_owned()),
        prefix: Set(secret.chars().take(PREFIX_CHARS).collect()),
        key_hash: Set(secrets::sha256_hex(&secret)),
        scope: Set(new.scope),
        all_pools: Set(pool_ids.is_none()),
        created_at: Set(now),
        last_used_at: Set(None),
        expires_at: Set(new.expiry.ends(now)),
        revoked_at: Set(None),
        revoked_by: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for id in pool_ids.iter().flatten() {
        api_key_pool::ActiveModel {
            api_key_id: Set(row.id),
            virtual_account_id: Set(*id),
        }
        .insert(&txn)
        .await?;
    }
    let reach = match &pool_ids {
        None => "every virtual account".to_owned(),
        Some(ids) => format!("{} virtual account(s)", ids.len()),
    };
    record(
        &txn,
        actor,
        EventKind::ApiKeyCreated,
        format!(
            "API key \"{}\" ({}, {}) created for {reach}",
            row.name,
            row.prefix,
            new.scope.label()
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    let names = super::pools::names(db, actor.smart_account_id).await?;
    let pools = pool_ids.map(|ids| ids.iter().map(|id| name_of(&names, *id)).collect());
    Ok(IssuedKey {
        row: to_row(row, pools, actor.username.clone(), actor, now),
        secret,
    })
}

/// Makes a key for the user `username` of the smart account `account` (the operator's command line,
/// for scripts that bootstrap a portal): as if that user made it in the browser.
pub async fn create_for(
    db: &(impl ConnectionTrait + TransactionTrait),
    account: &str,
    username: &str,
    new: NewApiKey,
    now: DateTime<Utc>,
) -> Result<IssuedKey, AppError> {
    let account = super::users::find_account(db, account).await?;
    let user = user::Entity::find()
        .filter(user::Column::Username.eq(username.trim()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::validation("user", format!("No user \"{}\".", username.trim())))?;
    let (actor, _) = actors::load(db, user.id, Some(account.id))
        .await
        .map_err(|_| {
            AppError::validation(
                "user",
                format!(
                    "\"{}\" is no active user of \"{}\".",
                    user.username, account.name
                ),
            )
        })?;
    create(db, &actor, new, now).await
}

/// The user's keys (an account admin: every key of the account), newest first, and the virtual
/// accounts the user sees for the form.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<ApiKeyList, AppError> {
    let mut query =
        api_key::Entity::find().filter(api_key::Column::SmartAccountId.eq(actor.smart_account_id));
    if actor.role != Role::AccountAdmin {
        query = query.filter(api_key::Column::UserId.eq(actor.user_id));
    }
    let keys = query.order_by_desc(api_key::Column::Id).all(db).await?;
    let ids: Vec<i64> = keys.iter().map(|k| k.id).collect();
    let grants = api_key_pool::Entity::find()
        .filter(api_key_pool::Column::ApiKeyId.is_in(ids))
        .all(db)
        .await?;
    let owners: HashMap<i64, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(keys.iter().map(|k| k.user_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let names = super::pools::names(db, actor.smart_account_id).await?;
    let rows = keys
        .into_iter()
        .map(|k| {
            let pools = (!k.all_pools).then(|| {
                grants
                    .iter()
                    .filter(|g| g.api_key_id == k.id)
                    .map(|g| name_of(&names, g.virtual_account_id))
                    .collect()
            });
            let owner = owners.get(&k.user_id).cloned().unwrap_or_default();
            to_row(k, pools, owner, actor, now)
        })
        .collect();
    let pools = pools::refs(db, actor)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok(ApiKeyList { keys: rows, pools })
}

/// Revokes a key: the owner's own, or any key of the account for an account admin. It stops working
/// at once.
pub async fn revoke(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if actor.key.is_some() {
        return Err(AppError::Forbidden);
    }
    let key = api_key::Entity::find_by_id(id)
        .filter(api_key::Column::SmartAccountId.eq(actor.smart_account_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if key.user_id != actor.user_id && actor.role != Role::AccountAdmin {
        return Err(AppError::NotFound);
    }
    let txn = crate::services::begin_writing(db).await?;
    let done = api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(now))
        .col_expr(
            api_key::Column::RevokedBy,
            Expr::value(actor.username.clone()),
        )
        .filter(api_key::Column::Id.eq(key.id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::validation(
            "id",
            "This API key is already revoked.",
        ));
    }
    record(
        &txn,
        actor,
        EventKind::ApiKeyRevoked,
        format!("API key \"{}\" ({}) revoked", key.name, key.prefix),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Who a REST API call comes from: the key's user narrowed by the key, the key, and the smart account.
#[derive(Debug, Clone)]
pub struct KeyCaller {
    pub actor: Actor,
    pub key: api_key::Model,
    pub account: crate::entities::smart_account::Model,
}

/// The user a key acts as, narrowed by its scope and virtual accounts; `Unauthorized` for an unknown,
/// revoked or expired key and for a user disabled or removed since (checked on every call), and
/// `TwoFactorRequired` while the smart account requires a second factor the user has not set up.
/// Moves `last_used_at` when it is a minute old, and writes an "API key used" event at the key's
/// first use of each day (every change it makes is an event of its own).
pub async fn authenticate(
    db: &impl ConnectionTrait,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<KeyCaller, AppError> {
    if !secret.starts_with("lp_") || secret.len() > 128 {
        return Err(AppError::Unauthorized);
    }
    let key = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(secrets::sha256_hex(secret)))
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if KeyState::of(key.expires_at, key.revoked_at.is_some(), now) != KeyState::Active {
        return Err(AppError::Unauthorized);
    }
    let (user_actor, account) = actors::load(db, key.user_id, Some(key.smart_account_id)).await?;
    if account.require_two_factor && super::own_account::must_enrol(db, &user_actor).await? {
        return Err(AppError::TwoFactorRequired);
    }
    let pools = if key.all_pools {
        None
    } else {
        Some(
            api_key_pool::Entity::find()
                .filter(api_key_pool::Column::ApiKeyId.eq(key.id))
                .all(db)
                .await?
                .into_iter()
                .map(|g| g.virtual_account_id)
                .collect(),
        )
    };
    let actor = user_actor.narrowed(KeyLimits {
        name: key.name.clone(),
        read_only: key.scope == ApiScope::Read,
        pools,
    });
    if key.last_used_at.is_none_or(|at| now - at >= LAST_USED_STEP) {
        // Only the call that moves it writes the day's event, however many run at once.
        let moved = api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(now))
            .filter(api_key::Column::Id.eq(key.id))
            .filter(match key.last_used_at {
                Some(at) => api_key::Column::LastUsedAt.eq(at),
                None => api_key::Column::LastUsedAt.is_null(),
            })
            .exec(db)
            .await?
            .rows_affected;
        let first_today = key
            .last_used_at
            .is_none_or(|at| at.date_naive() != now.date_naive());
        if moved == 1 && first_today {
            record(
                db,
                &actor,
                EventKind::ApiKeyUsed,
                format!("API key \"{}\" ({}) used", key.name, key.prefix),
                now,
            )
            .await?;
        }
    }
    Ok(KeyCaller {
        actor,
        key,
        account,
    })
}

fn to_row(
    k: api_key::Model,
    pools: Option<Vec<String>>,
    owner: String,
    viewer: &Actor,
    now: DateTime<Utc>,
) -> ApiKeyRow {
    let state = KeyState::of(k.expires_at, k.revoked_at.is_some(), now);
    ApiKeyRow {
        can_revoke: state != KeyState::Revoked
            && (k.user_id == viewer.user_id || viewer.role == Role::AccountAdmin),
        id: k.id,
        name: k.name,
        prefix: k.prefix,
        scope: k.scope,
        pools,
        owner,
        created_at: k.created_at,
        last_used_at: k.last_used_at,
        expires_at: k.expires_at,
        state,
    }
}

fn name_of(names: &HashMap<i64, String>, id: i64) -> String {
    names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
}
