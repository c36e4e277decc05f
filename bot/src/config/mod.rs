//! Configuration: a TOML file (`--config FILE`) and `SECBOT_<KEY>` environment variables, the
//! latter winning. Every key is declared once in [`KEYS`] (`keys.rs`) with its environment name,
//! whether it is a secret, its default and what it is for; `load.rs` reads the file and the
//! environment over the defaults ([`Raw`]); `check.rs` types and checks them into a [`Config`],
//! whose Slack, Teams and Discord parts are those adapters' own option types. `secbot config
//! check` prints the effective values with secrets masked.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secbot_discord::DiscordOptions;
use secbot_slack::SlackOptions;
use secbot_teams::TeamsOptions;

mod check;
mod keys;
mod load;

pub use keys::{KEYS, Key};
pub use load::{Raw, SetIn};

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

pub use secbot_chat::Secret;

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
    pub slack: Option<SlackOptions>,
    /// Teams, when configured.
    pub teams: Option<TeamsOptions>,
    /// Discord, when configured.
    pub discord: Option<DiscordOptions>,
    /// Defender for Cloud, when configured.
    pub azure: Option<secbot_skills::azure::AzureOptions>,
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

impl Config {
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

    /// Opens the store this configuration names: PostgreSQL at `SECBOT_DATABASE_URL`, or SQLite
    /// in the data directory.
    pub async fn open_store(&self) -> crate::store::StoreResult<std::sync::Arc<dyn crate::store::Store>> {
        let store = match &self.database_url {
            Some(url) => crate::store::SqlStore::open(url.expose(), self.encryption_key).await?,
            None => crate::store::SqlStore::in_dir(&self.data_dir, self.encryption_key).await?,
        };
        Ok(std::sync::Arc::new(store))
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
        self.admin_token = Some(Secret::new(token));
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
            Webchat::On | Webchat::Auto => self.listen.ip().is_loopback() || self.webchat_token.is_some(),
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

#[cfg(test)]
mod tests {
    use super::keys::IMDS_ENDPOINT;
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
        Ok(config.azure.expect("azure settings").credential)
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
