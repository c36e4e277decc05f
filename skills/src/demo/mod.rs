//! The demo tenant: a deterministic Contoso estate across Azure, AWS and GCP, built from real
//! Defender for Cloud recommendations, so secbot is useful with no cloud account. The same seed
//! and day always build the same tenant; `findings` grows it to any size for benchmarks.

mod alerts;
mod blueprint;
mod rng;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use secbot_chat::{Cloud, Person, ResourceKind, Severity};
use time::{Date, Duration, OffsetDateTime, Time};

use self::blueprint::{GROUPS, GROWTH, Group, PEOPLE, SUBSCRIPTIONS};
use self::rng::Rng;
use crate::catalog::{Catalog, CveEntry};
use crate::posture::{
    AttackPath, Governance, PathStep, Plan, Recommendation, Resource, Signal, Status, Subscription,
    Vulnerability,
};
use crate::tenant::{FindingRecord, RiskFactors, TenantData};

/// How to build the demo tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// The seed; the same seed and day build the same tenant.
    pub seed: u64,
    /// Grow the tenant to exactly this many findings (all statuses); `None` for the base tenant.
    pub findings: Option<usize>,
    /// The day the tenant is built for: first-seen dates, due dates and "overdue" are relative
    /// to it.
    pub today: Date,
}

impl DemoOptions {
    /// The default seed.
    pub const SEED: u64 = 20_261_129;

    /// The base tenant for a day.
    pub fn for_day(today: Date) -> DemoOptions {
        DemoOptions { seed: DemoOptions::SEED, findings: None, today }
    }
}

struct Builder<'a> {
    opts: &'a DemoOptions,
    catalog: &'a Catalog,
    rng: Rng,
    subscriptions: Vec<Subscription>,
    recs: Vec<Arc<Recommendation>>,
    rec_index: HashMap<String, u32>,
    /// Per (kind, subscription): the recommendation indexes that apply.
    applicable: HashMap<(ResourceKind, usize), Vec<u32>>,
    resources: Vec<Arc<Resource>>,
    resource_sub: Vec<usize>,
    vulnerabilities: Vec<Vec<Arc<Vulnerability>>>,
    cve_pool: Vec<Arc<Vulnerability>>,
    cve_targets: Vec<(Vec<ResourceKind>, bool)>,
    findings: Vec<FindingRecord>,
    name_counts: HashMap<&'static str, u32>,
}

/// Builds the demo tenant.
pub fn tenant(opts: &DemoOptions) -> TenantData {
    let catalog = Catalog::embedded();
    let mut b = Builder::new(opts, catalog);
    for group in GROUPS {
        let count = group.count.max(1);
        for i in 1..=count {
            let name =
                if group.count == 0 { group.name.to_owned() } else { format!("{}-{i:02}", group.name) };
            b.add_resource(group, name);
        }
    }
    if let Some(target) = opts.findings {
        let mut grow = b.rng.fork("growth");
        while b.findings.len() < target {
            let group = grow.pick(GROWTH);
            let n = b.name_counts.entry(group.name).or_insert(100);
            *n += 1;
            let name = format!("{}-{:05}", group.name, *n);
            b.add_resource(group, name);
        }
        b.findings.truncate(target);
    }
    b.finish()
}

impl<'a> Builder<'a> {
    fn new(opts: &'a DemoOptions, catalog: &'a Catalog) -> Builder<'a> {
        let subscriptions: Vec<Subscription> = SUBSCRIPTIONS
            .iter()
            .map(|s| Subscription {
                id: s.id.into(),
                name: s.name.into(),
                cloud: s.cloud,
                plans: s.plans.to_vec(),
            })
            .collect();
        let recs: Vec<Arc<Recommendation>> =
            catalog.recommendations().iter().filter(|r| in_demo(r)).cloned().collect();
        let rec_index = recs.iter().enumerate().map(|(i, r)| (r.key.clone(), i as u32)).collect();
        let cve_pool = catalog.cves().iter().map(vulnerability).collect();
        let cve_targets =
            catalog.cves().iter().map(|c: &CveEntry| (c.targets.clone(), c.ecosystem == "windows")).collect();
        Builder {
            opts,
            catalog,
            rng: Rng::new(opts.seed),
            subscriptions,
            recs,
            rec_index,
            applicable: HashMap::new(),
            resources: Vec::new(),
            resource_sub: Vec::new(),
            vulnerabilities: Vec::new(),
            cve_pool,
            cve_targets,
            findings: Vec::new(),
            name_counts: HashMap::new(),
        }
    }

    fn applicable(&mut self, kind: ResourceKind, sub: usize, resource_type: &str) -> Vec<u32> {
        let subscription = &self.subscriptions[sub];
        let recs = &self.recs;
        self.applicable
            .entry((kind, sub))
            .or_insert_with(|| {
                recs.iter()
                    .enumerate()
                    .filter(|(_, r)| {
                        let vuln = r.reports_cves();
                        let kind_fits = r.kind == kind
                            || (kind == ResourceKind::ContainerImage
                                && vuln
                                && r.kind == ResourceKind::ContainerRegistry);
                        let type_fits = r.cloud != Cloud::Azure
                            || r.arm_types.is_empty()
                            || vuln
                            || kind == ResourceKind::ContainerImage
                            || r.arm_types.iter().any(|t| {
                                // The type itself or one of its children (a database of a
                                // server); `virtualMachineScaleSets` is not a `virtualMachines`.
                                let (t, own) = (t.to_ascii_lowercase(), resource_type.to_ascii_lowercase());
                                t == own || t.strip_prefix(&own).is_some_and(|rest| rest.starts_with('/'))
                            });
                        kind_fits
                            && type_fits
                            && (r.cloud == subscription.cloud || vuln)
                            && subscription.has(r.plan)
                    })
                    .map(|(i, _)| i as u32)
                    .collect()
            })
            .clone()
    }

    fn add_resource(&mut self, group: &Group, name: String) {
        let plan = &SUBSCRIPTIONS[group.subscription];
        let mut rng = self.rng.fork(&name).fork(plan.id);
        let exposed = group.exposed >= 1.0 || (group.exposed > 0.0 && rng.chance(group.exposed));
        let (id, resource_type) = resource_id(group, plan, &name, &mut rng);
        let mut tags =
            vec![("env".to_owned(), plan.env.to_owned()), ("team".to_owned(), group.team.to_owned())];
        if !group.os.is_empty() {
            tags.push(("os".to_owned(), group.os.to_owned()));
        }
        if name == "stwebassets" {
            // Cloud data is untrusted: this tag exists so every renderer proves it escapes it.
            tags.push((
                "notes".to_owned(),
                "@here <!channel> ask <@U0BADBAD> https://evil.example/login".to_owned(),
            ));
        }
        let resource = Arc::new(Resource {
            id,
            name,
            kind: group.kind,
            resource_type: resource_type.clone(),
            subscription: plan.id.to_owned(),
            resource_group: (plan.cloud == Cloud::Azure && !group.group.is_empty())
                .then(|| group.group.to_owned()),
            region: plan.region.to_owned(),
            cloud: plan.cloud,
            tags,
            internet_exposed: exposed,
            sensitive_data: group.sensitive.map(str::to_owned),
        });
        let index = self.resources.len() as u32;
        let vulns = self.vulnerabilities_for(&resource, group, &mut rng);
        for rec in self.applicable(group.kind, group.subscription, &resource_type) {
            let r = &self.recs[rec as usize];
            let os_fits = match (r.name.contains("Linux"), r.name.contains("Windows")) {
                (true, false) => group.os == "Linux",
                (false, true) => group.os == "Windows",
                _ => true,
            };
            if !os_fits {
                continue;
            }
            let status = if r.reports_cves() {
                if vulns.is_empty() { Status::Healthy } else { Status::Unhealthy }
            } else if rng.chance(0.03) {
                Status::NotApplicable
            } else {
                let p = if r.is_about(Signal::Exposure) || r.is_about(Signal::Network) {
                    if exposed { 0.85 } else { 0.15 }
                } else if r.is_about(Signal::SensitiveData) || r.is_about(Signal::Encryption) {
                    if resource.sensitive_data.is_some() { 0.6 } else { 0.35 }
                } else {
                    0.4
                };
                if rng.chance(p) { Status::Unhealthy } else { Status::Healthy }
            };
            let back = rng.range(1, 240);
            let first_seen = self.day_time(&mut rng, -back);
            let age = (self.opts.today - first_seen.date()).whole_days().max(1);
            let status_changed = if rng.chance(0.04) {
                // Changed "overnight": yesterday evening (UTC), always before any time today.
                OffsetDateTime::new_utc(
                    self.opts.today - Duration::days(1),
                    Time::from_hms(18, 0, 0).unwrap_or(Time::MIDNIGHT),
                ) + Duration::minutes(rng.range(0, 359))
            } else {
                first_seen + Duration::days(rng.range(0, age - 1))
            };
            self.findings.push(FindingRecord {
                recommendation: rec,
                resource: index,
                status,
                risk: None,
                risk_factors: RiskFactors::default(),
                attack_paths: 0,
                first_seen,
                status_changed: status_changed.max(first_seen),
                governance: None,
            });
        }
        self.resources.push(resource);
        self.resource_sub.push(group.subscription);
        self.vulnerabilities.push(vulns);
    }

    fn day_time(&self, rng: &mut Rng, days: i64) -> OffsetDateTime {
        OffsetDateTime::new_utc(self.opts.today + Duration::days(days), Time::MIDNIGHT)
            + Duration::seconds(rng.range(0, 86_399))
    }

    fn vulnerabilities_for(
        &self,
        resource: &Resource,
        group: &Group,
        rng: &mut Rng,
    ) -> Vec<Arc<Vulnerability>> {
        let sub = &self.subscriptions[group.subscription];
        let scanned = match resource.kind {
            ResourceKind::VirtualMachine => sub.has(Plan::DefenderServers),
            ResourceKind::ContainerImage => sub.has(Plan::DefenderContainers),
            _ => false,
        };
        if !scanned || (!resource.internet_exposed && rng.chance(0.3)) {
            return Vec::new();
        }
        let windows = group.os == "Windows";
        let pool: Vec<usize> = self
            .cve_targets
            .iter()
            .enumerate()
            .filter(|(_, (targets, win))| targets.contains(&resource.kind) && *win == windows)
            .map(|(i, _)| i)
            .collect();
        if pool.is_empty() {
            return Vec::new();
        }
        let wanted = if resource.internet_exposed { rng.range(2, 8) } else { rng.range(1, 5) } as usize;
        let mut picked: Vec<usize> = Vec::new();
        for _ in 0..wanted * 3 {
            let i = *rng.pick(&pool);
            if !picked.contains(&i) {
                picked.push(i);
            }
            if picked.len() == wanted.min(pool.len()) {
                break;
            }
        }
        picked.sort_unstable();
        picked.into_iter().map(|i| self.cve_pool[i].clone()).collect()
    }

    fn finish(mut self) -> TenantData {
        let attack_paths = self.attack_paths();
        self.score(&attack_paths);
        self.assign_owners();
        let people = PEOPLE
            .iter()
            .map(|(handle, name)| Person {
                id: (*handle).to_owned(),
                name: (*name).to_owned(),
                email: Some(format!("{handle}@{}", blueprint::DOMAIN)),
            })
            .collect();
        let alerts = alerts::raise(self.opts.today, &self.rng, &self.resources, &self.subscriptions);
        TenantData {
            name: "demo tenant".to_owned(),
            subscriptions: self.subscriptions,
            recommendations: self.recs,
            resources: self.resources,
            findings: self.findings,
            vulnerabilities: self.vulnerabilities,
            alerts,
            attack_paths,
            people,
            score: None,
        }
    }

    /// Finds attack paths from the catalog's templates in every subscription with Defender CSPM.
    fn attack_paths(&mut self) -> Vec<AttackPath> {
        let mut rng = self.rng.fork("attack-paths");
        let per_template = 2 + self.opts.findings.unwrap_or(0) / 100_000;
        let mut unhealthy: HashMap<u32, Vec<u32>> = HashMap::new();
        for f in self.findings.iter().filter(|f| f.status == Status::Unhealthy) {
            unhealthy.entry(f.resource).or_default().push(f.recommendation);
        }
        let worst = |vulns: &[Arc<Vulnerability>]| vulns.iter().map(|v| v.severity).max();
        let mut paths = Vec::new();
        let mut used: HashMap<usize, u32> = HashMap::new();
        for (sub_index, sub) in self.subscriptions.iter().enumerate() {
            if !sub.has(Plan::DefenderCspm) {
                continue;
            }
            for template in self.catalog.attack_templates() {
                let cloud = match template.cloud.as_str() {
                    "AWS" => Cloud::Aws,
                    "Azure" => Cloud::Azure,
                    _ => continue,
                };
                if cloud != sub.cloud {
                    continue;
                }
                let needs = |what: &str| template.requires.iter().any(|r| r == what);
                let in_sub = |i: usize| self.resource_sub[i] == sub_index;
                let entries: Vec<usize> = (0..self.resources.len())
                    .filter(|&i| in_sub(i) && self.resources[i].kind == template.entry_kind)
                    .filter(|&i| !needs("internet_exposure") || self.resources[i].internet_exposed)
                    .filter(|&i| {
                        !(needs("high_vulnerabilities") || needs("rce_vulnerabilities"))
                            || worst(&self.vulnerabilities[i]).is_some_and(|w| w >= Severity::High)
                    })
                    .filter(|&i| unhealthy.contains_key(&(i as u32)))
                    .collect();
                let single = template.entry_kind == template.target_kind;
                let targets: Vec<usize> = (0..self.resources.len())
                    .filter(|&i| in_sub(i) && self.resources[i].kind == template.target_kind)
                    .filter(|&i| !needs("sensitive_data") || self.resources[i].sensitive_data.is_some())
                    .collect();
                if entries.is_empty() || (!single && targets.is_empty()) {
                    continue;
                }
                let identity = (0..self.resources.len())
                    .find(|&i| in_sub(i) && self.resources[i].kind == ResourceKind::Identity);
                for _ in 0..per_template.min(entries.len()) {
                    // Spread paths over entry points: the least used candidate, ties at random.
                    let least = entries.iter().map(|e| used.get(e).copied().unwrap_or(0)).min().unwrap_or(0);
                    let fresh: Vec<usize> = entries
                        .iter()
                        .copied()
                        .filter(|e| used.get(e).copied().unwrap_or(0) == least)
                        .collect();
                    let entry = *rng.pick(&fresh);
                    *used.entry(entry).or_default() += 1;
                    let target =
                        if single { entry } else { targets[rng.below(targets.len() as u64) as usize] };
                    let path = self.build_path(template, sub, entry, target, identity, &unhealthy, &mut rng);
                    if !paths.iter().any(|p: &AttackPath| p.name == path.name && p.steps == path.steps) {
                        paths.push(path);
                    }
                }
            }
        }
        // Count the paths each finding is on.
        let by_id: HashMap<&str, u32> =
            self.resources.iter().enumerate().map(|(i, r)| (r.id.as_str(), i as u32)).collect();
        let mut on_paths: HashMap<(u32, u32), u16> = HashMap::new();
        for path in &paths {
            for (key, resource) in &path.findings {
                if let (Some(&rec), Some(&res)) = (self.rec_index.get(key), by_id.get(resource.as_str())) {
                    *on_paths.entry((rec, res)).or_default() += 1;
                }
            }
        }
        for f in &mut self.findings {
            if let Some(&count) = on_paths.get(&(f.recommendation, f.resource)) {
                f.attack_paths = count;
            }
        }
        paths
    }

    #[allow(clippy::too_many_arguments)]
    fn build_path(
        &self,
        template: &crate::catalog::AttackTemplate,
        sub: &Subscription,
        entry: usize,
        target: usize,
        identity: Option<usize>,
        unhealthy: &HashMap<u32, Vec<u32>>,
        rng: &mut Rng,
    ) -> AttackPath {
        let entry_res = &self.resources[entry];
        let target_res = &self.resources[target];
        let mut steps = vec![PathStep {
            resource: entry_res.id.clone(),
            name: entry_res.name.clone(),
            insight: if entry_res.internet_exposed {
                "Exposed to the internet".to_owned()
            } else {
                "Has high severity vulnerabilities".to_owned()
            },
        }];
        if entry != target {
            if let Some(id) = identity {
                let identity = &self.resources[id];
                steps.push(PathStep {
                    resource: identity.id.clone(),
                    name: identity.name.clone(),
                    insight: "Has permission to".to_owned(),
                });
            }
            steps.push(PathStep {
                resource: target_res.id.clone(),
                name: target_res.name.clone(),
                insight: if target_res.sensitive_data.is_some() {
                    "Contains sensitive data".to_owned()
                } else {
                    format!("Target {}", target_res.kind.label())
                },
            });
        }
        let relevant = |res: usize, signals: &[Signal]| -> Vec<(String, String)> {
            unhealthy
                .get(&(res as u32))
                .into_iter()
                .flatten()
                .map(|&rec| &self.recs[rec as usize])
                .filter(|r| signals.iter().any(|s| r.is_about(*s)))
                .map(|r| (r.key.clone(), self.resources[res].id.clone()))
                .collect()
        };
        let mut findings =
            relevant(entry, &[Signal::Exposure, Signal::Vulnerabilities, Signal::Network, Signal::Patching]);
        if entry != target {
            findings.extend(relevant(
                target,
                &[Signal::Exposure, Signal::Network, Signal::Identity, Signal::SensitiveData],
            ));
        }
        let mut risk_factors = Vec::new();
        if entry_res.internet_exposed {
            risk_factors.push("Exposed to the internet".to_owned());
        }
        if target_res.sensitive_data.is_some() {
            risk_factors.push("Data exfiltration".to_owned());
        }
        if entry != target {
            risk_factors.push("Lateral movement".to_owned());
        }
        let risk = if entry_res.internet_exposed && (target_res.sensitive_data.is_some() || entry != target) {
            Severity::Critical
        } else {
            Severity::High
        };
        AttackPath {
            id: format!("{}-{}-{}-{}", &rng.hex(8), &rng.hex(4), &rng.hex(4), &rng.hex(12)),
            name: template.name.clone(),
            description: template.description.clone(),
            subscription: sub.id.clone(),
            risk,
            risk_factors,
            steps,
            findings,
            break_steps: template.break_steps.clone(),
        }
    }

    /// Gives findings in Defender CSPM subscriptions a contextual risk level and risk factors.
    fn score(&mut self, paths: &[AttackPath]) {
        // A resource an attacker can move on from: every hop of a path but its target.
        let by_id: HashMap<&str, usize> =
            self.resources.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
        let mut lateral = vec![false; self.resources.len()];
        for path in paths.iter().filter(|p| p.steps.len() > 1) {
            for step in &path.steps[..path.steps.len() - 1] {
                if let Some(&i) = by_id.get(step.resource.as_str()) {
                    lateral[i] = true;
                }
            }
        }
        for f in &mut self.findings {
            let resource = &self.resources[f.resource as usize];
            let sub = &self.subscriptions[self.resource_sub[f.resource as usize]];
            if !sub.has(Plan::DefenderCspm) || f.status != Status::Unhealthy {
                continue;
            }
            let rec = &self.recs[f.recommendation as usize];
            let mut factors = RiskFactors::default();
            if resource.internet_exposed {
                factors.insert(RiskFactors::INTERNET_EXPOSURE);
            }
            if resource.sensitive_data.is_some() {
                factors.insert(RiskFactors::SENSITIVE_DATA);
            }
            if lateral[f.resource as usize] {
                factors.insert(RiskFactors::LATERAL_MOVEMENT);
            }
            if rec.reports_cves() && self.vulnerabilities[f.resource as usize].iter().any(|v| v.exploit_known)
            {
                factors.insert(RiskFactors::EXPLOITABLE);
            }
            let base = match rec.severity {
                Severity::Low => 1,
                Severity::Medium => 2,
                Severity::High | Severity::Critical => 3,
            };
            let score = base + factors.count();
            f.risk = Some(match score {
                s if s >= 5 => Severity::Critical,
                4 => Severity::High,
                3 => Severity::Medium,
                _ => Severity::Low,
            });
            f.risk_factors = factors;
        }
    }

    /// Assigns owners and due dates to some unhealthy findings; some are already overdue.
    fn assign_owners(&mut self) {
        let mut rng = self.rng.fork("governance");
        let recs = &self.recs;
        for f in self.findings.iter_mut().filter(|f| f.status == Status::Unhealthy) {
            let level = f.risk.unwrap_or(recs[f.recommendation as usize].severity);
            let p = if level >= Severity::High { 0.3 } else { 0.08 };
            if rng.chance(p) {
                let (handle, _) = rng.pick(&PEOPLE);
                f.governance = Some(Governance {
                    owner: format!("{handle}@{}", blueprint::DOMAIN),
                    due: self.opts.today + Duration::days(rng.range(-30, 45)),
                    grace_period: rng.chance(0.5),
                });
            }
        }
    }
}

/// The names of the recommendations the demo tenant may use.
const DEMO_RECOMMENDATIONS: &str = include_str!("recommendations.txt");

/// Recommendations the demo tenant uses: those listed in `recommendations.txt` (each with secbot's
/// own explanation and fix), minus retired ones (agent-based, Qualys, classic resources) and
/// duplicates of the CVE checks.
fn in_demo(rec: &Recommendation) -> bool {
    static LISTED: std::sync::OnceLock<HashSet<&'static str>> = std::sync::OnceLock::new();
    let listed = LISTED.get_or_init(|| {
        DEMO_RECOMMENDATIONS.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).collect()
    });
    if !listed.contains(rec.name.as_str()) {
        return false;
    }
    const RETIRED: [&str; 9] = [
        "Adaptive Network Hardening",
        "Log Analytics agent",
        "Monitoring agent",
        "monitoring agent",
        "Adaptive application controls",
        "powered by Qualys",
        "Whitelisting",
        "migrated to new Azure Resource Manager",
        "[Preview]",
    ];
    const CVE_CHECKS_USED: [&str; 2] =
        ["1195afff-c881-495e-9bc5-1486211ae03f", "c0b7cfc6-3172-465a-b378-53c7ff2cc0d5"];
    rec.remediation.is_some()
        && !RETIRED.iter().any(|r| rec.name.contains(r))
        && (!rec.reports_cves() || CVE_CHECKS_USED.contains(&rec.key.as_str()))
}

fn vulnerability(entry: &CveEntry) -> Arc<Vulnerability> {
    Arc::new(Vulnerability {
        cve: entry.cve.clone(),
        title: entry.title.clone(),
        cvss: entry.cvss,
        severity: entry.severity,
        package: entry.package.clone(),
        installed_version: None,
        fixed_version: entry.fixed_version.clone(),
        exploit_known: entry.exploit_known,
    })
}

/// The resource id and provider type of a demo resource, shaped like the real cloud's.
fn resource_id(
    group: &Group,
    plan: &blueprint::SubscriptionPlan,
    name: &str,
    rng: &mut Rng,
) -> (String, String) {
    use ResourceKind as K;
    match plan.cloud {
        Cloud::Azure => {
            let arm = match group.kind {
                K::VirtualMachine => "Microsoft.Compute/virtualMachines",
                K::StorageAccount => "Microsoft.Storage/storageAccounts",
                K::SqlDatabase => "Microsoft.Sql/servers",
                K::CosmosDb => "Microsoft.DocumentDB/databaseAccounts",
                K::KeyVault => "Microsoft.KeyVault/vaults",
                K::KubernetesCluster => "Microsoft.ContainerService/managedClusters",
                K::ContainerRegistry => "Microsoft.ContainerRegistry/registries",
                K::ContainerImage => "Microsoft.ContainerRegistry/registries/images",
                K::AppService => "Microsoft.Web/sites",
                K::Identity => "Microsoft.ManagedIdentity/userAssignedIdentities",
                K::Network if name.starts_with("agw") => "Microsoft.Network/applicationGateways",
                K::Network => "Microsoft.Network/virtualNetworks",
                K::Subscription => {
                    return (
                        format!("/subscriptions/{}", plan.id),
                        "Microsoft.Resources/subscriptions".into(),
                    );
                }
                K::Other => "Microsoft.Resources/resources",
            };
            let id = if group.kind == K::ContainerImage {
                format!(
                    "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.ContainerRegistry/registries/acrcontosoprod/images/{name}",
                    plan.id, group.group
                )
            } else {
                format!("/subscriptions/{}/resourceGroups/{}/providers/{arm}/{name}", plan.id, group.group)
            };
            (id, arm.to_owned())
        }
        Cloud::Aws => {
            let (region, account) = (plan.region, plan.id);
            match group.kind {
                K::VirtualMachine => (
                    format!("arn:aws:ec2:{region}:{account}:instance/i-0{}", rng.hex(16)),
                    "AWS::EC2::Instance".into(),
                ),
                K::StorageAccount => (format!("arn:aws:s3:::{name}"), "AWS::S3::Bucket".into()),
                K::SqlDatabase => {
                    (format!("arn:aws:rds:{region}:{account}:db:{name}"), "AWS::RDS::DBInstance".into())
                }
                K::KubernetesCluster => {
                    (format!("arn:aws:eks:{region}:{account}:cluster/{name}"), "AWS::EKS::Cluster".into())
                }
                K::ContainerRegistry => (
                    format!("arn:aws:ecr:{region}:{account}:repository/{name}"),
                    "AWS::ECR::Repository".into(),
                ),
                K::Identity => (format!("arn:aws:iam::{account}:role/{name}"), "AWS::IAM::Role".into()),
                K::Subscription => (
                    format!("arn:aws:organizations::{account}:account/{account}"),
                    "AWS::Organizations::Account".into(),
                ),
                _ => (
                    format!("arn:aws:resource-groups:{region}:{account}:resource/{name}"),
                    "AWS::Resource".into(),
                ),
            }
        }
        Cloud::Gcp => {
            let project = plan.id;
            match group.kind {
                K::VirtualMachine => (
                    format!(
                        "//compute.googleapis.com/projects/{project}/zones/{}-a/instances/{name}",
                        plan.region
                    ),
                    "compute.googleapis.com/Instance".into(),
                ),
                K::StorageAccount => (
                    format!("//storage.googleapis.com/projects/_/buckets/{name}"),
                    "storage.googleapis.com/Bucket".into(),
                ),
                K::SqlDatabase if name.starts_with("bq") => (
                    format!(
                        "//bigquery.googleapis.com/projects/{project}/datasets/{}",
                        name.replace('-', "_")
                    ),
                    "bigquery.googleapis.com/Dataset".into(),
                ),
                K::SqlDatabase => (
                    format!("//sqladmin.googleapis.com/projects/{project}/instances/{name}"),
                    "sqladmin.googleapis.com/Instance".into(),
                ),
                K::KubernetesCluster => (
                    format!(
                        "//container.googleapis.com/projects/{project}/locations/{}/clusters/{name}",
                        plan.region
                    ),
                    "container.googleapis.com/Cluster".into(),
                ),
                K::Subscription => (
                    format!("//cloudresourcemanager.googleapis.com/projects/{project}"),
                    "cloudresourcemanager.googleapis.com/Project".into(),
                ),
                _ => (
                    format!("//cloudresourcemanager.googleapis.com/projects/{project}/resources/{name}"),
                    "gcp.resource".into(),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use time::macros::date;

    use super::*;

    const DAY: Date = date!(2026 - 11 - 25);

    #[test]
    fn the_same_seed_and_day_build_the_same_tenant() {
        let a = tenant(&DemoOptions::for_day(DAY));
        let b = tenant(&DemoOptions::for_day(DAY));
        assert_eq!(a.findings, b.findings);
        assert_eq!(a.resources, b.resources);
        assert_eq!(a.attack_paths, b.attack_paths);
        let other = tenant(&DemoOptions { seed: 7, ..DemoOptions::for_day(DAY) });
        assert_ne!(a.findings, other.findings);
    }

    #[test]
    fn the_base_tenant_spans_three_clouds_with_a_few_hundred_resources() {
        let t = tenant(&DemoOptions::for_day(DAY));
        let clouds: BTreeSet<Cloud> = t.resources.iter().map(|r| r.cloud).collect();
        assert_eq!(clouds.len(), 3);
        assert!((100..=600).contains(&t.resources.len()), "{} resources", t.resources.len());
        assert!(t.subscriptions.len() >= 5);
        let overdue =
            t.findings.iter().filter(|f| f.governance.as_ref().is_some_and(|g| g.is_overdue(DAY))).count();
        assert!(overdue >= 3, "some delegations are already overdue ({overdue})");
        assert!(t.attack_paths.len() >= 5, "{} attack paths", t.attack_paths.len());
        assert!(t.vulnerabilities.iter().any(|v| v.iter().any(|c| c.severity == Severity::Critical)));
        let critical_exposed = t
            .findings
            .iter()
            .filter(|f| {
                f.risk == Some(Severity::Critical) && t.resources[f.resource as usize].internet_exposed
            })
            .count();
        assert!(critical_exposed >= 5, "{critical_exposed} critical findings on exposed resources");
        // Every finding's recommendation has secbot's own remediation.
        assert!(
            t.findings.iter().all(|f| t.recommendations[f.recommendation as usize].remediation.is_some())
        );
    }

    #[test]
    fn growing_keeps_the_base_tenant_and_reaches_the_exact_size() {
        let base = tenant(&DemoOptions::for_day(DAY));
        let grown =
            tenant(&DemoOptions { findings: Some(base.findings.len() + 5_000), ..DemoOptions::for_day(DAY) });
        assert_eq!(grown.findings.len(), base.findings.len() + 5_000);
        assert_eq!(&grown.resources[..base.resources.len()], &base.resources[..]);
        let names: BTreeSet<&str> = grown.resources.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(names.len(), grown.resources.len(), "resource ids are unique");
    }
}
