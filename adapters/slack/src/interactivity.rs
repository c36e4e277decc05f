//! `POST /slack/interactivity`: button clicks (`block_actions`) and the feedback modal's
//! submission (`view_submission`). Every button goes through the assistant's one action path.
//! A rating is stored before the click is acknowledged; any other click is stored in the queue
//! before it is acknowledged, and answered from there.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use secbot_chat::{
    Card, Click, Command, Feedback, Intent, Job, Origin, Outcome, Person, Platform, Reply, Sent, Slots,
};
use serde::Deserialize;
use slack_morphism::prelude::*;
use time::OffsetDateTime;

use crate::Slack;
use crate::blocks::{self, COMMENT_INPUT, FEEDBACK_CALLBACK, ModalContext};
use crate::deliver::Outgoing;
use crate::deliver::{Place, Progress, Via};
use crate::queued::{Clicked, Stored};
use crate::verify::{Rejection, Signed};

#[derive(Deserialize)]
struct Form {
    payload: String,
}

pub(crate) async fn handle(State(slack): State<Slack>, Signed(text): Signed) -> Response {
    let form: Form = match serde_urlencoded::from_str(&text) {
        Ok(form) => form,
        Err(err) => return Rejection::malformed("the interaction body", err).into_response(),
    };
    take(slack, &form.payload).await
}

/// Takes an interaction payload however it came (a signed request's form, a Socket Mode
/// envelope): a click runs its action, a modal's submission is recorded.
pub(crate) async fn take(slack: Slack, payload: &str) -> Response {
    let event: SlackInteractionEvent = match serde_json::from_str(payload) {
        Ok(event) => event,
        Err(err) => return Rejection::malformed("the interaction payload", err).into_response(),
    };
    match event {
        SlackInteractionEvent::BlockActions(event) if !slack.admits(event.team.id.as_ref()) => {
            StatusCode::OK.into_response()
        }
        SlackInteractionEvent::ViewSubmission(event) if !slack.admits(event.team.id.as_ref()) => {
            StatusCode::OK.into_response()
        }
        SlackInteractionEvent::BlockActions(event) => slack.click(event).await,
        SlackInteractionEvent::ViewSubmission(event) => slack.submit(event).await,
        other => {
            tracing::debug!(kind = ?std::mem::discriminant(&other), "an interaction secbot does not use");
            StatusCode::OK.into_response()
        }
    }
}

/// Where a click happened: channel, the clicked message's `ts`, and its thread.
fn located(event: &SlackInteractionBlockActionsEvent) -> Option<(String, Option<String>, Option<String>)> {
    let (container_channel, clicked) = match &event.container {
        SlackInteractionActionContainer::Message(c) => {
            (c.channel_id.as_ref().map(ToString::to_string), Some(c.message_ts.to_string()))
        }
        SlackInteractionActionContainer::MessageAttachment(c) => {
            (c.channel_id.as_ref().map(ToString::to_string), Some(c.message_ts.to_string()))
        }
        SlackInteractionActionContainer::View(_) => (None, None),
    };
    let channel = event.channel.as_ref().map(|c| c.id.to_string()).or(container_channel)?;
    let thread = event
        .message
        .as_ref()
        .and_then(|m| m.origin.thread_ts.as_ref().map(ToString::to_string))
        .or_else(|| clicked.clone());
    Some((channel, clicked, thread))
}

impl Slack {
    async fn click(&self, event: SlackInteractionBlockActionsEvent) -> Response {
        let Some(action) = event.actions.as_ref().and_then(|a| a.first()) else {
            return StatusCode::OK.into_response();
        };
        let Some(pressed) = blocks::pressed(action.action_id.as_ref(), action.value.as_deref()) else {
            tracing::debug!(action_id = %action.action_id, "a button that is not secbot's");
            return StatusCode::OK.into_response();
        };
        let (Some(user), Some((channel, clicked, thread))) = (event.user.as_ref(), located(&event)) else {
            return Rejection::new(
                StatusCode::BAD_REQUEST,
                "a click needs the user and the channel it happened in",
            )
            .into_response();
        };
        let team = event.team.id.to_string();
        let place = Place {
            team: team.clone(),
            channel: channel.clone(),
            thread: thread.clone(),
            user: user.id.to_string(),
            response_url: event.response_url.as_ref().map(|u| u.0.to_string()),
        };
        let found = match pressed {
            Ok(button) => self.assistant.payload_of(button).await,
            Err(err) => Err(err.to_string()),
        };
        let payload = match found {
            Ok(payload) => payload,
            Err(why) => {
                self.later_note(place, &why);
                return StatusCode::OK.into_response();
            }
        };
        let named = Person {
            id: user.id.to_string(),
            name: user.name.clone().or_else(|| user.username.clone()).unwrap_or_else(|| user.id.to_string()),
            email: None,
        };
        let origin = Origin {
            platform: Platform::Slack,
            tenant: team.clone(),
            channel,
            thread,
            message: clicked.clone(),
            roles: Vec::new(),
            service_url: None,
            time: self.local(&team, &named.id, OffsetDateTime::now_utc()).await,
            user: named,
        };
        let trigger = event.trigger_id.to_string();
        if matches!(payload.command, Command::Rate { .. }) {
            // Stored before Slack hears back, so an acknowledged rating is never lost; the form
            // it may open must appear within Slack's 3 seconds, so it does not wait in the queue.
            let outcome = self.assistant.act(Click { origin, payload }).await;
            let worker = self.clone();
            let outgoing = answer_of(place, clicked, trigger, outcome);
            self.tasks.spawn(async move {
                if let Sent::Retry { reason, .. } = worker.send(outgoing).await {
                    tracing::warn!(reason, "Slack did not take the answer to a rating");
                }
            });
            return StatusCode::OK.into_response();
        }
        // Any other click is stored before Slack gets its 200, and answered from the queue: a
        // restart or an outage of Slack's API does not lose it, and a repeat is answered once.
        let at = action.action_ts.as_ref().map_or_else(|| trigger.clone(), ToString::to_string);
        let key = format!("slack:click:{team}:{}:{at}", place.user);
        let click = Box::new(Clicked { place, origin, payload, clicked, trigger });
        let payload = match serde_json::to_value(Stored::Click { click }) {
            Ok(payload) => payload,
            Err(err) => return Rejection::malformed("the interaction payload", err).into_response(),
        };
        match self.inbox.accept(Job { platform: Platform::Slack, key, payload }).await {
            Ok(true) => StatusCode::OK.into_response(),
            Ok(false) => {
                tracing::debug!(at, "a click already accepted; ignoring the repeat");
                StatusCode::OK.into_response()
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not record the click; asking Slack to retry");
                Rejection::new(StatusCode::SERVICE_UNAVAILABLE, err.to_string()).into_response()
            }
        }
    }

    /// Answers a stored click: runs its action as the person who clicked (with the name Slack
    /// knows them by) and says how the outcome reaches Slack.
    pub(crate) async fn answer_click(&self, click: Clicked) -> Outgoing {
        let Clicked { place, mut origin, payload, clicked, trigger } = click;
        let token = self.token(&place.team).await;
        let known = self.person(token.as_ref(), &place.team, &origin.user.id).await;
        if known.name != known.id || known.email.is_some() {
            origin.user = known;
        }
        let outcome = self.assistant.act(Click { origin, payload }).await;
        answer_of(place, clicked, trigger, outcome)
    }

    fn later_note(&self, place: Place, text: &str) {
        let worker = self.clone();
        let text = text.to_owned();
        self.tasks.spawn(async move {
            let token = worker.token(&place.team).await;
            worker.note(token.as_ref(), &place, text).await;
        });
    }

    async fn submit(&self, event: SlackInteractionViewSubmissionEvent) -> Response {
        let SlackView::Modal(modal) = &event.view.view else {
            return StatusCode::OK.into_response();
        };
        if modal.callback_id.as_ref().map(ToString::to_string).as_deref() != Some(FEEDBACK_CALLBACK) {
            return StatusCode::OK.into_response();
        }
        let context: ModalContext = match modal.private_metadata.as_deref().map(serde_json::from_str) {
            Some(Ok(context)) => context,
            _ => {
                return form_error(
                    "secbot couldn't read this form. Close it and press the rating button again.",
                );
            }
        };
        let comment = event
            .view
            .state_params
            .state
            .as_ref()
            .and_then(|s| s.values.get(&COMMENT_INPUT.into()))
            .and_then(|block| block.get(&COMMENT_INPUT.into()))
            .and_then(|v| v.value.clone())
            .unwrap_or_default();
        let user = &event.user;
        let origin = Origin {
            platform: Platform::Slack,
            tenant: event.team.id.to_string(),
            channel: context.channel.clone(),
            thread: context.thread.clone(),
            message: None,
            user: Person {
                id: user.id.to_string(),
                name: user
                    .name
                    .clone()
                    .or_else(|| user.username.clone())
                    .unwrap_or_else(|| user.id.to_string()),
                email: None,
            },
            roles: Vec::new(),
            service_url: None,
            time: OffsetDateTime::now_utc(),
        };
        let feedback = Feedback {
            origin,
            response_id: context.form.response_id.clone(),
            rating: context.form.rating,
            comment,
        };
        match self.assistant.comment(feedback).await {
            Ok(()) => {
                let place = Place {
                    team: event.team.id.to_string(),
                    channel: context.channel,
                    thread: context.thread,
                    user: user.id.to_string(),
                    response_url: None,
                };
                self.later_note(place, "Thanks, your comment was saved with your rating.");
                StatusCode::OK.into_response()
            }
            Err(err) => form_error(&err.to_string()),
        }
    }
}

/// How what a click led to reaches Slack: a reply in the thread, the clicked card replaced, or
/// the comment form opened with the click's trigger.
fn answer_of(place: Place, clicked: Option<String>, trigger: String, outcome: Outcome) -> Outgoing {
    let (reply, via) = match outcome {
        Outcome::Reply(reply) => (reply, Via::Post),
        Outcome::Replace(reply) => (reply, Via::Replace { ts: clicked }),
        Outcome::Comment(form) => {
            // The form is what is sent; the reply beside it only names the rated answer.
            let card = Card { title: form.title.clone(), ..Card::default() };
            let reply =
                Reply::new(form.response_id.clone(), "feedback", Intent::Help, Slots::default(), card);
            let context = ModalContext { form, channel: place.channel.clone(), thread: place.thread.clone() };
            (reply, Via::Modal { trigger, context })
        }
    };
    Outgoing { place, reply, progress: Progress::default(), asked: None, opens: None, via }
}

/// Keeps the modal open with a message under the text box, so nothing typed is lost.
fn form_error(text: &str) -> Response {
    Json(serde_json::json!({ "response_action": "errors", "errors": { COMMENT_INPUT: text } }))
        .into_response()
}
