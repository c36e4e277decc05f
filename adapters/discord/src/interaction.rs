//! The interactions Discord posts, read tolerantly: only the fields secbot uses, each optional
//! where Discord's own documented examples leave it out. (serenity's model requires fields such
//! as `application_id`, `locale`, `entitlements` and `attachment_size_limit`, which those
//! examples omit, so incoming payloads are read with these types; serenity builds the answers.)

use std::collections::HashMap;

use secbot_chat::{Origin, Person, Platform, Prompt};
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

/// `PING`: Discord checking the endpoint.
pub(crate) const PING: u8 = 1;
/// `APPLICATION_COMMAND`: a slash command.
pub(crate) const APPLICATION_COMMAND: u8 = 2;
/// `MESSAGE_COMPONENT`: a button press.
pub(crate) const MESSAGE_COMPONENT: u8 = 3;
/// `APPLICATION_COMMAND_AUTOCOMPLETE`: typing in an option.
pub(crate) const AUTOCOMPLETE: u8 = 4;
/// `MODAL_SUBMIT`: a submitted form.
pub(crate) const MODAL_SUBMIT: u8 = 5;

/// Discord's epoch (2015-01-01) in milliseconds since the Unix epoch.
const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;
/// The tenant of interactions outside a server.
pub(crate) const DIRECT_TENANT: &str = "dm";

/// The first thing read from a verified body: its type, so a PING is answered without the rest.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope {
    /// The interaction type.
    #[serde(rename = "type")]
    pub kind: u8,
}

/// An interaction, with the fields secbot uses.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Interaction {
    /// The interaction id (a snowflake): the dedupe key.
    pub id: String,
    /// The token for answering through the interaction webhook (valid 15 minutes).
    pub token: String,
    /// The server, absent in direct messages.
    #[serde(default)]
    pub guild_id: Option<String>,
    /// The channel id.
    #[serde(default)]
    pub channel_id: Option<String>,
    /// The channel, with its type and (for threads) parent.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// The member who acted, in a server.
    #[serde(default)]
    pub member: Option<Member>,
    /// The user who acted, outside a server.
    #[serde(default)]
    pub user: Option<User>,
    /// What the interaction carries.
    #[serde(default)]
    pub data: Data,
}

/// A channel as interactions describe it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Channel {
    /// The channel id.
    pub id: String,
    /// The channel type (11 and 12 are threads, 10 an announcement thread).
    #[serde(rename = "type", default)]
    pub kind: u8,
    /// The channel a thread belongs to.
    #[serde(default)]
    pub parent_id: Option<String>,
}

/// A server member.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Member {
    /// The member's user.
    #[serde(default)]
    pub user: Option<User>,
    /// The member's nickname in the server.
    #[serde(default)]
    pub nick: Option<String>,
    /// The ids of the member's roles in the server.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// A Discord user.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct User {
    /// The user id (a snowflake).
    pub id: String,
    /// The unique username.
    #[serde(default)]
    pub username: String,
    /// The display name, when set.
    #[serde(default)]
    pub global_name: Option<String>,
    /// True for bots (secbot itself among them).
    #[serde(default)]
    pub bot: bool,
}

impl User {
    /// The user as a mentioned person, named by the username "@name" reads as.
    pub fn person(&self) -> Person {
        Person { id: self.id.clone(), name: self.username.clone(), email: None }
    }
}

/// The interaction's data: a command's name and options, a button's `custom_id`, or a
/// modal's `custom_id` and inputs.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Data {
    /// The command name.
    #[serde(default)]
    pub name: Option<String>,
    /// The command's options (a subcommand is an option with options of its own).
    #[serde(default)]
    pub options: Vec<CommandOption>,
    /// Users and members the options mention.
    #[serde(default)]
    pub resolved: Resolved,
    /// The button's or modal's `custom_id`.
    #[serde(default)]
    pub custom_id: Option<String>,
    /// The kind of component pressed (2 is a button).
    #[serde(default)]
    pub component_type: Option<u8>,
    /// A modal's inputs, nested in rows.
    #[serde(default)]
    pub components: Vec<Value>,
}

/// A command option or subcommand.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CommandOption {
    /// The option name.
    pub name: String,
    /// The option value, for options that are not subcommands.
    #[serde(default)]
    pub value: Option<Value>,
    /// The options of a subcommand.
    #[serde(default)]
    pub options: Vec<CommandOption>,
}

/// Users an interaction's options mention, by id.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Resolved {
    /// Users by id.
    #[serde(default)]
    pub users: HashMap<String, User>,
}

/// What a `/secbot` command asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Asked {
    /// `/secbot ask prompt:<text>`.
    Ask(String),
    /// `/secbot help`.
    Help,
}

impl Interaction {
    /// Who acted, with the name people know them by in this server.
    pub fn person(&self) -> Option<Person> {
        let member = self.member.as_ref();
        let user = member.and_then(|m| m.user.as_ref()).or(self.user.as_ref())?;
        Some(Person { id: user.id.clone(), name: display_name(member, user), email: None })
    }

    /// The channel a thread belongs to, when the interaction happened in a thread.
    pub fn thread_parent(&self) -> Option<&str> {
        let channel = self.channel.as_ref()?;
        matches!(channel.kind, 10..=12).then_some(channel.parent_id.as_deref()).flatten()
    }

    /// The channel id, from the channel object or the plain id.
    pub fn channel_id(&self) -> Option<&str> {
        self.channel.as_ref().map(|c| c.id.as_str()).or(self.channel_id.as_deref())
    }

    /// True for a server channel that is not a thread: where an answer can start a thread.
    pub fn in_server_channel(&self) -> bool {
        self.guild_id.is_some() && self.thread_parent().is_none() && self.channel_id().is_some()
    }

    /// Where it happened, in the common model: in a thread the parent channel is the channel
    /// and the thread is the thread; elsewhere there is no thread.
    pub fn origin(&self) -> Option<Origin> {
        let user = self.person()?;
        let channel = self.channel_id()?;
        let (channel, thread) = match self.thread_parent() {
            Some(parent) => (parent.to_owned(), Some(channel.to_owned())),
            None => (channel.to_owned(), None),
        };
        Some(Origin {
            platform: Platform::Discord,
            tenant: self.guild_id.clone().unwrap_or_else(|| DIRECT_TENANT.to_owned()),
            channel,
            thread,
            message: Some(self.id.clone()),
            user,
            roles: self.member.as_ref().map(|m| m.roles.clone()).unwrap_or_default(),
            service_url: None,
            time: snowflake_time(&self.id).unwrap_or_else(OffsetDateTime::now_utc),
        })
    }

    /// The `/secbot` subcommand and its prompt, if this is one secbot knows.
    pub fn asked(&self) -> Option<Asked> {
        if self.data.name.as_deref() != Some("secbot") {
            return None;
        }
        let sub = self.data.options.first()?;
        match sub.name.as_str() {
            "help" => Some(Asked::Help),
            "ask" => {
                let prompt = sub.options.iter().find(|o| o.name == "prompt")?;
                Some(Asked::Ask(prompt.value.as_ref()?.as_str()?.to_owned()))
            }
            _ => None,
        }
    }

    /// The prompt for a `/secbot` command: mentions of members become `@username` in the text
    /// and are listed, in order, as the people the prompt mentions.
    pub fn prompt(&self, origin: Origin, asked: &Asked) -> Prompt {
        let text = match asked {
            Asked::Help => return Prompt { origin, text: "help".to_owned(), mentions: Vec::new() },
            Asked::Ask(text) => text,
        };
        let (text, mentions) = read_mentions(text, |id| self.data.resolved.users.get(id).map(User::person));
        Prompt { origin, text, mentions }
    }

    /// The text written in a feedback modal's comment box.
    pub fn comment(&self, input: &str) -> String {
        fn find(value: &Value, input: &str) -> Option<String> {
            match value {
                Value::Object(map) => {
                    if map.get("custom_id").and_then(Value::as_str) == Some(input) {
                        return map.get("value").and_then(Value::as_str).map(str::to_owned);
                    }
                    map.values().find_map(|v| find(v, input))
                }
                Value::Array(items) => items.iter().find_map(|v| find(v, input)),
                _ => None,
            }
        }
        self.data.components.iter().find_map(|c| find(c, input)).unwrap_or_default()
    }
}

/// What a person is called where they acted: their nickname in the server, else their display
/// name, else their username.
pub(crate) fn display_name(member: Option<&Member>, user: &User) -> String {
    member
        .and_then(|m| m.nick.clone())
        .or_else(|| user.global_name.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| user.username.clone())
}

/// A message's text as secbot reads it: each `<@id>` (or `<@!id>`) of a user `user_of` knows
/// becomes `@username`, and those people are the prompt's mentions; other markup stays.
pub(crate) fn read_mentions(text: &str, user_of: impl Fn(&str) -> Option<Person>) -> (String, Vec<Person>) {
    let mut out = String::with_capacity(text.len());
    let mut mentions: Vec<Person> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<@") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let after_bang = after.strip_prefix('!').unwrap_or(after);
        let digits = after_bang.find(|c: char| !c.is_ascii_digit()).unwrap_or(after_bang.len());
        let id = &after_bang[..digits];
        match (user_of(id), after_bang[digits..].starts_with('>')) {
            (Some(person), true) if !id.is_empty() => {
                out.push('@');
                out.push_str(&person.name);
                if !mentions.iter().any(|p| p.id == person.id) {
                    mentions.push(person);
                }
                rest = &after_bang[digits + 1..];
            }
            _ => {
                out.push_str("<@");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, mentions)
}

/// When a snowflake was made.
pub(crate) fn snowflake_time(id: &str) -> Option<OffsetDateTime> {
    let raw: u64 = id.parse().ok()?;
    let millis = i64::try_from(raw >> 22).ok()? + DISCORD_EPOCH_MS;
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Interaction {
        serde_json::from_str(json).unwrap()
    }

    fn kind(json: &str) -> u8 {
        serde_json::from_str::<Envelope>(json).unwrap().kind
    }

    #[test]
    fn an_ask_in_a_channel_has_no_thread() {
        let ix = read(include_str!("../fixtures/command_ask.json"));
        assert_eq!(ix.asked(), Some(Asked::Ask("Show resources with high severity vulnerabilities".into())));
        assert!(ix.in_server_channel());
        let origin = ix.origin().unwrap();
        assert_eq!(origin.platform, Platform::Discord);
        assert_eq!(origin.tenant, "1100000000000000001");
        assert_eq!(origin.channel, "1100000000000000002");
        assert_eq!(origin.thread, None);
        assert_eq!(origin.user.name, "Ana Lopez");
        assert_eq!(origin.roles, ["1100000000000000004"], "the member's roles, for approvers");
        assert_eq!(origin.time.date(), time::macros::date!(2026 - 11 - 25));
    }

    #[test]
    fn in_a_thread_the_parent_is_the_channel_and_the_thread_the_thread() {
        let ix = read(include_str!("../fixtures/command_ask_in_thread.json"));
        assert!(!ix.in_server_channel());
        let origin = ix.origin().unwrap();
        assert_eq!(origin.channel, "1100000000000000002");
        assert_eq!(origin.thread.as_deref(), Some("1100000000000000040"));
    }

    #[test]
    fn a_mentioned_member_becomes_the_prompts_mention() {
        let ix = read(include_str!("../fixtures/command_ask_mention.json"));
        let asked = ix.asked().unwrap();
        let prompt = ix.prompt(ix.origin().unwrap(), &asked);
        assert_eq!(prompt.text, "assign the 1st one to @dana.w by Friday, not <@999> or <@!x>");
        assert_eq!(prompt.mentions.len(), 1);
        assert_eq!(prompt.mentions[0].id, "1100000000000000077");
        assert_eq!(prompt.mentions[0].name, "dana.w");
    }

    #[test]
    fn help_and_direct_messages() {
        let ix = read(include_str!("../fixtures/command_help_dm.json"));
        assert_eq!(ix.asked(), Some(Asked::Help));
        let origin = ix.origin().unwrap();
        assert_eq!(origin.tenant, DIRECT_TENANT);
        assert_eq!(origin.thread, None);
        assert_eq!(origin.user.name, "raj");
        assert!(!ix.in_server_channel());
        assert_eq!(ix.prompt(origin, &Asked::Help).text, "help");
    }

    #[test]
    fn a_button_press_and_a_modal_submission() {
        assert_eq!(kind(include_str!("../fixtures/component_button.json")), MESSAGE_COMPONENT);
        let click = read(include_str!("../fixtures/component_button.json"));
        assert_eq!(click.data.custom_id.as_deref(), Some("s:abcdefghijklmnop:0"));
        assert_eq!(kind(include_str!("../fixtures/modal_submit.json")), MODAL_SUBMIT);
        let modal = read(include_str!("../fixtures/modal_submit.json"));
        assert_eq!(modal.comment("comment"), "The CVE list missed the base image.");
        assert_eq!(modal.comment("other"), "");
    }

    #[test]
    fn unknown_commands_are_not_asked() {
        assert_eq!(kind(include_str!("../fixtures/ping.json")), PING);
        let ix = read(include_str!("../fixtures/ping.json"));
        assert_eq!(ix.asked(), None);
        assert!(ix.origin().is_none(), "no user, no origin");
    }

    #[test]
    fn snowflakes_carry_their_time() {
        let t = snowflake_time("175928847299117063").unwrap();
        assert_eq!(t.unix_timestamp(), 1_462_015_105);
        assert!(snowflake_time("x").is_none());
    }
}
