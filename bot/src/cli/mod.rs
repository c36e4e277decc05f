//! The command line: what `secbot` takes, one file per subcommand, and what they share (the
//! configuration with the command line's source flags, the store, the terminal's engine, and
//! writing files).

mod ask;
mod bench;
mod cache;
mod check;
mod demo;
mod eval;
mod manifest;
mod reports;
mod serve;
mod sync;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use secbot::bench::Scenario;
use secbot::config::{Config, ConfigError, LogFormat, Raw};
use secbot::engine::{Engine, Policy};
use secbot::source::{self, SourceOptions};
use secbot::store::{SqlStore, Store};
use time::Date;

/// A security copilot for cloud security posture, in Slack, Microsoft Teams, Discord, a web chat
/// and the terminal.
#[derive(Debug, Parser)]
#[command(name = "secbot", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    source: SourceArgs,
    /// A TOML configuration file; `SECBOT_*` environment variables win over it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
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
    /// Serve the chat platforms' webhooks and the web chat (the default).
    Serve {
        /// Where to listen (HOST:PORT); overrides SECBOT_LISTEN.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Log as text or json; overrides SECBOT_LOG_FORMAT.
        #[arg(long, value_name = "FORMAT")]
        log_format: Option<String>,
    },
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
    /// Check the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Read the feedback people gave (the product's learning loop).
    Feedback {
        #[command(subcommand)]
        command: FeedbackCommand,
    },
    /// Show compute-unit consumption this hour and month by tenant, channel and skill.
    Usage,
    /// Export or purge what is stored about one person's prompts.
    Transcripts {
        #[command(subcommand)]
        command: TranscriptsCommand,
    },
    /// Measure understanding: labelled prompt files (JSON lines: prompt, intent, slots,
    /// needs_context) and labelled thread files (JSON lines: name, turns). With no file, the
    /// embedded corpus k-fold by family (each family read by a model that never saw it) and the
    /// corpus's own threads.
    Eval {
        /// Labelled prompt or thread files.
        files: Vec<PathBuf>,
        /// Folds for the corpus's held-out figures.
        #[arg(long, default_value_t = 5)]
        folds: usize,
        /// Print the misses too.
        #[arg(long)]
        misses: bool,
        /// Print the prompt reports as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Measure how fast secbot acknowledges and answers signed Slack events (against a bare
    /// handler in the same run) and reads prompts; prints a table and JSON lines.
    Bench {
        /// The scenarios to run (default: all).
        #[arg(value_enum)]
        scenarios: Vec<Scenario>,
        /// A moment of each, to check that they run (fails on an error, never on a timing).
        #[arg(long)]
        smoke: bool,
    },
    /// The demo tenant.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Read the whole Defender for Cloud tenant (SECBOT_AZURE_*) into a snapshot file that
    /// `secbot serve --data FILE` serves offline.
    Sync {
        /// Where to write the snapshot.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The cached Defender for Cloud answers of a running `secbot serve`.
    Cache {
        #[command(subcommand)]
        command: CacheCommand,
    },
    /// Write a chat platform's app manifest for this secbot's public URL.
    Manifest {
        #[command(subcommand)]
        platform: ManifestCommand,
    },
}

#[derive(Debug, Subcommand)]
enum CacheCommand {
    /// Make the server on this machine forget cached answers, so the next question reads fresh
    /// data from Azure.
    Clear {
        /// The server's address (default: SECBOT_LISTEN).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ManifestCommand {
    /// The Discord command list (JSON); `--register` also installs it for the application.
    Discord {
        /// Where to write it ("-" for standard output).
        #[arg(long, default_value = "-")]
        out: PathBuf,
        /// Register the commands with Discord (needs SECBOT_DISCORD_APP_ID and SECBOT_DISCORD_BOT_TOKEN).
        #[arg(long)]
        register: bool,
    },
    /// The Teams app package (a zip of manifest.json and the two icons) to upload in Teams.
    Teams {
        /// The bot's Microsoft App ID (default SECBOT_TEAMS_APP_ID).
        #[arg(long, value_name = "GUID")]
        app_id: Option<String>,
        /// The URL Teams reaches secbot at (default SECBOT_PUBLIC_URL).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// Where to write the zip.
        #[arg(long, default_value = "secbot-teams.zip")]
        out: PathBuf,
    },
    /// The Slack app manifest (YAML), from the command, events and scopes the adapter uses.
    Slack {
        /// The URL Slack reaches secbot at (default SECBOT_PUBLIC_URL).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// Slack reaches secbot over Socket Mode (the default when SECBOT_SLACK_APP_TOKEN is
        /// set): no request URLs, and the URL only for OAuth installs.
        #[arg(long)]
        socket_mode: bool,
        /// Where to write it ("-" for standard output).
        #[arg(long, default_value = "-")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration (secrets masked); exit non-zero if anything is wrong.
    Check,
}

#[derive(Debug, Subcommand)]
enum FeedbackCommand {
    /// Ratings per skill and intent, with the latest comments.
    Report {
        /// Only feedback from the last N days.
        #[arg(long, default_value_t = 30)]
        days: i64,
    },
    /// Every rating, for analysis.
    Export {
        /// jsonl or csv.
        #[arg(long, value_enum, default_value_t = Format::Jsonl)]
        format: Format,
        /// Only feedback from the last N days.
        #[arg(long, default_value_t = 3650)]
        days: i64,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Jsonl,
    Csv,
}

#[derive(Debug, Subcommand)]
enum TranscriptsCommand {
    /// Print, as JSON lines, every stored prompt and answer of a person and their ratings.
    Export {
        /// The person's platform user id.
        #[arg(long)]
        user: String,
    },
    /// Delete every stored prompt, answer and rating of a person.
    Purge {
        /// The person's platform user id.
        #[arg(long)]
        user: String,
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

/// Runs the command line's subcommand.
pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        None | Some(Command::Serve { .. }) => {}
        // The bench's server sheds load on purpose; its table says how much.
        Some(Command::Bench { .. }) => init_logging(LogFormat::Text, "error", None),
        Some(_) => init_logging(LogFormat::Text, "warn", None),
    }
    let mut out = io::stdout().lock();
    let out = &mut out;
    match &cli.command {
        None => serve::run(&cli, None, None).await,
        Some(Command::Serve { listen, log_format }) => {
            serve::run(&cli, listen.clone(), log_format.clone()).await
        }
        Some(Command::Ask { prompt, json }) => ask::ask(&cli, prompt, *json, out).await,
        Some(Command::Chat { json }) => ask::chat(&cli, *json, out).await,
        Some(Command::Bench { scenarios, smoke }) => bench::run(scenarios, *smoke, out).await,
        Some(Command::Config { command: ConfigCommand::Check }) => check::run(&cli, out),
        Some(Command::Feedback { command }) => reports::feedback(&cli, command, out).await,
        Some(Command::Usage) => reports::usage(&cli, out).await,
        Some(Command::Transcripts { command }) => reports::transcripts(&cli, command, out).await,
        Some(Command::Eval { files, folds, misses, json }) => {
            eval::run(&cli, files, *folds, *misses, *json, out).await
        }
        Some(Command::Sync { out: path }) => sync::run(&cli, path, out).await,
        Some(Command::Cache { command: CacheCommand::Clear { url } }) => {
            cache::clear(&cli, url.as_deref(), out).await
        }
        Some(Command::Manifest { platform: ManifestCommand::Discord { out: path, register } }) => {
            manifest::discord(&cli, path, *register, out).await
        }
        Some(Command::Manifest { platform: ManifestCommand::Teams { app_id, url, out: path } }) => {
            manifest::teams(&cli, app_id.as_deref(), url.as_deref(), path, out)
        }
        Some(Command::Manifest { platform: ManifestCommand::Slack { url, socket_mode, out: path } }) => {
            manifest::slack(&cli, url.as_deref(), *socket_mode, path, out)
        }
        Some(Command::Demo { command: DemoCommand::Export { out: path } }) => demo::export(&cli, path, out),
    }
}

/// An engine for the terminal: the configured source (or --data / the demo tenant) and a store
/// in memory.
async fn local_engine(cli: &Cli, announce: bool) -> anyhow::Result<Engine> {
    let started = Instant::now();
    let config = load_config(cli)?;
    let loaded = source::from_config(&config, &SourceOptions::of(&config, cli.source.day)).await?;
    if announce {
        eprintln!(
            "Loaded {}: {} findings on {} resources in {} ms.",
            loaded.source.info().name,
            loaded.findings,
            loaded.resources,
            started.elapsed().as_millis()
        );
    }
    let store: Arc<dyn Store> = Arc::new(SqlStore::in_memory().await?);
    Ok(Engine::new(loaded.source, loaded.lexicon, store).with_policy(Policy::from_config(&config)))
}

/// The configuration: the file, then `SECBOT_*`, then the command line's source flags.
fn load_config(cli: &Cli) -> Result<Config, ConfigError> {
    Config::from_raw(&raw_config(cli, None, None)?)
}

fn raw_config(cli: &Cli, listen: Option<String>, log_format: Option<String>) -> Result<Raw, ConfigError> {
    let mut raw = Raw::load(cli.config.as_deref(), std::env::vars())?;
    if let Some(listen) = listen {
        raw.set("listen", listen);
    }
    if let Some(format) = log_format {
        raw.set("log_format", format);
    }
    if let Some(data) = &cli.source.data {
        raw.set("data", data.display().to_string());
    }
    if let Some(scale) = cli.source.scale {
        raw.set("scale", scale.to_string());
    }
    if let Some(seed) = cli.source.seed {
        raw.set("seed", seed.to_string());
    }
    Ok(raw)
}

/// The store the configuration names: PostgreSQL when SECBOT_DATABASE_URL is set, else SQLite
/// in the data directory.
async fn configured_store(cli: &Cli) -> anyhow::Result<Arc<dyn Store>> {
    let config = load_config(cli)?;
    config.prepare_data_dir()?;
    Ok(config.open_store().await?)
}

/// The public URL from `--url` or the configuration, checked to be http(s).
fn public_url(cli: &Cli, given: Option<&str>) -> anyhow::Result<String> {
    let url = match given {
        Some(url) => url.to_owned(),
        None => {
            let config = load_config(cli)?;
            config.public_url.ok_or_else(|| ConfigError {
                key: "--url".to_owned(),
                problem: "is needed (or SECBOT_PUBLIC_URL): the address platforms reach secbot at, like https://secbot.example.com".to_owned(),
            })?
        }
    };
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ConfigError {
            key: "--url".to_owned(),
            problem: format!("`{url}` is not an http(s) URL; write it like https://secbot.example.com"),
        }
        .into());
    }
    Ok(url)
}

/// A snapshot being written beside the path it is for, as `.NAME.partial`, so that a server
/// reading that path never sees half a file. [`Partial::commit`] moves it into place; dropped
/// before that (the write failed), it removes itself and the old file stays as it was.
struct Partial {
    path: PathBuf,
    partial: PathBuf,
    /// Where the snapshot is written.
    writer: std::io::BufWriter<std::fs::File>,
    committed: bool,
}

impl Partial {
    fn create(path: &Path) -> anyhow::Result<Partial> {
        let name = path.file_name().with_context(|| format!("{} is not a file name", path.display()))?;
        let partial = path.with_file_name(format!(".{}.partial", name.to_string_lossy()));
        let file = std::fs::File::create(&partial).with_context(|| {
            format!("cannot write {} (check that its folder exists and is writable)", partial.display())
        })?;
        let writer = std::io::BufWriter::with_capacity(1 << 20, file);
        Ok(Partial { path: path.to_owned(), partial, writer, committed: false })
    }

    /// Flushes the snapshot to disk and moves it into its path's place.
    fn commit(mut self) -> anyhow::Result<()> {
        let written = self.writer.flush().and_then(|()| self.writer.get_ref().sync_all());
        written.with_context(|| format!("cannot write {}", self.partial.display()))?;
        std::fs::rename(&self.partial, &self.path)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// Writes text to a file, or to standard output for "-".
fn write_out(path: &Path, text: &str, out: &mut impl Write) -> anyhow::Result<()> {
    if path.as_os_str() == "-" {
        write!(out, "{text}")?;
    } else {
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Logs as text or JSON at the level `SECBOT_LOG` (or `RUST_LOG`, else `default`) sets, and to
/// an OpenTelemetry collector when one is configured.
fn init_logging(format: LogFormat, default: &str, otlp: Option<&str>) {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::prelude::*;
    // SECBOT_LOG, else RUST_LOG as every Rust service reads it, else the default.
    let directives = ["SECBOT_LOG", "RUST_LOG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|d| !d.trim().is_empty()));
    let filter = match directives {
        Some(directives) => EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new(default)),
        None => EnvFilter::new(default),
    };
    let otlp = otlp.map(secbot::telemetry::OtlpLayer::start);
    let lines = tracing_subscriber::fmt::layer().with_writer(io::stderr);
    let registry = tracing_subscriber::registry().with(filter).with(otlp);
    let _ = match format {
        LogFormat::Json => registry.with(lines.json()).try_init(),
        LogFormat::Text => registry.with(lines).try_init(),
    };
}
