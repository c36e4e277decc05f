//! Finding the recommendation a prompt names, from a quote or a paraphrase ("JIT on our EC2
//! instances", "sql dbs without TDE"), by weighted word overlap with every known name.

use rustc_hash::{FxHashMap, FxHashSet};

use secbot_chat::ResourceKind;

use super::text::stem;

/// One known recommendation name.
#[derive(Debug, Clone)]
struct Entry {
    key: String,
    name: String,
    kind: ResourceKind,
    tokens: Vec<String>,
    /// Each token's inverse document frequency, in `tokens` order.
    weights: Vec<f32>,
    /// The sum of `weights`: how much a name weighs when every token matches.
    total: f32,
}

/// A recommendation a prompt refers to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Named {
    /// The assessment key.
    pub(crate) key: Option<String>,
    /// The display name (the catalog's, or the quoted text when no catalog name matches).
    pub(crate) name: String,
}

/// Matches prompts against recommendation names.
#[derive(Debug, Default)]
pub(crate) struct RecommendationMatcher {
    entries: Vec<Entry>,
    idf: FxHashMap<String, f32>,
    exact: FxHashMap<String, usize>,
    /// The entries each distinctive token appears in: only those can match a prompt.
    postings: FxHashMap<String, Vec<usize>>,
}

/// Phrases rewritten to one canonical token before matching, longest first.
const SYNONYMS: &[(&str, &str)] = &[
    ("sql managed instances", "#sql"),
    ("sql managed instance", "#sql"),
    ("sql databases", "#sql"),
    ("sql database", "#sql"),
    ("sql servers", "#sql"),
    ("sql server", "#sql"),
    ("sql dbs", "#sql"),
    ("sql db", "#sql"),
    ("azure sql", "#sql"),
    ("virtual machines", "#vm"),
    ("virtual machine", "#vm"),
    ("storage accounts", "#storage"),
    ("storage account", "#storage"),
    ("key vaults", "#kv"),
    ("key vault", "#kv"),
    ("kubernetes services", "#k8s"),
    ("kubernetes service", "#k8s"),
    ("kubernetes clusters", "#k8s"),
    ("kubernetes cluster", "#k8s"),
    ("container registries", "#acr"),
    ("container registry", "#acr"),
    ("cosmos db", "#cosmos"),
    ("container images", "#image"),
    ("container image", "#image"),
    ("web applications", "#webapp"),
    ("web application", "#webapp"),
    ("web apps", "#webapp"),
    ("web app", "#webapp"),
    ("function apps", "#funcapp"),
    ("function app", "#funcapp"),
    ("api apps", "#apiapp"),
    ("api app", "#apiapp"),
    ("just in time network access control", "#jit"),
    ("just in time", "#jit"),
    ("role based access control", "#rbac"),
    ("transparent data encryption", "#tde"),
    ("multi factor authentication", "#mfa"),
    ("multifactor authentication", "#mfa"),
    ("network security groups", "#nsg"),
    ("network security group", "#nsg"),
    ("web application firewall", "#waf"),
    ("customer managed keys", "#cmk"),
    ("customer managed key", "#cmk"),
    ("ec2 instances", "#ec2"),
    ("ec2 instance", "#ec2"),
    ("management ports", "#mgmtports"),
    ("management port", "#mgmtports"),
    ("endpoint protection", "#endpointprotection"),
    ("secure transfer", "#securetransfer"),
    ("system updates", "#systemupdates"),
    ("disk encryption", "#diskencryption"),
    ("ip forwarding", "#ipforwarding"),
    ("public network access", "#publicnetworkaccess"),
    ("private link", "#privatelink"),
    ("private endpoint", "#privatelink"),
    ("diagnostic logs", "#diaglogs"),
    ("authorized ip ranges", "#authorizedip"),
    ("authorized ips", "#authorizedip"),
    ("authorized ip", "#authorizedip"),
    ("authorised ip ranges", "#authorizedip"),
    ("authorised ip", "#authorizedip"),
    ("ssh keys", "#sshkeys"),
    ("ssh key", "#sshkeys"),
];

/// Single words rewritten to the same canonical tokens.
const WORD_SYNONYMS: &[(&str, &str)] = &[
    ("vm", "#vm"),
    ("vms", "#vm"),
    ("machines", "#vm"),
    ("machine", "#vm"),
    ("servers", "#vm"),
    ("server", "#vm"),
    ("storage", "#storage"),
    ("kv", "#kv"),
    ("kvs", "#kv"),
    ("vault", "#kv"),
    ("vaults", "#kv"),
    ("keyvault", "#kv"),
    ("keyvaults", "#kv"),
    ("aks", "#k8s"),
    ("k8s", "#k8s"),
    ("kubernetes", "#k8s"),
    ("acr", "#acr"),
    ("registry", "#acr"),
    ("registries", "#acr"),
    ("cosmos", "#cosmos"),
    ("cosmosdb", "#cosmos"),
    ("jit", "#jit"),
    ("rbac", "#rbac"),
    ("tde", "#tde"),
    ("mfa", "#mfa"),
    ("2fa", "#mfa"),
    ("nsg", "#nsg"),
    ("nsgs", "#nsg"),
    ("waf", "#waf"),
    ("cmk", "#cmk"),
    ("expiry", "expiration"),
    ("expire", "expiration"),
    ("expires", "expiration"),
    ("expiring", "expiration"),
    ("ec2", "#ec2"),
    ("auth", "authentication"),
    ("authn", "authentication"),
    ("https", "https"),
    ("ssl", "#tls"),
    ("tls", "#tls"),
    ("secure", "secure"),
    ("sql", "#sql"),
    ("open", "closed"),
    ("images", "#image"),
    ("image", "#image"),
    ("containers", "#image"),
    ("container", "#image"),
    ("database", "#sql"),
    ("databases", "#sql"),
    ("db", "#sql"),
    ("dbs", "#sql"),
];

/// Words that never identify a recommendation by themselves.
const STOP: &[&str] = &[
    "the",
    "a",
    "an",
    "on",
    "in",
    "to",
    "of",
    "for",
    "your",
    "our",
    "my",
    "should",
    "be",
    "is",
    "are",
    "with",
    "and",
    "or",
    "by",
    "from",
    "all",
    "any",
    "that",
    "this",
    "it",
    "have",
    "has",
    "using",
    "use",
    "used",
    "only",
    "not",
    "no",
    "ensure",
    "there",
    "more",
    "than",
    "every",
    "each",
    "do",
    "does",
    "how",
    "i",
    "we",
    "me",
    "you",
    "what",
    "why",
    "which",
    "its",
    "if",
    "so",
    "can",
    "without",
    "at",
    "as",
    "per",
    "we",
    "us",
    "them",
    "they",
    "their",
    "these",
    "those",
    "enable",
    "enabled",
    "enabling",
    "turn",
    "turned",
    "on",
    "off",
    "set",
    "need",
    "needs",
    "make",
    "let",
    "get",
    "give",
    "show",
    "list",
    "fix",
    "fixing",
    "remediate",
    "remediation",
    "script",
    "cli",
    "az",
    "powershell",
    "bicep",
    "terraform",
    "steps",
    "step",
    "explain",
    "summary",
    "summarize",
    "why",
    "care",
    "about",
    "matter",
    "liner",
    "please",
    "pls",
    "recommendation",
    "recommendations",
    "finding",
    "findings",
    "issue",
    "issues",
    "help",
    "running",
    "version",
    "newer",
    "older",
    "later",
    "assign",
    "assigned",
];

/// Stems that count toward coverage but cannot identify a recommendation on their own.
const GENERIC: &[&str] = &[
    "vulnerabilit",
    "vulnerability",
    "resolv",
    "remediat",
    "instal",
    "appl",
    "requir",
    "configur",
    "azure",
    "aws",
    "gcp",
    "microsoft",
    "google",
    "amazon",
    "sensitive",
    "data",
    "public",
    "access",
    "network",
    "security",
    "secure",
    "protect",
    "restrict",
    "accessibl",
    "publicly",
    "expos",
    "internet",
    "critical",
    "high",
    "medium",
    "low",
    "risk",
    "health",
    "solution",
    "account",
    "resourc",
    "one",
    "subscript",
];

/// Words that are what a filter says ("open to the world", "allows anonymous access") unless the
/// prompt is about one kind of resource: "open to the world" alone asks for internet-exposed
/// resources; on a Cloud SQL instance it names the recommendation about authorized networks.
const KIND_BOUND: &[&str] = &["open", "world", "outside", "allow", "anonymous"];

/// True for a token that cannot tell recommendations apart, `with_kind` saying whether the
/// prompt names a kind of resource.
fn generic(token: &str, with_kind: bool) -> bool {
    GENERIC.contains(&token) || (!with_kind && KIND_BOUND.contains(&token))
}

/// The synonym tables as lookups: phrases by their first word (longest first), single words.
struct Synonyms {
    phrases: FxHashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>>,
    words: FxHashMap<&'static str, &'static str>,
    stop: FxHashSet<&'static str>,
}

fn synonyms() -> &'static Synonyms {
    static TABLES: std::sync::OnceLock<Synonyms> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let mut phrases: FxHashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>> =
            FxHashMap::default();
        for (phrase, token) in SYNONYMS {
            let parts: Vec<&'static str> = phrase.split(' ').collect();
            phrases.entry(parts[0]).or_default().push((parts, *token));
        }
        // SYNONYMS lists longer phrases first; keep that order within each first word.
        Synonyms {
            phrases,
            words: WORD_SYNONYMS.iter().copied().collect(),
            stop: STOP.iter().copied().collect(),
        }
    })
}

fn canonical_tokens(text: &str) -> Vec<String> {
    let tables = synonyms();
    let lowered: String =
        text.to_lowercase().chars().map(|c| if c.is_alphanumeric() || c == '.' { c } else { ' ' }).collect();
    let words: Vec<&str> =
        lowered.split_whitespace().map(|w| w.trim_matches('.')).filter(|w| !w.is_empty()).collect();
    let mut out = Vec::new();
    let mut i = 0;
    'outer: while i < words.len() {
        if let Some(candidates) = tables.phrases.get(words[i]) {
            for (parts, token) in candidates {
                if words.len() - i >= parts.len() && words[i..i + parts.len()] == parts[..] {
                    out.push((*token).to_owned());
                    i += parts.len();
                    continue 'outer;
                }
            }
        }
        let word = words[i];
        i += 1;
        if let Some(token) = tables.words.get(word) {
            out.push(if token.starts_with('#') { (*token).to_owned() } else { stem(token) });
        } else if !tables.stop.contains(word) {
            out.push(if word.chars().any(|c| c.is_ascii_digit()) { word.to_owned() } else { stem(word) });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Broad words that hint at an item without naming it: "the network one", "the public one".
const HINTS: &[&str] =
    &["sensitive", "data", "public", "publicly", "access", "accessibl", "network", "internet", "expos"];

/// The words of a text that hint at which recommendation it means without telling
/// recommendations apart on their own: kinds of resource ("the sql one" for "SQL servers on
/// machines should …"), vulnerabilities ("the vuln one", "the cve one") and broad words
/// ("network", "public").
pub(crate) fn hint_words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = canonical_tokens(text)
        .into_iter()
        .filter_map(|t| {
            if t.starts_with("vuln") || t.starts_with("cve") {
                Some("vulnerabilit".to_owned())
            } else {
                (is_kind_token(&t) || HINTS.contains(&t.as_str())).then_some(t)
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The distinctive words of a text as recommendation names are compared: canonical, stemmed,
/// without resource kinds and the words every fix shares ("resolve", "vulnerability").
pub(crate) fn recommendation_words(text: &str) -> Vec<String> {
    canonical_tokens(text)
        .into_iter()
        .filter(|t| !is_kind_token(t) && !GENERIC.contains(&t.as_str()))
        .collect()
}

fn is_kind_token(token: &str) -> bool {
    matches!(
        token,
        "#vm"
            | "#storage"
            | "#kv"
            | "#k8s"
            | "#acr"
            | "#cosmos"
            | "#sql"
            | "#webapp"
            | "#funcapp"
            | "#apiapp"
            | "#ec2"
            | "#image"
    )
}

fn kind_token(kind: ResourceKind) -> Option<&'static str> {
    Some(match kind {
        ResourceKind::VirtualMachine => "#vm",
        ResourceKind::StorageAccount => "#storage",
        ResourceKind::KeyVault => "#kv",
        ResourceKind::KubernetesCluster => "#k8s",
        ResourceKind::ContainerRegistry => "#acr",
        ResourceKind::ContainerImage => "#image",
        ResourceKind::CosmosDb => "#cosmos",
        ResourceKind::SqlDatabase => "#sql",
        _ => return None,
    })
}

fn folded(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl RecommendationMatcher {
    /// Builds the matcher from (key, name, kind) triples; aliases may repeat a key.
    pub(crate) fn new<'a>(
        names: impl IntoIterator<Item = (&'a str, &'a str, ResourceKind)>,
    ) -> RecommendationMatcher {
        let mut entries: Vec<Entry> = names
            .into_iter()
            .map(|(key, name, kind)| Entry {
                key: key.to_owned(),
                name: name.to_owned(),
                kind,
                tokens: canonical_tokens(name),
                weights: Vec::new(),
                total: 0.0,
            })
            .collect();
        let mut df: FxHashMap<&str, usize> = FxHashMap::default();
        for entry in &entries {
            for token in &entry.tokens {
                *df.entry(token.as_str()).or_default() += 1;
            }
        }
        let n = entries.len() as f32;
        let idf: FxHashMap<String, f32> = df
            .into_iter()
            .map(|(t, d)| (t.to_owned(), ((n + 1.0) / (d as f32 + 0.5)).ln().max(0.1)))
            .collect();
        for entry in &mut entries {
            entry.weights = entry.tokens.iter().map(|t| idf.get(t).copied().unwrap_or(1.0)).collect();
            entry.total = entry.weights.iter().sum();
        }
        let exact = entries.iter().enumerate().map(|(i, e)| (folded(&e.name), i)).collect();
        let mut postings: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, entry) in entries.iter().enumerate() {
            for token in entry.tokens.iter().filter(|t| !is_kind_token(t) && !GENERIC.contains(&t.as_str())) {
                postings.entry(token.clone()).or_default().push(i);
            }
        }
        RecommendationMatcher { entries, idf, exact, postings }
    }

    /// Every name, for the typo vocabulary.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// The recommendation a quoted phrase names: the catalog's name when it matches closely,
    /// else the phrase as written.
    pub(crate) fn quoted(&self, phrase: &str) -> Option<Named> {
        if let Some(&i) = self.exact.get(&folded(phrase)) {
            let e = &self.entries[i];
            return Some(Named { key: Some(e.key.clone()), name: e.name.clone() });
        }
        let words = phrase.split_whitespace().count();
        let looks_like_a_name = words >= 4
            && ["should", "must", "ensure"]
                .iter()
                .any(|w| phrase.to_lowercase().split_whitespace().any(|x| x == *w));
        if !looks_like_a_name {
            return None;
        }
        let tokens: FxHashSet<String> = canonical_tokens(phrase).into_iter().collect();
        match self.best_by_tokens(&tokens, None) {
            Some((i, coverage)) if coverage >= 0.95 && self.entries[i].tokens.len() == tokens.len() => {
                let e = &self.entries[i];
                Some(Named { key: Some(e.key.clone()), name: e.name.clone() })
            }
            _ => Some(Named { key: None, name: phrase.to_owned() }),
        }
    }

    /// The recommendation a free-text prompt most clearly refers to, if any. `kind` is the kind
    /// of resource the prompt is about, when known (it breaks ties such as "diagnostic logs").
    pub(crate) fn paraphrase(&self, prompt: &str, kind: Option<ResourceKind>) -> Option<Named> {
        let tokens: FxHashSet<String> = canonical_tokens(prompt).into_iter().collect();
        let (i, coverage) = self.best_by_tokens(&tokens, kind)?;
        let e = &self.entries[i];
        let hint = kind.and_then(kind_token);
        let with_kind = hint.is_some() || tokens.iter().any(|t| is_kind_token(t));
        let matched = e.tokens.iter().filter(|t| tokens.contains(*t) || hint == Some(t.as_str())).count();
        let distinctive = e
            .tokens
            .iter()
            .filter(|t| tokens.contains(*t) && !is_kind_token(t) && !generic(t, with_kind))
            .count();
        let accepted = matched >= 2 && (coverage >= 0.6 || (coverage >= 0.45 && distinctive >= 2));
        accepted.then(|| {
            let e = &self.entries[i];
            Named { key: Some(e.key.clone()), name: e.name.clone() }
        })
    }

    fn best_by_tokens(&self, tokens: &FxHashSet<String>, kind: Option<ResourceKind>) -> Option<(usize, f32)> {
        let hint = kind.and_then(kind_token);
        let with_kind = hint.is_some() || tokens.iter().any(|t| is_kind_token(t));
        let mut scored: Vec<(f32, f32, usize)> = Vec::new();
        // An entry needs a distinctive token of the prompt to count at all.
        let mut candidates: Vec<usize> =
            tokens.iter().filter_map(|t| self.postings.get(t)).flatten().copied().collect();
        candidates.sort_unstable();
        candidates.dedup();
        for i in candidates {
            let entry = &self.entries[i];
            let mut matched = 0.0;
            let total = entry.total;
            let mut distinctive = false;
            for (token, &weight) in entry.tokens.iter().zip(&entry.weights) {
                if tokens.contains(token) || hint == Some(token.as_str()) {
                    matched += weight;
                    distinctive |=
                        tokens.contains(token) && !is_kind_token(token) && !generic(token, with_kind);
                }
            }
            if !distinctive || total == 0.0 {
                continue;
            }
            // Prompt words that are specific but absent from the name count against it.
            let stray: f32 = tokens
                .iter()
                .filter(|t| !entry.tokens.contains(t) && t.starts_with('#') && !is_kind_token(t))
                .map(|t| self.idf.get(t).copied().unwrap_or(0.0))
                .sum();
            let mut coverage = matched / (total + stray);
            if let Some(k) = kind
                && entry.kind != k
                && kind_token(k).is_some()
                && entry.tokens.iter().any(|t| is_kind_token(t))
            {
                coverage *= 0.7;
            }
            scored.push((coverage, matched, i));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)));
        let best = *scored.first()?;
        if let Some(second) = scored.get(1)
            && (best.0 - second.0).abs() < 1e-4
            && (best.1 - second.1).abs() < 1e-4
        {
            return None;
        }
        Some((best.2, best.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> RecommendationMatcher {
        use ResourceKind::*;
        RecommendationMatcher::new([
            ("a", "Management ports should be closed on your virtual machines", VirtualMachine),
            (
                "b",
                "Management ports of virtual machines should be protected with just-in-time network access control",
                VirtualMachine,
            ),
            (
                "c",
                "Management ports of EC2 instances should be protected with just-in-time network access control",
                VirtualMachine,
            ),
            ("d", "Secure transfer to storage accounts should be enabled", StorageAccount),
            ("e", "Diagnostic logs in Key Vault should be enabled", KeyVault),
            ("f", "Diagnostic logs in Service Bus should be enabled", Other),
            ("g", "Vulnerabilities on your SQL databases should be remediated", SqlDatabase),
            ("h", "Sensitive data in your SQL databases should be classified", SqlDatabase),
            ("i", "Role-Based Access Control should be used on Kubernetes Services", KubernetesCluster),
            ("j", "Transparent Data Encryption on SQL databases should be enabled", SqlDatabase),
            (
                "k",
                "MFA should be enabled on accounts with owner permissions on your subscription",
                Subscription,
            ),
            (
                "l",
                "MFA should be enabled on accounts with read permissions on your subscription",
                Subscription,
            ),
        ])
    }

    fn key(prompt: &str, kind: Option<ResourceKind>) -> Option<String> {
        matcher().paraphrase(prompt, kind).and_then(|n| n.key)
    }

    #[test]
    fn filter_words_name_a_recommendation_only_on_a_kind_of_resource() {
        let catalog = crate::intent::Lexicon::catalog();
        let named = |prompt: &str, kind| catalog.recommendations.paraphrase(prompt, kind).map(|n| n.name);
        assert_eq!(named("which resources are open to the world", None), None, "that is the exposure filter");
        assert_eq!(
            named("the cloud sql instance open to the world", Some(ResourceKind::SqlDatabase)).as_deref(),
            Some("Ensure that Cloud SQL database instances are not open to the world")
        );
    }

    #[test]
    fn paraphrases_find_the_one_recommendation_meant() {
        assert_eq!(key("terraform for closing management ports on our vms", None).as_deref(), Some("a"));
        assert_eq!(
            key("how do we enable JIT on the management ports of our EC2 instances", None).as_deref(),
            Some("c")
        );
        assert_eq!(
            key("az cli to enable secure transfer on stlogsprod", Some(ResourceKind::StorageAccount))
                .as_deref(),
            Some("d")
        );
        assert_eq!(key("before the audit", None), None, "one word is not enough");
        assert_eq!(key("need a one-liner to enable RBAC on our k8s clusters", None).as_deref(), Some("i"));
        assert_eq!(key("sql dbs w/o TDE?", None).as_deref(), Some("j"));
        assert_eq!(
            key("how do I enable MFA for accounts with owner permissions", None).as_deref(),
            Some("k")
        );
        assert_eq!(
            key(
                "is it dangerous that kv-payments-prod has no diagnostic logs?",
                Some(ResourceKind::KeyVault)
            )
            .as_deref(),
            Some("e")
        );
    }

    #[test]
    fn filter_words_alone_never_name_a_recommendation() {
        assert_eq!(key("which SQL databases have vulnerability findings?", None), None);
        assert_eq!(key("show findings for sql dbs that hold sensitive data", None), None);
        assert_eq!(key("Show critical risks for publicly exposed resources", None), None);
        assert_eq!(key("any diagnostic logs missing?", None), None, "ambiguous without a kind");
    }

    #[test]
    fn quotes_keep_unknown_names_as_written() {
        let m = matcher();
        assert_eq!(
            m.quoted("secure transfer to Storage accounts should be enabled").unwrap().key.as_deref(),
            Some("d")
        );
        let unknown = m
            .quoted("Azure DevOps repositories should have infrastructure as code scanning findings resolved")
            .unwrap();
        assert_eq!(unknown.key, None);
        assert_eq!(m.quoted("the usual thing"), None);
    }
}
