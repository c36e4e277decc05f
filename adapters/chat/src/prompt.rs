//! Who asked what, where: the platform-neutral form of an incoming message.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The chat surface a prompt came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// Slack (Events API, interactivity, slash command).
    Slack,
    /// Microsoft Teams (Bot Framework).
    Teams,
    /// Discord (HTTP interactions).
    Discord,
    /// The web chat served by `secbot serve`.
    Webchat,
    /// `secbot ask` and `secbot chat` in a terminal.
    Terminal,
}

impl Platform {
    /// The lowercase name used in keys, logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Slack => "slack",
            Platform::Teams => "teams",
            Platform::Discord => "discord",
            Platform::Webchat => "webchat",
            Platform::Terminal => "terminal",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person on a chat platform: the asker, a mentioned member, a delegated owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The platform's user id (`U024BE7LH`, an AAD object id, a Discord snowflake) or, where the
    /// platform has none, the name as written.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The email address, when known; governance assignments need it as the owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Person {
    /// A person known only by an id that doubles as their name.
    pub fn named(id: impl Into<String>) -> Person {
        let id = id.into();
        Person { name: id.clone(), id, email: None }
    }
}

/// Where a message or click happened and who did it; everything needed to answer in the right
/// thread and to find the thread's context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// The chat surface.
    pub platform: Platform,
    /// The workspace, Teams tenant or Discord guild.
    pub tenant: String,
    /// The channel or conversation.
    pub channel: String,
    /// The thread root's id, when the message is in (or starts) a thread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    /// The platform's id of this message or click.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Who wrote or clicked.
    pub user: Person,
    /// The roles or groups the platform says that person has in this place (Discord's member
    /// roles); empty where the platform does not say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Where the platform takes messages for this place, when it names one (Teams'
    /// `serviceUrl`): kept with a watch so secbot can post there later on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_url: Option<String>,
    /// When it happened; relative dates such as "by Friday" resolve against it.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
}

impl Origin {
    /// The key under which this conversation's context (subject, last list) is remembered.
    pub fn thread_key(&self) -> ThreadKey {
        ThreadKey {
            platform: self.platform,
            tenant: self.tenant.clone(),
            channel: self.channel.clone(),
            thread: self.thread.clone().unwrap_or_default(),
        }
    }
}

/// Identifies one conversation thread across platforms: (platform, tenant, channel, thread).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ThreadKey {
    /// The chat surface.
    pub platform: Platform,
    /// The workspace, Teams tenant or Discord guild.
    pub tenant: String,
    /// The channel or conversation.
    pub channel: String,
    /// The thread root's id; empty for a channel's top level.
    pub thread: String,
}

impl fmt::Display for ThreadKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}/{}", self.platform, self.tenant, self.channel, self.thread)
    }
}

/// A message to secbot, in platform-neutral form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prompt {
    /// Who asked, where and when.
    pub origin: Origin,
    /// The text, with secbot's own mention removed.
    pub text: String,
    /// Other people the message mentions, in order (for delegation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Person>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thread_key_ignores_who_asked_and_when() {
        let mut origin = Origin {
            platform: Platform::Slack,
            tenant: "T1".into(),
            channel: "C1".into(),
            thread: Some("1700000000.000100".into()),
            message: Some("1700000001.000200".into()),
            user: Person::named("U1"),
            roles: Vec::new(),
            service_url: None,
            time: OffsetDateTime::UNIX_EPOCH,
        };
        let key = origin.thread_key();
        origin.user = Person::named("U2");
        origin.message = None;
        assert_eq!(origin.thread_key(), key);
        origin.thread = None;
        assert_ne!(origin.thread_key(), key);
        assert_eq!(key.to_string(), "slack/T1/C1/1700000000.000100");
    }
}
