//! The `secbot` command: answers in the terminal, measures the parser, exports the demo tenant.

use std::io::{self, BufReader, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use secbot::engine::Engine;
use secbot::source::{self, SourceOptions};
use secbot::store::MemoryStore;
use secbot::terminal::{self, Output};
use time::Date;

/// A security copilot for cloud security posture, in Slack, Microsoft Teams, Discord and the
/// terminal.
#[derive(Debug, Parser)]
#[command(name = "secbot", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    source: SourceArgs,
}

/// Where the posture data comes from.
#[derive(Debug, Clone, Args)]
struct SourceArgs {
    /// Serve a snapshot file (Azure Resource Graph rows, as `secbot demo export` writes) instead
    /// of the demo tenant.
    #[arg(long, global = true, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Grow the demo tenant to this many findings.
    #[arg(long, global = true, value_name = "N")]
    scale: Option<usize>,
    /// The demo tenant's seed.
    #[arg(long, global = true, value_name = "N")]
    seed: Option<u64>,
    /// The day the demo tenant is built for (YYYY-MM-DD; default today).
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_day)]
    day: Option<Date>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Answer one prompt ("-" reads prompts from standard input, one per line, each on its own).
    Ask {
        /// The prompt, or "-" for standard input.
        prompt: String,
        /// Print the reply as JSON (response_id, skill, intent, slots, card, text).
        #[arg(long)]
        json: bool,
    },
    /// Talk with secbot in one thread; `/press N` presses a button of the last card.
    Chat {
        /// Print one JSON reply per input line.
        #[arg(long)]
        json: bool,
    },
    /// Measure the parser on labelled prompts (JSON lines: prompt, intent, slots, needs_context).
    Eval {
        /// The labelled prompts file.
        file: PathBuf,
        /// Print the whole report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The demo tenant.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
}

#[derive(Debug, Subcommand)]
enum DemoCommand {
    /// Write the demo tenant as a snapshot of Azure Resource Graph rows.
    Export {
        /// Where to write it ("-" for standard output).
        #[arg(long, default_value = "-")]
        out: PathBuf,
    },
}

fn parse_day(text: &str) -> Result<Date, String> {
    Date::parse(text, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("`{text}` is not a date; write it as YYYY-MM-DD, for example 2026-12-15"))
}

fn source_options(args: &SourceArgs) -> SourceOptions {
    SourceOptions { data: args.data.clone(), scale: args.scale, seed: args.seed, day: args.day }
}

fn engine(args: &SourceArgs, announce: bool) -> anyhow::Result<Engine> {
    let started = Instant::now();
    let loaded = source::load(&source_options(args))?;
    if announce {
        eprintln!(
            "Loaded {}: {} findings on {} resources in {} ms.",
            loaded.source.info().name,
            loaded.findings,
            loaded.resources,
            started.elapsed().as_millis()
        );
    }
    Ok(Engine::new(loaded.source, loaded.lexicon, Arc::new(MemoryStore::new()), Vec::new()))
}

async fn chat(args: &SourceArgs, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let engine = engine(args, !json)?;
    let mode = if json { Output::Json } else { Output::Text };
    terminal::chat(&engine, BufReader::new(io::stdin().lock()), mode, out).await?;
    Ok(())
}

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("secbot: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // A closed pipe (`secbot ask ... | head`) is not an error worth reporting.
        Err(err)
            if err.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe) =>
        {
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("secbot: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SECBOT_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(io::stderr)
        .init();
    let cli = Cli::parse();
    let mut out = io::stdout().lock();
    match cli.command {
        Some(Command::Ask { prompt, json }) => {
            let mode = if json { Output::Json } else { Output::Text };
            let engine = engine(&cli.source, false)?;
            if prompt == "-" {
                terminal::ask_lines(&engine, BufReader::new(io::stdin().lock()), mode, &mut out).await?;
            } else {
                terminal::ask(&engine, &prompt, mode, &mut out).await?;
            }
        }
        Some(Command::Chat { json }) => chat(&cli.source, json, &mut out).await?,
        None => chat(&cli.source, false, &mut out).await?,
        Some(Command::Eval { file, json }) => {
            let loaded = source::load(&source_options(&cli.source))?;
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let rows = secbot_skills::intent::eval::read_labelled(&text).with_context(|| {
                format!("{} is not a labelled prompt file (one JSON object a line)", file.display())
            })?;
            let today = cli.source.day.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
            let report = secbot_skills::intent::eval::evaluate(&rows, &loaded.lexicon, today);
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
            } else {
                for miss in &report.misses {
                    writeln!(out, "miss: {}", serde_json::to_string(miss)?)?;
                }
                writeln!(
                    out,
                    "{} prompts: intent accuracy {:.1}%, slot accuracy {:.1}% (precision {:.1}%, recall {:.1}%), needs_context {:.1}%",
                    report.prompts,
                    report.intent_accuracy * 100.0,
                    report.slot_accuracy * 100.0,
                    report.slot_precision * 100.0,
                    report.slot_recall * 100.0,
                    report.context_accuracy * 100.0
                )?;
            }
        }
        Some(Command::Demo { command: DemoCommand::Export { out: path } }) => {
            let day = cli.source.day.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
            let mut options = secbot_skills::demo::DemoOptions::for_day(day);
            options.findings = cli.source.scale;
            if let Some(seed) = cli.source.seed {
                options.seed = seed;
            }
            let snapshot = secbot_skills::snapshot::write(&secbot_skills::demo::tenant(&options));
            let text = serde_json::to_string(&snapshot)?;
            if path.as_os_str() == "-" {
                writeln!(out, "{text}")?;
            } else {
                std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
    }
    Ok(())
}
