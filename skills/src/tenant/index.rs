//! [`IndexedSource`]: a [`PostureSource`] over a [`TenantData`] held in memory. Findings are
//! sorted by risk once, and every filter is a precomputed bitset, so a query is a few word-wise
//! ANDs and a scan for the first page, whatever the tenant's size.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use rustc_hash::FxHashMap;
use secbot_chat::{Cloud, Person, ResourceKind, Severity};
use time::Date;

use super::bits::Bits;
use super::{FindingRecord, TenantData};
use crate::posture::{
    Alert, AlertFilter, AssignmentRequest, AttackPath, AttackPathFilter, Finding, FindingFilter, FindingPage,
    Governance, PostureError, PostureResult, PostureSource, PostureSummary, Recommendation, Resource,
    ScoreCard, SourceInfo, Status, Subscription, Vulnerability,
};

/// Finding positions of one recommendation or one resource, in rank order.
#[derive(Debug, Default)]
struct Postings {
    starts: Vec<u32>,
    positions: Vec<u32>,
}

impl Postings {
    fn build(len: usize, keys: impl Iterator<Item = u32> + Clone) -> Postings {
        let mut counts = vec![0u32; len + 1];
        for key in keys.clone() {
            counts[key as usize + 1] += 1;
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut fill = counts.clone();
        let mut positions = vec![0u32; *counts.last().unwrap_or(&0) as usize];
        for (pos, key) in keys.enumerate() {
            positions[fill[key as usize] as usize] = pos as u32;
            fill[key as usize] += 1;
        }
        Postings { starts: counts, positions }
    }

    fn get(&self, key: u32) -> &[u32] {
        let key = key as usize;
        if key + 1 >= self.starts.len() {
            return &[];
        }
        &self.positions[self.starts[key] as usize..self.starts[key + 1] as usize]
    }
}

#[derive(Debug)]
struct Indexes {
    status: [Bits; 3],
    level: [Bits; 4],
    risk: [Bits; 4],
    severity: [Bits; 4],
    exposed: Bits,
    sensitive: Bits,
    vulnerable_at_least: [Bits; 4],
    kind: Vec<Bits>,
    /// Findings about identities reported on subscriptions, which an identity filter takes in.
    identity_access: Bits,
    cloud: [Bits; 3],
    subscription: Vec<Bits>,
    by_recommendation: Postings,
    by_resource: Postings,
    /// Finding positions ordered by status change time, with those times.
    by_change: Vec<(i64, u32)>,
}

/// An assignment in compact form: the owner is an index into [`GovernanceState::owners`].
#[derive(Debug, Clone, Copy)]
struct Assignment {
    owner: u32,
    due: Date,
    grace_period: bool,
}

/// Owners and due dates, by finding position; the only part of the index that changes.
#[derive(Debug)]
struct GovernanceState {
    by_position: Vec<Option<Assignment>>,
    owners: Vec<String>,
    owner_index: HashMap<String, u32>,
    assigned: Bits,
}

impl GovernanceState {
    fn get(&self, pos: usize) -> Option<Governance> {
        self.by_position[pos].map(|a| Governance {
            owner: self.owners[a.owner as usize].clone(),
            due: a.due,
            grace_period: a.grace_period,
        })
    }

    fn set(&mut self, pos: usize, g: &Governance) {
        let key = g.owner.to_ascii_lowercase();
        let owner = match self.owner_index.get(&key) {
            Some(&i) => i,
            None => {
                self.owners.push(g.owner.clone());
                let i = (self.owners.len() - 1) as u32;
                self.owner_index.insert(key, i);
                i
            }
        };
        self.by_position[pos] = Some(Assignment { owner, due: g.due, grace_period: g.grace_period });
        self.assigned.set(pos);
    }
}

/// A tenant served from memory through indexes.
#[derive(Debug)]
pub struct IndexedSource {
    name: String,
    subscriptions: Vec<Subscription>,
    subscription_index: FxHashMap<String, usize>,
    recommendations: Vec<Arc<Recommendation>>,
    recommendation_index: FxHashMap<String, u32>,
    resources: Vec<Arc<Resource>>,
    resource_index: FxHashMap<String, u32>,
    resource_names: FxHashMap<String, Vec<u32>>,
    findings: Vec<FindingRecord>,
    /// (resource, recommendation) of each position: the compact columns aggregations scan.
    rows: Vec<(u32, u32)>,
    vulnerabilities: Vec<Vec<Arc<Vulnerability>>>,
    worst_cve: Vec<Option<Severity>>,
    attack_paths: Vec<Arc<AttackPath>>,
    alerts: Vec<Arc<Alert>>,
    people: Vec<Person>,
    indexes: Indexes,
    governance: RwLock<GovernanceState>,
    /// The secure score the data carried, if any.
    reported_score: Option<ScoreCard>,
    /// The secure score, worked out on first use.
    score: std::sync::OnceLock<ScoreCard>,
}

fn level_slot(level: Severity) -> usize {
    level as usize
}

fn status_slot(status: Status) -> usize {
    match status {
        Status::Unhealthy => 0,
        Status::Healthy => 1,
        Status::NotApplicable => 2,
    }
}

fn cloud_slot(cloud: Cloud) -> usize {
    match cloud {
        Cloud::Azure => 0,
        Cloud::Aws => 1,
        Cloud::Gcp => 2,
    }
}

fn kind_slot(kind: ResourceKind) -> usize {
    ResourceKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// What the indexes need of one resource.
#[derive(Clone, Copy)]
struct ResourceFacts {
    exposed: bool,
    sensitive: bool,
    kind: u8,
    cloud: u8,
    subscription: Option<u32>,
}

impl IndexedSource {
    /// Sorts the findings by risk and builds every index.
    pub fn new(mut data: TenantData) -> IndexedSource {
        let recs = &data.recommendations;
        let res = &data.resources;
        let level = |f: &FindingRecord| f.risk.unwrap_or(recs[f.recommendation as usize].severity);
        let subscription_index: FxHashMap<String, usize> =
            data.subscriptions.iter().enumerate().map(|(i, s)| (s.id.to_ascii_lowercase(), i)).collect();
        // What the indexes need of each resource, side by side: the findings visit resources in
        // risk order, and following each one's pointer missed the cache once per finding.
        let facts: Vec<ResourceFacts> = res
            .iter()
            .map(|r| ResourceFacts {
                exposed: r.internet_exposed,
                sensitive: r.sensitive_data.is_some(),
                kind: kind_slot(r.kind) as u8,
                cloud: cloud_slot(r.cloud) as u8,
                subscription: subscription_index.get(&r.subscription.to_ascii_lowercase()).map(|&s| s as u32),
            })
            .collect();
        data.findings.sort_by_cached_key(|f| {
            let resource = &facts[f.resource as usize];
            (
                status_slot(f.status),
                std::cmp::Reverse(level(f)),
                std::cmp::Reverse(recs[f.recommendation as usize].severity),
                std::cmp::Reverse(f.attack_paths),
                !resource.exposed,
                !resource.sensitive,
                f.first_seen,
                f.recommendation,
                f.resource,
            )
        });

        let n = data.findings.len();
        let mut worst_cve: Vec<Option<Severity>> = vec![None; res.len()];
        data.vulnerabilities.resize(res.len(), Vec::new());
        for (i, vulns) in data.vulnerabilities.iter_mut().enumerate() {
            vulns.sort_by(|a, b| b.cvss.total_cmp(&a.cvss).then_with(|| a.cve.cmp(&b.cve)));
            worst_cve[i] = vulns.iter().map(|v| v.severity).max();
        }

        let new4 = || std::array::from_fn::<Bits, 4, _>(|_| Bits::new(n));
        let mut ix = Indexes {
            status: std::array::from_fn(|_| Bits::new(n)),
            level: new4(),
            risk: new4(),
            severity: new4(),
            exposed: Bits::new(n),
            sensitive: Bits::new(n),
            vulnerable_at_least: new4(),
            kind: (0..ResourceKind::ALL.len()).map(|_| Bits::new(n)).collect(),
            identity_access: Bits::new(n),
            cloud: std::array::from_fn(|_| Bits::new(n)),
            subscription: (0..data.subscriptions.len()).map(|_| Bits::new(n)).collect(),
            by_recommendation: Postings::build(recs.len(), data.findings.iter().map(|f| f.recommendation)),
            by_resource: Postings::build(res.len(), data.findings.iter().map(|f| f.resource)),
            by_change: Vec::with_capacity(n),
        };
        let mut governance = GovernanceState {
            by_position: vec![None; n],
            owners: Vec::new(),
            owner_index: HashMap::new(),
            assigned: Bits::new(n),
        };
        // Looked up once per recommendation rather than once per finding.
        let cves: Vec<bool> = recs.iter().map(|r| r.reports_cves()).collect();
        let identities: Vec<bool> = recs.iter().map(|r| r.about_identities()).collect();
        for (pos, f) in data.findings.iter().enumerate() {
            let rec = &recs[f.recommendation as usize];
            let resource = &facts[f.resource as usize];
            ix.status[status_slot(f.status)].set(pos);
            ix.level[level_slot(level(f))].set(pos);
            if let Some(risk) = f.risk {
                ix.risk[level_slot(risk)].set(pos);
            }
            ix.severity[level_slot(rec.severity)].set(pos);
            if resource.exposed {
                ix.exposed.set(pos);
            }
            if resource.sensitive {
                ix.sensitive.set(pos);
            }
            if cves[f.recommendation as usize]
                && let Some(worst) = worst_cve[f.resource as usize]
            {
                for min in Severity::ALL.into_iter().filter(|min| worst >= *min) {
                    ix.vulnerable_at_least[level_slot(min)].set(pos);
                }
            }
            ix.kind[usize::from(resource.kind)].set(pos);
            if identities[f.recommendation as usize] {
                ix.identity_access.set(pos);
            }
            ix.cloud[usize::from(resource.cloud)].set(pos);
            if let Some(s) = resource.subscription {
                ix.subscription[s as usize].set(pos);
            }
            ix.by_change.push((f.status_changed.unix_timestamp(), pos as u32));
            if let Some(g) = &f.governance {
                governance.set(pos, g);
            }
        }
        ix.by_change.sort_unstable();
        let rows = data.findings.iter().map(|f| (f.resource, f.recommendation)).collect();
        for f in &mut data.findings {
            f.governance = None;
        }

        let mut resource_names: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        for (i, r) in res.iter().enumerate() {
            resource_names.entry(r.name.to_ascii_lowercase()).or_default().push(i as u32);
        }
        // "checkout-api" for checkout-api:1.14.2, unless a resource has that name itself.
        let mut untagged: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, r) in res.iter().enumerate() {
            if let Some(short) = crate::posture::untagged(&r.name) {
                untagged.entry(short.to_ascii_lowercase()).or_default().push(i as u32);
            }
        }
        for (short, ids) in untagged {
            resource_names.entry(short).or_insert(ids);
        }
        IndexedSource {
            name: data.name,
            recommendation_index: recs
                .iter()
                .enumerate()
                .map(|(i, r)| (r.key.to_ascii_lowercase(), i as u32))
                .collect(),
            resource_index: res
                .iter()
                .enumerate()
                .map(|(i, r)| (r.id.to_ascii_lowercase(), i as u32))
                .collect(),
            resource_names,
            subscription_index,
            subscriptions: data.subscriptions,
            recommendations: data.recommendations,
            resources: data.resources,
            findings: data.findings,
            rows,
            vulnerabilities: data.vulnerabilities,
            worst_cve,
            attack_paths: data.attack_paths.into_iter().map(Arc::new).collect(),
            alerts: data.alerts.into_iter().map(Arc::new).collect(),
            people: data.people,
            indexes: ix,
            governance: RwLock::new(governance),
            reported_score: data.score,
            score: std::sync::OnceLock::new(),
        }
    }

    /// How many findings the tenant holds (all statuses).
    pub fn finding_count(&self) -> usize {
        self.findings.len()
    }

    /// How many resources the tenant holds.
    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }

    /// Every resource name, for the prompt parser's lexicon.
    pub fn resource_names(&self) -> impl Iterator<Item = &str> {
        self.resources.iter().map(|r| r.name.as_str())
    }

    /// Every recommendation the tenant has findings for.
    pub fn recommendations(&self) -> &[Arc<Recommendation>] {
        &self.recommendations
    }

    /// The position of the one finding of a recommendation on a resource: a resource has at
    /// most one finding per recommendation, so its few positions are scanned.
    fn position(&self, recommendation: u32, resource: u32) -> Option<usize> {
        self.indexes
            .by_resource
            .get(resource)
            .iter()
            .map(|&pos| pos as usize)
            .find(|&pos| self.rows[pos].1 == recommendation)
    }

    fn materialize(&self, pos: usize, governance: &GovernanceState) -> Finding {
        let f = &self.findings[pos];
        Finding {
            recommendation: self.recommendations[f.recommendation as usize].clone(),
            resource: self.resources[f.resource as usize].clone(),
            status: f.status,
            risk: f.risk,
            risk_factors: f.risk_factors.names(),
            attack_paths: u32::from(f.attack_paths),
            first_seen: f.first_seen,
            status_changed: f.status_changed,
            governance: governance.get(pos),
        }
    }

    /// The positions matching the indexed part of a filter, and whether per-finding checks
    /// (owner, due date, change time) remain.
    fn candidates(&self, filter: &FindingFilter, governance: &GovernanceState) -> Option<(Bits, bool)> {
        let ix = &self.indexes;
        let n = self.findings.len();
        let mut bits = Bits::union(n, filter.wanted_statuses().iter().map(|s| &ix.status[status_slot(*s)]));
        let mut narrow = |levels: &[Severity], table: &[Bits; 4]| {
            if !levels.is_empty() {
                bits.and(&Bits::union(n, levels.iter().map(|l| &table[level_slot(*l)])));
            }
        };
        narrow(&filter.levels, &ix.level);
        narrow(&filter.risk_levels, &ix.risk);
        narrow(&filter.severities, &ix.severity);
        match filter.internet_exposed {
            Some(true) => bits.and(&ix.exposed),
            Some(false) => bits.and_not(&ix.exposed),
            None => {}
        }
        match filter.sensitive_data {
            Some(true) => bits.and(&ix.sensitive),
            Some(false) => bits.and_not(&ix.sensitive),
            None => {}
        }
        if let Some(min) = filter.vulnerabilities_at_least {
            bits.and(&ix.vulnerable_at_least[level_slot(min)]);
        }
        if !filter.kinds.is_empty() {
            let identities = filter.kinds.contains(&ResourceKind::Identity).then_some(&ix.identity_access);
            bits.and(&Bits::union(n, filter.kinds.iter().map(|k| &ix.kind[kind_slot(*k)]).chain(identities)));
        }
        if !filter.clouds.is_empty() {
            bits.and(&Bits::union(n, filter.clouds.iter().map(|c| &ix.cloud[cloud_slot(*c)])));
        }
        if !filter.subscriptions.is_empty() {
            let known: Vec<&Bits> = filter
                .subscriptions
                .iter()
                .filter_map(|s| self.subscription_index.get(&s.to_ascii_lowercase()))
                .map(|&i| &ix.subscription[i])
                .collect();
            bits.and(&Bits::union(n, known));
        }
        let mut restrict = |positions: &[u32]| {
            let mut only = Bits::new(n);
            positions.iter().for_each(|&p| only.set(p as usize));
            bits.and(&only);
        };
        if let Some(key) = &filter.recommendation {
            let rec = *self.recommendation_index.get(&key.to_ascii_lowercase())?;
            restrict(ix.by_recommendation.get(rec));
        }
        if let Some(id) = &filter.resource {
            let resource = *self.resource_index.get(&id.to_ascii_lowercase())?;
            restrict(ix.by_resource.get(resource));
        }
        if let Some(since) = filter.changed_since {
            let from = ix.by_change.partition_point(|(t, _)| *t < since.unix_timestamp());
            restrict(&ix.by_change[from..].iter().map(|(_, p)| *p).collect::<Vec<_>>());
        }
        match filter.assigned {
            Some(true) => bits.and(&governance.assigned),
            Some(false) => bits.and_not(&governance.assigned),
            None => {}
        }
        if filter.owner.is_some() || filter.due_before.is_some() {
            bits.and(&governance.assigned);
        }
        Some((bits, filter.owner.is_some() || filter.due_before.is_some()))
    }

    /// Every position matching the whole filter, or `None` when it names something unknown.
    fn matching(&self, filter: &FindingFilter, governance: &GovernanceState) -> Option<Bits> {
        let (mut bits, checks) = self.candidates(filter, governance)?;
        if checks {
            self.apply_governance(&mut bits, filter, governance);
        }
        Some(bits)
    }

    /// Clears the positions that fail the owner or due-date parts of the filter.
    fn apply_governance(&self, bits: &mut Bits, filter: &FindingFilter, governance: &GovernanceState) {
        let owner = match &filter.owner {
            Some(o) => match governance.owner_index.get(&o.to_ascii_lowercase()) {
                Some(&i) => Some(i),
                None => {
                    *bits = Bits::new(self.findings.len());
                    return;
                }
            },
            None => None,
        };
        let failing: Vec<usize> = bits
            .ones()
            .filter(|&p| {
                governance.by_position[p].is_none_or(|a| {
                    owner.is_some_and(|o| a.owner != o) || filter.due_before.is_some_and(|day| a.due >= day)
                })
            })
            .collect();
        for p in failing {
            bits.clear(p);
        }
    }
}

impl IndexedSource {
    /// The secure score: the one the data carried, or one worked out from the findings the
    /// way Defender for Cloud scores controls (a control scores its points times the share of
    /// its resources that pass all of its recommendations). What each failing recommendation
    /// costs is always counted from the findings.
    fn score_card(&self) -> &ScoreCard {
        self.score.get_or_init(|| {
            let worked_out =
                super::score_of(&self.subscriptions, &self.recommendations, &self.resources, &self.findings);
            match &self.reported_score {
                Some(reported) => ScoreCard { unhealthy: worked_out.unhealthy, ..reported.clone() },
                None => worked_out,
            }
        })
    }
}

#[async_trait]
impl PostureSource for IndexedSource {
    fn info(&self) -> SourceInfo {
        SourceInfo { name: self.name.clone(), offline: true, portal: SourceInfo::PUBLIC_PORTAL.to_owned() }
    }

    async fn subscriptions(&self) -> PostureResult<Vec<Subscription>> {
        Ok(self.subscriptions.clone())
    }

    async fn recommendation(&self, key: &str) -> PostureResult<Option<Arc<Recommendation>>> {
        Ok(self
            .recommendation_index
            .get(&key.to_ascii_lowercase())
            .map(|&i| self.recommendations[i as usize].clone())
            .or_else(|| crate::catalog::Catalog::embedded().get(key).cloned()))
    }

    async fn resource(&self, id: &str) -> PostureResult<Option<Arc<Resource>>> {
        Ok(self.resource_index.get(&id.to_ascii_lowercase()).map(|&i| self.resources[i as usize].clone()))
    }

    async fn resources_named(&self, name: &str) -> PostureResult<Vec<Arc<Resource>>> {
        Ok(self
            .resource_names
            .get(&name.to_ascii_lowercase())
            .map(|ids| ids.iter().map(|&i| self.resources[i as usize].clone()).collect())
            .unwrap_or_default())
    }

    async fn findings(
        &self,
        filter: &FindingFilter,
        offset: usize,
        limit: usize,
    ) -> PostureResult<FindingPage> {
        let governance =
            self.governance.read().map_err(|_| PostureError::Unavailable("index lock".into()))?;
        let Some(bits) = self.matching(filter, &governance) else {
            return Ok(FindingPage::default());
        };
        let mut page = FindingPage { total: bits.count(), ..FindingPage::default() };
        for level in Severity::ALL {
            let count = bits.count_and(&self.indexes.level[level_slot(level)]);
            if count > 0 {
                page.by_level.insert(level, count);
            }
        }
        page.items = bits.ones().skip(offset).take(limit).map(|p| self.materialize(p, &governance)).collect();
        Ok(page)
    }

    async fn finding(&self, recommendation: &str, resource: &str) -> PostureResult<Option<Finding>> {
        let governance =
            self.governance.read().map_err(|_| PostureError::Unavailable("index lock".into()))?;
        let rec = self.recommendation_index.get(&recommendation.to_ascii_lowercase());
        let res = self.resource_index.get(&resource.to_ascii_lowercase());
        Ok(match (rec, res) {
            (Some(&rec), Some(&res)) => self.position(rec, res).map(|pos| self.materialize(pos, &governance)),
            _ => None,
        })
    }

    async fn summary(&self, filter: &FindingFilter, today: Date) -> PostureResult<PostureSummary> {
        let governance =
            self.governance.read().map_err(|_| PostureError::Unavailable("index lock".into()))?;
        let Some(bits) = self.matching(filter, &governance) else {
            return Ok(PostureSummary::default());
        };
        let ix = &self.indexes;
        let mut summary = PostureSummary { findings: bits.count(), ..PostureSummary::default() };
        for level in Severity::ALL {
            let n = bits.count_and(&ix.level[level_slot(level)]);
            if n > 0 {
                summary.by_level.insert(level, n);
            }
        }
        for kind in ResourceKind::ALL {
            let n = bits.count_and(&ix.kind[kind_slot(kind)]);
            if n > 0 {
                summary.by_kind.insert(kind, n);
            }
        }
        for cloud in Cloud::ALL {
            let n = bits.count_and(&ix.cloud[cloud_slot(cloud)]);
            if n > 0 {
                summary.by_cloud.insert(cloud, n);
            }
        }
        summary.internet_exposed = bits.count_and(&ix.exposed);
        summary.sensitive_data = bits.count_and(&ix.sensitive);

        let mut assigned = bits.clone();
        assigned.and(&governance.assigned);
        let mut per_owner = vec![(0usize, 0usize); governance.owners.len()];
        for pos in assigned.ones() {
            if let Some(a) = governance.by_position[pos] {
                let overdue = a.due < today;
                summary.assigned += 1;
                summary.overdue += usize::from(overdue);
                let entry = &mut per_owner[a.owner as usize];
                entry.0 += 1;
                entry.1 += usize::from(overdue);
            }
        }
        summary.by_owner = per_owner
            .into_iter()
            .enumerate()
            .filter(|(_, (n, _))| *n > 0)
            .map(|(o, counts)| (governance.owners[o].to_ascii_lowercase(), counts))
            .collect();

        let mut per_rec = vec![0usize; self.recommendations.len()];
        let mut seen = Bits::new(self.resources.len());
        bits.for_each_one(|pos| {
            let (resource, rec) = self.rows[pos];
            per_rec[rec as usize] += 1;
            seen.set(resource as usize);
        });
        summary.resources = seen.count();
        let mut top: Vec<(usize, usize)> = per_rec.into_iter().enumerate().filter(|(_, c)| *c > 0).collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        summary.top_recommendations = top
            .into_iter()
            .take(5)
            .map(|(i, c)| (self.recommendations[i].key.clone(), self.recommendations[i].name.clone(), c))
            .collect();
        Ok(summary)
    }

    async fn vulnerabilities(&self, resource: &str) -> PostureResult<Vec<Vulnerability>> {
        Ok(self
            .resource_index
            .get(&resource.to_ascii_lowercase())
            .map(|&i| self.vulnerabilities[i as usize].iter().map(|v| (**v).clone()).collect())
            .unwrap_or_default())
    }

    async fn secure_score(&self) -> PostureResult<ScoreCard> {
        Ok(self.score_card().clone())
    }

    async fn alerts(&self, filter: &AlertFilter) -> PostureResult<Vec<Arc<Alert>>> {
        let mut alerts: Vec<Arc<Alert>> = self.alerts.iter().filter(|a| filter.matches(a)).cloned().collect();
        AlertFilter::rank(&mut alerts);
        Ok(alerts)
    }

    async fn alert(&self, id: &str) -> PostureResult<Option<Arc<Alert>>> {
        Ok(self.alerts.iter().find(|a| a.id.eq_ignore_ascii_case(id)).cloned())
    }

    async fn attack_paths(&self, filter: &AttackPathFilter) -> PostureResult<Vec<Arc<AttackPath>>> {
        let resource = |id: &str| {
            self.resource_index.get(&id.to_ascii_lowercase()).map(|&i| &self.resources[i as usize])
        };
        let mut paths: Vec<Arc<AttackPath>> = self
            .attack_paths
            .iter()
            .filter(|p| {
                (filter.subscriptions.is_empty()
                    || filter.subscriptions.iter().any(|s| s.eq_ignore_ascii_case(&p.subscription)))
                    && filter.min_risk.is_none_or(|min| p.risk >= min)
                    && (filter.clouds.is_empty()
                        || resource(p.entry()).is_some_and(|r| filter.clouds.contains(&r.cloud)))
                    && filter.kind.is_none_or(|kind| {
                        p.steps.iter().any(|s| resource(&s.resource).is_some_and(|r| r.kind == kind))
                    })
                    && filter
                        .internet_exposed
                        .is_none_or(|want| resource(p.entry()).is_some_and(|r| r.internet_exposed == want))
                    && filter.sensitive_data.is_none_or(|want| {
                        resource(p.target()).is_some_and(|r| r.sensitive_data.is_some() == want)
                    })
                    && filter
                        .resource
                        .as_ref()
                        .is_none_or(|id| p.steps.iter().any(|s| s.resource.eq_ignore_ascii_case(id)))
                    && filter
                        .recommendation
                        .as_ref()
                        .is_none_or(|key| p.findings.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)))
            })
            .cloned()
            .collect();
        paths.sort_by(|a, b| {
            b.risk
                .cmp(&a.risk)
                .then_with(|| b.findings.len().cmp(&a.findings.len()))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(paths)
    }

    async fn assign(&self, request: &AssignmentRequest) -> PostureResult<Governance> {
        let rec = self.recommendation_index.get(&request.recommendation.to_ascii_lowercase());
        let res = self.resource_index.get(&request.resource.to_ascii_lowercase());
        let pos = match (rec, res) {
            (Some(&rec), Some(&res)) => self.position(rec, res),
            _ => None,
        }
        .ok_or_else(|| {
            PostureError::NotFound("that recommendation has no finding on that resource".into())
        })?;
        let governance =
            Governance { owner: request.owner.clone(), due: request.due, grace_period: request.grace_period };
        let mut state =
            self.governance.write().map_err(|_| PostureError::Unavailable("index lock".into()))?;
        state.set(pos, &governance);
        Ok(governance)
    }

    async fn person(&self, handle: &str) -> PostureResult<Option<Person>> {
        let handle = handle.trim().trim_start_matches('@').to_ascii_lowercase();
        if handle.is_empty() {
            return Ok(None);
        }
        Ok(self
            .people
            .iter()
            .find(|p| {
                p.id.eq_ignore_ascii_case(&handle)
                    || p.name.eq_ignore_ascii_case(&handle)
                    || p.email.as_ref().is_some_and(|e| {
                        e.eq_ignore_ascii_case(&handle)
                            || e.split('@').next().is_some_and(|local| local.eq_ignore_ascii_case(&handle))
                    })
                    || p.name
                        .split_whitespace()
                        .next()
                        .is_some_and(|first| first.eq_ignore_ascii_case(&handle))
            })
            .cloned())
    }
}

impl IndexedSource {
    /// The worst CVE severity on a resource, for checks against [`FindingFilter::matches`].
    pub fn worst_cve(&self, resource: &str) -> Option<Severity> {
        self.resource_index.get(&resource.to_ascii_lowercase()).and_then(|&i| self.worst_cve[i as usize])
    }
}

#[cfg(test)]
mod tests {
    use secbot_chat::{Cloud, ResourceKind, Severity};
    use time::macros::date;

    use super::*;
    use crate::demo::{self, DemoOptions};
    use crate::posture::Status;

    fn tenant() -> IndexedSource {
        IndexedSource::new(demo::tenant(&DemoOptions::for_day(date!(2026 - 11 - 25))))
    }

    fn filters() -> Vec<FindingFilter> {
        let f = FindingFilter::default;
        vec![
            f(),
            FindingFilter { levels: vec![Severity::Critical], internet_exposed: Some(true), ..f() },
            FindingFilter { levels: vec![Severity::Critical], sensitive_data: Some(true), ..f() },
            FindingFilter { vulnerabilities_at_least: Some(Severity::High), ..f() },
            FindingFilter {
                kinds: vec![ResourceKind::StorageAccount],
                clouds: vec![Cloud::Aws, Cloud::Gcp],
                ..f()
            },
            FindingFilter {
                internet_exposed: Some(false),
                sensitive_data: Some(false),
                severities: vec![Severity::Low],
                ..f()
            },
            FindingFilter { statuses: vec![Status::Healthy, Status::NotApplicable], ..f() },
            FindingFilter { assigned: Some(true), due_before: Some(date!(2026 - 11 - 25)), ..f() },
            FindingFilter {
                assigned: Some(false),
                risk_levels: vec![Severity::High, Severity::Critical],
                ..f()
            },
            FindingFilter { owner: Some("DANA@contoso.com".into()), ..f() },
            FindingFilter { subscriptions: vec!["c4e5f6a7-b8c9-4d0e-a1f2-3b4c5d6e7f80".into()], ..f() },
            FindingFilter { changed_since: Some(time::macros::datetime!(2026 - 11 - 24 00:00 UTC)), ..f() },
            FindingFilter { kinds: vec![ResourceKind::Identity, ResourceKind::KeyVault], ..f() },
        ]
    }

    #[tokio::test]
    async fn identities_take_in_the_account_findings_defender_reports_on_subscriptions() {
        let source = tenant();
        let filter = FindingFilter { kinds: vec![ResourceKind::Identity], ..FindingFilter::default() };
        let page = source.findings(&filter, 0, usize::MAX).await.unwrap();
        assert!(
            page.items.iter().any(|f| f.resource.kind == ResourceKind::Subscription
                && f.recommendation.name.starts_with("MFA should be enabled")),
            "MFA findings are identity findings"
        );
        assert!(
            page.items
                .iter()
                .all(|f| f.resource.kind == ResourceKind::Identity || f.recommendation.about_identities())
        );
        let subscriptions =
            FindingFilter { kinds: vec![ResourceKind::Subscription], ..FindingFilter::default() };
        let on_subscriptions = source.findings(&subscriptions, 0, usize::MAX).await.unwrap();
        assert!(
            on_subscriptions.items.iter().any(|f| !f.recommendation.about_identities()),
            "a subscription filter still has its other findings"
        );
    }

    #[tokio::test]
    async fn every_indexed_query_returns_exactly_what_the_filter_definition_matches() {
        let source = tenant();
        let all = FindingFilter {
            statuses: vec![Status::Unhealthy, Status::Healthy, Status::NotApplicable],
            ..FindingFilter::default()
        };
        let everything = source.findings(&all, 0, usize::MAX).await.unwrap().items;
        assert_eq!(everything.len(), source.finding_count());
        for filter in filters() {
            let expected: Vec<&Finding> =
                everything.iter().filter(|f| filter.matches(f, source.worst_cve(&f.resource.id))).collect();
            let page = source.findings(&filter, 0, usize::MAX).await.unwrap();
            assert_eq!(page.total, expected.len(), "{filter:?}");
            assert_eq!(page.items.len(), expected.len());
            assert!(
                page.items.iter().zip(&expected).all(|(a, b)| a == *b),
                "same order as the full ranking: {filter:?}"
            );
            assert_eq!(page.by_level.values().sum::<usize>(), page.total);
            let summary = source.summary(&filter, date!(2026 - 11 - 25)).await.unwrap();
            assert_eq!(summary.findings, expected.len(), "{filter:?}");
        }
    }

    #[tokio::test]
    async fn findings_are_ranked_by_risk_then_severity_and_paged() {
        let source = tenant();
        let page = source.findings(&FindingFilter::default(), 0, 50).await.unwrap();
        assert!(
            page.items.windows(2).all(|w| w[0].level() >= w[1].level()),
            "levels never increase down the list"
        );
        let second = source.findings(&FindingFilter::default(), 5, 5).await.unwrap();
        assert_eq!(second.items, page.items[5..10]);
        assert_eq!(second.total, page.total);
    }

    #[tokio::test]
    async fn an_assignment_is_visible_to_the_next_query() {
        let source = tenant();
        let unassigned = source
            .findings(&FindingFilter { assigned: Some(false), ..FindingFilter::default() }, 0, 1)
            .await
            .unwrap()
            .items
            .remove(0);
        let request = AssignmentRequest {
            recommendation: unassigned.recommendation.key.clone(),
            resource: unassigned.resource.id.clone(),
            owner: "dana@contoso.com".into(),
            due: date!(2026 - 11 - 20),
            grace_period: true,
            notify: true,
        };
        source.assign(&request).await.unwrap();
        let overdue = FindingFilter {
            owner: Some("dana@contoso.com".into()),
            due_before: Some(date!(2026 - 11 - 25)),
            ..FindingFilter::default()
        };
        let page = source.findings(&overdue, 0, 100).await.unwrap();
        assert!(page.items.iter().any(|f| f.resource.id == unassigned.resource.id
            && f.recommendation.key == unassigned.recommendation.key));
        let missing = AssignmentRequest { resource: "/nope".into(), ..request };
        assert!(matches!(source.assign(&missing).await, Err(PostureError::NotFound(_))));
    }

    #[tokio::test]
    async fn people_are_found_by_handle_name_or_email() {
        let source = tenant();
        for handle in ["@dana", "Dana", "dana@contoso.com", "DANA"] {
            let person = source.person(handle).await.unwrap().expect(handle);
            assert_eq!(person.email.as_deref(), Some("dana@contoso.com"));
        }
        assert_eq!(source.person("@nobody").await.unwrap(), None);
    }
}
