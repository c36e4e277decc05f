//! The `secbot` command: the server (the default), the terminal front end, and the tools that
//! read what secbot stored: feedback reports and exports, usage, transcripts.

use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use secbot::bench::{self, BenchOptions, Scenario};
use secbot::config::{Config, ConfigError, LogFormat, Raw};
use secbot::engine::{Engine, Policy};
use secbot::server;
use secbot::source::{self, SourceOptions};
use secbot::store::{SqlStore, Store};
use secbot::terminal::{self, Output};
use time::{Date, Duration, OffsetDateTime};

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
        // A configuration mistake: one line naming the setting and the fix.
        Err(err) if err.downcast_ref::<ConfigError>().is_some() => {
            eprintln!("secbot: {err}");
            std::process::ExitCode::from(2)
        }
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
    let cli = Cli::parse();
    match cli.command {
        None | Some(Command::Serve { .. }) => {}
        // The bench's server sheds load on purpose; its table says how much.
        Some(Command::Bench { .. }) => init_logging(LogFormat::Text, "error", None),
        Some(_) => init_logging(LogFormat::Text, "warn", None),
    }
    let mut out = io::stdout().lock();
    match &cli.command {
        None => serve(&cli, None, None).await,
        Some(Command::Serve { listen, log_format }) => serve(&cli, listen.clone(), log_format.clone()).await,
        Some(Command::Ask { prompt, json }) => {
            let mode = if *json { Output::Json } else { Output::Text };
            let engine = local_engine(&cli, false).await?;
            if prompt == "-" {
                terminal::ask_lines(&engine, BufReader::new(io::stdin().lock()), mode, &mut out).await?;
            } else {
                terminal::ask(&engine, prompt, mode, &mut out).await?;
            }
            Ok(())
        }
        Some(Command::Chat { json }) => {
            let engine = local_engine(&cli, !json).await?;
            let mode = if *json { Output::Json } else { Output::Text };
            terminal::chat(&engine, BufReader::new(io::stdin().lock()), mode, &mut out).await?;
            Ok(())
        }
        Some(Command::Bench { scenarios, smoke }) => {
            let scenarios = if scenarios.is_empty() {
                vec![
                    Scenario::Ingress,
                    Scenario::Baseline,
                    Scenario::Parse,
                    Scenario::Startup,
                    Scenario::Skills,
                ]
            } else {
                scenarios.clone()
            };
            let options = if *smoke { BenchOptions::smoke(scenarios) } else { BenchOptions::full(scenarios) };
            bench::run(&options, &mut out).await
        }
        Some(Command::Config { command: ConfigCommand::Check }) => {
            let raw = raw_config(&cli, None, None)?;
            for warning in &raw.warnings {
                writeln!(out, "warning: {warning}")?;
            }
            for (key, value, origin) in raw.describe() {
                writeln!(out, "{key:<58} = {value}  [{origin}]")?;
            }
            let config = Config::from_raw(&raw)?;
            config.prepare_data_dir()?;
            for warning in config.warnings() {
                writeln!(out, "warning: {warning}")?;
            }
            writeln!(out, "\nThe configuration is valid. {}", adapters_summary(&config).join(" "))?;
            Ok(())
        }
        Some(Command::Feedback { command }) => {
            let store = configured_store(&cli).await?;
            secbot::report::feedback(store.as_ref(), command_report(command), &mut out).await
        }
        Some(Command::Usage) => {
            let store = configured_store(&cli).await?;
            secbot::report::usage(store.as_ref(), OffsetDateTime::now_utc(), &mut out).await
        }
        Some(Command::Transcripts { command }) => {
            let store = configured_store(&cli).await?;
            match command {
                TranscriptsCommand::Export { user } => {
                    secbot::report::transcripts(store.as_ref(), user, &mut out).await
                }
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
        Some(Command::Eval { files, folds, misses, json }) => {
            eval(&cli, files, *folds, *misses, *json, &mut out).await
        }
        Some(Command::Sync { out: path }) => sync(&cli, path, &mut out).await,
        Some(Command::Cache { command: CacheCommand::Clear { url } }) => {
            let config = load_config(&cli)?;
            let base = url.clone().unwrap_or_else(|| format!("http://{}", config.listen));
            let token = config.read_admin_token().with_context(|| {
                format!(
                    "no admin token: set SECBOT_ADMIN_TOKEN, or run this where `secbot serve` wrote {}",
                    config.admin_token_file().display()
                )
            })?;
            let response = reqwest::Client::new()
                .post(format!("{}/admin/cache/clear", base.trim_end_matches('/')))
                .bearer_auth(token)
                .send()
                .await
                .with_context(|| {
                    format!("no secbot answers at {base}; is `secbot serve` running there? (--url)")
                })?;
            let status = response.status();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            if !status.is_success() {
                anyhow::bail!("{base} refused: {}", body["error"].as_str().unwrap_or("no reason given"));
            }
            writeln!(
                out,
                "Cleared the cache of {} at {base}.",
                body["source"].as_str().unwrap_or("the source")
            )?;
            Ok(())
        }
        Some(Command::Manifest { platform: ManifestCommand::Discord { out: path, register } }) => {
            let skills: Vec<(&str, &str)> =
                secbot_skills::skill::SKILLS.iter().map(|s| (s.name, s.description)).collect();
            let commands = secbot_discord::commands(&skills);
            write_out(path, &format!("{}\n", serde_json::to_string_pretty(&commands)?), &mut out)?;
            if *register {
                let config = load_config(&cli)?;
                let discord = config.discord.as_ref().ok_or_else(|| ConfigError {
                    key: "SECBOT_DISCORD_PUBLIC_KEY (discord_public_key)".to_owned(),
                    problem: "Discord is not configured; set it, SECBOT_DISCORD_APP_ID and SECBOT_DISCORD_BOT_TOKEN".to_owned(),
                })?;
                let options = server::discord::options(discord);
                let registered = secbot_discord::register(&options, &commands)
                    .await
                    .context("Discord did not take the commands")?;
                eprintln!(
                    "Registered {registered} command(s) with Discord for application {}.",
                    options.app_id
                );
            }
            Ok(())
        }
        Some(Command::Manifest { platform: ManifestCommand::Teams { app_id, url, out: path } }) => {
            let url = public_url(&cli, url.as_deref())?;
            let app_id = match app_id {
                Some(id) => id.clone(),
                None => load_config(&cli)?.teams.map(|t| t.app_id).ok_or_else(|| ConfigError {
                    key: "--app-id".to_owned(),
                    problem: "is needed (or SECBOT_TEAMS_APP_ID): the bot's Microsoft App ID".to_owned(),
                })?,
            };
            let commands = secbot_skills::skill::menu(32, 128);
            let package = secbot_teams::manifest(&app_id, &url, &commands)
                .map_err(|e| ConfigError { key: "--app-id / --url".to_owned(), problem: e.to_string() })?;
            std::fs::write(path, &package).with_context(|| format!("cannot write {}", path.display()))?;
            writeln!(
                out,
                "Wrote the Teams app package to {}; upload it in Teams under Apps › Manage your apps.",
                path.display()
            )?;
            Ok(())
        }
        Some(Command::Manifest { platform: ManifestCommand::Slack { url, socket_mode, out: path } }) => {
            use secbot_slack::manifest::{Reach, manifest_yaml};
            let configured = load_config(&cli).ok();
            let socket_mode = *socket_mode
                || configured.as_ref().and_then(|c| c.slack.as_ref()).is_some_and(|s| s.app_token.is_some());
            // Over Socket Mode the URL is optional: only OAuth installs come back to it.
            let url = match (socket_mode, url) {
                (true, None) => configured.and_then(|c| c.public_url),
                (_, given) => Some(public_url(&cli, given.as_deref())?),
            };
            let reach = match &url {
                _ if socket_mode => Reach::SocketMode(url.as_deref()),
                Some(url) => Reach::Http(url),
                None => Reach::SocketMode(None),
            };
            let yaml = manifest_yaml(reach).map_err(|e| ConfigError {
                key: "--url".to_owned(),
                problem: format!(
                    "`{}` is not a URL ({e}); write it like https://secbot.example.com",
                    url.as_deref().unwrap_or_default()
                ),
            })?;
            write_out(path, &yaml, &mut out)
        }
        Some(Command::Demo { command: DemoCommand::Export { out: path } }) => {
            let day = cli.source.day.unwrap_or_else(|| OffsetDateTime::now_utc().date());
            let mut options = secbot_skills::demo::DemoOptions::for_day(day);
            options.findings = cli.source.scale;
            if let Some(seed) = cli.source.seed {
                options.seed = seed;
            }
            let tenant = secbot_skills::demo::tenant(&options);
            if path.as_os_str() == "-" {
                secbot_skills::snapshot::write(&tenant, std::io::BufWriter::new(&mut out))?;
                return Ok(());
            }
            let mut partial = Partial::create(path)?;
            secbot_skills::snapshot::write(&tenant, &mut partial.writer)
                .with_context(|| format!("cannot write {}", path.display()))?;
            partial.commit()
        }
    }
}

/// `secbot sync`: pages through the Defender for Cloud tenant with a progress bar and writes
/// the snapshot.
async fn sync(cli: &Cli, path: &Path, out: &mut impl Write) -> anyhow::Result<()> {
    let mut raw = raw_config(cli, None, None)?;
    raw.set("source", "azure".to_owned());
    let config = Config::from_raw(&raw)?;
    let azure = config.azure.as_ref().context("Defender for Cloud is not configured (SECBOT_AZURE_*)")?;
    let source = secbot_skills::azure::AzureSource::new(source::azure_options(azure))
        .context("the Defender for Cloud settings are not usable")?;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {pos} rows read from Defender for Cloud ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = Instant::now();
    let mut partial = Partial::create(path)?;
    let synced = source.sync(&|rows| bar.set_position(rows as u64), &mut partial.writer).await;
    bar.finish_and_clear();
    let rows = synced.context("the sync stopped; the snapshot file was left as it was")?;
    partial.commit()?;
    writeln!(
        out,
        "Wrote {rows} rows to {} in {:.1} s. Serve them offline with `secbot serve --data {}`.",
        path.display(),
        started.elapsed().as_secs_f64(),
        path.display()
    )?;
    Ok(())
}

/// The public URL from `--url` or the configuration, checked to be http(s).
fn public_url(cli: &Cli, given: Option<&str>) -> anyhow::Result<String> {
    let url = match given {
        Some(url) => url.to_owned(),
        None => {
            let config = load_config(cli)?;
            config.public_url.clone().ok_or_else(|| ConfigError {
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
fn write_out(path: &PathBuf, text: &str, out: &mut impl Write) -> anyhow::Result<()> {
    if path.as_os_str() == "-" {
        write!(out, "{text}")?;
    } else {
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
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

async fn eval(
    cli: &Cli,
    files: &[PathBuf],
    folds: usize,
    misses: bool,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    use secbot::evaluation;
    use secbot_skills::intent::{corpus, eval};
    let loaded = source::load(&SourceOptions::of(&load_config(cli)?, cli.source.day))?;
    let today = cli.source.day.unwrap_or_else(|| OffsetDateTime::now_utc().date());
    let store: Arc<dyn Store> = Arc::new(SqlStore::in_memory().await?);
    let engine =
        Engine::new(loaded.source.clone(), loaded.lexicon.clone(), store).with_policy(Policy::unlimited());
    let mut sets: Vec<(String, String)> = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
        sets.push((file.display().to_string(), text));
    }
    if files.is_empty() {
        let rows = corpus::prompts();
        if folds < 2 {
            anyhow::bail!("--folds must be at least 2 to hold families out");
        }
        let training = secbot_skills::intent::Lexicon::catalog();
        let (models, fold) = corpus::cross_validate(rows, folds, &training);
        let report =
            eval::evaluate_with(rows, &loaded.lexicon.get(), today, |i| Some(models[fold[i]].as_ref()));
        let families: std::collections::BTreeSet<&str> =
            rows.iter().filter_map(|r| r.family.as_deref()).collect();
        writeln!(
            out,
            "corpus: {} prompts in {} paraphrase families, {folds} folds by family (each family read by a model that never saw it)",
            rows.len(),
            families.len()
        )?;
        print_prompt_report(&report, misses, json, out)?;
        let fitted = corpus::calibrate(rows, &models, &fold, &training);
        writeln!(
            out,
            "temperature that calibrates the held-out folds: {fitted:.2} (in use: {:.2})",
            corpus::TEMPERATURE
        )?;
        sets.push(("corpus threads".to_owned(), corpus::THREADS.to_owned()));
    }
    for (name, text) in sets {
        if evaluation::is_thread_file(&text) {
            let threads = evaluation::read_threads(&text)
                .with_context(|| format!("{name} is not a labelled thread file (one JSON object a line)"))?;
            let report = evaluation::play(&engine, &threads).await;
            writeln!(
                out,
                "{name}: {} threads, {}/{} turns right ({:.1}%)",
                report.threads,
                report.right,
                report.turns,
                report.accuracy() * 100.0
            )?;
            if misses {
                for miss in &report.misses {
                    writeln!(out, "  miss {miss}")?;
                }
            }
        } else {
            let rows = eval::read_labelled(&text)
                .with_context(|| format!("{name} is not a labelled prompt file (one JSON object a line)"))?;
            writeln!(out, "{name}:")?;
            print_prompt_report(&eval::evaluate(&rows, &loaded.lexicon.get(), today), misses, json, out)?;
        }
    }
    Ok(())
}

fn print_prompt_report(
    report: &secbot_skills::intent::eval::Report,
    misses: bool,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(report)?)?;
        return Ok(());
    }
    if misses {
        for miss in &report.misses {
            writeln!(out, "  miss: {}", serde_json::to_string(miss)?)?;
        }
    }
    writeln!(
        out,
        "  {} prompts: intent {:.1}%, core slots {:.1}%, all slots {:.1}% (precision {:.1}%, recall {:.1}%), needs_context {:.1}%, calibration error {:.3}",
        report.prompts,
        report.intent_accuracy * 100.0,
        report.core_slot_accuracy * 100.0,
        report.slot_accuracy * 100.0,
        report.slot_precision * 100.0,
        report.slot_recall * 100.0,
        report.context_accuracy * 100.0,
        report.calibration_error
    )?;
    writeln!(out, "  per intent (precision / recall / prompts):")?;
    for (intent, score) in &report.per_intent {
        writeln!(
            out,
            "    {intent:<13} {:>5.1}% {:>5.1}% {:>5}",
            score.precision() * 100.0,
            score.recall() * 100.0,
            score.expected
        )?;
    }
    writeln!(out, "  per slot (right / stated or read):")?;
    for (slot, (right, total)) in &report.per_slot {
        writeln!(out, "    {slot:<16} {right:>5} / {total}")?;
    }
    writeln!(out, "  confusion:")?;
    for line in report.confusion_table().lines() {
        writeln!(out, "    {line}")?;
    }
    Ok(())
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
    Ok(secbot::store::open(&config).await?)
}

fn adapters_summary(config: &Config) -> Vec<String> {
    let state = |on: bool, name: &str, needs: &str| {
        if on { format!("{name} is on.") } else { format!("{name} is off (set {needs}).") }
    };
    vec![
        state(
            config.slack.is_some(),
            "Slack",
            "SECBOT_SLACK_SIGNING_SECRET, or SECBOT_SLACK_APP_TOKEN for Socket Mode",
        ),
        state(config.teams.is_some(), "Teams", "SECBOT_TEAMS_APP_ID and SECBOT_TEAMS_APP_PASSWORD"),
        state(config.discord.is_some(), "Discord", "SECBOT_DISCORD_PUBLIC_KEY"),
        state(config.webchat_enabled(), "The web chat", "SECBOT_WEBCHAT_TOKEN to use it beyond loopback"),
    ]
}

async fn serve(cli: &Cli, listen: Option<String>, log_format: Option<String>) -> anyhow::Result<()> {
    let started = Instant::now();
    let raw = raw_config(cli, listen, log_format)?;
    let mut config = Config::from_raw(&raw)?;
    config.prepare_data_dir()?;
    config.ensure_admin_token()?;
    init_logging(config.log_format, "info", config.otlp_endpoint.as_deref());
    for warning in raw.warnings.iter().cloned().chain(config.warnings()) {
        tracing::warn!("{warning}");
    }
    // Train the intent model now rather than on the first message someone sends, while the
    // tenant loads.
    let model = tokio::task::spawn_blocking(secbot_skills::intent::corpus::model);
    let listener = server::bind(config.listen).await?;
    let addr = listener.local_addr().context("the listener has no address")?;
    let metrics_listener = match config.metrics_listen {
        Some(at) => Some(server::bind(at).await.map_err(|mut e| {
            e.key = "SECBOT_METRICS_LISTEN (metrics_listen)".to_owned();
            e
        })?),
        None => None,
    };
    let store = secbot::store::open(&config).await?;
    let loaded = source::from_config(&config, &SourceOptions::of(&config, cli.source.day)).await?;
    model.await.context("the intent model could not be trained")?;
    tracing::info!(
        findings = loaded.findings,
        resources = loaded.resources,
        "loaded {}",
        loaded.source.info().name
    );
    for line in adapters_summary(&config) {
        tracing::info!("{line}");
    }
    let webchat = config.webchat_enabled();
    let app = server::App::build(config, store.clone(), loaded);
    server::spawn_retention(store, app.config.clone());
    if let Some(listener) = metrics_listener {
        let at = listener.local_addr().context("the metrics listener has no address")?;
        tracing::info!("serving /metrics on http://{at}/metrics");
        let routes = server::ops::metrics_router(app.clone());
        tokio::spawn(async move { axum::serve(listener, routes).await });
    }
    tracing::info!(ready_in_ms = started.elapsed().as_millis() as u64, "listening on http://{addr}");
    if webchat {
        let hint =
            if app.config.webchat_token.is_some() { " (add ?token=<SECBOT_WEBCHAT_TOKEN>)" } else { "" };
        println!("secbot is ready: open http://{addr}/ for the web chat{hint}");
    } else {
        println!(
            "secbot is ready on http://{addr} (web chat off: set SECBOT_WEBCHAT_TOKEN to use it beyond loopback)"
        );
    }
    server::serve(app, listener).await?;
    tracing::info!("stopped");
    Ok(())
}

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
