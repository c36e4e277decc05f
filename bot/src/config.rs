//! Configuration: a TOML file (`--config FILE`) and `SECBOT_<KEY>` environment variables, the
//! latter winning. Every key is declared once in [`KEYS`] with its environment name, whether it
//! is a secret, its default and what it is for; `secbot config check` prints the effective values
//! with secrets masked.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One configuration key.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// The key in the TOML file (`listen`); the environment name is `SECBOT_` + its uppercase.
    pub name: &'static str,
    /// Its value is a secret: never printed or logged.
    pub secret: bool,
    /// The default, if any.
    pub default: Option<&'static str>,
    /// What it is for.
    pub help: &'static str,
}

const fn key(name: &'static str, secret: bool, default: Option<&'static str>, help: &'static str) -> Key {
    Key { name, secret, default, help }
}

/// Every key secbot reads.
pub const KEYS: &[Key] = &[
    key("listen", false, Some("127.0.0.1:3978"), "address the server listens on (HOST:PORT)"),
    key(
        "metrics_listen",
        false,
        None,
        "serve /metrics on this address (HOST:PORT) instead of the main one, to keep it off the public port",
    ),
    key(
        "otlp_endpoint",
        false,
        None,
        "OpenTelemetry collector to send traces to over OTLP/HTTP (JSON), such as http://127.0.0.1:4318",
    ),
    key("data_dir", false, Some("data"), "directory for the embedded database and other state"),
    key(
        "database_url",
        true,
        None,
        "postgres://… to share state between replicas (default: SQLite in data_dir)",
    ),
    key("source", false, Some("demo"), "where posture data comes from: demo, snapshot or azure"),
    key("data", false, None, "snapshot file served when source is snapshot (Azure Resource Graph rows)"),
    key("scale", false, None, "grow the demo tenant to this many findings"),
    key("seed", false, None, "the demo tenant's seed"),
    key("log_format", false, Some("text"), "log format: text or json"),
    key(
        "webchat",
        false,
        Some("auto"),
        "web chat: auto (on when listening on loopback or a token is set), on or off",
    ),
    key("webchat_token", true, None, "token the web chat requires when it is reachable beyond loopback"),
    key(
        "admin_token",
        true,
        None,
        "bearer token for /admin/* (default: a random one written to data_dir/admin.token at start-up, which `secbot cache clear` reads)",
    ),
    key("max_in_flight", false, Some("512"), "requests answered at once; more get 503 with Retry-After"),
    key(
        "request_timeout_secs",
        false,
        Some("30"),
        "seconds a request may take, body included (a request head must arrive within 10)",
    ),
    key("shutdown_grace_secs", false, Some("10"), "seconds to finish in-flight replies after SIGTERM/SIGINT"),
    key(
        "delivery_deadline_secs",
        false,
        Some("3600"),
        "seconds a reply the chat platform does not accept is tried again before it is given up",
    ),
    key(
        "watch_interval_secs",
        false,
        Some("300"),
        "seconds between two checks of the channels' watches (at least 10)",
    ),
    key(
        "watch_burst",
        false,
        Some("5"),
        "new findings in one check above which a watch posts one grouped card",
    ),
    key("public_url", false, None, "the URL platforms reach secbot at (manifests, OAuth redirects)"),
    key(
        "slack_signing_secret",
        true,
        None,
        "Slack app signing secret (turns the Slack adapter on, over HTTP)",
    ),
    key(
        "slack_app_token",
        true,
        None,
        "Slack app-level token (xapp-…, scope connections:write): turns Socket Mode on, no public URL needed",
    ),
    key("slack_socket_connections", false, Some("1"), "Socket Mode connections to keep open (1 to 10)"),
    key("slack_bot_token", true, None, "Slack bot token (xoxb-…) for a single workspace"),
    key("slack_client_id", false, None, "Slack app client id (OAuth install)"),
    key("slack_client_secret", true, None, "Slack app client secret (OAuth install)"),
    key(
        "slack_allowed_teams",
        false,
        None,
        "workspace (team) ids secbot answers, comma-separated (default: any workspace that installs it)",
    ),
    key("slack_api_url", false, Some("https://slack.com/api/"), "Slack Web API base URL"),
    key(
        "slack_authorize_url",
        false,
        Some("https://slack.com/oauth/v2/authorize"),
        "Slack's OAuth authorize page (for /slack/install)",
    ),
    key("teams_app_id", false, None, "Bot Framework app id (turns the Teams adapter on)"),
    key("teams_app_password", true, None, "Bot Framework app password"),
    key("teams_tenant_id", false, None, "tenant id for single-tenant bots"),
    key(
        "teams_openid_url",
        false,
        Some("https://login.botframework.com/v1/.well-known/openidconfiguration"),
        "Bot Framework OpenID metadata URL",
    ),
    key(
        "teams_allowed_tenants",
        false,
        None,
        "further Entra tenant ids secbot answers besides teams_tenant_id, comma-separated",
    ),
    key("teams_token_url", false, None, "Azure AD token endpoint (default from teams_tenant_id)"),
    key("teams_allowed_service_urls", false, None, "comma-separated serviceUrl prefixes the bot may call"),
    key(
        "discord_public_key",
        false,
        None,
        "Discord application public key, hex (turns the Discord adapter on)",
    ),
    key("discord_app_id", false, None, "Discord application id"),
    key("discord_bot_token", true, None, "Discord bot token"),
    key(
        "discord_gateway",
        false,
        Some("off"),
        "on: read @secbot mentions and thread follow-ups over the Gateway (needs the bot token and the Message Content intent)",
    ),
    key(
        "discord_allowed_guilds",
        false,
        None,
        "server (guild) ids secbot answers, comma-separated; with a list, direct messages are not answered",
    ),
    key("discord_api_url", false, Some("https://discord.com/api/v10"), "Discord API base URL"),
    key("azure_tenant_id", false, None, "Entra ID tenant of the Defender for Cloud source"),
    key("azure_client_id", false, None, "app (client) id, or a user-assigned managed identity's client id"),
    key(
        "azure_client_secret",
        true,
        None,
        "client secret of that app (else a federated token or managed identity)",
    ),
    key(
        "azure_federated_token_file",
        false,
        None,
        "workload identity token file (AKS sets AZURE_FEDERATED_TOKEN_FILE); used when no secret is set",
    ),
    key(
        "azure_sign_in",
        false,
        Some("auto"),
        "how secbot signs in to Azure: auto (the client secret, else the federated token file, else the \
         managed identity), client_secret, workload_identity, managed_identity or azure_cli",
    ),
    key(
        "azure_identity_endpoint",
        false,
        Some(IMDS_ENDPOINT),
        "managed identity token endpoint: IMDS on VMs and AKS; App Service and Container Apps set \
         IDENTITY_ENDPOINT, which secbot reads",
    ),
    key(
        "azure_identity_header",
        true,
        None,
        "App Service / Container Apps managed identity header (the platform sets IDENTITY_HEADER, which \
         secbot reads)",
    ),
    key(
        "azure_cli_command",
        false,
        Some("az"),
        "the Azure CLI program, for azure_sign_in = azure_cli (local runs after `az login`)",
    ),
    key(
        "azure_cache_ttl_secs",
        false,
        Some("60"),
        "how long Defender for Cloud answers are reused; 0 turns it off",
    ),
    key("azure_max_rows", false, Some("100000"), "the most rows one Resource Graph query reads"),
    key("azure_subscriptions", false, None, "comma-separated subscription ids to read"),
    key("azure_authority_url", false, Some("https://login.microsoftonline.com"), "Entra ID authority URL"),
    key("azure_management_url", false, Some("https://management.azure.com"), "Azure Resource Manager URL"),
    key("encryption_key", true, None, "key that encrypts stored workspace tokens (64 hex characters)"),
    key("retention_days", false, Some("30"), "days prompts, answers and thread contexts are kept"),
    key(
        "comment_retention_days",
        false,
        Some("365"),
        "days the words of a rating are kept (the rating itself stays for the report)",
    ),
    key("delegation_retention_days", false, Some("365"), "days recorded delegations are kept"),
    key("budget_hour", false, Some("600"), "compute units a tenant may use per hour"),
    key("budget_month", false, Some("100000"), "compute units a tenant may use per month"),
    key(
        "budget_channels",
        false,
        None,
        "hourly budgets of channels with their own: CHANNEL=UNITS,CHANNEL=UNITS",
    ),
    key("capacity_owner", false, None, "who can raise the usage budget (shown when it runs out)"),
    key(
        "notify_domains",
        false,
        None,
        "mail domains an address in a resource's owner tag must be in to be assigned and mailed (comma-separated; default: none)",
    ),
    key(
        "approvers",
        false,
        None,
        "platform user ids or Discord role ids who may confirm or cancel any delegation, besides whoever asked for it (comma-separated)",
    ),
    key(
        "channel_approvers",
        false,
        None,
        "further approvers of channels with their own: CHANNEL=ID|ID,CHANNEL=ID",
    ),
    key("scope", false, None, "subscription ids every channel may see, comma-separated (default: all)"),
    key("channel_scopes", false, None, "channels with their own scope: CHANNEL=SUB|SUB,CHANNEL=SUB"),
];

/// The instance metadata service's managed identity token endpoint (VMs, AKS nodes).
const IMDS_ENDPOINT: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

/// Variables the hosting platform sets that fill a key the `SECBOT_` variable leaves unset: App
/// Service and Container Apps give a managed identity's endpoint and header, and AKS workload
/// identity injects the client, tenant and federated token file.
const PLATFORM_VARIABLES: &[(&str, &str)] = &[
    ("IDENTITY_ENDPOINT", "azure_identity_endpoint"),
    ("IDENTITY_HEADER", "azure_identity_header"),
    ("AZURE_FEDERATED_TOKEN_FILE", "azure_federated_token_file"),
    ("AZURE_CLIENT_ID", "azure_client_id"),
    ("AZURE_TENANT_ID", "azure_tenant_id"),
];

/// Environment variables named `SECBOT_*` that are not configuration keys: the log filter and
/// the test and benchmark switches.
const NOT_KEYS: &[&str] = &[
    "SECBOT_LOG",
    "SECBOT_REQUIRE_BROWSER",
    "SECBOT_REQUIRE_PG",
    "SECBOT_REQUIRE_SCHEMAS",
    "SECBOT_REQUIRE_TOOLS",
    "SECBOT_AWSCLI_PATH",
    "SECBOT_AZURE_CLI_PATH",
    "SECBOT_KUBERNETES_VALIDATE_PATH",
    "SECBOT_UPDATE_MANIFESTS",
    "SECBOT_SHOW_MISSES",
    "SECBOT_BENCH_FINDINGS",
    "SECBOT_BENCH_ROUNDS",
];

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default.
    Default,
    /// The configuration file.
    File,
    /// An environment variable.
    Env,
}

/// A configuration problem, naming the key and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {problem}")]
pub struct ConfigError {
    /// The key, as `SECBOT_NAME (name)`, or the file.
    pub key: String,
    /// What is wrong and how to fix it.
    pub problem: String,
}

fn error(name: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError { key: format!("SECBOT_{} ({name})", name.to_uppercase()), problem: problem.into() }
}

/// A secret value: shown as `••••` when printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A secret made at run time (a generated token).
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The secret itself, for the code that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(••••)")
    }
}

/// Where posture data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// The embedded demo tenant.
    Demo,
    /// A snapshot file.
    Snapshot(PathBuf),
    /// Microsoft Defender for Cloud.
    Azure,
}

/// The log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object a line.
    Json,
}

/// Whether the web chat is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Webchat {
    /// On when listening on loopback or when a token is set.
    Auto,
    /// Always on (needs a token beyond loopback).
    On,
    /// Off.
    Off,
}

/// The raw values, before typing: each key's value and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Raw {
    values: BTreeMap<&'static str, (String, Origin)>,
    /// Problems that do not stop start-up (unknown environment variables).
    pub warnings: Vec<String>,
}

impl Raw {
    /// Reads the file (if any) and the environment, the latter winning.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Raw, ConfigError> {
        let mut raw = Raw::default();
        for k in KEYS {
            if let Some(d) = k.default {
                raw.values.insert(k.name, (d.to_owned(), Origin::Default));
            }
        }
        if let Some(path) = file {
            let file_key =
                || ConfigError { key: format!("--config {}", path.display()), problem: String::new() };
            let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
                problem: format!("cannot read it ({e}); check the path"),
                ..file_key()
            })?;
            let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError {
                problem: format!("is not valid TOML: {}; fix the syntax", e.message().trim()),
                ..file_key()
            })?;
            for (name, value) in table {
                if let Some(k) = secret_file_key(&name) {
                    let toml::Value::String(path) = value else {
                        return Err(error(k.name, format!("`{name}` must be a path in quotes")));
                    };
                    raw.values.insert(k.name, (read_secret_file(k, &name, &path)?, Origin::File));
                    continue;
                }
                let Some(k) = KEYS.iter().find(|k| k.name == name) else {
                    return Err(ConfigError {
                        problem: format!(
                            "unknown key `{name}`; the keys are listed by `secbot config check`"
                        ),
                        ..file_key()
                    });
                };
                let text = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => {
                        if b {
                            "on".into()
                        } else {
                            "off".into()
                        }
                    }
                    toml::Value::Array(items) => {
                        items.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(",")
                    }
                    other => {
                        return Err(error(
                            k.name,
                            format!("`{other}` is not a string or number; write it in quotes"),
                        ));
                    }
                };
                raw.values.insert(k.name, (text, Origin::File));
            }
        }
        let mut from_platform = Vec::new();
        let mut set_by_env: BTreeMap<&'static str, String> = BTreeMap::new();
        for (var, value) in env {
            if let Some((_, name)) = PLATFORM_VARIABLES.iter().find(|(v, _)| *v == var) {
                from_platform.push((*name, value));
                continue;
            }
            let Some(name) = var.strip_prefix("SECBOT_") else { continue };
            let found = match KEYS.iter().find(|k| k.name.eq_ignore_ascii_case(name)) {
                Some(k) => Some((k, value)),
                None => match secret_file_key(&name.to_lowercase()) {
                    Some(k) => Some((k, read_secret_file(k, &var, &value)?)),
                    None => None,
                },
            };
            match found {
                Some((k, value)) => {
                    if let Some(other) = set_by_env.insert(k.name, var.clone()) {
                        return Err(error(k.name, format!("is set by both {other} and {var}; keep one")));
                    }
                    raw.values.insert(k.name, (value, Origin::Env));
                }
                None if NOT_KEYS.contains(&var.as_str()) => {}
                None => raw
                    .warnings
                    .push(format!("{var} is not a secbot setting; ignored (see `secbot config check`)")),
            }
        }
        for (name, value) in from_platform {
            if !set_by_env.contains_key(name) && !value.trim().is_empty() {
                raw.values.insert(name, (value, Origin::Env));
            }
        }
        Ok(raw)
    }

    /// Sets a value from a command-line flag (it wins over everything).
    pub fn set(&mut self, name: &'static str, value: String) {
        self.values.insert(name, (value, Origin::Env));
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|(v, _)| v.as_str()).filter(|v| !v.trim().is_empty())
    }

    fn secret(&self, name: &str) -> Option<Secret> {
        self.get(name).map(|v| Secret(v.to_owned()))
    }

    /// Every key with its effective value (secrets masked) and origin, for `config check`.
    pub fn describe(&self) -> Vec<(String, String, &'static str)> {
        KEYS.iter()
            .map(|k| {
                let (value, origin) = match self.values.get(k.name) {
                    Some((v, o)) if k.secret && !v.is_empty() => ("•••• (set)".to_owned(), *o),
                    Some((v, o)) => (v.clone(), *o),
                    None => ("(unset)".to_owned(), Origin::Default),
                };
                let origin = match origin {
                    Origin::Default => "default",
                    Origin::File => "file",
                    Origin::Env => "env",
                };
                (format!("{} (SECBOT_{})", k.name, k.name.to_uppercase()), value, origin)
            })
            .collect()
    }
}

/// The secret key a `NAME_file` setting reads from a file (`SECBOT_SLACK_BOT_TOKEN_FILE`, as
/// Docker and Kubernetes mount secrets), if `name` is one.
fn secret_file_key(name: &str) -> Option<&'static Key> {
    let base = name.strip_suffix("_file")?;
    KEYS.iter().find(|k| k.secret && k.name == base)
}

/// The secret in a file, without the line break editors and `echo` leave at its end.
fn read_secret_file(key: &Key, setting: &str, path: &str) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        error(
            key.name,
            format!(
                "{setting} names {path}, which cannot be read ({}); check the path and the mount",
                e.kind()
            ),
        )
    })?;
    let value = text.trim_end_matches(['\r', '\n']).to_owned();
    if value.trim().is_empty() {
        return Err(error(key.name, format!("{setting} names {path}, which is empty; put the secret in it")));
    }
    Ok(value)
}

/// Slack credentials, when the Slack adapter is on.
#[derive(Debug, Clone)]
pub struct SlackConfig {
    /// The app's signing secret, for requests over HTTP.
    pub signing_secret: Option<Secret>,
    /// The app-level token that turns Socket Mode on.
    pub app_token: Option<Secret>,
    /// How many Socket Mode connections to keep open.
    pub socket_connections: usize,
    /// A single workspace's bot token.
    pub bot_token: Option<Secret>,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// OAuth client secret.
    pub client_secret: Option<Secret>,
    /// The Web API base URL.
    pub api_url: String,
    /// Slack's OAuth authorize page.
    pub authorize_url: String,
    /// The workspaces answered (empty: any).
    pub allowed_teams: Vec<String>,
}

/// Teams credentials, when the Teams adapter is on.
#[derive(Debug, Clone)]
pub struct TeamsConfig {
    /// The bot's app id.
    pub app_id: String,
    /// The bot's app password.
    pub app_password: Secret,
    /// The tenant of a single-tenant bot.
    pub tenant_id: Option<String>,
    /// The Bot Framework OpenID metadata URL.
    pub openid_url: String,
    /// The token endpoint.
    pub token_url: String,
    /// The serviceUrl prefixes the bot may send its token to.
    pub allowed_service_urls: Vec<String>,
    /// Tenants answered besides `tenant_id`.
    pub allowed_tenants: Vec<String>,
}

/// Discord credentials, when the Discord adapter is on.
#[derive(Debug, Clone)]
pub struct DiscordConfig {
    /// The application's Ed25519 public key (32 bytes).
    pub public_key: [u8; 32],
    /// Whether channel messages are read over the Gateway.
    pub gateway: bool,
    /// The application id.
    pub app_id: String,
    /// The bot token.
    pub bot_token: Option<Secret>,
    /// The API base URL.
    pub api_url: String,
    /// The servers answered (empty: any, and direct messages).
    pub allowed_guilds: Vec<String>,
}

/// Defender for Cloud credentials, for `source = azure`.
#[derive(Debug, Clone)]
pub struct AzureConfig {
    /// The Entra ID tenant.
    pub tenant_id: String,
    /// The app's client id (or a user-assigned managed identity's).
    pub client_id: Option<String>,
    /// The client secret; when set, secbot signs in with it.
    pub client_secret: Option<Secret>,
    /// A workload identity's federated token file; used when no secret is set.
    pub federated_token_file: Option<PathBuf>,
    /// How secbot signs in.
    pub sign_in: AzureSignIn,
    /// The managed identity token endpoint (IMDS, or App Service's `IDENTITY_ENDPOINT`).
    pub identity_endpoint: String,
    /// App Service's and Container Apps' managed identity header; with it, the endpoint is
    /// the platform's.
    pub identity_header: Option<Secret>,
    /// The Azure CLI program, for [`AzureSignIn::AzureCli`].
    pub cli_command: String,
    /// How long answers are reused (zero: not at all).
    pub cache_ttl: Duration,
    /// The most rows one query reads.
    pub max_rows: usize,
    /// The subscriptions to read.
    pub subscriptions: Vec<String>,
    /// The authority URL.
    pub authority_url: String,
    /// The management URL.
    pub management_url: String,
}

/// How secbot signs in to Azure (`SECBOT_AZURE_SIGN_IN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AzureSignIn {
    /// The client secret when one is set, else the federated token file, else the managed
    /// identity.
    Auto,
    /// The app registration's client secret.
    ClientSecret,
    /// Workload identity federation with the token file.
    WorkloadIdentity,
    /// The host's managed identity (IMDS, or App Service's endpoint when its header is set).
    ManagedIdentity,
    /// The Azure CLI's signed-in account.
    AzureCli,
}

/// The typed, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Where `/metrics` is served instead, when set.
    pub metrics_listen: Option<SocketAddr>,
    /// The OpenTelemetry collector traces go to, when set.
    pub otlp_endpoint: Option<String>,
    /// The data directory.
    pub data_dir: PathBuf,
    /// A PostgreSQL URL, when replicas share state.
    pub database_url: Option<Secret>,
    /// Where posture data comes from.
    pub source: SourceKind,
    /// Demo tenant size.
    pub scale: Option<usize>,
    /// Demo tenant seed.
    pub seed: Option<u64>,
    /// Log format.
    pub log_format: LogFormat,
    /// Web chat mode.
    pub webchat: Webchat,
    /// Web chat token.
    pub webchat_token: Option<Secret>,
    /// The token `/admin/*` requires.
    pub admin_token: Option<Secret>,
    /// How long to finish in-flight replies on shutdown.
    pub shutdown_grace: Duration,
    /// How long a reply the platform does not accept is tried again.
    pub delivery_deadline: Duration,
    /// How often the channels' watches are checked.
    pub watch_interval: Duration,
    /// New findings in one check above which a watch posts one grouped card.
    pub watch_burst: usize,
    /// Requests answered at once.
    pub max_in_flight: usize,
    /// How long one request may take.
    pub request_timeout: Duration,
    /// The public URL.
    pub public_url: Option<String>,
    /// Slack, when configured.
    pub slack: Option<SlackConfig>,
    /// Teams, when configured.
    pub teams: Option<TeamsConfig>,
    /// Discord, when configured.
    pub discord: Option<DiscordConfig>,
    /// Defender for Cloud, when configured.
    pub azure: Option<AzureConfig>,
    /// The key that encrypts stored tokens.
    pub encryption_key: Option<[u8; 32]>,
    /// Days transcripts are kept.
    pub retention_days: u32,
    /// Days rating comments are kept.
    pub comment_retention_days: u32,
    /// Days delegations are kept.
    pub delegation_retention_days: u32,
    /// Compute units per tenant per hour.
    pub budget_hour: u64,
    /// Compute units per tenant per month.
    pub budget_month: u64,
    /// Who can raise the budget.
    pub capacity_owner: Option<String>,
    /// Who may decide any delegation besides its asker.
    pub approvers: Vec<String>,
    /// Further approvers per channel.
    pub channel_approvers: std::collections::HashMap<String, Vec<String>>,
    /// Mail domains an owner tag's address may be in.
    pub notify_domains: Vec<String>,
    /// Hourly budgets of channels with their own.
    pub budget_channels: std::collections::HashMap<String, u64>,
    /// Subscriptions every channel may see (empty: all).
    pub scope: Vec<String>,
    /// Channels with their own scope.
    pub channel_scopes: std::collections::HashMap<String, Vec<String>>,
}

fn url(raw: &Raw, name: &str) -> Result<Option<String>, ConfigError> {
    raw.get(name).map(|v| checked_url(name, v)).transpose()
}

fn checked_url(name: &str, v: &str) -> Result<String, ConfigError> {
    if v.starts_with("http://") || v.starts_with("https://") {
        Ok(v.trim_end_matches('/').to_owned())
    } else {
        Err(error(name, format!("`{v}` is not an http(s) URL; write it like https://host/path")))
    }
}

/// A setting with a default in [`KEYS`]: the value given, else that default, which is defined
/// there and nowhere else.
fn defaulted<'a>(raw: &'a Raw, name: &str) -> &'a str {
    raw.get(name).or_else(|| KEYS.iter().find(|k| k.name == name).and_then(|k| k.default)).unwrap_or_default()
}

/// A URL setting with a default in [`KEYS`].
fn defaulted_url(raw: &Raw, name: &str) -> Result<String, ConfigError> {
    checked_url(name, defaulted(raw, name))
}

/// A whole-number setting with a default in [`KEYS`].
fn count<T: std::str::FromStr>(raw: &Raw, name: &str, what: &str) -> Result<T, ConfigError> {
    let v = defaulted(raw, name);
    v.trim().parse::<T>().map_err(|_| error(name, format!("`{v}` is not {what}; write a whole number")))
}

fn number<T: std::str::FromStr>(raw: &Raw, name: &str, what: &str) -> Result<Option<T>, ConfigError> {
    raw.get(name)
        .map(|v| {
            v.trim()
                .parse::<T>()
                .map_err(|_| error(name, format!("`{v}` is not {what}; write a whole number")))
        })
        .transpose()
}

fn list(raw: &Raw, name: &str) -> Vec<String> {
    raw.get(name)
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default()
}

impl Config {
    /// Types and validates the raw values; the first problem found is the error.
    pub fn from_raw(raw: &Raw) -> Result<Config, ConfigError> {
        let listen_text = defaulted(raw, "listen");
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            error(
                "listen",
                format!(
                    "`{listen_text}` is not an address with a port; use HOST:PORT such as 127.0.0.1:3978"
                ),
            )
        })?;
        let data_dir = PathBuf::from(defaulted(raw, "data_dir"));
        let source = match (defaulted(raw, "source"), raw.get("data")) {
            ("demo", None) => SourceKind::Demo,
            ("demo" | "snapshot", Some(file)) => SourceKind::Snapshot(PathBuf::from(file)),
            ("snapshot", None) => {
                return Err(error(
                    "data",
                    "source is snapshot but no file is given; set it to the snapshot's path",
                ));
            }
            ("azure", _) => SourceKind::Azure,
            (other, _) => {
                return Err(error(
                    "source",
                    format!("`{other}` is not a source; use demo, snapshot or azure"),
                ));
            }
        };
        if let SourceKind::Snapshot(path) = &source
            && !path.is_file()
        {
            return Err(error("data", format!("{} is not a readable file; check the path", path.display())));
        }
        let log_format = match defaulted(raw, "log_format") {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(error("log_format", format!("`{other}` is not a log format; use text or json")));
            }
        };
        let webchat = match defaulted(raw, "webchat") {
            "auto" => Webchat::Auto,
            "on" | "true" => Webchat::On,
            "off" | "false" => Webchat::Off,
            other => {
                return Err(error(
                    "webchat",
                    format!("`{other}` is not a web chat mode; use auto, on or off"),
                ));
            }
        };
        let webchat_token = raw.secret("webchat_token");
        if let Some(t) = &webchat_token
            && t.expose().len() < 16
        {
            return Err(error(
                "webchat_token",
                "is shorter than 16 characters; use a long random value (e.g. `openssl rand -hex 16`)",
            ));
        }
        let app_token = raw.secret("slack_app_token");
        if let Some(token) = &app_token
            && !token.expose().starts_with("xapp-")
        {
            return Err(error(
                "slack_app_token",
                "is not an app-level token (they start with xapp-); create one under Basic Information, App-Level Tokens, with connections:write",
            ));
        }
        let socket_connections = count(raw, "slack_socket_connections", "a number of connections")?;
        if !(1..=10).contains(&socket_connections) {
            return Err(error("slack_socket_connections", "must be from 1 to 10 (Slack allows 10 per app)"));
        }
        let signing_secret = raw.secret("slack_signing_secret");
        let slack = match (
            signing_secret.is_some() || app_token.is_some(),
            raw.secret("slack_bot_token"),
            raw.get("slack_client_id"),
        ) {
            (true, bot_token, client_id) => Some(SlackConfig {
                signing_secret,
                app_token,
                socket_connections,
                bot_token,
                client_id: client_id.map(str::to_owned),
                client_secret: raw.secret("slack_client_secret"),
                api_url: defaulted_url(raw, "slack_api_url")?,
                authorize_url: defaulted_url(raw, "slack_authorize_url")?,
                allowed_teams: list(raw, "slack_allowed_teams"),
            }),
            (false, Some(_), _) | (false, _, Some(_)) => {
                return Err(error(
                    "slack_signing_secret",
                    "is needed when other Slack settings are given; copy it from the app's Basic Information page (or set slack_app_token for Socket Mode)",
                ));
            }
            (false, None, None) => None,
        };
        if let Some(s) = &slack
            && s.bot_token.is_none()
            && (s.client_id.is_none() || s.client_secret.is_none())
        {
            return Err(error(
                "slack_bot_token",
                "is needed (or slack_client_id and slack_client_secret for OAuth installs) when Slack is on",
            ));
        }
        let teams = match (raw.get("teams_app_id"), raw.secret("teams_app_password")) {
            (Some(app_id), Some(app_password)) => {
                let tenant_id = raw.get("teams_tenant_id").map(str::to_owned);
                let token_url = url(raw, "teams_token_url")?.unwrap_or_else(|| {
                    format!(
                        "https://login.microsoftonline.com/{}/oauth2/v2.0/token",
                        tenant_id.as_deref().unwrap_or("botframework.com")
                    )
                });
                let mut allowed = vec![
                    "https://smba.trafficmanager.net/".to_owned(),
                    "https://smba.infra.gcc.teams.microsoft.com/".to_owned(),
                    "https://smba.infra.gov.teams.microsoft.us/".to_owned(),
                ];
                allowed.extend(list(raw, "teams_allowed_service_urls"));
                Some(TeamsConfig {
                    app_id: app_id.to_owned(),
                    app_password,
                    tenant_id,
                    openid_url: defaulted_url(raw, "teams_openid_url")?,
                    token_url,
                    allowed_service_urls: allowed,
                    allowed_tenants: list(raw, "teams_allowed_tenants"),
                })
            }
            (Some(_), None) => {
                return Err(error(
                    "teams_app_password",
                    "is needed when teams_app_id is set; create a client secret for the bot's app registration",
                ));
            }
            (None, Some(_)) => {
                return Err(error(
                    "teams_app_id",
                    "is needed when teams_app_password is set; use the bot's Microsoft App ID",
                ));
            }
            (None, None) => None,
        };
        let discord = match raw.get("discord_public_key") {
            Some(text) => {
                let bytes = hex::decode(text.trim()).ok().filter(|b| b.len() == 32).ok_or_else(|| {
                    error(
                        "discord_public_key",
                        "is not 64 hex characters; copy the Public Key from the Discord developer portal",
                    )
                })?;
                let app_id = raw.get("discord_app_id").ok_or_else(|| {
                    error("discord_app_id", "is needed when Discord is on; copy the Application ID")
                })?;
                if !app_id.chars().all(|c| c.is_ascii_digit()) {
                    return Err(error(
                        "discord_app_id",
                        format!(
                            "`{app_id}` is not an application id (digits only); copy the Application ID from the developer portal"
                        ),
                    ));
                }
                let mut public_key = [0u8; 32];
                public_key.copy_from_slice(&bytes);
                let bot_token = raw.secret("discord_bot_token");
                let gateway = match defaulted(raw, "discord_gateway") {
                    "on" | "true" => true,
                    "off" | "false" => false,
                    other => return Err(error("discord_gateway", format!("`{other}` is not on or off"))),
                };
                if gateway && bot_token.is_none() {
                    return Err(error(
                        "discord_bot_token",
                        "is needed when discord_gateway is on; copy the bot's token from the developer portal (Bot › Reset Token)",
                    ));
                }
                Some(DiscordConfig {
                    public_key,
                    app_id: app_id.to_owned(),
                    gateway,
                    bot_token,
                    api_url: defaulted_url(raw, "discord_api_url")?,
                    allowed_guilds: list(raw, "discord_allowed_guilds"),
                })
            }
            None => None,
        };
        let azure = if source == SourceKind::Azure {
            let need = |name: &str| {
                raw.get(name).map(str::to_owned).ok_or_else(|| error(name, "is needed when source is azure"))
            };
            let client_id = raw.get("azure_client_id").map(str::to_owned);
            let federated_token_file = raw.get("azure_federated_token_file").map(PathBuf::from);
            let client_secret = raw.secret("azure_client_secret");
            let sign_in = match defaulted(raw, "azure_sign_in") {
                "auto" => AzureSignIn::Auto,
                "client_secret" => AzureSignIn::ClientSecret,
                "workload_identity" => AzureSignIn::WorkloadIdentity,
                "managed_identity" => AzureSignIn::ManagedIdentity,
                "azure_cli" => AzureSignIn::AzureCli,
                other => {
                    return Err(error(
                        "azure_sign_in",
                        format!(
                            "`{other}` is not a sign-in; use auto, client_secret, workload_identity, \
                             managed_identity or azure_cli"
                        ),
                    ));
                }
            };
            let needs_client = match sign_in {
                AzureSignIn::Auto => client_secret.is_some() || federated_token_file.is_some(),
                AzureSignIn::ClientSecret | AzureSignIn::WorkloadIdentity => true,
                AzureSignIn::ManagedIdentity | AzureSignIn::AzureCli => false,
            };
            if client_id.is_none() && needs_client {
                return Err(error(
                    "azure_client_id",
                    "is needed with a client secret or a federated token file; use the app registration's Application (client) ID",
                ));
            }
            if sign_in == AzureSignIn::ClientSecret && client_secret.is_none() {
                return Err(error("azure_client_secret", "is needed when azure_sign_in is client_secret"));
            }
            if sign_in == AzureSignIn::WorkloadIdentity && federated_token_file.is_none() {
                return Err(error(
                    "azure_federated_token_file",
                    "is needed when azure_sign_in is workload_identity (AKS sets AZURE_FEDERATED_TOKEN_FILE)",
                ));
            }
            let identity_endpoint =
                defaulted_url(raw, "azure_identity_endpoint")?;
            let identity_header = raw.secret("azure_identity_header");
            if identity_header.is_some() && identity_endpoint == IMDS_ENDPOINT {
                return Err(error(
                    "azure_identity_endpoint",
                    "is needed with azure_identity_header: set it to the app's IDENTITY_ENDPOINT",
                ));
            }
            Some(AzureConfig {
                tenant_id: need("azure_tenant_id")?,
                client_id,
                client_secret,
                federated_token_file,
                sign_in,
                identity_endpoint,
                identity_header,
                cli_command: defaulted(raw, "azure_cli_command").to_owned(),
                cache_ttl: Duration::from_secs(count(raw, "azure_cache_ttl_secs", "a number of seconds")?),
                max_rows: count(raw, "azure_max_rows", "a number of rows")?,
                subscriptions: list(raw, "azure_subscriptions"),
                authority_url: defaulted_url(raw, "azure_authority_url")?,
                management_url: defaulted_url(raw, "azure_management_url")?,
            })
        } else {
            None
        };
        let encryption_key = match raw.get("encryption_key") {
            Some(text) => {
                let bytes = hex::decode(text.trim()).ok().filter(|b| b.len() == 32).ok_or_else(|| {
                    error(
                        "encryption_key",
                        "is not 64 hex characters; generate one with `openssl rand -hex 32`",
                    )
                })?;
                let mut key = [0u8; 32];
                key.copy_from_slice(&bytes);
                Some(key)
            }
            None => None,
        };
        if slack.as_ref().is_some_and(|s| s.client_id.is_some()) {
            if encryption_key.is_none() {
                return Err(error(
                    "encryption_key",
                    "is needed for Slack OAuth installs (slack_client_id is set): workspace tokens are stored encrypted; generate one with `openssl rand -hex 32`",
                ));
            }
            if raw.get("public_url").is_none() {
                return Err(error(
                    "public_url",
                    "is needed for Slack OAuth installs (slack_client_id is set): Slack redirects the browser back to it",
                ));
            }
        }
        let grace: u64 = count(raw, "shutdown_grace_secs", "a number of seconds")?;
        let deadline: u64 = count(raw, "delivery_deadline_secs", "a number of seconds")?;
        if let Some(url) = raw.get("public_url")
            && !url.starts_with("https://")
            && !url.starts_with("http://")
        {
            return Err(error(
                "public_url",
                format!("`{url}` is not a URL; write it like https://secbot.example.com"),
            ));
        }
        let metrics_listen = match raw.get("metrics_listen") {
            None => None,
            Some(text) => Some(text.parse::<SocketAddr>().map_err(|_| {
                error(
                    "metrics_listen",
                    format!("`{text}` is not an address with a port; use HOST:PORT such as 127.0.0.1:9464"),
                )
            })?),
        };
        if metrics_listen == Some(listen) {
            return Err(error(
                "metrics_listen",
                "is the same address as listen; choose another port or leave it unset",
            ));
        }
        Ok(Config {
            listen,
            metrics_listen,
            otlp_endpoint: url(raw, "otlp_endpoint")?,
            data_dir,
            database_url: raw.secret("database_url"),
            source,
            scale: number(raw, "scale", "a number of findings")?,
            seed: number(raw, "seed", "a number")?,
            log_format,
            webchat,
            webchat_token,
            admin_token: raw.secret("admin_token"),
            shutdown_grace: Duration::from_secs(grace),
            delivery_deadline: Duration::from_secs(deadline),
            watch_interval: Duration::from_secs(
                count::<u64>(raw, "watch_interval_secs", "a number of seconds")?.max(10),
            ),
            watch_burst: count::<usize>(raw, "watch_burst", "a number of findings")?.max(1),
            max_in_flight: count::<usize>(raw, "max_in_flight", "a number of requests")?.max(1),
            request_timeout: Duration::from_secs(
                count::<u64>(raw, "request_timeout_secs", "a number of seconds")?.max(1),
            ),
            public_url: raw.get("public_url").map(|u| u.trim_end_matches('/').to_owned()),
            slack,
            teams,
            discord,
            azure,
            encryption_key,
            retention_days: count(raw, "retention_days", "a number of days")?,
            comment_retention_days: count(raw, "comment_retention_days", "a number of days")?,
            delegation_retention_days: count(raw, "delegation_retention_days", "a number of days")?,
            budget_hour: count(raw, "budget_hour", "a number of compute units")?,
            budget_month: count(raw, "budget_month", "a number of compute units")?,
            capacity_owner: raw.get("capacity_owner").map(str::to_owned),
            approvers: list(raw, "approvers"),
            channel_approvers: channel_lists(raw, "channel_approvers")?,
            notify_domains: list(raw, "notify_domains"),
            budget_channels: pairs(raw, "budget_channels")?
                .into_iter()
                .map(|(channel, units)| {
                    units.parse::<u64>().map(|u| (channel.clone(), u)).map_err(|_| {
                        error(
                            "budget_channels",
                            format!("`{units}` for {channel} is not a number of units; write CHANNEL=UNITS"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
            scope: list(raw, "scope"),
            channel_scopes: channel_lists(raw, "channel_scopes")?,
        })
    }

    /// What is allowed but risky in this configuration: a platform open to every workspace,
    /// tenant or server that installs the app, a web chat reachable beyond loopback.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if let Some(slack) = &self.slack
            && slack.allowed_teams.is_empty()
            && slack.client_id.is_some()
        {
            warnings.push("Slack answers any workspace that installs the app; set SECBOT_SLACK_ALLOWED_TEAMS to the team ids it should serve".to_owned());
        }
        if let Some(teams) = &self.teams
            && teams.tenant_id.is_none()
            && teams.allowed_tenants.is_empty()
        {
            warnings.push("Teams answers any tenant the bot is added in; set SECBOT_TEAMS_TENANT_ID (or SECBOT_TEAMS_ALLOWED_TENANTS)".to_owned());
        }
        if let Some(discord) = &self.discord
            && discord.allowed_guilds.is_empty()
        {
            warnings.push("Discord answers any server the app is added to, and direct messages; set SECBOT_DISCORD_ALLOWED_GUILDS".to_owned());
        }
        warnings
    }

    /// The cutoffs of a retention purge run at `now`.
    pub fn cutoffs(&self, now: time::OffsetDateTime) -> crate::store::Cutoffs {
        let days = |n: u32| now - time::Duration::days(i64::from(n));
        crate::store::Cutoffs {
            transcripts: days(self.retention_days),
            comments: days(self.comment_retention_days),
            delegations: days(self.delegation_retention_days),
        }
    }

    /// Where `secbot serve` writes the admin token it generates when none is configured.
    pub fn admin_token_file(&self) -> PathBuf {
        self.data_dir.join("admin.token")
    }

    /// The admin token: the configured one, else the one a running server wrote to
    /// [`Config::admin_token_file`].
    pub fn read_admin_token(&self) -> Option<String> {
        match &self.admin_token {
            Some(token) => Some(token.expose().to_owned()),
            None => std::fs::read_to_string(self.admin_token_file()).ok().map(|t| t.trim().to_owned()),
        }
    }

    /// Makes sure `/admin/*` has a token: the configured one, or a new random one written to
    /// [`Config::admin_token_file`], readable by this user only.
    pub fn ensure_admin_token(&mut self) -> Result<(), ConfigError> {
        if self.admin_token.is_some() {
            return Ok(());
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| error("admin_token", format!("no random source to make one ({e}); set it")))?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let path = self.admin_token_file();
        write_private(&path, &token).map_err(|e| {
            error(
                "admin_token",
                format!("could not write {} ({e}); set it, or make data_dir writable", path.display()),
            )
        })?;
        self.admin_token = Some(Secret(token));
        Ok(())
    }

    /// Checks the data directory exists (creating it) and is writable.
    pub fn prepare_data_dir(&self) -> Result<(), ConfigError> {
        let dir = &self.data_dir;
        std::fs::create_dir_all(dir)
            .and_then(|()| {
                let probe = dir.join(".secbot-write-check");
                std::fs::write(&probe, b"ok")?;
                std::fs::remove_file(probe)
            })
            .map_err(|e| {
                error(
                    "data_dir",
                    format!("cannot write to {} ({e}); choose a directory secbot can write", dir.display()),
                )
            })
    }

    /// True when the web chat is served with this configuration.
    pub fn webchat_enabled(&self) -> bool {
        match self.webchat {
            Webchat::Off => false,
            Webchat::On => self.listen.ip().is_loopback() || self.webchat_token.is_some(),
            Webchat::Auto => self.listen.ip().is_loopback() || self.webchat_token.is_some(),
        }
    }
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    std::io::Write::write_all(&mut file, text.as_bytes())
}

/// Lists per channel: `CHANNEL=A|B,CHANNEL=C`.
fn channel_lists(
    raw: &Raw,
    name: &str,
) -> Result<std::collections::HashMap<String, Vec<String>>, ConfigError> {
    Ok(pairs(raw, name)?
        .into_iter()
        .map(|(channel, items)| {
            (channel, items.split('|').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
        })
        .collect())
}

/// `A=x,B=y` pairs.
fn pairs(raw: &Raw, name: &str) -> Result<Vec<(String, String)>, ConfigError> {
    list(raw, name)
        .into_iter()
        .map(|item| match item.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                Ok((k.trim().to_owned(), v.trim().to_owned()))
            }
            _ => Err(error(name, format!("`{item}` is not KEY=VALUE; separate entries with commas"))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_give_a_local_demo_server() {
        let config = Config::from_raw(&Raw::load(None, env(&[])).unwrap()).unwrap();
        assert_eq!(config.listen, "127.0.0.1:3978".parse().unwrap());
        assert_eq!(config.source, SourceKind::Demo);
        assert!(config.webchat_enabled());
        assert!(config.slack.is_none() && config.teams.is_none() && config.discord.is_none());
    }

    #[test]
    fn a_default_is_defined_once_in_keys_and_read_from_there() {
        // Raw values with no defaults filled in: every default then comes from KEYS itself.
        let mut bare = Raw::default();
        let mut loaded = Raw::load(None, env(&[])).unwrap();
        for (name, value) in [
            ("teams_app_id", "00000000-0000-0000-0000-000000000001"),
            ("teams_app_password", "pw"),
            ("slack_signing_secret", "s"),
            ("slack_bot_token", "xoxb-1"),
        ] {
            bare.set(name, value.to_owned());
            loaded.set(name, value.to_owned());
        }
        let (bare, loaded) = (Config::from_raw(&bare).unwrap(), Config::from_raw(&loaded).unwrap());
        let teams = |c: &Config| c.teams.as_ref().map(|t| t.openid_url.clone()).unwrap();
        assert_eq!(teams(&bare), "https://login.botframework.com/v1/.well-known/openidconfiguration");
        assert_eq!(teams(&bare), teams(&loaded));
        let slack = |c: &Config| c.slack.as_ref().map(|s| (s.api_url.clone(), s.socket_connections)).unwrap();
        assert_eq!(slack(&bare), slack(&loaded));
        assert_eq!(
            (bare.listen, bare.retention_days, bare.budget_month, bare.request_timeout),
            (loaded.listen, loaded.retention_days, loaded.budget_month, loaded.request_timeout)
        );
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let dir = std::env::temp_dir().join(format!("secbot-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("secbot.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:4000\"\nretention_days = 7\n").unwrap();
        let raw = Raw::load(Some(&file), env(&[("SECBOT_LISTEN", "127.0.0.1:5000"), ("SECBOT_NOPE", "1")]))
            .unwrap();
        let config = Config::from_raw(&raw).unwrap();
        assert_eq!(config.listen.port(), 5000);
        assert_eq!(config.retention_days, 7);
        assert_eq!(raw.warnings.len(), 1);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn mistakes_name_the_key_and_the_fix() {
        let bad = |pairs: &[(&str, &str)]| {
            Config::from_raw(&Raw::load(None, env(pairs)).unwrap()).unwrap_err().to_string()
        };
        assert_eq!(
            bad(&[("SECBOT_LISTEN", "localhost")]),
            "SECBOT_LISTEN (listen): `localhost` is not an address with a port; use HOST:PORT such as 127.0.0.1:3978"
        );
        assert!(
            bad(&[("SECBOT_SOURCE", "gcp")]).starts_with("SECBOT_SOURCE (source): `gcp` is not a source")
        );
        assert!(bad(&[("SECBOT_SLACK_BOT_TOKEN", "xoxb-1")]).starts_with("SECBOT_SLACK_SIGNING_SECRET"));
        assert!(bad(&[("SECBOT_DISCORD_PUBLIC_KEY", "abc")]).contains("64 hex characters"));
        assert!(bad(&[("SECBOT_RETENTION_DAYS", "a month")]).contains("not a number of days"));
    }

    #[test]
    fn platforms_open_to_anyone_are_warned_about_until_an_allow_list_is_set() {
        let warnings = |pairs: &[(&str, &str)]| {
            Config::from_raw(&Raw::load(None, env(pairs)).unwrap()).unwrap().warnings().join("\n")
        };
        assert_eq!(warnings(&[]), "", "the local demo has nothing to warn about");
        let key = "d5c2a1b6e0f9d8c7b6a5f4e3d2c1b0a998877665544332211000ffeeddccbbaa";
        let open = [
            ("SECBOT_SLACK_SIGNING_SECRET", "s"),
            ("SECBOT_SLACK_CLIENT_ID", "1.2"),
            ("SECBOT_SLACK_CLIENT_SECRET", "c"),
            ("SECBOT_ENCRYPTION_KEY", key),
            ("SECBOT_PUBLIC_URL", "https://secbot.contoso.com"),
            ("SECBOT_TEAMS_APP_ID", "a"),
            ("SECBOT_TEAMS_APP_PASSWORD", "p"),
            ("SECBOT_DISCORD_PUBLIC_KEY", key),
            ("SECBOT_DISCORD_APP_ID", "1100"),
        ];
        let text = warnings(&open);
        for setting in
            ["SECBOT_SLACK_ALLOWED_TEAMS", "SECBOT_TEAMS_TENANT_ID", "SECBOT_DISCORD_ALLOWED_GUILDS"]
        {
            assert!(text.contains(setting), "{setting}: {text}");
        }
        let mut closed = open.to_vec();
        closed.extend([
            ("SECBOT_SLACK_ALLOWED_TEAMS", "T1"),
            ("SECBOT_TEAMS_TENANT_ID", "t"),
            ("SECBOT_DISCORD_ALLOWED_GUILDS", "42"),
        ]);
        assert_eq!(warnings(&closed), "");
    }

    #[test]
    fn malformed_toml_is_reported_with_the_file() {
        let file = std::env::temp_dir().join(format!("secbot-bad-{}.toml", std::process::id()));
        std::fs::write(&file, "listen = \n").unwrap();
        let err = Raw::load(Some(&file), env(&[])).unwrap_err();
        assert!(err.key.starts_with("--config "), "{err}");
        assert!(err.problem.contains("not valid TOML"), "{err}");
        std::fs::remove_file(file).ok();
    }

    #[test]
    fn secrets_never_print() {
        let raw = Raw::load(
            None,
            env(&[
                ("SECBOT_SLACK_SIGNING_SECRET", "s3cr3t-value"),
                ("SECBOT_SLACK_BOT_TOKEN", "xoxb-secret"),
            ]),
        )
        .unwrap();
        let described = format!("{:?}", raw.describe());
        assert!(!described.contains("s3cr3t") && !described.contains("xoxb-secret"));
        let config = Config::from_raw(&raw).unwrap();
        assert!(!format!("{config:?}").contains("s3cr3t"));
    }

    #[test]
    fn secrets_are_read_from_files_as_containers_mount_them() {
        let file = std::env::temp_dir().join(format!("secbot-secret-{}", std::process::id()));
        std::fs::write(&file, "s3cr3t-from-file\n").unwrap();
        let path = file.display().to_string();
        let raw = Raw::load(
            None,
            env(&[("SECBOT_SLACK_SIGNING_SECRET_FILE", &path), ("SECBOT_SLACK_BOT_TOKEN", "xoxb-1")]),
        )
        .unwrap();
        let slack = Config::from_raw(&raw).unwrap().slack.expect("Slack is on");
        assert_eq!(slack.signing_secret.as_ref().map(Secret::expose), Some("s3cr3t-from-file"));
        assert!(!format!("{:?}", raw.describe()).contains("s3cr3t"));

        let both = Raw::load(
            None,
            env(&[("SECBOT_SLACK_SIGNING_SECRET_FILE", &path), ("SECBOT_SLACK_SIGNING_SECRET", "other")]),
        )
        .unwrap_err();
        assert!(both.problem.contains("keep one"), "{both}");
        let missing = Raw::load(None, env(&[("SECBOT_SLACK_BOT_TOKEN_FILE", "/nonexistent/secbot-token")]))
            .unwrap_err();
        assert!(
            missing.key.contains("SLACK_BOT_TOKEN") && missing.problem.contains("/nonexistent"),
            "{missing}"
        );
        // Only secrets come from files: a `_FILE` twin of a plain setting is not a setting.
        let plain = Raw::load(None, env(&[("SECBOT_LISTEN_FILE", &path)])).unwrap();
        assert!(plain.warnings.iter().any(|w| w.contains("SECBOT_LISTEN_FILE")), "{:?}", plain.warnings);
        std::fs::remove_file(file).ok();
    }

    #[test]
    fn socket_mode_needs_an_app_level_token_and_no_signing_secret() {
        let load = |pairs: &[(&str, &str)]| Config::from_raw(&Raw::load(None, env(pairs)).unwrap());
        let socket =
            load(&[("SECBOT_SLACK_APP_TOKEN", "xapp-1-A0-1-abc"), ("SECBOT_SLACK_BOT_TOKEN", "xoxb-1")])
                .unwrap();
        let slack = socket.slack.expect("Slack is on");
        assert!(slack.signing_secret.is_none() && slack.app_token.is_some());
        assert_eq!(slack.socket_connections, 1);
        let bot_token =
            load(&[("SECBOT_SLACK_APP_TOKEN", "xoxb-1"), ("SECBOT_SLACK_BOT_TOKEN", "xoxb-1")]).unwrap_err();
        assert!(bot_token.problem.contains("xapp-"), "{bot_token}");
        let many = load(&[
            ("SECBOT_SLACK_APP_TOKEN", "xapp-1"),
            ("SECBOT_SLACK_BOT_TOKEN", "xoxb-1"),
            ("SECBOT_SLACK_SOCKET_CONNECTIONS", "11"),
        ])
        .unwrap_err();
        assert!(many.key.contains("SOCKET_CONNECTIONS"), "{many}");
    }

    #[test]
    fn the_discord_gateway_needs_the_bot_token() {
        let key = "3b".repeat(32);
        let base = [("SECBOT_DISCORD_PUBLIC_KEY", key.as_str()), ("SECBOT_DISCORD_APP_ID", "12")];
        let load = |extra: &[(&str, &str)]| {
            let mut all = base.to_vec();
            all.extend_from_slice(extra);
            Config::from_raw(&Raw::load(None, env(&all)).unwrap())
        };
        let err = load(&[("SECBOT_DISCORD_GATEWAY", "on")]).unwrap_err();
        assert!(err.key.contains("DISCORD_BOT_TOKEN"), "{err}");
        let on = load(&[("SECBOT_DISCORD_GATEWAY", "on"), ("SECBOT_DISCORD_BOT_TOKEN", "t")]).unwrap();
        assert!(on.discord.expect("Discord is on").gateway);
        assert!(!load(&[]).unwrap().discord.expect("Discord is on").gateway, "off unless asked");
    }

    fn credential(pairs: &[(&str, &str)]) -> Result<secbot_skills::azure::Credential, ConfigError> {
        let mut all = vec![("SECBOT_SOURCE", "azure")];
        all.extend_from_slice(pairs);
        let config = Config::from_raw(&Raw::load(None, env(&all))?)?;
        Ok(crate::source::azure_options(config.azure.as_ref().expect("azure settings")).credential)
    }

    #[test]
    fn azure_sign_in_follows_what_the_hosting_platform_provides() {
        use secbot_skills::azure::Credential;
        // A VM or AKS node: the instance metadata service.
        let vm = credential(&[("SECBOT_AZURE_TENANT_ID", "contoso")]).unwrap();
        assert!(
            matches!(&vm, Credential::ManagedIdentity { endpoint, .. } if endpoint == IMDS_ENDPOINT),
            "{vm:?}"
        );
        // App Service and Container Apps: their endpoint and header.
        let app = credential(&[
            ("AZURE_TENANT_ID", "contoso"),
            ("IDENTITY_ENDPOINT", "http://localhost:42356/msi/token"),
            ("IDENTITY_HEADER", "platform-header"),
        ])
        .unwrap();
        match &app {
            Credential::AppServiceIdentity { endpoint, header, client_id } => {
                assert_eq!(endpoint, "http://localhost:42356/msi/token");
                assert_eq!(header.expose(), "platform-header");
                assert_eq!(client_id, &None);
            }
            other => panic!("App Service's identity, not {other:?}"),
        }
        // AKS workload identity: what the webhook injects is enough.
        let aks = credential(&[
            ("AZURE_TENANT_ID", "contoso"),
            ("AZURE_CLIENT_ID", "aks-app"),
            ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/azure/tokens/azure-identity-token"),
        ])
        .unwrap();
        assert!(
            matches!(&aks, Credential::WorkloadIdentity { client_id, .. } if client_id == "aks-app"),
            "{aks:?}"
        );
        // A secbot setting wins over the platform's variable.
        let chosen = credential(&[
            ("AZURE_TENANT_ID", "contoso"),
            ("AZURE_CLIENT_ID", "platform-id"),
            ("SECBOT_AZURE_CLIENT_ID", "secbot-id"),
            ("SECBOT_AZURE_CLIENT_SECRET", "app-secret"),
        ])
        .unwrap();
        assert!(
            matches!(&chosen, Credential::ClientSecret { client_id, .. } if client_id == "secbot-id"),
            "{chosen:?}"
        );
        // A developer's machine: the Azure CLI, even with a secret configured.
        let cli = credential(&[
            ("SECBOT_AZURE_TENANT_ID", "contoso"),
            ("SECBOT_AZURE_SIGN_IN", "azure_cli"),
            ("SECBOT_AZURE_CLIENT_ID", "app"),
            ("SECBOT_AZURE_CLIENT_SECRET", "ignored"),
        ])
        .unwrap();
        assert_eq!(cli, Credential::AzureCli { program: "az".into() });

        let typo = credential(&[("SECBOT_AZURE_TENANT_ID", "contoso"), ("SECBOT_AZURE_SIGN_IN", "cli")])
            .unwrap_err();
        assert!(typo.problem.contains("azure_cli"), "{typo}");
        let headless =
            credential(&[("SECBOT_AZURE_TENANT_ID", "contoso"), ("SECBOT_AZURE_IDENTITY_HEADER", "h")])
                .unwrap_err();
        assert!(headless.key.contains("IDENTITY_ENDPOINT"), "{headless}");
        let no_file = credential(&[
            ("SECBOT_AZURE_TENANT_ID", "contoso"),
            ("SECBOT_AZURE_CLIENT_ID", "app"),
            ("SECBOT_AZURE_SIGN_IN", "workload_identity"),
        ])
        .unwrap_err();
        assert!(no_file.key.contains("FEDERATED_TOKEN_FILE"), "{no_file}");
    }
}
