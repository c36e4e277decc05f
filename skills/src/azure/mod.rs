//! [`AzureSource`]: a [`PostureSource`] over Microsoft Defender for Cloud, read live from Azure
//! Resource Graph (`securityresources`, `resources`, `resourcecontainers`) and the
//! Microsoft.Security REST API (pricings, assessment metadata, governance assignments).
//!
//! Every question is pushed down to Resource Graph as KQL built from typed parts (see
//! [`queries`]); the rows that come back are read with the same parsing snapshots use
//! ([`crate::snapshot`]) into an [`IndexedSource`], which applies [`FindingFilter::matches`]
//! exactly and ranks and pages like the in-memory tenant. So an answer from Azure is the answer
//! the same rows give offline, and [`AzureSource::sync`] writes exactly those rows as a snapshot.
//!
//! Results are cached per (subscriptions, query) for [`AzureOptions::cache_ttl`], so a burst of
//! the same question costs one Resource Graph call; a governance assignment clears the cache.

mod arm;
mod credentials;
mod error;
mod kql;
mod queries;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use moka::future::Cache;
use secbot_chat::delivery::Backoff;
use secbot_chat::{Person, ResourceKind};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

pub use credentials::{Credential, Secret};
pub use error::{AzureError, SyncError};

use self::arm::{Arm, MAX_PAGE};
use self::credentials::Tokens;
use self::kql::Query;
use self::queries::PathSignals;
use crate::catalog::Catalog;
use crate::posture::arm_id;
use crate::posture::{
    Alert, AlertFilter, AssignmentRequest, AttackPath, AttackPathFilter, Finding, FindingFilter, FindingPage,
    Governance, PostureError, PostureResult, PostureSource, PostureSummary, Recommendation, Resource,
    ScoreCard, SourceInfo, Subscription, Vulnerability, kind_of_type,
};
use crate::snapshot::{self, PathSignal, RowWriter};
use crate::tenant::IndexedSource;

/// How long assessment metadata (recommendation texts) is kept.
const METADATA_TTL: Duration = Duration::from_secs(6 * 3600);
/// How many pricings requests run at once.
const PRICING_CONCURRENCY: usize = 8;
/// How many resource ids one query names.
const IDS_PER_QUERY: usize = 200;

/// How to reach a tenant's Defender for Cloud data; the bot fills it from `SECBOT_AZURE_*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureOptions {
    /// The Azure AD tenant id (`SECBOT_AZURE_TENANT_ID`).
    pub tenant_id: String,
    /// How secbot signs in (`SECBOT_AZURE_CLIENT_ID` / `_CLIENT_SECRET`, a federated token file,
    /// a managed identity, or the Azure CLI).
    pub credential: Credential,
    /// The subscriptions to read (`SECBOT_AZURE_SUBSCRIPTIONS`); empty means every
    /// subscription the identity can read.
    pub subscriptions: Vec<String>,
    /// The Azure AD authority (`SECBOT_AZURE_AUTHORITY_URL`).
    pub authority_url: String,
    /// The Resource Manager endpoint (`SECBOT_AZURE_MANAGEMENT_URL`).
    pub management_url: String,
    /// The token scope; `None` means `https://management.azure.com/.default` for the public
    /// cloud, else `{management_url}/.default`.
    pub token_scope: Option<String>,
    /// How long query results are reused; zero turns the cache off.
    pub cache_ttl: Duration,
    /// The most rows one query reads across its pages; answers past the cap are partial and
    /// logged as such.
    pub max_rows: usize,
    /// Retries for throttled and failing calls.
    pub retry: Backoff,
    /// How long one HTTP request may take.
    pub request_timeout: Duration,
}

impl AzureOptions {
    /// Azure AD's public authority.
    pub const DEFAULT_AUTHORITY_URL: &'static str = "https://login.microsoftonline.com";
    /// The public cloud's Resource Manager endpoint.
    pub const DEFAULT_MANAGEMENT_URL: &'static str = "https://management.azure.com";
    /// The instance metadata service's token endpoint, for managed identities.
    pub const DEFAULT_IMDS_ENDPOINT: &'static str = "http://169.254.169.254/metadata/identity/oauth2/token";

    /// Options for a tenant and credential, with the public cloud's endpoints, a one-minute
    /// result cache, a 100,000-row cap and three tries per call (waits of at most 8 s).
    pub fn new(tenant_id: impl Into<String>, credential: Credential) -> AzureOptions {
        AzureOptions {
            tenant_id: tenant_id.into(),
            credential,
            subscriptions: Vec::new(),
            authority_url: AzureOptions::DEFAULT_AUTHORITY_URL.to_owned(),
            management_url: AzureOptions::DEFAULT_MANAGEMENT_URL.to_owned(),
            token_scope: None,
            cache_ttl: Duration::from_secs(60),
            max_rows: 100_000,
            retry: Backoff { attempts: 3, base: Duration::from_millis(500), cap: Duration::from_secs(8) },
            request_timeout: Duration::from_secs(30),
        }
    }

    fn scope(&self) -> String {
        match &self.token_scope {
            Some(scope) => scope.clone(),
            None if self.management_url.trim_end_matches('/') == AzureOptions::DEFAULT_MANAGEMENT_URL => {
                "https://management.azure.com/.default".to_owned()
            }
            None => format!("{}/.default", self.management_url.trim_end_matches('/')),
        }
    }

    fn validate(&self) -> Result<(), AzureError> {
        let config = |text: &str| Err(AzureError::Config(text.to_owned()));
        let plain =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !plain(&self.tenant_id) {
            return config("SECBOT_AZURE_TENANT_ID must be the tenant's id or domain");
        }
        match &self.credential {
            Credential::ClientSecret { client_id, client_secret } => {
                if client_id.trim().is_empty() {
                    return config("SECBOT_AZURE_CLIENT_ID is empty");
                }
                if client_secret.expose().is_empty() {
                    return config("SECBOT_AZURE_CLIENT_SECRET is empty");
                }
            }
            Credential::WorkloadIdentity { client_id, token_file } => {
                if client_id.trim().is_empty() {
                    return config("SECBOT_AZURE_CLIENT_ID is empty");
                }
                if token_file.as_os_str().is_empty() {
                    return config("the federated token file path is empty");
                }
            }
            Credential::ManagedIdentity { endpoint, .. }
            | Credential::AppServiceIdentity { endpoint, .. } => {
                if reqwest::Url::parse(endpoint).is_err() {
                    return config("the managed identity endpoint is not a URL");
                }
            }
            Credential::AzureCli { program } => {
                if program.trim().is_empty() {
                    return config("SECBOT_AZURE_CLI_COMMAND is empty");
                }
            }
        }
        for (key, url) in [
            ("SECBOT_AZURE_AUTHORITY_URL", &self.authority_url),
            ("SECBOT_AZURE_MANAGEMENT_URL", &self.management_url),
        ] {
            match reqwest::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "https" | "http") && u.host().is_some() => {}
                _ => return Err(AzureError::Config(format!("{key} must be an http(s) URL"))),
            }
        }
        if let Some(bad) = self.subscriptions.iter().find(|s| !plain(s)) {
            return Err(AzureError::Config(format!(
                "SECBOT_AZURE_SUBSCRIPTIONS holds \"{bad}\", which is not a subscription id"
            )));
        }
        if self.max_rows == 0 {
            return config("the row cap must be at least 1");
        }
        Ok(())
    }
}

/// What one query returned.
#[derive(Debug, Default)]
struct Fetched {
    rows: Vec<Value>,
    truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    scope: Vec<String>,
    request: String,
}

/// Rows every answer is read with: subscriptions and their plans, and attack paths (whose
/// insights mark resources as exposed or holding sensitive data).
struct Context {
    head: Vec<Arc<Fetched>>,
    paths: Arc<Fetched>,
}

impl Context {
    fn subscription_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for row in self.head.iter().flat_map(|f| f.rows.iter()) {
            if let Some(id) = row.get("subscriptionId").and_then(Value::as_str)
                && !ids.iter().any(|known| known.eq_ignore_ascii_case(id))
            {
                ids.push(id.to_owned());
            }
        }
        ids
    }

    fn signals(&self) -> PathSignals {
        let mut signals = PathSignals::default();
        for row in &self.paths.rows {
            for (resource, signal) in snapshot::attack_path_signals(row) {
                let list = match signal {
                    PathSignal::InternetExposure => &mut signals.exposed,
                    PathSignal::SensitiveData => &mut signals.sensitive,
                };
                let id = resource.to_ascii_lowercase();
                if !list.contains(&id) {
                    list.push(id);
                }
            }
        }
        signals
    }
}

struct Inner {
    tenant_id: String,
    /// The portal of the cloud the source reads.
    portal: &'static str,
    subscriptions: Vec<String>,
    max_rows: usize,
    arm: Arm,
    results: Option<Cache<CacheKey, Arc<Fetched>>>,
    metadata: Cache<(), Arc<HashMap<String, Value>>>,
}

/// Defender for Cloud, read live through Azure Resource Graph and the Microsoft.Security API.
#[derive(Clone)]
pub struct AzureSource {
    inner: Arc<Inner>,
}

impl fmt::Debug for AzureSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureSource")
            .field("tenant_id", &self.inner.tenant_id)
            .field("subscriptions", &self.inner.subscriptions)
            .finish()
    }
}

/// `/`-separated ARM id segments, percent-encoded, refusing anything that is not an ARM id.
fn arm_path(id: &str) -> Option<String> {
    let rest = id.strip_prefix('/')?;
    let mut out = String::with_capacity(id.len());
    for segment in rest.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return None;
        }
        out.push('/');
        out.push_str(&encode_segment(segment));
    }
    rest.to_ascii_lowercase().starts_with("subscriptions/").then_some(out)
}

fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn row_key(row: &Value) -> Option<(String, String)> {
    let id = row.get("id").and_then(Value::as_str)?;
    let kind = row.get("type").and_then(Value::as_str).unwrap_or_default();
    Some((kind.to_ascii_lowercase(), id.to_ascii_lowercase()))
}

/// True when an assessment's recommendation is known neither to the catalog nor by the row.
fn lacks_metadata(row: &Value) -> bool {
    let is_assessment = row
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("microsoft.security/assessments"));
    let key = row.get("name").and_then(Value::as_str).unwrap_or_default();
    is_assessment
        && Catalog::embedded().get(key).is_none()
        && !row.pointer("/properties/metadata").is_some_and(Value::is_object)
}

fn parse_due(text: &str) -> Option<Date> {
    OffsetDateTime::parse(text, &Rfc3339).map(|t| t.date()).ok().or_else(|| {
        let day = text.get(..10)?;
        Date::parse(day, &time::macros::format_description!("[year]-[month]-[day]")).ok()
    })
}

impl Inner {
    fn cache_key(scope: &[String], request: String) -> CacheKey {
        CacheKey { scope: scope.to_vec(), request }
    }

    /// Runs a Resource Graph query through every page, up to `cap` rows.
    /// Every row of a Resource Graph query (at most `cap`), and whether Azure or the cap cut
    /// it short.
    async fn fetch_graph(
        &self,
        scope: &[String],
        query: &Query,
        cap: Option<usize>,
    ) -> Result<Fetched, AzureError> {
        let mut rows = Vec::new();
        let truncated = self
            .each_page(scope, query, cap, &mut |page: Vec<Value>| -> Result<(), AzureError> {
                rows.extend(page);
                Ok(())
            })
            .await?;
        Ok(Fetched { rows, truncated })
    }

    /// Pages through a Resource Graph query, handing each page's rows to `sink` as it arrives,
    /// until the last page or `cap` rows; whether Azure or the cap cut the result short.
    async fn each_page<E: From<AzureError>>(
        &self,
        scope: &[String],
        query: &Query,
        cap: Option<usize>,
        sink: &mut (dyn FnMut(Vec<Value>) -> Result<(), E> + Send),
    ) -> Result<bool, E> {
        let text = query.to_string();
        let (mut read, mut truncated) = (0usize, false);
        let mut skip: Option<String> = None;
        loop {
            let top = cap.map_or(MAX_PAGE, |c| c.saturating_sub(read).min(MAX_PAGE));
            let page = self.arm.graph_page(scope, &text, skip.as_deref(), top).await?;
            truncated |= page.truncated;
            let mut rows = page.rows;
            if let Some(c) = cap
                && read + rows.len() > c
            {
                rows.truncate(c - read);
                truncated = true;
            }
            read += rows.len();
            sink(rows)?;
            if page.skip_token.is_none() {
                break;
            }
            if cap.is_some_and(|c| read >= c) {
                truncated = true;
                break;
            }
            skip = page.skip_token;
        }
        Ok(truncated)
    }

    async fn cached<F>(&self, key: CacheKey, fetch: F) -> Result<Arc<Fetched>, AzureError>
    where
        F: Future<Output = Result<Fetched, AzureError>>,
    {
        match &self.results {
            None => fetch.await.map(Arc::new),
            Some(cache) => {
                cache.try_get_with(key, async { fetch.await.map(Arc::new) }).await.map_err(|e| (*e).clone())
            }
        }
    }

    /// A query's rows, from the cache when the same query over the same scope ran recently.
    async fn graph(&self, scope: &[String], query: &Query) -> Result<Arc<Fetched>, AzureError> {
        let key = Inner::cache_key(scope, query.to_string());
        self.cached(key, async {
            let fetched = self.fetch_graph(scope, query, Some(self.max_rows)).await?;
            if fetched.truncated {
                tracing::warn!(
                    rows = fetched.rows.len(),
                    cap = self.max_rows,
                    table = ?query.table(),
                    "a Resource Graph query was cut short; answers cover only the rows read"
                );
            }
            Ok(fetched)
        })
        .await
    }

    /// A subscription's Defender plans, as `microsoft.security/pricings` rows.
    async fn fetch_pricings(&self, subscription: &str) -> Result<Fetched, AzureError> {
        let path = format!(
            "/subscriptions/{}/providers/Microsoft.Security/pricings?api-version=2024-01-01",
            encode_segment(subscription)
        );
        let body = match self.arm.get(&path, &[subscription.to_owned()]).await {
            Ok(body) => body,
            Err(AzureError::NotRegistered { .. } | AzureError::NotFound(_)) => {
                tracing::warn!(subscription, "Defender for Cloud is not set up on this subscription");
                Value::Null
            }
            Err(err) => return Err(err),
        };
        let rows = body
            .get("value")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|item| {
                let mut row = item.as_object()?.clone();
                row.insert("type".to_owned(), json!("microsoft.security/pricings"));
                row.insert("subscriptionId".to_owned(), json!(subscription));
                Some(Value::Object(row))
            })
            .collect();
        Ok(Fetched { rows, truncated: false })
    }

    async fn pricings(&self, subscription: &str) -> Result<Arc<Fetched>, AzureError> {
        let key = Inner::cache_key(&[subscription.to_owned()], "pricings".to_owned());
        self.cached(key, self.fetch_pricings(subscription)).await
    }

    /// Subscription ids in scope: those Resource Graph lists plus the configured ones.
    fn subscriptions_in(&self, rows: &Fetched) -> Vec<String> {
        let mut ids: Vec<String> = self.subscriptions.clone();
        for row in &rows.rows {
            if let Some(id) = row.get("subscriptionId").and_then(Value::as_str)
                && !ids.iter().any(|known| known.eq_ignore_ascii_case(id))
            {
                ids.push(id.to_owned());
            }
        }
        ids
    }

    async fn subscription_rows(self: &Arc<Self>) -> Result<Vec<Arc<Fetched>>, AzureError> {
        let containers = self.graph(&self.subscriptions, &queries::subscriptions()).await?;
        let ids = self.subscriptions_in(&containers);
        let limit = Arc::new(tokio::sync::Semaphore::new(PRICING_CONCURRENCY));
        let mut tasks = tokio::task::JoinSet::new();
        for (i, id) in ids.into_iter().enumerate() {
            let inner = Arc::clone(self);
            let limit = Arc::clone(&limit);
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                (i, inner.pricings(&id).await)
            });
        }
        let mut plans: Vec<(usize, Arc<Fetched>)> = Vec::new();
        while let Some(done) = tasks.join_next().await {
            let (i, result) =
                done.map_err(|e| AzureError::Transport(format!("a pricings request stopped: {e}")))?;
            plans.push((i, result?));
        }
        plans.sort_by_key(|(i, _)| *i);
        let mut head = vec![containers];
        head.extend(plans.into_iter().map(|(_, p)| p));
        Ok(head)
    }

    async fn context(self: &Arc<Self>) -> Result<Context, AzureError> {
        let head = self.subscription_rows().await?;
        let paths = self.graph(&self.subscriptions, &queries::attack_paths()).await?;
        Ok(Context { head, paths })
    }

    /// The subscriptions to query for a filter's subscriptions: those visible, or `None` when
    /// none of them is.
    fn scope_for(&self, wanted: &[String], context: &Context) -> Option<Vec<String>> {
        if wanted.is_empty() {
            return Some(self.subscriptions.clone());
        }
        let chosen: Vec<String> = context
            .subscription_ids()
            .into_iter()
            .filter(|id| wanted.iter().any(|w| w.eq_ignore_ascii_case(id)))
            .collect();
        (!chosen.is_empty()).then_some(chosen)
    }

    async fn fetch_metadata(&self) -> Result<HashMap<String, Value>, AzureError> {
        let mut map = HashMap::new();
        let mut next =
            Some("/providers/Microsoft.Security/assessmentMetadata?api-version=2025-05-04".to_owned());
        let base = self.arm.base().to_owned();
        while let Some(path) = next.take() {
            let body = self.arm.get(&path, &self.subscriptions).await?;
            for item in body.get("value").and_then(Value::as_array).into_iter().flatten() {
                if let (Some(name), Some(props)) =
                    (item.get("name").and_then(Value::as_str), item.get("properties"))
                {
                    map.insert(name.to_ascii_lowercase(), props.clone());
                }
            }
            let link = body.get("nextLink").and_then(Value::as_str).filter(|l| !l.is_empty());
            next = match link {
                Some(link) => match link.strip_prefix(base.as_str()).filter(|rest| rest.starts_with('/')) {
                    Some(rest) => Some(rest.to_owned()),
                    None => {
                        tracing::warn!(
                            "assessment metadata paging pointed away from the management endpoint; stopped"
                        );
                        None
                    }
                },
                None => None,
            };
        }
        Ok(map)
    }

    async fn metadata(&self) -> Result<Arc<HashMap<String, Value>>, AzureError> {
        self.metadata
            .try_get_with((), async { self.fetch_metadata().await.map(Arc::new) })
            .await
            .map_err(|e| (*e).clone())
    }

    /// Reads rows into an indexed tenant: context first, then resources, then security rows,
    /// then attack paths, each row once.
    async fn view(
        &self,
        context: Option<&Context>,
        resources: &[Arc<Fetched>],
        security: &[Arc<Fetched>],
    ) -> IndexedSource {
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut rows: Vec<&Value> = Vec::new();
        let parts = context
            .map(|c| c.head.as_slice())
            .unwrap_or_default()
            .iter()
            .chain(resources)
            .chain(security)
            .chain(context.map(|c| &c.paths));
        for part in parts {
            for row in &part.rows {
                if row_key(row).is_none_or(|key| seen.insert(key)) {
                    rows.push(row);
                }
            }
        }
        let metadata = if rows.iter().any(|r| lacks_metadata(r)) {
            match self.metadata().await {
                Ok(m) => Some(m),
                Err(err) => {
                    tracing::warn!(error = %err, "assessment metadata could not be read");
                    None
                }
            }
        } else {
            None
        };
        let name = format!("Azure tenant {}", self.tenant_id);
        IndexedSource::new(snapshot::build(rows.iter().copied(), &name, metadata.as_deref()))
    }

    async fn resource_rows(&self, scope: &[String], ids: &[String]) -> Result<Vec<Arc<Fetched>>, AzureError> {
        let mut parts = Vec::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            parts.push(self.graph(scope, &queries::resources_by_id(chunk)).await?);
        }
        Ok(parts)
    }

    async fn findings_view(
        self: &Arc<Self>,
        filter: &FindingFilter,
    ) -> Result<Option<(Context, Vec<String>, Vec<Arc<Fetched>>)>, AzureError> {
        let context = self.context().await?;
        let Some(scope) = self.scope_for(&filter.subscriptions, &context) else {
            return Ok(None);
        };
        let mut security = vec![self.graph(&scope, &queries::findings(filter, &context.signals())).await?];
        security.push(self.graph(&scope, &queries::governance()).await?);
        if let Some(min) = filter.vulnerabilities_at_least {
            let query = queries::subassessments_at_least(min).order_by("id asc");
            security.push(self.graph(&scope, &query).await?);
        }
        Ok(Some((context, scope, security)))
    }

    async fn findings(
        self: &Arc<Self>,
        filter: &FindingFilter,
        offset: usize,
        limit: usize,
    ) -> PostureResult<FindingPage> {
        let Some((context, scope, security)) = self.findings_view(filter).await? else {
            return Ok(FindingPage::default());
        };
        let view = self.view(Some(&context), &[], &security).await;
        let page = view.findings(filter, offset, limit).await?;
        if page.items.is_empty() {
            return Ok(page);
        }
        let mut ids: Vec<String> = Vec::new();
        for f in &page.items {
            if !ids.iter().any(|id| id.eq_ignore_ascii_case(&f.resource.id)) {
                ids.push(f.resource.id.clone());
            }
        }
        let resources = self.resource_rows(&scope, &ids).await?;
        let view = self.view(Some(&context), &resources, &security).await;
        view.findings(filter, offset, limit).await
    }

    async fn summary(self: &Arc<Self>, filter: &FindingFilter, today: Date) -> PostureResult<PostureSummary> {
        let Some((context, _, security)) = self.findings_view(filter).await? else {
            return Ok(PostureSummary::default());
        };
        let view = self.view(Some(&context), &[], &security).await;
        view.summary(filter, today).await
    }

    /// An indexed view of everything about some resources: all their assessments and their
    /// Azure resource rows.
    async fn resources_view(
        self: &Arc<Self>,
        ids: &[String],
        extra: Vec<Arc<Fetched>>,
    ) -> PostureResult<IndexedSource> {
        let context = self.context().await?;
        let scope = self.subscriptions.clone();
        let mut security = Vec::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            security.push(self.graph(&scope, &queries::assessments_on(chunk)).await?);
        }
        security.extend(extra);
        let resources = self.resource_rows(&scope, ids).await?;
        Ok(self.view(Some(&context), &resources, &security).await)
    }

    async fn finding(
        self: &Arc<Self>,
        recommendation: &str,
        resource: &str,
    ) -> PostureResult<Option<Finding>> {
        let governance =
            self.graph(&self.subscriptions, &queries::governance_of(recommendation, resource)).await?;
        let view = self.resources_view(&[resource.to_owned()], vec![governance]).await?;
        view.finding(recommendation, resource).await
    }

    async fn resource(self: &Arc<Self>, id: &str) -> PostureResult<Option<Arc<Resource>>> {
        let view = self.resources_view(&[id.to_owned()], Vec::new()).await?;
        view.resource(id).await
    }

    async fn resources_named(self: &Arc<Self>, name: &str) -> PostureResult<Vec<Arc<Resource>>> {
        let context = self.context().await?;
        let scope = self.subscriptions.clone();
        let security = [self.graph(&scope, &queries::assessments_named(name)).await?];
        let resources = [self.graph(&scope, &queries::resources_named(name)).await?];
        let view = self.view(Some(&context), &resources, &security).await;
        view.resources_named(name).await
    }

    async fn vulnerabilities(&self, resource: &str) -> PostureResult<Vec<Vulnerability>> {
        let found = [self.graph(&self.subscriptions, &queries::subassessments_on(resource)).await?];
        let view = self.view(None, &[], &found).await;
        view.vulnerabilities(resource).await
    }

    async fn attack_paths(
        self: &Arc<Self>,
        filter: &AttackPathFilter,
    ) -> PostureResult<Vec<Arc<AttackPath>>> {
        let context = self.context().await?;
        let mut ids: Vec<String> = Vec::new();
        for row in &context.paths.rows {
            let subscription = row.get("subscriptionId").and_then(Value::as_str).unwrap_or_default();
            if !filter.subscriptions.is_empty()
                && !filter.subscriptions.iter().any(|s| s.eq_ignore_ascii_case(subscription))
            {
                continue;
            }
            for id in snapshot::attack_path_resources(row) {
                if !ids.iter().any(|known| known.eq_ignore_ascii_case(&id)) {
                    ids.push(id);
                }
            }
        }
        let scope = self.subscriptions.clone();
        let mut security = Vec::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            security.push(self.graph(&scope, &queries::assessments_on(chunk)).await?);
        }
        let resources = self.resource_rows(&scope, &ids).await?;
        let view = self.view(Some(&context), &resources, &security).await;
        view.attack_paths(filter).await
    }

    /// Alerts matching the filter: the query narrows by status, severity and time; the rows are
    /// read as a snapshot reads them and filtered exactly (scope, kind, cloud, resource).
    async fn alerts(&self, filter: &AlertFilter) -> PostureResult<Vec<Arc<Alert>>> {
        let fetched = self.graph(&self.subscriptions, &queries::alerts(filter)).await?;
        let mut alerts: Vec<Arc<Alert>> = self.alerts_of(&fetched).filter(|a| filter.matches(a)).collect();
        AlertFilter::rank(&mut alerts);
        Ok(alerts)
    }

    async fn alert(&self, id: &str) -> PostureResult<Option<Arc<Alert>>> {
        let fetched = self.graph(&self.subscriptions, &queries::alert(id)).await?;
        Ok(self.alerts_of(&fetched).next())
    }

    /// The alerts of Resource Graph rows, each with a portal link (its own `AlertUri`, else the
    /// alert blade on this cloud's portal).
    fn alerts_of<'f>(&self, fetched: &'f Fetched) -> impl Iterator<Item = Arc<Alert>> + 'f {
        let portal = self.portal;
        fetched.rows.iter().filter_map(snapshot::alert_of_row).map(move |mut a| {
            if a.portal.is_none() {
                a.portal = Alert::portal_link(portal, &a.id);
            }
            Arc::new(a)
        })
    }

    /// The catalog's entry, else the recommendation as an assessment of it describes it (with
    /// the metadata API filling in what the row lacks), else the metadata API's entry.
    async fn recommendation(&self, key: &str) -> PostureResult<Option<Arc<Recommendation>>> {
        if let Some(known) = Catalog::embedded().get(key) {
            return Ok(Some(known.clone()));
        }
        let query = queries::assessments_of(key);
        let request = format!("first row of {query}");
        let first = self
            .cached(Inner::cache_key(&self.subscriptions, request), async {
                self.fetch_graph(&self.subscriptions, &query, Some(1)).await
            })
            .await?;
        if let Some(found) = self.view(None, &[], &[first]).await.recommendation(key).await? {
            return Ok(Some(found));
        }
        let metadata = self.metadata().await?;
        Ok(metadata
            .get(&key.to_ascii_lowercase())
            .map(|meta| Arc::new(snapshot::recommendation_from_metadata(key, None, meta, String::new()))))
    }

    async fn assign(&self, request: &AssignmentRequest) -> PostureResult<Governance> {
        let resource = arm_path(&request.resource).ok_or_else(|| {
            PostureError::NotFound(
                "secbot can record an owner only for resources with an Azure resource id".to_owned(),
            )
        })?;
        let key_ok = !request.recommendation.is_empty()
            && request.recommendation.chars().all(|c| c.is_ascii_alphanumeric() || "-_.()".contains(c));
        if !key_ok {
            return Err(PostureError::NotFound(
                "that recommendation key is not one Defender for Cloud uses".into(),
            ));
        }
        let key = &request.recommendation;
        let path = format!(
            "{resource}/providers/Microsoft.Security/assessments/{key}/governanceAssignments/{key}\
             ?api-version=2022-01-01-preview"
        );
        let body = json!({"properties": {
            "owner": request.owner,
            "remediationDueDate": format!("{}T00:00:00.0000000Z", request.due),
            "isGracePeriod": request.grace_period,
            "governanceEmailNotification": {
                "disableManagerEmailNotification": !request.notify,
                "disableOwnerEmailNotification": !request.notify,
            },
        }});
        let subscriptions: Vec<String> =
            arm_id::subscription(&request.resource).map(str::to_owned).into_iter().collect();
        let written = match self.arm.put(&path, &body, &subscriptions).await {
            Ok(written) => written,
            Err(AzureError::NotFound(_)) => {
                return Err(PostureError::NotFound(
                    "that recommendation has no finding on that resource".into(),
                ));
            }
            Err(err) => return Err(err.into()),
        };
        if let Some(cache) = &self.results {
            cache.invalidate_all();
        }
        let props = written.get("properties").cloned().unwrap_or(Value::Null);
        Ok(Governance {
            owner: props
                .get("owner")
                .and_then(Value::as_str)
                .filter(|o| !o.is_empty())
                .map_or_else(|| request.owner.clone(), str::to_owned),
            due: props
                .get("remediationDueDate")
                .and_then(Value::as_str)
                .and_then(parse_due)
                .unwrap_or(request.due),
            grace_period: props.get("isGracePeriod").and_then(Value::as_bool).unwrap_or(request.grace_period),
        })
    }

    /// The secure score rows (scores and controls) and the unhealthy counts per recommendation.
    async fn secure_score(&self) -> PostureResult<ScoreCard> {
        let rows = self.graph(&self.subscriptions, &queries::secure_scores()).await?;
        let counts = self.graph(&self.subscriptions, &queries::unhealthy_counts()).await?;
        let mut card = snapshot::build(rows.rows.iter(), "secure score", None).score.unwrap_or_default();
        card.unhealthy = counts
            .rows
            .iter()
            .filter_map(|row| {
                let subscription = row.get("subscriptionId")?.as_str()?.to_owned();
                let key = row.get("key")?.as_str()?.to_owned();
                let n = row.get("unhealthy")?.as_u64()?;
                Some((subscription, key, u32::try_from(n).unwrap_or(u32::MAX)))
            })
            .collect();
        Ok(card)
    }

    async fn sync(
        self: &Arc<Self>,
        progress: &(dyn Fn(usize) + Sync),
        out: &mut (dyn Write + Send),
    ) -> Result<usize, SyncError> {
        let scope = self.subscriptions.clone();
        let mut rows = RowWriter::new(out)?;
        let containers = self.fetch_graph(&scope, &queries::subscriptions(), None).await?;
        let mut truncated = containers.truncated;
        for row in &containers.rows {
            rows.row(row)?;
        }
        progress(rows.rows());
        for id in self.subscriptions_in(&containers) {
            for row in &self.fetch_pricings(&id).await?.rows {
                rows.row(row)?;
            }
            progress(rows.rows());
        }
        for query in [
            queries::assessed_resources(),
            queries::all_assessments(),
            queries::all_subassessments(),
            queries::governance(),
            queries::attack_paths(),
            queries::secure_scores(),
            queries::alerts(&AlertFilter { closed_too: true, ..AlertFilter::default() }),
        ] {
            let cut = self
                .each_page(&scope, &query, None, &mut |page: Vec<Value>| -> Result<(), SyncError> {
                    for row in &page {
                        rows.row(row)?;
                    }
                    progress(rows.rows());
                    Ok(())
                })
                .await?;
            if cut {
                tracing::warn!(table = ?query.table(), "Resource Graph cut a snapshot query short");
            }
            truncated |= cut;
        }
        Ok(rows.finish(truncated)?)
    }

    async fn resource_names(&self) -> PostureResult<Vec<(String, ResourceKind)>> {
        let fetched = self.graph(&self.subscriptions, &queries::assessed_names()).await?;
        let mut names: Vec<(String, ResourceKind)> = Vec::new();
        let mut seen = HashSet::new();
        for row in &fetched.rows {
            let details = row.pointer("/properties/resourceDetails");
            let name = row
                .get("resourceName")
                .and_then(Value::as_str)
                .or_else(|| details.and_then(|d| d.get("ResourceName")).and_then(Value::as_str))
                .filter(|n| !n.is_empty());
            let kind_text = row
                .get("resourceType")
                .and_then(Value::as_str)
                .or_else(|| details.and_then(|d| d.get("ResourceType")).and_then(Value::as_str))
                .unwrap_or_default();
            if let Some(name) = name
                && seen.insert(name.to_ascii_lowercase())
            {
                names.push((name.to_owned(), kind_of_type(kind_text)));
            }
        }
        Ok(names)
    }
}

impl AzureSource {
    /// Checks the options and builds the source; nothing is sent to Azure until the first
    /// question.
    pub fn new(options: AzureOptions) -> Result<AzureSource, AzureError> {
        options.validate()?;
        let http = reqwest::Client::builder()
            .timeout(options.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AzureError::Config(format!("the HTTP client cannot start ({e})")))?;
        let tokens = Tokens::new(
            http.clone(),
            options.credential.clone(),
            &options.authority_url,
            &options.tenant_id,
            options.scope(),
        );
        let arm = Arm::new(http, &options.management_url, tokens, options.retry);
        let results = (!options.cache_ttl.is_zero()).then(|| {
            Cache::builder()
                .time_to_live(options.cache_ttl)
                .weigher(|_key: &CacheKey, value: &Arc<Fetched>| {
                    u32::try_from(value.rows.len()).unwrap_or(u32::MAX).saturating_add(1)
                })
                .max_capacity(500_000)
                .build()
        });
        let metadata = Cache::builder().time_to_live(METADATA_TTL).max_capacity(1).build();
        Ok(AzureSource {
            inner: Arc::new(Inner {
                portal: SourceInfo::portal_of(&options.management_url),
                tenant_id: options.tenant_id,
                subscriptions: options.subscriptions,
                max_rows: options.max_rows,
                arm,
                results,
                metadata,
            }),
        })
    }

    /// Reads the tenant's whole security posture (subscriptions and plans, assessed resources,
    /// assessments, sub-assessments, governance assignments, attack paths, secure scores and
    /// alerts) and writes it to `out` page by page, as a snapshot that [`crate::snapshot::read`]
    /// reads and `secbot serve --data` serves. `progress` is told how many rows have been
    /// written so far, after every page. The number of rows written.
    pub async fn sync(
        &self,
        progress: &(dyn Fn(usize) + Sync),
        mut out: impl Write + Send,
    ) -> Result<usize, SyncError> {
        self.inner.sync(progress, &mut out).await
    }

    /// Names and kinds of the resources Defender for Cloud assesses, for the prompt parser's
    /// lexicon.
    pub async fn resource_names(&self) -> Result<Vec<(String, ResourceKind)>, PostureError> {
        self.inner.resource_names().await
    }
}

#[async_trait]
impl PostureSource for AzureSource {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            name: format!("Azure tenant {}", self.inner.tenant_id),
            offline: false,
            portal: self.inner.portal.to_owned(),
        }
    }

    /// Forgets cached query results and recommendation metadata.
    fn clear_cache(&self) {
        if let Some(cache) = &self.inner.results {
            cache.invalidate_all();
        }
        self.inner.metadata.invalidate_all();
    }

    async fn subscriptions(&self) -> PostureResult<Vec<Subscription>> {
        let head = self.inner.subscription_rows().await?;
        let context = Context { head, paths: Arc::new(Fetched::default()) };
        let view = self.inner.view(Some(&context), &[], &[]).await;
        let configured = &self.inner.subscriptions;
        Ok(view
            .subscriptions()
            .await?
            .into_iter()
            .filter(|s| configured.is_empty() || configured.iter().any(|c| c.eq_ignore_ascii_case(&s.id)))
            .collect())
    }

    async fn recommendation(&self, key: &str) -> PostureResult<Option<Arc<Recommendation>>> {
        self.inner.recommendation(key).await
    }

    async fn resource(&self, id: &str) -> PostureResult<Option<Arc<Resource>>> {
        self.inner.resource(id).await
    }

    async fn resources_named(&self, name: &str) -> PostureResult<Vec<Arc<Resource>>> {
        self.inner.resources_named(name).await
    }

    async fn findings(
        &self,
        filter: &FindingFilter,
        offset: usize,
        limit: usize,
    ) -> PostureResult<FindingPage> {
        self.inner.findings(filter, offset, limit).await
    }

    async fn finding(&self, recommendation: &str, resource: &str) -> PostureResult<Option<Finding>> {
        self.inner.finding(recommendation, resource).await
    }

    async fn summary(&self, filter: &FindingFilter, today: Date) -> PostureResult<PostureSummary> {
        self.inner.summary(filter, today).await
    }

    async fn vulnerabilities(&self, resource: &str) -> PostureResult<Vec<Vulnerability>> {
        self.inner.vulnerabilities(resource).await
    }

    async fn alerts(&self, filter: &AlertFilter) -> PostureResult<Vec<Arc<Alert>>> {
        self.inner.alerts(filter).await
    }

    async fn alert(&self, id: &str) -> PostureResult<Option<Arc<Alert>>> {
        self.inner.alert(id).await
    }

    async fn attack_paths(&self, filter: &AttackPathFilter) -> PostureResult<Vec<Arc<AttackPath>>> {
        self.inner.attack_paths(filter).await
    }

    async fn secure_score(&self) -> PostureResult<ScoreCard> {
        self.inner.secure_score().await
    }

    async fn assign(&self, request: &AssignmentRequest) -> PostureResult<Governance> {
        self.inner.assign(request).await
    }

    async fn person(&self, _handle: &str) -> PostureResult<Option<Person>> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_arm_ids_become_request_paths() {
        assert_eq!(
            arm_path("/subscriptions/s1/resourceGroups/rg 1/providers/Microsoft.Compute/virtualMachines/vm"),
            Some(
                "/subscriptions/s1/resourceGroups/rg%201/providers/Microsoft.Compute/virtualMachines/vm"
                    .into()
            )
        );
        assert_eq!(arm_path("/subscriptions/s1/../../providers/x"), None);
        assert_eq!(arm_path("arn:aws:s3:::bucket"), None);
        assert_eq!(
            arm_path("/subscriptions/s1/x?api-version=1"),
            Some("/subscriptions/s1/x%3Fapi-version%3D1".into())
        );
    }

    #[test]
    fn options_are_checked_and_never_print_the_secret() {
        let credential =
            Credential::ClientSecret { client_id: "app".into(), client_secret: Secret::new("hunter2") };
        let mut options = AzureOptions::new("contoso.onmicrosoft.com", credential);
        assert!(!format!("{options:?}").contains("hunter2"));
        assert!(AzureSource::new(options.clone()).is_ok());
        options.management_url = "not a url".into();
        let err = AzureSource::new(options.clone()).unwrap_err();
        assert!(err.to_string().contains("SECBOT_AZURE_MANAGEMENT_URL"), "{err}");
        options.management_url = AzureOptions::DEFAULT_MANAGEMENT_URL.into();
        options.tenant_id = "a/b".into();
        assert!(AzureSource::new(options).unwrap_err().to_string().contains("SECBOT_AZURE_TENANT_ID"));
    }

    #[test]
    fn due_dates_are_read_from_azure_timestamps() {
        assert_eq!(parse_due("2022-01-07T13:00:00.0000000Z"), Some(time::macros::date!(2022 - 01 - 07)));
        assert_eq!(parse_due("2026-06-30"), Some(time::macros::date!(2026 - 06 - 30)));
    }
}
