//! Building the posture source secbot answers from: the embedded demo tenant (optionally grown
//! to N findings) or an offline snapshot file.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use secbot_skills::demo::{self, DemoOptions};
use secbot_skills::intent::Lexicon;
use secbot_skills::posture::PostureSource;
use secbot_skills::tenant::{IndexedSource, TenantData};
use time::Date;

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

/// Indexes tenant data and builds its lexicon.
pub fn index(data: TenantData) -> Loaded {
    let names: Vec<(String, secbot_chat::ResourceKind)> =
        data.resources.iter().map(|r| (r.name.clone(), r.kind)).collect();
    let people: Vec<String> = data.people.iter().map(|p| p.id.clone()).collect();
    let subscriptions = data.subscriptions.clone();
    let source = IndexedSource::new(data);
    let lexicon = Lexicon::new(
        source.recommendations(),
        names.iter().map(|(n, k)| (n.as_str(), *k)),
        &subscriptions,
        people.iter().map(String::as_str),
    );
    let findings = source.finding_count();
    let resources = source.resource_count();
    Loaded { source: Arc::new(source), lexicon: Arc::new(lexicon), findings, resources }
}
