//! The writes on the path from a delivery to its reply, group-committed: messages accepted into
//! the queue, the steps of jobs (a reply sent, given up, to be tried again), usage charges, and
//! stored turns (a reply with its thread's context). Everything that arrives while a commit runs
//! goes into the next one transaction, so a burst of deliveries and answers costs one fsync, not
//! several each. A charge over budget takes back what it added, in the same transaction. A write
//! the database refuses fails its whole batch (such failures are the database's, not one write's:
//! a lost connection, a restart), and every caller hears so: platforms are asked to retry, job
//! steps are tried again.

use moka::future::Cache;
use secbot_chat::{Job, ThreadKey};
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::sql::SqlStore;
use super::{Charge, JobUpdate, Lease, ReplyRecord, StoreError, StoreResult, ThreadContext, Usage};

/// The most writes one commit takes.
const BATCH: usize = 512;

type Answer<T> = oneshot::Sender<StoreResult<T>>;

/// Jobs' steps, each by the job's key.
type Steps = Vec<(String, JobUpdate)>;

/// A write waiting for the next commit, and who waits for its outcome.
enum Write {
    /// Store messages unless their keys are stored: which were new.
    Enqueue(Vec<Job>, Lease, Answer<Vec<bool>>),
    /// Record jobs' steps where `owner` holds them: which it held.
    Steps(String, Steps, Answer<Vec<bool>>),
    /// Spend compute units, unless that goes over a budget.
    Charge(Charge, Answer<Usage>),
    /// Store a reply, and the thread's context when it changed.
    Turn(Box<Turn>, Answer<()>),
}

/// A reply to store, and the thread's context when it changed.
struct Turn {
    context: Option<(ThreadKey, ThreadContext)>,
    record: ReplyRecord,
}

/// Where the store sends its writes.
#[derive(Clone)]
pub(super) struct Writer(mpsc::Sender<Write>);

impl Writer {
    /// Starts the task that commits the writes sent to it.
    pub(super) fn start(pool: AnyPool, contexts: Option<Cache<ThreadKey, ThreadContext>>) -> Writer {
        let (send, incoming) = mpsc::channel(BATCH * 4);
        tokio::spawn(commit(pool, contexts, incoming));
        Writer(send)
    }

    /// Stores messages unless their keys are stored; which were new, once committed.
    pub(super) async fn enqueue(&self, jobs: &[Job], lease: &Lease) -> StoreResult<Vec<bool>> {
        let (done, outcome) = oneshot::channel();
        self.send(Write::Enqueue(jobs.to_vec(), lease.clone(), done)).await?;
        outcome.await.map_err(|_| closed())?
    }

    /// Records jobs' steps where `owner` holds them; which it held, once committed.
    pub(super) async fn steps(&self, owner: &str, updates: &[(String, JobUpdate)]) -> StoreResult<Vec<bool>> {
        let (done, outcome) = oneshot::channel();
        self.send(Write::Steps(owner.to_owned(), updates.to_vec(), done)).await?;
        outcome.await.map_err(|_| closed())?
    }

    /// Sends a charge and waits for the commit that decides it.
    pub(super) async fn charge(&self, charge: &Charge) -> StoreResult<Usage> {
        let (done, outcome) = oneshot::channel();
        self.send(Write::Charge(charge.clone(), done)).await?;
        outcome.await.map_err(|_| closed())?
    }

    /// Sends a turn and waits for the commit that makes it last.
    pub(super) async fn turn(
        &self,
        context: Option<(&ThreadKey, &ThreadContext)>,
        record: &ReplyRecord,
    ) -> StoreResult<()> {
        let (done, outcome) = oneshot::channel();
        let context = context.map(|(thread, context)| (thread.clone(), context.clone()));
        self.send(Write::Turn(Box::new(Turn { context, record: record.clone() }), done)).await?;
        outcome.await.map_err(|_| closed())?
    }

    async fn send(&self, write: Write) -> StoreResult<()> {
        self.0.send(write).await.map_err(|_| closed())
    }
}

fn closed() -> StoreError {
    StoreError::Unavailable("the store is closing; try again in a moment".to_owned())
}

/// One commit's writes, by kind.
#[derive(Default)]
struct Batch {
    enqueues: Vec<(Vec<Job>, Lease, Answer<Vec<bool>>)>,
    steps: Vec<(String, Steps, Answer<Vec<bool>>)>,
    charges: Vec<(Charge, Answer<Usage>)>,
    turns: Vec<(Box<Turn>, Answer<()>)>,
}

/// What one commit decided for each write of its batch, in the batch's order.
struct Outcomes {
    enqueued: Vec<Vec<bool>>,
    held: Vec<Vec<bool>>,
    charged: Vec<Usage>,
}

async fn commit(
    pool: AnyPool,
    contexts: Option<Cache<ThreadKey, ThreadContext>>,
    mut incoming: mpsc::Receiver<Write>,
) {
    let mut arrived: Vec<Write> = Vec::with_capacity(BATCH);
    while incoming.recv_many(&mut arrived, BATCH).await > 0 {
        let mut batch = Batch::default();
        for write in arrived.drain(..) {
            match write {
                Write::Enqueue(jobs, lease, done) => batch.enqueues.push((jobs, lease, done)),
                Write::Steps(owner, updates, done) => batch.steps.push((owner, updates, done)),
                Write::Charge(charge, done) => batch.charges.push((charge, done)),
                Write::Turn(turn, done) => batch.turns.push((turn, done)),
            }
        }
        // Charges by tenant and channel (each takes its tenant's rows first), turns by thread;
        // jobs are taken by key below. Every commit takes its rows in this one order, so
        // replicas committing at once on PostgreSQL wait for each other instead of deadlocking.
        batch.charges.sort_by(|a, b| (&a.0.tenant, &a.0.channel).cmp(&(&b.0.tenant, &b.0.channel)));
        batch
            .turns
            .sort_by_cached_key(|(turn, _)| turn.context.as_ref().map(|(thread, _)| thread.to_string()));
        match run(&pool, &batch).await {
            Ok(outcomes) => {
                for ((_, _, done), new) in batch.enqueues.into_iter().zip(outcomes.enqueued) {
                    let _ = done.send(Ok(new));
                }
                for ((_, _, done), held) in batch.steps.into_iter().zip(outcomes.held) {
                    let _ = done.send(Ok(held));
                }
                for ((_, done), usage) in batch.charges.into_iter().zip(outcomes.charged) {
                    let _ = done.send(Ok(usage));
                }
                for (turn, done) in batch.turns {
                    if let (Some(cache), Some((thread, context))) = (&contexts, turn.context) {
                        cache.insert(thread, context).await;
                    }
                    let _ = done.send(Ok(()));
                }
            }
            Err(err) => {
                let why = err.to_string();
                tracing::warn!(error = %why, "could not commit the queue's and the answers' writes");
                let failed = || StoreError::Unavailable(why.clone());
                for (_, _, done) in batch.enqueues {
                    let _ = done.send(Err(failed()));
                }
                for (_, _, done) in batch.steps {
                    let _ = done.send(Err(failed()));
                }
                for (_, done) in batch.charges {
                    let _ = done.send(Err(failed()));
                }
                for (_, done) in batch.turns {
                    let _ = done.send(Err(failed()));
                }
            }
        }
    }
}

/// Runs a batch in one transaction: accepted messages and job steps by key, then the charges
/// and the turns.
async fn run(pool: &AnyPool, batch: &Batch) -> StoreResult<Outcomes> {
    let mut tx = pool.begin().await?;

    let mut enqueued: Vec<Vec<bool>> =
        batch.enqueues.iter().map(|(jobs, _, _)| vec![false; jobs.len()]).collect();
    let mut jobs: Vec<(usize, usize, &Job, &Lease)> = batch
        .enqueues
        .iter()
        .enumerate()
        .flat_map(|(w, (jobs, lease, _))| jobs.iter().enumerate().map(move |(i, job)| (w, i, job, lease)))
        .collect();
    jobs.sort_by(|a, b| a.2.key.cmp(&b.2.key));
    for (w, i, job, lease) in jobs {
        enqueued[w][i] = SqlStore::insert_job(&mut tx, job, lease).await?;
    }

    let mut held: Vec<Vec<bool>> =
        batch.steps.iter().map(|(_, updates, _)| vec![false; updates.len()]).collect();
    let mut steps: Vec<(usize, usize, &str, &str, &JobUpdate)> = batch
        .steps
        .iter()
        .enumerate()
        .flat_map(|(w, (owner, updates, _))| {
            updates
                .iter()
                .enumerate()
                .map(move |(i, (key, update))| (w, i, owner.as_str(), key.as_str(), update))
        })
        .collect();
    steps.sort_by(|a, b| a.3.cmp(b.3));
    for (w, i, owner, key, update) in steps {
        held[w][i] = SqlStore::set_job(&mut tx, key, owner, update).await?;
    }

    let mut charged = Vec::with_capacity(batch.charges.len());
    for (charge, _) in &batch.charges {
        charged.push(SqlStore::charge_in(&mut tx, charge).await?);
    }
    for (turn, _) in &batch.turns {
        let context = turn.context.as_ref().map(|(thread, context)| (thread, context));
        SqlStore::turn_in(&mut tx, context, &turn.record).await?;
    }
    tx.commit().await?;
    Ok(Outcomes { enqueued, held, charged })
}
