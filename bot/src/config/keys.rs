//! Every setting secbot reads, declared once: its name (the TOML key; `SECBOT_` and its
//! uppercase in the environment), whether it is a secret, its default and what it is for.

use secbot_discord::DiscordOptions;

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
        Some(secbot_slack::install::AUTHORIZE_URL),
        "Slack's OAuth authorize page (for /slack/install)",
    ),
    key("teams_app_id", false, None, "Bot Framework app id (turns the Teams adapter on)"),
    key("teams_app_password", true, None, "Bot Framework app password"),
    key("teams_tenant_id", false, None, "tenant id for single-tenant bots"),
    key(
        "teams_openid_url",
        false,
        Some(secbot_teams::DEFAULT_OPENID_URL),
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
    key("discord_api_url", false, Some(DiscordOptions::DEFAULT_API_URL), "Discord API base URL"),
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
pub(super) const IMDS_ENDPOINT: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

/// Variables the hosting platform sets that fill a key the `SECBOT_` variable leaves unset: App
/// Service and Container Apps give a managed identity's endpoint and header, and AKS workload
/// identity injects the client, tenant and federated token file.
pub(super) const PLATFORM_VARIABLES: &[(&str, &str)] = &[
    ("IDENTITY_ENDPOINT", "azure_identity_endpoint"),
    ("IDENTITY_HEADER", "azure_identity_header"),
    ("AZURE_FEDERATED_TOKEN_FILE", "azure_federated_token_file"),
    ("AZURE_CLIENT_ID", "azure_client_id"),
    ("AZURE_TENANT_ID", "azure_tenant_id"),
];

/// Environment variables named `SECBOT_*` that are not configuration keys: the log filter and
/// the test and benchmark switches.
pub(super) const NOT_KEYS: &[&str] = &[
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
];
