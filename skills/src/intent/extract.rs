//! Slot extraction: the values a prompt states, read from its words.

use std::sync::OnceLock;

use regex::Regex;
use rustc_hash::FxHashSet;
use secbot_chat::{Cloud, ResourceKind, Severity};
use time::Date;

use super::dates::{self, Due};
use super::patterns::PatternSet;
use super::text::{NAME, Text};

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid slot pattern")
}

/// Severities in the order written ("medium and low" → [medium, low]); "high and above",
/// "medium+", "high or worse" include every level above; "sev1" is critical.
pub(crate) fn severities(text: &Text) -> Vec<Severity> {
    static SEV: OnceLock<Regex> = OnceLock::new();
    let sev = SEV.get_or_init(|| re(r"\b(critical|criticals|crit|crits|high|highs|medium|mediums|med|low|lows|sev ?[1-4]s?)\b( level| hanging| permission| permissions| privilege| privileged)?(\+| (and|or) (above|up|higher|worse|more severe|over)| (sev(erity)? )?(and|or) (above|up|higher|worse)|\+? and up| severity or (worse|higher|above))?"));
    let mut out = Vec::new();
    let mut excluded = Vec::new();
    let raw = text.raw.to_lowercase();
    for c in sev.captures_iter(&text.norm) {
        let word = &c[1];
        if c.get(2).is_some() {
            continue;
        }
        let level = match word.trim_end_matches('s').replace(' ', "").as_str() {
            "critical" | "crit" | "sev1" => Severity::Critical,
            "high" | "sev2" => Severity::High,
            "medium" | "med" | "sev3" => Severity::Medium,
            _ => Severity::Low,
        };
        match negation(&text.norm, c.get(1).map_or(0, |m| m.start())) {
            Some(Negation::Excluded) => {
                excluded.push(level);
                continue;
            }
            Some(Negation::NotOnly) => continue,
            None => {}
        }
        // The normalized text has no "+": "high+" and "sev2+" are read from what was typed.
        let attached_plus = raw
            .match_indices(&format!("{word}+"))
            .any(|(at, m)| !raw[at + m.len()..].starts_with(|c: char| c.is_alphanumeric()));
        let and_above = c.get(3).is_some_and(|m| !m.as_str().is_empty()) || attached_plus;
        let levels: Vec<Severity> = if and_above {
            Severity::ALL.iter().copied().filter(|s| *s >= level).collect()
        } else {
            vec![level]
        };
        for level in levels {
            if !out.contains(&level) {
                out.push(level);
            }
        }
    }
    // "everything except the lows", "skip the low-sev noise": every level but those.
    if out.is_empty() && !excluded.is_empty() {
        out = Severity::ALL.iter().copied().filter(|s| !excluded.contains(s)).collect();
    }
    out
}

/// How a word is negated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Negation {
    /// Left out: "except the lows", "drop the gcp stuff".
    Excluded,
    /// Not the only thing: "not just critical".
    NotOnly,
}

/// Whether and how the word at `at` is negated by one of the three words before it.
fn negation(norm: &str, at: usize) -> Option<Negation> {
    let before: Vec<&str> = norm[..at].split_whitespace().rev().take(3).collect();
    let negates = |i: usize, w: &str| {
        (matches!(
            w,
            "except"
                | "exclude"
                | "excluding"
                | "without"
                | "drop"
                | "minus"
                | "not"
                | "no"
                | "remove"
                | "hide"
                | "skip"
                | "ignore"
                | "ignoring"
                | "lose"
                | "besides"
                | "but"
        ) || (w == "out"
            && matches!(
                before.get(i + 1),
                Some(&"filter") | Some(&"take") | Some(&"leave") | Some(&"cut") | Some(&"strip")
            )))
            && (i == 0
                || matches!(before[..i].first(), Some(&"just") | Some(&"only") | Some(&"the") | Some(&"any")))
    };
    let (i, word) = before.iter().enumerate().find(|(i, w)| negates(*i, w))?;
    let not_only = *word == "not" && matches!(before[..i].last(), Some(&"just") | Some(&"only"));
    Some(if not_only { Negation::NotOnly } else { Negation::Excluded })
}

/// True when the word at `at` is negated in either way.
fn negated(norm: &str, at: usize) -> bool {
    negation(norm, at).is_some()
}

/// True when the prompt asks about internet-exposed resources.
pub(crate) fn public(text: &Text) -> bool {
    static PUBLIC: OnceLock<Regex> = OnceLock::new();
    PUBLIC
        .get_or_init(|| re(r"\b(public|publicly|publically|exposed|exposd|exposure|internet|open to the world|open to the internet|world|anyone on the internet|reachable from (the )?(outside|internet)|from (the )?outside|externally (accessible|exposed|reachable)|anonymous|anonymously|world readable)\b"))
        .find_iter(&text.norm)
        // "a public exploit" and "publicly known" say nothing of exposure.
        .any(|m| {
            let rest = &text.norm[m.end()..];
            !((m.as_str() == "public" && rest.starts_with(" exploit"))
                || (m.as_str() == "publicly" && rest.starts_with(" known")))
        })
}

/// True when the prompt asks about sensitive data.
pub(crate) fn sensitive(text: &Text) -> bool {
    static SENSITIVE: OnceLock<Regex> = OnceLock::new();
    SENSITIVE
        .get_or_init(|| re(r"\b(sensitive|sensitve|pii|personal data|personally identifiable|confidential|customer data|regulated data|phi|cardholder|crown jewels|(financial|finacial|finance|payment|payments|billing|invoice|card|health|medical|patient|employee|hr|salary|payroll) (data|info|information|records|details)|card numbers?)\b|\brisks? to (our |the )?data\b"))
        .is_match(&text.norm)
}

/// True when the prompt asks about vulnerabilities (CVEs).
pub(crate) fn vulnerabilities(text: &Text) -> bool {
    static VULNS: OnceLock<Regex> = OnceLock::new();
    VULNS
        .get_or_init(|| re(r"\b(vulnerabilities|vulnerability|vulnerable|vulns?|cves?|rce|patchable|unpatched|exploitable|zero days?|0 days?|0days?|zerodays?|missing (security |os )?(patches|updates)|not patched|outstanding (security )?patches|need(s)? patching|log4j|log4shell|heartbleed|shellshock|spring4shell|springshell|eternalblue|bluekeep|printnightmare|proxylogon|proxyshell|follina|regresshion|citrix bleed|citrixbleed|xz backdoor|poodle|zerologon)\b"))
        .is_match(&text.norm.replace("vulnerability assessment", ""))
        || text.tokens.iter().any(|t| t.starts_with("cve-"))
}

/// Kind phrases, tried longest first at each position.
const KINDS: &[(&str, ResourceKind)] = &[
    (
        r"sql managed instances?|sql servers?|sql databases?|sql dbs?|azure sql|cloud sql|sql",
        ResourceKind::SqlDatabase,
    ),
    (
        r"databases?|dbs?|rds|postgres|postgresql|postgress|mysql|mariadb|bigquery|big query|data warehouses?",
        ResourceKind::SqlDatabase,
    ),
    (r"cosmos dbs?|cosmosdb|cosmos", ResourceKind::CosmosDb),
    (
        r"storage accounts?|storage acounts?|blob storage|blobs?|buckets?|s3|gcs|cloud storage|data lakes?|file shares?|storage",
        ResourceKind::StorageAccount,
    ),
    (r"key vaults?|key vautls|keyvaults?|kvs?|vaults?", ResourceKind::KeyVault),
    (
        r"kubernetes clusters?|kubernetes services?|kubernetes|k8s clusters?|k8s nodes?|k8s|aks clusters?|aks|eks clusters?|eks|gke clusters?|gke|clusters?|pods?",
        ResourceKind::KubernetesCluster,
    ),
    (r"container registries|container registry|registries|registry|acr|ecr", ResourceKind::ContainerRegistry),
    (r"registry images?|container images?|docker images?|images?|containers?", ResourceKind::ContainerImage),
    (
        r"app services?|app servcies|web apps?|webapps?|function apps?|functions?|api apps?",
        ResourceKind::AppService,
    ),
    (
        r"virtual machines?|vms?|vmss|scale sets?|ec2 instances?|ec2|gce instances?|gce|compute engine|servers?|machines?|instances?|hosts?|box|boxes|jump ?box|bastions?",
        ResourceKind::VirtualMachine,
    ),
    (
        r"service principals?|managed identit(y|ies)|identities|identity|iam roles?|iam users?|iam",
        ResourceKind::Identity,
    ),
    (
        r"network security groups?|nsgs?|virtual networks?|vnets?|subnets?|firewalls?|application gateways?|app gateways?|load balancers?|ddos|open ports|networks?",
        ResourceKind::Network,
    ),
    (r"aws accounts?|gcp projects?|subscriptions?", ResourceKind::Subscription),
];

/// The first resource kind the prompt names, in reading order.
pub(crate) fn resource_kind(text: &Text) -> Option<ResourceKind> {
    static PATTERNS: OnceLock<PatternSet> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        let sources: Vec<String> = KINDS.iter().map(|(p, _)| format!(r"\b({p})\b")).collect();
        PatternSet::new(sources.iter().map(String::as_str))
    });
    // Words that name a kind without asking for it, each holding "storage", "network" or
    // "server".
    let norm = match text.has("storage") || text.has("network") || text.has("server") {
        true => std::borrow::Cow::Owned(
            text.norm
                .replace("defender for storage", "defender for _")
                .replace("network access", "_ access")
                .replace("storage team", "_ team")
                .replace("network team", "_ team")
                .replace("api server", "api _")
                .replace("sql server on", "_ on"),
        ),
        false => std::borrow::Cow::Borrowed(text.norm.as_str()),
    };
    let mut best: Option<(usize, usize, ResourceKind)> = None;
    for i in patterns.matching(&norm) {
        let kind = &KINDS[i].1;
        for m in patterns.pattern(i).find_iter(&norm) {
            // A scope such as "in every subscription" is not the kind asked about.
            if *kind == ResourceKind::Subscription {
                let before = norm[..m.start()].trim_end();
                let after = norm[m.end()..].trim_start();
                let scope = [
                    "in",
                    "across",
                    "per",
                    "each",
                    "every",
                    "all",
                    "my",
                    "our",
                    "for",
                    "which",
                    "test",
                    "dev",
                    "prod",
                    "sandbox",
                    "production",
                    "staging",
                    "development",
                    "nonprod",
                ]
                .iter()
                .any(|w| before.ends_with(&format!(" {w}")) || before == *w);
                let itself = ["themselves", "itself", "level", "settings", "owner"]
                    .iter()
                    .any(|w| after.starts_with(w));
                // "what's open on the aws account" is everything in it.
                let named_cloud = m.as_str().starts_with("aws") || m.as_str().starts_with("gcp");
                let about = itself
                    || (!named_cloud
                        && (before.ends_with(" on a")
                            || before.ends_with(" on the")
                            || before.ends_with(" on")
                            || m.as_str().ends_with('s')));
                if scope || !about {
                    continue;
                }
            }
            let candidate = (m.start(), usize::MAX - m.len(), *kind);
            if best.is_none_or(|b| (candidate.0, candidate.1) < (b.0, b.1)) {
                best = Some(candidate);
            }
            break;
        }
    }
    best.map(|(_, _, kind)| kind)
}

/// The cloud the prompt names.
pub(crate) fn cloud(text: &Text) -> Option<Cloud> {
    static CLOUD: OnceLock<Regex> = OnceLock::new();
    let cloud = CLOUD.get_or_init(|| re(r"\b(azure|aws|amazon|gcp|google cloud|google)\b"));
    // "we're mostly AWS and GCP … what does defender flag on the gcp side?": the cloud named
    // last is the one asked about.
    // ("the azure one, aws cli": a language is not the cloud asked about.)
    let named: Vec<_> = cloud
        .captures_iter(&text.norm)
        .filter(|c| !negated(&text.norm, c.get(1).map_or(0, |m| m.start())))
        .collect();
    let tool = |c: &regex::Captures| {
        let after = text.norm[c.get(0).map_or(0, |m| m.end())..].trim_start();
        ["cli", "cmd", "command", "powershell", "console"].iter().any(|w| after.starts_with(w))
    };
    // "across azure, aws and gcp" is every cloud.
    let listed = named.last().is_some_and(|c| {
        let before = text.norm[..c.get(0).map_or(0, |m| m.start())].trim_end();
        named.len() > 1 && (before.ends_with(" and") || before.ends_with(" or") || before.ends_with(','))
    });
    if listed {
        return None;
    }
    named.iter().rev().find(|c| !tool(c)).or(named.last()).map(|c| match &c[1] {
        "azure" => Cloud::Azure,
        "aws" | "amazon" => Cloud::Aws,
        _ => Cloud::Gcp,
    })
}

/// True when the prompt asks about people or their work on findings: owners, assignments,
/// due dates, progress.
pub(crate) fn about_work(text: &Text) -> bool {
    static WORK: OnceLock<Regex> = OnceLock::new();
    WORK.get_or_init(|| {
        re(r"\b(who|whos|whose|anyone|anybody|someone|somebody|nobody|no one|owner|owners|owns|own|owned|ownership|assigned|assign|assignee|unassigned|delegated|delegate|handling|handled|working|workload|due|overdue|deadline|late|progress|status|on track|plate|picked up|pick up|my|mine|me|i|we|our team|team)\b")
    })
    .is_match(&text.norm)
}

/// True when the prompt asks whom to go to about something the thread points at: "who do i ask
/// about it then", "who should we ping re #3".
pub(crate) fn asks_whom_to_ask(text: &Text) -> bool {
    static WHOM: OnceLock<Regex> = OnceLock::new();
    WHOM.get_or_init(|| {
        re(r"\bwho (do|should|can|could|would) (i|we) (ask|talk to|speak to|ping|chase|poke|bug|contact|reach out to|escalate to|go to) (about|re|regarding|for|on) (it|this|that|them|those|these|the \w+ one|#?\d+|no \d+|number \d+)\b")
    })
    .is_match(&text.norm)
}

/// True when the prompt asks what someone has on: "what li.wei is working on", "how many is
/// dana carrying", "is sam swamped".
pub(crate) fn asks_about_someones_work(text: &Text) -> bool {
    static WORK: OnceLock<Regex> = OnceLock::new();
    WORK.get_or_init(|| {
        re(r"\b(working on|workin on|work on|carrying|carries|carry|plate|workload|load|swamped|busy|overloaded|assigned|owns|open items|have open|has open|still have|still has)\b")
    })
    .is_match(&text.norm)
}

/// The person whose work a prompt asks to see by their name alone: "show alex's", "and
/// priya's ones?", "now omar's list".
pub(crate) fn shows_someones(text: &Text, person: &dyn Fn(&str) -> bool) -> Option<String> {
    static SHOWS: OnceLock<Regex> = OnceLock::new();
    SHOWS
        .get_or_init(|| {
            re(r"(?:^|\b(?:show|list|and|what about|how about|now|then|ok|pull up|open) )(?:me )?(?:only )?@?([a-z][a-z.]*)(?: (?:ones|items|stuff|work|list|findings|tasks|queue|overdue ones|overdue|open ones))?(?: (?:pls|please|too|then|now))?$")
        })
        .captures(text.norm.trim())
        .map(|c| c[1].to_owned())
        // (The possessive is how it asks: "alex" alone answers "Who should own this?".)
        .filter(|name| person(name) && ["'s", "’s"].iter().any(|s| text.raw.to_lowercase().contains(&format!("{name}{s}"))))
}

/// True when the prompt takes back what the thread just pointed at: "no wait, not that one",
/// "sorry, I meant the 4th", "actually the other one".
pub(crate) fn corrects(text: &Text) -> bool {
    static CORRECTS: OnceLock<Regex> = OnceLock::new();
    CORRECTS
        .get_or_init(|| {
            re(r"^((hmm|hm|uh|um|oh) )?(no|nope|nah|wait|sorry|oops|actually|scratch that|scrap that|my bad|correction)\b|\b(not that one|not this one|not that|wrong one|i meant|i mean|meant the|the other one|the other \w+ one|make that|make it \w+ instead|instead of)\b")
        })
        .is_match(text.norm.trim())
}

/// True when the prompt hands work over ("assign", "give it to", "put sam on it"), as
/// opposed to asking who has it.
pub(crate) fn hands_over(text: &Text) -> bool {
    static HANDS: OnceLock<Regex> = OnceLock::new();
    HANDS
        .get_or_init(|| {
            re(r"\b(assign|reassign|delegate|give|hand|pass|route|move|put|make|set|takes?|grab|allocate|appoint|nominate)\b")
        })
        .is_match(&text.norm)
}

/// The cloud a prompt names only as part of a tool's name ("aws cli", "azure cli commands"):
/// the language asked for, not a filter on the findings.
pub(crate) fn cloud_of_tool_only(text: &Text) -> Option<Cloud> {
    const TOOL: [&str; 5] = ["cli", "cmd", "cmds", "command", "commands"];
    let mut named = None;
    for (i, word) in text.words.iter().enumerate() {
        let cloud = match word.as_str() {
            "aws" | "amazon" => Cloud::Aws,
            "azure" => Cloud::Azure,
            "gcp" | "google" => Cloud::Gcp,
            _ => continue,
        };
        if !text.words.get(i + 1).is_some_and(|next| TOOL.contains(&next.as_str())) {
            return None;
        }
        named = Some(cloud);
    }
    named
}

/// The cloud an AWS or GCP service name pins down ("s3 buckets" are AWS, "gke" is GCP); Azure
/// service names are left out because secbot's Azure kinds have cross-cloud twins.
pub(crate) fn service_cloud(text: &Text) -> Option<Cloud> {
    only_cloud(&service_clouds(text, false))
}

/// The cloud implied by service names ("EC2" is AWS) when no cloud is named; none when they
/// name services of several clouds ("we got gke + eks + aks").
pub(crate) fn implied_cloud(text: &Text) -> Option<Cloud> {
    only_cloud(&service_clouds(text, true))
}

/// The clouds whose services the prompt names, in the order AWS, GCP, Azure (Azure's only when
/// asked for).
fn service_clouds(text: &Text, azure: bool) -> [Option<Cloud>; 3] {
    static SERVICES: OnceLock<[(Cloud, Regex); 3]> = OnceLock::new();
    let services = SERVICES.get_or_init(|| {
        [
            (Cloud::Aws, re(r"\b(ec2|s3|rds|eks|ecr|iam roles?|lambda|cloudtrail|aws accounts?)\b")),
            (Cloud::Gcp, re(r"\b(gce|gcs|gke|bigquery|big query|cloud sql|cloud storage|compute engine|gcp projects?)\b")),
            (Cloud::Azure, re(r"\b(aks|acr|key vaults?|keyvaults?|cosmos|app services?|function apps?|azure sql|nsgs?|vnets?|managed identit(y|ies)|subscriptions?)\b")),
        ]
    });
    services.each_ref().map(|(cloud, pattern)| {
        (*cloud != Cloud::Azure || azure).then_some(*cloud).filter(|_| pattern.is_match(&text.norm))
    })
}

fn only_cloud(named: &[Option<Cloud>]) -> Option<Cloud> {
    let mut clouds = named.iter().flatten();
    match (clouds.next(), clouds.next()) {
        (Some(cloud), None) => Some(*cloud),
        _ => None,
    }
}

/// True when `after` opens with a month's name or its short form ("dec", "december 2026"), as
/// after a day's number ("15th dec"); "may" only alone or before a year ("the 2nd may be …" is
/// a row).
fn month_follows(after: &str) -> bool {
    const MONTHS: [&str; 23] = [
        "jan",
        "january",
        "feb",
        "february",
        "mar",
        "march",
        "apr",
        "april",
        "jun",
        "june",
        "jul",
        "july",
        "aug",
        "august",
        "sep",
        "sept",
        "september",
        "oct",
        "october",
        "nov",
        "november",
        "dec",
        "december",
    ];
    let mut words = after.split_whitespace();
    match words.next() {
        Some("this" | "next" | "the") => words.next() == Some("month"),
        Some("may") => words.next().is_none_or(|w| w.chars().all(|c| c.is_ascii_digit())),
        Some(word) => MONTHS.contains(&word),
        None => false,
    }
}

/// How a prompt answers a proposal waiting in its thread ("Assign to Dana?"): `Some(true)` for
/// a yes ("yes", "go ahead", "yes I confirm"), `Some(false)` for a no ("cancel", "never mind"),
/// `None` for anything else, which is a prompt of its own.
pub fn answers_proposal(prompt: &str) -> Option<bool> {
    // An answer is made only of these words, with at least one that says yes or no by itself
    // (or a phrase that does): "yep do it", "ok go ahead pls", "nah, cancel that thanks".
    const YES: [&str; 18] = [
        "yes",
        "y",
        "yep",
        "yeah",
        "yup",
        "ya",
        "yea",
        "sure",
        "confirm",
        "confirmed",
        "lgtm",
        "correct",
        "approve",
        "approved",
        "perfect",
        "absolutely",
        "definitely",
        "affirmative",
    ];
    const YES_PHRASES: [&str; 10] = [
        "do it",
        "go ahead",
        "sounds good",
        "looks good",
        "ship it",
        "go for it",
        "that works",
        "works for me",
        "please do",
        "yes please",
    ];
    const NO: [&str; 6] = ["no", "nope", "nah", "cancel", "dont", "abort"];
    const NO_PHRASES: [&str; 8] = [
        "never mind",
        "nevermind",
        "scratch that",
        "forget it",
        "not now",
        "hold off",
        "dont do it",
        "no thanks",
    ];
    const FILLER: [&str; 30] = [
        "ok", "okay", "k", "kk", "alright", "i", "that", "thats", "it", "s", "right", "great", "fine",
        "then", "just", "and", "so", "please", "pls", "plz", "thanks", "thx", "ty", "thank", "you", "cool",
        "good", "actually", "wait", "sir",
    ];
    let plain: String = prompt
        .to_lowercase()
        .chars()
        .filter(|c| *c != '\'' && *c != '’')
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut said = format!(" {} ", plain.split_whitespace().collect::<Vec<_>>().join(" "));
    let (mut yes, mut no) = (false, false);
    for (phrases, answer) in [(&NO_PHRASES[..], &mut no), (&YES_PHRASES[..], &mut yes)] {
        for phrase in phrases {
            let padded = format!(" {phrase} ");
            if said.contains(&padded) {
                said = said.replace(&padded, " ");
                *answer = true;
            }
        }
    }
    for word in said.split_whitespace() {
        match word {
            w if YES.contains(&w) => yes = true,
            w if NO.contains(&w) => no = true,
            w if FILLER.contains(&w) => {}
            _ => return None,
        }
    }
    match (yes, no) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

/// Words that may stand beside a number that is the whole answer ("ok 2 pls", "and 3?").
const ALONE_WITH_A_NUMBER: [&str; 9] = ["ok", "okay", "and", "then", "pls", "please", "plz", "so", "k"];

/// The due date a prompt is made of, and nothing else: "friday", "by 12/18", "make it the 21st
/// pls" (how a person answers "By when?").
pub(crate) fn only_a_date(text: &Text, today: Date) -> Option<Due> {
    const AROUND: [&str; 22] = [
        "by", "due", "on", "until", "till", "before", "ok", "okay", "then", "pls", "please", "make", "it",
        "lets", "say", "maybe", "for", "the", "of", "and", "thanks", "latest",
    ];
    let due = dates::find_due(&text.norm, today, true)?;
    due.date?;
    let rest = text.norm.replacen(&due.text, " ", 1);
    let words: Vec<&str> = rest.split_whitespace().collect();
    (words.len() <= 4 && words.iter().all(|w| AROUND.contains(w))).then_some(due)
}

/// A position in the last list: "the 2nd one" → 2, "#3" → 3, "the last one" → -1.
pub(crate) fn ordinal(text: &Text) -> Option<i32> {
    static NUMERIC: OnceLock<Regex> = OnceLock::new();
    static WORDS: OnceLock<Regex> = OnceLock::new();
    static LAST: OnceLock<Regex> = OnceLock::new();
    static ITEM: OnceLock<Regex> = OnceLock::new();
    static BOTTOM: OnceLock<Regex> = OnceLock::new();
    // "3", "ok 2 pls": a number alone, as people answer "which one do you mean?" or pick a row.
    let said: Vec<&str> =
        text.words.iter().map(String::as_str).filter(|w| !ALONE_WITH_A_NUMBER.contains(w)).collect();
    if let [number] = said.as_slice()
        && let Ok(n) = number.parse::<i32>()
    {
        return (1..=50).contains(&n).then_some(n);
    }
    // "4 sql-warehouse-prod brute force whats the story", "7 looks like cryptomining": a number
    // opening the prompt, followed by a name or a remark on it rather than what it counts.
    const ON_A_ROW: [&str; 17] = [
        NAME, "looks", "look", "seems", "is", "s", "whats", "what", "why", "how", "explain", "fix",
        "details", "info", "again", "pls", "please",
    ];
    if let [first, next, ..] = said.as_slice()
        && ON_A_ROW.contains(next)
        && let Ok(n) = first.parse::<i32>()
        && (1..=50).contains(&n)
    {
        return Some(n);
    }
    for (i, token) in text.words.iter().enumerate() {
        if let Some(n) = token.strip_prefix('#').and_then(|n| n.parse::<i32>().ok()) {
            // "patient records are my #1", "our #1 priority": what matters most, not a row.
            let owned = i
                .checked_sub(1)
                .is_some_and(|j| matches!(text.words[j].as_str(), "my" | "our" | "their" | "your"));
            let ranked = text.words.get(i + 1).is_some_and(|w| {
                matches!(
                    w.as_str(),
                    "priority" | "concern" | "goal" | "focus" | "worry" | "job" | "rule" | "ask"
                )
            });
            if owned || ranked {
                continue;
            }
            return (1..=50).contains(&n).then_some(n);
        }
    }
    let numeric =
        NUMERIC.get_or_init(|| re(r"(^|\s)(by |due |until |till |til |before |after |from |since |starting |on |for |to |deadline |deadline of |date of |date |(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday) )?(the )?(\d{1,2})(st|nd|rd|th)\b( (one|item|finding|row|entry|rec|issue|on|in|of))?"));
    // Several of the forms below need a digit; most prompts have none.
    let digits = text.norm.bytes().any(|b| b.is_ascii_digit());
    if digits {
        for c in numeric.captures_iter(&text.norm) {
            // "by the 20th" is a date; "on the 2nd one" and "details on the 7th" are not.
            let about = c.get(2).is_some_and(|m| m.as_str().trim() == "on")
                && [
                    "details",
                    "detail",
                    "deets",
                    "info",
                    "more",
                    "notes",
                    "context",
                    "update",
                    "focus",
                    "thoughts",
                    "thought",
                    "opinion",
                    "views",
                    "comments",
                    "take",
                    "ideas",
                    "questions",
                    "question",
                ]
                .iter()
                .any(|w| text.norm[..c.get(0).map_or(0, |m| m.start())].trim_end().ends_with(w));
            // ("the fix for the 3rd" is a row; "keep omar on it but for the 16th" is a day.)
            // ("move it to the 2nd" is a row; "push the due date to the 18th" is a day.)
            let row_for = c.get(2).is_some_and(|m| matches!(m.as_str(), "for " | "to "))
                && c[4].parse::<i32>().is_ok_and(|n| n <= 10);
            if c.get(2).is_some() && c.get(6).is_none() && !about && !row_for {
                continue;
            }
            // "15th dec", "the 3rd of january": a day of a month.
            let after = text.norm[c.get(0).map_or(0, |m| m.end())..].trim_start();
            let after = after.strip_prefix("of ").unwrap_or(after);
            if month_follows(after) {
                continue;
            }
            if let Ok(n) = c[4].parse::<i32>() {
                return (1..=50).contains(&n).then_some(n);
            }
        }
    }
    const ORDINALS: [&str; 10] =
        ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];
    let words = WORDS.get_or_init(|| {
        re(r"\b(the )?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)( one| item| finding| recommendation| result| row| entry| resource| rec| issue| point| bullet| line)?\b")
    });
    for c in words.captures_iter(&text.norm) {
        if c.get(1).is_some() || c.get(3).is_some() {
            let n = ORDINALS.iter().position(|w| *w == &c[2]).map(|i| i as i32 + 1);
            if n.is_some() {
                return n;
            }
        }
    }
    // "first", "ok second": an ordinal word alone.
    let content: Vec<&str> = text
        .words
        .iter()
        .map(String::as_str)
        .filter(|w| {
            !matches!(*w, "ok" | "okay" | "k" | "and" | "so" | "now" | "then" | "pls" | "please" | "plz")
        })
        .collect();
    // "fix first", "assign first": a verb and the ordinal word, nothing else.
    let verb = |w: &str| {
        matches!(
            w,
            "fix"
                | "patch"
                | "remediate"
                | "explain"
                | "assign"
                | "delegate"
                | "why"
                | "summarize"
                | "summarise"
        )
    };
    let ordinal_word = match content.as_slice() {
        [one] => Some(*one),
        [first, one] if verb(first) => Some(*one),
        _ => None,
    };
    if let Some(one) = ordinal_word
        && let Some(i) = ORDINALS.iter().position(|w| *w == one)
    {
        return Some(i as i32 + 1);
    }
    let last = LAST.get_or_init(|| {
        re(r"\bthe (last|final|bottom)( one| item| finding| recommendation| result| row| entry| resource| rec| issue)?\b( (\d+\w*|few|couple|several|two|three|week|weeks|night|sprint|month|months|year|day|days|hour|hours|time|scan|question|answer|standup|quarter|report|review|audit|run|sync|check|meeting|deploy|deployment|release|update|digest|incident|change|login|pentest))?")
    });
    for c in last.captures_iter(&text.norm) {
        // "the final one" is the last row; "the bottom line" and "the last 7 days" are not.
        if c.get(3).is_none() && (&c[1] == "last" || c.get(2).is_some()) {
            return Some(-1);
        }
    }
    // "the bucket at the bottom", as "the bucket at the top" is the first.
    if text.has("bottom")
        && BOTTOM.get_or_init(|| re(r"\bthe [a-z]+ (at|on) the bottom\b")).is_match(&text.norm)
    {
        return Some(-1);
    }
    let item = ITEM.get_or_init(|| {
        re(r"\b(number|item|no|row|finding|nr|num|path|alert) (\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b")
    });
    // "no 2" is number 2; "no one" is nobody; "path 3" is the 3rd path, "the alert one" a kind.
    if let Some(c) = item
        .captures_iter(&text.norm)
        .find(|c| !matches!(&c[1], "no" | "path" | "alert") || c[2].parse::<i32>().is_ok())
    {
        const WORDS: [&str; 10] =
            ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
        return c[2].parse().ok().or_else(|| WORDS.iter().position(|w| *w == &c[2]).map(|i| i as i32 + 1));
    }
    if let Some(n) = ordinal_abroad(text) {
        return Some(n);
    }
    // A row by its number alone: "patch 4", "why 3", "and 5?" (a short ask about it); "assign 3
    // to li.wei, due in 10 days" (handed to someone); "6 - whats that", "3: why?" (the number
    // first, then the question; "the 3 who is owner").
    static NUMBERED: OnceLock<[Regex; 4]> = OnceLock::new();
    let numbered = NUMBERED.get_or_init(|| {
        [
            re(r"^(and |ok |so |now )?(fix|patch|remediate|explain|why|whats|what about|about|assign|delegate|summarize|summarise|details|detail|deets|info|details on|info on|more on|tell me about|who owns|status of|same|same thing|ditto|likewise|do the same)( for| on| of| with)? (?P<n>\d{1,2})( (in|with|using|via|as) [a-z_]+( [a-z]+)?)?( pls| please| plz| too| again| then| now)?$"),
            re(r"^(and |ok |so |now |pls |please )?(assign|give|hand|delegate|move|reassign|send|put) (?P<n>\d{1,2}) (to|over to|on)\b"),
            re(r"^(the |and the |ok the |so the )?(?P<n>\d{1,2}) (whats|what s|what is|what|why|explain|fix|how|who|whos|when|details|more|info|tell|is already|is still|belongs)\b"),
            // "4 to jules, same date": the row, handed to someone.
            re(r"^(and |ok |so |then |now )?(?P<n>\d{1,2}) (to|goes to|go to|for) @?[a-z]"),
        ]
    });
    if digits
        && let Some(n) = numbered
            .iter()
            .find_map(|r| r.captures(text.norm.trim())?.name("n")?.as_str().parse::<i32>().ok())
    {
        return (1..=50).contains(&n).then_some(n);
    }
    // Lists are ranked worst first: "the worst of those", "the top one" is the first item ("the
    // worst ones" are a list).
    static TOP: OnceLock<Regex> = OnceLock::new();
    TOP.get_or_init(|| {
        re(r"\bthe (worst|top|highest|riskiest|scariest|most severe|most critical|biggest|first) (one|item|finding|of (those|them|these|the list|it all)|on the list|in the list|there|here|crit|critical)\b|\b(worst|top) (one|of (those|them|these))\b|\bthe [a-z]+ (at|on) the top\b|\b(one|item|finding|thing) (at|on) the top\b|\b(at the )?top of the (list|page)\b|\bthe one up top\b")
    })
    .is_match(&text.norm)
    .then_some(1)
}

/// Several rows of the last list at once: "first three to omar", "the top 2", "the last two",
/// "1-3", "#1 and #4", "2, 3 and 5". Positions from 1; the last rows count back from -1.
pub(crate) fn rows(text: &Text) -> Vec<i32> {
    static SPAN: OnceLock<[Regex; 3]> = OnceLock::new();
    const NUMBERS: [&str; 10] =
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    let number = |w: &str| {
        w.parse::<i32>().ok().or_else(|| NUMBERS.iter().position(|n| *n == w).map(|i| i as i32 + 1))
    };
    let [first, range, listed] = SPAN.get_or_init(|| {
        [
            re(r"\b(first|top|last|bottom) (two|three|four|five|2|3|4|5)\b"),
            re(r"(^|\s)#?(\d{1,2}) ?(-|to|through|thru) ?#?(\d{1,2})( |$)"),
            re(r"(^|\s)#?(\d{1,2})((,| and| &| n|,? and|) #?\d{1,2}){1,4}\b"),
        ]
    });
    if let Some(c) = first.captures(&text.norm)
        && let Some(n) = number(&c[2])
    {
        return match &c[1] {
            "last" | "bottom" => (-n..=-1).collect(),
            _ => (1..=n).collect(),
        };
    }
    // "the points one until three", "items 2 till 4": rows named by a noun and a span in words.
    static WORDED: OnceLock<Regex> = OnceLock::new();
    let worded = WORDED.get_or_init(|| {
        re(r"\b(points?|items?|rows?|numbers?|findings?|nos?) (\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten) (-|to|through|thru|until|till) (\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b")
    });
    if let Some(c) = worded.captures(&text.norm)
        && let (Some(a), Some(b)) = (number(&c[2]), number(&c[4]))
        && (1..b).contains(&a)
        && b - a < 10
    {
        return (a..=b).collect();
    }
    if !text.norm.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    if let Some(c) = range.captures(&text.norm)
        && let (Ok(a), Ok(b)) = (c[2].parse::<i32>(), c[4].parse::<i32>())
        && (1..b).contains(&a)
        && b - a < 10
    {
        return (a..=b).collect();
    }
    // ("2 3 and 5" once commas are gone; two numbers side by side without a conjunction are not
    // a list of rows.)
    if let Some(m) =
        listed.find(&text.norm).filter(|m| [" and ", " & ", " n "].iter().any(|w| m.as_str().contains(w)))
    {
        let found: Vec<i32> = m
            .as_str()
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .filter(|n| (1..=50).contains(n))
            .collect();
        if found.len() >= 2 {
            return found;
        }
    }
    Vec::new()
}

/// A row by its position as people write it in Spanish, German, French, Italian, Portuguese
/// or romanized Hindi ("el segundo", "Nummer drei", "pehla wala"), or as dictation mishears
/// "number two" ("number to", "number for").
fn ordinal_abroad(text: &Text) -> Option<i32> {
    static ABROAD: OnceLock<Regex> = OnceLock::new();
    const POSITIONS: [&[&str]; 5] = [
        &[
            "primero",
            "primera",
            "premier",
            "premiere",
            "erste",
            "ersten",
            "erster",
            "erstes",
            "primo",
            "pehla",
            "pehli",
            "pehle",
            "numero uno",
            "nummer eins",
            "number eins",
            "number uno",
            "number won",
        ],
        &[
            "segundo",
            "segunda",
            "deuxieme",
            "zweite",
            "zweiten",
            "zweiter",
            "zweites",
            "secondo",
            "doosra",
            "dusra",
            "doosri",
            "dusri",
            "numero dos",
            "numero deux",
            "nummer zwei",
            "number zwei",
            "number dos",
            "number deux",
            "number to",
            "number too",
        ],
        &[
            "tercero",
            "tercera",
            "tercer",
            "troisieme",
            "dritte",
            "dritten",
            "dritter",
            "drittes",
            "terzo",
            "terceiro",
            "teesra",
            "tisra",
            "teesri",
            "numero tres",
            "numero trois",
            "nummer drei",
            "number drei",
            "number tres",
            "number trois",
            "number tree",
        ],
        &[
            "cuarto",
            "cuarta",
            "quatrieme",
            "vierte",
            "vierten",
            "vierter",
            "quarto",
            "chautha",
            "numero cuatro",
            "nummer vier",
            "number vier",
            "number cuatro",
            "number for",
        ],
        &[
            "quinto",
            "quinta",
            "cinquieme",
            "funfte",
            "fuenfte",
            "fünfte",
            "panchva",
            "numero cinco",
            "nummer funf",
            "number funf",
            "number fünf",
            "number cinco",
            "nummer fünf",
        ],
    ];
    let abroad = ABROAD.get_or_init(|| {
        let words: Vec<&str> = POSITIONS.iter().flat_map(|w| w.iter().copied()).collect();
        re(&format!(r"\b({})\b", words.join("|")))
    });
    let found = abroad.find(&text.norm)?.as_str();
    POSITIONS.iter().position(|words| words.contains(&found)).map(|i| i as i32 + 1)
}

/// Words that make "X team" no team's name ("our team", "the whole team").
const NOT_A_TEAM: [&str; 14] = [
    "the", "a", "an", "my", "our", "your", "their", "this", "that", "whole", "entire", "every", "each",
    "same",
];

/// Who should own the work, as written ("@dana", "me", "storage team", "resource_owner").
pub(crate) fn assignee(text: &Text, people: &dyn Fn(&str) -> bool) -> Option<String> {
    static RULES: OnceLock<Vec<Regex>> = OnceLock::new();
    let rules = RULES.get_or_init(|| {
        [
            r"\bfrom (?:@\S+|me) to (@\S+|me)\b",
            r"\bto (@\S+)",
            r"\bto (?:the )?(resource owner)\b",
            r"\bto (?:the |its |their )?(?:(?:image|app|application|vm|server|vault|bucket|account|database|db|cluster|registry|repo|service|system) )?(owners?)\b",
            r"\bto (whoever owns)\b",
            r"\bto (me|myself)\b",
            r"\b(?:to|for|on) (?:the )?((?:\w+ ){0,1}\w+ team)\b",
            r"\b(?:give|make|can|owner|on|hand) (@\S+)",
            r"^(@\S+)",
            r"\bput (me) (?:down )?as\b",
            r"\b(?:on|off) (my) plate\b",
            r"\b(?:assigned to|on) (me)\b",
            // ("it would be very helpful for me to know which findings are late" is no one's.)
            r"\bfor (me)(?: (?:today|this week|now|right now|pls|please))?$",
            // Taking the work oneself ("I'll take the 2nd", "sign me up", "dibs on #3") is "me":
            // these rules capture nothing.
            r"\b(?:ill|i will|i can|let me|im going to|im gonna|imma|i want to|i wanna|id like to) (?:take|own|grab|handle|eat|pick|claim|run point)\b",
            r"\b(?:put|sign|count|set|mark) me (?:on|up|in|down|as)\b",
            r"\b(?:put|add|with) my name\b",
            r"\bdibs\b",
            r"\b(?:is|are|ones|its|thats) mine\b",
            r"(@\S+)",
            // A team named anywhere: "platform team takes the aks ones", "web team owns #2".
            r"(?:^|\s)([a-z]+ team)\b",
        ]
        .iter()
        .map(|p| re(p))
        .collect()
    });
    for rule in rules {
        if let Some(c) = rule.captures(&text.norm) {
            let who = c.get(1).map_or("me", |m| m.as_str()).trim_end_matches(['?', '!', ',', '.']).to_owned();
            if who.ends_with(" team") && who.split(' ').next().is_some_and(|w| NOT_A_TEAM.contains(&w)) {
                continue;
            }
            return Some(match who.as_str() {
                "myself" | "my" => "me".to_owned(),
                "resource owner" | "owner" | "owners" | "whoever owns" => "resource_owner".to_owned(),
                _ => who,
            });
        }
    }
    // "assign it to dana by friday": a bare name that the directory knows.
    static BARE: OnceLock<Regex> = OnceLock::new();
    let bare = BARE.get_or_init(|| re(r"\bto ([a-z][a-z.]+)\b(?: ([a-z]+)\b)?"));
    bare.captures_iter(&text.norm).find_map(|c| {
        // "assign it to Li Wei": a first and last name the directory knows as one handle.
        let joined = c.get(2).map(|last| format!("{}.{}", &c[1], last.as_str()));
        joined.filter(|name| people(name)).or_else(|| Some(c[1].to_owned()).filter(|name| people(name)))
    })
}

/// The script tools secbot writes, by the names [`tool`] gives them.
pub const TOOLS: [&str; 6] = ["powershell", "bicep", "terraform", "gcloud", "aws_cli", "azure_cli"];

/// Words that turn down the tool named after them: "we don't do bicep", "not terraform",
/// "rather than powershell".
const NOT_THIS_TOOL: [&str; 7] = ["not", "dont", "t", "without", "than", "instead", "never"];

/// The preferred script tool, if the prompt names one (and not one it turns down).
pub(crate) fn tool(text: &Text) -> Option<&'static str> {
    let n = &text.norm;
    let turned_down = |w: &str| {
        text.words.iter().enumerate().filter(|(_, x)| *x == w).all(|(i, _)| {
            text.words[i.saturating_sub(3)..i].iter().any(|before| NOT_THIS_TOOL.contains(&before.as_str()))
        })
    };
    let has = |w: &str| text.has(w) && !turned_down(w);
    // "ps" is PowerShell next to a word about code ("ps script", "in ps", "ps version"), or
    // when it is the whole ask ("ps pls"); elsewhere it is a postscript.
    const CODE: [&str; 14] = [
        "script",
        "scripts",
        "version",
        "cmdlet",
        "cmdlets",
        "cmd",
        "cmds",
        "command",
        "commands",
        "snippet",
        "code",
        "equivalent",
        "instead",
        "one",
    ];
    let words: Vec<&str> = text.words.iter().map(String::as_str).collect();
    let ps = words.iter().enumerate().any(|(i, w)| {
        *w == "ps"
            && (words.get(i + 1).is_some_and(|next| CODE.contains(next))
                || i.checked_sub(1)
                    .and_then(|j| words.get(j))
                    .is_some_and(|prev| ["in", "as", "via"].contains(prev))
                || words
                    .iter()
                    .all(|w| ["ps", "pls", "please", "plz", "then", "actually", "ok", "k"].contains(w)))
    });
    if has("powershell") || has("pwsh") || has("ps1") || has("posh") || ps {
        Some("powershell")
    } else if has("bicep") || n.contains("arm template") {
        Some("bicep")
    } else if has("terraform") || has("tf") || has("iac") || has("hcl") || has("opentofu") || has("tofu") {
        Some("terraform")
    } else if has("gcloud") || has("gsutil") {
        Some("gcloud")
    } else if n.contains("aws cli")
        || has("awscli")
        || (has("aws") && (has("cli") || has("cmds") || has("commands")))
    {
        Some("aws_cli")
    // ("bash" alone, "in bash pls": the CLI script; "write me a bash loop" is not about a fix.)
    } else if has("az") || n.contains("azure cli") || has("cli") || (has("bash") && text.words.len() <= 3) {
        Some("azure_cli")
    } else {
        None
    }
}

/// True when the prompt asks for an exemption or risk acceptance rather than a fix.
pub(crate) fn exemption(text: &Text) -> bool {
    static EXEMPT: OnceLock<Regex> = OnceLock::new();
    EXEMPT
        .get_or_init(|| {
            re(r"\b(exempt|exemption|exempted|waiver|risk accepted|accept the risk|suppress|dismiss)\b")
        })
        .is_match(&text.norm)
}

/// True when the prompt asks for an exemption of one thing it points at ("exempt this one, it's a
/// test subscription", "an exemption for the 2nd"), with no word that takes in many or speaks of
/// the score: a single exemption is a fix a team may choose, not the hiding that games the score.
pub(crate) fn single_exemption(text: &Text, pointed: bool) -> bool {
    static MANY: OnceLock<Regex> = OnceLock::new();
    pointed
        && exemption(text)
        && !MANY
            .get_or_init(|| {
                re(r"\b(all|every|everything|each|bulk|any|whole|entire|rest|them|those|these|whatever|score|number|dashboard|green|points|audit|auditors?|review|qbr|board)\b")
            })
            .is_match(&text.norm)
}

/// True when the prompt points at something already in the conversation ("this", "it", "the
/// kv ones", "that list").
pub(crate) fn deictic(text: &Text) -> bool {
    static DEICTIC: OnceLock<Regex> = OnceLock::new();
    DEICTIC
        .get_or_init(|| {
            re(r"\b(this|these|those|them|above|ones|the list|short version|what you just showed)\b|\bit\b|\bthat (one|list|finding|recommendation|resource|item|to|stuff|thing|rec|issue)\b|\b(fix|explain|assign|summarize|summarise|about|of|forward|post|share|send|filter|is|does|do|with|take|give) that\b|\bthat$|\bthe \w+ (ones|stuff|one)\b")
        })
        .is_match(&without_times(&text.norm))
}

/// The words with times such as "this week" or "that morning" taken out: "this" there points
/// at a time, not at something the thread shows.
fn without_times(norm: &str) -> std::borrow::Cow<'_, str> {
    static TIMES: OnceLock<Regex> = OnceLock::new();
    if !norm.contains("this ") && !norm.contains("that ") {
        return std::borrow::Cow::Borrowed(norm);
    }
    TIMES
        .get_or_init(|| {
            re(r"\b(this|that) (week|weekend|month|sprint|quarter|year|morning|afternoon|evening|time|day)\b")
        })
        .replace_all(norm, "_time_")
}

/// True when a list prompt narrows or widens the previous list ("only the critical ones",
/// "and for gcp?", "show medium and low too").
pub(crate) fn refinement(text: &Text) -> bool {
    static REFINE: OnceLock<Regex> = OnceLock::new();
    REFINE
        .get_or_init(|| {
            re(r"^(only|just|now|and|also|what about|how about|include|drop|exclude|filter|same|but|except|plus|narrow|limit|remove|instead)\b|\b(ones|too|as well|instead|not just|only)\b")
        })
        .is_match(&text.norm)
}

/// How many rows the prompt asks a list for: "top 10 risks", "the 3 worst", "first twenty",
/// "the next 10".
pub(crate) fn count(text: &Text) -> Option<u32> {
    static COUNT: OnceLock<Regex> = OnceLock::new();
    const NUMBERS: [(&str, u32); 10] = [
        ("three", 3),
        ("four", 4),
        ("five", 5),
        ("six", 6),
        ("seven", 7),
        ("eight", 8),
        ("ten", 10),
        ("fifteen", 15),
        ("twenty", 20),
        ("dozen", 12),
    ];
    let count = COUNT.get_or_init(|| {
        re(r"\b(top|first|next|worst|biggest|riskiest|scariest|highest)\s+(?P<a>\d{1,3}|three|four|five|six|seven|eight|ten|fifteen|twenty|dozen)\b|\b(the|show|list|give me|gimme|pull up|get)\s+(?P<b>\d{1,3}|three|four|five|six|seven|eight|ten|fifteen|twenty)\s+(worst|biggest|riskiest|scariest|most|highest|top|critical|crit|high|open|latest|newest)\b|\b(fix|tackle|pick|choose|name|handle|address)\s+(?P<c>\d{1,2}|three|four|five|six|seven|eight|ten)\s+(things|items|fixes|issues|findings|risks|problems)\b|\b(?P<d>\d{1,2}|three|four|five|six|seven|eight|ten)\s+(things|items|fixes|issues|findings|risks|problems)\s+(to fix|to tackle|(we|i) (should|must|need to|have to) (fix|tackle|address))\b")
    });
    let c = count.captures(&text.norm)?;
    let n = c.name("a").or_else(|| c.name("b")).or_else(|| c.name("c")).or_else(|| c.name("d"))?.as_str();
    let n = n.parse::<u32>().ok().or_else(|| NUMBERS.iter().find(|(w, _)| *w == n).map(|(_, v)| *v))?;
    (n >= 1).then_some(n)
}

/// True when the prompt asks which few things to fix first: "if we could only fix five things
/// this week, which would they be?", "pick 3 things we should fix".
pub(crate) fn prioritises(text: &Text) -> bool {
    static FIRST: OnceLock<Regex> = OnceLock::new();
    FIRST
        .get_or_init(|| re(r"\b(fix|tackle|pick|choose|name|handle|address|do)\s+(only\s+)?(\d{1,2}|one|two|three|four|five|six|seven|eight|ten|a few|a couple of)\s+(things|items|fixes|issues|findings|risks|problems)\b|\b(\d{1,2}|three|four|five|six|seven|eight|ten)\s+(things|items|fixes|issues|findings|problems)\s+(to fix|to tackle|(we|i) (should|must|need to|have to) (fix|tackle|address))\b"))
        .is_match(&text.norm)
        || takes_on_work(text)
}

/// True for "what should we take (next sprint)?", "what should the team tackle first": which
/// work to pick up, not what to do about something the thread names.
fn takes_on_work(text: &Text) -> bool {
    static TAKE: OnceLock<Regex> = OnceLock::new();
    TAKE.get_or_init(|| {
        re(r"\bwhat (should|shall|do|can) (we|i|the team|my team) (take|tackle|pick up|pick|work on|prioriti[sz]e|focus on)\b( (next|first|this sprint|next sprint|this week|next week))?")
    })
    .find(&text.norm)
    .is_some_and(|m| {
        !text.norm[m.end()..]
            .split_whitespace()
            .next()
            .is_some_and(|w| matches!(w, "it" | "this" | "that" | "them" | "those" | "these" | "on"))
    })
}

/// True when the prompt asks for more of the thread's list: "show more", "next page", "keep
/// going", "the next five", "the rest".
pub(crate) fn next_page(text: &Text) -> bool {
    static NEXT: OnceLock<Regex> = OnceLock::new();
    NEXT.get_or_init(|| {
        re(r"^(ok |okay |k |and |then |pls |please |now )*((show|give|list|see|load|gimme|display) (me )?)?(more|(the )?next( page| pg| one| ones| (\d+|five|ten|few|batch|set))?|(the )?rest( of (them|it|the list|those))?|(the )?others|keep going|continue|go on|more (please|pls|plz|results|items|of (them|those|these))|what else|page \d+)( please| pls| plz)?\??$|\b(next page|next pg|show more|load more|see more|keep going|the rest of (them|the list|those|it)|(subsequent|following|second) page|page (two|2))\b|\b(show|give|list|see|display)( me)?( also| too| as well)? the next (\d+|five|ten|few)( ones| items| findings| results| rows| risks| paths| alerts)?( too| as well| also)?( please| pls| plz)?$")
    })
    .is_match(text.norm.trim())
}

/// True when the prompt speaks of the asker's own work ("what have I got", "my queue").
pub(crate) fn first_person(text: &Text) -> bool {
    static MINE: OnceLock<Regex> = OnceLock::new();
    MINE.get_or_init(|| re(r"\b(my (plate|queue|list|tasks?|items?|work|stuff|assignments?|backlog)|assigned to me|on me|(have|got) i|i (have|got|own|still have)|for me( (today|this week|now|right now|pls|please))?$)\b"))
        .is_match(&text.norm)
}

/// True when the prompt asks about something secbot has no data for, by a name that cannot
/// mean anything else: compliance standards, SIEM queries, sign-in logs, prices and licences.
pub(crate) fn uncovered(text: &Text) -> bool {
    static UNCOVERED: OnceLock<Regex> = OnceLock::new();
    UNCOVERED
        .get_or_init(|| re(r"\b(pci( dss)?|soc ?2|soc 1|iso ?27001|iso 27002|hipaa|gdpr|nist( 800 53| csf| 800)?|fedramp|cis (benchmarks?|controls?)|sentinel|siem|kql|splunk|sign ?in logs?|login logs?|audit logs?|who (logged|signed) (in|into|on)|pricing|licen[sc](e|es|ing)|billing|(spend|spending|costs?) (per|by) (subscription|sub|account|project|team|resource)|(azure|aws|gcp|cloud) (spend|spending|bill|invoice)|run ?rate|(monthly|per month|a month) (cost|bill|spend)|how much (are|do|does|will|did) (we|it|defender|they|you)( \w+){0,3} (cost|pay|spend|charge|paying|spending))\b"))
        .is_match(&text.norm)
}

/// True when the prompt says what it is for: an audit, an assessment or a certification ("for
/// our upcoming ISO 27001 audit", "before the SOC 2 review").
pub(crate) fn for_an_audit(text: &Text) -> bool {
    static PURPOSE: OnceLock<Regex> = OnceLock::new();
    PURPOSE
        .get_or_init(|| re(r"\b(for|as|before|ahead of|during|prepare|preparing)\b.{0,40}\b(audit|audits|auditors?|assessment|certification|recertification|review|evidence|evidence package|report|attestation|workpapers?|working papers?|control matrix)\b"))
        .is_match(&text.norm)
}

/// True when the prompt asks what secbot itself can see or do ("what can't you show me?", "do
/// you see our AWS accounts too?", "does secbot keep an audit trail?", "is it possible that you
/// send the results every Monday?"), whatever topics it lists as examples.
pub(crate) fn asks_about_secbot(text: &Text) -> bool {
    static ABOUT: OnceLock<Regex> = OnceLock::new();
    ABOUT
        .get_or_init(|| re(r"^\W*(?:(?:ok|okay|so|and|also|hi|hey|hello|quick question)\W+)*(?:what (?:can t|cant|can not|cannot|can|could|do|don t|dont) (?:you|secbot|the bot) (?:show|see|do|read|access|cover|answer|tell)|(?:do|does|can|could|will|would) (?:you|secbot|the bot|this bot|this tool|it) (?:also |even |already )?(?:keep|store|log|record|support|see|cover|have access|access|integrate|schedule)\b|is it (?:moreover |also |even )?possible (?:that|for) (?:you|secbot|the bot)|are you able to|(?:can|could|would) (?:you|u) (?:please |pls |kindly )?help(?: me| us)?(?: out)?(?: please| pls)?$|what (?:are|is) (?:your|secbot s|the bot s) (?:limits|limitations|blind spots|data sources?))"))
        .is_match(&text.norm)
}

/// True when the prompt asks for findings in so many words ("what open vulnerability findings
/// do we have on production?"), whatever standard it names as the heading.
pub(crate) fn asks_for_findings(text: &Text) -> bool {
    static FINDINGS: OnceLock<Regex> = OnceLock::new();
    FINDINGS
        .get_or_init(|| re(r"\b(what|which|any|show|list|give|need|want|pull|provide|export)\b.{0,40}\b(findings|vulnerabilities|vulns|recommendations|issues|risks|misconfigurations)\b"))
        .is_match(&text.norm)
}

/// The prompt with its security alerts read as findings ("show last night's high alerts" →
/// "show last night's high findings"), when it asks about Defender for Cloud's alerts or
/// incidents: the question is then read like the same question about findings, and answered
/// from alerts; threat activity asked about without the word ("did anyone hit our storage from
/// a tor exit node?") is a question about alerts too. `None` when it mentions no alert, or
/// alerts of something else (Sentinel, GuardDuty, cost or metric alerts), setting alerting up
/// (which secbot does not do), or findings too ("got an alert-ish email, is anyone on the findings?": the alert is context).
pub(crate) fn about_alerts(prompt: &str) -> Option<String> {
    static ALERT: OnceLock<Regex> = OnceLock::new();
    static ELSEWHERE: OnceLock<Regex> = OnceLock::new();
    let alert = ALERT.get_or_init(|| {
        re(r"(?i)\b(?:(?:security|defender|threat|mdc|cloud)\s+)?(alert|alerts|alerted|incident|incidents|alrt|alrts)\b")
    });
    let elsewhere = ELSEWHERE.get_or_init(|| {
        re(r"(?i)\b(alert(ing)?\s+rules?|alerting|(create|add|make|set\s*up|setup|configure|build|write|wire\s+up)\s+(an?\s+|some\s+|the\s+)?(\w+\s+)?alerts?|alert\s+(me|us)|action\s+groups?|sentinel|siem|kql|splunk|log\s+analytics|guard\s*duty|security\s+hub|metric\s+alerts?|budget\s+alerts?|cost\s+alerts?|billing\s+alerts?|pager\s*duty|opsgenie|incident\s+(response|management|commander|process|plan|playbook)|post\s*-?\s*mortem|status\s*page|service\s+health|outage|workbooks?|(had|have\s+had)\s+an?\s+(\w+\s+)?incident|incident\s+(review|doc|report|timeline)|(alert|incident)\s*-\s*\w|findings?|recommendations?|recs|risks?|vulnerabilit\w*|vulns?|misconfig\w*|without\s+(setting\s+off|triggering|tripping|firing|raising)|(avoid|evade|dodge|bypass|suppress)\w*|outside\s+(your|of\s+your)\s+scope|your\s+(limits|scope)|visibility\s+into|(do|can|could|will)\s+you\s+(cover|do|support|handle|see|read|show|access)\s+(\w+\s+)?(alerts?|incidents?))\b")
    });
    // Threat activity asked about without the word: "did anyone hit our storage from a tor exit
    // node?", "any suspicious sign-ins on kv-app-prod?".
    static ACTIVITY: OnceLock<Regex> = OnceLock::new();
    let activity = ACTIVITY.get_or_init(|| {
        re(r"(?i)\b(tor(\s+exit)?\s+nodes?|tor\s+exit|brute[\s-]?force\s+attempts?|the\s+(\w+\s+)?brute[\s-]?force\b|malware\s+(detected|found|uploaded|activity|infections?)|(the|that|this)\s+malware\s+(thing|alerts?|one|files?|issue|incident|hit|stuff|upload|infection)\b|suspicious\s+(activity|logins?|sign[\s-]?ins?|access|traffic|ips?|process(es)?|behaviou?r|downloads?|uploads?)|(anomalous|unusual)\s+(access|activity|logins?|sign[\s-]?ins?|traffic)|(were|was|are|have)\s+we\s+(been\s+|being\s+)?(attacked|hacked|breached|compromised|probed)|did\s+(anyone|someone|somebody|anybody|an\s+attacker)\s+(hit|access|attack|try|probe|scan|log\s*in|break|get\s+in)|brute[\s-]?force\s+(on|against|at)\b)\b")
    });
    // "Are we under attack right now?": whatever is open, as alerts.
    static UNDER_ATTACK: OnceLock<Regex> = OnceLock::new();
    let under_attack = UNDER_ATTACK.get_or_init(|| {
        re(r"(?i)\b(are|were|is)\s+(we|anyone|anything|something|someone|any\s+of\s+(us|our\s+\w+))\s+(currently\s+|being\s+|actively\s+)?under\s+(an\s+)?(active\s+)?attack\b")
    });
    if let Some(found) = under_attack.find(prompt) {
        return Some(format!("list findings{}", &prompt[found.end()..]));
    }
    let alerted = alert.is_match(prompt);
    let about_activity = !alerted && activity.is_match(prompt);
    if !(alerted || about_activity) || elsewhere.is_match(prompt) {
        return None;
    }
    if about_activity {
        return Some(activity.replace_all(prompt, "findings").into_owned());
    }
    let read =
        alert.replace_all(prompt, |c: &regex::Captures<'_>| match c[1].to_ascii_lowercase().as_str() {
            "alerted" => "been flagged",
            plural if plural.ends_with('s') => "findings",
            _ => "finding",
        });
    Some(read.into_owned())
}

/// True when a sentence opens as a request to secbot ("Kindly show me …", "pls give me …",
/// "can you list …", "assign it to …"), not as a remark.
pub(crate) fn opens_request(sentence: &str) -> bool {
    static REQUEST: OnceLock<Regex> = OnceLock::new();
    REQUEST
        .get_or_init(|| re(r"(?i)^\W*(?:(?:ok|okay|so|and|also|then|now|pls|please|plz|kindly|just)\W+)*(?:(?:can|could|would|will) (?:you|u) (?:please |kindly |pls )?)?(?:show|list|give|send|share|provide|display|explain|summari[sz]e|fix|remediate|assign|reassign|delegate|compare|find|tell|walk|draft|write|get)\b"))
        .is_match(sentence)
}

/// True when the prompt asks about the secure score.
pub(crate) fn secure_score(text: &Text) -> bool {
    static SCORE: OnceLock<Regex> = OnceLock::new();
    SCORE
        .get_or_init(|| re(r"\b(secure ?score|security score|securescore|our score|the score|score card|scorecard|score go|score up|score down|scores)\b"))
        .is_match(&text.norm)
}

/// True when the prompt asks what the secure score is ("what's our secure score", "how is
/// the score looking").
pub(crate) fn asks_the_score(text: &Text) -> bool {
    static SCORE: OnceLock<Regex> = OnceLock::new();
    SCORE
        .get_or_init(|| re(r"\b(what s|what is|whats|how s|how is|hows|show|tell me|give me) (me )?(our |the |my )?(current |overall )?(secure |security )?score\b"))
        .is_match(&text.norm)
}

/// True when the prompt asks which subscription is in the worst or best shape.
pub(crate) fn ranks_subscriptions(text: &Text) -> bool {
    static RANK: OnceLock<Regex> = OnceLock::new();
    RANK.get_or_init(|| re(r"\bwhich (sub|subs|subscription|subscriptions|account|project)\b.{0,30}\b(worst|weakest|lowest|best|strongest|highest|healthiest|dragging|drags|pulling|pulls|bringing)\b|\b(worst|weakest|lowest scoring|best|healthiest|highest scoring) (sub|subscription)\b|\brank (the |our )?(subs|subscriptions)\b"))
        .is_match(&text.norm)
}

/// True when the prompt asks to compare ("compare it with Contoso Dev/Test", "how does that
/// stack up against prod").
pub(crate) fn compares(text: &Text) -> bool {
    static COMPARE: OnceLock<Regex> = OnceLock::new();
    COMPARE
        .get_or_init(|| re(r"\b(compare|compared|comparison|versus|vs|stack up|stacks up|side by side)\b"))
        .is_match(&text.norm)
}

/// True when the prompt points at the place the thread is about: "the findings there", "in
/// that subscription".
pub(crate) fn there(text: &Text) -> bool {
    static THERE: OnceLock<Regex> = OnceLock::new();
    // "is there", "there are" say something exists, not where.
    const EXISTS: [&str; 9] = ["is", "are", "was", "were", "s", "any", "anything", "isn", "aren"];
    let words: Vec<&str> = text.norm.split(' ').collect();
    let place = words.iter().enumerate().any(|(i, w)| {
        *w == "there"
            && !i.checked_sub(1).and_then(|j| words.get(j)).is_some_and(|b| EXISTS.contains(b))
            && !words.get(i + 1).is_some_and(|a| EXISTS.contains(a))
    });
    place
        || THERE
            .get_or_init(|| re(r"\bin (that|this|the same) (sub|subscription|account|project)\b"))
            .is_match(&text.norm)
}

/// True when the prompt asks which fixes do the most: raise the secure score most, break the
/// most attack paths, give the biggest wins.
pub(crate) fn best_fix(text: &Text) -> bool {
    static BEST: OnceLock<Regex> = OnceLock::new();
    BEST.get_or_init(|| {
        re(r"\b(which|what) (single |one |few )?(fix|fixes|recommendations?|recs?|changes?|remediations?|things? to fix|items?)\b.{0,50}\b(most|biggest|largest|highest|best)\b|\b(biggest|best|quickest|quick|easiest|fastest|cheapest|simplest) (wins?|bang for|impact|improvements?)\b|\blow hanging fruit\b|\bbang for (the|your|our) buck\b|\bleast effort for (the )?most\b|\bmoves? the (score|needle)\b|\b(raise|raises|bump|bumps|boost|boosts|improve|improves|lift|lifts|increase|increases|push|pushes) (up )?(our |the |it |that )?(secure )?(score|it)\b.{0,30}\b(most|fastest|quickest|biggest)\b|\b(most|biggest|largest) (points|score (gain|increase|impact|improvement))\b|\bchoke ?points?\b|\b(breaks?|break up|cuts?|kills?) the most\b|\b(single )?best (thing|fix|place|move) to (fix|break|cut)\b|\b(quickest|fastest|easiest|cheapest|best|simplest) (\w+ ){0,2}(ways?|route|wins?) to (raise|bump|boost|improve|lift|increase|push up|get up|get) (our |the )?(secure )?score\b")
    })
    .is_match(&text.norm)
}

/// True when the prompt asks for findings listed with their owners: "list criticals on sql and
/// tell me who owns each", "show the high ones with their owners".
pub(crate) fn listed_with_owners(text: &Text) -> bool {
    static OWNERS: OnceLock<Regex> = OnceLock::new();
    OWNERS
        .get_or_init(|| {
            re(r"\b(list|show|give me|get me|pull|send)\b.{0,60}\b(who owns (each|them|those|these|every one)|with (their |the )?owners?|and (their |the )?owners?|owner (of|for) each|(each|every) (one s )?owner)\b")
        })
        .is_match(&text.norm)
}

/// True when a best-fix question is about attack paths ("which fix breaks the most of those",
/// "the choke point") rather than the secure score.
pub(crate) fn breaks_paths(text: &Text) -> bool {
    static PATHS: OnceLock<Regex> = OnceLock::new();
    PATHS
        .get_or_init(|| re(r"\b(breaks?|break up|cuts?|kills?|blocks?)\b.{0,20}\b(most|paths?)\b|\bchoke ?points?\b|\b(attack )?paths?\b"))
        .is_match(&text.norm)
        && !text.norm.contains("score")
}

/// True when the prompt asks for findings nobody owns yet.
pub(crate) fn unowned(text: &Text) -> bool {
    static UNOWNED: OnceLock<Regex> = OnceLock::new();
    UNOWNED
        .get_or_init(|| re(r"\b(unassigned|unowned|no owner|no assignee|without (an )?(owner|assignee)|nobody owns|no one owns|nobody s (on|assigned)|not assigned|nobody (has|is on|picked up)|no one (has|is on)|has no owner|have no owner|(have|has|with) (nobody|no one)( on (it|them))?$|(have|has|with) (nobody|no one) (assigned|on (it|them)|yet)|ownerless|(not|never|haven t|hasn t|havent|hasnt|aren t|isn t|arent|isnt) (yet )?(been )?(assigned|claimed|picked up|given an owner|delegated)|assigned to (nobody|no one)\b(?: yet)?)\b"))
        .is_match(&text.norm)
}

/// True when the prompt asks for work past its due date: "overdue", "past their agreed due
/// date", "missed the deadline".
pub(crate) fn late(text: &Text) -> bool {
    static LATE: OnceLock<Regex> = OnceLock::new();
    LATE.get_or_init(|| re(r"\b(overdue|overdeu|past due|late|behind schedule|behind|past (their|its|the) (\w+ )?(due date|deadline)s?|(missed|exceeded|passed|blown|blew) (their|its|the) (\w+ )?(due date|deadline|due day)s?|(over|beyond) (their|its|the) (due date|deadline))\b"))
        .is_match(&text.norm)
}

/// True when the prompt asks secbot to mail what it shows ("could you email this to the board
/// distribution list?"): it answers only where it is asked.
pub(crate) fn mails_it_out(text: &Text) -> bool {
    static MAIL: OnceLock<Regex> = OnceLock::new();
    MAIL.get_or_init(|| re(r"\b(email|e mail|mail) (this|it|that|these|those|them|the (list|report|summary|card|numbers|findings))\b|\b(send|forward)\b.{0,40}\b(by email|via email|over email|as an email|distribution list|mailing list|mailbox|inbox)\b"))
        .is_match(&text.norm)
}

/// True when the prompt reports a suspected incident ("Possible exfil from s3-finance-exports",
/// "suspected breach on vm-web-01"): what happened, not what to do.
pub(crate) fn reports_incident(text: &Text) -> bool {
    static REPORT: OnceLock<Regex> = OnceLock::new();
    REPORT
        .get_or_init(|| re(r"^(incident |fyi |heads up |alert )?(possible|suspected|potential|likely|probable|confirmed) (data )?(exfil\w*|breach|compromise|intrusion|leak|takeover)\b"))
        .is_match(&text.norm)
}

/// True when the prompt asks secbot to silence alerts ("can u just mute everything for it till
/// 9am"): quieting detection is lowering protection, whoever is tired of the pager.
pub(crate) fn silences_alerts(text: &Text) -> bool {
    static MUTE: OnceLock<Regex> = OnceLock::new();
    static HOW: OnceLock<Regex> = OnceLock::new();
    MUTE.get_or_init(|| re(r"\b(mute|silence|snooze|shush)\b.{0,40}\b(alerts?|everything|paging|pages|pager|notifications?|defender|detections?)\b"))
        .is_match(&text.norm)
        // "how do I silence noisy alerts properly?" asks how tuning is done, which is a question.
        && !HOW.get_or_init(|| re(r"\bhow (do|can|should|would|to)\b")).is_match(&text.norm)
}

/// True when the prompt only says what the writer will do next with a teammate ("thanks!! I'll
/// message alex 😊", "ok I will ping dana"): a note, not a hand-over.
pub(crate) fn tells_own_next_step(text: &Text) -> bool {
    static NEXT: OnceLock<Regex> = OnceLock::new();
    NEXT.get_or_init(|| re(r"^((thanks|thank you|thx|ty|ok|okay|k|cool|great|perfect|got it|nice|awesome|will do|sounds good)\W+){0,3}(i ll|ill|i will|i m going to|im going to|i am going to|gonna|let me) (message|ping|dm|email|slack|call|text|reach out to|talk to|chat with|follow up with|sync with|check with) @?[a-z][\w.]*( (about it|about this|about that|now|then|later|today|tomorrow|first))?\W*$"))
        .is_match(text.norm.trim())
}

/// True when the prompt only points a teammate at the thread ("<@U024BE7LH> fyi ^", "cc @dana",
/// "looping in @omar"): someone mentioned and nothing asked.
pub(crate) fn loops_someone_in(text: &Text) -> bool {
    const NOTE: [&str; 12] =
        ["fyi", "cc", "fwiw", "ptal", "heads", "up", "see", "above", "looping", "in", "for", "visibility"];
    let mentions = text.words.iter().filter(|w| w.starts_with('@')).count();
    let notes = text.words.iter().filter(|w| NOTE.contains(&w.as_str())).count();
    mentions > 0 && notes > 0 && mentions + notes == text.words.len()
}

/// True when the prompt points at items of the thread's list by their kind: "the key vault
/// one", "the sql ssl one", "the kv stuff".
pub(crate) fn kind_reference(text: &Text) -> bool {
    static KIND: OnceLock<Regex> = OnceLock::new();
    KIND.get_or_init(|| re(r"\b(the|that|those|this|its) (\w+ ){1,3}(one|ones|stuff|thing|things|finding|findings|item|items|issue|rec|owner|owners)\b"))
        .is_match(&text.norm)
}

/// True when a list is asked for and then something about it, in one prompt ("show me the sql
/// stuff and who owns it"): the pronoun points at the list the prompt asks for, not into the
/// thread.
pub(crate) fn asks_of_its_own_list(text: &Text) -> bool {
    static OWN: OnceLock<Regex> = OnceLock::new();
    OWN.get_or_init(|| {
        re(r"^(show|list|give|get|find|display|pull up|what are|which are)\b.+ and (who|whos|what|whats|how|when|whens) .*\b(it|them)$")
    })
    .is_match(text.norm.trim())
}

/// True when the prompt singles out one item by a description: "the stwebassets one", "the
/// one on func-orders-sync", "that gcs thing".
pub(crate) fn picks_item(text: &Text) -> bool {
    static PICK: OnceLock<Regex> = OnceLock::new();
    // Words that point by position or by the thread, not by what the item is.
    const POSITIONAL: [&str; 16] = [
        "previous",
        "same",
        "other",
        "last",
        "next",
        "first",
        "top",
        "worst",
        "final",
        "bottom",
        "current",
        "very",
        "following",
        "second",
        "third",
        "above",
    ];
    PICK.get_or_init(|| re(r"\b(?:the|that|this) one (?:on|for|with|about|in|from|at|through|via|into)\b|\b(?:the|that|this) ((?:\S+ ){1,3})(?:one|thing|finding|item|issue|rec)\b"))
        .captures_iter(&text.norm)
        .any(|c| {
            c.get(1).is_none_or(|middle| {
                // "confirm that every assigned finding has an owner": a clause about all of them.
                let quantified = middle
                    .as_str()
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| ["every", "each", "all", "any", "no"].contains(&w));
                !quantified
                    && !middle.as_str().split_whitespace().all(|w| {
                        POSITIONAL.contains(&w) || w.chars().next().is_some_and(|c| c.is_ascii_digit())
                    })
            })
        })
}

/// The words an item is picked by, when the prompt is nothing but the pick ("the sql billing
/// thing", "ok the payments one?"): it asks about what it picks without saying what to do.
pub(crate) fn bare_pick(text: &Text, picks: bool) -> Option<Vec<&str>> {
    static BARE: OnceLock<Regex> = OnceLock::new();
    BARE.get_or_init(|| {
        re(r"^(?:(?:ok|okay|so|and|um|hmm|what about|how about|i mean|sorry|no) )*(?:(?:the )?(?:\d{1,2}(?:st|nd|rd|th)?|first|second|third|fourth|fifth) )?(?:the|that) ((?:\S+ ){1,3})(?:one|thing|finding|item|issue|rec)$")
    })
    .captures(text.norm.trim())
    .map(|c| c.get(1).map_or("", |m| m.as_str()).split_whitespace().collect())
    .filter(|_| picks)
}

/// True when the prompt points at one thing already shown: "it", "this", "that one".
pub(crate) fn singular_reference(text: &Text) -> bool {
    static ONE: OnceLock<Regex> = OnceLock::new();
    ONE.get_or_init(|| re(r"\b(it|this|that|this one|that one|this finding|that finding)\b"))
        .is_match(&text.norm)
}

/// How many days a prompt moves due dates by, when it moves them by a span rather than to a
/// day: "postpone the due date of this finding by two weeks", "push all of omar's dates a week",
/// "give her 3 more days".
pub(crate) fn due_shift(text: &Text) -> Option<i64> {
    // A span after "by", after "postpone", after the dates it moves, or with "more" or
    // "another": "move it to dana, 2 weeks" is a deadline, not a shift.
    static SHIFT: OnceLock<[Regex; 4]> = OnceLock::new();
    const SPAN: &str =
        r"(a|an|one|two|three|four|five|six|\d{1,2}) (?:more |extra )?(day|days|week|weeks|wk|wks)\b";
    let c = SHIFT
        .get_or_init(|| {
            [
                re(&format!(r"\b(?:push|pushing|move|moving|extend|extending|bump|shift|slide|postpone|postponing|delay|delaying)\b.{{0,50}}?\bby {SPAN}")),
                re(&format!(r"\b(?:postpone|postponing|delay|delaying)\b.{{0,50}}?\b{SPAN}")),
                re(&format!(r"\b(?:push|move|extend|bump|shift|slide)\b (?:all (?:of )?)?(?:\w+ )?(?:the )?(?:due dates?|dates?|deadlines?) (?:out |back )?(?:by )?{SPAN}")),
                re(r"\b(?:another|an extra|one more|(a|an|one|two|three|four|\d{1,2}) (?:more|extra)) (day|days|week|weeks)\b"),
            ]
        })
        .iter()
        .find_map(|rule| rule.captures(&text.norm))?;
    let (count, unit) = match (c.get(1), c.get(2)) {
        (Some(n), Some(unit)) => (n.as_str(), unit.as_str()),
        (None, _) => ("one", c.get(0)?.as_str().rsplit(' ').next()?),
        _ => return None,
    };
    let count: i64 = match count {
        "a" | "an" | "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        n => n.parse().ok()?,
    };
    Some(if unit.starts_with('d') { count } else { count * 7 }).filter(|days| (1..=180).contains(days))
}

/// True when the prompt moves a due date: "push the due date to the 18th", "move the deadline
/// to next friday", "extend it till end of month".
pub(crate) fn moves_due(text: &Text) -> bool {
    static MOVES: OnceLock<Regex> = OnceLock::new();
    MOVES
        .get_or_init(|| {
            re(r"\b(push|pushing|move|moving|extend|extending|change|bump|shift|slide|postpone|delay|bring forward|pull in|reschedule)\b.{0,30}\b(due date|due|deadline|date)\b.{0,12}\b(to|till|until|til|by|back)\b|\b(extend|push|postpone|delay|move)\b (it|that|this|them)( out| back)? (to|till|until|by)\b|\b(the )?(due date|deadline) (shall|should|must|will|has to|needs to) be\b")
        })
        .is_match(&text.norm)
}

/// True when the prompt asks the thread's last question again of what it points at: "same for
/// 3", "ditto for the 4th", "do the same with #2", "likewise #5".
pub(crate) fn repeats(text: &Text) -> bool {
    static AGAIN: OnceLock<Regex> = OnceLock::new();
    AGAIN
        .get_or_init(|| re(r"\b((the )?same( thing| again)? (for|with|on|to)|ditto|likewise|do the same)\b"))
        .is_match(&text.norm)
}

/// True when the prompt disputes who owns what the thread points at: "are you sure? I'm pretty
/// sure priya took that one", "I thought @sam had it". It asks for the owner again, not for
/// that person's work.
pub(crate) fn disputes_owner(text: &Text, person: &dyn Fn(&str) -> bool) -> bool {
    static DISPUTE: OnceLock<Regex> = OnceLock::new();
    DISPUTE
        .get_or_init(|| {
            re(r"\b(sure|thought|think|believe|assumed|remember|certain) (that )?(@?[a-z][a-z.]*) (took|owns|owned|has|had|picked up|grabbed|is on|was on|is handling|was handling|handles|handled|claimed|got) (that|it|this|the \w+ one)\b")
        })
        .captures_iter(&text.norm)
        .any(|c| person(&c[3]))
}

/// True when the prompt asks who should or could take something on: "who should take it?",
/// "who can own the 3rd?".
pub(crate) fn asks_who_takes(text: &Text) -> bool {
    static WHO: OnceLock<Regex> = OnceLock::new();
    WHO.get_or_init(|| re(r"\bwho (should|could|can|would|will|wants to|is going to) (take|own|handle|pick up|grab|fix|do)\b"))
        .is_match(&text.norm)
}

/// The person the prompt's author says they are: "I'm sam", "this is @priya", "assign that to me
/// (dana@contoso.com)".
pub(crate) fn self_named(text: &Text, person: &dyn Fn(&str) -> bool) -> Option<String> {
    // ("to me" on its own pattern: in "to me, I'm sam" it must not swallow the "i" of "i m".)
    static SELF: OnceLock<[Regex; 2]> = OnceLock::new();
    SELF.get_or_init(|| {
        [
            re(r"\b(?:i m|im|i am|this is|it s me|its me) (@?[a-z][a-z.]*)\b"),
            re(r"\bto me (@?[a-z][a-z.]*)\b"),
        ]
    })
    .iter()
    .flat_map(|pattern| pattern.captures_iter(&text.norm))
    .find(|c| person(&c[1]))
    .map(|c| c[1].trim_start_matches('@').to_owned())
}

/// True when the prompt asks to be shown something step by step: "walk me through each hop",
/// "hop by hop", "step by step".
pub(crate) fn walk_through(text: &Text) -> bool {
    static WALK: OnceLock<Regex> = OnceLock::new();
    WALK.get_or_init(|| {
        re(r"\b(walk|take|talk) (me|us) (through|thru)\b|\b(hop by hop|step by step|each hop|each step)\b")
    })
    .is_match(&text.norm)
}

/// True when the prompt means the rows of the list not yet handed over: "give the rest to
/// omar", "the others go to sam", "everything else to li.wei".
pub(crate) fn the_rest(text: &Text) -> bool {
    static REST: OnceLock<Regex> = OnceLock::new();
    REST.get_or_init(|| {
        re(r"\b(the rest|the others|the other ones|the remaining( ones| ones| items| findings)?|remaining ones|everything else|all the others|all others)\b")
    })
    .is_match(&text.norm)
}

/// How the prompt points at what the thread shows, if it does by a pronoun.
pub(crate) fn pointer(text: &Text) -> Option<super::Pointer> {
    static NEXT: OnceLock<Regex> = OnceLock::new();
    static PREVIOUS: OnceLock<Regex> = OnceLock::new();
    static THEM: OnceLock<Regex> = OnceLock::new();
    static IT: OnceLock<Regex> = OnceLock::new();
    let norm = &*without_times(&text.norm);
    if NEXT
        .get_or_init(|| {
            re(r"\b(the )?next (one|item|finding|rec)\b|\bthe one after\b|^(ok |okay |k |kk |and |then |now |so |right )*(next|after that|the one after)( one)?( pls| please| plz)?\??$")
        })
        .is_match(norm)
    {
        return Some(super::Pointer::Next);
    }
    if PREVIOUS
        .get_or_init(|| {
            re(r"\bthe (one|item|finding|rec|row) (before|above)\b|\bthe (previous|prior) (item|finding|rec|row)\b|\b(one|go) back one\b")
        })
        .is_match(norm)
    {
        return Some(super::Pointer::Previous);
    }
    if THEM
        .get_or_init(|| re(r"\b(those|them|these|all of (them|those|these)|each of (them|those)|both|the list|this list|that list|the lot|the (whole|entire|full) (list|lot|page)|every one of (them|those|these))\b"))
        .is_match(norm)
    {
        return Some(super::Pointer::Them);
    }
    // "that" opening a clause ("findings that have no owner") refers to the words before it.
    const CLAUSE: [&str; 33] = [
        "have", "has", "are", "were", "do", "dont", "don", "does", "need", "needs", "still", "aren", "can",
        "could", "should", "will", "would", "belong", "lack", "lacks", "nobody", "haven", "hasn", "expire",
        "every", "each", "we", "they", "our", "someone", "somebody", "anyone", "everyone",
    ];
    // "how loaded is dana after that?": a time, not a row (the row after is matched above).
    static SINCE: OnceLock<Regex> = OnceLock::new();
    let norm = &*SINCE.get_or_init(|| re(r"\b(after|since|before) that\b")).replace_all(norm, "_time_");
    IT.get_or_init(|| {
        re(r"\b(it|this|that|this one|that one|this finding|that finding|the same one|same one|the previous one|the one (you )?(just )?(mentioned|explained|showed))\b")
    })
    .find_iter(norm)
    .any(|m| {
        m.as_str() != "that"
            || !norm[m.end()..].split_whitespace().next().is_some_and(|next| CLAUSE.contains(&next))
    })
    .then_some(super::Pointer::It)
}

/// Words that only point or fill: a prompt made of nothing else ("#3", "the 2nd one?", "and
/// that one") asks about what it points at without saying what to do.
const POINTING: &str = "the a an one ones item items finding findings rec number no num nr n what whats about and \
ok okay k so now then pls please plz hmm um same for also this that it those them these on page next last do \
ditto likewise before above \
top worst highest first second third fourth fifth sixth seventh eighth ninth tenth of is there again one s re \
how hows yeah yes also then one just only here in list again from with whats";

/// True when the prompt is only a reference, with no verb of its own; `names` also lets
/// words through that name a resource or a person ("and from ec2-bastion-01?", "and
/// priya?").
pub(crate) fn bare_reference(text: &Text, names: &dyn Fn(&str) -> bool) -> bool {
    static WORDS: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    let words = WORDS.get_or_init(|| POINTING.split_whitespace().collect());
    // Words that fill a reference out ("ok so the 2nd then") but point at nothing alone ("ok").
    const FILLER: [&str; 16] = [
        "ok", "okay", "k", "so", "now", "then", "pls", "please", "plz", "hmm", "um", "yeah", "yes", "also",
        "just", "again",
    ];
    // Words that ask the same of a name ("anything going thru vm-etl-02?"), but of nothing alone.
    const ROUTE: [&str; 8] = ["anything", "going", "through", "thru", "via", "touching", "involving", "for"];
    let named = text.words.iter().any(|w| names(w));
    // "top 5 worst there", "the next 10": a number after these counts rows, it points at none.
    let counts = text.words.windows(2).any(|w| {
        matches!(w[0].as_str(), "top" | "first" | "last" | "next" | "worst" | "highest")
            && w[1].chars().all(|c| c.is_ascii_digit())
    });
    // "#4 wat do": what to do about it, a question of its own.
    let what_to_do = matches!(text.words.as_slice(), [.., what, d] if what == "what" && d == "do");
    // "the ec2-web-02 one, what is it about": asks what it is, not the last question again.
    let what_about = text.words.windows(4).any(|w| {
        matches!(w[0].as_str(), "what" | "whats")
            && w[1] == "is"
            && matches!(w[2].as_str(), "it" | "that" | "this")
            && w[3] == "about"
    }) || text
        .words
        .windows(3)
        .any(|w| w[0] == "whats" && matches!(w[1].as_str(), "it" | "that" | "this") && w[2] == "about");
    !text.words.is_empty()
        && !counts
        && !what_to_do
        && !what_about
        && !text.words.iter().all(|w| FILLER.contains(&w.as_str()))
        && text.words.iter().all(|w| {
            words.contains(w.as_str())
                || (named && ROUTE.contains(&w.as_str()))
                || names(w)
                || w.starts_with('#')
                || w.chars().all(|c| c.is_ascii_digit())
                || (w.len() >= 3
                    && ["st", "nd", "rd", "th"].iter().any(|s| w.ends_with(s))
                    && w[..w.len() - 2].chars().all(|c| c.is_ascii_digit()))
        })
}

/// True when an ordinal counts within the page shown last ("the 2nd one on this page").
pub(crate) fn on_page(text: &Text) -> bool {
    static PAGE: OnceLock<Regex> = OnceLock::new();
    PAGE.get_or_init(|| {
        re(r"\b(on|of|in|from) (this|that|the|the last|the current) (page|batch|set|lot|bunch|card)\b")
    })
    .is_match(&text.norm)
}

/// True when the prompt is about the whole estate or a period rather than one subject.
pub(crate) fn broad(text: &Text) -> bool {
    static BROAD: OnceLock<Regex> = OnceLock::new();
    BROAD
        .get_or_init(|| re(r"\b(posture|estate|everything|overall|overnight|since|weekly|daily|monthly|today|yesterday|this week|this month|digest|trend|secure score|standup|exec|ciso|board|weekend)\b"))
        .is_match(&text.norm)
}

/// True when the prompt mentions anything of security posture.
pub(crate) fn domain(text: &Text) -> bool {
    static DOMAIN: OnceLock<Regex> = OnceLock::new();
    DOMAIN
        .get_or_init(|| {
            re(r"\b(risks?|risky|findings?|vulns?|vulnerab\w*|cves?|attack\w*|expos\w*|public\w*|internet|sensitive|secur\w*|posture|defender|recommendations?|recs?|complian\w*|mfa|encrypt\w*|firewalls?|nsgs?|ports?|tls|ssl|patch\w*|exploit\w*|threats?|breach\w*|malware|identit\w*|permissions?|owners?|overdue|assign\w*|critical|severity|sev|crit|harden\w*|remediat\w*|fix\w*|exempt\w*|cspm|iam|rbac|jit|waf|ddos|keys?|secrets?|passwords?|tokens?|alerts?|incidents?|issues?|problems?|misconfig\w*|best practices?|audit\w*|logs?|logging|backups?|policy|policies|status|progress|plate|workload|blast|lateral|paths?)\b")
        })
        .is_match(&text.norm)
}

/// True for a token shaped like a cloud resource name ("vm-web-01", "stlogsprod",
/// "acrcontosoprod"), used when the name is not in the tenant's lexicon.
pub(crate) fn looks_like_resource(token: &str) -> bool {
    static SHAPE: OnceLock<Regex> = OnceLock::new();
    static PREFIXED: OnceLock<Regex> = OnceLock::new();
    static COMPACT: OnceLock<Regex> = OnceLock::new();
    if token.starts_with(['@', '#', '/']) || token.starts_with("cve-") || token.len() < 5 {
        return false;
    }
    let has_digit = token.bytes().any(|b| b.is_ascii_digit());
    // Dates, versions, severities ("sev-1s"), spans ("30-day", "0-day", "24-hour") and lengths
    // ("a 2-line summary") are not names; each has a digit.
    if has_digit
        && SHAPE
            .get_or_init(|| re(r"^\d{4}-\d{2}-\d{2}$|^\d+(\.\d+)*$|^v\d|^sev-?\d+s?$|^p-?\d$|^\d+-[a-z]+$"))
            .is_match(token)
    {
        return false;
    }
    let prefixed = PREFIXED.get_or_init(|| {
        re(r"^(vm|vmss|kv|st|sql|aks|acr|app|func|id|ec2|s3|gcs|rds|eks|gke|cosmos|vnet|snet|nsg|agw|bq|cloudsql|iam|ecr|lb|pip|law|adf|evh|sb|redis|apim|sp|mi|gce|web|api|db|pg|mysql)-[a-z0-9]")
    });
    let compact = COMPACT.get_or_init(|| re(r"^(acr|st|kv)[a-z0-9]{4,}(prod|dev|test|qa|stg|data|\d+)$"));
    (token.contains('-')
        && has_digit
        && token.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c)))
        || (token.contains('-') && prefixed.is_match(token))
        || (["acr", "st", "kv"].iter().any(|p| token.starts_with(p)) && compact.is_match(token))
}

/// The kind a resource name suggests by its conventional prefix.
pub(crate) fn kind_from_name(name: &str) -> Option<ResourceKind> {
    let prefix = name.split(['-', '_']).next().unwrap_or(name);
    Some(match prefix {
        "vm" | "vmss" | "ec2" | "gce" => ResourceKind::VirtualMachine,
        "kv" => ResourceKind::KeyVault,
        "st" | "s3" | "gcs" => ResourceKind::StorageAccount,
        "sql" | "rds" | "cloudsql" | "bq" | "db" | "pg" | "mysql" => ResourceKind::SqlDatabase,
        "aks" | "eks" | "gke" => ResourceKind::KubernetesCluster,
        "acr" | "ecr" => ResourceKind::ContainerRegistry,
        "app" | "func" | "web" | "api" => ResourceKind::AppService,
        "id" | "iam" | "sp" | "mi" => ResourceKind::Identity,
        "cosmos" => ResourceKind::CosmosDb,
        "vnet" | "snet" | "nsg" | "agw" | "lb" | "pip" => ResourceKind::Network,
        _ if name.starts_with("acr") => ResourceKind::ContainerRegistry,
        _ if name.starts_with("kv") => ResourceKind::KeyVault,
        _ if name.starts_with("st") => ResourceKind::StorageAccount,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::text::Vocabulary;

    #[test]
    fn a_note_to_a_teammate_and_a_mail_out_are_told_from_requests() {
        let t = |p: &str| Text::new(p, &Vocabulary::new([]), &|_| false);
        assert!(loops_someone_in(&t("<@U024BE7LH> fyi ^")));
        assert!(loops_someone_in(&t("cc @dana")));
        assert!(!loops_someone_in(&t("fyi")));
        assert!(!loops_someone_in(&t("assign it to @dana fyi")));
        assert!(mails_it_out(&t("Could you email this to the board distribution list?")));
        assert!(!mails_it_out(&t("can you email me a weekly digest?")));
        assert!(tells_own_next_step(&t("thanks!! I'll message alex 😊")));
        assert!(tells_own_next_step(&t("ok I will ping @dana")));
        assert!(!tells_own_next_step(&t("I'll message alex, can you assign him the 2nd?")));
        assert!(!tells_own_next_step(&t("message alex about it")));
        assert!(reports_incident(&t("Possible exfil from s3-finance-exports. Everything open on it.")));
        assert!(!reports_incident(&t("how do I exfil data from s3-finance-exports")));
        assert!(silences_alerts(&t("can u just mute everything for it till 9am")));
        assert!(silences_alerts(&t("snooze the defender alerts on vm-etl-02 for a week")));
        assert!(!silences_alerts(&t("how do I silence noisy alerts properly?")));
        assert!(!silences_alerts(&t("show everything critical")));
    }

    #[test]
    fn questions_about_defender_alerts_read_as_findings_and_others_do_not() {
        assert_eq!(
            about_alerts("show last night's high severity alerts").as_deref(),
            Some("show last night's high severity findings")
        );
        assert_eq!(about_alerts("any open Incidents?").as_deref(), Some("any open findings?"));
        assert_eq!(about_alerts("explain this security alert").as_deref(), Some("explain this finding"));
        assert_eq!(about_alerts("alrts last 24h").as_deref(), Some("findings last 24h"));
        assert_eq!(
            about_alerts("are we under attack right now?").as_deref(),
            Some("list findings right now?")
        );
        // Threat activity is what alerts report, whatever the question calls it.
        for activity in [
            "did anyone hit our storage from a tor exit node?",
            "any suspicious sign-ins on kv-app-prod",
            "were we attacked last night",
            "malware detected anywhere this week?",
            // An attack named as something that happened is an alert, not a request to attack.
            "the ssh brute force on ec2-worker-08 wat do",
            "any brute force against the jump box?",
            "whats the storage account with the malware thing",
        ] {
            let read = about_alerts(activity);
            assert!(
                read.as_deref().is_some_and(|r| r != activity && about_alerts(r).is_none()),
                "{activity}: {read:?}"
            );
        }
        for elsewhere in [
            "are the vms protected against brute force",
            "machines without malware protection",
            "list the sentinel incidents assigned to me",
            "create an alert rule for new findings",
            "where's the incident response runbook",
            "got an alert-ish email, is anyone on the findings for that box",
            "how do i get in without setting off alerts",
            "do you cover alerts, or just recommendations?",
            "set a budget alert at 10k",
            "storage accounts with malware scanning off",
            "show critical risks",
        ] {
            assert_eq!(about_alerts(elsewhere), None, "{elsewhere}");
        }
    }

    #[test]
    fn a_reference_alone_points_and_a_count_of_rows_does_not() {
        let bare = |prompt: &str| bare_reference(&text(prompt), &|_| false);
        // "now do #1" after a fix asks the same of row 1.
        for pointing in
            ["#3", "the 2nd one?", "and the top one", "number 4", "the worst of those", "now do #1"]
        {
            assert!(bare(pointing), "{pointing}");
        }
        for counting in ["top 5 worst there", "the next 10", "first 3"] {
            assert!(!bare(counting), "{counting}");
        }
        let ordinal = |prompt: &str| super::ordinal(&text(prompt));
        assert_eq!(ordinal("what are the worst ones there"), None, "the worst ones are a list");
        assert_eq!(ordinal("7 looks like cryptomining on gce wtf"), Some(7));
        assert_eq!(ordinal("4 critical findings on prod?"), None, "a count");
        assert_eq!(ordinal("the worst one there"), Some(1));
    }

    fn text(prompt: &str) -> Text {
        Text::new(prompt, &Vocabulary::new([]), &|t| looks_like_resource(t))
    }

    #[test]
    fn a_due_date_moved_by_a_span_is_read_in_days() {
        assert_eq!(
            due_shift(&text("Would it be possible to postpone the due date of this finding by two weeks?")),
            Some(14)
        );
        assert_eq!(due_shift(&text("push all of omar's dates a week")), Some(7));
        assert_eq!(due_shift(&text("give her 3 more days on it")), Some(3));
        assert_eq!(due_shift(&text("move it to dana by friday")), None);
        assert_eq!(due_shift(&text("give it to the app owner, 3 weeks")), None, "a deadline");
        assert_eq!(due_shift(&text("move it to dana, 2 weeks")), None, "a deadline");
        assert_eq!(due_shift(&text("can she get another week?")), Some(7));
        assert_eq!(due_shift(&text("what changed in the last two weeks")), None);
    }

    #[test]
    fn a_persons_name_alone_with_s_asks_for_their_work() {
        let people = |w: &str| matches!(w, "alex" | "priya" | "li.wei");
        for (prompt, who) in [
            ("show alex's", "alex"),
            ("alex and li wei both have 4. show alex's", "alex"),
            ("and priya's ones?", "priya"),
            ("alex's", "alex"),
        ] {
            assert_eq!(shows_someones(&text(prompt), &people).as_deref(), Some(who), "{prompt}");
        }
        for other in
            ["show alex's findings on vm-web-03 and fix them", "show bob's", "what's alex's status on it"]
        {
            assert_eq!(shows_someones(&text(other), &people), None, "{other}");
        }
    }

    #[test]
    fn who_someone_is_who_they_doubt_and_what_is_left_are_read_as_written() {
        let people = |w: &str| matches!(w.trim_start_matches('@'), "sam" | "priya" | "omar");
        assert_eq!(
            self_named(&text("assign it to me, I'm sam, i'll take it over"), &people).as_deref(),
            Some("sam")
        );
        assert_eq!(self_named(&text("I'm not sure"), &people), None);
        assert_eq!(self_named(&text("assign that to me (sam@contoso.com)"), &people).as_deref(), Some("sam"));
        assert!(disputes_owner(&text("are you sure? I'm pretty sure priya took that one"), &people));
        assert!(!disputes_owner(&text("I'm pretty sure it is fine"), &people));
        assert!(the_rest(&text("give the rest to omar, due jan 8")));
        assert!(!the_rest(&text("rest of the week is busy")));
        assert!(walk_through(&text("the 1st path: walk me through each hop")));
        assert!(asks_who_takes(&text("and who should take it?")));
        assert!(!asks_who_takes(&text("sam should take it")));
        // "path 3" and "alert 2" are rows; "the alert one" is a kind.
        assert_eq!(ordinal(&text("what would break path 3?")), Some(3));
        assert_eq!(ordinal(&text("the alert one goes to sam")), None);
        assert_eq!(rows(&text("assign the points one until three to Dana")), vec![1, 2, 3]);
    }

    #[test]
    fn severities_keep_their_order_and_skip_lookalikes() {
        assert_eq!(
            severities(&text("show medium and low too, not just critical")),
            [Severity::Medium, Severity::Low]
        );
        assert_eq!(severities(&text("high and critical please")), [Severity::High, Severity::Critical]);
        let above_low = [Severity::Critical, Severity::High, Severity::Medium];
        for without_lows in
            ["all findings except the lows", "skip the low-sev noise", "filter out lows", "lose the lows"]
        {
            assert_eq!(severities(&text(without_lows)), above_low, "{without_lows}");
        }
        assert_eq!(
            severities(&text("check out the criticals")),
            [Severity::Critical],
            "looking is not leaving out"
        );
        assert_eq!(
            cloud(&text("take out the aws findings")),
            None,
            "a cloud left out is not the one asked for"
        );
        assert_eq!(severities(&text("progress on the criticals")), [Severity::Critical]);
        assert!(severities(&text("What are my highest risk findings?")).is_empty());
        assert!(severities(&text("high-level overview of our storage")).is_empty());
        let above = [Severity::Critical, Severity::High];
        for prompt in [
            "high and above pls",
            "anything high or worse?",
            "sev high+ only",
            "high-and-up issues",
            "findings of high severity or worse",
        ] {
            assert_eq!(severities(&text(prompt)), above, "{prompt}");
        }
        assert_eq!(
            severities(&text("medium+ findings")),
            [Severity::Critical, Severity::High, Severity::Medium]
        );
        assert_eq!(severities(&text("any sev1 open?")), [Severity::Critical]);
        assert_eq!(
            severities(&text("medium and low")),
            [Severity::Medium, Severity::Low],
            "a list is not a range"
        );
        assert_eq!(
            severities(&text("med + low pls")),
            [Severity::Medium, Severity::Low],
            "a plus between levels is an and"
        );
    }

    #[test]
    fn script_languages_are_read_the_way_people_abbreviate_them() {
        for (prompt, want) in [
            ("ps script pls", Some("powershell")),
            ("same thing in ps", Some("powershell")),
            ("ps?", Some("powershell")),
            ("got a ps1 for that", Some("powershell")),
            ("ps: the vm was rebooted last night, what's still open", None),
            ("opentofu version?", Some("terraform")),
            ("aws cmds for it", Some("aws_cli")),
            ("cli for this one", Some("azure_cli")),
            ("how do i fix it", None),
            ("actually az cli, we dont do bicep on that team", Some("azure_cli")),
            ("terraform rather than powershell", Some("terraform")),
            ("not bicep", None),
        ] {
            assert_eq!(tool(&text(prompt)), want, "{prompt}");
        }
    }

    #[test]
    fn kinds_follow_reading_order_and_longest_phrase() {
        assert_eq!(
            resource_kind(&text(
                "Storage accounts should restrict network access using virtual network rules"
            )),
            Some(ResourceKind::StorageAccount)
        );
        assert_eq!(
            resource_kind(&text("any critical CVEs on our servers?")),
            Some(ResourceKind::VirtualMachine)
        );
        assert_eq!(resource_kind(&text("which SQL servers are public")), Some(ResourceKind::SqlDatabase));
        // Subscriptions named as where to look are a scope, not the kind asked about.
        assert_eq!(resource_kind(&text("critical findings affecting our production subscriptions")), None);
        assert_eq!(resource_kind(&text("GCP buckets that are public?")), Some(ResourceKind::StorageAccount));
        assert_eq!(resource_kind(&text("anything bad on vm-web-01?")), None);
        assert_eq!(resource_kind(&text("enable defender for storage")), None);
        assert_eq!(resource_kind(&text("findings in every subscription")), None);
    }

    #[test]
    fn several_rows_are_read_as_ranges_lists_and_counts_from_either_end() {
        assert_eq!(rows(&text("first three to omar, due the 17th")), [1, 2, 3]);
        assert_eq!(rows(&text("the last two, are those quick wins?")), [-2, -1]);
        assert_eq!(rows(&text("give 1-3 to sam")), [1, 2, 3]);
        assert_eq!(rows(&text("who owns #1 and #4?")), [1, 4]);
        assert_eq!(rows(&text("2, 3 and 5 go to priya")), [2, 3, 5]);
        assert!(rows(&text("due the 17th")).is_empty());
        assert!(rows(&text("explain the 2nd one")).is_empty());
        assert!(rows(&text("from 10 to 5")).is_empty());
    }

    #[test]
    fn a_day_or_a_yes_alone_answers_what_was_asked() {
        let today = time::macros::date!(2026 - 11 - 25);
        for (said, day) in
            [("friday", "2026-11-27"), ("by 12/18", "2026-12-18"), ("make it next friday pls", "2026-12-04")]
        {
            let due = only_a_date(&text(said), today).and_then(|d| d.date).map(|d| d.to_string());
            assert_eq!(due.as_deref(), Some(day), "{said}");
        }
        for not_only in ["assign it to dana by friday", "what's due friday for sam", "3"] {
            assert!(only_a_date(&text(not_only), today).is_none(), "{not_only}");
        }
        assert_eq!(answers_proposal("Yes, I confirm!"), Some(true));
        assert_eq!(answers_proposal("go ahead pls"), Some(true));
        assert_eq!(answers_proposal("never mind"), Some(false));
        assert_eq!(answers_proposal("yep do it"), Some(true));
        assert_eq!(answers_proposal("ok, sounds good thanks"), Some(true));
        assert_eq!(answers_proposal("nah, scratch that"), Some(false));
        assert_eq!(answers_proposal("ok"), None, "an acknowledgement, not an answer");
        assert_eq!(answers_proposal("yes no"), None, "both");
        assert_eq!(answers_proposal("nah too much work. the jit one?"), None);
        assert_eq!(answers_proposal("yes, and who owns the 3rd?"), None, "a question of its own");
    }

    #[test]
    fn ordinals_are_positions_not_dates() {
        assert_eq!(ordinal(&text("3")), Some(3), "a number alone picks a row");
        assert_eq!(ordinal(&text("ok 2 pls")), Some(2));
        assert_eq!(ordinal(&text("top 3")), None, "a count, not a row");
        assert_eq!(ordinal(&text("how do I fix the 2nd one?")), Some(2));
        assert_eq!(ordinal(&text("explain #3")), Some(3));
        assert_eq!(ordinal(&text("give the first one to @ravi")), Some(1));
        assert_eq!(ordinal(&text("brief me on the last one")), Some(-1));
        assert_eq!(ordinal(&text("high-sev issues no one is on")), None, "no one is nobody");
        assert_eq!(ordinal(&text("explain the bottom one")), Some(-1));
        assert_eq!(ordinal(&text("tell me more about the final item")), Some(-1));
        for not_a_row in [
            "what changed in the last 7 days",
            "anything new since the last report?",
            "what's the bottom line",
        ] {
            assert_eq!(ordinal(&text(not_a_row)), None, "{not_a_row}");
        }
        assert_eq!(ordinal(&text("crits that no one has picked up")), None);
        assert_eq!(ordinal(&text("more on no. 3")), Some(3));
        assert_eq!(ordinal(&text("can @aisha take the sql ones? by the 20th")), None);
        assert_eq!(ordinal(&text("put it on raj, due fri the 11th")), None);
        assert_eq!(ordinal(&text("reassign all of them to raj with due date 15th dec")), None);
        assert_eq!(ordinal(&text("and push the due date to the 18th")), None);
        assert_eq!(ordinal(&text("the 3rd of january works")), None);
        assert_eq!(ordinal(&text("the 2nd may be a false positive")), Some(2));
        assert_eq!(ordinal(&text("move it to the 2nd one")), Some(2));
        assert_eq!(ordinal(&text("why didn't you answer my last question")), None);
        assert_eq!(ordinal(&text("what happened the last week")), None);
        assert_eq!(ordinal(&text("that one at the top, why is it crit")), Some(1));
        assert_eq!(ordinal(&text("fix whatever is at the top of the list")), Some(1));
        assert_eq!(ordinal(&text("top up the budget")), None);
        assert_eq!(ordinal(&text("more on item one")), Some(1));
        assert_eq!(ordinal(&text("patch 4")), Some(4));
        assert_eq!(ordinal(&text("same for 3")), Some(3));
        assert_eq!(ordinal(&text("first")), Some(1));
        assert_eq!(ordinal(&text("ok second pls")), Some(2));
        assert_eq!(ordinal(&text("first things first")), None);
        assert_eq!(ordinal(&text("why 3")), Some(3));
        assert_eq!(ordinal(&text("show 5")), None, "a count, not a row");
        assert_eq!(ordinal(&text("top 10 risks")), None);
        assert_eq!(ordinal(&text("assign 3 to li.wei, due in 10 days")), Some(3));
        assert_eq!(ordinal(&text("details 2")), Some(2));
        assert_eq!(count(&text("Sprint planning. Top 10 risks, please.")), Some(10));
        assert_eq!(count(&text("show me the 3 worst")), Some(3));
        assert_eq!(count(&text("if we could only fix five things this week, which would they be?")), Some(5));
        assert!(prioritises(&text("if we could only fix five things this week, which would they be?")));
        assert!(prioritises(&text("what are the 3 things we should fix first")));
        assert!(!prioritises(&text("how do I fix these things")));
        assert_eq!(count(&text("the next ten")), Some(10));
        assert_eq!(count(&text("the top one")), None);
        assert_eq!(count(&text("explain #3")), None);
        assert_eq!(ordinal(&text("fix for 4 in powershell")), Some(4));
        assert_eq!(ordinal(&text("The first point, what is it about?")), Some(1));
        assert_eq!(ordinal(&text("can you explain me what the third point means")), Some(3));
        assert_eq!(ordinal(&text("6 - whats that")), Some(6));
        assert_eq!(ordinal(&text("5 critical findings on vms")), None, "a count");
        assert_eq!(ordinal(&text("fix for 4 hours")), None, "a span of time");
    }

    #[test]
    fn that_opening_a_clause_points_at_nothing_in_the_thread() {
        use super::super::Pointer;
        assert_eq!(pointer(&text("critical findings that have no owner")), None);
        assert_eq!(pointer(&text("vms that still need patching")), None);
        assert_eq!(pointer(&text("I need to confirm that every assigned finding has an owner")), None);
        assert_eq!(pointer(&text("make sure that we close the ports")), None);
        assert!(!picks_item(&text("I need to confirm that every assigned finding has an owner")));
        assert!(picks_item(&text("that gcs thing")));
        assert!(asks_of_its_own_list(&text("show me the sql stuff and who owns it")));
        assert!(!asks_of_its_own_list(&text("who owns it")));
        assert_eq!(pointer(&text("is that bad?")), Some(Pointer::It));
        assert_eq!(pointer(&text("fix that one")), Some(Pointer::It));
        assert_eq!(pointer(&text("the previous one, who owns it")), Some(Pointer::It));
        // A time ("after that") is not a row; the row after still is.
        assert_eq!(pointer(&text("how loaded is dana after that?")), None);
        assert_eq!(pointer(&text("and after that?")), Some(Pointer::Next));
        assert_eq!(pointer(&text("fix the one after that")), Some(Pointer::Next));
    }

    #[test]
    fn a_place_pointed_at_is_told_from_something_that_exists() {
        assert!(there(&text("Why is it so low? Kindly show me the findings there.")));
        assert!(there(&text("show me the critical risks in that subscription")));
        assert!(!there(&text("is there anything critical?")));
        assert!(!there(&text("there are too many findings, which matter")));
        assert!(ranks_subscriptions(&text("Which subscription is the worst one?")));
        assert!(ranks_subscriptions(&text("and which subscription is dragging it down the most?")));
        assert!(!ranks_subscriptions(&text("the worst one")));
    }

    #[test]
    fn an_item_is_singled_out_by_what_it_is() {
        for picks in [
            "the gcs one - whats the deal",
            "the one on func-orders-sync?",
            "that kv thing",
            "the s3 finance one",
        ] {
            assert!(picks_item(&text(picks)), "{picks}");
        }
        for not in [
            "show the critical findings",
            "fix it",
            "this one",
            "what's on my plate",
            "who is the owner of the previous one?",
            "the 2nd one",
            "the very last one",
        ] {
            assert!(!picks_item(&text(not)), "{not}");
        }
    }

    #[test]
    fn assignees_are_read_as_written() {
        let nobody = |_: &str| false;
        assert_eq!(
            assignee(&text("@secbot which exposed findings have no owner"), &nobody),
            None,
            "addressing secbot names no one"
        );
        assert_eq!(assignee(&text("@secbot give #2 to @dana"), &nobody).as_deref(), Some("@dana"));
        for mine in [
            "I'll take the 2nd, by thursday",
            "sign me up for the sql one",
            "dibs on #3",
            "2nd is mine, assign it",
        ] {
            assert_eq!(assignee(&text(mine), &nobody).as_deref(), Some("me"), "{mine}");
        }
        assert_eq!(
            assignee(&text("platform team takes the aks ones"), &nobody).as_deref(),
            Some("platform team")
        );
        assert_eq!(
            assignee(&text("is the checkout team behind on anything"), &nobody).as_deref(),
            Some("checkout team")
        );
        assert_eq!(assignee(&text("how is our team doing"), &nobody), None, "our team names no team");
        assert_eq!(assignee(&text("assign it to @dana by Friday"), &nobody).as_deref(), Some("@dana"));
        assert_eq!(
            assignee(&text("reassign this from me to @li.wei, due 2025-08-01"), &nobody).as_deref(),
            Some("@li.wei")
        );
        assert_eq!(
            assignee(&text("Assign all critical storage recommendations to the storage team"), &nobody)
                .as_deref(),
            Some("storage team")
        );
        assert_eq!(assignee(&text("what's on my plate?"), &nobody).as_deref(), Some("me"));
        assert_eq!(
            assignee(&text("give #7 to the resource owner"), &nobody).as_deref(),
            Some("resource_owner")
        );
        assert_eq!(
            assignee(&text("delegate to the image owner, 2 weeks"), &nobody).as_deref(),
            Some("resource_owner")
        );
        assert_eq!(
            assignee(&text("route all of it to whoever owns that app"), &nobody).as_deref(),
            Some("resource_owner")
        );
        assert_eq!(
            assignee(&text("hand it to the storage team"), &nobody).as_deref(),
            Some("storage team"),
            "a team is not the resource's owner"
        );
        assert_eq!(assignee(&text("@raj can you take the key vault one?"), &nobody).as_deref(), Some("@raj"));
        assert_eq!(assignee(&text("assign it to dana by friday"), &|n| n == "dana").as_deref(), Some("dana"));
    }

    #[test]
    fn resource_names_are_recognised_by_shape() {
        for name in [
            "vm-web-01",
            "stlogsprod",
            "acrcontosoprod",
            "app-checkout-api",
            "s3-finance-exports",
            "kv-payments-prod",
        ] {
            assert!(looks_like_resource(name), "{name}");
        }
        for word in [
            "storage",
            "status",
            "2026-12-15",
            "@dana",
            "internet-facing",
            "cve-2021-44228",
            "ssh-key-only",
            "k8s",
            "2-line",
            "3-bullet",
        ] {
            assert!(!looks_like_resource(word), "{word}");
        }
        assert_eq!(kind_from_name("kv-payments-prod"), Some(ResourceKind::KeyVault));
        assert_eq!(kind_from_name("stlogsprod"), Some(ResourceKind::StorageAccount));
    }
}
