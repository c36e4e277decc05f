//! Typing and checking: the raw values become a [`Config`], the platforms' own option types
//! among them; the first mistake is the error, naming the setting and the fix.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secbot_chat::delivery::Backoff;
use secbot_discord::DiscordOptions;
use secbot_skills::azure::{AzureOptions, Credential};
use secbot_slack::SlackOptions;
use secbot_teams::TeamsOptions;

use super::keys::{IMDS_ENDPOINT, KEYS};
use super::load::Raw;
use super::{AzureSignIn, Config, ConfigError, LogFormat, Secret, SourceKind, Webchat, error};

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
        let public_url = raw.get("public_url").map(|u| u.trim_end_matches('/').to_owned());
        let signing_secret = raw.secret("slack_signing_secret");
        let slack = match (
            signing_secret.is_some() || app_token.is_some(),
            raw.secret("slack_bot_token"),
            raw.get("slack_client_id"),
        ) {
            (true, bot_token, client_id) => Some(SlackOptions {
                signing_secret,
                app_token,
                socket_connections,
                bot_token,
                client_id: client_id.map(str::to_owned),
                client_secret: raw.secret("slack_client_secret"),
                api_url: defaulted_url(raw, "slack_api_url")?,
                authorize_url: defaulted_url(raw, "slack_authorize_url")?,
                public_url: public_url.clone(),
                backoff: Backoff::default(),
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
                // The adapter's own defaults (token endpoint, serviceUrl allow-list), then what
                // is configured.
                let mut options = TeamsOptions::new(
                    app_id,
                    app_password.expose(),
                    raw.get("teams_tenant_id").map(str::to_owned),
                );
                options.openid_url = defaulted_url(raw, "teams_openid_url")?;
                if let Some(token_url) = url(raw, "teams_token_url")? {
                    options.token_url = token_url;
                }
                options.allowed_service_urls.extend(list(raw, "teams_allowed_service_urls"));
                options.allowed_tenants = list(raw, "teams_allowed_tenants");
                Some(options)
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
                Some(DiscordOptions {
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
            let identity_endpoint = defaulted_url(raw, "azure_identity_endpoint")?;
            let identity_header = raw.secret("azure_identity_header");
            if identity_header.is_some() && identity_endpoint == IMDS_ENDPOINT {
                return Err(error(
                    "azure_identity_endpoint",
                    "is needed with azure_identity_header: set it to the app's IDENTITY_ENDPOINT",
                ));
            }
            let chosen = Chosen {
                sign_in,
                client_id,
                client_secret,
                federated_token_file,
                identity_endpoint,
                identity_header,
                cli_command: defaulted(raw, "azure_cli_command").to_owned(),
            };
            Some(AzureOptions {
                subscriptions: list(raw, "azure_subscriptions"),
                authority_url: defaulted_url(raw, "azure_authority_url")?,
                management_url: defaulted_url(raw, "azure_management_url")?,
                cache_ttl: Duration::from_secs(count(raw, "azure_cache_ttl_secs", "a number of seconds")?),
                max_rows: count(raw, "azure_max_rows", "a number of rows")?,
                ..AzureOptions::new(need("azure_tenant_id")?, chosen.credential())
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
            public_url,
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

/// The sign-in settings as configured, before they are turned into a credential.
struct Chosen {
    sign_in: AzureSignIn,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    federated_token_file: Option<PathBuf>,
    identity_endpoint: String,
    identity_header: Option<Secret>,
    cli_command: String,
}

impl Chosen {
    /// The credential these settings pick. Signing in on `auto` uses the client secret when
    /// there is one, else the federated token file, else the managed identity (App Service's
    /// when the platform gave its header, else the instance metadata service's).
    fn credential(self) -> Credential {
        let sign_in = match (self.sign_in, &self.client_secret, &self.federated_token_file) {
            (AzureSignIn::Auto, Some(_), _) => AzureSignIn::ClientSecret,
            (AzureSignIn::Auto, None, Some(_)) => AzureSignIn::WorkloadIdentity,
            (AzureSignIn::Auto, None, None) => AzureSignIn::ManagedIdentity,
            (chosen, _, _) => chosen,
        };
        match (sign_in, self.client_secret, self.federated_token_file) {
            (AzureSignIn::ClientSecret, Some(client_secret), _) => {
                Credential::ClientSecret { client_id: self.client_id.unwrap_or_default(), client_secret }
            }
            (AzureSignIn::WorkloadIdentity, _, Some(token_file)) => {
                Credential::WorkloadIdentity { client_id: self.client_id.unwrap_or_default(), token_file }
            }
            (AzureSignIn::AzureCli, _, _) => Credential::AzureCli { program: self.cli_command },
            _ => match self.identity_header {
                Some(header) => Credential::AppServiceIdentity {
                    client_id: self.client_id,
                    endpoint: self.identity_endpoint,
                    header,
                },
                None => Credential::ManagedIdentity {
                    client_id: self.client_id,
                    endpoint: self.identity_endpoint,
                },
            },
        }
    }
}
