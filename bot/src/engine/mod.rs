//! The engine: secbot as every adapter sees it. It checks and parses a prompt, resolves what the
//! thread is about, runs the matching skill (or ranks skills for an unmatched security question),
//! adds the feedback footer, remembers the thread's context and stores the reply. Button clicks
//! from every platform come through [`Engine::act`].

mod input;
mod resolve;

use std::sync::Arc;

use async_trait::async_trait;
use secbot_chat::{
    Action, Assistant, AssistantError, Card, Click, Command, CommentForm, Feedback, Footer, Intent, Origin,
    Outcome, Payload, Platform, Prompt, Rating, Reply, ResponseId, Slots, Subject,
};
use secbot_skills::intent::{Lexicon, Parse, parse};
use secbot_skills::posture::PostureSource;
use secbot_skills::skill::{self, Answer, Request, SkillError};
use time::OffsetDateTime;

pub use self::input::MAX_PROMPT_CHARS;
use self::input::Unreadable;
use self::resolve::Plan;
use crate::metrics::Metrics;
use crate::store::{
    CLAIM_TTL, DelegationRecord, FeedbackRecord, ListContext, ReplyRecord, Store, ThreadContext,
};

/// secbot's brain: a posture source, the parser's lexicon and a store.
pub struct Engine {
    source: Arc<dyn PostureSource>,
    lexicon: Arc<Lexicon>,
    store: Arc<dyn Store>,
    scope: Vec<String>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("source", &self.source.info()).field("scope", &self.scope).finish()
    }
}

/// A new random response id: 16 lowercase base32 characters (80 bits).
pub fn new_response_id() -> ResponseId {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bytes = [0u8; 16];
    // The OS random source is always available on supported platforms; a failure would mean
    // a broken machine, and the ids would still be unique enough from the clock.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos().to_le_bytes();
        bytes.copy_from_slice(&nanos);
    }
    ResponseId(bytes.iter().map(|b| ALPHABET[usize::from(b % 32)] as char).collect())
}

impl Engine {
    /// An engine over a posture source and a store; `scope` limits every channel to those
    /// subscription ids (empty: all).
    pub fn new(
        source: Arc<dyn PostureSource>,
        lexicon: Arc<Lexicon>,
        store: Arc<dyn Store>,
        scope: Vec<String>,
    ) -> Engine {
        Engine { source, lexicon, store, scope, metrics: Arc::new(Metrics::default()) }
    }

    /// The same engine recording into shared metrics.
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Engine {
        self.metrics = metrics;
        self
    }

    /// The metrics it records.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    fn record(&self, platform: Platform, reply: &Reply, started: std::time::Instant) {
        let skill = reply.skill.clone();
        self.metrics.add(
            "secbot_prompts_total",
            vec![("platform", platform.as_str().to_owned()), ("skill", skill.clone())],
            1.0,
        );
        self.metrics.observe(
            "secbot_answer_duration_seconds",
            vec![("skill", skill.clone())],
            started.elapsed(),
        );
        let cost = skill::info(reply.intent).cost;
        if cost > 0 && reply.skill != "input" && reply.skill != "clarify" {
            self.metrics.add("secbot_usage_units_total", vec![("skill", skill)], f64::from(cost));
        }
    }

    /// The posture source.
    pub fn source(&self) -> &Arc<dyn PostureSource> {
        &self.source
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Parses a prompt as the engine would (for `--json` output and diagnostics).
    pub fn parse(&self, text: &str, origin: &Origin) -> Parse {
        parse(text, &self.lexicon, origin.time.date())
    }

    async fn context(&self, origin: &Origin) -> ThreadContext {
        match self.store.context(&origin.thread_key()).await {
            Ok(context) => context.unwrap_or_default(),
            Err(err) => {
                tracing::warn!(error = %err, "thread context unavailable; answering without it");
                ThreadContext::default()
            }
        }
    }

    async fn remember(&self, origin: &Origin, prompt: &str, reply: &Reply) {
        if !reply.ephemeral && reply.skill != "input" {
            let mut context = self.context(origin).await;
            match &reply.subject {
                Some(Subject::List { items }) => {
                    context.last_list = Some(ListContext {
                        intent: reply.intent,
                        slots: reply.slots.clone(),
                        items: items.clone(),
                    });
                    context.subject = reply.subject.clone();
                }
                Some(subject) => context.subject = Some(subject.clone()),
                None => {}
            }
            if let Err(err) = self.store.save_context(&origin.thread_key(), &context).await {
                tracing::warn!(error = %err, "could not save the thread context");
            }
        }
        let record = ReplyRecord { origin: origin.clone(), prompt: prompt.to_owned(), reply: reply.clone() };
        if let Err(err) = self.store.save_reply(&record).await {
            tracing::warn!(error = %err, response_id = %reply.response_id, "could not store the reply");
        }
    }

    fn finish(&self, id: ResponseId, intent: Intent, slots: Slots, answer: Answer, name: &str) -> Reply {
        let mut card = answer.card;
        card.footer = Some(Footer::for_response(&id));
        let mut reply = Reply::new(id, name, intent, slots, card).about(answer.subject);
        reply.direct = answer.direct;
        reply
    }

    fn trouble(&self, id: ResponseId, intent: Intent, slots: Slots, err: &SkillError) -> Reply {
        tracing::warn!(error = %err, "a skill failed");
        let mut card = Card::titled("I couldn't answer that right now");
        card.summary = Some(format!("{err}."));
        self.finish(
            id,
            intent,
            slots,
            Answer { card, subject: None, direct: Vec::new() },
            skill::info(intent).name,
        )
    }

    fn unreadable(&self, id: ResponseId, why: Unreadable) -> Reply {
        let (title, summary) = match why {
            Unreadable::Empty => (
                "Ask me something",
                "Your message was empty. Try one of these, or ask in your own words.".to_owned(),
            ),
            Unreadable::TooLong(n) => (
                "That message is too long",
                format!(
                    "It has {n} characters; I read up to {MAX_PROMPT_CHARS}. Ask the question on its own, without pasted logs or lists."
                ),
            ),
            Unreadable::NotText => (
                "I couldn't read that",
                "Your message doesn't look like text. Ask your question in words.".to_owned(),
            ),
        };
        let mut card = Card::titled(title);
        card.summary = Some(summary);
        card.actions = skill::starters(&id, 3);
        let mut reply = Reply::new(id, "input", Intent::Help, Slots::default(), card);
        reply.ephemeral = false;
        reply
    }

    async fn run(
        &self,
        origin: &Origin,
        prompt: &Prompt,
        parse: &Parse,
        plan: Plan,
        offset: u32,
        id: ResponseId,
    ) -> Reply {
        let today = origin.time.date();
        match plan {
            Plan::Clarify { intent, slots, candidates, reason } => {
                let parse = Parse { intent, slots: slots.clone(), ..parse.clone() };
                let req = Request {
                    source: self.source.as_ref(),
                    prompt,
                    parse: &parse,
                    subject: None,
                    offset,
                    response_id: &id,
                    scope: &self.scope,
                    today,
                };
                match skill::clarify(&req, intent, &candidates).await {
                    Ok(mut answer) => {
                        if let Some(reason) = reason {
                            answer.card.summary = Some(format!(
                                "{reason} {}",
                                if candidates.is_empty() { "" } else { "Pick one of these:" }
                            ));
                        }
                        self.finish(id, intent, slots, answer, "clarify")
                    }
                    Err(err) => self.trouble(id, intent, slots, &err),
                }
            }
            Plan::Run { intent, slots, subject } => {
                let parse = Parse { intent, slots: slots.clone(), ..parse.clone() };
                let req = Request {
                    source: self.source.as_ref(),
                    prompt,
                    parse: &parse,
                    subject: subject.as_ref(),
                    offset,
                    response_id: &id,
                    scope: &self.scope,
                    today,
                };
                match skill::run(intent, &req).await {
                    Ok(mut answer) => {
                        if parse.guessed {
                            self.offer_alternatives(&mut answer.card, &id, intent, &prompt.text, &slots);
                        }
                        self.finish(id, intent, slots, answer, skill::info(intent).name)
                    }
                    Err(err) => self.trouble(id, intent, slots, &err),
                }
            }
        }
    }

    /// For a question no cue matched: buttons for the next most relevant skills.
    fn offer_alternatives(
        &self,
        card: &mut Card,
        id: &ResponseId,
        chosen: Intent,
        text: &str,
        slots: &Slots,
    ) {
        let others: Vec<Intent> =
            skill::rank::rank(text).into_iter().map(|(i, _)| i).filter(|i| *i != chosen).take(2).collect();
        for other in others {
            card.actions.push(Action::new(
                format!("Try: {}", skill::info(other).name.replace('_', " ")),
                id,
                Command::Run { intent: other, subject: None, slots: slots.clone(), offset: 0 },
            ));
        }
        card.notices.push("I wasn't sure what you meant, so I answered with the closest skill.".to_owned());
    }

    async fn answer_prompt(&self, prompt: Prompt) -> Reply {
        let started = std::time::Instant::now();
        let platform = prompt.origin.platform;
        let reply = self.answer_checked(prompt).await;
        self.record(platform, &reply, started);
        reply
    }

    async fn answer_checked(&self, prompt: Prompt) -> Reply {
        let id = new_response_id();
        let text = match input::clean(&prompt.text) {
            Ok(text) => text,
            Err(why) => {
                let reply = self.unreadable(id, why);
                self.remember(&prompt.origin, "", &reply).await;
                return reply;
            }
        };
        let prompt = Prompt { text, ..prompt };
        let mut parsed = self.parse(&prompt.text, &prompt.origin);
        if parsed.guessed
            && let Some((best, _)) = skill::rank::rank(&prompt.text).first()
        {
            parsed.intent = *best;
        }
        let context = self.context(&prompt.origin).await;
        let plan = match resolve::plan(self.source.as_ref(), &parsed, &prompt.text, &context, &self.scope)
            .await
        {
            Ok(plan) => plan,
            Err(err) => {
                let reply = self.trouble(id, parsed.intent, parsed.slots.clone(), &SkillError::Posture(err));
                self.remember(&prompt.origin, &prompt.text, &reply).await;
                return reply;
            }
        };
        let reply = self.run(&prompt.origin, &prompt, &parsed, plan, 0, id).await;
        self.remember(&prompt.origin, &prompt.text, &reply).await;
        reply
    }

    async fn run_command(
        &self,
        origin: Origin,
        intent: Intent,
        subject: Option<Subject>,
        slots: Slots,
        offset: u32,
    ) -> Reply {
        let started = std::time::Instant::now();
        let id = new_response_id();
        let prompt = Prompt { origin: origin.clone(), text: String::new(), mentions: Vec::new() };
        let parse = Parse { intent, slots: slots.clone(), ..self.parse("", &origin) };
        let parse =
            Parse { needs_context: false, refinement: false, guessed: false, confidence: 1.0, ..parse };
        let plan = Plan::Run { intent, slots, subject };
        let reply = self.run(&origin, &prompt, &parse, plan, offset, id).await;
        self.remember(&origin, "", &reply).await;
        self.record(origin.platform, &reply, started);
        reply
    }

    fn note(&self, text: &str) -> Reply {
        let mut reply =
            Reply::new(new_response_id(), "feedback", Intent::Help, Slots::default(), Card::titled(text));
        reply.ephemeral = true;
        reply
    }
}

#[async_trait]
impl Assistant for Engine {
    async fn answer(&self, prompt: Prompt) -> Reply {
        self.answer_prompt(prompt).await
    }

    async fn act(&self, click: Click) -> Outcome {
        let Click { origin, payload } = click;
        match payload.command {
            Command::Run { intent, subject, slots, offset } => {
                Outcome::Reply(self.run_command(origin, intent, subject, slots, offset).await)
            }
            Command::Ask { text } => {
                Outcome::Reply(self.answer_prompt(Prompt { origin, text, mentions: Vec::new() }).await)
            }
            Command::Rate { rating } => {
                let record = FeedbackRecord {
                    response_id: payload.response_id.clone(),
                    origin,
                    rating,
                    comment: String::new(),
                };
                if let Err(err) = self.store.save_feedback(&record).await {
                    tracing::warn!(error = %err, "feedback not stored");
                    return Outcome::Reply(self.note(&AssistantError::Store(err.to_string()).to_string()));
                }
                self.metrics.add("secbot_feedback_total", vec![("rating", rating.as_str().to_owned())], 1.0);
                if rating.wants_comment() {
                    Outcome::Comment(CommentForm {
                        response_id: payload.response_id,
                        rating,
                        title: "Help secbot improve".to_owned(),
                        question: match rating {
                            Rating::Inappropriate => "What was inappropriate about this answer?".to_owned(),
                            _ => "What was wrong or missing?".to_owned(),
                        },
                    })
                } else {
                    Outcome::Reply(self.note("Thanks for the feedback."))
                }
            }
            Command::Confirm { delegation } => {
                let key = format!("confirm:{}", payload.response_id);
                let now = origin.time;
                match self.store.claim(&key, now, now + CLAIM_TTL * 30).await {
                    Ok(true) => {}
                    Ok(false) => return Outcome::Reply(self.note("That assignment was already recorded.")),
                    Err(err) => {
                        return Outcome::Reply(
                            self.note(&AssistantError::Store(err.to_string()).to_string()),
                        );
                    }
                }
                let id = new_response_id();
                let prompt = Prompt { origin: origin.clone(), text: String::new(), mentions: Vec::new() };
                let parse = Parse { intent: Intent::Delegate, ..self.parse("", &origin) };
                let req = Request {
                    source: self.source.as_ref(),
                    prompt: &prompt,
                    parse: &parse,
                    subject: Some(&delegation.subject),
                    offset: 0,
                    response_id: &id,
                    scope: &self.scope,
                    today: origin.time.date(),
                };
                let reply = match skill::confirm_delegation(&req, &delegation).await {
                    Ok(answer) => {
                        let record = DelegationRecord {
                            response_id: payload.response_id.clone(),
                            delegation: delegation.clone(),
                            origin: origin.clone(),
                        };
                        if let Err(err) = self.store.save_delegation(&record).await {
                            tracing::warn!(error = %err, "delegation recorded in the posture source but not in the store");
                        }
                        self.finish(id, Intent::Delegate, Slots::default(), answer, "delegate")
                    }
                    Err(err) => self.trouble(id, Intent::Delegate, Slots::default(), &err),
                };
                self.remember(&origin, "", &reply).await;
                Outcome::Replace(reply)
            }
            Command::Cancel { delegation } => {
                let card = skill::cancel_delegation(&delegation);
                let reply =
                    Reply::new(new_response_id(), "delegate", Intent::Delegate, Slots::default(), card);
                self.remember(&origin, "", &reply).await;
                Outcome::Replace(reply)
            }
        }
    }

    async fn comment(&self, feedback: Feedback) -> Result<(), AssistantError> {
        let record = FeedbackRecord {
            response_id: feedback.response_id,
            origin: feedback.origin,
            rating: feedback.rating,
            comment: feedback.comment.chars().take(2_000).collect(),
        };
        self.store.save_feedback(&record).await.map_err(|e| AssistantError::Store(e.to_string()))
    }

    async fn claim(&self, platform: Platform, event_id: &str) -> Result<bool, AssistantError> {
        let now = OffsetDateTime::now_utc();
        self.store
            .claim(&format!("{platform}:{event_id}"), now, now + CLAIM_TTL)
            .await
            .map_err(|e| AssistantError::Store(e.to_string()))
    }

    async fn ratings(&self, response_id: &ResponseId) -> Result<Vec<Feedback>, AssistantError> {
        let stored =
            self.store.feedback(response_id).await.map_err(|e| AssistantError::Store(e.to_string()))?;
        Ok(stored
            .into_iter()
            .map(|f| Feedback {
                origin: f.origin,
                response_id: f.response_id,
                rating: f.rating,
                comment: f.comment,
            })
            .collect())
    }

    async fn stored_payload(
        &self,
        response_id: &ResponseId,
        index: usize,
    ) -> Result<Option<Payload>, AssistantError> {
        let record = self.store.reply(response_id).await.map_err(|e| AssistantError::Store(e.to_string()))?;
        Ok(record.and_then(|r| r.reply.card.buttons().nth(index).map(|a| a.payload.clone())))
    }
}
