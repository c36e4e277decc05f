//! Picking one item of a list the thread shows by what the prompt says about it rather than by
//! its position: "the gcs one", "the s3 finance one", "the xz one", "the dev cluster one".

use std::collections::HashSet;

use secbot_chat::{Cloud, ResourceKind};

use super::recommend::{hint_words, recommendation_words};

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
    /// The owner's email or name, when the item is assigned ("the one omar has").
    pub owner: String,
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

/// What a prompt says that may describe an item.
struct Said {
    /// The prompt, lowercase.
    lowered: String,
    /// Its words, whole and split.
    words: HashSet<String>,
    /// Its distinctive recommendation words.
    recommendation: HashSet<String>,
    /// Its hinting words (kinds, "vulnerability", "network").
    hints: HashSet<String>,
    /// The person the prompt hands work to, whose name describes no item.
    assignee: Option<String>,
}

impl Said {
    fn new(prompt: &str, assignee: Option<&str>) -> Said {
        Said {
            lowered: prompt.to_lowercase(),
            words: words(prompt),
            recommendation: described_recommendation(prompt),
            hints: hint_words(prompt).into_iter().collect(),
            assignee: assignee.map(|a| a.trim_start_matches('@').to_lowercase()),
        }
    }
}

/// The distinctive recommendation words of a prompt that describes an item; "the patching one"
/// describes the system updates finding.
fn described_recommendation(prompt: &str) -> HashSet<String> {
    let mut words: HashSet<String> = recommendation_words(prompt).into_iter().collect();
    if words.iter().any(|w| w.starts_with("patch")) {
        words.extend(recommendation_words("system updates"));
    }
    words
}

/// How well the prompt's words describe one item: its resource's name (whole, or by the parts
/// of it that are not the kind's own words), a package or CVE it carries, its kind's or cloud's
/// everyday name, its owner's name, and the distinctive words of its recommendation; words that
/// only hint (a kind or "vulnerability" in the recommendation's name, "network") break ties.
fn score(said: &Said, item: &ItemDescription) -> u32 {
    let whole = whole_score(&said.lowered, &said.words, &said.recommendation, item);
    let owner = owner_named(said, &item.owner) as u32 * 2;
    let hints = hint_words(&item.recommendation).iter().filter(|w| said.hints.contains(*w)).count() as u32;
    HINTS_UNDER * (whole + owner) + hints.min(HINTS_UNDER - 1)
}

/// How much a whole point outweighs hints: hints only tell apart items the rest fits equally.
const HINTS_UNDER: u32 = 8;

/// True when the prompt names the item's owner by the first part of their email or name, and
/// the owner is not the person the prompt hands work to.
fn owner_named(said: &Said, owner: &str) -> bool {
    let owner = owner.to_lowercase();
    let first = owner.split(['@', '.', '_', '-', ' ']).next().unwrap_or_default();
    if first.len() < 3
        || !said.words.contains(first)
        || said.assignee.as_deref().is_some_and(|a| a == first || owner.starts_with(a))
    {
        return false;
    }
    // "the one owned by omar", "omar's one", "the one omar has": the owner as a description,
    // not "is omar on the sql one?".
    let text = said.lowered.replace('\u{2019}', "'");
    // One item ("omar's one"), not a person's work ("alex's overdue items").
    let one = text
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| matches!(w, "one" | "thing" | "item" | "finding" | "issue" | "rec"));
    one && (["by ", "to "].iter().any(|before| text.contains(&format!("{before}{first}")))
        || ["'s", " has", " owns", " got"].iter().any(|after| text.contains(&format!("{first}{after}"))))
}

fn whole_score(
    prompt: &str,
    said: &HashSet<String>,
    wanted_rec: &HashSet<String>,
    item: &ItemDescription,
) -> u32 {
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

/// The items the prompt describes best, in list order: one when one stands out, several when
/// they fit equally ("the nsg one" with two network security group rows), none when the words
/// fit none or every item alike. `assignee` is the person the prompt hands work to, whose name
/// describes no item.
pub fn described_items(prompt: &str, items: &[ItemDescription], assignee: Option<&str>) -> Vec<usize> {
    let said = Said::new(prompt, assignee);
    let scores: Vec<u32> = items.iter().map(|item| score(&said, item)).collect();
    let best = scores.iter().copied().max().unwrap_or(0);
    let tied: Vec<usize> = (0..items.len()).filter(|i| scores[*i] == best).collect();
    if best == 0 || (tied.len() == items.len() && items.len() > 1) { Vec::new() } else { tied }
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
            owner: String::new(),
        }
    }

    /// The one item the prompt describes better than every other, if one stands out.
    fn described_item(prompt: &str, items: &[ItemDescription], assignee: Option<&str>) -> Option<usize> {
        match described_items(prompt, items, assignee).as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    fn described_item_(prompt: &str, items: &[ItemDescription]) -> Option<usize> {
        described_item(prompt, items, None)
    }

    /// Four findings on one machine and one on a key vault, as the demo's first list shows them.
    fn one_machine() -> Vec<ItemDescription> {
        let vm = |rec: &str| item("vm-etl-02", ResourceKind::VirtualMachine, Cloud::Azure, rec);
        let mut items = vec![
            vm(
                "Management ports of virtual machines should be protected with just-in-time network access control",
            ),
            vm("Internet-facing virtual machines should be protected with network security groups"),
            vm("SQL servers on machines should have vulnerability findings resolved"),
            vm(
                "All network ports should be restricted on network security groups associated to your virtual machine",
            ),
            item(
                "kv-payments-prod",
                ResourceKind::KeyVault,
                Cloud::Azure,
                "Key Vault secrets should have an expiration date",
            ),
        ];
        items[2].owner = "omar@contoso.com".into();
        items
    }

    #[test]
    fn a_recommendation_and_a_part_of_a_resource_name_pick_one_of_the_rows_that_share_it() {
        let cluster = |name: &str, rec: &str| item(name, ResourceKind::KubernetesCluster, Cloud::Azure, rec);
        let items = vec![
            cluster("aks-prod-eastus", "Container images should be deployed from trusted registries only"),
            cluster("aks-dev-westus2", "Authorized IP ranges should be defined on Kubernetes Services"),
            cluster("aks-prod-eastus", "Authorized IP ranges should be defined on Kubernetes Services"),
        ];
        assert_eq!(described_items("explain the authorized IP one", &items, None), vec![1, 2]);
        assert_eq!(
            described_items("explain the authorized IP one on the prod cluster", &items, None),
            vec![2]
        );
    }

    #[test]
    fn a_kind_or_a_vulnerability_the_recommendation_names_picks_its_item() {
        let items = one_machine();
        assert_eq!(described_item_("remediation for the sql one", &items), Some(2));
        assert_eq!(described_item_("fix the vulnerability one", &items), Some(2));
        assert_eq!(described_item_("and the vuln thing?", &items), Some(2));
        // A resource of the kind named outranks a recommendation that only mentions it.
        let mut with_db = items;
        with_db.push(item(
            "sql-orders-prod",
            ResourceKind::SqlDatabase,
            Cloud::Azure,
            "Auditing on SQL server should be enabled",
        ));
        assert_eq!(described_item_("the sql one", &with_db), Some(5));
    }

    #[test]
    fn an_owner_named_picks_their_item_unless_the_prompt_hands_work_to_them() {
        let items = one_machine();
        assert_eq!(described_item_("explain the one owned by omar", &items), Some(2));
        assert_eq!(described_item("give omar's one to dana", &items, Some("dana")), Some(2));
        assert_eq!(described_item("assign that to omar", &items, Some("omar")), None);
        // A person's work is not one item they own.
        assert_eq!(described_item_("show me omar's overdue items", &items), None);
    }

    #[test]
    fn items_that_fit_equally_are_all_given_in_list_order() {
        let items = one_machine();
        assert_eq!(described_items("the nsg thing, how to fix", &items, None), vec![1, 3]);
        // "network" alone is in one name only: the nsg rule names "network security groups".
        assert_eq!(described_item_("steps for the network one", &items), Some(3));
        assert_eq!(described_item_("the nsg thing, how to fix", &items), None);
        // Words every item fits, or none does, describe nothing.
        assert!(described_items("how do I fix it?", &items, None).is_empty());
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
        assert_eq!(described_item_("the gcs one - whats the deal", &items), Some(2));
        assert_eq!(described_item_("and the s3 finance one, aws cli", &items), Some(0));
        assert_eq!(described_item_("the stwebassets one", &items), Some(3));
        assert_eq!(described_item_("what about the static site bucket", &items), Some(1));
    }

    #[test]
    fn words_a_name_runs_together_pick_its_item() {
        let rec = "Storage account public access should be disallowed";
        let items: Vec<ItemDescription> = ["stcustomerdata01", "stdatalakecurated", "stwebassets"]
            .iter()
            .map(|name| item(name, ResourceKind::StorageAccount, Cloud::Azure, rec))
            .collect();
        assert_eq!(described_item_("the customer data one, who's on it", &items), Some(0));
        assert_eq!(described_item_("and the datalake one? nobody?", &items), Some(1));
        // "data" is in two of the names: it tells nothing apart.
        assert_eq!(described_item_("the data one", &items), None);
    }

    #[test]
    fn words_every_item_shares_or_none_has_pick_nothing() {
        let items = storage();
        // Both S3 buckets are "s3 ones"; nothing tells them apart.
        assert_eq!(described_item_("the s3 one", &items), None);
        assert_eq!(described_item_("how do I fix it?", &items), None);
        assert_eq!(described_item_("the bucket one", &items), None);
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
        assert_eq!(described_item_("the xz one, how bad is it", &items), Some(2));
        assert_eq!(described_item_("what's cve-2024-0001 about", &items), Some(0));
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
        assert_eq!(described_item_("the dev cluster one - what does it mean", &items), Some(2));
        assert_eq!(described_item_("will turning on authorized ip ranges break it", &items), Some(0));
    }
}
