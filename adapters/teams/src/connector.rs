//! The Bot Connector REST client: send and update activities, read a conversation member,
//! start a 1:1 chat. It calls only `serviceUrl`s on the allow-list (so the bot's token never
//! goes to another host) and retries throttling and platform failures within a bound.

use std::sync::atomic::{AtomicBool, Ordering};

use secbot_chat::calls;
use secbot_chat::delivery::{Backoff, Failure};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::failure::{failure_of, without_url};
use crate::token::{TokenError, Tokens};

/// Why a connector call failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConnectorError {
    /// The `serviceUrl` is not on the allow-list, so nothing was sent.
    #[error(
        "the serviceUrl {0} is not on the allow-list (SECBOT_TEAMS_ALLOWED_SERVICE_URLS); nothing was sent"
    )]
    NotAllowed(String),
    /// The token endpoint refused or could not be reached.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The connector answered with an error after any retries.
    #[error("the Bot Connector answered HTTP {status} to {what}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// What was attempted.
        what: &'static str,
    },
    /// The connector could not be reached after any retries.
    #[error("the Bot Connector could not be reached for {what} ({why})")]
    Unreachable {
        /// What was attempted.
        what: &'static str,
        /// What went wrong, without the URL.
        why: String,
    },
}

impl ConnectorError {
    /// True when another try later may succeed (the connector or the token endpoint failed or
    /// throttled), false when it was refused.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            ConnectorError::NotAllowed(_) => false,
            ConnectorError::Token(_) | ConnectorError::Unreachable { .. } => true,
            ConnectorError::Status { status, .. } => {
                !matches!(Backoff::classify(*status, None), Some(Failure::Permanent))
            }
        }
    }
}

/// A conversation member as the connector describes them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Member {
    /// The Teams user id (`29:…`).
    pub id: String,
    /// The display name.
    pub name: Option<String>,
    /// The email address, when Teams has one.
    pub email: Option<String>,
    /// The user principal name (usually the email address).
    pub user_principal_name: Option<String>,
    /// The Azure AD object id.
    pub aad_object_id: Option<String>,
}

impl Member {
    /// The member's email address, or their UPN when it looks like one.
    pub(crate) fn address(&self) -> Option<String> {
        self.email
            .clone()
            .filter(|e| e.contains('@'))
            .or_else(|| self.user_principal_name.clone().filter(|u| u.contains('@')))
    }
}

/// The connector client.
#[derive(Debug)]
pub(crate) struct Connector {
    http: reqwest::Client,
    tokens: Tokens,
    allowed: Vec<String>,
    backoff: Backoff,
}

/// Percent-encodes an id for one URL path segment, as the Bot Framework SDKs do.
pub(crate) fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len() * 2);
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// An allow-list prefix with a path, so `https://host` cannot match `https://host.evil`.
fn normalize_prefix(prefix: &str) -> String {
    let prefix = prefix.trim();
    match prefix.split_once("://") {
        Some((_, rest)) if !rest.contains('/') => format!("{prefix}/"),
        _ => prefix.to_owned(),
    }
}

impl Connector {
    /// A client that calls only service URLs starting with one of `allowed`.
    pub(crate) fn new(
        http: reqwest::Client,
        tokens: Tokens,
        allowed: &[String],
        backoff: Backoff,
    ) -> Connector {
        let allowed = allowed.iter().filter(|p| !p.trim().is_empty()).map(|p| normalize_prefix(p)).collect();
        Connector { http, tokens, allowed, backoff }
    }

    /// Whether the bot may send its token to this `serviceUrl`.
    pub(crate) fn allows(&self, service_url: &str) -> bool {
        let url = normalize_prefix(service_url);
        !url.is_empty()
            && !url.chars().any(|c| c.is_whitespace() || c == '\\')
            && self
                .allowed
                .iter()
                .any(|prefix| url.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix)))
    }

    fn base(&self, service_url: &str) -> Result<String, ConnectorError> {
        if !self.allows(service_url) {
            return Err(ConnectorError::NotAllowed(service_url.to_owned()));
        }
        Ok(service_url.trim().trim_end_matches('/').to_owned())
    }

    /// Posts an activity into a conversation (a channel thread when the id ends with
    /// `;messageid=…`); returns the new activity's id.
    pub(crate) async fn send(
        &self,
        service_url: &str,
        conversation_id: &str,
        activity: &Value,
    ) -> Result<Option<String>, ConnectorError> {
        let url =
            format!("{}/v3/conversations/{}/activities", self.base(service_url)?, segment(conversation_id));
        let answer = self.call(reqwest::Method::POST, &url, Some(activity), "sending a message").await?;
        Ok(answer.get("id").and_then(Value::as_str).map(str::to_owned))
    }

    /// Replaces an activity (a card) in a conversation.
    pub(crate) async fn update(
        &self,
        service_url: &str,
        conversation_id: &str,
        activity_id: &str,
        activity: &Value,
    ) -> Result<(), ConnectorError> {
        let url = format!(
            "{}/v3/conversations/{}/activities/{}",
            self.base(service_url)?,
            segment(conversation_id),
            segment(activity_id)
        );
        self.call(reqwest::Method::PUT, &url, Some(activity), "updating a card").await?;
        Ok(())
    }

    /// One member of a conversation or team, by Teams id, Azure AD object id or UPN.
    pub(crate) async fn member(
        &self,
        service_url: &str,
        conversation_id: &str,
        user: &str,
    ) -> Result<Member, ConnectorError> {
        let url = format!(
            "{}/v3/conversations/{}/members/{}",
            self.base(service_url)?,
            segment(conversation_id),
            segment(user)
        );
        let answer = self.call(reqwest::Method::GET, &url, None, "reading a member").await?;
        serde_json::from_value(answer).map_err(|e| ConnectorError::Unreachable {
            what: "reading a member",
            why: format!("unreadable member ({e})"),
        })
    }

    /// Creates (or finds) the 1:1 chat between the bot and a user; returns its conversation id.
    pub(crate) async fn personal_chat(
        &self,
        service_url: &str,
        bot: &Value,
        user_id: &str,
        tenant_id: Option<&str>,
    ) -> Result<String, ConnectorError> {
        let url = format!("{}/v3/conversations", self.base(service_url)?);
        let mut body = json!({
            "bot": bot,
            "members": [{"id": user_id}],
            "isGroup": false,
        });
        if let Some(tenant) = tenant_id {
            body["channelData"] = json!({"tenant": {"id": tenant}});
            body["tenantId"] = json!(tenant);
        }
        let answer = self.call(reqwest::Method::POST, &url, Some(&body), "starting a 1:1 chat").await?;
        answer.get("id").and_then(Value::as_str).map(str::to_owned).ok_or(ConnectorError::Unreachable {
            what: "starting a 1:1 chat",
            why: "the answer has no conversation id".to_owned(),
        })
    }

    /// Starts a new thread in a Teams channel with `activity` as its first message (Bot
    /// Framework's Create Conversation with the channel in `channelData`); the new thread's
    /// root id.
    pub(crate) async fn start_thread(
        &self,
        service_url: &str,
        channel: &str,
        tenant_id: &str,
        activity: &Value,
    ) -> Result<String, ConnectorError> {
        let url = format!("{}/v3/conversations", self.base(service_url)?);
        let body = json!({
            "isGroup": true,
            "channelData": {"channel": {"id": channel}, "tenant": {"id": tenant_id}},
            "tenantId": tenant_id,
            "activity": activity,
        });
        let answer = self.call(reqwest::Method::POST, &url, Some(&body), "starting a thread").await?;
        let from_id =
            answer.get("id").and_then(Value::as_str).and_then(|id| crate::activity::split_thread(id).1);
        let root = from_id.or_else(|| answer.get("activityId").and_then(Value::as_str));
        root.map(str::to_owned).ok_or(ConnectorError::Unreachable {
            what: "starting a thread",
            why: "the answer names no thread".to_owned(),
        })
    }

    /// One connector call with the bot's token, retried on throttling, 412, 5xx and network
    /// failures, and once with a new token after a 401.
    async fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
        what: &'static str,
    ) -> Result<Value, ConnectorError> {
        let renewed = AtomicBool::new(false);
        let path = reqwest::Url::parse(url).map(|u| u.path().to_owned()).unwrap_or_else(|_| what.to_owned());
        let route = calls::route_of(&format!("{method} {path}"));
        self.backoff
            .retry("teams", &route, |attempt| {
                let (method, renewed) = (method.clone(), &renewed);
                async move {
                    let mut response = self.send_once(method.clone(), url, body).await;
                    // A token Teams no longer takes (rotated, revoked) is renewed once, at once.
                    if matches!(&response, Ok((r, _)) if r.status().as_u16() == 401)
                        && !renewed.swap(true, Ordering::SeqCst)
                    {
                        if let Ok((_, token)) = &response {
                            self.tokens.forget(token).await;
                        }
                        response = self.send_once(method, url, body).await;
                    }
                    let failed = match response {
                        Ok((response, _)) => {
                            let status = response.status().as_u16();
                            match failure_of(&response) {
                                None => {
                                    let text = response.text().await.unwrap_or_default();
                                    return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
                                }
                                Some(failure) => (failure, ConnectorError::Status { status, what }),
                            }
                        }
                        Err(SendFailed::Token(err)) => (Failure::Permanent, ConnectorError::from(err)),
                        Err(SendFailed::Unreachable(why)) => {
                            (Failure::Transient, ConnectorError::Unreachable { what, why })
                        }
                    };
                    tracing::warn!(attempt, problem = %failed.1, "connector call failed");
                    Err(failed)
                }
            })
            .await
    }

    /// Sends a request once with the bot's current token; the response and the token it used.
    async fn send_once(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(reqwest::Response, String), SendFailed> {
        let token = self.tokens.get().await.map_err(SendFailed::Token)?;
        let mut request = self.http.request(method, url).bearer_auth(&token);
        if let Some(body) = body {
            request = request.json(body);
        }
        match request.send().await {
            Ok(response) => Ok((response, token)),
            Err(e) => Err(SendFailed::Unreachable(without_url(&e))),
        }
    }
}

/// Why a request could not be sent: no token, or no connection.
enum SendFailed {
    Token(TokenError),
    Unreachable(String),
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    fn fast() -> Backoff {
        Backoff { attempts: 4, base: Duration::from_millis(5), cap: Duration::from_millis(20) }
    }

    async fn connector(server: &MockServer, allowed: &[String]) -> Connector {
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"expires_in": 3599, "access_token": "tok"})),
            )
            .mount(server)
            .await;
        let tokens = Tokens::new(
            reqwest::Client::new(),
            format!("{}/token", server.uri()),
            "a".into(),
            "p".into(),
            fast(),
        );
        Connector::new(reqwest::Client::new(), tokens, allowed, fast())
    }

    #[test]
    fn ids_are_encoded_like_the_sdks_do() {
        assert_eq!(segment("19:abc@thread.tacv2;messageid=17"), "19%3Aabc%40thread.tacv2%3Bmessageid%3D17");
        assert_eq!(segment("a-b_c.d"), "a-b_c.d");
    }

    #[tokio::test]
    async fn the_allow_list_is_a_prefix_match_on_scheme_host_and_path() {
        let server = MockServer::start().await;
        let c = connector(&server, &["https://smba.trafficmanager.net/".into(), "http://127.0.0.1:9".into()])
            .await;
        assert!(c.allows("https://smba.trafficmanager.net/emea/"));
        assert!(c.allows("HTTPS://SMBA.trafficmanager.net/amer/"));
        assert!(c.allows("http://127.0.0.1:9/"));
        assert!(!c.allows("http://127.0.0.1:99/"), "a port is not a prefix of another");
        assert!(!c.allows("https://smba.trafficmanager.net.evil.example/"));
        assert!(!c.allows("https://smba.trafficmanager.net@evil.example/"));
        assert!(!c.allows("http://smba.trafficmanager.net/emea/"), "the scheme counts");
        assert!(!c.allows("https://evil.example/https://smba.trafficmanager.net/"));
        assert!(!c.allows(""));
        assert!(!c.allows("https://smba.trafficmanagér.net/"), "no panic on a multi-byte boundary");
        let err = c.send("https://evil.example/", "19:x", &json!({})).await.expect_err("refused");
        assert!(matches!(err, ConnectorError::NotAllowed(_)));
        assert!(
            server.received_requests().await.unwrap_or_default().is_empty(),
            "not even a token was asked for"
        );
    }

    #[tokio::test]
    async fn failures_are_retried_within_a_bound_and_a_refused_token_is_renewed_once() {
        let server = MockServer::start().await;
        let c = connector(&server, &[server.uri()]).await;
        let thread = "/v3/conversations/19%3Ac%40thread.tacv2%3Bmessageid%3D1/activities";
        Mock::given(method("POST"))
            .and(path(thread))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(thread))
            .respond_with(ResponseTemplate::new(502))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(thread))
            .respond_with(ResponseTemplate::new(401))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(thread))
            .and(header("authorization", "Bearer tok"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "new-activity"})))
            .mount(&server)
            .await;
        let id = c
            .send(&format!("{}/", server.uri()), "19:c@thread.tacv2;messageid=1", &json!({"type": "message"}))
            .await;
        assert_eq!(id.expect("sent").as_deref(), Some("new-activity"));

        let failing = MockServer::start().await;
        let c = connector(&failing, &[failing.uri()]).await;
        Mock::given(method("PUT")).respond_with(ResponseTemplate::new(503)).expect(4).mount(&failing).await;
        let err = c.update(&failing.uri(), "19:c", "1:x", &json!({})).await.expect_err("gives up");
        assert!(err.to_string().contains("HTTP 503"), "{err}");

        let gone = MockServer::start().await;
        let c = connector(&gone, &[gone.uri()]).await;
        Mock::given(method("GET")).respond_with(ResponseTemplate::new(404)).expect(1).mount(&gone).await;
        assert!(c.member(&gone.uri(), "19:c", "29:x").await.is_err(), "a 404 is not retried");
    }
}
