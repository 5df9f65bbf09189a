//! The device writer (group commit). Every device write — registration, authorization, renewal,
//! deregistration, and the contact of a status call — is queued to one writer task per portal
//! process, which takes whatever has queued (up to [`MAX_BATCH`]), applies it in **one
//! transaction**, and answers each caller only after that transaction committed. With one commit
//! (one fsync) per batch instead of per request, SQLite runs with `synchronous=FULL` (every
//! acknowledged write on disk) and still serves thousands a second.
//!
//! Inside a batch:
//! - requests apply one after another, so token uses are counted exactly and a UDI registers once;
//!   a run of consecutive authorizations applies at once, in a fixed number of statements
//!   (`authorize.rs`), still in order;
//! - a registration or deregistration runs in a savepoint of its own: refused (or failing), it rolls
//!   back to it and leaves the others untouched; an authorization, renewal or contact is refused only
//!   before its first write, so it needs none (two statements fewer each), and should one fail after
//!   writing, the whole batch is rolled back and answers `internal_error`;
//! - the pool counters the batch moves (`virtual_accounts.instance_count`, `pool_usages.in_use`) are
//!   summed in memory and written at its end, instance counts in pool order then usage in (pool,
//!   tag) order: the order every other writer of those rows keeps too (`instances::transfer`,
//!   `instances::delete_instance`, `usage::move_instance`), so that two processes' batches
//!   never deadlock on them;
//! - compliance is answered from each pool's counters and active licenses, read once per batch and
//!   moved by the batch's own changes: no per-request aggregate.
//!
//! When the batch's commit fails, every request of it that would have succeeded answers
//! `internal_error`; refusals answer as they were (they wrote nothing).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

use crate::domain::device::tag_status;
use crate::entities::{smart_account, virtual_account};
use crate::error::DeviceError;
use crate::protocol::{
    AuthorizeRequest, AuthorizeResponse, EntitlementAnswer, RegisterRequest, RegisterResponse,
    RenewResponse,
};
use crate::services::usage;

use super::authorize::Ask;

/// Requests applied in one transaction at most.
pub const MAX_BATCH: usize = 512;

/// Where device requests queue for the writer. Cheap to clone; the writer's task ends when the last
/// clone is dropped.
#[derive(Clone, Debug)]
pub struct DeviceWriter {
    queue: mpsc::Sender<Job>,
}

pub(super) enum Op {
    /// A registration, with the address it came from.
    Register(RegisterRequest, Option<std::net::IpAddr>),
    Authorize {
        credential: String,
        req: AuthorizeRequest,
    },
    Renew {
        credential: String,
    },
    Deregister {
        credential: String,
    },
    /// The last contact of a status call (only when it moves to another minute).
    Contact {
        credential: String,
    },
}

pub(super) enum Answer {
    Registered(RegisterResponse),
    Authorized(AuthorizeResponse),
    Renewed(RenewResponse),
    /// The instance after its contact was written.
    Contacted(Box<crate::entities::product_instance::Model>),
    Done,
}

struct Job {
    op: Op,
    now: DateTime<Utc>,
    reply: oneshot::Sender<Result<Answer, DeviceError>>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl DeviceWriter {
    /// Starts the writer's task on the current tokio runtime.
    pub fn start(db: DatabaseConnection) -> DeviceWriter {
        let (queue, jobs) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(db, jobs));
        DeviceWriter { queue }
    }

    /// Queues `op` and waits for its batch to commit.
    pub(super) async fn submit(&self, op: Op, now: DateTime<Utc>) -> Result<Answer, DeviceError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { op, now, reply })
            .await
            .map_err(|_| DeviceError::Internal)?;
        answer.await.map_err(|_| DeviceError::Internal)?
    }

    /// `POST /register`.
    pub async fn register(
        &self,
        req: RegisterRequest,
        source: Option<std::net::IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<RegisterResponse, DeviceError> {
        match self.submit(Op::Register(req, source), now).await? {
            Answer::Registered(answer) => Ok(answer),
            _ => Err(DeviceError::Internal),
        }
    }

    /// `POST /authorize`.
    pub async fn authorize(
        &self,
        credential: &str,
        req: AuthorizeRequest,
        now: DateTime<Utc>,
    ) -> Result<AuthorizeResponse, DeviceError> {
        let op = Op::Authorize {
            credential: credential.to_owned(),
            req,
        };
        match self.submit(op, now).await? {
            Answer::Authorized(answer) => Ok(answer),
            _ => Err(DeviceError::Internal),
        }
    }

    /// `POST /renew`.
    pub async fn renew(
        &self,
        credential: &str,
        now: DateTime<Utc>,
    ) -> Result<RenewResponse, DeviceError> {
        let op = Op::Renew {
            credential: credential.to_owned(),
        };
        match self.submit(op, now).await? {
            Answer::Renewed(answer) => Ok(answer),
            _ => Err(DeviceError::Internal),
        }
    }

    /// `POST /deregister`.
    pub async fn deregister(
        &self,
        credential: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DeviceError> {
        let op = Op::Deregister {
            credential: credential.to_owned(),
        };
        self.submit(op, now).await.map(|_| ())
    }
}

async fn run(db: DatabaseConnection, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        apply(&db, jobs.drain(..)).await;
    }
}

/// SQLite's batch takes the write lock at its start (`BEGIN IMMEDIATE`), so that no request in it
/// ever has to upgrade a read to a write.
async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    let mut options = TransactionOptions::default();
    if db.get_database_backend() == DbBackend::Sqlite {
        options.sqlite_transaction_mode = Some(SqliteTransactionMode::Immediate);
    }
    db.begin_with_options(options).await
}

async fn apply(db: &DatabaseConnection, jobs: impl Iterator<Item = Job>) {
    let txn = match begin(db).await {
        Ok(txn) => txn,
        Err(err) => {
            crate::error::internal("starting a batch of device writes failed", &err);
            for job in jobs {
                let _ = job.reply.send(Err(DeviceError::Internal));
            }
            return;
        }
    };
    let mut batch = Batch::default();
    let mut done = Vec::with_capacity(MAX_BATCH);
    let mut jobs = jobs.peekable();
    while let Some(job) = jobs.next() {
        let Op::Authorize { credential, req } = job.op else {
            let result = batch.run(&txn, job.op, job.now).await;
            done.push((job.reply, result));
            continue;
        };
        // A run of consecutive authorizations applies at once (`authorize.rs`).
        let mut now = job.now;
        let mut replies = vec![job.reply];
        let mut asks = vec![Ask { credential, req }];
        while jobs
            .peek()
            .is_some_and(|j| matches!(j.op, Op::Authorize { .. }))
        {
            let Some(Job {
                op: Op::Authorize { credential, req },
                now: at,
                reply,
            }) = jobs.next()
            else {
                break;
            };
            now = now.max(at);
            replies.push(reply);
            asks.push(Ask { credential, req });
        }
        match super::authorize::authorize_all(&txn, &mut batch, asks, now).await {
            Ok(answers) => done.extend(
                replies
                    .into_iter()
                    .zip(answers.into_iter().map(|a| a.map(Answer::Authorized))),
            ),
            Err(err) => {
                // It may have written part of the run: the batch is rolled back whole.
                crate::error::internal("a run of device authorizations failed", &err);
                batch.poisoned = true;
                done.extend(replies.into_iter().map(|r| (r, Err(DeviceError::Internal))));
            }
        }
    }
    let committed = if batch.poisoned {
        let _ = txn.rollback().await;
        Err(sea_orm::DbErr::Custom(
            "a request of the batch failed after writing; the batch is rolled back".to_owned(),
        ))
    } else {
        match batch.flush(&txn).await {
            Ok(()) => txn.commit().await,
            Err(err) => Err(err),
        }
    };
    if let Err(err) = &committed {
        crate::error::internal("committing a batch of device writes failed", err);
    }
    for (reply, result) in done {
        let answer = match (&committed, result) {
            (Ok(()), result) => result,
            (Err(_), Err(DeviceError::Refused(refusal))) => Err(DeviceError::Refused(refusal)),
            (Err(_), _) => Err(DeviceError::Internal),
        };
        // A caller that went away (its device hung up) is no error of the batch.
        let _ = reply.send(answer);
    }
}

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
    poisoned: bool,
}

impl Batch {
    /// Applies one request: a registration or deregistration in a savepoint of the batch's
    /// transaction (they may be refused after writing); an authorization, renewal or contact
    /// directly in it, since each is refused only before its first write (entitlements are checked
    /// first; an unknown credential updates no row). Such a request failing otherwise (a database
    /// error) poisons the batch: it is rolled back whole.
    async fn run(
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

    /// The pool's facts, read now unless this batch read them within the second.
    pub(super) async fn pool(
        &mut self,
        db: &impl ConnectionTrait,
        pool: i64,
        now: DateTime<Utc>,
    ) -> Result<&PoolFacts, DeviceError> {
        let fresh = self
            .pools
            .get(&pool)
            .is_some_and(|f| (now - f.read_at).num_milliseconds().abs() < 1000);
        if !fresh {
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
    async fn flush(&mut self, db: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
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
