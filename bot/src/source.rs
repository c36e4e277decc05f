//! Building the posture source secbot answers from: the embedded demo tenant (optionally grown
//! to N findings), an offline snapshot file, or Microsoft Defender for Cloud live.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use secbot_skills::azure::{AzureOptions, AzureSource, Credential, Secret};
use secbot_skills::demo::{self, DemoOptions};
use secbot_skills::intent::Lexicon;
use secbot_skills::posture::PostureSource;
use secbot_skills::tenant::{IndexedSource, TenantData};
use time::Date;

use crate::config::{AzureConfig, AzureSignIn, Config, SourceKind};

/// Where the posture data comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceOptions {
    /// A snapshot file (Azure Resource Graph rows) to serve instead of the demo tenant.
    pub data: Option<PathBuf>,
    /// Grow the demo tenant to this many findings.
    pub scale: Option<usize>,
    /// The demo tenant's seed.
    pub seed: Option<u64>,
    /// The day the demo tenant is built for (default: today, UTC).
    pub day: Option<Date>,
}

impl SourceOptions {
    /// The options a configuration sets (its snapshot file, demo scale and seed, which the
    /// command line's `--data`, `--scale` and `--seed` are part of), for the demo tenant of `day`.
    pub fn of(config: &Config, day: Option<Date>) -> SourceOptions {
        SourceOptions {
            data: match &config.source {
                SourceKind::Snapshot(path) => Some(path.clone()),
                _ => None,
            },
            scale: config.scale,
            seed: config.seed,
            day,
        }
    }
}

/// A loaded source with the lexicon the parser needs to recognise its names.
pub struct Loaded {
    /// The posture source.
    pub source: Arc<dyn PostureSource>,
    /// The parser's lexicon for it.
    pub lexicon: Arc<Lexicon>,
    /// How many findings it holds.
    pub findings: usize,
    /// How many resources it holds.
    pub resources: usize,
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded")
            .field("findings", &self.findings)
            .field("resources", &self.resources)
            .finish()
    }
}

/// Loads the tenant the options describe.
pub fn load(options: &SourceOptions) -> anyhow::Result<Loaded> {
    let data = match &options.data {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("cannot read the snapshot file {}; check the path given to --data", path.display())
            })?;
            secbot_skills::snapshot::read(&text, &path.display().to_string())
                .with_context(|| format!("{} is not a snapshot secbot can read", path.display()))?
        }
        None => {
            let day = options.day.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
            let mut demo_options = DemoOptions::for_day(day);
            demo_options.findings = options.scale;
            if let Some(seed) = options.seed {
                demo_options.seed = seed;
            }
            demo::tenant(&demo_options)
        }
    };
    Ok(index(data))
}

/// The Defender for Cloud options a configuration sets. Signing in on `auto` uses the client
/// secret when there is one, else the federated token file, else the managed identity (App
/// Service's when the platform gave its header, else the instance metadata service's).
pub fn azure_options(config: &AzureConfig) -> AzureOptions {
    let sign_in = match (config.sign_in, &config.client_secret, &config.federated_token_file) {
        (AzureSignIn::Auto, Some(_), _) => AzureSignIn::ClientSecret,
        (AzureSignIn::Auto, None, Some(_)) => AzureSignIn::WorkloadIdentity,
        (AzureSignIn::Auto, None, None) => AzureSignIn::ManagedIdentity,
        (chosen, _, _) => chosen,
    };
    let client_id = config.client_id.clone();
    let credential = match (sign_in, &config.client_secret, &config.federated_token_file) {
        (AzureSignIn::ClientSecret, Some(secret), _) => Credential::ClientSecret {
            client_id: client_id.unwrap_or_default(),
            client_secret: Secret::new(secret.expose()),
        },
        (AzureSignIn::WorkloadIdentity, _, Some(file)) => Credential::WorkloadIdentity {
            client_id: client_id.unwrap_or_default(),
            token_file: file.clone(),
        },
        (AzureSignIn::AzureCli, _, _) => Credential::AzureCli { program: config.cli_command.clone() },
        _ => match &config.identity_header {
            Some(header) => Credential::AppServiceIdentity {
                client_id,
                endpoint: config.identity_endpoint.clone(),
                header: Secret::new(header.expose()),
            },
            None => Credential::ManagedIdentity { client_id, endpoint: config.identity_endpoint.clone() },
        },
    };
    AzureOptions {
        subscriptions: config.subscriptions.clone(),
        authority_url: config.authority_url.clone(),
        management_url: config.management_url.clone(),
        cache_ttl: config.cache_ttl,
        max_rows: config.max_rows,
        ..AzureOptions::new(config.tenant_id.clone(), credential)
    }
}

/// Connects to Defender for Cloud and builds the parser's lexicon from the tenant's resource
/// names and subscriptions. Azure being unreachable at start-up is not fatal: secbot starts,
/// says so, and answers once Azure does (resource names it could not read are then not
/// recognised in prompts until the next start).
pub async fn load_azure(config: &AzureConfig) -> anyhow::Result<Loaded> {
    let source =
        AzureSource::new(azure_options(config)).context("the Defender for Cloud settings are not usable")?;
    let names = source.resource_names().await.unwrap_or_else(|err| {
        tracing::warn!(
            "could not read resource names from Defender for Cloud ({err}); starting without them"
        );
        Vec::new()
    });
    let subscriptions = source.subscriptions().await.unwrap_or_else(|err| {
        tracing::warn!("could not read subscriptions from Defender for Cloud ({err}); starting without them");
        Vec::new()
    });
    let lexicon = Lexicon::new(
        secbot_skills::catalog::Catalog::embedded().recommendations(),
        names.iter().map(|(n, k)| (n.as_str(), *k)),
        &subscriptions,
        std::iter::empty(),
    );
    let resources = names.len();
    Ok(Loaded { source: Arc::new(source), lexicon: Arc::new(lexicon), findings: 0, resources })
}

/// The source a configuration names (Defender for Cloud for `source = "azure"`), or the demo
/// tenant or snapshot the options describe.
pub async fn from_config(config: &Config, options: &SourceOptions) -> anyhow::Result<Loaded> {
    match (&config.source, &config.azure) {
        (SourceKind::Azure, Some(azure)) => load_azure(azure).await,
        _ => load(options),
    }
}

/// Indexes tenant data and builds its lexicon.
pub fn index(data: TenantData) -> Loaded {
    let lexicon = Lexicon::of_tenant(&data);
    let source = IndexedSource::new(data);
    let findings = source.finding_count();
    let resources = source.resource_count();
    Loaded { source: Arc::new(source), lexicon: Arc::new(lexicon), findings, resources }
}
