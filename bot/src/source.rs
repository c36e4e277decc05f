//! Building the posture source secbot answers from: the embedded demo tenant (optionally grown
//! to N findings), an offline snapshot file, or Microsoft Defender for Cloud live.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use anyhow::Context as _;
use async_trait::async_trait;
use secbot_chat::Person;
use secbot_skills::azure::{AzureOptions, AzureSource};
use secbot_skills::demo::{self, DemoOptions};
use secbot_skills::intent::{CurrentLexicon, Lexicon};
use secbot_skills::posture::{
    Alert, AlertFilter, AssignmentRequest, AttackPath, AttackPathFilter, Finding, FindingFilter, FindingPage,
    Governance, PostureResult, PostureSource, PostureSummary, Recommendation, Resource, ScoreCard,
    SourceInfo, Subscription, Vulnerability,
};
use secbot_skills::tenant::{IndexedSource, TenantData};
use time::Date;

use crate::config::{Config, SourceKind};

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
    /// The parser's lexicon for it (replaced when a snapshot served live changes).
    pub lexicon: Arc<CurrentLexicon>,
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

/// The parser's lexicon and the indexed source of a tenant, built side by side.
fn indexed(data: TenantData) -> (Lexicon, IndexedSource) {
    let names = TenantData {
        recommendations: data.recommendations.clone(),
        resources: data.resources.clone(),
        subscriptions: data.subscriptions.clone(),
        people: data.people.clone(),
        ..TenantData::default()
    };
    let lexicon = std::thread::spawn(move || Lexicon::of_tenant(&names));
    let source = IndexedSource::new(data);
    (lexicon.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), source)
}

/// Reads a snapshot file.
fn read_snapshot(path: &Path) -> anyhow::Result<TenantData> {
    let file = std::fs::File::open(path).with_context(|| {
        format!("cannot read the snapshot file {}; check the path given to --data", path.display())
    })?;
    secbot_skills::snapshot::read(file, &path.display().to_string())
        .with_context(|| format!("{} is not a snapshot secbot can read", path.display()))
}

/// When a file last changed, as far as noticing a rewrite goes: its modification time and size.
fn stamp_of(path: &Path) -> Option<(std::time::SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// A snapshot file served live: the tenant it holds, read again when the file has changed each
/// time fresh data is asked for ([`PostureSource::clear_cache`], which the watches' check calls
/// every interval), with the parser's lexicon of its names. A file that became unreadable keeps
/// the last good tenant, with a warning.
pub struct LiveFile {
    path: PathBuf,
    stamp: Mutex<Option<(std::time::SystemTime, u64)>>,
    tenant: RwLock<Arc<IndexedSource>>,
    lexicon: Arc<CurrentLexicon>,
}

impl LiveFile {
    fn current(&self) -> Arc<IndexedSource> {
        self.tenant.read().map_or_else(|poisoned| poisoned.into_inner().clone(), |t| t.clone())
    }
}

#[async_trait]
impl PostureSource for LiveFile {
    fn info(&self) -> SourceInfo {
        self.current().info()
    }

    fn clear_cache(&self) {
        let now = stamp_of(&self.path);
        let Ok(mut stamp) = self.stamp.lock() else { return };
        if now.is_none() || *stamp == now {
            return;
        }
        // Reading a large snapshot takes seconds: on a runtime worker, let the runtime hand this
        // worker's other tasks to another one meanwhile.
        let read = || read_snapshot(&self.path).map(indexed);
        let read = match tokio::runtime::Handle::try_current() {
            Ok(runtime) if runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(read)
            }
            _ => read(),
        };
        match read {
            Ok((lexicon, source)) => {
                let source = Arc::new(source);
                self.lexicon.set(lexicon);
                tracing::info!(path = %self.path.display(), findings = source.finding_count(), "the snapshot file changed; serving the new one");
                if let Ok(mut tenant) = self.tenant.write() {
                    *tenant = source;
                }
                *stamp = now;
            }
            Err(err) => {
                tracing::warn!(
                    error = format!("{err:#}"),
                    "the snapshot file changed but cannot be read; still serving the last good one"
                );
            }
        }
    }

    async fn subscriptions(&self) -> PostureResult<Vec<Subscription>> {
        self.current().subscriptions().await
    }

    async fn recommendation(&self, key: &str) -> PostureResult<Option<Arc<Recommendation>>> {
        self.current().recommendation(key).await
    }

    async fn resource(&self, id: &str) -> PostureResult<Option<Arc<Resource>>> {
        self.current().resource(id).await
    }

    async fn resources_named(&self, name: &str) -> PostureResult<Vec<Arc<Resource>>> {
        self.current().resources_named(name).await
    }

    async fn findings(
        &self,
        filter: &FindingFilter,
        offset: usize,
        limit: usize,
    ) -> PostureResult<FindingPage> {
        self.current().findings(filter, offset, limit).await
    }

    async fn finding(&self, recommendation: &str, resource: &str) -> PostureResult<Option<Finding>> {
        self.current().finding(recommendation, resource).await
    }

    async fn summary(&self, filter: &FindingFilter, today: Date) -> PostureResult<PostureSummary> {
        self.current().summary(filter, today).await
    }

    async fn vulnerabilities(&self, resource: &str) -> PostureResult<Vec<Vulnerability>> {
        self.current().vulnerabilities(resource).await
    }

    async fn alerts(&self, filter: &AlertFilter) -> PostureResult<Vec<Arc<Alert>>> {
        self.current().alerts(filter).await
    }

    async fn alert(&self, id: &str) -> PostureResult<Option<Arc<Alert>>> {
        self.current().alert(id).await
    }

    async fn attack_paths(&self, filter: &AttackPathFilter) -> PostureResult<Vec<Arc<AttackPath>>> {
        self.current().attack_paths(filter).await
    }

    async fn assign(&self, request: &AssignmentRequest) -> PostureResult<Governance> {
        self.current().assign(request).await
    }

    async fn secure_score(&self) -> PostureResult<ScoreCard> {
        self.current().secure_score().await
    }

    async fn person(&self, handle: &str) -> PostureResult<Option<Person>> {
        self.current().person(handle).await
    }
}

/// Loads the tenant the options describe; a snapshot file is served live ([`LiveFile`]).
pub fn load(options: &SourceOptions) -> anyhow::Result<Loaded> {
    let data = match &options.data {
        Some(path) => {
            let stamp = stamp_of(path);
            let data = read_snapshot(path)?;
            let (lexicon, source) = indexed(data);
            let (findings, resources) = (source.finding_count(), source.resource_count());
            let lexicon = Arc::new(CurrentLexicon::new(lexicon));
            let live = LiveFile {
                path: path.clone(),
                stamp: Mutex::new(stamp),
                tenant: RwLock::new(Arc::new(source)),
                lexicon: lexicon.clone(),
            };
            return Ok(Loaded { source: Arc::new(live), lexicon, findings, resources });
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

/// Connects to Defender for Cloud and builds the parser's lexicon from the tenant's resource
/// names and subscriptions. Azure being unreachable at start-up is not fatal: secbot starts,
/// says so, and answers once Azure does (resource names it could not read are then not
/// recognised in prompts until the next start).
pub async fn load_azure(options: &AzureOptions) -> anyhow::Result<Loaded> {
    let source =
        AzureSource::new(options.clone()).context("the Defender for Cloud settings are not usable")?;
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
    Ok(Loaded {
        source: Arc::new(source),
        lexicon: Arc::new(CurrentLexicon::new(lexicon)),
        findings: 0,
        resources,
    })
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
    let (lexicon, source) = indexed(data);
    let findings = source.finding_count();
    let resources = source.resource_count();
    Loaded { source: Arc::new(source), lexicon: Arc::new(CurrentLexicon::new(lexicon)), findings, resources }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secbot_skills::demo::{self, DemoOptions};
    use secbot_skills::intent::parse;
    use time::macros::date;

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_rewritten_snapshot_is_served_with_the_names_it_holds_now() {
        let day = date!(2026 - 11 - 25);
        let dir = std::env::temp_dir().join(format!("secbot-live-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tenant.json");
        let mut written = Vec::new();
        secbot_skills::snapshot::write(&demo::tenant(&DemoOptions::for_day(day)), &mut written).unwrap();
        let written = String::from_utf8(written).unwrap();
        assert!(written.contains("vm-jump-01"));
        std::fs::write(&path, &written).unwrap();
        let loaded = load(&SourceOptions { data: Some(path.clone()), ..SourceOptions::default() }).unwrap();
        let asked = "what's open on jumpbox";
        let resource = |loaded: &Loaded| parse(asked, &loaded.lexicon.get(), day).slots.resource;
        assert_eq!(resource(&loaded), None, "a name the snapshot does not hold");

        // The machine is renamed and the snapshot written again (a sync).
        std::fs::write(&path, written.replace("vm-jump-01", "jumpbox")).unwrap();
        loaded.source.clear_cache();
        assert_eq!(resource(&loaded).as_deref(), Some("jumpbox"), "the parser knows the new name");
        assert_eq!(loaded.source.resources_named("jumpbox").await.unwrap().len(), 1);
        assert!(loaded.source.resources_named("vm-jump-01").await.unwrap().is_empty());

        // A rewrite that cannot be read keeps both the tenant and its names.
        std::fs::write(&path, "{\"data\": [").unwrap();
        loaded.source.clear_cache();
        assert_eq!(resource(&loaded).as_deref(), Some("jumpbox"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
