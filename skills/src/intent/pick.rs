//! Picking one item of a list the thread shows by what the prompt says about it rather than by
//! its position: "the gcs one", "the s3 finance one", "the xz one", "the dev cluster one".

use std::collections::HashSet;

use secbot_chat::{Cloud, ResourceKind};

use super::recommend::recommendation_words;

/// What a list item is, as a prompt may describe it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemDescription {
    /// The resource's name (`s3-finance-exports`).
    pub resource: String,
    /// The resource's kind.
    pub kind: Option<ResourceKind>,
    /// The resource's cloud.
    pub cloud: Option<Cloud>,
    /// The recommendation's display name.
    pub recommendation: String,
    /// Packages and CVE ids the finding carries (`xz-utils`, `CVE-2024-3094`).
    pub vulnerabilities: Vec<String>,
}

/// Words too common in prompts to tell items apart when a name happens to contain them.
const COMMON: [&str; 24] = [
    "it", "is", "on", "the", "for", "to", "a", "an", "of", "in", "and", "or", "me", "my", "we", "us", "do",
    "i", "one", "that", "this", "with", "what", "whats",
];

/// How a kind of resource is called on each cloud, as people shorten it in chat.
pub fn kind_terms(kind: ResourceKind, cloud: Option<Cloud>) -> &'static [&'static str] {
    use Cloud::{Aws, Gcp};
    use ResourceKind::*;
    match (kind, cloud) {
        (VirtualMachine, Some(Aws)) => &["ec2", "instance", "vm", "machine", "server", "box"],
        (VirtualMachine, Some(Gcp)) => &["gce", "compute", "instance", "vm", "machine", "server", "box"],
        (VirtualMachine, _) => &["vm", "machine", "server", "box", "host"],
        (StorageAccount, Some(Aws)) => &["s3", "bucket"],
        (StorageAccount, Some(Gcp)) => &["gcs", "bucket"],
        (StorageAccount, _) => &["storage", "blob", "account"],
        (SqlDatabase, Some(Aws)) => &["rds", "database", "db"],
        (SqlDatabase, Some(Gcp)) => &["cloudsql", "sql", "database", "db"],
        (SqlDatabase, _) => &["sql", "database", "db"],
        (KeyVault, _) => &["kv", "vault", "keyvault"],
        (KubernetesCluster, Some(Aws)) => &["eks", "cluster", "k8s", "kubernetes"],
        (KubernetesCluster, Some(Gcp)) => &["gke", "cluster", "k8s", "kubernetes"],
        (KubernetesCluster, _) => &["aks", "cluster", "k8s", "kubernetes"],
        (Identity, _) => &["identity", "principal", "user"],
        (AppService, _) => &["app", "function", "func", "webapp", "site"],
        (ContainerImage, _) => &["image", "container"],
        (ContainerRegistry, _) => &["registry", "acr", "ecr", "gcr"],
        (CosmosDb, _) => &["cosmos", "cosmosdb"],
        (Network, _) => &["network", "vnet", "nsg", "firewall"],
        (Subscription, _) => &["subscription", "sub", "account", "project"],
        (Other, _) => &[],
    }
}

fn cloud_terms(cloud: Cloud) -> &'static [&'static str] {
    match cloud {
        Cloud::Azure => &["azure"],
        Cloud::Aws => &["aws", "amazon"],
        Cloud::Gcp => &["gcp", "google"],
    }
}

/// The prompt's words, lowercase, whole and split at hyphens, dots and underscores.
fn words(prompt: &str) -> HashSet<String> {
    let lowered = prompt.to_lowercase();
    let mut out = HashSet::new();
    for token in lowered.split(|c: char| !(c.is_alphanumeric() || "-_.".contains(c))) {
        let token = token.trim_matches(|c: char| "-_.".contains(c));
        if token.is_empty() || COMMON.contains(&token) {
            continue;
        }
        out.insert(token.to_owned());
        for part in token.split(['-', '_', '.']).filter(|p| !p.is_empty() && !COMMON.contains(p)) {
            out.insert(part.to_owned());
        }
    }
    out
}

/// How well the prompt's words describe one item: its resource's name (whole, or by the parts
/// of it that are not the kind's own words), a package or CVE it carries, its kind's or cloud's
/// everyday name, and the distinctive words of its recommendation.
fn score(prompt: &str, said: &HashSet<String>, wanted_rec: &HashSet<String>, item: &ItemDescription) -> u32 {
    let mut score = 0;
    let name = item.resource.to_lowercase();
    if name.len() >= 3 && prompt.contains(&name) {
        score += 4;
    } else {
        let parts: HashSet<&str> = name.split(['-', '_', '.', ':', '/']).filter(|p| !p.is_empty()).collect();
        for part in &parts {
            if said.contains(*part) {
                score += if part.chars().all(|c| c.is_ascii_digit()) { 1 } else { 2 };
            }
        }
        // "the customer data one" for stcustomerdata01: words the name runs together.
        let kind_words = item.kind.map_or(&[][..], |k| kind_terms(k, item.cloud));
        score += 2 * said
            .iter()
            .filter(|w| {
                w.len() >= 4
                    && w.chars().all(|c| c.is_ascii_alphabetic())
                    && !parts.contains(w.as_str())
                    && !kind_words.contains(&w.as_str())
                    && name.contains(w.as_str())
            })
            .count() as u32;
    }
    for vulnerability in &item.vulnerabilities {
        let v = vulnerability.to_lowercase();
        if v.starts_with("cve-") && prompt.contains(&v) {
            score += 4;
        } else if said.contains(&v)
            || v.split(['-', '_', '.']).next().is_some_and(|p| p.len() >= 2 && said.contains(p))
        {
            score += 2;
        }
    }
    if let Some(kind) = item.kind {
        score += kind_terms(kind, item.cloud).iter().filter(|t| said.contains(**t)).count().min(1) as u32;
    }
    if let Some(cloud) = item.cloud {
        score += cloud_terms(cloud).iter().filter(|t| said.contains(**t)).count().min(1) as u32;
    }
    score
        + recommendation_words(&item.recommendation).iter().filter(|w| wanted_rec.contains(*w)).count() as u32
}

/// The one item the prompt describes better than every other, if one stands out.
pub fn described_item(prompt: &str, items: &[ItemDescription]) -> Option<usize> {
    let said = words(prompt);
    let wanted_rec: HashSet<String> = recommendation_words(prompt).into_iter().collect();
    let lowered = prompt.to_lowercase();
    let mut scores: Vec<(u32, usize)> =
        items.iter().enumerate().map(|(i, item)| (score(&lowered, &said, &wanted_rec, item), i)).collect();
    scores.sort_by_key(|s| std::cmp::Reverse(s.0));
    match scores.as_slice() {
        [(best, i), rest @ ..] if *best > 0 && rest.first().is_none_or(|(second, _)| second < best) => {
            Some(*i)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(resource: &str, kind: ResourceKind, cloud: Cloud, recommendation: &str) -> ItemDescription {
        ItemDescription {
            resource: resource.to_owned(),
            kind: Some(kind),
            cloud: Some(cloud),
            recommendation: recommendation.to_owned(),
            vulnerabilities: Vec::new(),
        }
    }

    fn storage() -> Vec<ItemDescription> {
        vec![
            item(
                "s3-finance-exports",
                ResourceKind::StorageAccount,
                Cloud::Aws,
                "S3 Block Public Access should be on",
            ),
            item(
                "s3-static-site",
                ResourceKind::StorageAccount,
                Cloud::Aws,
                "S3 buckets public write access should be removed",
            ),
            item(
                "gcs-analytics-raw",
                ResourceKind::StorageAccount,
                Cloud::Gcp,
                "Cloud Storage bucket is not anonymously accessible",
            ),
            item(
                "stwebassets",
                ResourceKind::StorageAccount,
                Cloud::Azure,
                "Secure transfer to storage accounts should be enabled",
            ),
        ]
    }

    #[test]
    fn an_item_is_picked_by_its_service_its_name_or_a_part_of_its_name() {
        let items = storage();
        assert_eq!(described_item("the gcs one - whats the deal", &items), Some(2));
        assert_eq!(described_item("and the s3 finance one, aws cli", &items), Some(0));
        assert_eq!(described_item("the stwebassets one", &items), Some(3));
        assert_eq!(described_item("what about the static site bucket", &items), Some(1));
    }

    #[test]
    fn words_a_name_runs_together_pick_its_item() {
        let rec = "Storage account public access should be disallowed";
        let items: Vec<ItemDescription> = ["stcustomerdata01", "stdatalakecurated", "stwebassets"]
            .iter()
            .map(|name| item(name, ResourceKind::StorageAccount, Cloud::Azure, rec))
            .collect();
        assert_eq!(described_item("the customer data one, who's on it", &items), Some(0));
        assert_eq!(described_item("and the datalake one? nobody?", &items), Some(1));
        // "data" is in two of the names: it tells nothing apart.
        assert_eq!(described_item("the data one", &items), None);
    }

    #[test]
    fn words_every_item_shares_or_none_has_pick_nothing() {
        let items = storage();
        // Both S3 buckets are "s3 ones"; nothing tells them apart.
        assert_eq!(described_item("the s3 one", &items), None);
        assert_eq!(described_item("how do I fix it?", &items), None);
        assert_eq!(described_item("the bucket one", &items), None);
    }

    #[test]
    fn a_package_or_cve_picks_the_image_that_carries_it() {
        let rec = "Container images should have vulnerabilities resolved";
        let mut items: Vec<ItemDescription> =
            ["nginx-ingress:1.9.4", "payments-svc:0.9.4", "web-frontend:2.8.1"]
                .iter()
                .map(|name| item(name, ResourceKind::ContainerImage, Cloud::Azure, rec))
                .collect();
        items[0].vulnerabilities = vec!["openssl".into(), "CVE-2024-0001".into()];
        items[2].vulnerabilities = vec!["xz-utils".into(), "CVE-2024-3094".into()];
        assert_eq!(described_item("the xz one, how bad is it", &items), Some(2));
        assert_eq!(described_item("what's cve-2024-0001 about", &items), Some(0));
    }

    #[test]
    fn a_recommendation_s_distinctive_words_pick_its_item() {
        let items = vec![
            item(
                "aks-prod-eastus",
                ResourceKind::KubernetesCluster,
                Cloud::Azure,
                "Authorized IP ranges should be defined on Kubernetes Services",
            ),
            item(
                "aks-prod-eastus",
                ResourceKind::KubernetesCluster,
                Cloud::Azure,
                "Container images should be deployed from trusted registries only",
            ),
            item(
                "aks-dev-westeu",
                ResourceKind::KubernetesCluster,
                Cloud::Azure,
                "Kubernetes clusters should disable automounting API credentials",
            ),
        ];
        assert_eq!(described_item("the dev cluster one - what does it mean", &items), Some(2));
        assert_eq!(described_item("will turning on authorized ip ranges break it", &items), Some(0));
    }
}
