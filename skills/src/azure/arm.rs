//! Calls to Azure Resource Manager: Resource Graph queries (paged by `$skipToken`) and the
//! Microsoft.Security REST API, with a bearer token, bounded retries ([`Backoff`]) on throttling
//! and transient failures, Resource Graph's quota headers honoured, and errors turned into
//! [`AzureError`]s that say what to fix.

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use secbot_chat::calls;
use secbot_chat::delivery::{Backoff, Failure};
use serde_json::{Value, json};

use super::credentials::Tokens;
use super::error::AzureError;

/// Resource Graph's largest page.
pub(crate) const MAX_PAGE: usize = 1000;

/// What a call is for, which decides the roles named when Azure says 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Reading posture.
    Read,
    /// Recording a governance assignment.
    Write,
}

impl Access {
    fn roles(self) -> &'static str {
        match self {
            Access::Read => "the Reader and Security Reader roles",
            Access::Write => "the Security Admin role (to record owners and due dates)",
        }
    }
}

/// One page of Resource Graph rows.
#[derive(Debug, Default)]
pub(crate) struct Page {
    /// The rows.
    pub(crate) rows: Vec<Value>,
    /// Where the next page starts, when there is one.
    pub(crate) skip_token: Option<String>,
    /// Resource Graph cut the result short.
    pub(crate) truncated: bool,
}

/// A Resource Manager client.
#[derive(Debug)]
pub(crate) struct Arm {
    http: reqwest::Client,
    management: String,
    tokens: Tokens,
    backoff: Backoff,
    quota_until: std::sync::Mutex<Option<Instant>>,
}

/// `hh:mm:ss` (or plain seconds) as a duration.
pub(crate) fn parse_resets_after(text: &str) -> Option<Duration> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let seconds = match parts.as_slice() {
        [h, m, s] => {
            h.parse::<f64>().ok()? * 3600.0 + m.parse::<f64>().ok()? * 60.0 + s.parse::<f64>().ok()?
        }
        [s] => s.parse::<f64>().ok()?,
        _ => return None,
    };
    secbot_chat::delivery::wait_of(seconds)
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The first subscription id named in an Azure error message (`…/subscriptions/{id}…`).
fn subscription_in(message: &str) -> Option<String> {
    let lower = message.to_ascii_lowercase();
    let at = lower.find("/subscriptions/")? + "/subscriptions/".len();
    let id: String =
        message[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    (!id.is_empty()).then_some(id)
}

fn scope_words(subscriptions: &[String]) -> String {
    match subscriptions {
        [] => "the subscriptions it reads".to_owned(),
        [one] => format!("subscription {one}"),
        many => format!("subscriptions {}", many.join(", ")),
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}…")
    }
}

impl Arm {
    /// A client for the management endpoint (`https://management.azure.com`).
    pub(crate) fn new(http: reqwest::Client, management: &str, tokens: Tokens, backoff: Backoff) -> Arm {
        Arm {
            http,
            management: management.trim_end_matches('/').to_owned(),
            tokens,
            backoff,
            quota_until: std::sync::Mutex::new(None),
        }
    }

    /// The management endpoint, without a trailing slash.
    pub(crate) fn base(&self) -> &str {
        &self.management
    }

    /// One page of a Resource Graph query over `subscriptions` (all the identity can see when
    /// empty).
    pub(crate) async fn graph_page(
        &self,
        subscriptions: &[String],
        query: &str,
        skip_token: Option<&str>,
        top: usize,
    ) -> Result<Page, AzureError> {
        let mut options = json!({"$top": top.clamp(1, MAX_PAGE), "resultFormat": "objectArray"});
        if let Some(token) = skip_token {
            options["$skipToken"] = Value::String(token.to_owned());
        }
        let mut body = json!({"query": query, "options": options});
        if !subscriptions.is_empty() {
            body["subscriptions"] = json!(subscriptions);
        }
        let url =
            format!("{}/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01", self.management);
        let response = self.send(Method::POST, &url, Some(&body), subscriptions, Access::Read, true).await?;
        let rows = match response.get("data") {
            Some(Value::Array(rows)) => rows.clone(),
            Some(Value::Object(table)) => table_rows(table),
            _ => return Err(AzureError::Decode("a Resource Graph response without data".into())),
        };
        let truncated = match response.get("resultTruncated") {
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            Some(Value::Bool(b)) => *b,
            _ => false,
        };
        let skip_token =
            response.get("$skipToken").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_owned);
        Ok(Page { rows, skip_token, truncated })
    }

    /// `GET {management}{path}`; `subscriptions` are named if Azure says 403.
    pub(crate) async fn get(&self, path: &str, subscriptions: &[String]) -> Result<Value, AzureError> {
        let url = format!("{}{path}", self.management);
        self.send(Method::GET, &url, None, subscriptions, Access::Read, false).await
    }

    /// `PUT {management}{path}` with a JSON body.
    pub(crate) async fn put(
        &self,
        path: &str,
        body: &Value,
        subscriptions: &[String],
    ) -> Result<Value, AzureError> {
        let url = format!("{}{path}", self.management);
        self.send(Method::PUT, &url, Some(body), subscriptions, Access::Write, false).await
    }

    /// Waits out an exhausted Resource Graph quota, or says how long it would take when that is
    /// longer than secbot waits.
    async fn respect_quota(&self) -> Result<(), AzureError> {
        let until = self.quota_until.lock().map(|q| *q).unwrap_or(None);
        if let Some(until) = until {
            let wait = until.saturating_duration_since(Instant::now());
            if wait > self.backoff.cap {
                return Err(AzureError::Throttled { retry_after_secs: wait.as_secs().max(1) });
            }
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }

    fn note_quota(&self, headers: &HeaderMap) {
        let remaining =
            header(headers, "x-ms-user-quota-remaining").and_then(|v| v.trim().parse::<i64>().ok());
        let resets = header(headers, "x-ms-user-quota-resets-after").and_then(parse_resets_after);
        if let Ok(mut quota) = self.quota_until.lock() {
            *quota = match (remaining, resets) {
                (Some(n), Some(resets)) if n <= 0 => Some(Instant::now() + resets),
                _ => None,
            };
        }
        if header(headers, "x-ms-tenant-subscription-limit-hit")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            tracing::warn!("Resource Graph limited the query to the first 10,000 subscriptions");
        }
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        subscriptions: &[String],
        access: Access,
        graph: bool,
    ) -> Result<Value, AzureError> {
        let mut attempt = 0u32;
        let mut renewed = false;
        let path = reqwest::Url::parse(url).map(|u| u.path().to_owned()).unwrap_or_default();
        let route = calls::route_of(&format!("{method} {path}"));
        loop {
            attempt += 1;
            if graph {
                self.respect_quota().await?;
            }
            let token = match self.tokens.get().await {
                Ok(token) => token,
                Err(err @ (AzureError::Server { .. } | AzureError::Transport(_))) => {
                    match self.backoff.wait(attempt, Failure::Transient) {
                        Some(wait) => {
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        None => return Err(err),
                    }
                }
                Err(err) => return Err(err),
            };
            let started = std::time::Instant::now();
            let report = |failure, retried| {
                let elapsed = started.elapsed();
                calls::record(calls::Try { service: "azure", method: &route, failure, elapsed, retried });
            };
            let mut request = self.http.request(method.clone(), url).bearer_auth(token.expose());
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(err) => {
                    let reason = err.without_url().to_string();
                    let wait = self.backoff.wait(attempt, Failure::Transient);
                    report(Some(Failure::Transient), wait.is_some());
                    match wait {
                        Some(wait) => {
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        None => return Err(AzureError::Transport(reason)),
                    }
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            if graph {
                self.note_quota(&headers);
            }
            let bytes =
                response.bytes().await.map_err(|e| AzureError::Transport(e.without_url().to_string()))?;
            if status.is_success() {
                report(None, false);
                if bytes.is_empty() {
                    return Ok(Value::Null);
                }
                return serde_json::from_slice(&bytes).map_err(|e| AzureError::Decode(e.to_string()));
            }
            let error: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let code = error.pointer("/error/code").and_then(Value::as_str).unwrap_or_default().to_owned();
            let message =
                error.pointer("/error/message").and_then(Value::as_str).unwrap_or_default().to_owned();
            if status == StatusCode::UNAUTHORIZED && !renewed {
                report(Some(Failure::Permanent), true);
                renewed = true;
                attempt -= 1;
                self.tokens.reject(&token).await;
                continue;
            }
            let retry_after = header(&headers, "retry-after");
            let failure = match Backoff::classify(status.as_u16(), retry_after) {
                Some(Failure::Throttled(None)) => Failure::Throttled(
                    header(&headers, "x-ms-user-quota-resets-after").and_then(parse_resets_after),
                ),
                Some(failure) => failure,
                None => Failure::Permanent,
            };
            let retried = match failure {
                Failure::Throttled(asked) => {
                    asked.is_none_or(|a| a <= self.backoff.cap)
                        && self.backoff.wait(attempt, failure).is_some()
                }
                Failure::Transient => self.backoff.wait(attempt, failure).is_some(),
                Failure::Permanent => false,
            };
            report(Some(failure), retried);
            match failure {
                Failure::Throttled(asked) => {
                    let asked_secs = asked.map(|d| d.as_secs_f64().ceil() as u64);
                    if asked.is_some_and(|a| a > self.backoff.cap) {
                        return Err(AzureError::Throttled { retry_after_secs: asked_secs.unwrap_or(1) });
                    }
                    match self.backoff.wait(attempt, failure) {
                        Some(wait) => {
                            tracing::info!(wait_ms = wait.as_millis() as u64, "Azure is throttling; waiting");
                            tokio::time::sleep(wait).await;
                        }
                        None => {
                            let secs = asked_secs.unwrap_or(self.backoff.cap.as_secs()).max(1);
                            return Err(AzureError::Throttled { retry_after_secs: secs });
                        }
                    }
                }
                Failure::Transient => match self.backoff.wait(attempt, failure) {
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => return Err(AzureError::Server { status: status.as_u16(), attempts: attempt }),
                },
                Failure::Permanent => {
                    return Err(Self::refusal(status, &code, &message, subscriptions, access));
                }
            }
        }
    }

    fn refusal(
        status: StatusCode,
        code: &str,
        message: &str,
        subscriptions: &[String],
        access: Access,
    ) -> AzureError {
        let scope = || {
            subscription_in(message)
                .map(|id| format!("subscription {id}"))
                .unwrap_or_else(|| scope_words(subscriptions))
        };
        let registration = ["MissingSubscriptionRegistration", "SubscriptionNotRegistered"];
        if registration.iter().any(|c| c.eq_ignore_ascii_case(code)) {
            return AzureError::NotRegistered { scope: scope() };
        }
        match status {
            StatusCode::UNAUTHORIZED => AzureError::Credentials {
                code: format!("HTTP 401, {}", if code.is_empty() { "token refused" } else { code }),
                hint: "check that secbot's app registration belongs to SECBOT_AZURE_TENANT_ID",
            },
            StatusCode::FORBIDDEN => AzureError::Forbidden { roles: access.roles(), scope: scope() },
            StatusCode::NOT_FOUND => AzureError::NotFound(if message.is_empty() {
                "Azure has no such item".to_owned()
            } else {
                shorten(message, 200)
            }),
            _ => AzureError::Rejected {
                status: status.as_u16(),
                code: if code.is_empty() { "error".to_owned() } else { code.to_owned() },
                message: shorten(message, 300),
            },
        }
    }
}

/// Rows of a `resultFormat: table` response, as objects.
fn table_rows(table: &serde_json::Map<String, Value>) -> Vec<Value> {
    let columns: Vec<String> = table
        .get("columns")
        .and_then(Value::as_array)
        .map(|cols| {
            cols.iter().filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_owned)).collect()
        })
        .unwrap_or_default();
    table
        .get("rows")
        .and_then(Value::as_array)
        .map(|rows| {
            rows.iter()
                .filter_map(Value::as_array)
                .map(|cells| Value::Object(columns.iter().cloned().zip(cells.iter().cloned()).collect()))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_reset_times_and_error_scopes_are_read() {
        assert_eq!(parse_resets_after("00:00:03"), Some(Duration::from_secs(3)));
        assert_eq!(parse_resets_after("01:02:03"), Some(Duration::from_secs(3723)));
        assert_eq!(parse_resets_after("nonsense"), None);
        assert_eq!(
            subscription_in(
                "does not have authorization to perform action over scope '/subscriptions/abc-1/x'"
            ),
            Some("abc-1".to_owned())
        );
        assert_eq!(scope_words(&["a".into(), "b".into()]), "subscriptions a, b");
    }

    #[test]
    fn table_results_become_objects() {
        let table = json!({"columns": [{"name": "id"}, {"name": "n"}], "rows": [["a", 1], ["b", 2]]});
        let rows = table_rows(table.as_object().unwrap());
        assert_eq!(rows, vec![json!({"id": "a", "n": 1}), json!({"id": "b", "n": 2})]);
    }
}
