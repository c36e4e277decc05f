//! The common chat model of secbot: what a person asked ([`Prompt`]), what it is about
//! ([`Subject`]), what secbot answers ([`Reply`] holding a platform-neutral [`Card`]) and what a
//! button does ([`Action`]). Platform adapters translate their payloads into these types and
//! render cards back; skills produce them. This crate does no I/O (clients of other services report
//! their calls through [`calls`]).

mod action;
mod assistant;
pub mod calls;
mod card;
pub mod chart;
pub mod dates;
pub mod delivery;
pub mod inbox;
mod prompt;
mod reply;
mod secret;
mod slots;
mod subject;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod vocabulary;

pub use action::{
    Action, ActionError, ActionStyle, ButtonRef, Command, Delegation, Payload, Rating, ResponseId,
};
pub use assistant::{Assistant, AssistantError, Click, CommentForm, EXPIRED, Feedback, Outcome};
pub use card::{Card, CodeBlock, Fact, Footer, Item, Link, Section};
pub use chart::Chart;
pub use inbox::{Inbox, Job, Notice, Sent, Worker};
pub use prompt::{Origin, Person, Platform, Prompt, ThreadKey};
pub use reply::{DirectMessage, Reading, Reply};
pub use secret::Secret;
pub use slots::{Exposure, Intent, Slots};
pub use subject::Subject;
pub use vocabulary::{Cloud, ResourceKind, Severity, UnknownTerm};
