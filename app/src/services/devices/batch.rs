//! One batch of the device writer (`writer.rs`): the requests applied one after another in its
//! transaction, the pool counters they move (summed in memory, written at the end in pool then
//! (pool, tag) order), and compliance answered from each pool's facts, read once per batch.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
};

use crate::domain::device::tag_status;
use crate::entities::{smart_account, virtual_account};
use crate::error::DeviceError;
use crate::protocol::EntitlementAnswer;
use crate::services::usage;

use super::authorize::Ask;
use super::writer::{Answer, Op};

/// What a batch knows of a pool: read once per batch, then moved by the batch's own changes.
pub(super) struct PoolFacts {
    pub va: virtual_account::Model,
    pub sa: smart_account::Model,
    read_at: DateTime<Utc>,
    /// Active (started, not ended) licenses per tag at `read_at`.
    active: HashMap<String, i64>,
    /// In use per tag as the database had it when read (before this batch's changes).
    in_use: HashMap<String, i64>,
}

/// One batch's state: the counter moves of its applied requests, those of the request being
/// applied, and the pools it has read.
#[derive(Default)]
pub(super) struct Batch {
    pending: BTreeMap<(i64, String), i64>,
    staged: BTreeMap<(i64, String), i64>,
    /// Instances added (+) or removed (−) per pool, applied and being applied.
    pending_instances: BTreeMap<i64, i64>,
    staged_instances: BTreeMap<i64, i64>,
    pools: HashMap<i64, PoolFacts>,
    /// A request without a savepoint failed after it may have written: the batch is rolled back.
    pub(super) poisoned: bool,
}

impl Batch {
    /// Applies one request: a registration or deregistration in a savepoint of the batch's
    /// transaction (they may be refused after writing); an authorization, renewal or contact
    /// directly in it, since each is refused only before its first write (entitlements are checked
    /// first; an unknown credential updates no row). Such a request failing otherwise (a database
    /// error) poisons the batch: it is rolled back whole.
    pub(super) async fn run(
        &mut self,
        txn: &DatabaseTransaction,
        op: Op,
        now: DateTime<Utc>,
    ) -> Result<Answer, DeviceError> {
        self.staged.clear();
        self.staged_instances.clear();
        let direct = matches!(
            op,
            Op::Authorize { .. } | Op::Renew { .. } | Op::Contact { .. }
        );
        let result = match op {
            Op::Register(req, source) => {
                let savepoint = txn.begin().await?;
                let result = super::register::apply_in(&savepoint, self, req, source, now)
                    .await
                    .map(Answer::Registered);
                self.close(savepoint, result).await
            }
            Op::Deregister { credential } => {
                let savepoint = txn.begin().await?;
                let result = super::deregister_in(&savepoint, self, &credential, now)
                    .await
                    .map(|()| Answer::Done);
                self.close(savepoint, result).await
            }
            // Runs of authorizations apply at once in `apply`; one reaching here is a run of one.
            Op::Authorize { credential, req } => {
                super::authorize::authorize_all(txn, self, vec![Ask { credential, req }], now)
                    .await?
                    .pop()
                    .unwrap_or(Err(DeviceError::Internal))
                    .map(Answer::Authorized)
            }
            Op::Renew { credential } => super::renew_in(txn, &credential, now)
                .await
                .map(Answer::Renewed),
            Op::Contact { credential } => super::contact_in(txn, &credential, now)
                .await
                .map(|inst| Answer::Contacted(Box::new(inst))),
        };
        match &result {
            Ok(_) => {
                for (key, delta) in std::mem::take(&mut self.staged) {
                    *self.pending.entry(key).or_default() += delta;
                }
                for (pool, delta) in std::mem::take(&mut self.staged_instances) {
                    *self.pending_instances.entry(pool).or_default() += delta;
                }
            }
            Err(err) => {
                self.staged.clear();
                self.staged_instances.clear();
                if direct && !matches!(err, DeviceError::Refused(_)) {
                    self.poisoned = true;
                }
            }
        }
        result
    }

    /// Releases the savepoint of a request that succeeded, or rolls back to it (the request's writes
    /// undone, the batch's kept).
    async fn close(
        &mut self,
        savepoint: DatabaseTransaction,
        result: Result<Answer, DeviceError>,
    ) -> Result<Answer, DeviceError> {
        match result {
            Ok(answer) => {
                savepoint.commit().await?;
                Ok(answer)
            }
            Err(err) => {
                self.staged.clear();
                self.staged_instances.clear();
                // Rolled back to its savepoint: the batch is whole again.
                savepoint.rollback().await?;
                Err(err)
            }
        }
    }

    /// Whether this batch read the pool's facts within the second of `now`.
    fn is_fresh(&self, pool: i64, now: DateTime<Utc>) -> bool {
        self.pools
            .get(&pool)
            .is_some_and(|f| (now - f.read_at).num_milliseconds().abs() < 1000)
    }

    /// The pool's facts, read now unless this batch read them within the second.
    pub(super) async fn pool(
        &mut self,
        db: &impl ConnectionTrait,
        pool: i64,
        now: DateTime<Utc>,
    ) -> Result<&PoolFacts, DeviceError> {
        if !self.is_fresh(pool, now) {
            let (va, sa) = super::names(db, pool).await?;
            let facts = PoolFacts {
                in_use: usage::in_use(db, pool, None).await?,
                active: usage::active_quantity(db, pool, None, now).await?,
                va,
                sa,
                read_at: now,
            };
            self.pools.insert(pool, facts);
        }
        self.pools.get(&pool).ok_or(DeviceError::Internal)
    }

    /// Reads the facts of every pool of `pools` this batch has not read within the second, in four
    /// statements whatever their number (a run of authorizations from a fleet spread over many
    /// virtual accounts would otherwise read each pool on its own).
    pub(super) async fn prefetch(
        &mut self,
        db: &impl ConnectionTrait,
        pools: impl IntoIterator<Item = i64>,
        now: DateTime<Utc>,
    ) -> Result<(), DeviceError> {
        let stale: BTreeSet<i64> = pools
            .into_iter()
            .filter(|&pool| !self.is_fresh(pool, now))
            .collect();
        if stale.len() < 2 {
            return Ok(());
        }
        let ids: Vec<i64> = stale.into_iter().collect();
        let vas = virtual_account::Entity::find()
            .filter(virtual_account::Column::Id.is_in(ids.clone()))
            .all(db)
            .await?;
        let accounts: HashMap<i64, smart_account::Model> = smart_account::Entity::find()
            .filter(
                smart_account::Column::Id.is_in(
                    vas.iter()
                        .map(|v| v.smart_account_id)
                        .collect::<BTreeSet<_>>(),
                ),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let mut in_use = usage::in_use_of_pools(db, &ids).await?;
        let mut active = usage::active_quantity_of_pools(db, &ids, now).await?;
        for va in vas {
            let sa = accounts
                .get(&va.smart_account_id)
                .cloned()
                .ok_or(DeviceError::Internal)?;
            let facts = PoolFacts {
                in_use: in_use.remove(&va.id).unwrap_or_default(),
                active: active.remove(&va.id).unwrap_or_default(),
                va,
                sa,
                read_at: now,
            };
            self.pools.insert(facts.va.id, facts);
        }
        Ok(())
    }

    /// Keeps the staged counter moves (of a request that cannot fail any more).
    pub(super) fn keep_staged(&mut self) {
        for (key, delta) in std::mem::take(&mut self.staged) {
            *self.pending.entry(key).or_default() += delta;
        }
    }

    /// Moves the pool's counters by `deltas` once the current request succeeds.
    pub(super) fn stage(&mut self, pool: i64, deltas: BTreeMap<String, i64>) {
        for (tag, delta) in deltas {
            *self.staged.entry((pool, tag)).or_default() += delta;
        }
    }

    /// Counts an instance added to (`1`) or removed from (`-1`) the pool once the current request
    /// succeeds.
    pub(super) fn count_instance(&mut self, pool: i64, delta: i64) {
        *self.staged_instances.entry(pool).or_default() += delta;
    }

    /// The pooled compliance of `used` (tag → count): each tag's licenses in use in the pool, this
    /// batch's changes included, against its active licenses.
    pub(super) async fn compliance(
        &mut self,
        db: &impl ConnectionTrait,
        pool: i64,
        used: &BTreeMap<String, i64>,
        now: DateTime<Utc>,
    ) -> Result<Vec<EntitlementAnswer>, DeviceError> {
        self.pool(db, pool, now).await?;
        let facts = &self.pools[&pool];
        Ok(used
            .iter()
            .map(|(tag, &count)| {
                let key = (pool, tag.clone());
                let in_use = facts.in_use.get(tag).copied().unwrap_or(0)
                    + self.pending.get(&key).copied().unwrap_or(0)
                    + self.staged.get(&key).copied().unwrap_or(0);
                let active = facts.active.get(tag).copied().unwrap_or(0);
                EntitlementAnswer {
                    tag: tag.clone(),
                    count,
                    status: tag_status(active, in_use),
                }
            })
            .collect())
    }

    /// Writes the batch's counter moves: the pools' instance counts in pool order, then the usage
    /// counters in (pool, tag) order.
    pub(super) async fn flush(&mut self, db: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
        crate::services::pools::move_instance_counts(
            db,
            &std::mem::take(&mut self.pending_instances),
        )
        .await?;
        for ((pool, tag), delta) in std::mem::take(&mut self.pending) {
            usage::bump(db, pool, &tag, delta).await?;
        }
        Ok(())
    }
}
