//! Notices secbot posts in Teams on its own (a watch's new finding, and later the word that it
//! was fixed), as proactive messages to the conversation the watch was set up in: in a channel a
//! new thread whose context is the notice's, and a later notice in that thread; in a chat, the
//! chat itself.

use secbot_chat::{Notice, Sent};
use serde::{Deserialize, Serialize};

use super::{Adapter, card_message};
use crate::render::render_card;

/// A notice on its way, and how far it got (a retry picks up there).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Announcing {
    pub(super) notice: Notice,
    /// The thread the first page started, in a channel.
    #[serde(default)]
    thread: Option<String>,
    /// Pages of the card posted.
    #[serde(default)]
    posted: usize,
}

impl Announcing {
    /// A notice not sent yet.
    pub(super) fn of(notice: Notice) -> Announcing {
        Announcing { notice, thread: None, posted: 0 }
    }
}

/// True for a Teams channel's conversation id (a team's channel, which has threads), as opposed
/// to a group or personal chat.
fn is_channel(conversation: &str) -> bool {
    conversation.ends_with("@thread.tacv2") || conversation.ends_with("@thread.skype")
}

impl Adapter {
    /// Posts a notice, picking up where a failed try stopped.
    pub(super) async fn announce(&self, mut announcing: Announcing) -> Sent {
        let place = announcing.notice.place.clone();
        let Some(service_url) = place.service_url.as_deref() else {
            return Sent::Failed(
                "the watch has no Teams service URL to post to; set it up again from Teams".to_owned(),
            );
        };
        let reply = &announcing.notice.reply;
        let pages = render_card(&reply.card, Some(&reply.response_id));
        let starts = place.thread.is_none() && is_channel(&place.channel);
        for page in pages.into_iter().skip(announcing.posted) {
            let message = card_message(page, &reply.card.title, None);
            let thread = place.thread.clone().or_else(|| announcing.thread.clone());
            let sent = match (&thread, starts) {
                (None, true) => self
                    .connector
                    .start_thread(service_url, &place.channel, &place.tenant, &message)
                    .await
                    .map(|root| {
                        announcing.thread = Some(root);
                    }),
                (Some(root), _) => {
                    let conversation = format!("{};messageid={root}", place.channel);
                    self.connector.send(service_url, &conversation, &message).await.map(|_| ())
                }
                (None, false) => self.connector.send(service_url, &place.channel, &message).await.map(|_| ()),
            };
            if let Err(err) = sent {
                let reason = err.to_string();
                if !err.is_transient() {
                    tracing::warn!(error = %err, "a Teams notice was refused");
                    return Sent::Failed(reason);
                }
                return match serde_json::to_value(&announcing) {
                    Ok(rest) => Sent::Retry { after: None, reason, rest },
                    Err(_) => Sent::Failed(reason),
                };
            }
            announcing.posted += 1;
        }
        if !reply.direct.is_empty() {
            // The conversation the watch or assignment was made in stands in for an incoming
            // activity: its service URL, tenant and members are where the owner is found.
            let conversation = serde_json::json!({
                "type": "message",
                "serviceUrl": service_url,
                "conversation": {"id": place.channel},
                "channelData": {"tenant": {"id": place.tenant}},
            });
            match crate::activity::Activity::deserialize(&conversation) {
                Ok(activity) => self.send_direct(&activity, &reply.direct).await,
                Err(err) => tracing::warn!(error = %err, "a notice's direct messages were not sent"),
            }
        }
        if let Some(opens) = &announcing.notice.opens {
            let thread = announcing.thread.clone().unwrap_or_default();
            if let Err(err) = self.assistant.continue_thread(opens, &announcing.notice.started(&thread)).await
            {
                tracing::warn!(error = %err, "the notice's thread starts without its context");
            }
        }
        Sent::Done
    }
}
