//! Everything secbot remembers: replies (for feedback and button lookups), feedback, thread
//! contexts, claimed event ids (dedupe) and delegations. One trait, with an in-memory engine
//! for tests and single runs.

mod memory;

use async_trait::async_trait;
use secbot_chat::{Delegation, Intent, Origin, Rating, Reply, ResponseId, Slots, Subject, ThreadKey};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

pub use memory::MemoryStore;

/// What a thread is about: its subject and the last list shown in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThreadContext {
    /// The finding, recommendation, resource or attack path the thread is about.
    pub subject: Option<Subject>,
    /// The last list shown: "the 2nd one" picks from it, "only the critical ones" refines it.
    pub last_list: Option<ListContext>,
}

/// A list shown in a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListContext {
    /// The skill that produced it.
    pub intent: Intent,
    /// The filters it was produced with.
    pub slots: Slots,
    /// Its items, in the order shown.
    pub items: Vec<Subject>,
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
    /// Their words, if any.
    pub comment: String,
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

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or refused the operation.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
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

    /// A stored reply.
    async fn reply(&self, id: &ResponseId) -> StoreResult<Option<ReplyRecord>>;

    /// Stores a rating, replacing the same person's earlier rating of the same reply.
    async fn save_feedback(&self, feedback: &FeedbackRecord) -> StoreResult<()>;

    /// Every rating of a reply.
    async fn feedback(&self, id: &ResponseId) -> StoreResult<Vec<FeedbackRecord>>;

    /// Claims a key (an event id) until `expires`: `true` the first time, `false` while a
    /// claim is held. Insert-if-absent, never read-then-write.
    async fn claim(&self, key: &str, now: OffsetDateTime, expires: OffsetDateTime) -> StoreResult<bool>;

    /// Records a confirmed delegation.
    async fn save_delegation(&self, record: &DelegationRecord) -> StoreResult<()>;

    /// Confirmed delegations, newest first.
    async fn delegations(&self) -> StoreResult<Vec<DelegationRecord>>;
}
