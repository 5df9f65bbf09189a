//! `POST /authorize` inside the writer's batch, for a run of consecutive authorizations at once: a
//! fixed number of statements for the whole run, whatever its length (the instances' contact and
//! authorization in one `UPDATE … RETURNING`, their usage rows in one read, the changed instances'
//! rows rewritten in one delete and one insert), instead of four or five per request. The requests
//! still apply one after another in memory, in the order they queued: a device asking twice ends
//! with its second usage, and each answer's compliance counts the requests before it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::domain::device::{check_entitlements, DeviceRefusal};
use crate::entities::{instance_usage, product_instance as pi};
use crate::error::DeviceError;
use crate::protocol::{AuthorizeRequest, AuthorizeResponse, EntitlementStatus, SYNC_INTERVAL_SECS};
use crate::services::usage;

use super::{authorization, credential_hash, Batch, AUTH_DAYS};

/// Values one statement binds at most (SQLite's and PostgreSQL's limits are far above it).
const CHUNK: usize = 500;

/// One device's ask.
pub(super) struct Ask {
    pub credential: String,
    pub req: AuthorizeRequest,
}

/// Applies `asks` in order at `now` and answers each: refusals (a bad list, an unknown credential)
/// before any write; a database error fails the whole run (the caller then rolls the batch back).
pub(super) async fn authorize_all(
    db: &impl ConnectionTrait,
    batch: &mut Batch,
    asks: Vec<Ask>,
    now: DateTime<Utc>,
) -> Result<Vec<Result<AuthorizeResponse, DeviceError>>, DeviceError> {
    let mut answers: Vec<Result<AuthorizeResponse, DeviceError>> = Vec::with_capacity(asks.len());
    let mut wanted = Vec::with_capacity(asks.len());
    for ask in &asks {
        match check_entitlements(&ask.req.entitlements) {
            Ok(usage) => {
                wanted.push(Some((credential_hash(&ask.credential), usage)));
                answers.push(Err(DeviceError::Internal));
            }
            Err(err) => {
                wanted.push(None);
                answers.push(Err(err.into()));
            }
        }
    }
    let hashes: BTreeSet<&str> = wanted
        .iter()
        .flatten()
        .map(|(hash, _)| hash.as_str())
        .collect();
    if hashes.is_empty() {
        return Ok(answers);
    }
    let auth_expires = now + Duration::days(AUTH_DAYS);
    let instances = touch_all(db, &hashes, now, auth_expires).await?;
    let ids: Vec<i64> = instances.values().map(|i| i.id).collect();
    let mut usage_of = usage_of_all(db, &ids).await?;
    let mut changed = BTreeSet::new();
    // The pools' facts carry their names too: the answers name the pool from them.
    batch
        .prefetch(db, instances.values().map(|i| i.virtual_account_id), now)
        .await?;
    for (answer, want) in answers.iter_mut().zip(wanted) {
        let Some((hash, wanted)) = want else { continue };
        let Some(inst) = instances.get(&hash) else {
            *answer = Err(DeviceRefusal::NotRegistered.into());
            continue;
        };
        let pool = inst.virtual_account_id;
        let current = usage_of.entry(inst.id).or_default();
        let deltas = usage::deltas(current, &wanted);
        if !deltas.is_empty() {
            batch.stage(pool, deltas);
            batch.keep_staged();
            *current = wanted.clone();
            changed.insert((inst.id, pool));
        }
        let entitlements = batch.compliance(db, pool, &wanted, now).await?;
        let pool_name = batch.pool(db, pool, now).await?.va.name.clone();
        *answer = Ok(AuthorizeResponse {
            status: EntitlementStatus::worst(entitlements.iter().map(|e| e.status)),
            entitlements,
            authorization: authorization(auth_expires),
            next_sync_at: now + Duration::seconds(SYNC_INTERVAL_SECS),
            virtual_account: Some(pool_name),
        });
    }
    rewrite_rows(db, &changed, &usage_of).await?;
    Ok(answers)
}

/// Records the contact and the new authorization of every instance of `hashes` and returns them by
/// credential hash (an unknown credential is simply absent).
async fn touch_all(
    db: &impl ConnectionTrait,
    hashes: &BTreeSet<&str>,
    now: DateTime<Utc>,
    auth_expires: DateTime<Utc>,
) -> Result<HashMap<String, pi::Model>, DeviceError> {
    let mut found = HashMap::with_capacity(hashes.len());
    let hashes: Vec<&str> = hashes.iter().copied().collect();
    for chunk in hashes.chunks(CHUNK) {
        let rows = pi::Entity::update_many()
            .col_expr(pi::Column::LastContactAt, Expr::value(now))
            .col_expr(
                pi::Column::SilentAfter,
                Expr::value(crate::domain::alerts::silent_after(now)),
            )
            .col_expr(pi::Column::AuthExpiresAt, Expr::value(Some(auth_expires)))
            .filter(pi::Column::CredentialHash.is_in(chunk.iter().copied()))
            .exec_with_returning(db)
            .await?;
        for row in rows {
            found.insert(row.credential_hash.clone(), row);
        }
    }
    Ok(found)
}

/// The usage of each instance of `ids`, tag → count.
async fn usage_of_all(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, BTreeMap<String, i64>>, DeviceError> {
    let mut usage: HashMap<i64, BTreeMap<String, i64>> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let rows = instance_usage::Entity::find()
            .filter(instance_usage::Column::ProductInstanceId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        for row in rows {
            usage
                .entry(row.product_instance_id)
                .or_default()
                .insert(row.tag, row.count);
        }
    }
    Ok(usage)
}

/// Replaces the usage rows of the `changed` instances (id, pool) with their final usage.
async fn rewrite_rows(
    db: &impl ConnectionTrait,
    changed: &BTreeSet<(i64, i64)>,
    usage_of: &HashMap<i64, BTreeMap<String, i64>>,
) -> Result<(), DeviceError> {
    let ids: Vec<i64> = changed.iter().map(|(id, _)| *id).collect();
    for chunk in ids.chunks(CHUNK) {
        instance_usage::Entity::delete_many()
            .filter(instance_usage::Column::ProductInstanceId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    let rows: Vec<instance_usage::ActiveModel> = changed
        .iter()
        .flat_map(|&(id, pool)| {
            usage_of
                .get(&id)
                .into_iter()
                .flatten()
                .filter(|(_, &count)| count > 0)
                .map(move |(tag, &count)| instance_usage::ActiveModel {
                    product_instance_id: Set(id),
                    virtual_account_id: Set(pool),
                    tag: Set(tag.clone()),
                    count: Set(count),
                    ..Default::default()
                })
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        instance_usage::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The names of the virtual accounts `pools`, by id (the answers say where each device is now).
pub(super) async fn pool_names(
    db: &impl ConnectionTrait,
    pools: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, String>, DeviceError> {
    use crate::entities::virtual_account as va;
    use sea_orm::QuerySelect;
    let ids: BTreeSet<i64> = pools.collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, String)> = va::Entity::find()
        .select_only()
        .column(va::Column::Id)
        .column(va::Column::Name)
        .filter(va::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}
