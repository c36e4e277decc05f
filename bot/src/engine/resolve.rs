//! The context resolver: decides what a prompt means in its thread and what it is about.
//!
//! Understanding reads the thread first: a prompt that only points ("#3", "that one?"), asks the
//! same of another item ("and the 4th?"), names a script language ("bicep pls"), asks for more
//! ("keep going") or narrows the list ("only the criticals") is read against the thread's last
//! answer, list and subject before it is answered. Then the subject is found, in order: what
//! the prompt names (a resource, a recommendation, a position in the last list, "the key vault
//! one", "the one on vm-x"), then the thread's subject. A follow-up that resolves to nothing
//! gets a clarifying question, never a guess; so does a prompt secbot is unsure of.

use std::sync::{Arc, OnceLock};

use regex::Regex;

use time::Date;

use secbot_chat::{Intent, Slots, Subject};
use secbot_skills::intent::{
    DeclineReason, ItemDescription, Parse, Pointer, TOOLS, answers_proposal, described_items, kind_terms,
};
use secbot_skills::posture::{
    Alert, AlertFilter, AttackPathFilter, FindingFilter, PostureError, PostureSource, Resource,
};
use secbot_skills::skill;

use crate::store::{ListContext, ThreadContext};

/// Below this confidence secbot asks which reading was meant instead of answering.
const UNSURE: f32 = 0.2;

/// Below this confidence a decline is not trusted when the prompt points into the thread.
const WEAK_DECLINE: f32 = 0.8;

/// What the engine decided to do with a prompt: run a skill, ask which thing was meant, or
/// offer the likely readings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decision {
    /// Run a skill on a subject (or on the slots alone).
    Run {
        /// The intent read.
        intent: Intent,
        /// The skill that answers it (the list skill answers "unassigned" status questions).
        skill: Intent,
        /// The slots, after refining the thread's last list.
        slots: Slots,
        /// What it runs on.
        subject: Option<Subject>,
        /// How many list items to skip ("show more").
        offset: u32,
        /// The script tool to answer in, when the prompt or the thread names one.
        tool: Option<&'static str>,
        /// What secbot took the prompt to mean when it had to choose ("this is #1 of the list").
        note: Option<String>,
    },
    /// Ask which of these the prompt means.
    Clarify {
        /// The intent to run once chosen.
        intent: Intent,
        /// The slots to run with.
        slots: Slots,
        /// The candidates (possibly none).
        candidates: Vec<Subject>,
        /// Why secbot asks, when it is more than "which one".
        reason: Option<String>,
    },
    /// Ask which of these readings the prompt means.
    Readings {
        /// The readings, most likely first: the intent, what it would run on, its probability.
        readings: Vec<(Intent, Option<Subject>, f32)>,
        /// The slots to run with.
        slots: Slots,
    },
}

/// Narrows a finding to its recommendation or its resource when the prompt says "this
/// recommendation" or "this storage account".
async fn narrow(source: &dyn PostureSource, subject: Subject, text: &str) -> Subject {
    let Subject::Finding { recommendation, resource } = &subject else { return subject };
    let text = text.to_lowercase();
    if text.contains("recommendation") || text.contains(" rec ") || text.ends_with(" rec") {
        return Subject::Recommendation { key: recommendation.clone() };
    }
    // "the whole resource", not "the resource owner" (who to assign it to).
    if text.replace("resource owner", "").replace("resource group", "").contains("resource") {
        return Subject::Resource { id: resource.clone() };
    }
    if all_on_it(&text) {
        return Subject::Resource { id: resource.clone() };
    }
    if let Ok(Some(res)) = source.resource(resource).await
        && (text.contains(&format!("this {}", res.kind.label()))
            || text.contains(&format!("that {}", res.kind.label())))
        && kind_terms(res.kind, Some(res.cloud)).iter().any(|w| text.contains(w))
    {
        return Subject::Resource { id: resource.clone() };
    }
    subject
}

/// True when the prompt asks about everything on the thread's resource: "who is owner of the
/// findings on this VM?", "everything on it".
fn all_on_it(text: &str) -> bool {
    static ALL_ON: OnceLock<Regex> = OnceLock::new();
    ALL_ON
        .get_or_init(|| {
            Regex::new(r"(?i)\b(findings|issues|problems|recommendations|recs|ones|items|everything|all|stuff) (open )?on (it|this|that|the same)\b")
                .expect("the pattern compiles")
        })
        .is_match(text)
}

/// The rows of a list whose finding `person` (a handle or an address) owns.
async fn owned_by(source: &dyn PostureSource, rows: &[Subject], person: &str) -> Vec<Subject> {
    let mut owned = Vec::new();
    for row in rows {
        if let (Some(key), Some(resource)) = (row.recommendation_key(), row.resource_id())
            && let Ok(Some(finding)) = source.finding(key, resource).await
            && finding.governance.as_ref().is_some_and(|g| handle(&g.owner) == handle(person))
        {
            owned.push(row.clone());
        }
    }
    owned
}

/// Which end of the due dates a prompt picks a row by: "the oldest overdue one", "the one due
/// soonest" (the earliest), "the one due last" (the latest).
#[derive(Debug, Clone, Copy, PartialEq)]
enum DueEnd {
    /// The earliest due date, overdue or not: "the oldest one", "the most overdue".
    Earliest,
    /// The earliest due date still ahead: "the one due next".
    Next,
    /// The latest due date.
    Latest,
    /// Overdue by this many days: "the one that's 29 days over".
    OverdueBy(i64),
}

/// The end of the due dates the prompt picks a row by, if it picks one that way (not "show the
/// oldest findings", a list).
fn due_end(text: &str) -> Option<DueEnd> {
    const PICKS: &str = r"(one|item|finding|thing|task|of (those|them|these|his|hers|theirs|the list))";
    static ENDS: OnceLock<[(Regex, DueEnd); 3]> = OnceLock::new();
    let words = text.to_lowercase();
    let ends = ENDS.get_or_init(|| {
        let pattern = |p: String| Regex::new(&p).expect("valid pattern");
        [
            (
                pattern(format!(r"\b(oldest|most overdue|longest overdue|most late|latest overdue|furthest overdue|earliest)( overdue)? {PICKS}\b|\b(one|item|finding|task) (that s|that is|that was|thats|which is)? ?(been )?(overdue|late) (the )?longest\b")),
                DueEnd::Earliest,
            ),
            (
                pattern(format!(r"\b(due (first|soonest|next)|next due|soonest) {PICKS}\b|\b(one|item|finding|task|which|those|them|these) (is |s |are )?due (first|soonest|next)\b")),
                DueEnd::Next,
            ),
            (
                pattern(format!(r"\b(newest|least overdue|furthest out|due last|latest due)( overdue)? {PICKS}\b|\b(one|item|finding|task|which|those|them|these) (is |s )?due (last|latest)\b")),
                DueEnd::Latest,
            ),
        ]
    });
    static DAYS_OVER: OnceLock<Regex> = OnceLock::new();
    let days_over = DAYS_OVER.get_or_init(|| {
        Regex::new(r"\b(\d{1,3}) ?(days?|d) (over|overdue|late|past (its )?due( date)?|behind)\b")
            .expect("valid pattern")
    });
    if let Some(days) = days_over.captures(&words).and_then(|c| c[1].parse().ok()) {
        return Some(DueEnd::OverdueBy(days));
    }
    ends.iter().find(|(pattern, _)| pattern.is_match(&words)).map(|(_, end)| *end)
}

/// The row of `rows` due first or last (among the overdue ones when the prompt says overdue),
/// by the due dates their owners were given.
async fn by_due_date(
    source: &dyn PostureSource,
    rows: &[Subject],
    end: DueEnd,
    overdue_only: bool,
    today: Date,
) -> Option<Subject> {
    let mut dated = Vec::new();
    for row in rows {
        if let (Some(key), Some(resource)) = (row.recommendation_key(), row.resource_id())
            && let Ok(Some(finding)) = source.finding(key, resource).await
            && let Some(g) = finding.governance.as_ref().filter(|g| match end {
                DueEnd::Next => !g.is_overdue(today),
                DueEnd::OverdueBy(days) => (today - g.due).whole_days() == days,
                _ => !overdue_only || g.is_overdue(today),
            })
        {
            dated.push((g.due, row));
        }
    }
    let picked = match end {
        DueEnd::Earliest | DueEnd::Next | DueEnd::OverdueBy(_) => dated.iter().min_by_key(|(due, _)| *due),
        DueEnd::Latest => dated.iter().max_by_key(|(due, _)| *due),
    };
    picked.map(|(_, row)| (*row).clone())
}

/// The earlier list of the thread a prompt goes back to: "the first list" (the oldest kept),
/// "the previous list", "from before" (the one before the last), "back to omar's list" (his
/// work), "back to the images" (the list of that kind).
fn earlier_list<'c>(parse: &Parse, text: &str, context: &'c ThreadContext) -> Option<&'c ListContext> {
    let lists = &context.earlier_lists;
    let words = text.to_lowercase();
    if says_any(&words, &["first list", "original list", "very first"]) {
        return lists.first();
    }
    if says_any(&words, &["previous list", "earlier list", "list before", "other list", "from before"]) {
        return lists.last();
    }
    if !says_any(&words, &["back to", "go back", "back on", "return to"]) {
        return None;
    }
    // (The list asked for may be the last one already.)
    let mut newest_first = context.last_list.iter().chain(lists.iter().rev());
    if let Some(person) = parse.person.as_deref() {
        return newest_first
            .find(|l| l.slots.assignee.as_deref().is_some_and(|a| handle(a) == handle(person)));
    }
    let kind = parse.slots.resource_type?;
    newest_first.find(|l| l.slots.resource_type == Some(kind))
}

/// True when the prompt asks what is on the thread's one resource: "on it", "on that server",
/// "on the account itself", "on the same box" (`terms`: what its kind is called).
fn on_the_thread_resource(text: &str, terms: &[&str]) -> bool {
    const ANY: [&str; 8] = ["resource", "thing", "one", "box", "machine", "server", "host", "instance"];
    let words = lowercase_words(text);
    words.windows(2).enumerate().any(|(i, pair)| {
        let next = words.get(i + 2).map(String::as_str);
        let names = |w: &str| terms.contains(&w) || ANY.contains(&w);
        match (pair[0].as_str(), pair[1].as_str()) {
            ("on" | "for", "it") => !matches!(next, Some("is" | "was" | "the")),
            // "what's wrong with it security-wise"
            ("with", "it" | "this" | "that") => i > 0 && words[i - 1] == "wrong",
            ("on" | "for", "this" | "that") => next.is_none_or(names) || next == Some("itself"),
            ("on" | "for", "the") => {
                next.is_some_and(names) && words.get(i + 3).map(String::as_str) == Some("itself")
            }
            ("same", w) => names(w) && i > 0 && words[i - 1] == "the",
            // "show its findings", "what findings does that vault have"
            ("its", "findings" | "issues" | "recommendations" | "recs" | "problems" | "risks") => true,
            ("that" | "this", w) => terms.contains(&w),
            _ => false,
        }
    })
}

/// The intents that answer about one item, and so can be asked again of another.
fn item_level(intent: Intent) -> bool {
    matches!(intent, Intent::Explain | Intent::Remediate | Intent::Summarize | Intent::Status)
}

/// Reads the prompt against the thread: what it means here, before what it is about; the last
/// value says whether it steps from the thread's row to the next or the previous one ("next"
/// is then not the next page).
fn in_thread(parse: &Parse, context: &ThreadContext, text: &str) -> (Intent, Slots, bool) {
    let mut intent = parse.intent;
    let mut slots = parse.slots.clone();
    let reference = parse.reference;
    let has_list = context.last_list.as_ref().is_some_and(|l| !l.items.is_empty());
    let has_subject = context.subject.is_some();
    let points = pointing(parse);
    let names = slots.resource.is_some() || slots.recommendation.is_some() || points;
    if intent == Intent::Unsafe {
        return (intent, slots, false);
    }
    // "and the other one" while the thread is on one row of a list of two: the other row,
    // asked the same when nothing else is asked.
    if slots.ordinal.is_none()
        && let Some(alone) = the_other(text)
        && let Some(n) = current_row(context)
        && context.last_list.as_ref().is_some_and(|l| l.items.len() == 2)
    {
        slots.ordinal = Some(3 - n);
        if alone {
            intent = context.last_intent.filter(|i| item_level(*i)).unwrap_or(Intent::Explain);
        }
    }

    // A pointer into the thread is not chatter: "what's the story with the 4th?" is a
    // follow-up even when its words sound like small talk.
    // (A decline for data secbot does not have is certain when its rule read it, and stands.)
    if intent == Intent::OutOfScope
        && parse.decline != Some(DeclineReason::Operation)
        && (has_list || has_subject)
        && points
        && (parse.confidence < WEAK_DECLINE || reference.bare)
    {
        intent = Intent::Explain;
    }
    // After "which one do you mean?", naming one answers the question that was asked; a new
    // question about it ("what's open on sql-orders-prod") is asked anew.
    let asks_anew = matches!(intent, Intent::ListRisks | Intent::Summarize)
        && parse.confidence >= 0.8
        && !reference.bare
        && !reference.bare_named
        && !reference.picks;
    let mut resumed = false;
    // "make that dana instead of alex", "sorry, I meant priya not raj": the last hand-over or
    // question about someone's work again, of the person meant.
    let asked_of = match context.last_intent {
        Some(Intent::Delegate) => context.pending_slots.as_ref().and_then(|s| s.assignee.as_deref()),
        Some(Intent::Status) => context.last_list.as_ref().and_then(|l| l.slots.assignee.as_deref()),
        _ => None,
    };
    if !resumed
        && reference.corrects
        && let (Some(earlier), Some(previous)) = (asked_of, context.last_intent)
        && let Some(person) = parse.person.as_deref().filter(|p| handle(p) != handle(earlier))
    {
        intent = previous;
        resumed = true;
        slots.assignee = Some(person.to_owned());
        if previous == Intent::Delegate
            && slots.due.is_none()
            && let Some(pending) = &context.pending_slots
        {
            slots.due = pending.due;
            slots.due_text.clone_from(&pending.due_text);
        }
    }
    if let Some(pending) = context.pending
        && !resumed
        && names
        && !asks_anew
        && (matches!(intent, Intent::ListRisks | Intent::Explain | Intent::Summarize) || reference.bare)
    {
        intent = pending;
        resumed = true;
        if let Some(earlier) = &context.pending_slots {
            if slots.assignee.is_none() {
                slots.assignee.clone_from(&earlier.assignee);
            }
            if slots.due.is_none() {
                slots.due = earlier.due;
                slots.due_text.clone_from(&earlier.due_text);
            }
        }
    }
    // "friday" or "12/18" after "By when?": the hand-over proposed, by that day ("yes" asks
    // for the day again).
    if !resumed
        && intent != Intent::Delegate
        && (slots.due.is_some() || answers_proposal(text) == Some(true))
        && context.last_intent == Some(Intent::Delegate)
        && let Some(earlier) = context.pending_slots.as_ref().filter(|s| s.assignee.is_some())
    {
        intent = Intent::Delegate;
        resumed = true;
        slots.assignee.clone_from(&earlier.assignee);
    }
    // "no wait, not that one — the stdatalakeraw01 one" after a proposed hand-over: the same
    // hand-over, to the same person by the same day, of the item meant.
    // ("actually wait, don't. explain it to me first" asks its own question of it.)
    let names_one = slots.resource.is_some()
        || slots.recommendation.is_some()
        || slots.ordinal.is_some()
        || reference.picks
        || parse.kind_reference.is_some();
    if !resumed
        && reference.corrects
        && context.last_intent == Some(Intent::Delegate)
        && (names_one || reference.bare)
        && slots.assignee.is_none()
        && intent != Intent::Delegate
        && let Some(earlier) = &context.pending_slots
        && earlier.assignee.is_some()
    {
        intent = Intent::Delegate;
        resumed = true;
        slots.assignee.clone_from(&earlier.assignee);
        if slots.due.is_none() {
            slots.due = earlier.due;
            slots.due_text.clone_from(&earlier.due_text);
        }
    }
    // "#3", "that one?", "and the 4th?": the same question of another item, or a look at it.
    // (A reference that answers "which one do you mean?" keeps the question it answers.)
    // ("list them", "show them all": a list, not the last question again.)
    let lists_them = intent == Intent::ListRisks
        && reference.pointer == Some(Pointer::Them)
        && lowercase_words(text).first().is_some_and(|w| matches!(w.as_str(), "list" | "show" | "enumerate"));
    // ("whats the first one about" asks what the row is, whatever was asked of the last one.)
    let asks_what_about = intent == Intent::Explain
        && lowercase_words(text).last().is_some_and(|w| w == "about")
        && context.last_intent != Some(Intent::AttackPaths);
    if !resumed
        && reference.bare
        && !lists_them
        && !asks_what_about
        && (has_list || has_subject)
        && slots.assignee.is_none()
    {
        intent = match (context.last_intent, &context.pending_slots) {
            // "same for 3" after a hand-over: the same hand-over, to the same person by the
            // same day, of the row meant.
            (Some(Intent::Delegate), Some(earlier)) if reference.repeats && earlier.assignee.is_some() => {
                slots.assignee.clone_from(&earlier.assignee);
                slots.due = earlier.due;
                slots.due_text.clone_from(&earlier.due_text);
                Intent::Delegate
            }
            (last, _) => last.filter(|i| item_level(*i)).unwrap_or(Intent::Explain),
        };
    } else if !resumed
        && reference.bare_named
        && !asks_what_about
        && let Some(previous) = context.last_intent.filter(|i| *i != Intent::Delegate)
    {
        // "and from ec2-bastion-01?", "and priya?": the last question, of what it names.
        intent = previous;
        if intent == Intent::Status && slots.assignee.is_none() {
            slots.assignee = parse.person.clone();
        }
    }
    // "which is the worst of those", "the one on func-orders-sync?", "the gcs one": a list
    // question about one item of the list is a look at that item. ("The second, it passes by
    // which identity?": a kind asked of a row is about that row.)
    let kind_aside = !(Slots { resource_type: None, ..slots.clone() }).has_filters();
    // "Number 2, the malicious file — which storage account exactly, and when?" about a row
    // that is no attack path, with no word of paths or reach: a look at that row.
    if intent == Intent::AttackPaths
        && let Some(n) = slots.ordinal
        && let Some(row) = context.last_list.as_ref().and_then(|l| Subject::at(&l.items, n))
        && !matches!(row, Subject::AttackPath { .. })
        && !says_any(
            text,
            &[
                "path", "reach", "blast", "lateral", "pivot", "chain", "hop", "route", "get to", "lead to",
                "leads to", "spread",
            ],
        )
    {
        intent = Intent::Explain;
    }
    // ("#3, the S3 bucket: is that finance data?": a question whether a row is something.)
    let asks_of_row = slots.ordinal.is_some() && asks_whether(text);
    if intent == Intent::ListRisks
        && has_list
        && (((slots.ordinal.is_some() || reference.picks) && kind_aside) || asks_of_row)
    {
        intent = Intent::Explain;
    }
    // "bicep pls", "ps version", "terraform for that": the fix, in that language.
    if parse.tool.is_some()
        && (has_subject || has_list)
        && matches!(
            intent,
            Intent::Explain | Intent::Summarize | Intent::ListRisks | Intent::OutOfScope | Intent::Help
        )
        && !parse.slots.has_filters()
        && (parse.confidence < 0.8
            || reference.bare
            || points
            || (reference.corrects && context.last_intent == Some(Intent::Remediate)))
    {
        // ("sorry, bicep actually, we don't use terraform on that team" after a fix: that fix.)
        intent = Intent::Remediate;
    }
    // "which fixes do the most": break the most attack paths when the thread is about paths
    // or the prompt says so, else raise the secure score the most.
    if parse.best_fix {
        let paths = parse.intent == Intent::AttackPaths
            || ((context.last_list.as_ref().is_some_and(|l| l.intent == Intent::AttackPaths)
                || context.last_intent == Some(Intent::AttackPaths))
                && !parse.secure_score);
        if paths {
            intent = Intent::AttackPaths;
        } else if !matches!(intent, Intent::Summarize) {
            intent = Intent::ListRisks;
        }
    }
    // "the sql billing thing" with no list to pick from: the tenant's one resource it describes.
    if slots.resource.is_none()
        && !has_list
        && let Some(described) = &parse.described_resource
    {
        slots.resource = Some(described.clone());
    }
    // "the findings there", "the critical risks in that subscription": the thread's subscription.
    if reference.there && slots.subscription.is_none() && slots.resource.is_none() {
        slots.subscription.clone_from(&context.subscription);
    }
    // "and push the due date to the 18th" after a hand-over: the same hand-over by the new day.
    if !resumed
        && intent == Intent::Delegate
        && slots.assignee.is_none()
        && context.last_intent == Some(Intent::Delegate)
        && slots.due.is_some()
        && let Some(earlier) = &context.pending_slots
    {
        slots.assignee.clone_from(&earlier.assignee);
    }
    // "who is accountable for the first item? if it is unassigned, say so", "confirm that
    // nobody is assigned to item 1": that row's owner, not the findings nobody owns.
    if intent == Intent::Status && slots.unassigned == Some(true) && slots.ordinal.is_some() && has_list {
        slots.unassigned = None;
    }
    // "next", "the next one", "no wait, the one before" while the thread is on a row of its
    // list: the row after or before it, asked the same.
    let step = match reference.pointer {
        Some(Pointer::Next) => 1,
        Some(Pointer::Previous) => -1,
        _ => 0,
    };
    let rows = context.last_list.as_ref().map_or(0, |l| l.items.len() as i32);
    let stepped_to = current_row(context)
        .map(|n| n + step)
        .filter(|n| step != 0 && slots.ordinal.is_none() && (1..=rows).contains(n));
    let stepped = stepped_to.is_some();
    if stepped {
        slots.ordinal = stepped_to;
        if parse.next_page
            || reference.bare
            || parse.confidence < 0.8
            || matches!(intent, Intent::ListRisks | Intent::OutOfScope | Intent::Help)
        {
            intent = context.last_intent.filter(|i| item_level(*i)).unwrap_or(Intent::Explain);
        }
    }
    // "show more", "keep going": the next page of the thread's list.
    if parse.next_page
        && !stepped
        && let Some(last) = &context.last_list
    {
        intent = last.intent;
        // "the next 10": pages of the size asked for, else of the list's own size.
        let count = slots.count;
        slots = last.slots.clone();
        slots.count = count.or(slots.count);
    }
    (intent, slots, stepped)
}

/// Decides the skill, slots and subject for a prompt in a thread.
pub(crate) async fn plan(
    source: &dyn PostureSource,
    parse: &Parse,
    text: &str,
    context: &ThreadContext,
    scope: &[String],
    today: Date,
) -> Result<Decision, PostureError> {
    // "go back to the first list. #3 there", "back to omar's list — the cosmos one": the thread
    // read as if that list were its last.
    let went_back = earlier_list(parse, text, context).map(|list| ThreadContext {
        subject: Some(Subject::List { items: list.items.clone(), on: None }),
        last_list: Some(list.clone()),
        ..context.clone()
    });
    let context = went_back.as_ref().unwrap_or(context);
    let (mut intent, mut slots, stepped) = in_thread(parse, context, text);
    if let Some(list) = went_back.as_ref().and_then(|c| c.last_list.as_ref()) {
        // ("back to the images": the list of images, not a new one.)
        if slots.resource_type.is_some() && slots.resource_type == list.slots.resource_type {
            slots.resource_type = None;
        }
        // ("back to omar's list": the list, not a hand-over to omar nor his work anew.)
        if list.slots.assignee.is_some() && slots.assignee == list.slots.assignee {
            slots.assignee = None;
            if intent == Intent::Delegate {
                intent = Intent::Explain;
            }
        }
    }
    let handed_to = slots.assignee.clone().filter(|_| intent == Intent::Delegate);
    let words = Words { text, assignee: handed_to.as_deref() };
    // "the key vault one goes to priya, same date": the day the last hand-over was for.
    if intent == Intent::Delegate
        && slots.due.is_none()
        && same_day(text)
        && let Some(earlier) = context.pending_slots.as_ref().filter(|s| s.due.is_some())
    {
        slots.due = earlier.due;
        slots.due_text.clone_from(&earlier.due_text);
    }
    let last = context.last_list.as_ref();
    let rows = last.map(|l| l.items.as_slice()).unwrap_or_default();
    let tool = parse.tool.or_else(|| {
        let earlier = context.last_tool.as_deref()?;
        (intent == Intent::Remediate).then(|| TOOLS.iter().copied().find(|t| *t == earlier)).flatten()
    });
    let run = |intent: Intent, slots: Slots, subject: Option<Subject>, offset: u32| Decision::Run {
        intent,
        skill: answering_skill(intent, &slots),
        slots,
        subject,
        offset,
        tool,
        note: None,
    };
    // "priority changed: Suspected successful brute force attack on sql-warehouse-prod. explain
    // + who owns the db": an alert pasted by its title and resource is in scope, whatever the
    // words around it sound like.
    // ("also <https://portal.azure.com/…|Detected encoded executable in command line data> on
    // the same box explain": the thread's resource.)
    let pasted_on = match &slots.resource {
        Some(name) if intent == Intent::OutOfScope => {
            named(source, context, name, scope).await?.map(|r| r.id.clone())
        }
        None if intent == Intent::OutOfScope => focus(context).map(str::to_owned),
        _ => None,
    };
    if let Some(on) = pasted_on
        && let Some(alert) = alert_named(source, text, scope, Some(&on)).await?
    {
        let intent = if asks_whom(text) { Intent::Status } else { Intent::Explain };
        return Ok(run(intent, Slots::default(), Some(alert), 0));
    }
    if matches!(intent, Intent::OutOfScope | Intent::Unsafe | Intent::Help) {
        // "write me a script to brute force ssh on ec2-web-01", refused: the thread is about
        // ec2-web-01 all the same, so "ok, the jit fix for that one" is about it.
        let mut subject = None;
        if intent != Intent::Help
            && let Some(name) = &slots.resource
            && let Some(resource) = named(source, context, name, scope).await?
        {
            subject = Some(Subject::Resource { id: resource.id.clone() });
        }
        return Ok(run(intent, slots, subject, 0));
    }

    // The next page of the thread's list (not "next" while the thread is on one of its rows).
    if parse.next_page && !stepped {
        return Ok(match last {
            Some(last) => run(intent, slots, None, last.items.len() as u32),
            None => Decision::Clarify {
                intent: Intent::ListRisks,
                slots,
                candidates: Vec::new(),
                reason: Some(
                    "There is no list in this thread yet, so there is nothing more to show.".to_owned(),
                ),
            },
        });
    }

    // Unsure: offer the likeliest readings rather than guess.
    if parse.confidence < UNSURE
        && intent == parse.intent
        && !pointing(parse)
        && parse.tool.is_none()
        && slots.resource.is_none()
        && !parse.reference.bare_named
    {
        let target = context.subject.as_ref().and_then(|s| match s {
            Subject::List { items, .. } => items.first().cloned(),
            other => Some(other.clone()),
        });
        let readings = parse
            .readings
            .iter()
            .filter(|(i, _)| !matches!(i, Intent::Unsafe | Intent::OutOfScope))
            .map(|(i, p)| (*i, if skill::info(*i).needs_subject { target.clone() } else { None }, *p))
            .filter(|(i, subject, _)| !skill::info(*i).needs_subject || subject.is_some())
            .take(3)
            .collect::<Vec<_>>();
        if !readings.is_empty() {
            return Ok(Decision::Readings { readings, slots });
        }
    }

    let mut subject = None;
    // "the image sam owns from that same list, is it still overdue?": the one row of the list
    // that person owns, not all of their work.
    if let Some(person) = slots.assignee.clone().filter(|_| intent == Intent::Status)
        && says_any(text, &[&format!("{person} owns"), &format!("{person} has"), &format!("{person} is on")])
        && let [row] = owned_by(source, rows, &person).await.as_slice()
    {
        subject = Some(row.clone());
        slots.assignee = None;
        slots.overdue = None;
    }

    // "Are any of the items on this list unassigned?": the owners of the rows shown.
    if subject.is_none()
        && intent == Intent::Status
        && slots.unassigned == Some(true)
        && slots.assignee.is_none()
        && slots.resource.is_none()
        && slots.ordinal.is_none()
        && !rows.is_empty()
        && says_any(text, &["this list", "the list", "that list", "these", "those", "of them"])
    {
        slots.unassigned = None;
        return Ok(run(intent, slots, Some(Subject::list(rows.to_vec())), 0));
    }

    // "is any of it overdue" after someone's work: the same work, narrowed. (While the thread
    // is on one of its rows, "is it past the due date?" asks about that row.)
    if let Some(last) = last
        && subject.is_none()
        && intent == Intent::Status
        && last.intent == Intent::Status
        && matches!(context.subject, Some(Subject::List { .. }) | None)
        && (slots.overdue.is_some() || slots.unassigned.is_some())
        && (parse.reference.pointer.is_some() || (parse.refinement && only_some(text)))
        && parse.kind_reference.is_none()
        && !parse.reference.picks
        && !(Slots { overdue: None, unassigned: None, ..slots.clone() }).has_filters()
        && slots.assignee.is_none()
        && slots.resource.is_none()
        && slots.recommendation.is_none()
        && parse.recommendation_key.is_none()
        && slots.ordinal.is_none()
    {
        let (overdue, unassigned) = (slots.overdue, slots.unassigned);
        slots = last.slots.clone();
        slots.overdue = overdue.or(slots.overdue);
        slots.unassigned = unassigned.or(slots.unassigned);
        // "is that overdue?" after who is on a resource: the same resource's work.
        let on = match &context.subject {
            Some(Subject::List { on: Some(id), .. }) if slots.resource.is_none() => {
                Some(Subject::Resource { id: id.clone() })
            }
            _ => None,
        };
        return Ok(run(intent, slots, on, 0));
    }

    // "what recs are open on that server", "anything else on it?", "open recommendations on the
    // account itself": the findings on the thread's resource, not a list of every such resource.
    // (An alert's resource too: "also any findings on that cluster" after the alert on it.)
    let alert_on = match &context.subject {
        Some(Subject::Alert { id }) if intent == Intent::ListRisks && slots.resource.is_none() => {
            alert_resource(source, id, scope).await?
        }
        _ => None,
    };
    if intent == Intent::ListRisks
        && slots.resource.is_none()
        && slots.recommendation.is_none()
        && slots.ordinal.is_none()
        && let Some(id) = focus(context).or(alert_on.as_deref())
        && let Ok(Some(res)) = source.resource(id).await
        && on_the_thread_resource(text, kind_terms(res.kind, Some(res.cloud)))
    {
        slots.resource = Some(res.name.clone());
        slots.resource_type = None;
    }

    // A refinement of the last list keeps its other filters (and its kind of list). (A row
    // numbered is not a refinement: "item 4, the SQL database: what data is exposed there?")
    if let Some(last) = last
        && subject.is_none()
        && slots.ordinal.is_none()
        && (parse.refinement || (parse.needs_context && intent == Intent::ListRisks && slots.has_filters()))
        && slots.resource.is_none()
        && slots.recommendation.is_none()
    {
        slots = slots.refine(&last.slots);
        if intent == Intent::ListRisks && matches!(last.intent, Intent::Status | Intent::AttackPaths) {
            intent = last.intent;
        }
        return Ok(run(intent, slots, None, 0));
    }

    // 1. What the prompt names.
    // "give the rest to omar, due jan 8" after some of the list's rows were handed over: the
    // rows that hand-over left.
    if intent == Intent::Delegate
        && parse.reference.rest
        && context.last_intent == Some(Intent::Delegate)
        && let Some(last) = last
        && let Some(Subject::List { items: handed, .. }) = &context.subject
    {
        let left: Vec<Subject> = last.items.iter().filter(|row| !handed.contains(row)).cloned().collect();
        if !left.is_empty() && left.len() < last.items.len() {
            subject = Some(Subject::list(left));
        }
    }
    // "can someone look at this? <https://portal.azure.com/…/alertId/2518…|Successful SSH brute
    // force attack>": the alert a pasted portal link carries, looked at unless the prompt asks
    // for its fix, its owner or a hand-over. So is a pasted alert mail that gives the alert's
    // title and its resource ("> Successful SSH brute force attack > Resource: ec2-worker-08").
    let pasted_alert_on = match &slots.resource {
        Some(name) if intent != Intent::ListRisks => {
            named(source, context, name, scope).await?.map(|r| r.id.clone())
        }
        _ => None,
    };
    if (text.to_lowercase().contains("/alertid/") || pasted_alert_on.is_some())
        && slots.ordinal.is_none()
        && let Some(alert) = alert_named(source, text, scope, pasted_alert_on.as_deref()).await?
    {
        if !matches!(intent, Intent::Remediate | Intent::Delegate | Intent::Status) {
            intent = Intent::Explain;
        }
        slots.clear_descriptive_filters();
        slots.resource = None;
        return Ok(run(intent, slots, Some(alert), 0));
    }
    // "crypto mining alert on gce-analytics-01??", "the ssh brute force alert on ec2-worker-08
    // — what do i do": the one open alert on that resource, looked at (rather than a list of
    // one), fixed, owned or handed over.
    if matches!(
        intent,
        Intent::ListRisks | Intent::Explain | Intent::Remediate | Intent::Status | Intent::Delegate
    ) && slots.alerts == Some(true)
        && slots.ordinal.is_none()
        && let Some(name) = &slots.resource
        && one_alert_asked(text)
        && let Some(resource) = named(source, context, name, scope).await?
        && let [alert] = alerts_on(source, scope, &resource.id).await?.as_slice()
    {
        let intent = if intent == Intent::ListRisks { Intent::Explain } else { intent };
        slots.clear_descriptive_filters();
        slots.resource = None;
        return Ok(run(intent, slots, Some(Subject::Alert { id: alert.id.clone() }), 0));
    }
    // "is that related to the exposed k8s dashboard alert from yesterday?", "the mining alert":
    // the one open alert its words describe.
    if matches!(
        intent,
        Intent::ListRisks | Intent::Explain | Intent::Remediate | Intent::Status | Intent::Delegate
    ) && slots.alerts == Some(true)
        && slots.ordinal.is_none()
        && slots.resource.is_none()
        && one_alert_asked(text)
        && let Some(alert) = alert_described(source, text, scope).await?
    {
        let intent = if intent == Intent::ListRisks { Intent::Explain } else { intent };
        slots.clear_descriptive_filters();
        return Ok(run(intent, slots, Some(alert), 0));
    }
    if let Some(name) = &slots.resource {
        if let Some(resource) = named(source, context, name, scope).await? {
            let numbered =
                slots.ordinal.filter(|_| !parse.reference.on_page).and_then(|n| Subject::at(rows, n));
            subject = Some(match &parse.recommendation_key {
                // "go back to the 3rd, the sql-orders-prod one. what breaks it" among attack
                // paths: the path numbered, whatever recommendation the words sound like.
                _ if let Some(row) = numbered
                    .filter(|row| matches!(row, Subject::AttackPath { .. } | Subject::Alert { .. })) =>
                {
                    row.clone()
                }
                Some(key) if source.finding(key, &resource.id).await?.is_some() => {
                    Subject::Finding { recommendation: key.clone(), resource: resource.id.clone() }
                }
                // "#2 malicious file on stinvoicesprod": the row numbered, which the name confirms.
                _ if let Some(row) = numbered.filter(|row| {
                    row.resource_id().is_none_or(|id| id.eq_ignore_ascii_case(&resource.id))
                }) =>
                {
                    row.clone()
                }
                // "assign the vm-etl-02 one to dana" with several rows on vm-etl-02: the one its
                // words describe, else which one; a hand-over, which writes, does not guess.
                _ if intent == Intent::Delegate
                    && one_of_several(text)
                    && rows_on(rows, &resource.id).nth(1).is_some() =>
                {
                    let on: Vec<Subject> = rows_on(rows, &resource.id).cloned().collect();
                    match described(source, &on, words).await {
                        Some(row) => row,
                        None => return Ok(Decision::Clarify { intent, slots, candidates: on, reason: None }),
                    }
                }
                // "the jit one on vm-jump-01": the item of the thread's list on that resource.
                _ => match on_resource(rows, &resource.id) {
                    Some(item) if item_level(intent) || intent == Intent::Delegate => item,
                    // "is the kv-app-prod one assigned?" in a thread about one recommendation:
                    // that recommendation's finding on the resource named.
                    // ("fix for the jump box" while the thread is about one recommendation.)
                    _ if (parse.reference.picks
                        || matches!(context.subject, Some(Subject::Recommendation { .. })))
                        && (item_level(intent) || intent == Intent::Delegate)
                        && let Some(key) = thread_recommendation(context)
                        && source.finding(key, &resource.id).await?.is_some() =>
                    {
                        Subject::Finding { recommendation: key.to_owned(), resource: resource.id.clone() }
                    }
                    // "the brute force one on sql-warehouse-prod" among alerts, "the one through
                    // id-etl-runner" among attack paths: the row its words describe.
                    _ if (parse.reference.picks || parse.needs_context)
                        && rows
                            .iter()
                            .any(|r| matches!(r, Subject::Alert { .. } | Subject::AttackPath { .. }))
                        && let Some(row) = described(source, rows, words).await =>
                    {
                        row
                    }
                    // "who owns the SQL vulnerability one on vm-etl-02?" with no list of its
                    // findings in the thread: the one of them its words describe.
                    _ if parse.reference.picks
                        && (item_level(intent) || intent == Intent::Delegate)
                        && let Some(finding) = described_among(
                            source,
                            &FindingFilter {
                                resource: Some(resource.id.clone()),
                                ..FindingFilter::default()
                            },
                            words,
                        )
                        .await? =>
                    {
                        finding
                    }
                    _ => Subject::Resource { id: resource.id.clone() },
                },
            });
        }
    } else if let Some(key) = &parse.recommendation_key {
        // "explain the second point, soft delete": the row it points at, when that row is of
        // this recommendation; "the soft delete fix for it": the thread's finding of it.
        let pointed =
            slots.ordinal.filter(|_| !parse.reference.on_page).and_then(|n| Subject::at(rows, n).cloned());
        let current = context.subject.as_ref().filter(|s| matches!(s, Subject::Finding { .. }));
        // "no, the other soft delete one — the payments vault": another row of it than the
        // thread's.
        let others: Vec<Subject> = match current {
            Some(current)
                if parse.reference.corrects && current.recommendation_key() == Some(key.as_str()) =>
            {
                last.map(|l| l.items.iter())
                    .into_iter()
                    .flatten()
                    .filter(|i| i.recommendation_key() == Some(key.as_str()) && *i != current)
                    .cloned()
                    .collect()
            }
            _ => Vec::new(),
        };
        let other = match others.len() {
            0 => None,
            1 => others.first().cloned(),
            _ => described(source, &others, words).await,
        };
        subject = Some(match (pointed, current) {
            (Some(item), _) if item.recommendation_key() == Some(key.as_str()) => item,
            (None, _) if let Some(other) = other => other,
            (None, Some(finding)) if finding.recommendation_key() == Some(key.as_str()) => finding.clone(),
            // "kv soft delete one -> alex": the one row of the thread's list of it.
            (None, _)
                if (item_level(intent) || intent == Intent::Delegate)
                    && let Some(row) = only_row_of(rows, key) =>
            {
                row
            }
            // "the one with JIT" among vm-jump-01's findings, when the name read is another
            // cloud's JIT recommendation: the row of the thread's list the words describe.
            (None, _)
                if parse.reference.picks
                    && rows.len() > 1
                    && let Some(row) = described(source, rows, words).await =>
            {
                row
            }
            (None, _)
                if asks_of_focus(parse, intent, text)
                    && (parse.tool.is_some() || parse.reference.pointer.is_some() || parse.needs_context)
                    && let Some(finding) = on_focus(source, context, Some(key), words).await? =>
            {
                finding
            }
            _ => Subject::Recommendation { key: key.clone() },
        });
    }

    // "the bastion. aws cli" after "which one do you mean?": the row of the thread's list its
    // words describe; "bastion" names that row, it does not ask for every virtual machine.
    if subject.is_none()
        && slots.resource.is_none()
        && slots.ordinal.is_none()
        && slots.has_filters()
        && asks_of_focus(parse, intent, text)
        && let Some(last) = last.filter(|l| l.items.len() > 1)
        && let Some(row) = described(source, &last.items, words).await
    {
        subject = Some(row);
        slots.clear_descriptive_filters();
    }

    // "block public access now, aws cli" in a thread about s3-finance-exports: the finding on the
    // thread's resource the prompt describes, or the thread's subject; its words describe that
    // finding, they do not ask for a new list.
    if subject.is_none()
        && slots.resource.is_none()
        && slots.ordinal.is_none()
        && asks_of_focus(parse, intent, text)
        // "the s3 finance one" picks a row of the thread's list, unless every row is on the
        // one resource.
        && (!(parse.reference.picks || parse.reference.bare_named || parse.kind_reference.is_some())
            || matches!(context.subject, Some(Subject::List { on: Some(_), .. } | Subject::Resource { .. })))
        && (slots.has_filters() || parse.tool.is_some() || parse.reference.picks)
        && !matches!(context.subject, Some(Subject::List { on: None, .. }) | None)
    {
        let found = match focus(context).filter(|_| all_on_it(text)) {
            Some(resource) => Some(Subject::Resource { id: resource.to_owned() }),
            None => match on_focus(source, context, None, words).await? {
                Some(finding) => Some(finding),
                None if parse.tool.is_some() => match &context.subject {
                    Some(Subject::List { on: Some(id), .. }) => Some(Subject::Resource { id: id.clone() }),
                    Some(single) => Some(narrow(source, single.clone(), text).await),
                    None => None,
                },
                None => None,
            },
        };
        if found.is_some() {
            subject = found;
            slots.clear_descriptive_filters();
        }
    }

    // "reassign everything sam has to priya", "move all of raj's overdue items to omar": the
    // open work of the person named first, handed to the one named after. ("push all of omar's
    // dates a week": his work, moved, and still his.)
    let moves_dates = parse.due_shift.is_some();
    if subject.is_none()
        && intent == Intent::Delegate
        && slots.resource.is_none()
        && slots.ordinal.is_none()
        && let Some(to) = slots.assignee.as_deref()
        // ("pass all of him to raj" after omar's work: omar's.)
        && let Some(from) = parse.person.as_deref().filter(|p| moves_dates || handle(p) != handle(to)).or_else(|| {
            last.filter(|l| l.intent == Intent::Status && says_any(text, &[" him", " her", " them", " his "]))
                .and_then(|l| l.slots.assignee.as_deref())
        })
        && (moves_dates || handle(from) != handle(to))
        && hands_over_work(text)
        && let Some(email) = source.person(&handle(from)).await?.and_then(|p| p.email)
    {
        let filter = FindingFilter {
            owner: Some(email),
            assigned: Some(true),
            due_before: ["overdue", "late", "past due", "past their due"]
                .iter()
                .any(|w| text.to_lowercase().contains(w))
                .then_some(today),
            subscriptions: scope.to_vec(),
            ..FindingFilter::default()
        };
        let work = source.findings(&filter, 0, 50).await?.items;
        if !work.is_empty() {
            subject = Some(Subject::list(work.iter().map(skill::finding_subject).collect()));
            slots.overdue = None;
        }
    }

    // "first three to omar", "who's on 1 and 4?": those rows of the last list, together.
    if subject.is_none()
        && parse.rows.len() >= 2
        && matches!(intent, Intent::Delegate | Intent::Status | Intent::AttackPaths | Intent::Summarize)
    {
        let picked: Vec<Subject> = parse.rows.iter().filter_map(|n| Subject::at(rows, *n).cloned()).collect();
        if picked.len() == parse.rows.len() {
            subject = Some(Subject::list(picked));
            slots.ordinal = None;
        }
    }

    // 2. A position in the last list ("the 7th" counts across the pages shown; "the 2nd on
    //    this page" within the last one), or the one after the thread's subject.
    if subject.is_none() {
        let items = rows;
        let position = match (slots.ordinal, parse.reference.pointer) {
            (Some(n), _) if parse.reference.on_page && n > 0 => {
                Some(last.map_or(0, |l| l.page_start) as i32 + n)
            }
            (Some(n), _) => Some(n),
            (None, Some(Pointer::Next)) => context
                .subject
                .as_ref()
                .and_then(|s| items.iter().position(|i| i == s))
                .map(|i| i as i32 + 2)
                .or(Some(1)),
            _ => None,
        };
        if let Some(n) = position {
            let list = Subject::list(items.to_vec());
            match list.nth(n) {
                Some(item) => subject = Some(item.clone()),
                None => {
                    let reason = if items.is_empty() && last.is_some() {
                        "The last list in this thread had nothing in it, so there is no item to pick. Ask for a wider list first.".to_owned()
                    } else if items.is_empty() {
                        "There is no list in this thread yet, so I can't tell which one you mean.".to_owned()
                    } else {
                        format!(
                            "The list in this thread has {} item{}, so there is no {}.",
                            items.len(),
                            if items.len() == 1 { "" } else { "s" },
                            position_name(n)
                        )
                    };
                    return Ok(Decision::Clarify {
                        intent,
                        slots,
                        candidates: items.to_vec(),
                        reason: Some(reason),
                    });
                }
            }
        }
    }

    // "give the oldest overdue one to jules", "which is due soonest? who has it": the row of
    // the last list its due date picks.
    if subject.is_none()
        && intent != Intent::ListRisks
        && slots.ordinal.is_none()
        && let Some(end) = due_end(text)
        && let Some(row) = by_due_date(source, rows, end, slots.overdue == Some(true), today).await
    {
        subject = Some(row);
        slots.overdue = None;
    }

    // 3. "the key vault one" / "the sql ones": items of the last list of that kind.
    let kind = parse.kind_reference.or(if parse.needs_context { slots.resource_type } else { None });
    if subject.is_none()
        && intent != Intent::ListRisks
        && let Some(kind) = kind
        && !(parse.reference.picks && last.is_some())
        // (A list of one resource's findings is about that resource: "is that machine on an
        // attack path?")
        && let Some(current) = match &context.subject {
            Some(Subject::List { on: Some(id), .. }) => Some(Subject::Resource { id: id.clone() }),
            Some(Subject::List { .. }) | None => None,
            Some(single) => Some(single.clone()),
        }
        && let Some(id) = current.resource_id()
        && let Ok(Some(res)) = source.resource(id).await
        && res.kind == kind
    {
        // "delegate to the image owner" while the thread is about an image: that image.
        subject = Some(current);
        slots.resource_type = None;
    }
    // "that vm also has a public IP finding right? who owns it" about an alert: the machine it
    // fired on (the finding its words describe there), not the alert.
    if subject.is_none()
        && intent != Intent::ListRisks
        && let Some(kind) = kind
        && let Some(Subject::Alert { id }) = &context.subject
        && let Some(resource) = alert_resource(source, id, scope).await?
        && let Ok(Some(res)) = source.resource(&resource).await
        && res.kind == kind
    {
        let filter = FindingFilter { resource: Some(res.id.clone()), ..FindingFilter::default() };
        subject = Some(match described_among(source, &filter, words).await? {
            Some(finding) => finding,
            None => Subject::Resource { id: res.id.clone() },
        });
        slots.resource_type = None;
    }
    if subject.is_none()
        && let (Some(kind), Some(last)) = (kind, last)
    {
        let mut matching = Vec::new();
        for item in &last.items {
            if let Some(id) = item.resource_id()
                && let Ok(Some(res)) = source.resource(id).await
                && res.kind == kind
            {
                matching.push(item.clone());
            }
        }
        match matching.len() {
            0 => {}
            1 => subject = matching.pop(),
            // "the gcs one" among the storage rows: the one it describes.
            _ if parse.reference.picks
                && let Some(item) = described(source, &matching, words).await =>
            {
                subject = Some(item);
            }
            // "the nsg ones to sam": all of them; "the nsg one 2 sam" with several asks which.
            _ if intent == Intent::Delegate && !one_of_several(text) => {
                subject = Some(Subject::list(matching));
            }
            _ => return Ok(Decision::Clarify { intent, slots, candidates: matching, reason: None }),
        }
        if subject.is_some() {
            slots.resource_type = None;
        }
    }

    // "fix for the jump box" while the thread is about a recommendation: its finding on the
    // machine described; "box" names that machine, it does not ask for every one.
    if subject.is_none()
        && slots.resource.is_none()
        && slots.ordinal.is_none()
        && (item_level(intent) || intent == Intent::Delegate)
        && (parse.kind_reference.is_some() || parse.reference.picks || slots.has_filters())
        && let Some(Subject::Recommendation { key }) = &context.subject
        && let Some(finding) = of_recommendation(source, key, scope, words).await?
    {
        subject = Some(finding);
        slots.clear_descriptive_filters();
    }

    // "<https://portal.azure.com/…/alertId/2518…|Malicious file uploaded to storage account> is
    // it real?" with nothing in the thread: the open alert it names by its title or its id.
    if subject.is_none()
        && context.subject.is_none()
        && (skill::info(intent).needs_subject || intent == Intent::Status)
        && slots.resource.is_none()
        && slots.ordinal.is_none()
        && let Some(alert) = alert_named(source, text, scope, None).await?
    {
        subject = Some(alert);
        slots.clear_descriptive_filters();
    }

    // 4. The thread's subject.
    let mut note = None;
    // "anything with dana's name on it that's late?", "what does it look like per person?": a
    // person's work, or everyone's, whatever the pronoun.
    if intent == Intent::Status
        && slots.assignee.is_none()
        && slots.ordinal.is_none()
        && slots.resource.is_none()
        && !parse.reference.picks
        && let Some(person) = &parse.person
    {
        slots.assignee = Some(person.clone());
    }
    let of_people = intent == Intent::Status
        && (slots.assignee.is_some()
            || [
                "per person",
                "by person",
                "per owner",
                "by owner",
                "per assignee",
                "everyone",
                "each person",
            ]
            .iter()
            .any(|w| text.to_lowercase().contains(w)));
    // "when is due", "who owner?" while the thread is on one finding: its owner and due date.
    let of_the_item = intent == Intent::Status
        && slots.assignee.is_none()
        && !slots.has_filters()
        && matches!(&context.subject, Some(s) if !matches!(s, Subject::List { .. }))
        && elliptical_work_question(text);
    let needs = !of_people
        && (skill::info(intent).needs_subject
            || (intent == Intent::Status && (pointing(parse) || of_the_item)));
    if parse.tool_cloud && context.subject.is_some() {
        slots.cloud = None;
    }
    let filtered = slots.has_filters() || slots.resource.is_some() || slots.recommendation.is_some();
    // "every item past its due date, with the owner next to each", "what else does alex have
    // that's late?" in a new thread: the pronouns are the question's own, which stands alone.
    let standalone = !skill::info(intent).needs_subject && (filtered || slots.assignee.is_some());
    // "paths?", "which attack paths involve this storage account?" while the thread is on one
    // resource's findings, or on one finding: the paths through that resource.
    if subject.is_none()
        && intent == Intent::AttackPaths
        && !filtered
        && slots.ordinal.is_none()
        && matches!(parse.reference.pointer, None | Some(Pointer::It))
        && !parse.reference.picks
        && let Some(resource) = match &context.subject {
            Some(Subject::List { .. }) => one_resource(last.map_or(&[][..], |l| l.items.as_slice())),
            // (Only a bare "paths?" carries a finding's resource over; "show our attack paths"
            // asks for them all.)
            Some(finding @ Subject::Finding { .. }) if text.split_whitespace().count() <= 3 => {
                finding.resource_id()
            }
            _ => None,
        }
    {
        subject = Some(Subject::Resource { id: resource.to_owned() });
    }
    // "how loaded is dana after that?": a teammate's work, whatever the thread was on.
    let whose_work = intent == Intent::Status
        && slots.assignee.is_some()
        && slots.ordinal.is_none()
        && parse.reference.pointer.is_none()
        && !parse.reference.picks;
    if subject.is_none() && !whose_work && (parse.needs_context || pointing(parse) || (needs && !filtered)) {
        let plural = parse.reference.pointer == Some(Pointer::Them);
        match (&context.subject, intent) {
            (Some(Subject::List { .. }), Intent::Summarize) => {
                if let Some(last) = last {
                    slots = last.slots.clone();
                }
            }
            // "list them" after a summary: the findings it summed up, listed.
            (Some(Subject::List { .. }), Intent::ListRisks) if plural && !slots.has_filters() => {
                if let Some(last) = last {
                    slots = last.slots.clone();
                }
            }
            // "make it priya instead" after a hand-over of several: the same several.
            // ("the deadline shall be 15. December" after one: the same several, by that day.)
            (Some(Subject::List { items, .. }), Intent::Delegate)
                if plural
                    || (parse.reference.corrects
                        && context.last_intent == Some(Intent::Delegate)
                        && parse.person.is_some())
                    || (context.last_intent == Some(Intent::Delegate)
                        && parse.slots.assignee.is_none()
                        && parse.slots.due.is_some()
                        && slots.ordinal.is_none()
                        && !parse.reference.picks) =>
            {
                subject = Some(Subject::list(items.clone()));
            }
            // "are any of those on an attack path?": the paths through the list's rows.
            (Some(list @ Subject::List { .. }), Intent::AttackPaths) if plural => {
                subject = Some(list.clone());
            }
            // "who owns those?": the owners of the list's rows.
            (Some(list @ Subject::List { on: None, .. }), Intent::Status)
                if plural && slots.assignee.is_none() && !slots.has_filters() =>
            {
                subject = Some(list.clone());
            }
            // "when's it due", "who owns it" after the findings on one resource: its work;
            // "is there an attack path through it?": the paths through it.
            (Some(Subject::List { on: Some(resource), .. }), Intent::Status | Intent::AttackPaths)
                if parse.reference.pointer == Some(Pointer::It) =>
            {
                subject = Some(Subject::Resource { id: resource.clone() });
            }
            (Some(Subject::List { items, .. }), _) if needs => {
                let fitting =
                    if items.len() > 1 { described_rows(source, items, words).await } else { Vec::new() };
                if items.len() == 1 {
                    subject = items.first().cloned();
                } else if let Some(first) = items.first().filter(|_| worst(text)) {
                    // "the worst of those", "the top one": lists are ranked, worst first.
                    subject = Some(first.clone());
                } else if let Some(first) = items.first().filter(|_| {
                    first_row_fix(context)
                        && (the_fix_asked(text) || parse.reference.pointer == Some(Pointer::It))
                }) {
                    // "assign that fix to @omar" after "which single fix breaks the most attack
                    // paths?": the fix that answered it, the list's first.
                    subject = Some(first.clone());
                } else if let [named] = fitting.as_slice() {
                    // "will turning on authorized ip ranges break it", "the xz one": the item
                    // described.
                    subject = Some(named.clone());
                } else if let Some(Subject::List { on: Some(resource), .. }) = &context.subject
                    && (parse.reference.pointer == Some(Pointer::It)
                        || (parse.reference.pointer.is_none()
                            && intent == Intent::Remediate
                            && !parse.reference.picks))
                {
                    // "aws cli to lock it down", "is there a fix?" after the findings on
                    // ec2-bastion-01: that resource, whose answer leads with its worst finding.
                    subject = Some(Subject::Resource { id: resource.clone() });
                } else if let Some(first) = items.first().filter(|_| {
                    intent != Intent::Delegate
                        && parse.reference.pointer == Some(Pointer::It)
                        && parse.person.is_none()
                        && asks_of_focus(parse, intent, text)
                        && !text.to_lowercase().contains("per ")
                }) {
                    // "how do I fix it?" after a list: its top row, said so, rather than a
                    // question back; a hand-over, which writes, still asks.
                    subject = Some(first.clone());
                    note = Some(
                        "You didn't say which one, so this is #1 of the list. Say \"the 2nd one\" (or its name) for another."
                            .to_owned(),
                    );
                } else if let [first, ..] = fitting.as_slice()
                    && intent != Intent::Delegate
                    && asks_of_focus(parse, intent, text)
                {
                    // "the nsg one, how to fix" with two such rows: the higher one, said so; a
                    // hand-over, which writes, asks which.
                    let positions: Vec<i32> =
                        fitting.iter().map(|row| position_in(rows, items, row)).collect();
                    subject = Some(first.clone());
                    note = Some(several_fit(&positions));
                } else {
                    let candidates = if fitting.is_empty() { items.clone() } else { fitting };
                    return Ok(Decision::Clarify { intent, slots, candidates, reason: None });
                }
            }
            // "blast radius if someone gets on it?" after a list of one resource's findings,
            // "the worst one there" after an empty one: that resource.
            (Some(Subject::List { on: Some(resource), items }), _)
                if parse.reference.pointer == Some(Pointer::It) || items.is_empty() =>
            {
                subject = Some(Subject::Resource { id: resource.clone() });
            }
            (Some(Subject::List { .. }), _) => {}
            // "and sam can take the disk encryption one" while the thread is on another row:
            // "the … one" picks the row of the thread's list it describes.
            // ("the datalake one" after the secure transfer fix on another account: the secure
            // transfer row on the datalake account, of its several rows.)
            (Some(current), _)
                if parse.reference.picks
                    && let Some(last) = last.filter(|l| l.items.len() > 1)
                    && let Some(row) = described_like(source, &last.items, words, current).await =>
            {
                subject = Some(row);
            }
            // "fix for the jump box" while the thread is about a recommendation: its finding on
            // the resource the words describe.
            (Some(Subject::Recommendation { key }), _)
                if (item_level(intent) || intent == Intent::Delegate)
                    && let Some(finding) = of_recommendation(source, key, scope, words).await? =>
            {
                subject = Some(finding);
            }
            (Some(s), _) => subject = Some(narrow(source, s.clone(), text).await),
            // "what does defender flag on the gcp side?" with nothing in the thread to explain:
            // the findings its filters describe.
            (None, Intent::Explain)
                if parse.stated_filters.has_filters()
                    && slots.ordinal.is_none()
                    && parse.reference.pointer.is_none()
                    && parse.kind_reference.is_none()
                    && !parse.reference.picks
                    && asks_for_a_set(text) =>
            {
                let slots = parse.stated_filters.refine(&slots);
                return Ok(run(Intent::ListRisks, slots, None, 0));
            }
            (None, _) if needs && !standalone => {
                return Ok(Decision::Clarify { intent, slots, candidates: Vec::new(), reason: None });
            }
            (None, _) => {}
        }
    }
    if needs && subject.is_none() && !filtered && !(standalone && context.subject.is_none()) {
        let candidates = last.map(|l| l.items.clone()).unwrap_or_default();
        return Ok(Decision::Clarify { intent, slots, candidates, reason: None });
    }
    // "is it on an attack path?" about an alert: the paths through the resource it fired on.
    if intent == Intent::AttackPaths
        && let Some(Subject::Alert { id }) = &subject
        && let Some(resource) = alert_resource(source, id, scope).await?
    {
        subject = Some(Subject::Resource { id: resource });
    }
    // An attack path is looked at, explained and summarized by the attack paths skill.
    // So is "the first one, step by step": only a word of fixing asks for the path's fix.
    // ("what would I have to fix to break it?" asks which fixes break it: the path, whose card
    // lists them.)
    if matches!(subject, Some(Subject::AttackPath { .. }))
        && (matches!(intent, Intent::Explain | Intent::Summarize | Intent::ListRisks)
            || (intent == Intent::Remediate
                && parse.tool.is_none()
                && (!fixing(text) || asks_which_fixes_break(text))))
    {
        intent = Intent::AttackPaths;
    }
    // "how do I break #1": the path's first fix, as its "Break it" button does; so is "who
    // owns this fix?" or "assign it to sam" about a path.
    if matches!(intent, Intent::Remediate | Intent::Delegate | Intent::Status)
        && let Some(Subject::AttackPath { id }) = &subject
    {
        let filter = AttackPathFilter { subscriptions: scope.to_vec(), ..AttackPathFilter::default() };
        if let Some((recommendation, resource)) = source
            .attack_paths(&filter)
            .await?
            .iter()
            .find(|p| &p.id == id)
            .and_then(|p| p.findings.first().cloned())
        {
            subject = Some(Subject::Finding { recommendation, resource });
        }
    }
    // "what do we do rn" about a machine with no open finding but an alert on it (the thread
    // went from the alert to the machine's attack paths): the alert's steps, its hand-over;
    // "paged. ssh brute force on ec2-worker-08. real?": the alert, looked at.
    if matches!(intent, Intent::Remediate | Intent::Delegate | Intent::Explain)
        && let Some(Subject::Resource { id }) = &subject
        && source
            .findings(&FindingFilter { resource: Some(id.clone()), ..FindingFilter::default() }, 0, 1)
            .await?
            .items
            .is_empty()
        && let [alert] = alerts_on(source, scope, id).await?.as_slice()
    {
        subject = Some(Subject::Alert { id: alert.id.clone() });
        slots.resource = None;
    }
    Ok(Decision::Run {
        intent,
        skill: answering_skill(intent, &slots),
        slots,
        subject,
        offset: 0,
        tool,
        note,
    })
}

/// What a prompt says that may describe an item of a list: its text, and the person it hands
/// work to, whose name describes no item ("give it to omar" is not "the one omar has").
#[derive(Clone, Copy)]
struct Words<'a> {
    text: &'a str,
    assignee: Option<&'a str>,
}

/// True when the prompt asks one item's question that its thread's one resource may answer:
/// not a list, not about several things.
fn asks_of_focus(parse: &Parse, intent: Intent, text: &str) -> bool {
    const SEVERAL: [&str; 9] =
        ["ones", "all", "those", "them", "these", "every", "each", "everything", "both"];
    (item_level(intent) || intent == Intent::Delegate)
        && !parse.refinement
        && parse.reference.pointer != Some(Pointer::Them)
        && !text.to_lowercase().split(|c: char| !c.is_alphanumeric()).any(|w| SEVERAL.contains(&w))
}

/// The one resource the thread is about: its subject, its finding's resource, or the resource
/// its list of findings is on.
fn focus(context: &ThreadContext) -> Option<&str> {
    match context.subject.as_ref()? {
        Subject::Resource { id }
        | Subject::Finding { resource: id, .. }
        | Subject::List { on: Some(id), .. } => Some(id),
        _ => None,
    }
}

/// The finding on the thread's resource the prompt means: of the recommendation it names, else
/// the one its words set apart ("the public network access finding on it").
async fn on_focus(
    source: &dyn PostureSource,
    context: &ThreadContext,
    key: Option<&str>,
    words: Words<'_>,
) -> Result<Option<Subject>, PostureError> {
    let Some(resource) = focus(context) else { return Ok(None) };
    if let Some(key) = key
        && source.finding(key, resource).await?.is_some()
    {
        return Ok(Some(Subject::Finding { recommendation: key.to_owned(), resource: resource.to_owned() }));
    }
    let filter = FindingFilter { resource: Some(resource.to_owned()), ..FindingFilter::default() };
    described_among(source, &filter, words).await
}

/// The finding matching `filter` (of its first 50) that the prompt's words single out, when
/// there are two or more to choose from.
async fn described_among(
    source: &dyn PostureSource,
    filter: &FindingFilter,
    words: Words<'_>,
) -> Result<Option<Subject>, PostureError> {
    let findings = source.findings(filter, 0, 50).await?.items;
    if findings.len() < 2 {
        return Ok(None);
    }
    let items: Vec<Subject> = findings.iter().map(skill::finding_subject).collect();
    Ok(described(source, &items, words).await)
}

/// The open alerts in the channel's scope.
async fn alerts_in(source: &dyn PostureSource, scope: &[String]) -> Result<Vec<Arc<Alert>>, PostureError> {
    source.alerts(&AlertFilter { subscriptions: scope.to_vec(), ..AlertFilter::default() }).await
}

/// The resource an alert fired on, if it names one.
async fn alert_resource(
    source: &dyn PostureSource,
    id: &str,
    scope: &[String],
) -> Result<Option<String>, PostureError> {
    Ok(alerts_in(source, scope).await?.into_iter().find(|a| a.id == id).and_then(|a| a.resource.clone()))
}

/// The one open alert in scope the prompt names: by its id (a pasted portal link carries it)
/// or by its whole title; `on` keeps only the alerts on that resource (its id).
async fn alert_named(
    source: &dyn PostureSource,
    text: &str,
    scope: &[String],
    on: Option<&str>,
) -> Result<Option<Subject>, PostureError> {
    let text = text.to_lowercase();
    let alerts = match on {
        Some(on) => alerts_on(source, scope, on).await?,
        None => alerts_in(source, scope).await?,
    };
    let by_id = alerts.iter().find(|a| {
        a.id.rsplit('/').next().is_some_and(|id| id.len() >= 8 && text.contains(&id.to_lowercase()))
    });
    let mut titled = alerts.iter().filter(|a| a.name.len() >= 12 && text.contains(&a.name.to_lowercase()));
    let alert = match (by_id, titled.next(), titled.next()) {
        (Some(alert), _, _) | (None, Some(alert), None) => alert,
        _ => return Ok(None),
    };
    Ok(Some(Subject::Alert { id: alert.id.clone() }))
}

/// The one open alert in scope whose title's telling words the prompt uses most ("the exposed
/// k8s dashboard alert" is "Exposed Kubernetes dashboard detected"); `None` when no alert's
/// words are used or two alerts are described as well.
async fn alert_described(
    source: &dyn PostureSource,
    text: &str,
    scope: &[String],
) -> Result<Option<Subject>, PostureError> {
    const PLAIN: &[&str] = &[
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "from",
        "with",
        "for",
        "and",
        "your",
        "detected",
        "attack",
        "suspected",
        "successful",
        "related",
        "behavior",
        "activity",
        "potential",
        "security",
        "resources",
        "resource",
        "multiple",
        "used",
        "file",
        "data",
        "line",
        "access",
        "incident",
        "high",
        "medium",
        "low",
    ];
    let said: Vec<String> = lowercase_words(text).iter().map(|w| alert_word(w).to_owned()).collect();
    let alerts = alerts_in(source, scope).await?;
    let score = |alert: &Alert| {
        let mut words: Vec<String> = lowercase_words(&alert.name)
            .iter()
            .filter(|w| !PLAIN.contains(&w.as_str()))
            .map(|w| alert_word(w).to_owned())
            .collect();
        words.dedup();
        words.iter().filter(|w| said.contains(w)).count()
    };
    let mut scored: Vec<(usize, &Arc<Alert>)> =
        alerts.iter().map(|a| (score(a), a)).filter(|(n, _)| *n > 0).collect();
    scored.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    Ok(match scored.as_slice() {
        [(best, alert), rest @ ..] if rest.first().is_none_or(|(next, _)| next < best) => {
            Some(Subject::Alert { id: alert.id.clone() })
        }
        _ => None,
    })
}

/// One spelling for the words people use for what an alert reports: "k8s" is "kubernetes",
/// "crypto" is "mining".
fn alert_word(word: &str) -> &str {
    match word {
        "k8s" | "kube" | "aks" => "kubernetes",
        "crypto" | "cryptomining" | "miner" | "coinminer" | "cryptominer" => "mining",
        "bruteforce" => "brute",
        "sqli" => "injection",
        other => other,
    }
}

/// The open alerts in scope that fired on one resource.
async fn alerts_on(
    source: &dyn PostureSource,
    scope: &[String],
    resource: &str,
) -> Result<Vec<Arc<Alert>>, PostureError> {
    let mut alerts = alerts_in(source, scope).await?;
    alerts.retain(|a| a.resource.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(resource)));
    Ok(alerts)
}

/// True when the prompt keeps only some of what was shown ("only the ones which are overdue",
/// "just those past due").
fn only_some(text: &str) -> bool {
    let words = lowercase_words(text);
    words.iter().enumerate().any(|(i, w)| {
        w == "only"
            || (w == "just"
                && words.get(i + 1).is_some_and(|n| matches!(n.as_str(), "the" | "those" | "these")))
    })
}

/// True when the prompt asks who has the work ("who owns the db", "whose is it").
fn asks_whom(text: &str) -> bool {
    says_any(text, &["who owns", "who s on", "who's on", "who is on", "whose", "owner", "who has it"])
}

/// A person's handle as the directory knows it: "@Priya" and "priya@contoso.com" are "priya".
fn handle(who: &str) -> String {
    who.trim_start_matches('@').split('@').next().unwrap_or_default().to_lowercase()
}

/// True when a hand-over moves someone's work as a whole ("everything sam has", "all of raj's
/// overdue items", "sam's stuff", "dana's two overdue ones").
fn hands_over_work(text: &str) -> bool {
    says_any(
        text,
        &[
            "everything",
            "all of",
            "all the",
            "all his",
            "all her",
            "all their",
            "'s work",
            "'s stuff",
            "'s items",
            "'s findings",
            "'s tickets",
            "'s queue",
            "'s list",
            "'s overdue",
            "'s late",
            "'s open",
            "'s remaining",
            "'s two",
            "'s three",
            "'s four",
            "'s five",
            "from @",
            "off @",
        ],
    )
}

/// True when a hand-over keeps the last one's date ("same date", "same deadline").
fn same_day(text: &str) -> bool {
    says_any(
        text,
        &[
            "same date",
            "same day",
            "same deadline",
            "same due",
            "same time",
            "same timeline",
            "same timeframe",
        ],
    )
}

/// True when the prompt, lowercased, contains any of the phrases.
fn says_any(text: &str, phrases: &[&str]) -> bool {
    let text = text.to_lowercase();
    phrases.iter().any(|w| text.contains(w))
}

/// The prompt's words, lowercased, without punctuation.
fn lowercase_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// True when a question the model read as "explain" asks what is there ("what does defender
/// flag on the gcp side?") rather than what something means or why it matters ("what does
/// critical mean?", "eli5 just in time vm access", "the real risk of password ssh").
fn asks_for_a_set(text: &str) -> bool {
    const SET: [&str; 9] = ["flag", "find", "found", "show", "open", "wrong", "complain", "report", "see"];
    const MEANING: [&str; 16] = [
        "mean",
        "definition",
        "define",
        "stand for",
        "what is a",
        "what's a",
        "eli5",
        "explain",
        "why",
        "risk",
        "threat",
        "matter",
        "dangerous",
        "how does",
        "how do",
        "work",
    ];
    let text = text.to_lowercase();
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
    SET.iter().any(|w| words.iter().any(|x| x.starts_with(w))) && !MEANING.iter().any(|w| text.contains(w))
}

/// True for a few words asking who has something or when it is due, with nothing named: "when
/// is due", "who owner?", "whose is", "owner is who?". Alone they ask about what the thread is
/// on.
fn elliptical_work_question(text: &str) -> bool {
    let words = lowercase_words(text);
    words.len() <= 5
        && (words.first().is_some_and(|w| matches!(w.as_str(), "when" | "who" | "whos" | "whose" | "is"))
            || words.last().is_some_and(|w| matches!(w.as_str(), "who" | "whom" | "when")))
        && words
            .iter()
            .any(|w| matches!(w.as_str(), "due" | "owner" | "owns" | "deadline" | "assigned" | "has"))
        && !words.iter().any(|w| {
            matches!(
                w.as_str(),
                "overdue" | "late" | "everyone" | "all" | "most" | "least" | "plate" | "work" | "else"
            )
        })
}

/// True when the prompt asks whether something is so: "is that finance data?", "does it hold
/// customer data?".
fn asks_whether(text: &str) -> bool {
    says_any(
        text,
        &[
            "is that ",
            "is it ",
            "is this ",
            "does it ",
            "does that ",
            "does this ",
            "are those ",
            "are they ",
            "what ",
            "how ",
        ],
    )
}

/// True when the prompt points at one item by its kind ("the nsg one"), not at all of that kind
/// ("the nsg ones", "both").
fn one_of_several(text: &str) -> bool {
    let words = lowercase_words(text);
    words.iter().any(|w| w == "one")
        && !words.iter().any(|w| {
            matches!(w.as_str(), "ones" | "all" | "both" | "those" | "them" | "these" | "every" | "each")
        })
}

/// True when the thread's list is of fixes ranked by the attack paths each breaks, whose first
/// row answers "which single fix breaks the most?".
fn first_row_fix(context: &ThreadContext) -> bool {
    context.last_list.as_ref().is_some_and(|last| {
        last.intent == Intent::AttackPaths && matches!(last.items.first(), Some(Subject::Finding { .. }))
    })
}

/// True when the prompt speaks of one fix as already said: "that fix", "this fix".
fn the_fix_asked(text: &str) -> bool {
    says_any(text, &["that fix", "this fix", "the fix you", "that one fix"])
}

/// True when the prompt asks which fixes break something ("what would I have to fix to break
/// it?"), not how to make one.
fn asks_which_fixes_break(text: &str) -> bool {
    let text = text.to_lowercase();
    (text.contains("what") || text.contains("which")) && text.contains("break")
}

/// True when the prompt has a word of fixing ("how do we break it", "close that path").
fn fixing(text: &str) -> bool {
    const FIXING: [&str; 14] = [
        "fix", "remediat", "break", "close", "mitigat", "patch", "block", "secur", "harden", "cut", "resolv",
        "script", "command", "cli",
    ];
    says_any(text, &FIXING)
}

/// The skill that answers an intent with these slots: a list of findings nobody owns is a
/// list, whoever asks it as a question about delegated work.
pub(crate) fn answering_skill(intent: Intent, slots: &Slots) -> Intent {
    if intent == Intent::Status && slots.unassigned == Some(true) { Intent::ListRisks } else { intent }
}

/// The item of a list the prompt describes by what sets it apart: its resource's name or a part
/// of it, its kind or cloud, a package or CVE it carries, its recommendation's distinctive words.
async fn described(source: &dyn PostureSource, items: &[Subject], words: Words<'_>) -> Option<Subject> {
    match described_rows(source, items, words).await.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The item of a list the prompt describes; of several it fits equally, the one of the same
/// recommendation as `current`, when only one is.
async fn described_like(
    source: &dyn PostureSource,
    items: &[Subject],
    words: Words<'_>,
    current: &Subject,
) -> Option<Subject> {
    let fitting = described_rows(source, items, words).await;
    if let [one] = fitting.as_slice() {
        return Some(one.clone());
    }
    let key = current.recommendation_key()?;
    let mut alike = fitting.into_iter().filter(|row| row.recommendation_key() == Some(key));
    match (alike.next(), alike.next()) {
        (Some(row), None) => Some(row),
        _ => None,
    }
}

/// The items of a list the prompt's words fit best, in list order: one when one stands out,
/// several when they fit equally ("the nsg one" with two such rows), none when the words tell
/// nothing apart.
async fn described_rows(source: &dyn PostureSource, items: &[Subject], words: Words<'_>) -> Vec<Subject> {
    let mut descriptions = Vec::with_capacity(items.len());
    let mut paths = None;
    for item in items {
        let mut description = ItemDescription::default();
        match item {
            // An alert by its name and the resource it fired on ("the brute force one on
            // sql-warehouse-prod").
            Subject::Alert { id } => {
                if let Ok(Some(alert)) = source.alert(id).await {
                    description.recommendation = alert.name.clone();
                    description.resource = alert.entity.clone();
                    description.kind = Some(alert.kind);
                    description.cloud = Some(alert.cloud);
                }
                descriptions.push(description);
                continue;
            }
            // An attack path by its name and the resources it goes through ("the one through
            // id-etl-runner").
            Subject::AttackPath { id } => {
                if paths.is_none() {
                    paths = source.attack_paths(&AttackPathFilter::default()).await.ok();
                }
                if let Some(path) = paths.iter().flatten().find(|p| p.id == *id) {
                    description.recommendation = path.name.clone();
                    description.resource =
                        path.steps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join("/");
                }
                descriptions.push(description);
                continue;
            }
            _ => {}
        }
        if let Some(key) = item.recommendation_key()
            && let Ok(Some(recommendation)) = source.recommendation(key).await
        {
            description.recommendation = recommendation.name.clone();
            if let Some(id) = item.resource_id()
                && let Ok(Some(finding)) = source.finding(key, id).await
                && let Some(governance) = &finding.governance
            {
                description.owner = governance.owner.clone();
            }
        }
        if let Some(id) = item.resource_id() {
            if let Ok(Some(resource)) = source.resource(id).await {
                description.resource = resource.name.clone();
                description.kind = Some(resource.kind);
                description.cloud = Some(resource.cloud);
            }
            if let Ok(found) = source.vulnerabilities(id).await {
                description.vulnerabilities = found.into_iter().flat_map(|v| [v.package, v.cve]).collect();
            }
        }
        descriptions.push(description);
    }
    described_items(words.text, &descriptions, words.assignee).into_iter().map(|i| items[i].clone()).collect()
}

/// The resource a prompt names that the channel may see: by its name, or by a shortening of a
/// resource the thread shows.
async fn named(
    source: &dyn PostureSource,
    context: &ThreadContext,
    name: &str,
    scope: &[String],
) -> Result<Option<Arc<Resource>>, PostureError> {
    let mut found = source.resources_named(name).await?;
    if found.is_empty() {
        found.extend(shortened(source, context, name).await);
    }
    Ok(found
        .into_iter()
        .find(|r| scope.is_empty() || scope.iter().any(|s| s.eq_ignore_ascii_case(&r.subscription))))
}

/// The resource of the thread's subject or list that a name shortens ("etl-02" for vm-etl-02,
/// "orders-prod" for sql-orders-prod), when exactly one does.
async fn shortened(source: &dyn PostureSource, context: &ThreadContext, name: &str) -> Option<Arc<Resource>> {
    let name = name.to_lowercase();
    let (tail, head) = (format!("-{name}"), format!("{name}-"));
    let mut ids: Vec<&str> = context.subject.iter().filter_map(Subject::resource_id).collect();
    ids.extend(focus(context));
    ids.extend(context.last_list.iter().flat_map(|l| l.items.iter().filter_map(Subject::resource_id)));
    ids.sort_unstable();
    ids.dedup();
    let mut matching = Vec::new();
    for id in ids {
        if let Ok(Some(resource)) = source.resource(id).await {
            let full = resource.name.to_lowercase();
            if full.ends_with(&tail) || full.starts_with(&head) {
                matching.push(resource);
            }
        }
    }
    if matching.len() == 1 { matching.pop() } else { None }
}

/// True when the prompt points at something in the thread without naming it.
fn pointing(parse: &Parse) -> bool {
    parse.slots.ordinal.is_some()
        || parse.kind_reference.is_some()
        || parse.reference.picks
        || matches!(parse.reference.pointer, Some(Pointer::It | Pointer::Next | Pointer::Previous))
}

/// The number of the row of the thread's list the thread is on, when it is on one.
fn current_row(context: &ThreadContext) -> Option<i32> {
    let subject = context.subject.as_ref().filter(|s| !matches!(s, Subject::List { .. }))?;
    let rows = &context.last_list.as_ref()?.items;
    rows.iter().position(|r| r == subject).map(|i| i as i32 + 1)
}

/// `Some` when the prompt points at "the other one"; `true` when it says nothing else ("and the
/// other one?", "no, the other"), so it asks the last question again.
fn the_other(text: &str) -> Option<bool> {
    const ALONE: [&str; 18] = [
        "and", "the", "other", "one", "no", "nope", "ok", "what", "about", "how", "then", "now", "pls",
        "please", "sorry", "i", "meant", "actually",
    ];
    let words = lowercase_words(text);
    let at = words.iter().position(|w| w == "other")?;
    let points = at > 0 && words[at - 1] == "the" && words.get(at + 1).is_none_or(|w| w == "one");
    points.then(|| words.iter().all(|w| ALONE.contains(&w.as_str())))
}

/// The one item of a list of this recommendation, when there is exactly one.
fn only_row_of(items: &[Subject], key: &str) -> Option<Subject> {
    let mut rows = items.iter().filter(|i| i.recommendation_key() == Some(key));
    match (rows.next(), rows.next()) {
        (Some(row), None) => Some(row.clone()),
        _ => None,
    }
}

/// The first item of a list that is on this resource.
/// The finding of a recommendation that the prompt's words single out by its resource ("the
/// jump box" among the machines it fails on), if one stands out.
async fn of_recommendation(
    source: &dyn PostureSource,
    key: &str,
    scope: &[String],
    words: Words<'_>,
) -> Result<Option<Subject>, PostureError> {
    let filter = FindingFilter {
        recommendation: Some(key.to_owned()),
        subscriptions: scope.to_vec(),
        ..FindingFilter::default()
    };
    described_among(source, &filter, words).await
}

/// The one resource every row of a list is on, when they share one.
fn one_resource(rows: &[Subject]) -> Option<&str> {
    let first = rows.first()?.resource_id()?;
    rows.iter().all(|r| r.resource_id().is_some_and(|id| id.eq_ignore_ascii_case(first))).then_some(first)
}

/// True when the prompt speaks of one alert ("the mining alert on it", "brute force on
/// sql-warehouse-prod"), not of alerts.
fn one_alert_asked(text: &str) -> bool {
    let words: Vec<String> =
        text.to_lowercase().split(|c: char| !c.is_alphanumeric()).map(str::to_owned).collect();
    let brute_force = words.windows(2).any(|w| w[0] == "brute" && w[1] == "force");
    (brute_force || words.iter().any(|w| matches!(w.as_str(), "alert" | "alrt" | "alret")))
        && !words.iter().any(|w| matches!(w.as_str(), "alerts" | "alrts" | "any" | "all" | "attempts"))
}

/// The one recommendation the thread is about: its subject's, or the one every row of its
/// list shares.
fn thread_recommendation(context: &ThreadContext) -> Option<&str> {
    let rows = context.last_list.as_ref().map_or(&[][..], |l| l.items.as_slice());
    match context.subject.as_ref()? {
        Subject::List { .. } => {
            let key = rows.first()?.recommendation_key()?;
            rows.iter().all(|r| r.recommendation_key() == Some(key)).then_some(key)
        }
        other => other.recommendation_key(),
    }
}

fn on_resource(items: &[Subject], resource: &str) -> Option<Subject> {
    rows_on(items, resource).next().cloned()
}

/// The items of a list on one resource, in order.
fn rows_on<'a>(items: &'a [Subject], resource: &'a str) -> impl Iterator<Item = &'a Subject> {
    items.iter().filter(move |i| i.resource_id().is_some_and(|r| r.eq_ignore_ascii_case(resource)))
}

/// True when the prompt asks for the worst or top item of a list ("the worst of those").
fn worst(text: &str) -> bool {
    let text = format!(" {} ", text.to_lowercase());
    [" worst ", " top one", " highest ", " biggest ", " most critical", " scariest ", " riskiest "]
        .iter()
        .any(|w| text.contains(w))
}

/// A row's number in the thread's list (rows keep their numbers across pages), else in the
/// items shown.
fn position_in(rows: &[Subject], items: &[Subject], row: &Subject) -> i32 {
    rows.iter()
        .position(|r| r == row)
        .or_else(|| items.iter().position(|r| r == row))
        .map_or(0, |i| i as i32 + 1)
}

/// The notice on an answer about the first of several rows the prompt fits equally.
fn several_fit(positions: &[i32]) -> String {
    let numbered: Vec<String> = positions.iter().map(|n| format!("#{n}")).collect();
    let listed = match numbered.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    let others = match positions {
        [_, other] => format!("Say \"the {}\" for the other.", position_name(*other)),
        _ => format!(
            "Say \"the {}\" (or its name) for another.",
            position_name(positions.get(1).copied().unwrap_or(2))
        ),
    };
    let fit = if positions.len() == 2 { "both fit" } else { "all fit" };
    format!("{listed} {fit} what you said, so this is #{}. {others}", positions.first().copied().unwrap_or(1))
}

fn position_name(n: i32) -> String {
    match n {
        -1 => "last one".to_owned(),
        n if n % 10 == 1 && n % 100 != 11 => format!("{n}st"),
        n if n % 10 == 2 && n % 100 != 12 => format!("{n}nd"),
        n if n % 10 == 3 && n % 100 != 13 => format!("{n}rd"),
        n => format!("{n}th"),
    }
}
