//! Everything secbot sends to Slack: replies in the thread, ephemeral notes, replaced cards,
//! the feedback modal, direct messages to delegated owners, and — when Slack refuses — a plain
//! sentence to the person waiting, saying what to do.

use secbot_chat::delivery::Failure;
use secbot_chat::{DirectMessage, Notice, Person, Reply, Sent, ThreadKey};
use serde::{Deserialize, Serialize};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use time::OffsetDateTime;

use crate::Slack;
use crate::api::{error_code, failure, plain_words};
use crate::blocks::{self, Message, ModalContext};

/// A reply on its way to Slack: where it goes, what it is, and how much of it went out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outgoing {
    /// Where it goes.
    pub place: Place,
    /// The reply.
    pub reply: Reply,
    /// The messages of the card already posted (a long card is several).
    #[serde(default)]
    pub progress: Progress,
    /// Set for a slash command's answer, which is posted on the asker's behalf.
    #[serde(default)]
    pub asked: Option<Asked>,
    /// Set for a notice that starts a thread: the key its context waits under until the
    /// message's `ts` names the thread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<ThreadKey>,
    /// How it reaches Slack (a click's answer may replace the clicked card or open a form).
    #[serde(default, skip_serializing_if = "Via::is_post")]
    pub via: Via,
}

impl Outgoing {
    /// A notice secbot posts on its own, in the channel (or thread) it names.
    pub(crate) fn of_notice(notice: Notice) -> Outgoing {
        let place = Place {
            team: notice.place.tenant,
            channel: notice.place.channel,
            thread: notice.place.thread,
            user: notice.place.user.id,
            response_url: None,
        };
        Outgoing {
            place,
            reply: notice.reply,
            progress: Progress::default(),
            asked: None,
            opens: notice.opens,
            via: Via::Post,
        }
    }
}

/// Where a reply goes and who waits for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// The workspace.
    pub team: String,
    /// The channel (or direct-message conversation).
    pub channel: String,
    /// The thread root to reply under; `None` for a channel's or conversation's top level.
    pub thread: Option<String>,
    /// The person who asked or clicked.
    pub user: String,
    /// The response URL of a slash command or click, when there is one.
    pub response_url: Option<String>,
}

/// A reply posted on someone's behalf (a slash command's answer): it opens with what they
/// asked, since Slack does not show the command, and the thread it starts continues the
/// conversation the command was part of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asked {
    /// The command as typed (`/secbot show critical risks`).
    pub question: String,
    /// The conversation the command was typed in, whose context the reply's thread takes on.
    pub from: ThreadKey,
}

/// How far a card of several messages got: how many went out, and the first one's `ts` (the
/// rest of a top-level card goes in its thread).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Messages posted.
    pub posted: usize,
    /// The `ts` of the first.
    pub first: Option<String>,
}

/// How a reply reaches Slack: posted (in its thread, or to one person when it is ephemeral), put
/// in place of the card that was clicked, or opened as the comment form on the click's trigger.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Via {
    /// A new message (or several, for a long card).
    #[default]
    Post,
    /// `chat.update` of the clicked message (`ts`); through the click's response URL where
    /// there is no bot token. A card of several messages posts the rest in the thread.
    Replace {
        /// The clicked message.
        ts: Option<String>,
    },
    /// `views.open` with the click's trigger, which Slack honours for 3 seconds after the click.
    Modal {
        /// The click's `trigger_id`.
        trigger: String,
        /// What the form remembers about the rated card.
        context: ModalContext,
    },
}

impl Via {
    /// Whether this is the default, so stored replies from before clicks were queued read the
    /// same and new ones carry no extra field.
    pub fn is_post(&self) -> bool {
        matches!(self, Via::Post)
    }
}

/// A message sent to a response URL (slash commands and clicks).
#[derive(Debug, Serialize)]
struct Response<'a> {
    #[serde(flatten)]
    content: SlackMessageContent,
    response_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    replace_original: Option<bool>,
}

fn person_of(user: &SlackUser) -> Person {
    let profile = user.profile.as_ref();
    let name = [
        profile.and_then(|p| p.display_name.clone()),
        profile.and_then(|p| p.real_name.clone()),
        user.real_name.clone(),
        user.name.clone(),
    ]
    .into_iter()
    .flatten()
    .find(|n| !n.trim().is_empty())
    .unwrap_or_else(|| user.id.to_string());
    Person {
        id: user.id.to_string(),
        name,
        email: profile.and_then(|p| p.email.as_ref()).map(|e| e.0.clone()),
    }
}

/// True when Slack refused a post because secbot is not in the channel.
fn not_a_member(err: &SlackClientError) -> bool {
    matches!(error_code(err).as_str(), "not_in_channel" | "channel_not_found")
}

/// True for a Slack user id (`U024BE7LH`, `W0123ABC`), as opposed to a name or an email.
pub fn is_user_id(id: &str) -> bool {
    id.len() >= 3
        && (id.starts_with('U') || id.starts_with('W'))
        && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

impl Slack {
    /// The person behind a user id, with name and email from `users.info` (cached for an hour);
    /// just the id when Slack cannot say.
    pub(crate) async fn person(&self, token: Option<&SlackApiToken>, team: &str, id: &str) -> Person {
        let key = (team.to_owned(), id.to_owned());
        if let Some(known) = self.people.get(&key).await {
            return known;
        }
        let Some(token) = token else { return Person::named(id) };
        match self.client.open_session(token).users_info(&SlackApiUsersInfoRequest::new(id.into())).await {
            Ok(found) => {
                let person = person_of(&found.user);
                if let Some(offset) = found.user.tz_offset {
                    self.offsets.insert(key.clone(), offset).await;
                }
                self.people.insert(key, person.clone()).await;
                person
            }
            Err(_) => Person::named(id),
        }
    }

    /// `at` in the person's own time zone (their profile's, learned from `users.info` with their
    /// name), so "by Friday" means their Friday; unchanged when Slack has not said.
    pub(crate) async fn local(&self, team: &str, id: &str, at: OffsetDateTime) -> OffsetDateTime {
        let offset = self.offsets.get(&(team.to_owned(), id.to_owned())).await;
        match offset.and_then(|seconds| time::UtcOffset::from_whole_seconds(seconds).ok()) {
            Some(offset) => at.to_offset(offset),
            None => at,
        }
    }

    /// A message's words as secbot reads them, and the people it mentions with their names and
    /// emails (for delegation).
    pub(crate) async fn words(
        &self,
        token: Option<&SlackApiToken>,
        team: &str,
        raw: &str,
        bot_user: Option<&str>,
    ) -> (String, Vec<Person>) {
        let (text, ids) = crate::inbound::read(raw, bot_user);
        let mut mentions = Vec::with_capacity(ids.len());
        for id in &ids {
            mentions.push(self.person(token, team, id).await);
        }
        (text, mentions)
    }

    /// Posts a rendered card in a channel, under `thread` when given; the `ts` of its first
    /// message. A card larger than one message continues in the same thread.
    pub(crate) async fn post(
        &self,
        token: &SlackApiToken,
        channel: &str,
        thread: Option<&str>,
        messages: &[Message],
    ) -> Result<String, SlackClientError> {
        let mut progress = Progress::default();
        self.post_on(token, channel, thread, messages, &mut progress).await?;
        Ok(progress.first.unwrap_or_default())
    }

    /// Posts the messages of a card not posted yet, recording each one that went out.
    async fn post_on(
        &self,
        token: &SlackApiToken,
        channel: &str,
        thread: Option<&str>,
        messages: &[Message],
        progress: &mut Progress,
    ) -> Result<(), SlackClientError> {
        let session = self.client.open_session(token);
        for message in messages.iter().skip(progress.posted) {
            let under = thread.map(str::to_owned).or_else(|| progress.first.clone());
            let request = SlackApiChatPostMessageRequest::new(channel.into(), message.content())
                .opt_thread_ts(under.map(Into::into))
                .with_unfurl_links(false)
                .with_unfurl_media(false);
            let sent = session.chat_post_message(&request).await?;
            progress.first.get_or_insert_with(|| sent.ts.to_string());
            progress.posted += 1;
        }
        Ok(())
    }

    /// Sends a queued reply once: `Retry` with what is left when Slack failed or throttled,
    /// `Failed` (after telling the asker) when it refused.
    pub(crate) async fn send(&self, mut outgoing: Outgoing) -> Sent {
        let token = self.token(&outgoing.place.team).await;
        let (place, reply, asked) = (&outgoing.place, &outgoing.reply, outgoing.asked.as_ref());
        let progress = &mut outgoing.progress;
        let sent = match &outgoing.via {
            Via::Post => self.put(token.as_ref(), place, reply, asked, progress).await,
            Via::Replace { ts } => self.replace(token.as_ref(), place, ts.as_deref(), reply, progress).await,
            Via::Modal { trigger, context } => self.open_form(token.as_ref(), trigger, context).await,
        };
        match sent {
            Ok(()) => {}
            Err(None) => {
                return Sent::Failed(format!(
                    "no bot token for workspace {}; install secbot there (/slack/install)",
                    place.team
                ));
            }
            Err(Some(err)) => {
                let retry = match failure(&err) {
                    Failure::Throttled(after) => Some(after),
                    Failure::Transient => Some(None),
                    Failure::Permanent => None,
                };
                let reason = plain_words(&err);
                return match (retry, serde_json::to_value(&outgoing)) {
                    (Some(after), Ok(rest)) => Sent::Retry { after, reason, rest },
                    _ => {
                        self.tell(token.as_ref(), &outgoing.place, &err).await;
                        Sent::Failed(reason)
                    }
                };
            }
        }
        // A command's answer, or a notice, starts a thread: it continues what the command's
        // conversation (or the notice) is about.
        let continues = outgoing.asked.as_ref().map(|a| &a.from).or(outgoing.opens.as_ref());
        if let (Some(from), Some(root)) = (continues, &outgoing.progress.first)
            && outgoing.place.thread.is_none()
        {
            let to = ThreadKey {
                platform: secbot_chat::Platform::Slack,
                tenant: outgoing.place.team.clone(),
                channel: outgoing.place.channel.clone(),
                thread: root.clone(),
            };
            if let Err(err) = self.assistant.continue_thread(from, &to).await {
                tracing::warn!(error = %err, "follow-ups in the new thread will start without context");
            }
        }
        self.deliver_direct(token.as_ref(), &outgoing.place, &outgoing.reply.direct).await;
        Sent::Done
    }

    /// Puts a reply where it was asked (the messages `progress` says are not out yet): in the
    /// thread for everyone, or to the asker only when it is ephemeral; through the response URL
    /// where secbot is not a member of the channel. `Err(None)` when there is neither a bot
    /// token nor a response URL to send with.
    async fn put(
        &self,
        token: Option<&SlackApiToken>,
        place: &Place,
        reply: &Reply,
        asked: Option<&Asked>,
        progress: &mut Progress,
    ) -> Result<(), Option<SlackClientError>> {
        let messages = match asked {
            Some(asked) if !reply.ephemeral => {
                blocks::render_asked(&reply.card, &reply.text, &place.user, &asked.question)
            }
            _ => blocks::render(&reply.card, &reply.text),
        };
        match (token, reply.ephemeral, &place.response_url) {
            (_, true, Some(url)) => self.respond_all(url, &messages, "ephemeral").await,
            (Some(token), true, None) => self.post_ephemeral(token, place, &messages).await,
            (Some(token), false, url) => {
                let posted =
                    self.post_on(token, &place.channel, place.thread.as_deref(), &messages, progress).await;
                if posted.is_ok()
                    && let Some(chart) = &reply.card.chart
                {
                    let under = place.thread.as_deref().or(progress.first.as_deref());
                    if let Err(err) = self.upload_chart(token, &place.channel, under, chart).await {
                        tracing::warn!(error = %err, "the card went out without its chart");
                    }
                }
                match (posted, url) {
                    (Err(err), Some(url)) if progress.posted == 0 && not_a_member(&err) => {
                        self.respond_all(url, &messages, "in_channel").await
                    }
                    (posted, _) => posted,
                }
            }
            (None, _, Some(url)) => self.respond_all(url, &messages, "in_channel").await,
            (None, _, None) => return Err(None),
        }
        .map_err(Some)
    }

    /// Shares a card's chart in its thread as an image file (Block Kit shows images only from
    /// public URLs or uploaded files): `files.getUploadURLExternal`, the bytes to the URL it
    /// gives, then `files.completeUploadExternal` into the channel and thread.
    async fn upload_chart(
        &self,
        token: &SlackApiToken,
        channel: &str,
        thread: Option<&str>,
        chart: &secbot_chat::Chart,
    ) -> Result<(), SlackClientError> {
        let session = self.client.open_session(token);
        let bytes = chart.bytes();
        let slot = session
            .get_upload_url_external(
                &SlackApiFilesGetUploadUrlExternalRequest::new("trend.png".to_owned(), bytes.len())
                    .with_alt_txt(chart.alt.chars().take(1_000).collect()),
            )
            .await?;
        session
            .files_upload_via_url(&SlackApiFilesUploadViaUrlRequest::new(
                slot.upload_url,
                bytes,
                "image/png".to_owned(),
            ))
            .await?;
        let file = SlackApiFilesComplete::new(slot.file_id).with_title("Trend".to_owned());
        let request = SlackApiFilesCompleteUploadExternalRequest::new(vec![file])
            .with_channel_id(channel.into())
            .opt_thread_ts(thread.map(Into::into));
        session.files_complete_upload_external(&request).await.map(drop)
    }

    /// Shows a card to one person only, in the channel and thread.
    async fn post_ephemeral(
        &self,
        token: &SlackApiToken,
        place: &Place,
        messages: &[Message],
    ) -> Result<(), SlackClientError> {
        let session = self.client.open_session(token);
        for message in messages {
            let request = SlackApiChatPostEphemeralRequest::new(
                place.channel.clone().into(),
                place.user.clone().into(),
                message.content(),
            )
            .opt_thread_ts(place.thread.clone().map(Into::into));
            session.chat_post_ephemeral(&request).await?;
        }
        Ok(())
    }

    /// Sends a message to a response URL; `response_type` is `ephemeral` or `in_channel`.
    pub(crate) async fn respond(
        &self,
        url: &str,
        message: &Message,
        response_type: &str,
        replace_original: Option<bool>,
    ) -> Result<(), SlackClientError> {
        let url: url::Url = url.parse().map_err(|e: url::ParseError| {
            SlackClientError::SystemError(
                slack_morphism::errors::SlackClientSystemError::new().with_message(e.to_string()),
            )
        })?;
        let body = Response { content: message.content(), response_type, replace_original };
        let span = tracing::Span::current();
        let context = SlackClientApiCallContext {
            rate_control_params: None,
            token: None,
            tracing_span: &span,
            is_sensitive_url: true,
        };
        let _: SlackApiPostWebhookMessageResponse =
            self.client.http_api.connector.http_post_uri(url, &body, context).await?;
        Ok(())
    }

    /// Tells the person waiting, in plain words, that Slack refused what secbot tried to send.
    pub(crate) async fn tell(&self, token: Option<&SlackApiToken>, place: &Place, err: &SlackClientError) {
        self.note(token, place, plain_words(err)).await;
    }

    /// Shows one sentence to the person waiting, and to nobody else.
    pub(crate) async fn note(&self, token: Option<&SlackApiToken>, place: &Place, text: String) {
        let message = Message { blocks: Vec::new(), text: text.clone() };
        if let Some(url) = &place.response_url
            && self.respond(url, &message, "ephemeral", Some(false)).await.is_ok()
        {
            return;
        }
        if let Some(token) = token
            && self.post_ephemeral(token, place, std::slice::from_ref(&message)).await.is_ok()
        {
            return;
        }
        tracing::warn!(team = %place.team, channel = %place.channel, "could not tell the user that Slack refused the reply");
    }

    async fn respond_all(
        &self,
        url: &str,
        messages: &[Message],
        response_type: &str,
    ) -> Result<(), SlackClientError> {
        for message in messages {
            self.respond(url, message, response_type, Some(false)).await?;
        }
        Ok(())
    }

    /// Sends each direct message; a person secbot cannot reach is reported to the asker.
    pub(crate) async fn deliver_direct(
        &self,
        token: Option<&SlackApiToken>,
        place: &Place,
        direct: &[DirectMessage],
    ) {
        let Some(token) = token else { return };
        for message in direct {
            if let Err(err) = self.direct(token, message).await {
                let who = &message.to.name;
                let note = Message {
                    blocks: Vec::new(),
                    text: format!(
                        "I recorded the assignment but couldn't message {who} directly: {}",
                        plain_words(&err)
                    ),
                };
                if self.post_ephemeral(token, place, std::slice::from_ref(&note)).await.is_err() {
                    tracing::warn!(to = %who, "could not tell the asker that the direct message failed");
                }
            }
        }
    }

    async fn direct(&self, token: &SlackApiToken, message: &DirectMessage) -> Result<(), SlackClientError> {
        let session = self.client.open_session(token);
        let user = if is_user_id(&message.to.id) {
            message.to.id.clone()
        } else if let Some(email) = &message.to.email {
            let found = session
                .users_lookup_by_email(&SlackApiUsersLookupByEmailRequest::new(EmailAddress(email.clone())))
                .await?;
            found.user.id.to_string()
        } else {
            return Err(SlackClientError::ApiError(slack_morphism::errors::SlackClientApiError::new(
                "user_not_found".to_owned(),
            )));
        };
        let opened = session
            .conversations_open(&SlackApiConversationsOpenRequest::new().with_users(vec![user.into()]))
            .await?;
        let messages = blocks::render(&message.card, &message.text);
        self.post(token, opened.channel.id.as_ref(), None, &messages).await.map(|_| ())
    }

    /// Puts a reply in place of the clicked card (`ts`), or through the click's response URL
    /// where there is no bot token; the rest of a card of several messages goes in the thread.
    async fn replace(
        &self,
        token: Option<&SlackApiToken>,
        place: &Place,
        ts: Option<&str>,
        reply: &Reply,
        progress: &mut Progress,
    ) -> Result<(), Option<SlackClientError>> {
        let messages = blocks::render(&reply.card, &reply.text);
        if progress.posted == 0 {
            match (token, ts) {
                (Some(token), Some(ts)) => {
                    let request = SlackApiChatUpdateRequest::new(
                        place.channel.clone().into(),
                        messages[0].content(),
                        ts.into(),
                    );
                    self.client.open_session(token).chat_update(&request).await.map(drop).map_err(Some)?;
                }
                _ => match &place.response_url {
                    Some(url) => {
                        self.respond(url, &messages[0], "in_channel", Some(true)).await.map_err(Some)?;
                    }
                    None => return Err(None),
                },
            }
            progress.posted = 1;
        }
        match token {
            Some(token) if messages.len() > progress.posted => self
                .post_on(token, &place.channel, place.thread.as_deref().or(ts), &messages, progress)
                .await
                .map_err(Some),
            _ => Ok(()),
        }
    }

    /// Opens the comment form on a click's trigger.
    async fn open_form(
        &self,
        token: Option<&SlackApiToken>,
        trigger: &str,
        context: &ModalContext,
    ) -> Result<(), Option<SlackClientError>> {
        let token = token.ok_or(None)?;
        let request = SlackApiViewsOpenRequest::new(trigger.into(), blocks::comment_modal(context));
        self.client.open_session(token).views_open(&request).await.map(drop).map_err(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_told_apart_from_names_and_emails() {
        assert!(is_user_id("U024BE7LH"));
        assert!(is_user_id("W0123ABC"));
        assert!(!is_user_id("dana"));
        assert!(!is_user_id("dana@contoso.com"));
        assert!(!is_user_id("Uab"));
    }

    #[test]
    fn a_persons_name_prefers_the_display_name() {
        let user: SlackUser = serde_json::from_value(serde_json::json!({
            "id": "U0DANA", "name": "dana", "real_name": "Dana Whitfield",
            "profile": {"display_name": "", "real_name": "Dana Whitfield", "email": "dana@contoso.com"}
        }))
        .unwrap();
        let person = person_of(&user);
        assert_eq!(person.name, "Dana Whitfield");
        assert_eq!(person.email.as_deref(), Some("dana@contoso.com"));
    }
}
