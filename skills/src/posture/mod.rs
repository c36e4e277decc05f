//! The posture model and the [`PostureSource`] trait every data source implements: the demo
//! tenant, an offline snapshot, or Defender for Cloud itself.

mod alerts;
pub mod arm_id;
mod filter;
pub(crate) mod kinds;
mod model;
mod score;

use std::sync::Arc;

use async_trait::async_trait;
use secbot_chat::Person;
use time::Date;

pub use alerts::{Alert, AlertFilter, AlertStatus};
pub use filter::{AttackPathFilter, FindingFilter, FindingPage, PostureSummary};
pub use kinds::{cloud_of_id, kind_of_type};
pub use model::{
    AssignmentRequest, AttackPath, Effort, Finding, Governance, PathStep, Plan, Recommendation, Remediation,
    Resource, Script, Signal, SourceInfo, Status, Subscription, Vulnerability, untagged,
};
pub use score::{CONTROLS, ControlScore, ScoreCard, ScoreGain, SecureScore, control_of};

/// Why the posture source could not answer, worded so the person asking knows what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostureError {
    /// The source is unreachable or failed.
    #[error("the posture source is not reachable right now ({0}); try again in a minute")]
    Unavailable(String),
    /// secbot's identity lacks a permission.
    #[error("secbot is not allowed to read this: {0}")]
    Forbidden(String),
    /// The source asked secbot to slow down.
    #[error("Defender for Cloud is throttling requests; try again in {retry_after_secs} s")]
    Throttled {
        /// How long to wait.
        retry_after_secs: u64,
    },
    /// The thing asked for does not exist in this tenant.
    #[error("{0}")]
    NotFound(String),
    /// The request was refused as invalid.
    #[error("{0}")]
    Invalid(String),
}

/// The result type of posture queries.
pub type PostureResult<T> = Result<T, PostureError>;

/// Where secbot reads security posture from. Queries are answered from indexes or pushed down
/// to the remote service; the only write is a governance assignment.
#[async_trait]
pub trait PostureSource: Send + Sync {
    /// What the source is.
    fn info(&self) -> SourceInfo;

    /// Forgets cached answers so the next question reads fresh data; a source that caches
    /// nothing (the in-memory tenant) has nothing to forget.
    fn clear_cache(&self) {}

    /// Subscriptions, accounts and projects in scope, with their plans.
    async fn subscriptions(&self) -> PostureResult<Vec<Subscription>>;

    /// One recommendation's metadata.
    async fn recommendation(&self, key: &str) -> PostureResult<Option<Arc<Recommendation>>>;

    /// One resource.
    async fn resource(&self, id: &str) -> PostureResult<Option<Arc<Resource>>>;

    /// Resources with this name (case-insensitive); names are unique only per subscription.
    async fn resources_named(&self, name: &str) -> PostureResult<Vec<Arc<Resource>>>;

    /// Findings matching the filter, ranked by risk, `limit` of them from `offset`, with the
    /// total count and counts per level.
    async fn findings(
        &self,
        filter: &FindingFilter,
        offset: usize,
        limit: usize,
    ) -> PostureResult<FindingPage>;

    /// One recommendation's finding on one resource.
    async fn finding(&self, recommendation: &str, resource: &str) -> PostureResult<Option<Finding>>;

    /// Counts and top recommendations over the findings matching the filter; assignments due
    /// before `today` count as overdue.
    async fn summary(&self, filter: &FindingFilter, today: Date) -> PostureResult<PostureSummary>;

    /// Vulnerabilities found on a machine or image, most severe first.
    async fn vulnerabilities(&self, resource: &str) -> PostureResult<Vec<Vulnerability>>;

    /// Attack paths matching the filter, most risky first.
    async fn attack_paths(&self, filter: &AttackPathFilter) -> PostureResult<Vec<Arc<AttackPath>>>;

    /// Security alerts matching the filter, open and most severe first.
    async fn alerts(&self, filter: &AlertFilter) -> PostureResult<Vec<Arc<Alert>>>;

    /// One alert by its id.
    async fn alert(&self, id: &str) -> PostureResult<Option<Arc<Alert>>>;

    /// Records an owner and due date for a finding (a governance assignment).
    async fn assign(&self, request: &AssignmentRequest) -> PostureResult<Governance>;

    /// The secure score of the subscriptions in scope: per subscription, per control, and what
    /// each failing recommendation costs.
    async fn secure_score(&self) -> PostureResult<ScoreCard>;

    /// Looks up a person of the tenant's directory by a name or handle ("dana"); sources
    /// without a directory return `None` and the chat platform's profile is used instead.
    async fn person(&self, handle: &str) -> PostureResult<Option<Person>>;
}
