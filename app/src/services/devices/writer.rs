//! The device writer (group commit). Every device write — registration, authorization, renewal,
//! deregistration, and the contact of a status call — is queued to one writer task per portal
//! process, which takes whatever has queued (up to [`MAX_BATCH`]), applies it in **one
//! transaction**, and answers each caller only after that transaction committed. With one commit
//! (one fsync) per batch instead of per request, SQLite runs with `synchronous=FULL` (every
//! acknowledged write on disk) and still serves thousands a second.
//!
//! Inside a batch:
//! - requests apply one after another, so token uses are counted exactly and a UDI registers once;
//!   on PostgreSQL the rows of the tokens its registrations use are locked first, all in id order
//!   (`lock_tokens`), so that two processes' batches never deadlock on them;
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
//! A batch's state and how it applies one request are in `batch.rs`. When the batch's commit fails,
//! every request of it that would have succeeded answers `internal_error`; refusals answer as they
//! were (they wrote nothing).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::token;
use tokio::sync::{mpsc, oneshot};

use crate::error::DeviceError;
use crate::protocol::{
    AuthorizeRequest, AuthorizeResponse, RegisterRequest, RegisterResponse, RenewResponse,
};

use super::authorize::Ask;
use super::Batch;

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

/// On PostgreSQL, locks the rows of the tokens the batch's registrations use, all at once and in id
/// order, before any of them applies: each registration then writes its token's row (counting a
/// use) in the batch's order, and two processes' batches that share tokens would otherwise lock
/// them in different orders and deadlock (a fleet spread over several virtual accounts, one token
/// each, did, again and again on every retry). SQLite's batch holds the database's write lock.
async fn lock_tokens(txn: &DatabaseTransaction, jobs: &[Job]) -> Result<(), sea_orm::DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let tokens: BTreeSet<&str> = jobs
        .iter()
        .filter_map(|job| match &job.op {
            Op::Register(req, _) => Some(req.id_token.as_str()),
            _ => None,
        })
        .collect();
    if tokens.len() < 2 {
        return Ok(());
    }
    token::Entity::find()
        .select_only()
        .column(token::Column::Id)
        .filter(token::Column::Token.is_in(tokens))
        .order_by_asc(token::Column::Id)
        .lock_exclusive()
        .into_tuple::<i64>()
        .all(txn)
        .await
        .map(|_| ())
}

async fn apply(db: &DatabaseConnection, jobs: impl Iterator<Item = Job>) {
    let jobs: Vec<Job> = jobs.collect();
    // SQLite's batch takes the write lock at its start: no request in it upgrades a read.
    let started = match crate::services::begin_writing(db).await {
        Ok(txn) => lock_tokens(&txn, &jobs).await.map(|()| txn),
        Err(err) => Err(err),
    };
    let txn = match started {
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
    let mut jobs = jobs.into_iter().peekable();
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
