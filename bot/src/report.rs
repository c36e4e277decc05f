//! What operators read out of the store: feedback reports and exports, usage, and one person's
//! transcripts.

use std::collections::BTreeMap;
use std::io::Write;

use secbot_chat::Rating;
use serde_json::json;
use time::OffsetDateTime;

use crate::store::Store;

/// Which feedback to read, and how to print it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackQuery {
    /// Counts and rates per skill and intent, with the latest comments.
    Report {
        /// From when.
        since: OffsetDateTime,
    },
    /// Every rating, as JSON lines or CSV.
    Export {
        /// From when.
        since: OffsetDateTime,
        /// CSV instead of JSON lines.
        csv: bool,
    },
}

/// One CSV cell. A cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return, as a comment can) gets a leading `'`, so opening the export
/// never runs what someone typed into a feedback box.
fn csv_field(text: &str) -> String {
    let text =
        if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// Prints a feedback report or export.
pub async fn feedback(store: &dyn Store, query: FeedbackQuery, out: &mut impl Write) -> anyhow::Result<()> {
    let since = match query {
        FeedbackQuery::Report { since } | FeedbackQuery::Export { since, .. } => since,
    };
    let rows = store.feedback_since(since).await?;
    match query {
        FeedbackQuery::Export { csv: false, .. } => {
            for f in &rows {
                let line = json!({
                    "response_id": f.response_id,
                    "at": f.at.unix_timestamp(),
                    "platform": f.origin.platform,
                    "tenant": f.origin.tenant,
                    "channel": f.origin.channel,
                    "user": f.origin.user.id,
                    "skill": f.skill,
                    "intent": f.intent,
                    "rating": f.rating,
                    "comment": f.comment,
                });
                writeln!(out, "{line}")?;
            }
        }
        FeedbackQuery::Export { csv: true, .. } => {
            writeln!(out, "response_id,at,platform,tenant,channel,user,skill,intent,rating,comment")?;
            for f in &rows {
                let fields = [
                    f.response_id.as_str().to_owned(),
                    f.at.unix_timestamp().to_string(),
                    f.origin.platform.as_str().to_owned(),
                    f.origin.tenant.clone(),
                    f.origin.channel.clone(),
                    f.origin.user.id.clone(),
                    f.skill.clone(),
                    f.intent.clone(),
                    f.rating.as_str().to_owned(),
                    f.comment.clone(),
                ];
                writeln!(out, "{}", fields.iter().map(|s| csv_field(s)).collect::<Vec<_>>().join(","))?;
            }
        }
        FeedbackQuery::Report { .. } => {
            if rows.is_empty() {
                writeln!(out, "No feedback yet in that period.")?;
                return Ok(());
            }
            let mut by_skill: BTreeMap<(String, String), BTreeMap<Rating, usize>> = BTreeMap::new();
            for f in &rows {
                *by_skill
                    .entry((f.skill.clone(), f.intent.clone()))
                    .or_default()
                    .entry(f.rating)
                    .or_default() += 1;
            }
            writeln!(
                out,
                "{:<14} {:<14} {:>6} {:>18} {:>22} {:>18}",
                "skill", "intent", "total", "looks right", "needs improvement", "inappropriate"
            )?;
            for ((skill, intent), counts) in &by_skill {
                let total: usize = counts.values().sum();
                let cell = |r: Rating| {
                    let n = counts.get(&r).copied().unwrap_or(0);
                    format!("{n} ({:.0}%)", n as f64 * 100.0 / total as f64)
                };
                writeln!(
                    out,
                    "{skill:<14} {intent:<14} {total:>6} {:>18} {:>22} {:>18}",
                    cell(Rating::LooksRight),
                    cell(Rating::NeedsImprovement),
                    cell(Rating::Inappropriate)
                )?;
            }
            let comments: Vec<_> = rows.iter().rev().filter(|f| !f.comment.is_empty()).take(10).collect();
            if !comments.is_empty() {
                writeln!(out, "\nLatest comments:")?;
                for f in comments {
                    writeln!(
                        out,
                        "- [{}] {} ({}): {}",
                        f.rating.label(),
                        f.skill,
                        f.origin.platform,
                        f.comment
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// Prints usage this hour and month by tenant, channel and skill.
pub async fn usage(store: &dyn Store, now: OffsetDateTime, out: &mut impl Write) -> anyhow::Result<()> {
    let rows = store.usage(now).await?;
    if rows.is_empty() {
        writeln!(out, "No compute units used this month.")?;
        return Ok(());
    }
    let mut table: BTreeMap<(String, String, String), (u64, u64)> = BTreeMap::new();
    for row in rows {
        let entry = table.entry((row.tenant, row.channel, row.skill)).or_default();
        if row.period.starts_with("h:") {
            entry.0 += row.units;
        } else {
            entry.1 += row.units;
        }
    }
    writeln!(
        out,
        "{:<20} {:<20} {:<14} {:>10} {:>10}",
        "tenant", "channel", "skill", "this hour", "this month"
    )?;
    let mut totals: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for ((tenant, channel, skill), (hour, month)) in &table {
        writeln!(out, "{tenant:<20} {channel:<20} {skill:<14} {hour:>10} {month:>10}")?;
        let t = totals.entry(tenant.clone()).or_default();
        t.0 += hour;
        t.1 += month;
    }
    for (tenant, (hour, month)) in totals {
        writeln!(out, "{tenant:<20} {:<20} {:<14} {hour:>10} {month:>10}", "(all channels)", "(total)")?;
    }
    Ok(())
}

/// Prints, as JSON lines, everything stored about one person: each prompt with its answer, then
/// each of their ratings.
pub async fn transcripts(store: &dyn Store, user: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let (replies, feedback) = store.transcripts(user).await?;
    for r in replies {
        let line = json!({
            "kind": "reply",
            "at": r.origin.time.unix_timestamp(),
            "platform": r.origin.platform,
            "channel": r.origin.channel,
            "thread": r.origin.thread,
            "prompt": r.prompt,
            "skill": r.reply.skill,
            "response_id": r.reply.response_id,
            "answer": r.reply.text,
            "subject": r.reply.subject,
        });
        writeln!(out, "{line}")?;
    }
    for f in feedback {
        let line = json!({ "kind": "feedback", "at": f.at.unix_timestamp(), "response_id": f.response_id, "rating": f.rating, "comment": f.comment });
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("wrong owner"), "wrong owner");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("said \"hi\""), "\"said \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_field(formula).trim_start_matches('"').starts_with('\''), "{formula:?}");
        }
    }
}
