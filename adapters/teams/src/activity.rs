//! The Bot Framework activity as Teams sends it, read leniently (every field may be missing),
//! and what secbot takes from it: where it happened ([`Activity::origin`]) and which thread.

use secbot_chat::{Origin, Person, Platform};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The part of a channel conversation id that names the thread's root message.
const MESSAGE_ID: &str = ";messageid=";

/// An inbound Bot Framework activity (`message`, `invoke`, `conversationUpdate`, …).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Activity {
    /// The activity type: `message`, `invoke`, `conversationUpdate`, …
    #[serde(rename = "type", deserialize_with = "nullable")]
    pub kind: String,
    /// The activity id; retries of one delivery carry the same id.
    pub id: Option<String>,
    /// The invoke name (`adaptiveCard/action`).
    pub name: Option<String>,
    /// When it was sent (UTC, RFC 3339).
    pub timestamp: Option<String>,
    /// When it was sent, in the sender's time zone.
    pub local_timestamp: Option<String>,
    /// The channel (`msteams`).
    pub channel_id: Option<String>,
    /// The connector endpoint replies go to.
    pub service_url: Option<String>,
    /// Who sent it.
    pub from: Option<Account>,
    /// The conversation it belongs to.
    pub conversation: Option<Conversation>,
    /// The bot, as addressed.
    pub recipient: Option<Account>,
    /// The message text, with `<at>…</at>` mention tags.
    pub text: Option<String>,
    /// Mentions, client info and other entities.
    #[serde(deserialize_with = "nullable")]
    pub entities: Vec<Entity>,
    /// Teams' channel data (tenant, team, channel).
    pub channel_data: Option<ChannelData>,
    /// The activity this one answers (the card a submit came from).
    pub reply_to_id: Option<String>,
    /// An invoke's or a card submit's value.
    pub value: Option<Value>,
    /// Members added to the conversation (`conversationUpdate`).
    #[serde(deserialize_with = "nullable")]
    pub members_added: Vec<Account>,
}

/// A user or bot account.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Account {
    /// The channel id (`29:…` for users, `28:…` for bots).
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    /// The display name.
    pub name: Option<String>,
    /// The user's Azure AD object id.
    pub aad_object_id: Option<String>,
}

/// A conversation: a channel (thread), a group chat or a personal chat.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Conversation {
    /// The conversation id; in a channel thread it ends with `;messageid=<root id>`.
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    /// `channel`, `groupChat` or `personal`.
    pub conversation_type: Option<String>,
    /// The Azure AD tenant.
    pub tenant_id: Option<String>,
    /// Whether more than two people take part.
    pub is_group: Option<bool>,
}

/// An entity attached to an activity; secbot reads mentions.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Entity {
    /// `mention`, `clientInfo`, …
    #[serde(rename = "type", deserialize_with = "nullable")]
    pub kind: String,
    /// The mentioned account.
    pub mentioned: Option<Account>,
    /// The mention's text as it appears in the message (`<at>Name</at>`); Teams sometimes
    /// leaves it out.
    pub text: Option<String>,
}

/// Teams' channel data.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChannelData {
    /// The Azure AD tenant.
    pub tenant: Option<IdOnly>,
    /// The team, in a channel.
    pub team: Option<IdOnly>,
    /// The channel, in a team.
    pub channel: Option<IdOnly>,
    /// The conversation event (`teamMemberAdded`, `channelCreated`, …).
    pub event_type: Option<String>,
}

/// An object Teams identifies by id alone.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IdOnly {
    /// The id.
    #[serde(deserialize_with = "nullable")]
    pub id: String,
}

/// Reads `null` as the type's default, so a `null` list or string never rejects an activity.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A conversation id split into the conversation and, in a channel thread, the thread's root.
pub(crate) fn split_thread(conversation_id: &str) -> (&str, Option<&str>) {
    match conversation_id.split_once(MESSAGE_ID) {
        Some((base, root)) if !root.is_empty() => (base, Some(root)),
        Some((base, _)) => (base, None),
        None => (conversation_id, None),
    }
}

impl Activity {
    /// The conversation id ("" when missing).
    pub(crate) fn conversation_id(&self) -> &str {
        self.conversation.as_ref().map_or("", |c| c.id.as_str())
    }

    /// The Azure AD tenant the activity came from.
    pub(crate) fn tenant(&self) -> Option<&str> {
        self.channel_data
            .as_ref()
            .and_then(|d| d.tenant.as_ref())
            .map(|t| t.id.as_str())
            .or_else(|| self.conversation.as_ref().and_then(|c| c.tenant_id.as_deref()))
            .filter(|t| !t.is_empty())
    }

    /// The team the conversation belongs to, in a channel.
    pub(crate) fn team(&self) -> Option<&str> {
        self.channel_data
            .as_ref()
            .and_then(|d| d.team.as_ref())
            .map(|t| t.id.as_str())
            .filter(|t| !t.is_empty())
    }

    /// Whether the bot itself is among the members just added.
    pub(crate) fn adds_the_bot(&self) -> bool {
        self.recipient
            .as_ref()
            .is_some_and(|bot| !bot.id.is_empty() && self.members_added.iter().any(|m| m.id == bot.id))
    }

    /// When it happened: the sender's local time when given (so "by Friday" means their
    /// Friday), else the UTC timestamp, else now.
    pub(crate) fn time(&self) -> OffsetDateTime {
        [self.local_timestamp.as_deref(), self.timestamp.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
            .unwrap_or_else(OffsetDateTime::now_utc)
    }

    /// Who sent it.
    pub(crate) fn sender(&self) -> Person {
        let from = self.from.clone().unwrap_or_default();
        let name = from.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| from.id.clone());
        Person { id: from.id, name, email: None }
    }

    /// Where it happened and who did it: the tenant, the conversation (without its thread
    /// suffix) and, in a channel, the thread root.
    pub(crate) fn origin(&self) -> Origin {
        let (channel, thread) = split_thread(self.conversation_id());
        Origin {
            platform: Platform::Teams,
            tenant: self.tenant().unwrap_or("teams").to_owned(),
            channel: channel.to_owned(),
            thread: thread.map(str::to_owned),
            message: self.id.clone(),
            user: self.sender(),
            roles: Vec::new(),
            service_url: self.service_url.clone(),
            time: self.time(),
        }
    }
}

/// True for a GUID (`00000000-0000-0000-0000-000000000000`): an Azure AD object id or an app id.
pub(crate) fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHANNEL: &str = include_str!("../fixtures/message_channel_mention.json");
    const PERSONAL: &str = include_str!("../fixtures/message_personal.json");
    const GROUP: &str = include_str!("../fixtures/message_group_chat.json");
    const BOT_ADDED: &str = include_str!("../fixtures/conversation_update_bot_added.json");
    const MEMBER_ADDED: &str = include_str!("../fixtures/conversation_update_member_added.json");
    const INVOKE: &str = include_str!("../fixtures/invoke_adaptive_card_action.json");
    const SUBMIT: &str = include_str!("../fixtures/message_action_submit.json");
    const UNNAMED_INVOKE: &str = include_str!("../fixtures/invoke_unnamed.json");

    fn parse(text: &str) -> Activity {
        serde_json::from_str(text).expect("the fixture parses")
    }

    #[test]
    fn thread_ids_are_split_from_channel_conversation_ids() {
        assert_eq!(
            split_thread("19:abc@thread.tacv2;messageid=1700000000001"),
            ("19:abc@thread.tacv2", Some("1700000000001"))
        );
        assert_eq!(split_thread("19:abc@thread.tacv2"), ("19:abc@thread.tacv2", None));
        assert_eq!(split_thread("19:abc@thread.tacv2;messageid="), ("19:abc@thread.tacv2", None));
        assert_eq!(split_thread("a:1xyz"), ("a:1xyz", None));
    }

    #[test]
    fn a_channel_message_is_placed_in_its_thread() {
        let activity = parse(CHANNEL);
        let origin = activity.origin();
        assert_eq!(origin.platform, Platform::Teams);
        assert_eq!(origin.tenant, "6e1b3f00-0000-4000-8000-00000000c0de");
        assert_eq!(origin.channel, "19:5f3e0c2a9b1d4c7e8f6a2b3c4d5e6f70@thread.tacv2");
        assert_eq!(origin.thread.as_deref(), Some("1732536000123"));
        assert_eq!(origin.message.as_deref(), Some("1732536000123"));
        assert_eq!(origin.user.name, "Ana Costa");
        assert_eq!(origin.time.date(), time::macros::date!(2026 - 11 - 25));
        assert_eq!(activity.team(), Some("19:team0c2a9b1d4c7e8f6a2b3c4d5e6f70@thread.tacv2"));
    }

    #[test]
    fn personal_and_group_chats_have_no_thread() {
        for fixture in [PERSONAL, GROUP] {
            let origin = parse(fixture).origin();
            assert_eq!(origin.thread, None);
            assert!(!origin.channel.is_empty());
            assert_eq!(origin.tenant, "6e1b3f00-0000-4000-8000-00000000c0de");
        }
    }

    #[test]
    fn only_the_bot_being_added_counts_as_an_install() {
        assert!(parse(BOT_ADDED).adds_the_bot());
        assert!(!parse(MEMBER_ADDED).adds_the_bot());
        assert!(!parse(CHANNEL).adds_the_bot());
    }

    #[test]
    fn invokes_and_submits_carry_their_values() {
        let invoke = parse(INVOKE);
        assert_eq!(invoke.kind, "invoke");
        assert_eq!(invoke.name.as_deref(), Some("adaptiveCard/action"));
        assert!(invoke.value.as_ref().is_some_and(|v| v["action"]["data"]["secbot"].is_string()));
        let submit = parse(SUBMIT);
        assert_eq!(submit.kind, "message");
        assert!(submit.value.as_ref().is_some_and(|v| v["secbot"].is_string()));
        assert!(submit.reply_to_id.is_some());
        assert_eq!(parse(UNNAMED_INVOKE).name, None);
    }

    #[test]
    fn nulls_and_missing_fields_never_reject_an_activity() {
        let activity: Activity =
            serde_json::from_str(r#"{"type":null,"entities":null,"membersAdded":null,"from":{"id":null}}"#)
                .expect("parses");
        assert_eq!(activity.kind, "");
        assert!(activity.entities.is_empty());
        let origin = activity.origin();
        assert_eq!(origin.tenant, "teams");
        assert_eq!(origin.thread, None);
        let card: Activity = serde_json::from_str(r#"{"type":"AdaptiveCard","version":"1.4","body":[]}"#)
            .expect("anything with a type parses");
        assert_eq!(card.kind, "AdaptiveCard");
    }
}
