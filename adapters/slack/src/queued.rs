//! What the Slack adapter keeps in the durable inbox until it is answered: messages secbot
//! read, uses of `/secbot`, and clicks on its buttons.

use secbot_chat::{Origin, Payload};
use serde::{Deserialize, Serialize};

use crate::deliver::Place;

/// A message secbot should read, taken out of an event; what the queue keeps until it is answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incoming {
    /// The workspace.
    pub team: String,
    /// The channel or direct-message conversation.
    pub channel: String,
    /// The message's `ts`.
    pub ts: String,
    /// The thread to answer in; `None` at a direct message's top level.
    pub thread: Option<String>,
    /// Who wrote it.
    pub user: String,
    /// The text as Slack sent it.
    pub text: String,
    /// Whether the message is addressed to secbot (a mention or a direct message) rather than
    /// overheard in one of its threads.
    pub addressed: bool,
    /// secbot's own user id in this workspace.
    pub bot_user: Option<String>,
}

/// What the queue keeps for Slack until it is answered: a slash command, a button click, or a
/// message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Stored {
    /// A use of `/secbot`.
    Command {
        /// The command as Slack sent it.
        command: SlashCommand,
    },
    /// A click on one of secbot's buttons.
    Click {
        /// The click, with the action its button carries.
        click: Box<Clicked>,
    },
    /// A message secbot read (the queue's rows from before commands were queued have no tag).
    Message(Incoming),
}

/// The fields of a slash command secbot reads (Slack sends more); what the queue keeps until
/// the command is answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlashCommand {
    /// The workspace.
    pub team_id: String,
    /// Where the command was typed.
    pub channel_id: String,
    /// Who typed it.
    pub user_id: String,
    /// Their username.
    #[serde(default)]
    pub user_name: Option<String>,
    /// The command (`/secbot`).
    pub command: String,
    /// What follows the command.
    #[serde(default)]
    pub text: String,
    /// Where to answer when secbot cannot post in the channel.
    pub response_url: String,
    /// For opening a modal; unique to each use of the command, so also its key in the queue.
    pub trigger_id: String,
}

/// A click secbot acknowledged and answers from the queue: where it happened, who clicked, and
/// the action its button carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clicked {
    /// Where the answer goes.
    pub place: Place,
    /// Who clicked, where and when.
    pub origin: Origin,
    /// What the button does.
    pub payload: Payload,
    /// The `ts` of the clicked message.
    pub clicked: Option<String>,
    /// The click's `trigger_id`, for a form it opens.
    pub trigger: String,
}
