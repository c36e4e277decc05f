//! The skills: each turns a parsed prompt (and the subject the conversation is about) into a
//! card, using only facts from the posture source. Each has a name, a description, examples,
//! a cost in compute units and the plan it needs; [`rank`] picks skills for prompts that no
//! cue matched.

mod alerts;
mod attack_paths;
mod containment;
mod decline;
mod delegate;
pub mod digest;
mod explain;
mod help;
mod list_risks;
mod present;
mod query;
pub mod rank;
pub(crate) mod remediate;
mod score;
mod status;
mod summarize;
pub mod watch;

use secbot_chat::{Card, Delegation, DirectMessage, Intent, Prompt, ResponseId, Subject};
use time::Date;

use crate::intent::Parse;
use crate::posture::{Plan, PostureError, PostureSource};

/// A skill as people and the router see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkillInfo {
    /// The skill's name (`list_risks`).
    pub name: &'static str,
    /// The intent it answers.
    pub intent: Intent,
    /// What it does, in a sentence (shown in help and used to rank skills).
    pub description: &'static str,
    /// Prompts it answers (shown as suggestions and used to rank skills).
    pub examples: &'static [&'static str],
    /// Compute units one answer costs.
    pub cost: u32,
    /// The plan it needs for a full answer, if any.
    pub plan: Option<Plan>,
    /// It works on one subject: with none, secbot asks which one.
    pub needs_subject: bool,
}

/// Every skill, in the order help lists them.
pub const SKILLS: [SkillInfo; 8] = [
    SkillInfo {
        name: "list_risks",
        intent: Intent::ListRisks,
        description: "Lists open findings ranked by risk, filtered by severity, internet exposure, sensitive data, vulnerabilities, resource type, cloud or subscription; or Defender for Cloud's security alerts, by severity and period.",
        examples: &[
            "Show critical risks for publicly exposed resources",
            "Show critical risks to sensitive data",
            "Show resources with high severity vulnerabilities",
            "Which storage accounts are open to the internet?",
            "Show last night's high severity alerts",
        ],
        cost: 2,
        plan: None,
        needs_subject: false,
    },
    SkillInfo {
        name: "summarize",
        intent: Intent::Summarize,
        description: "Summarizes a recommendation, a resource, the current list or the whole posture: counts, affected resources, top risks and what changed.",
        examples: &[
            "Summarize our posture for the weekly standup",
            "Summarize this recommendation",
            "What happened overnight?",
        ],
        cost: 3,
        plan: None,
        needs_subject: false,
    },
    SkillInfo {
        name: "explain",
        intent: Intent::Explain,
        description: "Explains why a finding matters: what it checks, the risk factors and threats, what fixing it changes for users, and the effort.",
        examples: &[
            "Why does this matter?",
            "What happens if we ignore this for a month?",
            "Will fixing this break anything in prod?",
        ],
        cost: 2,
        plan: None,
        needs_subject: true,
    },
    SkillInfo {
        name: "remediate",
        intent: Intent::Remediate,
        description: "Gives concrete remediation steps and scripts for the affected resource: Azure CLI, PowerShell, Bicep or Terraform, and how to request an exemption.",
        examples: &["How do I fix the 2nd one?", "PowerShell to fix this", "Give me the Terraform for this"],
        cost: 3,
        plan: None,
        needs_subject: true,
    },
    SkillInfo {
        name: "delegate",
        intent: Intent::Delegate,
        description: "Assigns an owner and a due date to a finding after you confirm, records it as a governance assignment and tells the owner.",
        examples: &["Assign it to @dana by Friday", "Give the 3rd one to me, due in two weeks"],
        cost: 2,
        plan: None,
        needs_subject: true,
    },
    SkillInfo {
        name: "attack_paths",
        intent: Intent::AttackPaths,
        description: "Shows attack paths from exposed entry points to sensitive targets, and which fixes break them (needs Defender CSPM).",
        examples: &[
            "Show attack paths to sensitive data",
            "What's the blast radius of vm-web-01?",
            "Which single fix breaks the most attack paths?",
        ],
        cost: 4,
        plan: Some(Plan::DefenderCspm),
        needs_subject: false,
    },
    SkillInfo {
        name: "status",
        intent: Intent::Status,
        description: "Reports on delegated work: what is open, overdue or unassigned, by owner.",
        examples: &["What's overdue?", "What's on my plate?", "Show unassigned critical findings"],
        cost: 1,
        plan: None,
        needs_subject: false,
    },
    SkillInfo {
        name: "help",
        intent: Intent::Help,
        description: "Says what secbot can do, with sample prompts to try.",
        examples: &["What can you do?", "help"],
        cost: 0,
        plan: None,
        needs_subject: false,
    },
];

/// The skill that answers an intent; out-of-scope and unsafe prompts are answered by the
/// `decline` skill, which costs nothing.
pub fn info(intent: Intent) -> SkillInfo {
    SKILLS.iter().copied().find(|s| s.intent == intent).unwrap_or(SkillInfo {
        name: "decline",
        intent,
        description: "Declines requests outside cloud security posture and refuses unsafe ones.",
        examples: &[],
        cost: 0,
        plan: None,
        needs_subject: false,
    })
}

/// Everything a skill needs to answer.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    /// Where posture data comes from.
    pub source: &'a dyn PostureSource,
    /// The prompt as asked.
    pub prompt: &'a Prompt,
    /// The prompt as parsed (slots already merged with the thread's context).
    pub parse: &'a Parse,
    /// What the conversation is about, as resolved from the prompt, a button or the thread.
    pub subject: Option<&'a Subject>,
    /// How many list items to skip.
    pub offset: u32,
    /// The id of the reply being built (for its buttons).
    pub response_id: &'a ResponseId,
    /// The subscription ids this channel may see; empty means every subscription.
    pub scope: &'a [String],
    /// The mail domains an address read from a resource's `owner` tag may be in to be notified.
    pub notify_domains: &'a [String],
    /// The day the prompt was asked.
    pub today: Date,
}

/// A skill's answer, before the feedback footer and usage notes are added.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The card.
    pub card: Card,
    /// What the answer is about; it becomes the thread's subject.
    pub subject: Option<Subject>,
    /// Private messages to send with the answer.
    pub direct: Vec<DirectMessage>,
}

impl Answer {
    fn card(card: Card) -> Answer {
        Answer { card, subject: None, direct: Vec::new() }
    }

    fn about(mut self, subject: Option<Subject>) -> Answer {
        self.subject = subject;
        self
    }
}

/// Why a skill could not answer.
#[derive(Debug, thiserror::Error)]
pub enum SkillError {
    /// The posture source failed.
    #[error(transparent)]
    Posture(#[from] PostureError),
}

/// Runs the skill for an intent.
pub async fn run(intent: Intent, req: &Request<'_>) -> Result<Answer, SkillError> {
    match intent {
        Intent::ListRisks => list_risks::run(req).await,
        Intent::Summarize => summarize::run(req).await,
        Intent::Explain => explain::run(req).await,
        Intent::Remediate => remediate::run(req).await,
        Intent::Delegate => delegate::run(req).await,
        Intent::AttackPaths => attack_paths::run(req).await,
        Intent::Status => status::run(req).await,
        Intent::Help => Ok(help::run(req)),
        Intent::OutOfScope | Intent::Unsafe => Ok(decline::run(req)),
    }
}

/// Records a confirmed delegation and builds the card that replaces the confirmation.
pub async fn confirm_delegation(req: &Request<'_>, delegation: &Delegation) -> Result<Answer, SkillError> {
    delegate::confirm(req, delegation).await
}

/// The card shown when a proposed delegation is cancelled.
pub fn cancel_delegation(delegation: &Delegation) -> Card {
    delegate::cancelled(delegation)
}

/// The card that asks which item a follow-up is about, with a button per candidate.
pub async fn clarify(
    req: &Request<'_>,
    intent: Intent,
    candidates: &[Subject],
) -> Result<Answer, SkillError> {
    present::clarify(req, intent, candidates).await
}

/// The card that asks which reading of an unclear prompt was meant, and the readings offered.
pub async fn readings(
    req: &Request<'_>,
    readings: &[(Intent, Option<Subject>, f32)],
) -> (Answer, Vec<secbot_chat::Reading>) {
    present::readings(req, readings).await
}

pub use help::{STARTERS, menu, starters};
pub use present::{describe_subject, finding_subject};
