//! The store's one implementation, over sqlx's `Any` driver: the schema uses only text and
//! 64-bit integers, so the same statements run on SQLite and PostgreSQL.

use std::path::Path;
use std::sync::Once;

use async_trait::async_trait;
use chacha20poly1305::aead::{Aead, KeyInit, Payload as Sealed};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use moka::future::Cache;
use secbot_chat::{Rating, ResponseId, ThreadKey};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use time::OffsetDateTime;

use super::schema::MIGRATIONS;
use super::writes::Writer;
use super::{
    Charge, Cutoffs, DelegationRecord, FeedbackRecord, Installation, JobRecord, JobState, JobUpdate, Lease,
    Purged, ReminderState, ReplyRecord, Store, StoreError, StoreResult, ThreadContext, Usage, UsageRow,
    WatchRecord, Watched,
};

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    /// SQLite: a file in the data directory, or memory.
    Sqlite,
    /// PostgreSQL, shared by replicas.
    Postgres,
}

/// The SQL store.
pub struct SqlStore {
    pub(super) pool: AnyPool,
    database: Database,
    /// Thread contexts, cached only on SQLite: with PostgreSQL another replica may have changed
    /// the thread since, and a stale context would answer about the wrong thing.
    contexts: Option<Cache<ThreadKey, ThreadContext>>,
    key: Option<[u8; 32]>,
    /// Where accepted messages, job steps, charges and turns go to be committed together.
    writer: Writer,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore").field("database", &self.database).finish()
    }
}

pub(super) fn json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Unavailable(format!("cannot encode a record: {e}")))
}

pub(super) fn parse<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Unavailable(format!("a stored record is unreadable: {e}")))
}

fn hour(now: OffsetDateTime) -> String {
    format!("h:{:04}{:02}{:02}{:02}", now.year(), now.month() as u8, now.day(), now.hour())
}

fn month(now: OffsetDateTime) -> String {
    format!("m:{:04}{:02}", now.year(), now.month() as u8)
}

/// A database URL with its password hidden, for error messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:••••{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl SqlStore {
    /// Opens (and migrates) the database a URL names: `sqlite://path`, `sqlite::memory:` or
    /// `postgres://…`. `key` encrypts workspace tokens.
    pub async fn open(url: &str, key: Option<[u8; 32]>) -> StoreResult<SqlStore> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let database = if url.starts_with("sqlite:") {
            Database::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Database::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "SECBOT_DATABASE_URL (database_url): `{}` is not a database secbot can use; use postgres://user:password@host/db",
                redact_url(url)
            )));
        };
        let memory = url.contains(":memory:");
        let options = AnyPoolOptions::new()
            .max_connections(match (database, memory) {
                (Database::Sqlite, true) => 1,
                (Database::Sqlite, false) => 4,
                (Database::Postgres, _) => 10,
            })
            .acquire_timeout(std::time::Duration::from_secs(10));
        let options = if database == Database::Sqlite {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(url).await.map_err(|e| {
            StoreError::Unavailable(format!(
                "cannot open {} ({e}); check SECBOT_DATABASE_URL",
                redact_url(url)
            ))
        })?;
        let contexts = (database == Database::Sqlite).then(|| {
            Cache::builder().max_capacity(10_000).time_to_idle(std::time::Duration::from_secs(600)).build()
        });
        let writer = Writer::start(pool.clone(), contexts.clone());
        let store = SqlStore { pool, database, contexts, key, writer };
        store.migrate().await?;
        Ok(store)
    }

    /// An SQLite file in `dir` (created if missing).
    pub async fn in_dir(dir: &Path, key: Option<[u8; 32]>) -> StoreResult<SqlStore> {
        let path = dir.join("secbot.db");
        SqlStore::open(&format!("sqlite://{}?mode=rwc", path.display()), key).await
    }

    /// A store that lives only as long as the process (for `secbot ask` and tests).
    pub async fn in_memory() -> StoreResult<SqlStore> {
        SqlStore::open("sqlite::memory:", None).await
    }

    /// A URL for a new, empty schema of the PostgreSQL server at `url`, so that tests and
    /// benchmarks sharing one server never see each other's rows.
    pub async fn fresh_schema(url: &str) -> StoreResult<String> {
        use sqlx::Connection as _;
        let schema = format!("t_{}_{}", std::process::id(), OffsetDateTime::now_utc().unix_timestamp_nanos());
        let mut admin = sqlx::postgres::PgConnection::connect(url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&mut admin).await?;
        let separator = if url.contains('?') { '&' } else { '?' };
        Ok(format!("{url}{separator}options=-c%20search_path%3D{schema}"))
    }

    /// Which database this is.
    pub fn database(&self) -> Database {
        self.database
    }

    async fn migrate(&self) -> StoreResult<()> {
        sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
            .execute(&self.pool)
            .await?;
        for (version, statements) in MIGRATIONS {
            let mut tx = self.pool.begin().await?;
            // Whoever inserts the version row applies the migration; a replica starting at the
            // same time waits on that row and then skips it.
            let claimed = sqlx::query(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING RETURNING version",
            )
            .bind(*version)
            .bind(OffsetDateTime::now_utc().unix_timestamp())
            .fetch_optional(&mut *tx)
            .await?;
            if claimed.is_some() {
                for statement in statements.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                    sqlx::query(statement).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }

    fn cipher(&self) -> StoreResult<ChaCha20Poly1305> {
        let key = self.key.ok_or(StoreError::NoKey)?;
        Ok(ChaCha20Poly1305::new(&key.into()))
    }

    fn feedback_row(row: &AnyRow) -> StoreResult<FeedbackRecord> {
        let rating: String = row.try_get("rating")?;
        Ok(FeedbackRecord {
            response_id: ResponseId(row.try_get("response_id")?),
            origin: parse(&row.try_get::<String, _>("record")?)?,
            rating: parse::<Rating>(&format!("\"{rating}\""))?,
            comment: row.try_get("comment")?,
            skill: row.try_get("skill")?,
            intent: row.try_get("intent")?,
            at: OffsetDateTime::from_unix_timestamp(row.try_get("updated_at")?)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        })
    }

    async fn write_context(
        conn: &mut sqlx::AnyConnection,
        thread: &ThreadKey,
        context: &ThreadContext,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO thread_contexts (thread_key, context, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (thread_key) DO UPDATE SET context = excluded.context, updated_at = excluded.updated_at",
        )
        .bind(thread.to_string())
        .bind(json(context)?)
        .bind(OffsetDateTime::now_utc().unix_timestamp())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn write_reply(conn: &mut sqlx::AnyConnection, record: &ReplyRecord) -> StoreResult<()> {
        let origin = &record.origin;
        let subject = record.reply.subject.as_ref().map(json).transpose()?;
        sqlx::query(
            "INSERT INTO responses (response_id, platform, tenant, channel, thread, user_id, prompt, skill, intent, subject, record, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (response_id) DO UPDATE SET record = excluded.record",
        )
        .bind(record.reply.response_id.as_str())
        .bind(origin.platform.as_str())
        .bind(&origin.tenant)
        .bind(&origin.channel)
        .bind(origin.thread.clone().unwrap_or_default())
        .bind(&origin.user.id)
        .bind(&record.prompt)
        .bind(&record.reply.skill)
        .bind(record.reply.intent.as_str())
        .bind(subject)
        .bind(json(record)?)
        .bind(origin.time.unix_timestamp())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn add(conn: &mut sqlx::AnyConnection, scope: &str, period: &str, units: i64) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO usage_totals (scope, period, units) VALUES ($1, $2, $3) \
             ON CONFLICT (scope, period) DO UPDATE SET units = usage_totals.units + excluded.units RETURNING units",
        )
        .bind(scope)
        .bind(period)
        .bind(units)
        .fetch_one(&mut *conn)
        .await?;
        Ok(row.try_get("units")?)
    }

    /// Spends a charge's units on `conn` when they fit every budget; when they do not, it takes
    /// them back and returns the totals without them. Rows are always taken in the same order
    /// (tenant hour, tenant month, channel hour), so concurrent charges on PostgreSQL wait for
    /// each other instead of deadlocking.
    pub(super) async fn charge_in(conn: &mut sqlx::AnyConnection, charge: &Charge) -> StoreResult<Usage> {
        let units = i64::try_from(charge.units).unwrap_or(i64::MAX);
        let (h, m) = (hour(charge.now), month(charge.now));
        let tenant = format!("tenant:{}", charge.tenant);
        let channel = format!("channel:{}/{}", charge.tenant, charge.channel);
        let hour_used = SqlStore::add(conn, &tenant, &h, units).await?;
        let month_used = SqlStore::add(conn, &tenant, &m, units).await?;
        let channel_used = SqlStore::add(conn, &channel, &h, units).await?;
        let over = hour_used as u64 > charge.limits.hour
            || month_used as u64 > charge.limits.month
            || charge.limits.channel_hour.is_some_and(|limit| channel_used as u64 > limit);
        if over {
            for (scope, period) in [(&tenant, &h), (&tenant, &m), (&channel, &h)] {
                SqlStore::add(conn, scope, period, -units).await?;
            }
            return Ok(Usage {
                allowed: false,
                hour_used: (hour_used - units).max(0) as u64,
                month_used: (month_used - units).max(0) as u64,
                channel_hour_used: (channel_used - units).max(0) as u64,
            });
        }
        for period in [&h, &m] {
            sqlx::query(
                "INSERT INTO usage_by_skill (tenant, channel, skill, period, units) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (tenant, channel, skill, period) DO UPDATE SET units = usage_by_skill.units + excluded.units",
            )
            .bind(&charge.tenant)
            .bind(&charge.channel)
            .bind(&charge.skill)
            .bind(period.as_str())
            .bind(units)
            .execute(&mut *conn)
            .await?;
        }
        Ok(Usage {
            allowed: true,
            hour_used: hour_used as u64,
            month_used: month_used as u64,
            channel_hour_used: channel_used as u64,
        })
    }

    /// Writes a reply, and the thread's context when given, on `conn`.
    pub(super) async fn turn_in(
        conn: &mut sqlx::AnyConnection,
        context: Option<(&ThreadKey, &ThreadContext)>,
        record: &ReplyRecord,
    ) -> StoreResult<()> {
        if let Some((thread, context)) = context {
            SqlStore::write_context(conn, thread, context).await?;
        }
        SqlStore::write_reply(conn, record).await
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn context(&self, thread: &ThreadKey) -> StoreResult<Option<ThreadContext>> {
        if let Some(cache) = &self.contexts
            && let Some(hit) = cache.get(thread).await
        {
            return Ok(Some(hit));
        }
        let row = sqlx::query("SELECT context FROM thread_contexts WHERE thread_key = $1")
            .bind(thread.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let context: Option<ThreadContext> =
            row.map(|r| parse(&r.try_get::<String, _>("context")?)).transpose()?;
        if let (Some(cache), Some(c)) = (&self.contexts, &context) {
            cache.insert(thread.clone(), c.clone()).await;
        }
        Ok(context)
    }

    async fn save_context(&self, thread: &ThreadKey, context: &ThreadContext) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        SqlStore::write_context(&mut conn, thread, context).await?;
        if let Some(cache) = &self.contexts {
            cache.insert(thread.clone(), context.clone()).await;
        }
        Ok(())
    }

    async fn save_reply(&self, record: &ReplyRecord) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        SqlStore::write_reply(&mut conn, record).await
    }

    async fn save_turn(
        &self,
        context: Option<(&ThreadKey, &ThreadContext)>,
        record: &ReplyRecord,
    ) -> StoreResult<()> {
        self.writer.turn(context, record).await
    }

    async fn reply(&self, id: &ResponseId) -> StoreResult<Option<ReplyRecord>> {
        let row = sqlx::query("SELECT record FROM responses WHERE response_id = $1")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| parse(&r.try_get::<String, _>("record")?)).transpose()
    }

    async fn save_feedback(&self, feedback: &FeedbackRecord) -> StoreResult<()> {
        let origin = &feedback.origin;
        // A repeated click of the same rating keeps the comment already written.
        sqlx::query(
            "INSERT INTO feedback (response_id, user_id, platform, tenant, channel, skill, intent, rating, comment, record, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (response_id, user_id) DO UPDATE SET \
               comment = CASE WHEN excluded.comment = '' AND feedback.rating = excluded.rating THEN feedback.comment ELSE excluded.comment END, \
               rating = excluded.rating, record = excluded.record, updated_at = excluded.updated_at",
        )
        .bind(feedback.response_id.as_str())
        .bind(&origin.user.id)
        .bind(origin.platform.as_str())
        .bind(&origin.tenant)
        .bind(&origin.channel)
        .bind(&feedback.skill)
        .bind(&feedback.intent)
        .bind(feedback.rating.as_str())
        .bind(&feedback.comment)
        .bind(json(origin)?)
        .bind(feedback.at.unix_timestamp())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn feedback(&self, id: &ResponseId) -> StoreResult<Vec<FeedbackRecord>> {
        let rows = sqlx::query("SELECT * FROM feedback WHERE response_id = $1 ORDER BY updated_at")
            .bind(id.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(SqlStore::feedback_row).collect()
    }

    async fn feedback_since(&self, since: OffsetDateTime) -> StoreResult<Vec<FeedbackRecord>> {
        let rows =
            sqlx::query("SELECT * FROM feedback WHERE updated_at >= $1 ORDER BY updated_at, response_id")
                .bind(since.unix_timestamp())
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(SqlStore::feedback_row).collect()
    }

    async fn claim(&self, key: &str, now: OffsetDateTime, expires: OffsetDateTime) -> StoreResult<bool> {
        let row = sqlx::query(
            "INSERT INTO claims (claim_key, expires_at) VALUES ($1, $2) \
             ON CONFLICT (claim_key) DO UPDATE SET expires_at = excluded.expires_at WHERE claims.expires_at <= $3 \
             RETURNING claim_key",
        )
        .bind(key)
        .bind(expires.unix_timestamp())
        .bind(now.unix_timestamp())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    async fn save_delegation(&self, record: &DelegationRecord) -> StoreResult<()> {
        let d = &record.delegation;
        let o = &record.origin;
        sqlx::query(
            "INSERT INTO delegations (delegation_id, response_id, owner, owner_email, due, asked_by, platform, tenant, channel, thread, record, created_at, owner_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (delegation_id) DO NOTHING",
        )
        .bind(record.response_id.as_str())
        .bind(record.response_id.as_str())
        .bind(&d.owner.name)
        .bind(d.owner.email.clone())
        .bind(d.due.to_string())
        .bind(&o.user.id)
        .bind(o.platform.as_str())
        .bind(&o.tenant)
        .bind(&o.channel)
        .bind(o.thread.clone().unwrap_or_default())
        .bind(json(record)?)
        .bind(o.time.unix_timestamp())
        .bind(&d.owner.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delegations(&self) -> StoreResult<Vec<DelegationRecord>> {
        let rows = sqlx::query("SELECT record FROM delegations ORDER BY created_at DESC, delegation_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| parse(&r.try_get::<String, _>("record")?)).collect()
    }

    async fn charge(&self, charge: &Charge) -> StoreResult<Usage> {
        self.writer.charge(charge).await
    }

    async fn usage(&self, now: OffsetDateTime) -> StoreResult<Vec<UsageRow>> {
        let rows = sqlx::query(
            "SELECT tenant, channel, skill, period, units FROM usage_by_skill WHERE period = $1 OR period = $2 \
             ORDER BY tenant, channel, skill, period",
        )
        .bind(hour(now))
        .bind(month(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UsageRow {
                    tenant: r.try_get("tenant")?,
                    channel: r.try_get("channel")?,
                    skill: r.try_get("skill")?,
                    period: r.try_get("period")?,
                    units: r.try_get::<i64, _>("units")?.max(0) as u64,
                })
            })
            .collect()
    }

    async fn save_installation(&self, installation: &Installation) -> StoreResult<()> {
        let cipher = self.cipher()?;
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce)
            .map_err(|e| StoreError::Unavailable(format!("no randomness for a nonce: {e}")))?;
        let aad = format!("{}:{}", installation.platform, installation.workspace);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Sealed { msg: installation.token.as_bytes(), aad: aad.as_bytes() },
            )
            .map_err(|_| StoreError::Unavailable("could not encrypt the token".into()))?;
        sqlx::query(
            "INSERT INTO installations (platform, workspace, nonce, secret, meta, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (platform, workspace) DO UPDATE SET nonce = excluded.nonce, secret = excluded.secret, meta = excluded.meta, updated_at = excluded.updated_at",
        )
        .bind(&installation.platform)
        .bind(&installation.workspace)
        .bind(hex::encode(nonce))
        .bind(hex::encode(&sealed))
        .bind(json(&installation.meta)?)
        .bind(OffsetDateTime::now_utc().unix_timestamp())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn installation(&self, platform: &str, workspace: &str) -> StoreResult<Option<Installation>> {
        let Some(row) = sqlx::query(
            "SELECT nonce, secret, meta FROM installations WHERE platform = $1 AND workspace = $2",
        )
        .bind(platform)
        .bind(workspace)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let cipher = self.cipher()?;
        let nonce = hex::decode(row.try_get::<String, _>("nonce")?)
            .ok()
            .filter(|n| n.len() == 12)
            .ok_or(StoreError::Undecryptable)?;
        let sealed =
            hex::decode(row.try_get::<String, _>("secret")?).ok().ok_or(StoreError::Undecryptable)?;
        let aad = format!("{platform}:{workspace}");
        let token = cipher
            .decrypt(Nonce::from_slice(&nonce), Sealed { msg: &sealed, aad: aad.as_bytes() })
            .map_err(|_| StoreError::Undecryptable)?;
        Ok(Some(Installation {
            platform: platform.to_owned(),
            workspace: workspace.to_owned(),
            token: String::from_utf8(token).map_err(|_| StoreError::Undecryptable)?,
            meta: parse(&row.try_get::<String, _>("meta")?)?,
        }))
    }

    async fn transcripts(&self, user: &str) -> StoreResult<(Vec<ReplyRecord>, Vec<FeedbackRecord>)> {
        let replies =
            sqlx::query("SELECT record FROM responses WHERE user_id = $1 ORDER BY created_at, response_id")
                .bind(user)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| parse(&r.try_get::<String, _>("record")?))
                .collect::<StoreResult<Vec<ReplyRecord>>>()?;
        let feedback = sqlx::query("SELECT * FROM feedback WHERE user_id = $1 ORDER BY updated_at")
            .bind(user)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(SqlStore::feedback_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((replies, feedback))
    }

    async fn purge_user(&self, user: &str) -> StoreResult<Purged> {
        let replies =
            sqlx::query("DELETE FROM responses WHERE user_id = $1").bind(user).execute(&self.pool).await?;
        let feedback =
            sqlx::query("DELETE FROM feedback WHERE user_id = $1").bind(user).execute(&self.pool).await?;
        let delegations = sqlx::query("DELETE FROM delegations WHERE asked_by = $1 OR owner_id = $1")
            .bind(user)
            .execute(&self.pool)
            .await?;
        if let Some(cache) = &self.contexts {
            cache.invalidate_all();
        }
        Ok(Purged {
            replies: replies.rows_affected(),
            feedback: feedback.rows_affected(),
            delegations: delegations.rows_affected(),
            ..Purged::default()
        })
    }

    async fn purge_before(&self, cutoffs: &Cutoffs, now: OffsetDateTime) -> StoreResult<Purged> {
        let replies = sqlx::query("DELETE FROM responses WHERE created_at < $1")
            .bind(cutoffs.transcripts.unix_timestamp())
            .execute(&self.pool)
            .await?;
        let contexts = sqlx::query("DELETE FROM thread_contexts WHERE updated_at < $1")
            .bind(cutoffs.transcripts.unix_timestamp())
            .execute(&self.pool)
            .await?;
        let comments =
            sqlx::query("UPDATE feedback SET comment = '' WHERE updated_at < $1 AND comment <> ''")
                .bind(cutoffs.comments.unix_timestamp())
                .execute(&self.pool)
                .await?;
        let delegations = sqlx::query("DELETE FROM delegations WHERE created_at < $1")
            .bind(cutoffs.delegations.unix_timestamp())
            .execute(&self.pool)
            .await?;
        let claims = sqlx::query("DELETE FROM claims WHERE expires_at <= $1")
            .bind(now.unix_timestamp())
            .execute(&self.pool)
            .await?;
        let jobs = self.purge_jobs(now).await?;
        if let Some(cache) = &self.contexts {
            cache.invalidate_all();
        }
        Ok(Purged {
            replies: replies.rows_affected(),
            feedback: comments.rows_affected(),
            contexts: contexts.rows_affected(),
            claims: claims.rows_affected(),
            delegations: delegations.rows_affected(),
            jobs,
        })
    }

    async fn enqueue(&self, jobs: &[secbot_chat::Job], lease: &Lease) -> StoreResult<Vec<bool>> {
        self.writer.enqueue(jobs, lease).await
    }

    async fn lease_due(&self, lease: &Lease, limit: u32) -> StoreResult<Vec<JobRecord>> {
        self.lease_jobs(lease, limit).await
    }

    async fn update_jobs(&self, owner: &str, updates: &[(String, JobUpdate)]) -> StoreResult<Vec<bool>> {
        self.writer.steps(owner, updates).await
    }

    async fn release_leases(&self) -> StoreResult<u64> {
        self.free_leases().await
    }

    async fn job_counts(&self) -> StoreResult<Vec<(JobState, u64)>> {
        self.count_jobs().await
    }

    async fn save_watch(&self, watch: &WatchRecord, baseline: &[Watched]) -> StoreResult<()> {
        self.insert_watch(watch, baseline).await
    }

    async fn watches(
        &self,
        place: Option<(secbot_chat::Platform, &str, &str)>,
    ) -> StoreResult<Vec<WatchRecord>> {
        self.select_watches(place).await
    }

    async fn remove_watch(&self, id: &str) -> StoreResult<bool> {
        self.delete_watch(id).await
    }

    async fn watched(&self, watch: &str) -> StoreResult<Vec<Watched>> {
        self.select_watched(watch).await
    }

    async fn save_watched(&self, watch: &str, rows: &[Watched], now: OffsetDateTime) -> StoreResult<()> {
        self.upsert_watched(watch, rows, now).await
    }

    async fn notice_posted(&self, notice: &str, thread: &str) -> StoreResult<u64> {
        self.set_notice_thread(notice, thread).await
    }

    async fn reminder(&self, delegation: &str) -> StoreResult<Option<ReminderState>> {
        self.select_reminder(delegation).await
    }

    async fn save_reminder(
        &self,
        delegation: &str,
        state: &ReminderState,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        self.upsert_reminder(delegation, state, now).await
    }
}
