//! The inbox and outbox in SQL: one `jobs` row per accepted message, from its payload through
//! its reply (the outbox part: `outgoing`) to sent or given up, with a lease so that one replica
//! works on it at a time and another takes it over when that replica dies. A finished row keeps
//! only its key (for dedupe) until it is purged.

use secbot_chat::{Job, Platform};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use super::sql::{Database, SqlStore};
use super::{StoreError, StoreResult};

/// Where a job is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Accepted, not answered yet.
    New,
    /// Answered; its reply waits to be sent (again).
    Answered,
    /// Its reply was accepted by the platform.
    Sent,
    /// Answered with nothing to send.
    Silent,
    /// Its reply could not be sent: refused, or not accepted before the deadline.
    Failed,
}

impl JobState {
    /// The name stored and shown in metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::New => "new",
            JobState::Answered => "answered",
            JobState::Sent => "sent",
            JobState::Silent => "silent",
            JobState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<JobState> {
        [JobState::New, JobState::Answered, JobState::Sent, JobState::Silent, JobState::Failed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// True once nothing more will be done with the job.
    pub fn finished(self) -> bool {
        matches!(self, JobState::Sent | JobState::Silent | JobState::Failed)
    }
}

/// Who holds the jobs it leases, when, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The replica (a random id per process).
    pub owner: String,
    /// The time of the lease.
    pub now: OffsetDateTime,
    /// When the lease lapses if the owner has not finished or renewed it.
    pub until: OffsetDateTime,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// The platform and key and what to answer.
    pub job: Job,
    /// Where it is.
    pub state: JobState,
    /// Its reply, once answered: what is still to send.
    pub outgoing: Option<serde_json::Value>,
    /// Failed attempts to send it so far.
    pub attempts: u32,
    /// When it was accepted.
    pub created: OffsetDateTime,
}

/// A step a job took.
#[derive(Debug, Clone, PartialEq)]
pub enum JobUpdate {
    /// Answered, and a send failed: keep `rest` (what is left of the reply) and try it again at
    /// `due`.
    Retry {
        /// What remains to send.
        rest: serde_json::Value,
        /// When to try again.
        due: OffsetDateTime,
        /// Why it failed.
        error: String,
    },
    /// Done with: sent, silent or failed (with why).
    Finished(JobState, Option<String>),
}

fn millis(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

fn record(row: &AnyRow) -> StoreResult<JobRecord> {
    let unreadable = |what: &str| StoreError::Unavailable(format!("a stored job has an unreadable {what}"));
    let platform: String = row.try_get("platform")?;
    let platform = serde_json::from_value::<Platform>(serde_json::Value::String(platform))
        .map_err(|_| unreadable("platform"))?;
    let state = JobState::parse(&row.try_get::<String, _>("state")?).ok_or_else(|| unreadable("state"))?;
    let payload =
        serde_json::from_str(&row.try_get::<String, _>("payload")?).map_err(|_| unreadable("payload"))?;
    let outgoing = row
        .try_get::<Option<String>, _>("outgoing")?
        .map(|o| serde_json::from_str(&o))
        .transpose()
        .map_err(|_| unreadable("reply"))?;
    let created = row.try_get::<i64, _>("created_at")?;
    Ok(JobRecord {
        job: Job { platform, key: row.try_get("job_key")?, payload },
        state,
        outgoing,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
        created: OffsetDateTime::from_unix_timestamp_nanos(i128::from(created) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
    })
}

const LEASE_POSTGRES: &str = "UPDATE jobs SET lease_owner = $1, lease_until = $2 WHERE job_key IN (\
     SELECT job_key FROM jobs WHERE state IN ('new', 'answered') AND due_at <= $3 AND lease_until <= $3 \
     ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
     RETURNING job_key, platform, state, payload, outgoing, attempts, created_at";

const LEASE_SQLITE: &str = "UPDATE jobs SET lease_owner = $1, lease_until = $2 WHERE job_key IN (\
     SELECT job_key FROM jobs WHERE state IN ('new', 'answered') AND due_at <= $3 AND lease_until <= $3 \
     ORDER BY due_at LIMIT $4) \
     RETURNING job_key, platform, state, payload, outgoing, attempts, created_at";

impl SqlStore {
    /// Stores a job on `conn` unless its key is already stored: `true` when it is new.
    /// Callers inserting several take the keys in order, so replicas inserting overlapping
    /// bursts wait for each other instead of deadlocking.
    pub(super) async fn insert_job(
        conn: &mut sqlx::AnyConnection,
        job: &Job,
        lease: &Lease,
    ) -> StoreResult<bool> {
        let now = millis(lease.now);
        let payload = serde_json::to_string(&job.payload)
            .map_err(|e| StoreError::Unavailable(format!("cannot encode a job: {e}")))?;
        let row = sqlx::query(
            "INSERT INTO jobs (job_key, platform, state, payload, attempts, due_at, lease_owner, lease_until, created_at, updated_at) \
             VALUES ($1, $2, 'new', $3, 0, $4, $5, $6, $4, $4) ON CONFLICT (job_key) DO NOTHING RETURNING job_key",
        )
        .bind(&job.key)
        .bind(job.platform.as_str())
        .bind(payload)
        .bind(now)
        .bind(&lease.owner)
        .bind(millis(lease.until))
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.is_some())
    }

    pub(super) async fn lease_jobs(&self, lease: &Lease, limit: u32) -> StoreResult<Vec<JobRecord>> {
        // Replicas on PostgreSQL skip rows another is leasing at the same moment; SQLite has one
        // writer at a time and no row locks.
        let statement = match self.database() {
            Database::Postgres => LEASE_POSTGRES,
            Database::Sqlite => LEASE_SQLITE,
        };
        let rows = sqlx::query(statement)
            .bind(&lease.owner)
            .bind(millis(lease.until))
            .bind(millis(lease.now))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut jobs = rows.iter().map(record).collect::<StoreResult<Vec<_>>>()?;
        jobs.sort_by_key(|j| j.created);
        Ok(jobs)
    }

    /// Records a job's step on `conn` if `owner` still holds its lease: `false` when it does
    /// not. Callers recording several take the keys in order (see [`SqlStore::insert_job`]).
    pub(super) async fn set_job(
        conn: &mut sqlx::AnyConnection,
        key: &str,
        owner: &str,
        update: &JobUpdate,
    ) -> StoreResult<bool> {
        let now = millis(OffsetDateTime::now_utc());
        let encode = |value: &serde_json::Value| {
            serde_json::to_string(value)
                .map_err(|e| StoreError::Unavailable(format!("cannot encode a reply: {e}")))
        };
        let query = match update {
            JobUpdate::Retry { rest, due, error } => sqlx::query(
                "UPDATE jobs SET state = 'answered', outgoing = $3, attempts = attempts + 1, due_at = $4, error = $5, lease_until = 0, updated_at = $6 \
                 WHERE job_key = $1 AND lease_owner = $2",
            )
            .bind(key)
            .bind(owner)
            .bind(encode(rest)?)
            .bind(millis(*due))
            .bind(error.clone())
            .bind(now),
            // What was asked and answered is not kept once it is done with; the key stays for
            // dedupe until the retention purge.
            JobUpdate::Finished(state, error) => sqlx::query(
                "UPDATE jobs SET state = $3, error = $4, payload = '{}', outgoing = NULL, lease_until = 0, updated_at = $5 \
                 WHERE job_key = $1 AND lease_owner = $2",
            )
            .bind(key)
            .bind(owner)
            .bind(state.as_str())
            .bind(error.clone())
            .bind(now),
        };
        Ok(query.execute(conn).await?.rows_affected() > 0)
    }

    pub(super) async fn free_leases(&self) -> StoreResult<u64> {
        let freed = sqlx::query(
            "UPDATE jobs SET lease_until = 0 WHERE lease_until > 0 AND state IN ('new', 'answered')",
        )
        .execute(&self.pool)
        .await?;
        Ok(freed.rows_affected())
    }

    pub(super) async fn count_jobs(&self) -> StoreResult<Vec<(JobState, u64)>> {
        let rows =
            sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").fetch_all(&self.pool).await?;
        let mut counts = Vec::new();
        for row in rows {
            if let Some(state) = JobState::parse(&row.try_get::<String, _>("state")?) {
                counts.push((state, u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or_default()));
            }
        }
        Ok(counts)
    }

    pub(super) async fn purge_jobs(&self, now: OffsetDateTime) -> StoreResult<u64> {
        let purged =
            sqlx::query("DELETE FROM jobs WHERE state IN ('sent', 'silent', 'failed') AND updated_at < $1")
                .bind(millis(now - super::CLAIM_TTL))
                .execute(&self.pool)
                .await?;
        Ok(purged.rows_affected())
    }
}
