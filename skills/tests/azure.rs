//! `AzureSource` against a mock Azure: wiremock plays Azure AD, Resource Graph and the
//! Microsoft.Security API, serving rows in the shapes Defender for Cloud returns. The mock
//! answers a Resource Graph query with every row of the type the query reads (a superset of what
//! the pushed-down KQL selects), in three pages, so the source's exact filtering, ranking and
//! paging are what make its answers equal the in-memory tenant's.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use secbot_chat::{
    Card, Cloud, Intent, Origin, Person, Platform, Prompt, ResourceKind, ResponseId, Severity, Subject,
};
use secbot_skills::azure::{AzureOptions, AzureSource, Credential, Secret};
use secbot_skills::demo::{self, DemoOptions};
use secbot_skills::intent::{self, Lexicon};
use secbot_skills::posture::{
    AlertFilter, AlertStatus, AssignmentRequest, AttackPathFilter, FindingFilter, PostureError,
    PostureSource, Status,
};
use secbot_skills::skill::{self, Request as SkillRequest};
use secbot_skills::snapshot;
use secbot_skills::tenant::IndexedSource;
use serde_json::{Value, json};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use secbot_skills::azure::testing::{GRAPH, MockAzure as Azure, Rows, SECRET, TENANT, TOKEN, fixture, text};

const DAY: Date = date!(2026 - 11 - 25);

// ----- the demo tenant, cut down ---------------------------------------------------------------

/// The resource a row is about (its id up to the Security provider), lower case.
fn row_resource(row: &Value) -> String {
    let id = text(row, "id").to_ascii_lowercase();
    match id.find("/providers/microsoft.security/assessments/") {
        Some(at) => id[..at].to_owned(),
        None => id,
    }
}

/// The demo tenant written as a snapshot, cut to every resource on an attack path plus every
/// third other resource, so the mock stays quick while every skill still has data.
fn demo_snapshot() -> Value {
    let mut written = Vec::new();
    snapshot::write(&demo::tenant(&DemoOptions::for_day(DAY)), &mut written).expect("written");
    let full: Value = serde_json::from_slice(&written).expect("JSON");
    let rows = full["data"].as_array().expect("rows").clone();
    let kind = |row: &Value| text(row, "type").to_ascii_lowercase();
    let mut keep: Vec<String> = Vec::new();
    for row in rows.iter().filter(|r| kind(r) == "microsoft.security/attackpaths") {
        for entity in row["properties"]["graphComponent"]["entities"].as_array().into_iter().flatten() {
            if let Some(id) = entity["entityIdentifiers"]["azureResourceId"].as_str() {
                keep.push(id.to_ascii_lowercase());
            }
        }
    }
    let mut others = 0usize;
    for row in &rows {
        let k = kind(row);
        if !k.starts_with("microsoft.security/") && k != "microsoft.resources/subscriptions" {
            let id = text(row, "id").to_ascii_lowercase();
            if !keep.contains(&id) {
                others += 1;
                if others.is_multiple_of(3) {
                    keep.push(id);
                }
            }
        }
    }
    let kept: Vec<Value> = rows
        .into_iter()
        .filter(|row| match kind(row).as_str() {
            "microsoft.resources/subscriptions"
            | "microsoft.security/pricings"
            | "microsoft.security/attackpaths"
            | "microsoft.security/securescores"
            | "microsoft.security/securescores/securescorecontrols" => true,
            "microsoft.security/assessments/governanceassignments" => {
                let assigned = text(&row["properties"], "assignedResourceId");
                keep.contains(&row_resource(&json!({ "id": assigned })))
            }
            _ => keep.contains(&row_resource(row)),
        })
        .collect();
    json!({"totalRecords": kept.len(), "count": kept.len(), "resultTruncated": "false", "data": kept})
}

fn memory(snapshot: &Value) -> IndexedSource {
    IndexedSource::new(snapshot::read(snapshot.to_string().as_bytes(), "snapshot.json").expect("a snapshot"))
}

fn lexicon(snapshot: &Value) -> Lexicon {
    Lexicon::of_tenant(&snapshot::read(snapshot.to_string().as_bytes(), "snapshot.json").expect("a snapshot"))
}

// ----- comparing answers -----------------------------------------------------------------------

fn filters() -> Vec<FindingFilter> {
    let f = FindingFilter::default;
    vec![
        f(),
        FindingFilter { levels: vec![Severity::Critical], internet_exposed: Some(true), ..f() },
        FindingFilter { levels: vec![Severity::Critical, Severity::High], sensitive_data: Some(true), ..f() },
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
        FindingFilter { assigned: Some(true), due_before: Some(DAY), ..f() },
        FindingFilter { assigned: Some(false), risk_levels: vec![Severity::High, Severity::Critical], ..f() },
        FindingFilter { owner: Some("DANA@contoso.com".into()), ..f() },
        FindingFilter { changed_since: Some(datetime!(2026 - 11 - 24 00:00 UTC)), ..f() },
        FindingFilter { kinds: vec![ResourceKind::ContainerImage, ResourceKind::VirtualMachine], ..f() },
    ]
}

/// The same findings, pages, counts and summaries from both sources for every filter.
async fn same_findings(expected: &dyn PostureSource, actual: &dyn PostureSource) {
    let subscriptions = expected.subscriptions().await.expect("subscriptions");
    assert_eq!(actual.subscriptions().await.expect("subscriptions"), subscriptions);
    let mut all = filters();
    all.push(FindingFilter { subscriptions: vec![subscriptions[0].id.clone()], ..FindingFilter::default() });
    all.push(FindingFilter { subscriptions: vec!["not-a-subscription".into()], ..FindingFilter::default() });
    for filter in &all {
        let want = expected.findings(filter, 0, 10_000).await.expect("findings");
        let got = actual.findings(filter, 0, 10_000).await.expect("findings");
        assert_eq!(got.total, want.total, "total for {filter:?}");
        assert_eq!(got.by_level, want.by_level, "levels for {filter:?}");
        assert!(got.items == want.items, "items for {filter:?}");
        let want = expected.findings(filter, 3, 5).await.expect("page");
        assert_eq!(actual.findings(filter, 3, 5).await.expect("page"), want, "page 2 for {filter:?}");
        let want = expected.summary(filter, DAY).await.expect("summary");
        assert_eq!(actual.summary(filter, DAY).await.expect("summary"), want, "summary for {filter:?}");
    }
    let paths = expected.attack_paths(&AttackPathFilter::default()).await.expect("paths");
    assert!(!paths.is_empty());
    assert_eq!(actual.attack_paths(&AttackPathFilter::default()).await.expect("paths"), paths);
    let exposed =
        AttackPathFilter { internet_exposed: Some(true), sensitive_data: Some(true), ..Default::default() };
    assert_eq!(
        actual.attack_paths(&exposed).await.expect("paths"),
        expected.attack_paths(&exposed).await.expect("paths")
    );
}

fn prompt(text: &str) -> Prompt {
    Prompt {
        origin: Origin {
            platform: Platform::Slack,
            tenant: "T1".into(),
            channel: "C1".into(),
            thread: Some("1700000000.000100".into()),
            message: Some("1700000001.000200".into()),
            user: Person::named("U1"),
            roles: Vec::new(),
            service_url: None,
            time: OffsetDateTime::new_utc(DAY, time::Time::from_hms(9, 30, 0).expect("a time")),
        },
        text: text.to_owned(),
        mentions: Vec::new(),
    }
}

/// What a skill answers: the intent it ran, and its card and subject (or the error's words).
type Outcome = (Intent, Result<(Card, Option<Subject>), String>);

async fn ask(
    source: &dyn PostureSource,
    lexicon: &Lexicon,
    text: &str,
    subject: Option<&Subject>,
    offset: u32,
) -> Outcome {
    let prompt = prompt(text);
    let parse = intent::parse(text, lexicon, DAY);
    let id = ResponseId("r-1".into());
    let req = SkillRequest {
        source,
        prompt: &prompt,
        parse: &parse,
        subject,
        offset,
        response_id: &id,
        scope: &[],
        notify_domains: &[],
        today: DAY,
    };
    let answer = skill::run(parse.intent, &req).await;
    (parse.intent, answer.map(|a| (a.card, a.subject)).map_err(|e| e.to_string()))
}

/// Prompts covering every read-only skill, with the subjects follow-ups are about.
async fn conversation(memory: &IndexedSource) -> Vec<(String, Option<Subject>, u32)> {
    let top = memory.findings(&FindingFilter::default(), 0, 1).await.expect("findings").items.remove(0);
    let finding = Subject::Finding {
        recommendation: top.recommendation.key.clone(),
        resource: top.resource.id.clone(),
    };
    let resource = Subject::Resource { id: top.resource.id.clone() };
    let path = memory.attack_paths(&AttackPathFilter::default()).await.expect("paths")[0].id.clone();
    let cve = memory
        .findings(
            &FindingFilter { vulnerabilities_at_least: Some(Severity::High), ..Default::default() },
            0,
            1,
        )
        .await
        .expect("findings")
        .items
        .remove(0);
    let vulnerable = Subject::Finding {
        recommendation: cve.recommendation.key.clone(),
        resource: cve.resource.id.clone(),
    };
    let plain = |t: &str| (t.to_owned(), None, 0);
    vec![
        plain("show critical risks for publicly exposed resources"),
        ("show critical risks for publicly exposed resources".into(), None, 5),
        plain("show critical risks to sensitive data"),
        plain("show resources with high severity vulnerabilities"),
        plain("which storage accounts are open to the internet?"),
        plain("list high severity findings on AWS"),
        plain(&format!("what's wrong with {}?", top.resource.name)),
        plain("summarize our posture for the weekly standup"),
        plain("what happened overnight?"),
        ("summarize this".into(), Some(resource.clone()), 0),
        ("why does this matter?".into(), Some(finding.clone()), 0),
        ("will fixing this break anything in prod?".into(), Some(finding.clone()), 0),
        ("how do I fix this?".into(), Some(finding.clone()), 0),
        ("powershell to fix this".into(), Some(finding.clone()), 0),
        ("how do I fix this?".into(), Some(vulnerable), 0),
        plain("show attack paths to sensitive data"),
        plain("which single fix breaks the most attack paths?"),
        ("show this attack path".into(), Some(Subject::AttackPath { id: path }), 0),
        (format!("what's the blast radius of {}?", top.resource.name), None, 0),
        plain("what's overdue?"),
        plain("show unassigned critical findings"),
        plain("what's on dana's plate?"),
        plain("what's our secure score?"),
        plain("which fixes raise our secure score the most?"),
    ]
}

async fn same_answers(
    expected: &dyn PostureSource,
    actual: &dyn PostureSource,
    lexicon: &Lexicon,
    memory: &IndexedSource,
) {
    let mut intents = Vec::new();
    for (text, subject, offset) in conversation(memory).await {
        let want = ask(expected, lexicon, &text, subject.as_ref(), offset).await;
        let got = ask(actual, lexicon, &text, subject.as_ref(), offset).await;
        if got != want {
            panic!(
                "\"{text}\" answered differently\nexpected: {}\nactual:   {}",
                serde_json::to_string_pretty(&want.1.as_ref().map(|a| &a.0)).unwrap_or_default(),
                serde_json::to_string_pretty(&got.1.as_ref().map(|a| &a.0)).unwrap_or_default()
            );
        }
        let (card, _) = want.1.as_ref().unwrap_or_else(|e| panic!("\"{text}\" failed: {e}"));
        eprintln!("{:?} \"{text}\" -> {} ({} items)", want.0, card.title, card.items.len());
        intents.push(want.0);
    }
    for intent in [
        Intent::ListRisks,
        Intent::Summarize,
        Intent::Explain,
        Intent::Remediate,
        Intent::AttackPaths,
        Intent::Status,
    ] {
        assert!(intents.contains(&intent), "no prompt ran {intent:?}: {intents:?}");
    }
}

// ----- the tests -------------------------------------------------------------------------------

#[tokio::test]
async fn every_skill_answers_from_azure_as_it_does_from_memory() {
    let snapshot = demo_snapshot();
    let memory = memory(&snapshot);
    let lexicon = lexicon(&snapshot);
    let azure = Azure::start(Rows::new(&snapshot)).await;
    let source = azure.source();
    same_findings(&memory, &source).await;
    same_answers(&memory, &source, &lexicon, &memory).await;

    let requests = azure.graph_requests().await;
    assert!(
        requests.iter().any(|(_, skip, ..)| skip.as_deref().is_some_and(|s| s.starts_with("page-"))),
        "paged"
    );
    assert_eq!(azure.token_requests(), 1, "one token for the whole run");
    eprintln!("{} Resource Graph requests for the whole suite", requests.len());
}

#[tokio::test]
async fn the_secure_score_reads_the_same_from_azure_as_from_memory() {
    let snapshot = demo_snapshot();
    let memory = memory(&snapshot);
    let azure = Azure::start(Rows::new(&snapshot)).await;
    let live = azure.source().secure_score().await.expect("the score");
    let offline = memory.secure_score().await.expect("the score");
    assert!(!live.scores.is_empty() && !live.controls.is_empty(), "the snapshot carries score rows");
    assert_eq!(live, offline);
    let overall = live.overall(&[]);
    assert!(overall.current > 0.0 && overall.current < overall.max, "{overall:?}");
    let gains = live.gains(&[]);
    let won_back: f64 = gains.iter().map(|g| g.points).sum();
    let missing: f64 = live.controls_in(&[]).iter().map(|c| c.potential()).sum();
    assert!(won_back > 0.0 && won_back <= missing + 1e-6, "{won_back} of {missing} missing points");
    assert!(gains.windows(2).all(|w| w[0].points >= w[1].points), "biggest gain first");
    let kql: Vec<String> = azure.graph_requests().await.into_iter().map(|r| r.0).collect();
    assert!(kql.iter().any(|q| q.contains("microsoft.security/securescores/securescorecontrols")));
    assert!(kql.iter().any(|q| q.contains("summarize unhealthy = count() by subscriptionId")));
}

#[tokio::test]
async fn a_synced_snapshot_answers_like_the_live_source() {
    let snapshot = demo_snapshot();
    let memory = memory(&snapshot);
    let lexicon = lexicon(&snapshot);
    let azure = Azure::start(Rows::new(&snapshot)).await;
    let source = azure.source();
    let seen = Mutex::new(Vec::new());
    let mut file = Vec::new();
    let count = source.sync(&|n| seen.lock().expect("lock").push(n), &mut file).await.expect("sync");
    let seen = seen.into_inner().expect("lock");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress only grows");
    let written: Value = serde_json::from_slice(&file).expect("the sync writes JSON");
    let rows = written["data"].as_array().expect("rows").len();
    assert_eq!(
        (count, written["count"].as_u64()),
        (rows, Some(rows as u64)),
        "the count is the rows written"
    );
    assert_eq!(seen.last().copied(), Some(rows), "progress ends at the row count");
    // What `secbot serve --data` loads.
    let offline = IndexedSource::new(snapshot::read(file.as_slice(), "synced.json").expect("readable"));
    same_findings(&source, &offline).await;
    same_answers(&source, &offline, &lexicon, &memory).await;
    let kql: Vec<String> = azure.graph_requests().await.into_iter().map(|r| r.0).collect();
    assert!(
        kql.iter().any(|q| q.starts_with("resources\n| extend resourceId = tolower(id)\n| join kind=inner"))
    );
}

#[tokio::test]
async fn sample_shaped_rows_are_read_as_secbot_reads_snapshots() {
    let rows = fixture("tenant-rows.json");
    let memory = memory(&rows);
    let azure = Azure::start(Rows::new(&rows)).await;
    let source = azure.source();
    same_findings(&memory, &source).await;

    let vm = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/vm-web-01";
    let acr = "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-apps/providers/Microsoft.ContainerRegistry/registries/acrcontosoprod";
    let exposed = FindingFilter {
        levels: vec![Severity::Critical],
        internet_exposed: Some(true),
        ..Default::default()
    };
    let page = source.findings(&exposed, 0, 5).await.expect("findings");
    assert_eq!(page.total, 1);
    let top = &page.items[0];
    assert_eq!(top.resource.name, "vm-web-01");
    assert!(top.resource.internet_exposed && top.resource.sensitive_data.is_some());
    assert_eq!(
        top.resource.tags,
        vec![("env".to_owned(), "prod".to_owned()), ("owner".to_owned(), "dana@contoso.com".to_owned())]
    );
    assert_eq!(top.resource.region, "westeurope", "from the resources row");

    let overdue = FindingFilter { due_before: Some(DAY), ..Default::default() };
    let late = source.findings(&overdue, 0, 5).await.expect("findings");
    assert_eq!(late.items[0].governance.as_ref().map(|g| g.owner.as_str()), Some("alice@contoso.com"));

    let cves = source.vulnerabilities(acr).await.expect("cves");
    assert_eq!(cves.len(), 1);
    assert_eq!(
        (cves[0].cve.as_str(), cves[0].severity, cves[0].fixed_version.as_deref()),
        ("CVE-2022-42969", Severity::High, Some("1.11.1"))
    );
    let vulnerable = FindingFilter { vulnerabilities_at_least: Some(Severity::High), ..Default::default() };
    assert_eq!(source.findings(&vulnerable, 0, 5).await.expect("findings").items[0].resource.id, acr);

    let subs = source.subscriptions().await.expect("subscriptions");
    let names: Vec<(&str, bool)> =
        subs.iter().map(|s| (s.name.as_str(), s.has(secbot_skills::posture::Plan::DefenderCspm))).collect();
    assert_eq!(names, vec![("Contoso Web", true), ("Contoso Data", false)]);

    let paths = source.attack_paths(&AttackPathFilter::default()).await.expect("paths");
    assert_eq!(paths.len(), 1);
    assert_eq!(
        paths[0].steps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["vm-web-01", "stcustomerdata01"]
    );
    assert_eq!(source.resources_named("VM-WEB-01").await.expect("named")[0].id, vm);
    let names = source.resource_names().await.expect("names");
    assert!(names.contains(&("vm-web-01".to_owned(), ResourceKind::VirtualMachine)), "{names:?}");
    assert!(names.contains(&("acrcontosoprod".to_owned(), ResourceKind::ContainerRegistry)), "{names:?}");
}

#[tokio::test]
async fn alerts_are_read_from_resource_graph_in_either_spelling() {
    let mut rows = fixture("tenant-rows.json");
    let alerts = fixture("alert-rows.json");
    rows["data"].as_array_mut().expect("rows").extend(alerts.as_array().expect("alert rows").iter().cloned());
    let azure = Azure::start(Rows::new(&rows)).await;
    let source = azure.source();
    let open = source.alerts(&AlertFilter::default()).await.expect("alerts");
    let names: Vec<(&str, &str, AlertStatus)> =
        open.iter().map(|a| (a.name.as_str(), a.severity_label(), a.status)).collect();
    assert_eq!(
        names,
        [
            ("Successful SSH brute force attack", "high", AlertStatus::Active),
            (
                "Unusual unauthenticated access to a storage container",
                "informational",
                AlertStatus::InProgress
            ),
        ],
        "open alerts, most severe first; the resolved one is left out"
    );
    let ssh = &open[0];
    assert_eq!(ssh.kind, ResourceKind::VirtualMachine, "from the resource's row");
    assert_eq!(ssh.tactics, ["InitialAccess", "CredentialAccess"]);
    assert_eq!(ssh.remediation.len(), 3, "steps split on line breaks: {:?}", ssh.remediation);
    assert_eq!(
        ssh.description,
        "Several SSH logins failed on vm-web-01 from 203.0.113.7, then one succeeded."
    );
    assert!(ssh.portal.as_deref().is_some_and(|p| p.contains("/alertId/2518306792999999999_")));
    let storage = &open[1];
    assert_eq!(storage.kind, ResourceKind::StorageAccount);
    assert!(
        storage.portal.as_deref().is_some_and(
            |p| p.starts_with("https://portal.azure.com/#blade/") && p.ends_with("/location/westeurope")
        ),
        "a row without AlertUri gets the portal's alert blade: {:?}",
        storage.portal
    );

    let low = AlertFilter { severities: vec![Severity::Low], ..AlertFilter::default() };
    assert_eq!(source.alerts(&low).await.expect("alerts").len(), 1, "informational reads as low");
    let since = AlertFilter { since: Some(datetime!(2026 - 11 - 24 18:00 UTC)), ..AlertFilter::default() };
    assert_eq!(source.alerts(&since).await.expect("alerts").len(), 1);
    let scoped = AlertFilter {
        subscriptions: vec!["00000000-0000-0000-0000-000000000002".into()],
        ..AlertFilter::default()
    };
    assert_eq!(source.alerts(&scoped).await.expect("alerts")[0].entity, "stcustomerdata01");
    let everything = AlertFilter { closed_too: true, ..AlertFilter::default() };
    assert_eq!(source.alerts(&everything).await.expect("alerts").len(), 3);
    let one = source.alert(&ssh.id.to_uppercase()).await.expect("alert").expect("found by id");
    assert_eq!(one.id, ssh.id);
    let kql: Vec<String> = azure.graph_requests().await.into_iter().map(|r| r.0).collect();
    assert!(
        kql.iter().any(|q| q.contains("type == 'microsoft.security/locations/alerts'")
            && q.contains("alertStatus in ('active', 'inprogress')")),
        "open alerts are selected in the query: {kql:?}"
    );
}

async fn metadata_mocks(server: &MockServer) {
    let mut first = fixture("assessment-metadata-page-1.json");
    let next = first["nextLink"].as_str().expect("a link").replace("{management}", &server.uri());
    first["nextLink"] = json!(next);
    Mock::given(method("GET"))
        .and(path("/providers/Microsoft.Security/assessmentMetadata"))
        .and(query_param("$skipToken", "page-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("assessment-metadata-page-2.json")))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/providers/Microsoft.Security/assessmentMetadata"))
        .and(query_param("api-version", "2025-05-04"))
        .respond_with(ResponseTemplate::new(200).set_body_json(first))
        .mount(server)
        .await;
}

#[tokio::test]
async fn recommendations_outside_the_catalog_read_their_texts_from_the_metadata_api() {
    let mut rows = fixture("tenant-rows.json");
    rows["data"].as_array_mut().expect("rows").push(fixture("custom-assessment-row.json"));
    let azure = Azure::start(Rows::new(&rows)).await;
    metadata_mocks(&azure.server).await;
    let source = azure.source();
    let key = "ca039e75-a276-4175-aebc-bcd41e4b14b7";
    let custom = source.recommendation(key).await.expect("metadata").expect("known");
    assert_eq!(
        (custom.name.as_str(), custom.severity),
        ("My organization security assessment", Severity::High)
    );
    assert_eq!(custom.implementation_effort, Some(secbot_skills::posture::Effort::Moderate));
    let only = FindingFilter { recommendation: Some(key.into()), ..Default::default() };
    let finding = source.findings(&only, 0, 1).await.expect("findings").items.remove(0);
    assert_eq!(finding.recommendation.severity, Severity::High, "the row has no metadata; the API's is used");
    assert_eq!(finding.recommendation.description.as_deref(), custom.description.as_deref());
    // A key the catalog knows keeps secbot's own name, texts and scripts.
    let known =
        source.recommendation("21300918-b2e3-0346-785f-c77ff57d243b").await.expect("catalog").expect("known");
    assert_eq!(known.name, "Endpoint protection solution should be installed on virtual machine scale sets");
    assert!(source.recommendation("00000000-0000-0000-0000-00000000beef").await.expect("metadata").is_none());
    let requests = azure.server.received_requests().await.unwrap_or_default();
    let pages = requests.iter().filter(|r| r.url.path().ends_with("/assessmentMetadata")).count();
    assert_eq!(pages, 2, "both pages read once and cached; a nextLink to another host is not followed");
}

#[tokio::test]
async fn queries_page_through_every_page_and_stop_at_the_row_cap() {
    let snapshot = demo_snapshot();
    let azure = Azure::start(Rows::new(&snapshot)).await;
    let source =
        AzureSource::new(AzureOptions { cache_ttl: Duration::ZERO, ..azure.options() }).expect("source");
    let memory = memory(&snapshot);
    let all = FindingFilter::default();
    assert_eq!(
        source.findings(&all, 0, 3).await.expect("findings").total,
        memory.findings(&all, 0, 3).await.expect("findings").total
    );
    let requests = azure.graph_requests().await;
    let findings_pages: Vec<Option<String>> = requests
        .iter()
        .filter(|(q, ..)| q.contains("resourceExposureSignals = countif"))
        .map(|(_, skip, ..)| skip.clone())
        .collect();
    assert_eq!(findings_pages.len(), 3, "three pages: {findings_pages:?}");
    assert_eq!(findings_pages[0], None);
    assert!(findings_pages[1..].iter().all(|s| s.as_deref().is_some_and(|s| s.starts_with("page-"))));

    let capped =
        AzureSource::new(AzureOptions { max_rows: 10, cache_ttl: Duration::ZERO, ..azure.options() })
            .expect("source");
    let before = azure.graph_requests().await.len();
    let page = capped.findings(&all, 0, 100).await.expect("findings");
    assert!(page.total <= 10, "only the rows read: {}", page.total);
    let after = azure.graph_requests().await;
    let capped_queries: Vec<_> =
        after[before..].iter().filter(|(q, ..)| q.contains("resourceExposureSignals = countif")).collect();
    assert_eq!(capped_queries.len(), 1, "stops at the cap instead of reading on");
    assert_eq!(capped_queries[0].2, 10, "asks for no more than the cap");
}

#[tokio::test]
async fn a_throttled_query_waits_for_retry_after_then_succeeds() {
    let rows = fixture("tenant-rows.json");
    let azure = Azure::start(Rows::new(&rows)).await;
    Mock::given(method("POST"))
        .and(path(GRAPH))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .insert_header("x-ms-user-quota-remaining", "0")
                .insert_header("x-ms-user-quota-resets-after", "00:00:01")
                .set_body_json(fixture("graph-throttled.json")),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&azure.server)
        .await;
    let source = azure.source();
    let started = Instant::now();
    let subs = source.subscriptions().await.expect("answered after the wait");
    assert_eq!(subs.len(), 2);
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
    let first_pages = azure.graph_requests().await.into_iter().filter(|r| r.1.is_none()).count();
    assert_eq!(first_pages, 2, "one throttled try, one retry");
}

#[tokio::test]
async fn throttling_longer_than_secbot_waits_is_told_in_plain_words() {
    let rows = fixture("tenant-rows.json");
    let azure = Azure::start(Rows::new(&rows)).await;
    Mock::given(method("POST"))
        .and(path(GRAPH))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "120")
                .set_body_json(fixture("graph-throttled.json")),
        )
        .with_priority(1)
        .mount(&azure.server)
        .await;
    let err = azure.source().findings(&FindingFilter::default(), 0, 5).await.expect_err("throttled");
    assert_eq!(err, PostureError::Throttled { retry_after_secs: 120 });
    assert_eq!(err.to_string(), "Defender for Cloud is throttling requests; try again in 120 s");
}

#[tokio::test]
async fn a_forbidden_subscription_names_the_missing_roles() {
    let rows = fixture("tenant-rows.json");
    let azure = Azure::start(Rows::new(&rows)).await;
    Mock::given(method("POST"))
        .and(path(GRAPH))
        .respond_with(ResponseTemplate::new(403).set_body_json(fixture("graph-forbidden.json")))
        .with_priority(1)
        .mount(&azure.server)
        .await;
    let err = azure.source().findings(&FindingFilter::default(), 0, 5).await.expect_err("forbidden");
    assert_eq!(
        err.to_string(),
        "secbot is not allowed to read this: secbot's identity needs the Reader and Security Reader roles \
         on subscription 00000000-0000-0000-0000-000000000001"
    );
    assert_eq!(azure.graph_requests().await.len(), 1, "a 403 is not retried");
}

#[tokio::test]
async fn refused_credentials_say_what_to_check_without_the_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(ResponseTemplate::new(401).set_body_json(fixture("token-invalid-client.json")))
        .mount(&server)
        .await;
    let credential =
        Credential::ClientSecret { client_id: "secbot-app".into(), client_secret: Secret::new(SECRET) };
    let options = AzureOptions {
        authority_url: server.uri(),
        management_url: server.uri(),
        ..AzureOptions::new(TENANT, credential)
    };
    assert!(!format!("{options:?}").contains(SECRET), "Debug never shows the secret");
    let source = AzureSource::new(options).expect("source");
    let err = source.subscriptions().await.expect_err("refused");
    let words = err.to_string();
    assert!(
        words.contains("AADSTS7000215")
            && words.contains("check SECBOT_AZURE_CLIENT_ID / SECBOT_AZURE_CLIENT_SECRET"),
        "{words}"
    );
    assert!(!words.contains(SECRET) && !format!("{err:?}").contains(SECRET));
    assert!(!format!("{source:?}").contains(SECRET));
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_mid_run() {
    let rows = fixture("tenant-rows.json");
    // Tokens live 6 s, so they are renewed after 3 s.
    let azure = Azure::start_with(Rows::new(&rows), 6).await;
    let options = AzureOptions { cache_ttl: Duration::ZERO, ..azure.options() };
    let source = Arc::new(AzureSource::new(options).expect("source"));
    source.subscriptions().await.expect("first");
    source.findings(&FindingFilter::default(), 0, 5).await.expect("second");
    assert_eq!(azure.token_requests(), 1);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let source = source.clone();
        tasks.spawn(async move { source.findings(&FindingFilter::default(), 0, 5).await });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task").expect("after expiry");
    }
    assert_eq!(azure.token_requests(), 2, "renewed once, not once per request");
    let last = azure.graph_requests().await.pop().expect("requests");
    assert_eq!(last.3, "Bearer token-2");
}

#[tokio::test]
async fn a_token_azure_rejects_is_renewed_once_for_every_waiting_request() {
    let rows = fixture("tenant-rows.json");
    let azure = Azure::start(Rows::new(&rows)).await;
    Mock::given(method("POST"))
        .and(path(GRAPH))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {"code": "ExpiredAuthenticationToken", "message": "The access token expiry UTC time is earlier than current UTC time."}})))
        .with_priority(1)
        .mount(&azure.server)
        .await;
    let source = Arc::new(
        AzureSource::new(AzureOptions { cache_ttl: Duration::ZERO, ..azure.options() }).expect("source"),
    );
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let source = source.clone();
        tasks.spawn(async move { source.findings(&FindingFilter::default(), 0, 5).await });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task").expect("answered with the renewed token");
    }
    assert_eq!(azure.token_requests(), 2, "token-1, rejected, then token-2 once");
}

#[tokio::test]
async fn a_hundred_concurrent_prompts_share_one_token_and_one_query_each() {
    let snapshot = demo_snapshot();
    let memory = memory(&snapshot);
    let lexicon = Arc::new(lexicon(&snapshot));
    let azure = Azure::start(Rows::new(&snapshot)).await;
    let source = Arc::new(azure.source());
    let want = ask(&memory, &lexicon, "show critical risks for publicly exposed resources", None, 0).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let source = source.clone();
        let lexicon = lexicon.clone();
        tasks.spawn(async move {
            ask(source.as_ref(), &lexicon, "show critical risks for publicly exposed resources", None, 0)
                .await
        });
    }
    while let Some(done) = tasks.join_next().await {
        assert_eq!(done.expect("task"), want);
    }
    assert_eq!(azure.token_requests(), 1, "one token request for 100 prompts");
    let requests = azure.graph_requests().await;
    let first_pages = requests.iter().filter(|(_, skip, ..)| skip.is_none()).count();
    let mut distinct: Vec<&String> = requests.iter().map(|(q, ..)| q).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(first_pages, distinct.len(), "each distinct query ran once for the whole burst");
    eprintln!("100 prompts: {} Resource Graph requests, {} distinct queries", requests.len(), distinct.len());
}

/// The query with its string literals blanked: what the query does, whatever values it holds.
fn skeleton(kql: &str) -> String {
    let mut out = String::new();
    let mut chars = kql.chars();
    while let Some(c) = chars.next() {
        if c == '\'' {
            out.push_str("'…'");
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '\'' => break,
                    _ => {}
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[tokio::test]
async fn names_from_people_and_the_cloud_cannot_change_a_query() {
    let rows = fixture("tenant-rows.json");
    let azure = Azure::start(Rows::new(&rows)).await;
    let source = azure.source();
    let evil = "x' or 1==1 | project secrets //";
    assert!(source.resources_named(evil).await.expect("answered").is_empty());
    let kql: Vec<String> = azure.graph_requests().await.into_iter().map(|r| r.0).collect();
    let resources = "resources\n\
        | where name =~ 'x\\' or 1==1 | project secrets //'\n\
        | project id, name, type, location, resourceGroup, subscriptionId, tags\n\
        | order by id asc";
    assert!(kql.iter().any(|q| q == resources), "{kql:#?}");
    let assessments = "securityresources\n\
        | where type == 'microsoft.security/assessments'\n\
        | extend rawResourceId = coalesce(tostring(properties.resourceDetails.Id), \
        tostring(properties.resourceDetails.id), tostring(properties.resourceDetails.AzureResourceId), \
        extract('(?i)^(.*?)/providers/microsoft.security/assessments/', 1, id))\n\
        | extend resourceId = tolower(rawResourceId)\n\
        | extend resourceName = coalesce(tostring(properties.resourceDetails.ResourceName), \
        tostring(properties.resourceDetails.resourceName))\n\
        | where resourceName =~ 'x\\' or 1==1 | project secrets //' \
        or resourceId endswith '/x\\' or 1==1 | project secrets //'\n\
        | order by id asc";
    assert!(kql.iter().any(|q| q == assessments), "{kql:#?}");

    // A filter carrying hostile values has exactly the shape of one carrying plain values.
    let hostile = FindingFilter {
        recommendation: Some("k' | project secrets //".into()),
        resource: Some(format!("/subscriptions/{evil}")),
        owner: Some("a\\' or '1'=='1".into()),
        ..Default::default()
    };
    let plain = FindingFilter {
        recommendation: Some("k".into()),
        resource: Some("/subscriptions/x".into()),
        owner: Some("a".into()),
        ..Default::default()
    };
    source.findings(&hostile, 0, 5).await.expect("answered");
    source.findings(&plain, 0, 5).await.expect("answered");
    let kql: Vec<String> = azure.graph_requests().await.into_iter().map(|r| r.0).collect();
    let hostile_kql =
        kql.iter().find(|q| q.contains("project secrets") && q.contains("governanceOwner")).expect("sent");
    let plain_kql = kql.iter().find(|q| q.contains("name =~ 'k'")).expect("sent");
    assert_eq!(skeleton(hostile_kql), skeleton(plain_kql));
    assert!(hostile_kql.contains("| where statusCode in ('Unhealthy') and name =~ 'k\\' | project secrets //' and resourceId =~ '/subscriptions/x\\' or 1==1 | project secrets //'"), "{hostile_kql}");
    assert!(hostile_kql.contains("governanceOwner =~ 'a\\\\\\' or \\'1\\'==\\'1'"), "{hostile_kql}");
}

#[tokio::test]
async fn an_assignment_is_written_to_defender_and_clears_the_cache() {
    let rows = fixture("tenant-rows.json");
    let azure = Azure::start(Rows::new(&rows)).await;
    let resource = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/vm-web-01";
    let key = "1195afff-c881-495e-9bc5-1486211ae03f";
    let put_path =
        format!("{resource}/providers/Microsoft.Security/assessments/{key}/governanceAssignments/{key}");
    let mut body = fixture("governance-assignment.json");
    body["id"] = json!(put_path);
    body["name"] = json!(key);
    Mock::given(method("PUT"))
        .and(path(put_path.as_str()))
        .and(query_param("api-version", "2022-01-01-preview"))
        .respond_with(ResponseTemplate::new(201).set_body_json(body))
        .expect(1)
        .mount(&azure.server)
        .await;
    let source = azure.source();
    let filter = FindingFilter { owner: Some("dana@contoso.com".into()), ..Default::default() };
    assert_eq!(source.findings(&filter, 0, 5).await.expect("findings").total, 0);
    let reads = azure.graph_requests().await.len();
    source.findings(&filter, 0, 5).await.expect("cached");
    assert_eq!(azure.graph_requests().await.len(), reads, "the same question is answered from the cache");

    let request = AssignmentRequest {
        recommendation: key.into(),
        resource: resource.into(),
        owner: "dana@contoso.com".into(),
        due: date!(2026 - 12 - 04),
        grace_period: true,
        notify: true,
    };
    let governance = source.assign(&request).await.expect("recorded");
    assert_eq!(
        (governance.owner.as_str(), governance.due, governance.grace_period),
        ("dana@contoso.com", date!(2026 - 12 - 04), true)
    );
    let put = azure
        .server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|r| r.method.as_str() == "PUT")
        .expect("a PUT");
    let sent: Value = serde_json::from_slice(&put.body).expect("JSON");
    assert_eq!(
        sent,
        json!({"properties": {
            "owner": "dana@contoso.com",
            "remediationDueDate": "2026-12-04T00:00:00.0000000Z",
            "isGracePeriod": true,
            "governanceEmailNotification": {"disableManagerEmailNotification": false, "disableOwnerEmailNotification": false}
        }})
    );
    source.findings(&filter, 0, 5).await.expect("fresh");
    assert!(azure.graph_requests().await.len() > reads, "a write makes the next question ask Azure again");

    let elsewhere = AssignmentRequest { resource: "arn:aws:s3:::bucket".into(), ..request };
    assert!(matches!(source.assign(&elsewhere).await, Err(PostureError::NotFound(_))));
}

#[tokio::test]
async fn clearing_the_cache_and_a_zero_ttl_make_every_question_ask_azure() {
    let rows = fixture("tenant-rows.json");
    let azure = Azure::start(Rows::new(&rows)).await;
    let cached = azure.source();
    cached.findings(&FindingFilter::default(), 0, 5).await.expect("findings");
    let once = azure.graph_requests().await.len();
    cached.findings(&FindingFilter::default(), 0, 5).await.expect("findings");
    assert_eq!(azure.graph_requests().await.len(), once);
    cached.clear_cache();
    cached.findings(&FindingFilter::default(), 0, 5).await.expect("findings");
    assert_eq!(azure.graph_requests().await.len(), 2 * once);
    let uncached =
        AzureSource::new(AzureOptions { cache_ttl: Duration::ZERO, ..azure.options() }).expect("source");
    uncached.findings(&FindingFilter::default(), 0, 5).await.expect("findings");
    uncached.findings(&FindingFilter::default(), 0, 5).await.expect("findings");
    assert_eq!(azure.graph_requests().await.len(), 4 * once);
    assert_eq!(cached.info().name, format!("Azure tenant {TENANT}"));
    assert!(!cached.info().offline);
    assert_eq!(cached.person("@dana").await, Ok(None));
}

#[tokio::test]
async fn managed_and_workload_identities_sign_in_without_a_secret() {
    let rows = fixture("tenant-rows.json");
    let azure = Azure::start(Rows::new(&rows)).await;
    Mock::given(method("GET"))
        .and(path("/metadata/identity/oauth2/token"))
        .and(header("Metadata", "true"))
        .and(query_param("resource", "https://management.azure.com"))
        .and(query_param("client_id", "user-assigned-id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "imds-token", "expires_in": "86399", "expires_on": "1790000000",
            "resource": "https://management.azure.com/", "token_type": "Bearer"})))
        .expect(1)
        .mount(&azure.server)
        .await;
    let managed = Credential::ManagedIdentity {
        client_id: Some("user-assigned-id".into()),
        endpoint: format!("{}/metadata/identity/oauth2/token", azure.server.uri()),
    };
    let options = AzureOptions {
        credential: managed,
        token_scope: Some("https://management.azure.com/.default".into()),
        ..azure.options()
    };
    AzureSource::new(options).expect("source").subscriptions().await.expect("signed in");
    assert!(azure.graph_requests().await.iter().all(|r| r.3 == "Bearer imds-token"));

    let file = std::env::temp_dir().join(format!("secbot-federated-{}.jwt", std::process::id()));
    std::fs::write(&file, "federated.jwt.value\n").expect("token file");
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .and(body_string_contains("client_assertion=federated.jwt.value"))
        .and(body_string_contains(
            "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "federated-token"}),
        ))
        .expect(1)
        .mount(&azure.server)
        .await;
    let workload = Credential::WorkloadIdentity { client_id: "secbot-app".into(), token_file: file.clone() };
    let source = AzureSource::new(AzureOptions { credential: workload, ..azure.options() }).expect("source");
    source.findings(&FindingFilter::default(), 0, 5).await.expect("signed in");
    assert_eq!(
        azure.graph_requests().await.last().map(|r| r.3.clone()),
        Some("Bearer federated-token".into())
    );
    let _ = std::fs::remove_file(file);
}

#[tokio::test]
async fn app_service_identity_sends_the_platform_header_and_reads_expires_on() {
    let rows = fixture("tenant-rows.json");
    let azure = Azure::start(Rows::new(&rows)).await;
    let expires_on =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() + 3600;
    // The shape App Service and Container Apps answer with (api-version 2019-08-01): no
    // expires_in, the expiry as Unix seconds in a string.
    Mock::given(method("GET"))
        .and(path("/msi/token"))
        .and(header("X-IDENTITY-HEADER", "platform-header"))
        .and(query_param("api-version", "2019-08-01"))
        .and(query_param("resource", "https://management.azure.com"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "app-service-token", "expires_on": expires_on.to_string(),
            "resource": "https://management.azure.com", "token_type": "Bearer",
            "client_id": "00000000-0000-0000-0000-000000000001"})))
        .expect(1)
        .mount(&azure.server)
        .await;
    let identity = Credential::AppServiceIdentity {
        client_id: None,
        endpoint: format!("{}/msi/token", azure.server.uri()),
        header: Secret::new("platform-header"),
    };
    let options = AzureOptions {
        credential: identity,
        token_scope: Some("https://management.azure.com/.default".into()),
        ..azure.options()
    };
    let source = AzureSource::new(options).expect("source");
    source.findings(&FindingFilter::default(), 0, 5).await.expect("signed in");
    source.clear_cache();
    // An hour's token is reused: the mock expects exactly one token request.
    source.findings(&FindingFilter::default(), 0, 5).await.expect("still signed in");
    assert!(azure.graph_requests().await.iter().all(|r| r.3 == "Bearer app-service-token"));
}

/// A stand-in for the Azure CLI: records its arguments and prints what `az account
/// get-access-token` prints, or fails as `az` does before `az login`.
fn fake_az(name: &str, signed_in: bool) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = std::env::temp_dir().join(format!("secbot-az-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let args = dir.join("args");
    let script = dir.join("az");
    let body = if signed_in {
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\ncat <<'EOF'\n{}\nEOF\n",
            args.display(),
            json!({"accessToken": "cli-token", "expiresOn": "2030-01-01 00:00:00.000000",
                   "expires_on": 1_893_456_000u64, "subscription": "sub", "tenant": TENANT,
                   "tokenType": "Bearer"})
        )
    } else {
        "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n".to_owned()
    };
    std::fs::write(&script, body).expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    (script, args)
}

#[tokio::test]
async fn the_azure_cli_signs_in_a_developer_and_its_failures_say_to_run_az_login() {
    let rows = fixture("tenant-rows.json");
    let azure = Azure::start(Rows::new(&rows)).await;
    let (script, args) = fake_az("ok", true);
    let cli = Credential::AzureCli { program: script.display().to_string() };
    let options = AzureOptions {
        credential: cli,
        token_scope: Some("https://management.azure.com/.default".into()),
        ..azure.options()
    };
    let source = AzureSource::new(options).expect("source");
    source.findings(&FindingFilter::default(), 0, 5).await.expect("signed in");
    assert!(azure.graph_requests().await.iter().all(|r| r.3 == "Bearer cli-token"));
    let called = std::fs::read_to_string(&args).expect("az was run");
    assert_eq!(
        called.trim(),
        format!(
            "account get-access-token --output json --resource https://management.azure.com --tenant {TENANT}"
        )
    );

    let (script, _) = fake_az("logged-out", false);
    let cli = Credential::AzureCli { program: script.display().to_string() };
    let source = AzureSource::new(AzureOptions { credential: cli, ..azure.options() }).expect("source");
    let err = source.findings(&FindingFilter::default(), 0, 5).await.expect_err("not signed in").to_string();
    assert!(err.contains("az login"), "{err}");

    let missing = Credential::AzureCli { program: "/nonexistent/az".into() };
    let source = AzureSource::new(AzureOptions { credential: missing, ..azure.options() }).expect("source");
    let err = source.findings(&FindingFilter::default(), 0, 5).await.expect_err("no az").to_string();
    assert!(err.contains("not installed"), "{err}");
}
