//! Watches, the engine's side: the commands that set up, list and stop a channel's standing
//! questions ("watch critical risks for publicly exposed resources", "watches", "unwatch 2"),
//! and the check that turns what changed in the tenant into notices — a new finding as a new
//! thread, a burst as one card, a fix as a word in the finding's thread.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use secbot_chat::{Card, Intent, Notice, Origin, Prompt, Reply, ResponseId, Slots, Subject, ThreadKey};
use secbot_skills::intent::Parse;
use secbot_skills::skill::watch::{self, WatchLine};
use secbot_skills::skill::{Answer, Request, SkillError};
use time::OffsetDateTime;

use super::{Engine, Shown, new_response_id};
use crate::store::{NOTICE_PREFIX, WatchRecord, Watched};

/// The skill name watch replies are stored and counted under.
const SKILL: &str = "watch";

/// A watch command, recognized before the parser reads the question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WatchCommand {
    /// "watch critical risks for publicly exposed resources": the question to watch.
    Start(String),
    /// "watches": the channel's watches.
    List,
    /// "unwatch 2": stops the watch at that place in the list.
    Stop(usize),
}

static START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:please\s+)?(?:watch|start\s+watching|keep\s+(?:an\s+)?eye\s+on|(?:notify|alert)\s+(?:me|us|this\s+channel|the\s+channel)\s+(?:about|of|on|to|when\s+there\s+are|whenever\s+there\s+are))\s+(?:for\s+)?(?P<question>.+?)[.!]?$",
    )
    .expect("a valid pattern")
});

static LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:(?:list|show)(?:\s+(?:me|us))?(?:\s+(?:the|our|my|all|all\s+the))?\s+watch(?:es|list)|watch(?:es|list)?|what\s+(?:are|is)\s+(?:we|you|this\s+channel|secbot)\s+watching|what\s+are\s+(?:the|our)\s+watches)(?:\s+(?:here|in\s+this\s+channel))?\s*\??$",
    )
    .expect("a valid pattern")
});

static STOP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:unwatch|stop\s+watching|remove\s+watch|delete\s+watch|cancel\s+watch)\s*(?:#|no\.?\s*|number\s+)?(?P<n>\d{1,3})\s*[.!]?$",
    )
    .expect("a valid pattern")
});

/// The watch command a prompt is, if it is one.
pub(crate) fn command(text: &str) -> Option<WatchCommand> {
    let text = text.trim();
    if let Some(found) = STOP.captures(text) {
        return found["n"].parse().ok().map(WatchCommand::Stop);
    }
    if LIST.is_match(text) {
        return Some(WatchCommand::List);
    }
    let question = START.captures(text)?.name("question")?.as_str().trim();
    // "watch out for phishing" is advice, not a watch.
    let first = question.split_whitespace().next().unwrap_or_default().to_lowercase();
    if matches!(first.as_str(), "out" | "out," | "it" | "this" | "that" | "them") {
        return None;
    }
    Some(WatchCommand::Start(question.to_owned()))
}

/// What one check of a watch found: the notices to post (each with the key that posts it
/// once) and what the watch knows afterwards (stored once the notices are queued).
#[derive(Debug, Default)]
pub struct Check {
    /// Notices, each under its job key.
    pub notices: Vec<(String, Notice)>,
    /// The rows that changed.
    pub rows: Vec<Watched>,
}

/// Why a watch could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The posture source (or a skill reading it) failed.
    #[error(transparent)]
    Skill(#[from] SkillError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// A short stable digest of a text, for keys (FNV-1a, 64 bits).
fn digest(text: &str) -> String {
    let hash =
        text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("{hash:016x}")
}

/// The key a finding is known by in a watch.
fn finding_key(subject: &Subject) -> String {
    match subject {
        Subject::Finding { recommendation, resource } => format!("{recommendation}|{resource}"),
        other => format!("{other:?}"),
    }
}

fn line(watch: &WatchRecord) -> WatchLine {
    WatchLine {
        id: watch.id.clone(),
        question: watch.question.clone(),
        by: watch.origin.user.name.clone(),
        since: watch.created,
    }
}

impl Engine {
    /// The request a skill needs for what secbot does in `origin`'s channel, asked or not.
    pub(super) fn request<'a>(
        &'a self,
        origin: &Origin,
        prompt: &'a Prompt,
        parse: &'a Parse,
        id: &'a ResponseId,
        subject: Option<&'a Subject>,
    ) -> Request<'a> {
        Request {
            source: self.source.as_ref(),
            prompt,
            parse,
            subject,
            offset: 0,
            response_id: id,
            scope: self.policy.scope_of(&origin.channel),
            notify_domains: &self.policy.notify_domains,
            today: origin.time.date(),
        }
    }

    fn watch_reply(id: ResponseId, answer: Answer) -> Reply {
        Self::finish(id, Intent::ListRisks, Slots::default(), answer, SKILL)
    }

    fn plain(id: ResponseId, title: &str, summary: String) -> Reply {
        Self::card_reply(id, SKILL, title, summary, Vec::new())
    }

    /// A reply of a title, a sentence and some buttons, stored under `skill` (watches,
    /// digests: their confirmations and what went wrong).
    pub(super) fn card_reply(
        id: ResponseId,
        skill: &str,
        title: &str,
        summary: String,
        actions: Vec<secbot_chat::Action>,
    ) -> Reply {
        let mut card = Card::titled(title);
        card.summary = Some(summary);
        card.actions = actions;
        Self::finish(
            id,
            Intent::ListRisks,
            Slots::default(),
            Answer { card, subject: None, direct: Vec::new() },
            skill,
        )
    }

    /// Answers a watch command typed in a channel.
    pub(super) async fn watch_command(&self, origin: &Origin, command: WatchCommand) -> Reply {
        let id = new_response_id();
        match command {
            WatchCommand::Start(question) => self.start_watch(origin, question, id).await,
            WatchCommand::List => match self.channel_watches(origin).await {
                Ok(watches) => {
                    let prompt = Prompt { origin: origin.clone(), text: String::new(), mentions: Vec::new() };
                    let parse = Parse::of_command(Intent::ListRisks, Slots::default());
                    let lines: Vec<WatchLine> = watches.iter().map(line).collect();
                    let answer = watch::listed(&self.request(origin, &prompt, &parse, &id, None), &lines);
                    Self::watch_reply(id, answer)
                }
                Err(why) => Self::plain(id, "I couldn't read this channel's watches", why),
            },
            WatchCommand::Stop(n) => match self.channel_watches(origin).await {
                Ok(watches) => match n.checked_sub(1).and_then(|i| watches.get(i)) {
                    Some(watch) => self.stop_watch(origin, watch, id).await,
                    None => Self::plain(
                        id,
                        "No such watch",
                        format!(
                            "There is no watch {n} in this channel ({} in all). Ask \"watches\" to see them with their numbers.",
                            watches.len()
                        ),
                    ),
                },
                Err(why) => Self::plain(id, "I couldn't read this channel's watches", why),
            },
        }
    }

    /// Stops a watch from its button; only the channel that has the watch can stop it.
    pub(super) async fn unwatch(&self, origin: &Origin, watch_id: &str) -> Reply {
        let id = new_response_id();
        match self.channel_watches(origin).await {
            Ok(watches) => match watches.iter().find(|w| w.id == watch_id) {
                Some(watch) => self.stop_watch(origin, watch, id).await,
                None => Self::plain(
                    id,
                    "That watch is already stopped",
                    "Ask \"watches\" to see what is watched here.".to_owned(),
                ),
            },
            Err(why) => Self::plain(id, "I couldn't read this channel's watches", why),
        }
    }

    async fn channel_watches(&self, origin: &Origin) -> Result<Vec<WatchRecord>, String> {
        self.store
            .watches(Some((origin.platform, &origin.tenant, &origin.channel)))
            .await
            .map_err(|e| format!("{e}. Try again in a minute."))
    }

    async fn stop_watch(&self, origin: &Origin, watch: &WatchRecord, id: ResponseId) -> Reply {
        match self.store.remove_watch(&watch.id).await {
            Ok(_) => {
                tracing::info!(watch = %watch.id, channel = %origin.channel, user = %origin.user.id, "stopped a watch");
                let card = watch::stopped(&watch.question);
                Self::watch_reply(id, Answer { card, subject: None, direct: Vec::new() })
            }
            Err(err) => {
                Self::plain(id, "I couldn't stop that watch", format!("{err}. Try again in a minute."))
            }
        }
    }

    async fn start_watch(&self, origin: &Origin, question: String, id: ResponseId) -> Reply {
        if origin.platform == secbot_chat::Platform::Terminal {
            return Self::plain(
                id,
                "Watches post to a channel",
                "A watch posts new findings in the channel it was set up in; set it up in Slack, Teams, Discord or the web chat.".to_owned(),
            );
        }
        let parsed = self.parse(&question, origin);
        if parsed.intent != Intent::ListRisks
            && !parsed.slots.has_filters()
            && parsed.slots.alerts != Some(true)
        {
            return Self::plain(
                id,
                "What should I watch?",
                format!(
                    "I watch lists of findings or alerts, and \u{201c}{question}\u{201d} doesn't read as one. Try \"watch critical risks for publicly exposed resources\" or \"watch high severity alerts\"."
                ),
            );
        }
        let prompt = Prompt { origin: origin.clone(), text: question.clone(), mentions: Vec::new() };
        let parse = Parse::of_command(Intent::ListRisks, parsed.slots.clone());
        let req = self.request(origin, &prompt, &parse, &id, None);
        let matched = match watch::matching(&req, &parsed.slots).await {
            Ok(matched) => matched,
            Err(err) => {
                return Self::plain(
                    id,
                    "I can't watch that",
                    format!("{err}. Check the name and ask again."),
                );
            }
        };
        let watch = WatchRecord {
            id: id.as_str().chars().take(12).collect(),
            origin: Origin { thread: None, message: None, ..origin.clone() },
            question,
            slots: parsed.slots.clone(),
            created: origin.time,
            digest: None,
        };
        let baseline: Vec<Watched> = matched
            .iter()
            .map(|subject| Watched {
                finding: finding_key(subject),
                subject: subject.clone(),
                open: true,
                opened: 0,
                thread: None,
                notice: None,
            })
            .collect();
        if let Err(err) = self.store.save_watch(&watch, &baseline).await {
            return Self::plain(id, "I couldn't set up that watch", format!("{err}. Try again in a minute."));
        }
        tracing::info!(watch = %watch.id, channel = %origin.channel, user = %origin.user.id, matched = matched.len(), "started a watch");
        let minutes = self.policy.watch_interval.as_secs().div_ceil(60).max(1);
        let answer = watch::started(&req, &line(&watch), matched.len(), minutes);
        Self::watch_reply(id, answer)
    }

    /// Checks one watch against the source at `now`: what newly matches becomes a notice (one
    /// per finding, or one card for a burst), what stopped matching gets a word in its thread.
    /// Nothing is stored about the watch itself until [`Engine::checked`]; the notices' replies
    /// and their threads' contexts are stored here, so their buttons and follow-ups work.
    pub async fn check_watch(&self, watch: &WatchRecord, now: OffsetDateTime) -> Result<Check, WatchError> {
        let origin = Origin { time: now, thread: None, message: None, ..watch.origin.clone() };
        let prompt = Prompt { origin: origin.clone(), text: String::new(), mentions: Vec::new() };
        let parse = Parse::of_command(Intent::ListRisks, watch.slots.clone());
        let probe = new_response_id();
        let matched =
            watch::matching(&self.request(&origin, &prompt, &parse, &probe, None), &watch.slots).await?;
        let known: HashMap<String, Watched> =
            self.store.watched(&watch.id).await?.into_iter().map(|row| (row.finding.clone(), row)).collect();
        let mut check = Check::default();
        let mut opened = Vec::new();
        let mut still = std::collections::HashSet::new();
        for subject in matched {
            let key = finding_key(&subject);
            still.insert(key.clone());
            match known.get(&key) {
                Some(row) if row.open => {}
                row => opened.push(Watched {
                    finding: key,
                    subject,
                    open: true,
                    opened: row.map_or(1, |r| r.opened + 1),
                    thread: None,
                    notice: None,
                }),
            }
        }
        for row in known.values().filter(|r| r.open && !still.contains(&r.finding)) {
            let closed = Watched { open: false, ..row.clone() };
            if let Some(thread) = &row.thread {
                let id = new_response_id();
                let place = Origin { thread: Some(thread.clone()), ..origin.clone() };
                let answer =
                    watch::fixed(&self.request(&place, &prompt, &parse, &id, None), &row.subject).await?;
                let mut reply = Self::watch_reply(id, answer);
                self.remember(&place, "", &mut reply, Some(Shown::default())).await;
                let key = format!("watch:{}:{}:{}:fixed", watch.id, digest(&row.finding), row.opened);
                check.notices.push((key, Notice { place, reply, opens: None }));
            }
            check.rows.push(closed);
        }
        if opened.len() > self.policy.watch_burst {
            let all: Vec<String> = opened.iter().map(|r| format!("{}#{}", r.finding, r.opened)).collect();
            let tag = digest(&all.join("\n"));
            let pending = format!("{NOTICE_PREFIX}{}:{tag}", watch.id);
            let subjects: Vec<Subject> = opened.iter().map(|r| r.subject.clone()).collect();
            let id = new_response_id();
            let req = self.request(&origin, &prompt, &parse, &id, None);
            let answer = watch::burst(&req, &subjects, &watch.slots, &watch.question).await?;
            let notice = self.thread_notice(&origin, &pending, id, answer, SKILL).await;
            check.notices.push((format!("watch:{}:burst:{tag}", watch.id), notice));
            for row in &mut opened {
                row.notice = Some(pending.clone());
            }
        } else {
            for row in &mut opened {
                let tag = format!("{}:{}", digest(&row.finding), row.opened);
                let pending = format!("{NOTICE_PREFIX}{}:{tag}", watch.id);
                let id = new_response_id();
                let req = self.request(&origin, &prompt, &parse, &id, None);
                let answer = watch::opened(&req, &row.subject, &watch.question).await?;
                let notice = self.thread_notice(&origin, &pending, id, answer, SKILL).await;
                check.notices.push((format!("watch:{}:{tag}:open", watch.id), notice));
                row.notice = Some(pending);
            }
        }
        check.rows.extend(opened);
        Ok(check)
    }

    /// A notice that starts a thread, answered by `skill`: its reply and the thread's context
    /// are stored under `pending` until the platform names the thread.
    pub(super) async fn thread_notice(
        &self,
        origin: &Origin,
        pending: &str,
        id: ResponseId,
        answer: Answer,
        skill: &str,
    ) -> Notice {
        let waiting = Origin { thread: Some(pending.to_owned()), ..origin.clone() };
        let mut reply = Self::finish(id, Intent::ListRisks, Slots::default(), answer, skill);
        self.remember(&waiting, "", &mut reply, Some(Shown::default())).await;
        Notice { place: origin.clone(), reply, opens: Some(waiting.thread_key()) }
    }

    /// Records what a check found, once its notices are queued.
    pub async fn checked(
        &self,
        watch: &WatchRecord,
        check: &Check,
        now: OffsetDateTime,
    ) -> Result<(), String> {
        if check.rows.is_empty() {
            return Ok(());
        }
        self.store.save_watched(&watch.id, &check.rows, now).await.map_err(|e| e.to_string())
    }

    /// Every channel's watches.
    pub async fn all_watches(&self) -> Result<Vec<WatchRecord>, String> {
        self.store.watches(None).await.map_err(|e| e.to_string())
    }

    /// Remembers where a notice's thread landed, when `from` is a notice's waiting key.
    pub(super) async fn notice_landed(&self, from: &ThreadKey, to: &ThreadKey) {
        if !from.thread.starts_with(NOTICE_PREFIX) {
            return;
        }
        if let Err(err) = self.store.notice_posted(&from.thread, &to.thread).await {
            tracing::warn!(error = %err, thread = %to, "a watch will not find this notice's thread when its finding is fixed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watch_commands_are_told_from_questions() {
        assert_eq!(
            command("watch critical risks for publicly exposed resources"),
            Some(WatchCommand::Start("critical risks for publicly exposed resources".into()))
        );
        assert_eq!(
            command("Notify us about new high severity findings on storage accounts."),
            Some(WatchCommand::Start("new high severity findings on storage accounts".into()))
        );
        assert_eq!(command("watches"), Some(WatchCommand::List));
        assert_eq!(command("What are we watching here?"), Some(WatchCommand::List));
        assert_eq!(command("list watches"), Some(WatchCommand::List));
        assert_eq!(command("unwatch 2"), Some(WatchCommand::Stop(2)));
        assert_eq!(command("stop watching #3"), Some(WatchCommand::Stop(3)));
        assert_eq!(command("watch out for phishing"), None);
        assert_eq!(command("what should we watch out for?"), None);
        assert_eq!(command("show critical risks"), None);
        assert_eq!(command("how do I fix the 2nd one?"), None);
    }

    #[test]
    fn keys_are_stable_and_tell_findings_apart() {
        let a = Subject::Finding { recommendation: "r1".into(), resource: "/subscriptions/x/a".into() };
        let b = Subject::Finding { recommendation: "r1".into(), resource: "/subscriptions/x/b".into() };
        assert_eq!(digest(&finding_key(&a)), digest(&finding_key(&a)));
        assert_ne!(digest(&finding_key(&a)), digest(&finding_key(&b)));
        assert_eq!(digest(""), "cbf29ce484222325");
    }
}
