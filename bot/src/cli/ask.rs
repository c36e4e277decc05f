//! `secbot ask` and `secbot chat`: secbot in the terminal, on the configured source.

use std::io::{self, BufReader, Write};

use secbot::terminal::{self, Output};

use super::{Cli, local_engine};

/// `secbot ask PROMPT` (or `-`: one prompt a line from standard input).
pub(super) async fn ask(cli: &Cli, prompt: &str, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let mode = if json { Output::Json } else { Output::Text };
    let engine = local_engine(cli, false).await?;
    if prompt == "-" {
        terminal::ask_lines(&engine, BufReader::new(io::stdin().lock()), mode, cli.source.day, out).await?;
    } else {
        terminal::ask(&engine, prompt, mode, cli.source.day, out).await?;
    }
    Ok(())
}

/// `secbot chat`: a conversation in one thread, a prompt a line.
pub(super) async fn chat(cli: &Cli, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let engine = local_engine(cli, !json).await?;
    let mode = if json { Output::Json } else { Output::Text };
    terminal::chat(&engine, BufReader::new(io::stdin().lock()), mode, cli.source.day, out).await?;
    Ok(())
}
