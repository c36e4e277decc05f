//! Azure as tests meet it: one wiremock server playing Azure AD (client-credential tokens),
//! Resource Graph (the rows of a snapshot, paged with `$skipToken`) and the pricings API, so a
//! snapshot becomes a live tenant. Compiled for this crate's tests and, with the `testing`
//! feature, for other crates' tests.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use secbot_chat::delivery::Backoff;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::{AzureOptions, AzureSource, Credential, Secret};

/// The mock tenant's id.
pub const TENANT: &str = "72f988bf-0000-4000-8000-00000000c0de";
/// The client secret the mock Azure AD accepts.
pub const SECRET: &str = "s3cr3t-client-value";
/// Resource Graph's query path.
pub const GRAPH: &str = "/providers/Microsoft.ResourceGraph/resources";
/// The mock tenant's token path.
pub const TOKEN: &str = "/72f988bf-0000-4000-8000-00000000c0de/oauth2/v2.0/token";

/// A fixture from `skills/fixtures/azure`, as JSON.
pub fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/fixtures/azure/{name}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// A row's text field, or empty.
pub fn text(row: &Value, key: &str) -> String {
    row.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// What Resource Graph's `summarize unhealthy = count() by subscriptionId, key = tolower(name)`
/// gives over assessment rows.
fn unhealthy_counts(assessments: &[Value]) -> Vec<Value> {
    let mut counts: std::collections::BTreeMap<(String, String), u64> = std::collections::BTreeMap::new();
    for row in assessments {
        let status = row.pointer("/properties/status/code").and_then(Value::as_str).unwrap_or_default();
        if status.eq_ignore_ascii_case("unhealthy") {
            *counts
                .entry((text(row, "subscriptionId"), text(row, "name").to_ascii_lowercase()))
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|((subscription, key), n)| json!({"subscriptionId": subscription, "key": key, "unhealthy": n}))
        .collect()
}

/// A tenant's rows, by row type, as the mock serves them.
pub struct Rows {
    by_type: HashMap<String, Vec<Value>>,
}

impl Rows {
    /// The rows of a snapshot (`{"data": [...]}`), to serve.
    pub fn new(snapshot: &Value) -> Arc<Rows> {
        let mut by_type: HashMap<String, Vec<Value>> = HashMap::new();
        for row in snapshot["data"].as_array().expect("rows") {
            by_type.entry(text(row, "type").to_ascii_lowercase()).or_default().push(row.clone());
        }
        Arc::new(Rows { by_type })
    }

    /// Every row of the type a query reads first: the table, then its first `type ==` test.
    fn for_query(&self, query: &str) -> Vec<Value> {
        let table = query.split_whitespace().next().unwrap_or_default();
        let of = |t: &str| self.by_type.get(t).cloned().unwrap_or_default();
        match table {
            "resourcecontainers" => of("microsoft.resources/subscriptions"),
            "resources" => self
                .by_type
                .iter()
                .filter(|(t, _)| {
                    !t.starts_with("microsoft.security/") && *t != "microsoft.resources/subscriptions"
                })
                .flat_map(|(_, rows)| rows.iter().cloned())
                .collect(),
            "securityresources" => {
                if let Some(start) = query.find("type in~ (") {
                    // `type in~ ('a', 'b')`: the rows of every type listed.
                    let list = &query[start + "type in~ (".len()..];
                    let list = &list[..list.find(')').expect("closed")];
                    return list.split(',').flat_map(|t| of(t.trim().trim_matches('\''))).collect();
                }
                let start = query.find("type == '").expect("a type test") + "type == '".len();
                let end = query[start..].find('\'').expect("closed") + start;
                let rows = of(&query[start..end]);
                if query.contains("summarize unhealthy = count() by subscriptionId, key = tolower(name)") {
                    return unhealthy_counts(&rows);
                }
                rows
            }
            other => panic!("unexpected table {other}"),
        }
    }

    fn pricings(&self, subscription: &str) -> Value {
        let value: Vec<Value> = self
            .by_type
            .get("microsoft.security/pricings")
            .into_iter()
            .flatten()
            .filter(|row| text(row, "subscriptionId").eq_ignore_ascii_case(subscription))
            .map(|row| {
                json!({"id": row["id"], "name": row["name"], "type": "Microsoft.Security/pricings",
                       "properties": row["properties"]})
            })
            .collect();
        json!({ "value": value })
    }
}

/// Resource Graph: the rows of the queried type, in `pages` pages chained by `$skipToken`.
struct Graph {
    rows: Arc<Rows>,
    pages: usize,
}

impl Respond for Graph {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).expect("a JSON body");
        let query = body["query"].as_str().expect("a query");
        assert_eq!(body["options"]["resultFormat"], "objectArray");
        let rows = self.rows.for_query(query);
        let size = rows.len().div_ceil(self.pages).max(1);
        let start: usize = body["options"]["$skipToken"]
            .as_str()
            .map(|t| t.trim_start_matches("page-").parse().expect("our token"))
            .unwrap_or(0);
        let end = (start + size).min(rows.len());
        let mut page = json!({
            "totalRecords": rows.len(),
            "count": end - start,
            "resultTruncated": "false",
            "facets": [],
            "data": rows[start.min(end)..end],
        });
        if end < rows.len() {
            page["$skipToken"] = json!(format!("page-{end}"));
        }
        ResponseTemplate::new(200)
            .set_body_json(page)
            .insert_header("x-ms-user-quota-remaining", "14")
            .insert_header("x-ms-user-quota-resets-after", "00:00:05")
    }
}

struct Pricings(Arc<Rows>);

impl Respond for Pricings {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let subscription = request.url.path().split('/').nth(2).unwrap_or_default();
        ResponseTemplate::new(200).set_body_json(self.0.pricings(subscription))
    }
}

/// Azure AD: a new token per request (`token-1`, `token-2`, …), living `lifetime` seconds.
struct Tokens {
    issued: Arc<AtomicUsize>,
    lifetime: u64,
}

impl Respond for Tokens {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let mut body = fixture("token.json");
        body["access_token"] = json!(format!("token-{n}"));
        body["expires_in"] = json!(self.lifetime);
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// Azure AD, Resource Graph and the pricings API on one wiremock server.
pub struct MockAzure {
    /// The server (Azure AD and Resource Manager at one address).
    pub server: MockServer,
    tokens: Arc<AtomicUsize>,
}

impl MockAzure {
    /// Azure serving `rows`, with tokens that live an hour.
    pub async fn start(rows: Arc<Rows>) -> MockAzure {
        MockAzure::start_with(rows, 3599).await
    }

    /// Azure serving `rows`, with tokens that live `token_lifetime` seconds.
    pub async fn start_with(rows: Arc<Rows>, token_lifetime: u64) -> MockAzure {
        let server = MockServer::start().await;
        let tokens = Arc::new(AtomicUsize::new(0));
        Mock::given(method("POST"))
            .and(path(TOKEN))
            .and(body_string_contains("grant_type=client_credentials"))
            .and(body_string_contains("client_secret=s3cr3t-client-value"))
            .respond_with(Tokens { issued: tokens.clone(), lifetime: token_lifetime })
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(GRAPH))
            .and(query_param("api-version", "2021-03-01"))
            .respond_with(Graph { rows: rows.clone(), pages: 3 })
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path_regex(r"^/subscriptions/[^/]+/providers/Microsoft\.Security/pricings$"))
            .and(query_param("api-version", "2024-01-01"))
            .respond_with(Pricings(rows))
            .mount(&server)
            .await;
        MockAzure { server, tokens }
    }

    /// Options pointing secbot at this mock with the client secret it accepts.
    pub fn options(&self) -> AzureOptions {
        let credential =
            Credential::ClientSecret { client_id: "secbot-app".into(), client_secret: Secret::new(SECRET) };
        AzureOptions {
            authority_url: self.server.uri(),
            management_url: self.server.uri(),
            retry: Backoff { attempts: 3, base: Duration::from_millis(20), cap: Duration::from_secs(2) },
            ..AzureOptions::new(TENANT, credential)
        }
    }

    /// A source over this mock.
    pub fn source(&self) -> AzureSource {
        AzureSource::new(self.options()).expect("valid options")
    }

    /// Every Resource Graph request: (query, skip token, `$top`, authorization header).
    pub async fn graph_requests(&self) -> Vec<(String, Option<String>, u64, String)> {
        let requests = self.server.received_requests().await.unwrap_or_default();
        requests
            .iter()
            .filter(|r| r.url.path() == GRAPH)
            .map(|r| {
                let body: Value = serde_json::from_slice(&r.body).expect("JSON");
                (
                    body["query"].as_str().unwrap_or_default().to_owned(),
                    body["options"]["$skipToken"].as_str().map(str::to_owned),
                    body["options"]["$top"].as_u64().unwrap_or_default(),
                    r.headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect()
    }

    /// How many tokens were issued.
    pub fn token_requests(&self) -> usize {
        self.tokens.load(Ordering::SeqCst)
    }
}
