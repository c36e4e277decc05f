//! Everything secbot remembers, behind one trait with two engines: SQLite (the embedded
//! default, a file in the data directory; in memory for `secbot ask`/`chat`) and PostgreSQL
//! (replicas behind a load balancer share one database). Replies (for feedback and buttons),
//! feedback, thread contexts, claimed event ids (dedupe), delegations, usage counters and
//! per-workspace installations (tokens encrypted at rest).

mod jobs;
mod reminders;
mod schema;
mod sql;
mod watches;
mod writes;

use async_trait::async_trait;
use secbot_chat::{Delegation, Intent, Origin, Rating, Reply, ResponseId, Slots, Subject, ThreadKey};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

pub use jobs::{JobRecord, JobState, JobUpdate, Lease};
pub use reminders::ReminderState;
pub use sql::{Database, SqlStore};
pub use watches::{DigestPlan, NOTICE_PREFIX, WatchRecord, Watched};

/// What a thread is about: its subject, the last list shown in it, and what was asked last.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThreadContext {
    /// The finding, recommendation, resource or attack path the thread is about.
    pub subject: Option<Subject>,
    /// The last list shown: "the 2nd one" picks from it, "only the critical ones" refines it.
    pub last_list: Option<ListContext>,
    /// The intent of the last answer: "and the 3rd?" asks the same of another item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_intent: Option<Intent>,
    /// The script tool last asked for ("bicep"): later fixes in the thread use it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_tool: Option<String>,
    /// The question secbot last asked back ("which one do you mean?" about a fix): naming
    /// one answers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Intent>,
    /// Who and by when that question was about ("assign it to @raj by friday" asked back
    /// which one): the answer to it keeps them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_slots: Option<Slots>,
    /// The one subscription the last answer was about (its score, its summary, its list): "the
    /// findings there" are that subscription's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<String>,
    /// The reply whose Confirm and Cancel buttons still wait for an answer ("Assign to Dana?"):
    /// "yes" or "cancel" typed in the thread presses them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed: Option<ResponseId>,
    /// The lists shown before the last one, oldest first (a few): "go back to the first list",
    /// "back to omar's list" pick from them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_lists: Vec<ListContext>,
}

/// How many lists before the last one a thread keeps.
const EARLIER_LISTS: usize = 4;

impl ThreadContext {
    /// Makes `list` the thread's list to count rows from, keeping the one it replaces among the
    /// earlier lists (a list shown again is not kept twice).
    pub fn show_list(&mut self, list: ListContext) {
        self.earlier_lists.retain(|l| l.items != list.items);
        if let Some(previous) = self.last_list.take().filter(|l| l.items != list.items) {
            self.earlier_lists.retain(|l| l.items != previous.items);
            self.earlier_lists.push(previous);
        }
        if self.earlier_lists.len() > EARLIER_LISTS {
            self.earlier_lists.remove(0);
        }
        self.last_list = Some(list);
    }
}

/// A list shown in a thread, across the pages shown so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListContext {
    /// The skill that produced it.
    pub intent: Intent,
    /// The filters it was produced with.
    pub slots: Slots,
    /// Every item shown so far, in order: the first page, then each "show more".
    pub items: Vec<Subject>,
    /// The index in `items` of the first item of the page shown last ("the 2nd one on this
    /// page").
    #[serde(default)]
    pub page_start: usize,
}

/// A reply as stored: who asked what, and what secbot answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyRecord {
    /// Where and by whom it was asked.
    pub origin: Origin,
    /// The prompt, with secrets redacted (empty for button clicks).
    pub prompt: String,
    /// The reply.
    pub reply: Reply,
}

/// One person's rating of one reply; a later rating replaces an earlier one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackRecord {
    /// The reply rated.
    pub response_id: ResponseId,
    /// Who rated, where.
    pub origin: Origin,
    /// The rating.
    pub rating: Rating,
    /// Their words, if any (secrets redacted).
    pub comment: String,
    /// The skill that answered.
    pub skill: String,
    /// The intent it answered.
    pub intent: String,
    /// When it was given or last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A confirmed delegation, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelegationRecord {
    /// The reply whose Confirm button recorded it.
    pub response_id: ResponseId,
    /// What was delegated, to whom, by when.
    pub delegation: Delegation,
    /// Who confirmed it, where.
    pub origin: Origin,
}

/// Usage budgets, in compute units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Per tenant per hour.
    pub hour: u64,
    /// Per tenant per month.
    pub month: u64,
    /// Per channel per hour, when the channel has its own budget.
    pub channel_hour: Option<u64>,
}

/// A request to spend compute units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// The workspace, Teams tenant or Discord guild.
    pub tenant: String,
    /// The channel.
    pub channel: String,
    /// The skill.
    pub skill: String,
    /// The units it costs.
    pub units: u64,
    /// The moment charged, which picks the hour and month the units count against.
    pub now: OffsetDateTime,
    /// The budgets.
    pub limits: Limits,
}

/// The outcome of a charge: whether it fit, and the totals after it (or without it, if refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// The units were spent.
    pub allowed: bool,
    /// Units the tenant used this hour.
    pub hour_used: u64,
    /// Units the tenant used this month.
    pub month_used: u64,
    /// Units the channel used this hour.
    pub channel_hour_used: u64,
}

/// Usage by tenant, channel and skill, for `secbot usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageRow {
    /// The tenant.
    pub tenant: String,
    /// The channel.
    pub channel: String,
    /// The skill.
    pub skill: String,
    /// `h:YYYYMMDDHH` or `m:YYYYMM`.
    pub period: String,
    /// Units used.
    pub units: u64,
}

/// A workspace's installation: its bot token and what the platform said about it.
#[derive(Clone, PartialEq, Eq)]
pub struct Installation {
    /// The platform (`slack`).
    pub platform: String,
    /// The workspace (team id).
    pub workspace: String,
    /// The bot token (decrypted).
    pub token: String,
    /// Details from the install (bot user id, team name), as JSON.
    pub meta: serde_json::Value,
}

impl std::fmt::Debug for Installation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Installation")
            .field("platform", &self.platform)
            .field("workspace", &self.workspace)
            .finish()
    }
}

/// How many rows a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    /// Stored replies (prompts and answers).
    pub replies: u64,
    /// Ratings and comments.
    pub feedback: u64,
    /// Thread contexts.
    pub contexts: u64,
    /// Expired event claims.
    pub claims: u64,
    /// Recorded delegations.
    pub delegations: u64,
    /// Finished jobs (answered and sent, or given up).
    pub jobs: u64,
}

/// The cutoffs of a retention purge: what was stored before each is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// Prompts, answers and thread contexts.
    pub transcripts: OffsetDateTime,
    /// The words of ratings; the ratings themselves stay for the feedback report.
    pub comments: OffsetDateTime,
    /// Recorded delegations.
    pub delegations: OffsetDateTime,
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or refused the operation.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// The database URL is not one secbot can use.
    #[error("{0}")]
    Config(String),
    /// Workspace tokens can't be stored or read without an encryption key.
    #[error(
        "workspace tokens are encrypted at rest: set SECBOT_ENCRYPTION_KEY (64 hex characters, e.g. from `openssl rand -hex 32`)"
    )]
    NoKey,
    /// A stored token could not be decrypted (the key changed or the row was altered).
    #[error(
        "a stored workspace token could not be decrypted; was SECBOT_ENCRYPTION_KEY changed? Reinstall the app in that workspace"
    )]
    Undecryptable,
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> StoreError {
        StoreError::Unavailable(err.to_string())
    }
}

/// What an adapter tells the person waiting when the store failed.
impl From<StoreError> for secbot_chat::AssistantError {
    fn from(err: StoreError) -> secbot_chat::AssistantError {
        secbot_chat::AssistantError::Store(err.to_string())
    }
}

/// The result type of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// How long a claimed event id is remembered: longer than any platform retries.
pub const CLAIM_TTL: Duration = Duration::hours(24);

/// Where secbot keeps what it must remember.
#[async_trait]
pub trait Store: Send + Sync {
    /// Checks the store can be reached (for `/readyz`).
    async fn ping(&self) -> StoreResult<()>;

    /// The context of a thread.
    async fn context(&self, thread: &ThreadKey) -> StoreResult<Option<ThreadContext>>;

    /// Replaces the context of a thread.
    async fn save_context(&self, thread: &ThreadKey, context: &ThreadContext) -> StoreResult<()>;

    /// Stores a reply.
    async fn save_reply(&self, record: &ReplyRecord) -> StoreResult<()>;

    /// Stores what one answer leaves behind, in one transaction: the thread's new context (when
    /// it changed) and the reply.
    async fn save_turn(
        &self,
        context: Option<(&ThreadKey, &ThreadContext)>,
        record: &ReplyRecord,
    ) -> StoreResult<()>;

    /// A stored reply.
    async fn reply(&self, id: &ResponseId) -> StoreResult<Option<ReplyRecord>>;

    /// Stores a rating, replacing the same person's earlier rating of the same reply; durable
    /// when it returns.
    async fn save_feedback(&self, feedback: &FeedbackRecord) -> StoreResult<()>;

    /// Every rating of a reply.
    async fn feedback(&self, id: &ResponseId) -> StoreResult<Vec<FeedbackRecord>>;

    /// Every rating given at or after `since`, oldest first (reports and exports).
    async fn feedback_since(&self, since: OffsetDateTime) -> StoreResult<Vec<FeedbackRecord>>;

    /// Claims a key (an event id) until `expires`: `true` the first time, `false` while a
    /// claim is held. Insert-if-absent, never read-then-write.
    async fn claim(&self, key: &str, now: OffsetDateTime, expires: OffsetDateTime) -> StoreResult<bool>;

    /// Records a confirmed delegation.
    async fn save_delegation(&self, record: &DelegationRecord) -> StoreResult<()>;

    /// Confirmed delegations, newest first.
    async fn delegations(&self) -> StoreResult<Vec<DelegationRecord>>;

    /// Spends compute units if every budget allows it, atomically (no lost updates with many
    /// replicas); a charge over budget is not spent.
    async fn charge(&self, charge: &Charge) -> StoreResult<Usage>;

    /// Usage for the hour and month of `now`, by tenant, channel and skill.
    async fn usage(&self, now: OffsetDateTime) -> StoreResult<Vec<UsageRow>>;

    /// Stores (or replaces) a workspace's installation, encrypting its token.
    async fn save_installation(&self, installation: &Installation) -> StoreResult<()>;

    /// A workspace's installation, with its token decrypted.
    async fn installation(&self, platform: &str, workspace: &str) -> StoreResult<Option<Installation>>;

    /// Everything stored about one person's prompts: their replies and their ratings.
    async fn transcripts(&self, user: &str) -> StoreResult<(Vec<ReplyRecord>, Vec<FeedbackRecord>)>;

    /// Deletes everything stored about one person: their prompts and replies, their ratings, and
    /// the delegations they asked for or own.
    async fn purge_user(&self, user: &str) -> StoreResult<Purged>;

    /// Deletes what is older than its cutoff (replies and thread contexts, delegations), clears
    /// the comments of older ratings, and deletes claims expired at `now` and finished jobs older
    /// than [`CLAIM_TTL`].
    async fn purge_before(&self, cutoffs: &Cutoffs, now: OffsetDateTime) -> StoreResult<Purged>;

    /// Stores jobs in one transaction (one commit for a whole burst), each leased to `lease`'s
    /// owner: for each, `true` when its key is new, `false` when it was already accepted.
    async fn enqueue(&self, jobs: &[secbot_chat::Job], lease: &Lease) -> StoreResult<Vec<bool>>;

    /// Leases up to `limit` unfinished jobs that are due at `lease.now` and that nobody holds (a
    /// lease that expired counts as free: its replica died), oldest first. On PostgreSQL,
    /// replicas leasing at once get different jobs.
    async fn lease_due(&self, lease: &Lease, limit: u32) -> StoreResult<Vec<JobRecord>>;

    /// Records the progress of several jobs in one transaction, each if `owner` still holds its
    /// lease: for each (job key, update), `false` when it does not (another replica took it
    /// over), and the caller must stop working on that job.
    async fn update_jobs(&self, owner: &str, updates: &[(String, JobUpdate)]) -> StoreResult<Vec<bool>>;

    /// Frees every lease (at start-up on SQLite, whose file only this process uses, so what a
    /// crash left leased resumes at once rather than when its lease expires).
    async fn release_leases(&self) -> StoreResult<u64>;

    /// How many jobs are in each state, for `/metrics`.
    async fn job_counts(&self) -> StoreResult<Vec<(JobState, u64)>>;

    /// Stores a new watch with what already matched when it was set up (never announced), in
    /// one transaction; a watch already stored is updated (a digest's last run).
    async fn save_watch(&self, watch: &WatchRecord, baseline: &[Watched]) -> StoreResult<()>;

    /// The watches of one channel (platform, tenant, channel), or of every channel with `None`,
    /// oldest first.
    async fn watches(
        &self,
        place: Option<(secbot_chat::Platform, &str, &str)>,
    ) -> StoreResult<Vec<WatchRecord>>;

    /// Deletes a watch and what it knew; `false` when there was none.
    async fn remove_watch(&self, id: &str) -> StoreResult<bool>;

    /// What a watch knows about each finding it has matched.
    async fn watched(&self, watch: &str) -> StoreResult<Vec<Watched>>;

    /// Records what a check found, in one transaction.
    async fn save_watched(&self, watch: &str, rows: &[Watched], now: OffsetDateTime) -> StoreResult<()>;

    /// Records the thread a watch's notice started, by the key its context waited under (before
    /// or after the check that queued it recorded its findings).
    async fn notice_posted(&self, notice: &str, thread: &str) -> StoreResult<u64>;

    /// Where the reminders of a delegation (by its id) stand; `None` before the first.
    async fn reminder(&self, delegation: &str) -> StoreResult<Option<ReminderState>>;

    /// Records where the reminders of a delegation stand.
    async fn save_reminder(
        &self,
        delegation: &str,
        state: &ReminderState,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
}

#[cfg(test)]
mod tests;
