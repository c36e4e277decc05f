//! Watches in SQL: a `watches` row per channel's standing question, a `watch_findings` row per
//! finding a watch has matched (open or fixed, how often it opened, the key of its last notice),
//! and a `notice_threads` row per posted notice naming the thread it started — written by
//! whichever replica posted it, whenever that happens — so nothing is announced twice, across
//! restarts and replicas, and a fix is said in the right thread.

use secbot_chat::{Origin, Platform, Slots, Subject};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use time::OffsetDateTime;

use super::StoreResult;
use super::sql::{SqlStore, json, parse};

/// The prefix of the keys a new notice's context waits under until its thread is named.
pub const NOTICE_PREFIX: &str = "notice:";

/// A channel's standing question: secbot checks it every watch interval and posts each new
/// finding that matches as its own thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchRecord {
    /// The watch's id (in buttons and keys).
    pub id: String,
    /// Who set it up and where: the channel notices go to (with Teams' service URL).
    pub origin: Origin,
    /// The question as asked ("critical risks for publicly exposed resources").
    pub question: String,
    /// The filters it was parsed into.
    pub slots: Slots,
    /// When it was set up.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// For a digest rather than a question: when it is posted and what the last one measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<DigestPlan>,
}

/// When a channel's digest is posted, in the channel's local time, and what the last one
/// measured (for the next one's changes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigestPlan {
    /// The weekdays it is posted on (0 = Monday … 6 = Sunday); every day when empty.
    #[serde(default)]
    pub days: Vec<u8>,
    /// The local hour.
    pub hour: u8,
    /// The local minute.
    pub minute: u8,
    /// The local time's offset from UTC, in seconds.
    pub offset: i32,
    /// When the last one was due (its scheduled time), if one went out.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last: Option<OffsetDateTime>,
    /// What the last one measured.
    #[serde(default)]
    pub measured: Option<secbot_skills::skill::digest::Measured>,
}

/// What a watch knows about one finding it matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Watched {
    /// The finding's key (`recommendation|resource`).
    pub finding: String,
    /// The finding as a subject.
    pub subject: Subject,
    /// It matched at the last check.
    pub open: bool,
    /// How many times it was found newly open (0 for what was open when the watch started);
    /// each opening is announced once.
    pub opened: u32,
    /// The thread its last notice started, once the platform named it (read only: the
    /// replica that posted the notice records it with [`super::Store::notice_posted`]).
    pub thread: Option<String>,
    /// The key its last notice's context waits under until the thread is named.
    pub notice: Option<String>,
}

impl SqlStore {
    pub(super) async fn insert_watch(&self, watch: &WatchRecord, baseline: &[Watched]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO watches (watch_id, platform, tenant, channel, record, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (watch_id) DO UPDATE SET record = excluded.record",
        )
        .bind(&watch.id)
        .bind(watch.origin.platform.as_str())
        .bind(&watch.origin.tenant)
        .bind(&watch.origin.channel)
        .bind(json(watch)?)
        .bind(watch.created.unix_timestamp())
        .execute(&mut *tx)
        .await?;
        for row in baseline {
            upsert(&mut tx, &watch.id, row, watch.created).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn select_watches(
        &self,
        place: Option<(Platform, &str, &str)>,
    ) -> StoreResult<Vec<WatchRecord>> {
        let rows = match place {
            Some((platform, tenant, channel)) => {
                sqlx::query(
                    "SELECT record FROM watches WHERE platform = $1 AND tenant = $2 AND channel = $3 ORDER BY created_at, watch_id",
                )
                .bind(platform.as_str())
                .bind(tenant)
                .bind(channel)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query("SELECT record FROM watches ORDER BY created_at, watch_id").fetch_all(&self.pool).await?
            }
        };
        rows.iter().map(|r| parse(&r.try_get::<String, _>("record")?)).collect()
    }

    pub(super) async fn delete_watch(&self, id: &str) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM watch_findings WHERE watch_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM notice_threads WHERE notice LIKE $1")
            .bind(format!("{NOTICE_PREFIX}{id}:%"))
            .execute(&mut *tx)
            .await?;
        let deleted =
            sqlx::query("DELETE FROM watches WHERE watch_id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(deleted.rows_affected() > 0)
    }

    pub(super) async fn select_watched(&self, watch: &str) -> StoreResult<Vec<Watched>> {
        let rows = sqlx::query(
            "SELECT f.finding, f.subject, f.open, f.opened, f.notice, t.thread FROM watch_findings f \
             LEFT JOIN notice_threads t ON t.notice = f.notice WHERE f.watch_id = $1 ORDER BY f.finding",
        )
        .bind(watch)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Watched {
                    finding: r.try_get("finding")?,
                    subject: parse(&r.try_get::<String, _>("subject")?)?,
                    open: r.try_get::<i64, _>("open")? != 0,
                    opened: u32::try_from(r.try_get::<i64, _>("opened")?).unwrap_or(0),
                    thread: r.try_get("thread")?,
                    notice: r.try_get("notice")?,
                })
            })
            .collect()
    }

    pub(super) async fn upsert_watched(
        &self,
        watch: &str,
        rows: &[Watched],
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        for row in rows {
            upsert(&mut tx, watch, row, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn set_notice_thread(&self, notice: &str, thread: &str) -> StoreResult<u64> {
        let done = sqlx::query(
            "INSERT INTO notice_threads (notice, thread, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (notice) DO UPDATE SET thread = excluded.thread",
        )
        .bind(notice)
        .bind(thread)
        .bind(OffsetDateTime::now_utc().unix_timestamp())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

async fn upsert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    watch: &str,
    row: &Watched,
    now: OffsetDateTime,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO watch_findings (watch_id, finding, subject, open, opened, notice, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (watch_id, finding) DO UPDATE SET subject = excluded.subject, open = excluded.open, \
         opened = excluded.opened, notice = excluded.notice, updated_at = excluded.updated_at",
    )
    .bind(watch)
    .bind(&row.finding)
    .bind(json(&row.subject)?)
    .bind(i64::from(row.open))
    .bind(i64::from(row.opened))
    .bind(row.notice.clone())
    .bind(now.unix_timestamp())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
