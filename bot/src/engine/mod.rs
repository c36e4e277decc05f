//! The engine: secbot as every adapter sees it. It checks and parses a prompt, resolves what the
//! thread is about, charges the skill's cost against the budget, runs the skill (or ranks skills
//! for an unmatched security question), adds the feedback footer, remembers the thread's context
//! and stores the reply with secrets redacted. Button clicks from every platform come through
//! [`Engine::act`] — the one action path.

mod digests;
mod input;
mod policy;
mod reminders;
mod resolve;
pub mod trust;
mod watches;

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use secbot_chat::{
    Assistant, AssistantError, Card, Click, Command, CommentForm, Delegation, Feedback, Footer, Intent,
    Origin, Outcome, Payload, Platform, Prompt, Rating, Reply, ResponseId, Slots, Subject, ThreadKey,
};
use secbot_skills::intent::{CurrentLexicon, Parse, parse};
use secbot_skills::posture::PostureSource;
use secbot_skills::skill::{self, Answer, Request, SkillError};
use time::OffsetDateTime;
use tracing::Instrument as _;

pub use self::input::MAX_PROMPT_CHARS;
use self::input::Unreadable;
pub use self::policy::Policy;
use self::resolve::Decision;
use self::trust::Refused;
pub use self::watches::{Check, WatchError};
use crate::metrics::Metrics;
use crate::redact::redact;
use crate::store::{
    CLAIM_TTL, Charge, DelegationRecord, FeedbackRecord, ListContext, ReplyRecord, Store, ThreadContext,
    Usage,
};

/// How sure the parser must be before secbot answers a message in its thread that does not
/// mention it and does not follow up on what the thread shows.
const OVERHEARD_CONFIDENCE: f32 = 0.6;

/// How sure the parser must be of a follow-up on the thread, overheard, to answer it.
const OVERHEARD_FOLLOW_UP: f32 = 0.4;

/// secbot's brain: a posture source, the parser's lexicon, a store and the rules it applies.
pub struct Engine {
    source: Arc<dyn PostureSource>,
    lexicon: Arc<CurrentLexicon>,
    store: Arc<dyn Store>,
    policy: Policy,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("source", &self.source.info()).field("policy", &self.policy).finish()
    }
}

/// A new random response id: 16 lowercase base32 characters (80 bits).
pub fn new_response_id() -> ResponseId {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bytes = [0u8; 16];
    // The OS random source is always there on supported platforms; should it fail, the clock
    // still makes ids unique enough.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos().to_le_bytes();
        bytes.copy_from_slice(&nanos);
    }
    ResponseId(bytes.iter().map(|b| ALPHABET[usize::from(b % 32)] as char).collect())
}

/// What a skill run needs besides the request: the thread and the plan.
struct Run<'a> {
    origin: &'a Origin,
    prompt: &'a Prompt,
    parse: &'a Parse,
    plan: Decision,
    id: ResponseId,
}

/// What a run showed, for the thread's memory: where in its list a page started and the
/// script tool it answered in.
#[derive(Debug, Clone, Copy, Default)]
struct Shown {
    offset: u32,
    tool: Option<&'static str>,
}

impl Shown {
    /// What a plan shows; a question asked back keeps the tool the prompt named ("bicep pls"
    /// → "which one do you mean?"), for the answer that names the finding.
    fn of(plan: &Decision, parse: &Parse) -> Shown {
        match plan {
            Decision::Run { offset, tool, .. } => Shown { offset: *offset, tool: *tool },
            Decision::Clarify { .. } => Shown { offset: 0, tool: parse.tool },
            _ => Shown::default(),
        }
    }
}

/// The subjects of a card's numbered rows, when it shows two or more that each act on one:
/// the rows a person sees and counts.
fn card_rows(card: &Card) -> Option<Vec<Subject>> {
    let rows: Vec<Subject> = card
        .items
        .iter()
        .map_while(|item| {
            item.actions.iter().find_map(|a| match &a.payload.command {
                Command::Run { subject: Some(subject), .. } if !matches!(subject, Subject::List { .. }) => {
                    Some(subject.clone())
                }
                _ => None,
            })
        })
        .collect();
    (rows.len() >= 2 && rows.len() == card.items.len()).then_some(rows)
}

impl Engine {
    /// An engine over a posture source and a store, with the default policy.
    pub fn new(
        source: Arc<dyn PostureSource>,
        lexicon: Arc<CurrentLexicon>,
        store: Arc<dyn Store>,
    ) -> Engine {
        Engine { source, lexicon, store, policy: Policy::default(), metrics: Arc::new(Metrics::default()) }
    }

    /// The same engine applying another policy (scopes, budgets).
    pub fn with_policy(mut self, policy: Policy) -> Engine {
        self.policy = policy;
        self
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
        parse(text, &self.lexicon.get(), origin.time.date())
    }

    /// What a button press does, once it is in its span.
    async fn act_on(&self, click: Click) -> Outcome {
        let Click { origin, payload } = click;
        let shown = match self.shown(&origin, &payload.response_id, Some(&payload)).await {
            Ok(shown) => shown,
            Err(refused) => return Outcome::Reply(Self::refusal_note(&refused)),
        };
        if matches!(payload.command, Command::Confirm { .. } | Command::Cancel { .. })
            && let Err(refused) =
                trust::check_decider(&shown, &origin, &self.policy.approvers_of(&origin.channel))
        {
            tracing::warn!(user = %origin.user.id, response_id = %payload.response_id, "refused a delegation decision");
            return Outcome::Reply(Self::refusal_note(&refused));
        }
        match payload.command {
            Command::Run { intent, subject, slots, offset } => {
                Outcome::Reply(self.run_command(origin, intent, subject, slots, offset).await)
            }
            Command::Ask { text } => {
                Outcome::Reply(self.answer_prompt(Prompt { origin, text, mentions: Vec::new() }).await)
            }
            Command::Rate { rating } => {
                // Durable before the click is acknowledged: the adapter answers after this returns.
                if let Err(err) = self.rate(origin, &shown, rating, String::new()).await {
                    tracing::warn!(error = %err, "feedback not stored");
                    return Outcome::Reply(Self::note(&err.to_string()));
                }
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
                    Outcome::Reply(Self::note("Thanks for the feedback."))
                }
            }
            Command::Confirm { delegation } => self.confirm(origin, payload.response_id, delegation).await,
            Command::Done { delegation } => self.done(&origin, &delegation).await,
            Command::Snooze { delegation, days } => self.snooze(&origin, &delegation, days).await,
            Command::Unwatch { watch } => {
                let mut reply = self.unwatch(&origin, &watch).await;
                self.remember(&origin, "", &mut reply, Some(Shown::default())).await;
                Outcome::Reply(reply)
            }
            Command::Cancel { delegation } => {
                let card = skill::cancel_delegation(&delegation);
                let mut reply =
                    Reply::new(new_response_id(), "delegate", Intent::Delegate, Slots::default(), card);
                self.remember(&origin, "", &mut reply, Some(Shown::default())).await;
                Outcome::Replace(reply)
            }
        }
    }

    fn record(&self, platform: Platform, reply: &Reply, started: Instant) {
        self.metrics.add(
            "secbot_prompts_total",
            vec![("platform", platform.as_str().to_owned()), ("skill", reply.skill.clone())],
            1.0,
        );
        self.metrics.observe(
            "secbot_answer_duration_seconds",
            vec![("skill", reply.skill.clone())],
            started.elapsed(),
        );
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

    /// Stores the reply and what it tells about the thread: its subject, the list it showed,
    /// what was asked and in which script tool. A page after the first continues the list
    /// shown before: the reply's subject becomes the whole list so far, so "the 7th" means the
    /// row numbered 7 on whichever page it was shown. `shown` is `None` for a reply that says
    /// nothing about the thread (the message could not be read), which leaves its context as it was.
    async fn remember(&self, origin: &Origin, prompt: &str, reply: &mut Reply, shown: Option<Shown>) {
        let thread = origin.thread_key();
        let mut changed = None;
        if !reply.ephemeral
            && let Some(shown) = shown
        {
            let mut context = self.context(origin).await;
            match &mut reply.subject {
                // "how many of those are critical?" summarizes the list shown and shows its top
                // rows; "first three to omar" hands over some of its rows: the rows the thread
                // counts from stay those of the whole list.
                Some(Subject::List { items, .. })
                    if shown.offset == 0
                        && context.last_list.as_ref().is_some_and(|l| {
                            l.items.len() > items.len()
                                && ((l.items.starts_with(items)
                                    && Slots { count: None, ..l.slots.clone() }
                                        == Slots { count: None, ..reply.slots.clone() })
                                    || (reply.intent == Intent::Delegate
                                        && items.iter().all(|i| l.items.contains(i))))
                        }) =>
                {
                    // A hand-over of some of the rows is about those rows.
                    context.subject = match reply.intent {
                        Intent::Delegate => reply.subject.clone(),
                        _ => context.subject.take(),
                    };
                }
                Some(Subject::List { items, on }) => {
                    // The same list goes on, whatever the size of its pages.
                    let continued = context.last_list.as_ref().filter(|l| {
                        shown.offset > 0
                            && Slots { count: None, ..l.slots.clone() }
                                == Slots { count: None, ..reply.slots.clone() }
                            && l.items.len() == shown.offset as usize
                    });
                    let page_start = match continued {
                        Some(list) => {
                            let mut all = list.items.clone();
                            all.append(items);
                            *items = all;
                            shown.offset as usize
                        }
                        None => 0,
                    };
                    // The rows a summary shows are the top of the risk list it summarizes: "show
                    // more" continues that list.
                    let intent = match reply.intent {
                        Intent::Summarize => Intent::ListRisks,
                        other => other,
                    };
                    context.show_list(ListContext {
                        intent,
                        slots: reply.slots.clone(),
                        items: items.clone(),
                        page_start,
                    });
                    context.subject = Some(Subject::List { items: items.clone(), on: on.clone() });
                }
                Some(subject) => {
                    context.subject = Some(subject.clone());
                    // A row of an earlier list ("go back to the first list. #3 there"): that list
                    // is the one the thread counts from again.
                    if !context.last_list.as_ref().is_some_and(|l| l.items.contains(subject))
                        && let Some(earlier) =
                            context.earlier_lists.iter().rposition(|l| l.items.contains(subject))
                    {
                        let list = context.earlier_lists.remove(earlier);
                        context.show_list(list);
                    }
                    // The rows a card shows beside its one subject (the attack paths through a
                    // resource, what else is open on it) are what "details on the 2nd" picks.
                    // ("also open on this resource" under a fix does not replace the list the
                    // thread counts from.)
                    // (One path of a list of paths keeps that list: "go back to the 3rd" after
                    // looking at the 6th is the 3rd path, not the 3rd finding on the 6th.)
                    let one_of_the_paths = matches!(subject, Subject::AttackPath { .. })
                        && context
                            .last_list
                            .as_ref()
                            .is_some_and(|l| l.items.iter().any(|i| matches!(i, Subject::AttackPath { .. })));
                    if let Some(rows) = card_rows(&reply.card).filter(|_| {
                        !one_of_the_paths
                            && (context.last_list.is_none()
                                || matches!(reply.intent, Intent::AttackPaths | Intent::Status))
                    }) {
                        let intent = match rows.first() {
                            Some(Subject::AttackPath { .. }) => Intent::AttackPaths,
                            _ => Intent::ListRisks,
                        };
                        context.show_list(ListContext {
                            intent,
                            slots: reply.slots.clone(),
                            items: rows,
                            page_start: 0,
                        });
                    }
                }
                None => {}
            }
            // A decline ("lol", "yes" with nothing to confirm) leaves the question the thread
            // waits on open: "friday" after it still answers "By when?".
            if reply.skill != "decline" {
                context.pending =
                    (reply.skill == "clarify" && reply.readings.is_empty()).then_some(reply.intent);
                // Who and by when a proposed hand-over was for: "no wait, the other one" keeps them.
                let proposed = reply.skill == "delegate" && reply.slots.assignee.is_some();
                context.pending_slots = (context.pending.is_some() || proposed).then(|| Slots {
                    assignee: reply.slots.assignee.clone(),
                    due: reply.slots.due,
                    due_text: reply.slots.due_text.clone(),
                    ..Slots::default()
                });
                // A proposal has one Confirm and a Cancel ("By when?" offers several dates to
                // confirm, which a "yes" cannot choose between).
                let count = |cancel: bool| {
                    reply
                        .card
                        .actions
                        .iter()
                        .filter(|a| match a.payload.command {
                            Command::Confirm { .. } => !cancel,
                            Command::Cancel { .. } => cancel,
                            _ => false,
                        })
                        .count()
                };
                context.proposed = (count(false) == 1 && count(true) >= 1).then(|| reply.response_id.clone());
            }
            let answered = !matches!(reply.skill.as_str(), "decline" | "clarify" | "help" | "usage_limit");
            if answered {
                context.last_intent = Some(reply.intent);
            }
            // "exempt everything on Contoso Dev/Test" refused, then "what are the worst ones
            // there": a reply that names a subscription puts the thread there, answered or not.
            if answered || reply.slots.subscription.is_some() {
                context.subscription.clone_from(&reply.slots.subscription);
            }
            if (answered || context.pending.is_some())
                && let Some(tool) = shown.tool
            {
                context.last_tool = Some(tool.to_owned());
            }
            changed = Some(context);
        }
        let record =
            ReplyRecord { origin: origin.clone(), prompt: redact(prompt).into_owned(), reply: reply.clone() };
        if let Err(err) = self.store.save_turn(changed.as_ref().map(|c| (&thread, c)), &record).await {
            tracing::warn!(error = %err, response_id = %reply.response_id, "could not store the reply and the thread's context");
        }
    }

    fn finish(id: ResponseId, intent: Intent, slots: Slots, answer: Answer, name: &str) -> Reply {
        let mut card = answer.card;
        card.footer = Some(Footer::for_response(&id));
        let mut reply = Reply::new(id, name, intent, slots, card).about(answer.subject);
        reply.direct = answer.direct;
        reply
    }

    fn trouble(id: ResponseId, intent: Intent, slots: Slots, err: &SkillError) -> Reply {
        tracing::warn!(error = %err, "a skill failed");
        let mut card = Card::titled("I couldn't answer that right now");
        card.summary = Some(format!("{err}."));
        Self::finish(
            id,
            intent,
            slots,
            Answer { card, subject: None, direct: Vec::new() },
            skill::info(intent).name,
        )
    }

    /// The reply to a prompt or click the trust boundary refused, logged for whoever audits it.
    fn refuse(id: ResponseId, intent: Intent, slots: Slots, refused: &Refused) -> Reply {
        let mut card = Card::titled("I can't do that here");
        card.summary = Some(refused.to_string());
        Self::finish(id, intent, slots, Answer { card, subject: None, direct: Vec::new() }, "refused")
    }

    /// `Some` refusal when `subject` reaches outside `scope`; a source failure refuses too,
    /// since nothing can be shown that was not checked.
    async fn outside_scope(&self, subject: Option<&Subject>, scope: &[String]) -> Option<Refused> {
        let subject = subject?;
        match trust::admits(self.source.as_ref(), scope, subject).await {
            Ok(true) => None,
            Ok(false) => {
                tracing::warn!(?subject, "refused a subject outside the channel's scope");
                self.metrics.add("secbot_refused_total", vec![("why", "scope".to_owned())], 1.0);
                Some(Refused::OutOfScope)
            }
            Err(err) => Some(Refused::Unavailable(err.to_string())),
        }
    }

    /// The stored reply a click or a comment names, checked against where it happened (and,
    /// for a click, against the button it carries).
    async fn shown(
        &self,
        clicked: &Origin,
        response_id: &ResponseId,
        payload: Option<&Payload>,
    ) -> Result<ReplyRecord, Refused> {
        let stored = self.store.reply(response_id).await.map_err(|e| Refused::Unavailable(e.to_string()))?;
        let checked = match payload {
            Some(payload) => trust::check_click(stored.as_ref(), clicked, payload),
            None => trust::check_place(stored.as_ref(), clicked).map(|_| ()),
        };
        if let Err(refused) = &checked {
            tracing::warn!(
                platform = %clicked.platform,
                tenant = %clicked.tenant,
                channel = %clicked.channel,
                user = %clicked.user.id,
                response_id = %response_id,
                why = ?refused,
                "refused a click"
            );
            self.metrics.add("secbot_refused_total", vec![("why", "click".to_owned())], 1.0);
        }
        checked?;
        stored.ok_or(Refused::Unknown)
    }

    fn unreadable(id: ResponseId, why: Unreadable) -> Reply {
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
        Reply::new(id, "input", Intent::Help, Slots::default(), card)
    }

    /// Spends the skill's cost; `Err` carries the refusal when the budget is used up. A store
    /// failure lets the prompt through (and is logged): answering matters more than counting.
    async fn charge(&self, origin: &Origin, intent: Intent) -> Result<Option<Usage>, String> {
        let info = skill::info(intent);
        if info.cost == 0 {
            return Ok(None);
        }
        let charge = Charge {
            tenant: origin.tenant.clone(),
            channel: origin.channel.clone(),
            skill: info.name.to_owned(),
            units: u64::from(info.cost),
            now: origin.time,
            limits: self.policy.limits_of(&origin.channel),
        };
        match self.store.charge(&charge).await {
            Ok(usage) if usage.allowed => {
                self.metrics.add(
                    "secbot_usage_units_total",
                    vec![("skill", info.name.to_owned())],
                    f64::from(info.cost),
                );
                Ok(Some(usage))
            }
            Ok(usage) => Err(self.policy.refusal(&origin.channel, &usage, origin.time)),
            Err(err) => {
                tracing::warn!(error = %err, "usage not counted");
                Ok(None)
            }
        }
    }

    async fn run(&self, run: Run<'_>) -> Reply {
        let Run { origin, prompt, parse, plan, id } = run;
        let today = origin.time.date();
        let scope = self.policy.scope_of(&origin.channel);
        let request = |parse, subject, offset| Request {
            source: self.source.as_ref(),
            prompt,
            parse,
            subject,
            offset,
            response_id: &id,
            scope,
            notify_domains: &self.policy.notify_domains,
            today,
        };
        match plan {
            Decision::Clarify { intent, slots, candidates, reason } => {
                let listed = Subject::list(candidates.clone());
                if let Some(refused) = self.outside_scope(Some(&listed), scope).await {
                    return Self::refuse(id.clone(), intent, slots, &refused);
                }
                let parse = Parse { intent, slots: slots.clone(), ..parse.clone() };
                match skill::clarify(&request(&parse, None, 0), intent, &candidates).await {
                    Ok(mut answer) => {
                        if let Some(reason) = reason {
                            let pick = if candidates.is_empty() { "" } else { " Pick one of these:" };
                            answer.card.summary = Some(format!("{reason}{pick}"));
                        }
                        Self::finish(id.clone(), intent, slots, answer, "clarify")
                    }
                    Err(err) => Self::trouble(id.clone(), intent, slots, &err),
                }
            }
            Decision::Readings { readings, slots } => {
                let intent = readings.first().map_or(parse.intent, |r| r.0);
                let (answer, offered) = skill::readings(&request(parse, None, 0), &readings).await;
                let mut reply = Self::finish(id.clone(), intent, slots, answer, "clarify");
                reply.readings = offered;
                reply
            }
            Decision::Run { intent, skill: answering, slots, subject, offset, tool, note } => {
                if let Some(refused) = self.outside_scope(subject.as_ref(), scope).await {
                    return Self::refuse(id.clone(), intent, slots, &refused);
                }
                let usage = match self.charge(origin, answering).await {
                    Ok(usage) => usage,
                    Err(refusal) => {
                        let mut card = Card::titled("Usage limit reached");
                        card.summary = Some(refusal);
                        let answer = Answer { card, subject: None, direct: Vec::new() };
                        return Self::finish(id.clone(), intent, slots, answer, "usage_limit");
                    }
                };
                let parse = Parse { intent: answering, slots: slots.clone(), tool, ..parse.clone() };
                match skill::run(answering, &request(&parse, subject.as_ref(), offset)).await {
                    Ok(mut answer) => {
                        if let Some(warning) =
                            usage.and_then(|u| self.policy.warning(&origin.channel, &u, origin.time))
                        {
                            answer.card.notices.push(warning);
                        }
                        answer.card.notices.extend(note);
                        Self::finish(id.clone(), intent, slots, answer, skill::info(answering).name)
                    }
                    Err(err) => Self::trouble(id.clone(), intent, slots, &err),
                }
            }
        }
    }

    async fn answer_prompt(&self, prompt: Prompt) -> Reply {
        let started = Instant::now();
        let origin = prompt.origin.clone();
        let asked = prompt.text.clone();
        // "yes" or "cancel" under "Assign to Dana?": the card's button, pressed.
        if let Some(yes) = secbot_skills::intent::answers_proposal(&prompt.text)
            && let Some(reply) = self.answer_proposal(&origin, yes).await
        {
            return reply;
        }
        let id = new_response_id();
        let (mut reply, shown) = match input::clean(&prompt.text) {
            Err(why) => (Self::unreadable(id, why), None),
            Ok(text) if let Some(command) = digests::command(&text) => {
                (self.digest_command(&origin, command).await, Some(Shown::default()))
            }
            Ok(text) if let Some(command) = watches::command(&text) => {
                (self.watch_command(&origin, command).await, Some(Shown::default()))
            }
            Ok(text) => {
                let prompt = Prompt { text, ..prompt };
                // The thread first: what it shows and what was asked in it decide what a
                // follow-up means.
                let context = self.context(&origin).await;
                let parsed = self.parse(&prompt.text, &origin);
                let scope = self.policy.scope_of(&origin.channel);
                match resolve::plan(
                    self.source.as_ref(),
                    &parsed,
                    &prompt.text,
                    &context,
                    scope,
                    origin.time.date(),
                )
                .await
                {
                    Ok(plan) => {
                        let shown = Shown::of(&plan, &parsed);
                        let run = Run { origin: &origin, prompt: &prompt, parse: &parsed, plan, id };
                        (self.run(run).await, Some(shown))
                    }
                    Err(err) => (
                        Self::trouble(id, parsed.intent, parsed.slots.clone(), &SkillError::Posture(err)),
                        Some(Shown::default()),
                    ),
                }
            }
        };
        self.remember(&origin, &asked, &mut reply, shown).await;
        self.record(origin.platform, &reply, started);
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
        let started = Instant::now();
        let prompt = Prompt { origin: origin.clone(), text: String::new(), mentions: Vec::new() };
        let tool = slots
            .tool
            .as_deref()
            .and_then(|t| secbot_skills::intent::TOOLS.iter().find(|k| **k == t))
            .copied();
        let parse = Parse { tool, ..Parse::of_command(intent, slots.clone()) };
        let skill = resolve::answering_skill(intent, &slots);
        let plan = Decision::Run { intent, skill, slots, subject, offset, tool, note: None };
        let shown = Shown::of(&plan, &parse);
        let mut reply = self
            .run(Run { origin: &origin, prompt: &prompt, parse: &parse, plan, id: new_response_id() })
            .await;
        self.remember(&origin, "", &mut reply, Some(shown)).await;
        self.record(origin.platform, &reply, started);
        reply
    }

    /// Presses the Confirm (`yes`) or Cancel button of the proposal waiting in the thread, as
    /// its card would; `None` when nothing waits there.
    async fn answer_proposal(&self, origin: &Origin, yes: bool) -> Option<Reply> {
        let proposed = self.context(origin).await.proposed?;
        let record = self.store.reply(&proposed).await.ok()??;
        let payload = record
            .reply
            .card
            .actions
            .iter()
            .find(|a| match a.payload.command {
                Command::Confirm { .. } => yes,
                Command::Cancel { .. } => !yes,
                _ => false,
            })?
            .payload
            .clone();
        // (Boxed: a pressed "Ask" button answers a prompt, which may press a button again.)
        match Box::pin(self.act_on(Click { origin: origin.clone(), payload })).await {
            Outcome::Reply(reply) | Outcome::Replace(reply) => Some(reply),
            Outcome::Comment(_) => None,
        }
    }

    async fn confirm(&self, origin: Origin, response_id: ResponseId, delegation: Delegation) -> Outcome {
        let scope = self.policy.scope_of(&origin.channel);
        if let Some(refused) = self.outside_scope(Some(&delegation.subject), scope).await {
            return Outcome::Reply(Self::refusal_note(&refused));
        }
        let key = format!("confirm:{response_id}");
        match self.store.claim(&key, origin.time, origin.time + CLAIM_TTL * 30).await {
            Ok(true) => {}
            Ok(false) => return Outcome::Reply(Self::note("That assignment was already recorded.")),
            Err(err) => {
                return Outcome::Reply(Self::note(&AssistantError::from(err).to_string()));
            }
        }
        let started = Instant::now();
        let id = new_response_id();
        let prompt = Prompt { origin: origin.clone(), text: String::new(), mentions: Vec::new() };
        let parse = Parse::of_command(Intent::Delegate, Slots::default());
        let req = Request {
            source: self.source.as_ref(),
            prompt: &prompt,
            parse: &parse,
            subject: Some(&delegation.subject),
            offset: 0,
            response_id: &id,
            scope: self.policy.scope_of(&origin.channel),
            notify_domains: &self.policy.notify_domains,
            today: origin.time.date(),
        };
        let mut reply = match skill::confirm_delegation(&req, &delegation).await {
            Ok(answer) => {
                let record = DelegationRecord { response_id, delegation, origin: origin.clone() };
                if let Err(err) = self.store.save_delegation(&record).await {
                    tracing::warn!(error = %err, "delegation recorded in the posture source but not in the store");
                }
                Self::finish(id, Intent::Delegate, Slots::default(), answer, "delegate")
            }
            Err(err) => Self::trouble(id, Intent::Delegate, Slots::default(), &err),
        };
        self.remember(&origin, "", &mut reply, Some(Shown::default())).await;
        self.record(origin.platform, &reply, started);
        Outcome::Replace(reply)
    }

    /// Stores a rating of `rated`, the answer the trust check already loaded.
    async fn rate(
        &self,
        origin: Origin,
        rated: &ReplyRecord,
        rating: Rating,
        comment: String,
    ) -> Result<(), AssistantError> {
        let record = FeedbackRecord {
            response_id: rated.reply.response_id.clone(),
            at: origin.time,
            origin,
            rating,
            comment: redact(comment.chars().take(2_000).collect::<String>().trim()).into_owned(),
            skill: rated.reply.skill.clone(),
            intent: rated.reply.intent.as_str().to_owned(),
        };
        self.store.save_feedback(&record).await?;
        self.metrics.add("secbot_feedback_total", vec![("rating", rating.as_str().to_owned())], 1.0);
        Ok(())
    }

    /// A refused click's answer: seen only by whoever clicked, where the platform allows it.
    fn refusal_note(refused: &Refused) -> Reply {
        let mut reply = Self::note(&refused.to_string());
        reply.skill = "refused".to_owned();
        reply
    }

    fn note(text: &str) -> Reply {
        let mut reply =
            Reply::new(new_response_id(), "feedback", Intent::Help, Slots::default(), Card::titled(text));
        reply.ephemeral = true;
        reply
    }
}

/// The span of one answer (`run_span!("answer", origin)`) or click: where it came from, and
/// (recorded once known) the skill that answered and the reply's id.
macro_rules! run_span {
    ($name:literal, $origin:expr) => {
        tracing::info_span!(
            $name,
            platform = %$origin.platform,
            tenant = %$origin.tenant,
            channel = %$origin.channel,
            skill = tracing::field::Empty,
            response_id = tracing::field::Empty,
        )
    };
}

#[async_trait]
impl Assistant for Engine {
    async fn answer(&self, prompt: Prompt) -> Reply {
        let span = run_span!("answer", prompt.origin);
        let reply = self.answer_prompt(prompt).instrument(span.clone()).await;
        span.record("skill", reply.skill.as_str());
        span.record("response_id", reply.response_id.to_string());
        reply
    }

    async fn overheard(&self, prompt: Prompt) -> Option<Reply> {
        match self.store.context(&prompt.origin.thread_key()).await {
            Ok(Some(_)) => {}
            Ok(None) => return None,
            Err(err) => {
                tracing::warn!(error = %err, "thread context unavailable; not answering an unaddressed message");
                return None;
            }
        }
        let text = input::clean(&prompt.text).ok()?;
        let parsed = self.parse(&text, &prompt.origin);
        // Between people in a thread, answer only what clearly asks secbot: a follow-up on what
        // the thread shows, or a prompt with a strong cue. Chatter and vague asks stay quiet.
        // (A follow-up is clear when its reading is: "can someone check the storage account?"
        // points at the thread but reads three ways at once.)
        let clear = (parsed.needs_context && parsed.confidence >= OVERHEARD_FOLLOW_UP)
            || parsed.confidence >= OVERHEARD_CONFIDENCE;
        if matches!(parsed.intent, Intent::OutOfScope | Intent::Help) || !clear {
            return None;
        }
        Some(Assistant::answer(self, prompt).await)
    }

    async fn continue_thread(&self, from: &ThreadKey, to: &ThreadKey) -> Result<(), AssistantError> {
        let stored = self.store.context(from).await?;
        if let Some(context) = stored {
            self.store.save_context(to, &context).await?;
        }
        self.notice_landed(from, to).await;
        Ok(())
    }

    async fn act(&self, click: Click) -> Outcome {
        let span = run_span!("click", click.origin);
        span.record("response_id", click.payload.response_id.to_string());
        self.act_on(click).instrument(span).await
    }

    async fn comment(&self, feedback: Feedback) -> Result<(), AssistantError> {
        let rated = self
            .shown(&feedback.origin, &feedback.response_id, None)
            .await
            .map_err(|refused| AssistantError::Refused(refused.to_string()))?;
        self.rate(feedback.origin, &rated, feedback.rating, feedback.comment).await
    }

    async fn claim(&self, platform: Platform, event_id: &str) -> Result<bool, AssistantError> {
        let now = OffsetDateTime::now_utc();
        let first = self.store.claim(&format!("{platform}:{event_id}"), now, now + CLAIM_TTL).await?;
        if !first {
            self.metrics.add(
                "secbot_events_deduplicated_total",
                vec![("platform", platform.as_str().to_owned())],
                1.0,
            );
        }
        Ok(first)
    }

    async fn ratings(
        &self,
        asker: &Origin,
        response_id: &ResponseId,
    ) -> Result<Vec<Feedback>, AssistantError> {
        self.shown(asker, response_id, None)
            .await
            .map_err(|refused| AssistantError::Refused(refused.to_string()))?;
        let stored = self.store.feedback(response_id).await?;
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
        let record = self.store.reply(response_id).await?;
        Ok(record.and_then(|r| r.reply.card.buttons().nth(index).map(|a| a.payload.clone())))
    }
}
