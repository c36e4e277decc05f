//! The answers' writes, group-committed: every usage charge and every stored turn (a thread's
//! context with its reply) that arrives while the previous commit runs goes into the next one
//! transaction, each inside a savepoint of its own, so many answers cost one fsync instead of two
//! each, and a charge over budget (or a write that fails) is undone alone.

use moka::future::Cache;
use secbot_chat::ThreadKey;
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use super::sql::SqlStore;
use super::{Charge, ReplyRecord, StoreError, StoreResult, ThreadContext, Usage};

/// The most writes one commit takes.
const BATCH: usize = 256;

/// A write waiting for the next commit, and who waits for its outcome.
enum Write {
    /// Spend compute units, unless that goes over a budget.
    Charge(Charge, oneshot::Sender<StoreResult<Usage>>),
    /// Store a reply, and the thread's context when it changed.
    Turn(Box<Turn>, oneshot::Sender<StoreResult<()>>),
}

/// A reply to store, and the thread's context when it changed.
struct Turn {
    context: Option<(ThreadKey, ThreadContext)>,
    record: ReplyRecord,
}

/// Where the store sends its answer-side writes.
#[derive(Clone)]
pub(super) struct Writer(mpsc::Sender<Write>);

impl Writer {
    /// Starts the task that commits the writes sent to it.
    pub(super) fn start(pool: AnyPool, contexts: Option<Cache<ThreadKey, ThreadContext>>) -> Writer {
        let (send, incoming) = mpsc::channel(BATCH * 4);
        tokio::spawn(commit(pool, contexts, incoming));
        Writer(send)
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

async fn commit(
    pool: AnyPool,
    contexts: Option<Cache<ThreadKey, ThreadContext>>,
    mut incoming: mpsc::Receiver<Write>,
) {
    let mut batch: Vec<Write> = Vec::with_capacity(BATCH);
    while incoming.recv_many(&mut batch, BATCH).await > 0 {
        let (mut charges, mut turns) = (Vec::new(), Vec::new());
        for write in batch.drain(..) {
            match write {
                Write::Charge(charge, done) => charges.push((charge, done)),
                Write::Turn(turn, done) => turns.push((turn, done)),
            }
        }
        // Rows are taken in one order by every commit: charges by tenant and channel (each
        // takes its tenant's rows first), then turns by thread. Replicas committing at once on
        // PostgreSQL then wait for each other instead of deadlocking.
        charges.sort_by(|a, b| (&a.0.tenant, &a.0.channel).cmp(&(&b.0.tenant, &b.0.channel)));
        turns.sort_by_cached_key(|(turn, _)| turn.context.as_ref().map(|(thread, _)| thread.to_string()));
        match run(&pool, &charges, &turns).await {
            Ok((charged, turned)) => {
                for ((_, done), outcome) in charges.into_iter().zip(charged) {
                    let _ = done.send(outcome);
                }
                for ((turn, done), outcome) in turns.into_iter().zip(turned) {
                    if outcome.is_ok()
                        && let (Some(cache), Some((thread, context))) = (&contexts, turn.context)
                    {
                        cache.insert(thread, context).await;
                    }
                    let _ = done.send(outcome);
                }
            }
            Err(err) => {
                let why = err.to_string();
                tracing::warn!(error = %why, "could not commit the answers' writes");
                let failed = || StoreError::Unavailable(why.clone());
                for (_, done) in charges {
                    let _ = done.send(Err(failed()));
                }
                for (_, done) in turns {
                    let _ = done.send(Err(failed()));
                }
            }
        }
    }
}

type Charges = [(Charge, oneshot::Sender<StoreResult<Usage>>)];
type Turns = [(Box<Turn>, oneshot::Sender<StoreResult<()>>)];

/// Runs a batch in one transaction, each write in a savepoint that is undone when the write
/// fails or a charge goes over budget; the outcome of each, once committed.
async fn run(
    pool: &AnyPool,
    charges: &Charges,
    turns: &Turns,
) -> StoreResult<(Vec<StoreResult<Usage>>, Vec<StoreResult<()>>)> {
    let mut tx = pool.begin().await?;
    let mut charged = Vec::with_capacity(charges.len());
    for (charge, _) in charges {
        sqlx::query("SAVEPOINT answer_write").execute(&mut *tx).await?;
        let outcome = SqlStore::charge_in(&mut tx, charge).await;
        let keep = matches!(outcome, Ok(Usage { allowed: true, .. }));
        settle(&mut tx, keep).await?;
        charged.push(outcome);
    }
    let mut turned = Vec::with_capacity(turns.len());
    for (turn, _) in turns {
        sqlx::query("SAVEPOINT answer_write").execute(&mut *tx).await?;
        let context = turn.context.as_ref().map(|(thread, context)| (thread, context));
        let outcome = SqlStore::turn_in(&mut tx, context, &turn.record).await;
        settle(&mut tx, outcome.is_ok()).await?;
        turned.push(outcome);
    }
    tx.commit().await?;
    Ok((charged, turned))
}

/// Ends a write's savepoint, keeping what it wrote or undoing it.
async fn settle(conn: &mut sqlx::AnyConnection, keep: bool) -> StoreResult<()> {
    if !keep {
        sqlx::query("ROLLBACK TO SAVEPOINT answer_write").execute(&mut *conn).await?;
    }
    sqlx::query("RELEASE SAVEPOINT answer_write").execute(&mut *conn).await?;
    Ok(())
}
