//! `secbot feedback`, `secbot usage` and `secbot transcripts`: what secbot stored, read back.

use std::io::Write;

use time::{Duration, OffsetDateTime};

use super::{Cli, FeedbackCommand, Format, TranscriptsCommand, configured_store};

/// `secbot feedback report` or `export`.
pub(super) async fn feedback(
    cli: &Cli,
    command: &FeedbackCommand,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let store = configured_store(cli).await?;
    secbot::report::feedback(store.as_ref(), command_report(command), out).await
}

/// `secbot usage`: this hour's and this month's usage against the budgets.
pub(super) async fn usage(cli: &Cli, out: &mut impl Write) -> anyhow::Result<()> {
    let store = configured_store(cli).await?;
    secbot::report::usage(store.as_ref(), OffsetDateTime::now_utc(), out).await
}

/// `secbot transcripts export` or `purge` for one person.
pub(super) async fn transcripts(
    cli: &Cli,
    command: &TranscriptsCommand,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let store = configured_store(cli).await?;
    match command {
        TranscriptsCommand::Export { user } => secbot::report::transcripts(store.as_ref(), user, out).await,
        TranscriptsCommand::Purge { user } => {
            let purged = store.purge_user(user).await?;
            writeln!(
                out,
                "Deleted {} stored replies, {} ratings and {} delegations of {user}.",
                purged.replies, purged.feedback, purged.delegations
            )?;
            Ok(())
        }
    }
}

fn command_report(command: &FeedbackCommand) -> secbot::report::FeedbackQuery {
    let now = OffsetDateTime::now_utc();
    match command {
        FeedbackCommand::Report { days } => {
            secbot::report::FeedbackQuery::Report { since: now - Duration::days(*days) }
        }
        FeedbackCommand::Export { format, days } => secbot::report::FeedbackQuery::Export {
            since: now - Duration::days(*days),
            csv: matches!(format, Format::Csv),
        },
    }
}
