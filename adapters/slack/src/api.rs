//! The Slack Web API client: slack-morphism's typed methods over our own reqwest transport, so
//! the base URL is configurable (a local mock in tests) and throttling is retried with the same
//! bounded backoff every adapter uses.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use secbot_chat::delivery::{Backoff, Failure};
use serde::de::DeserializeOwned;
use slack_morphism::errors::{
    SlackClientApiError, SlackClientError, SlackClientHttpError, SlackClientHttpProtocolError,
    SlackClientProtocolError, SlackRateLimitError,
};
use slack_morphism::multipart_form::FileMultipartData;
use slack_morphism::prelude::*;
use url::Url;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The Slack client secbot uses: slack-morphism's API over [`Transport`].
pub type Client = SlackClient<Transport>;

/// How long one Web API call may take before it counts as failed and is retried.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Slack's own "try again" errors, returned with HTTP 200 and `ok: false`.
const TRANSIENT_CODES: [&str; 4] =
    ["fatal_error", "internal_error", "service_unavailable", "request_timeout"];

/// slack-morphism's HTTP connector, implemented with reqwest: sends each call to
/// `{base}/{method}`, maps Slack's envelope (`ok`, `error`) and HTTP 429 to slack-morphism's
/// errors, and retries throttled and transient failures within a [`Backoff`].
#[derive(Debug, Clone)]
pub struct Transport {
    http: reqwest::Client,
    base: String,
    backoff: Backoff,
}

impl Transport {
    /// A transport calling the Web API at `base` (such as `https://slack.com/api`).
    pub fn new(base: &str, backoff: Backoff) -> Transport {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .user_agent(concat!("secbot/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Transport { http, base: base.trim_end_matches('/').to_owned(), backoff }
    }

    /// A slack-morphism client over this transport.
    pub fn client(self) -> Client {
        SlackClient::new(self)
    }

    async fn send<RS: DeserializeOwned>(
        &self,
        url: &Url,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> ClientResult<RS> {
        let method = url.path_segments().and_then(|mut s| s.next_back()).unwrap_or("webhook").to_owned();
        // A response URL is a bearer credential of its own; never log it.
        let method = if url.as_str().starts_with(&self.base) { method } else { "response_url".to_owned() };
        let result = self
            .backoff
            .retry("slack", &method, |_| async {
                self.once(build()).await.map_err(|err| (failure(&err), err))
            })
            .await;
        if let Err(err) = &result {
            log_failure(&method, err);
        }
        result
    }

    async fn once<RS: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> ClientResult<RS> {
        let response = request.send().await.map_err(protocol)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(secbot_chat::delivery::seconds);
        let json = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let body = response.text().await.map_err(protocol)?;
        match status.as_u16() {
            200 if json => {
                let envelope: SlackEnvelopeMessage =
                    serde_json::from_str(&body).map_err(|e| serde_failure(e, &body))?;
                let errors = envelope.errors_as_strings();
                match envelope.error {
                    None => serde_json::from_str(&body).map_err(|e| serde_failure(e, &body)),
                    Some(code) => Err(SlackClientError::ApiError(
                        SlackClientApiError::new(code)
                            .opt_errors(errors)
                            .opt_warnings(envelope.warnings)
                            .with_http_response_body(body),
                    )),
                }
            }
            // Response URLs answer a bare `ok` as text/plain.
            200 | 204 => serde_json::from_str("{}").map_err(|e| serde_failure(e, "{}")),
            429 => {
                let code = serde_json::from_str::<SlackEnvelopeMessage>(&body).ok().and_then(|e| e.error);
                Err(SlackClientError::RateLimitError(
                    SlackRateLimitError::new()
                        .opt_retry_after(retry_after)
                        .opt_code(code)
                        .with_http_response_body(body),
                ))
            }
            _ => Err(SlackClientError::HttpError(
                SlackClientHttpError::new(status).with_http_response_body(body),
            )),
        }
    }

    fn authorized(
        request: reqwest::RequestBuilder,
        token: Option<&SlackApiToken>,
    ) -> reqwest::RequestBuilder {
        match token {
            Some(token) => request.header(AUTHORIZATION, format!("Bearer {}", token.token_value.value())),
            None => request,
        }
    }
}

/// Whether a failed call is worth another try, and when.
pub fn failure(err: &SlackClientError) -> Failure {
    match err {
        SlackClientError::RateLimitError(limit) => Failure::Throttled(limit.retry_after),
        SlackClientError::HttpError(e) => {
            Backoff::classify(e.status_code.as_u16(), None).unwrap_or(Failure::Permanent)
        }
        SlackClientError::HttpProtocolError(_) => Failure::Transient,
        SlackClientError::ApiError(e) if TRANSIENT_CODES.contains(&e.code.as_str()) => Failure::Transient,
        _ => Failure::Permanent,
    }
}

fn protocol(err: reqwest::Error) -> SlackClientError {
    // Drop the URL: a response URL or an OAuth code must not reach the logs.
    SlackClientError::HttpProtocolError(SlackClientHttpProtocolError {
        cause: Some(Box::new(err.without_url())),
    })
}

fn serde_failure(err: serde_json::Error, body: &str) -> SlackClientError {
    SlackClientError::ProtocolError(SlackClientProtocolError::new(err).with_json_body(body.to_owned()))
}

fn log_failure(method: &str, err: &SlackClientError) {
    match err {
        SlackClientError::ApiError(e) => tracing::warn!(method, code = %e.code, "Slack refused the call"),
        SlackClientError::RateLimitError(_) => tracing::warn!(method, "Slack kept throttling; gave up"),
        SlackClientError::HttpError(e) => {
            tracing::warn!(method, status = e.status_code.as_u16(), "Slack call failed");
        }
        other => tracing::warn!(method, error = %short(other), "Slack call failed"),
    }
}

/// An error's first line without response bodies (which may quote what was sent).
fn short(err: &SlackClientError) -> String {
    match err {
        SlackClientError::ApiError(e) => e.code.clone(),
        SlackClientError::RateLimitError(_) => "ratelimited".to_owned(),
        SlackClientError::HttpError(e) => format!("HTTP {}", e.status_code.as_u16()),
        SlackClientError::ProtocolError(e) => format!("unreadable response ({})", e.json_error),
        SlackClientError::HttpProtocolError(e) => {
            e.cause.as_ref().map_or_else(|| "connection failed".to_owned(), |c| c.to_string())
        }
        other => other.to_string(),
    }
}

/// The error code Slack gave (`not_in_channel`), or a short description of a transport failure.
pub fn error_code(err: &SlackClientError) -> String {
    short(err)
}

/// What to tell a person when a Slack call made for them failed, in plain words with what to do.
pub fn plain_words(err: &SlackClientError) -> String {
    let code = match err {
        SlackClientError::ApiError(e) => e.code.as_str(),
        SlackClientError::RateLimitError(_) => "ratelimited",
        _ => "",
    };
    match code {
        "not_in_channel" | "channel_not_found" => {
            "secbot isn't a member of this channel. Invite it with `/invite @secbot` and ask again.".to_owned()
        }
        "is_archived" => "This channel is archived, so secbot can't post here.".to_owned(),
        "invalid_auth" | "not_authed" | "account_inactive" | "token_revoked" | "token_expired" => {
            "secbot's access to this workspace is no longer valid. A workspace admin needs to reinstall the app."
                .to_owned()
        }
        "missing_scope" => {
            "secbot's Slack app is missing a permission it needs. A workspace admin should reinstall it from the current manifest."
                .to_owned()
        }
        "ratelimited" => "Slack is busy right now and asked secbot to slow down. Try again in a minute.".to_owned(),
        "user_not_found" | "users_not_found" => {
            "Slack couldn't find that person. Mention them with @ so secbot knows who you mean.".to_owned()
        }
        "expired_trigger_id" | "exchanged_trigger_id" => {
            "That took too long for Slack to open the form. Press the button again.".to_owned()
        }
        "" => "secbot couldn't reach Slack just now. Try again in a minute.".to_owned(),
        other => format!("Slack refused secbot's message ({other}). Try again, or ask an admin to check secbot's logs."),
    }
}

impl SlackClientHttpConnector for Transport {
    fn create_method_uri_path(&self, method_relative_uri: &str) -> ClientResult<Url> {
        Ok(format!("{}/{}", self.base, method_relative_uri).parse()?)
    }

    fn http_get_uri<'a, RS>(
        &'a self,
        full_uri: Url,
        context: SlackClientApiCallContext<'a>,
    ) -> BoxFuture<'a, ClientResult<RS>>
    where
        RS: for<'de> serde::de::Deserialize<'de> + Send + 'a,
    {
        Box::pin(async move {
            self.send(&full_uri, || Self::authorized(self.http.get(full_uri.clone()), context.token)).await
        })
    }

    fn http_get_with_client_secret<'a, RS>(
        &'a self,
        full_uri: Url,
        client_id: &'a SlackClientId,
        client_secret: &'a SlackClientSecret,
    ) -> BoxFuture<'a, ClientResult<RS>>
    where
        RS: for<'de> serde::de::Deserialize<'de> + Send + 'a,
    {
        Box::pin(async move {
            self.send(&full_uri, || {
                self.http.get(full_uri.clone()).basic_auth(client_id.value(), Some(client_secret.value()))
            })
            .await
        })
    }

    fn http_post_uri<'a, RQ, RS>(
        &'a self,
        full_uri: Url,
        request_body: &'a RQ,
        context: SlackClientApiCallContext<'a>,
    ) -> BoxFuture<'a, ClientResult<RS>>
    where
        RQ: serde::ser::Serialize + Send + Sync,
        RS: for<'de> serde::de::Deserialize<'de> + Send + 'a,
    {
        Box::pin(async move {
            let body = serde_json::to_vec(request_body).map_err(|e| serde_failure(e, ""))?;
            self.send(&full_uri, || {
                Self::authorized(
                    self.http
                        .post(full_uri.clone())
                        .header(CONTENT_TYPE, "application/json; charset=utf-8")
                        .body(body.clone()),
                    context.token,
                )
            })
            .await
        })
    }

    fn http_post_uri_multipart_form<'a, 'p, RS, PT, TS>(
        &'a self,
        full_uri: Url,
        file: Option<FileMultipartData<'p>>,
        params: &'p PT,
        context: SlackClientApiCallContext<'a>,
    ) -> BoxFuture<'a, ClientResult<RS>>
    where
        RS: for<'de> serde::de::Deserialize<'de> + Send + 'a,
        PT: std::iter::IntoIterator<Item = (&'p str, Option<TS>)> + Clone,
        TS: AsRef<str> + 'p + Send,
    {
        let fields: Vec<(String, String)> = params
            .clone()
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.as_ref().to_owned())))
            .collect();
        let file = file.map(|f| (f.name, f.content_type, f.data.to_vec()));
        Box::pin(async move {
            self.send(&full_uri, || {
                let mut form = reqwest::multipart::Form::new();
                for (k, v) in &fields {
                    form = form.text(k.clone(), v.clone());
                }
                if let Some((name, content_type, data)) = &file {
                    let part = reqwest::multipart::Part::bytes(data.clone()).file_name(name.clone());
                    let part = part.mime_str(content_type).unwrap_or_else(|_| {
                        reqwest::multipart::Part::bytes(data.clone()).file_name(name.clone())
                    });
                    form = form.part("file", part);
                }
                Self::authorized(self.http.post(full_uri.clone()).multipart(form), context.token)
            })
            .await
        })
    }

    fn http_post_uri_binary<'a, 'p, RS>(
        &'a self,
        full_uri: Url,
        content_type: String,
        data: &'a [u8],
        context: SlackClientApiCallContext<'a>,
    ) -> BoxFuture<'a, ClientResult<RS>>
    where
        RS: for<'de> serde::de::Deserialize<'de> + Send + 'a,
    {
        Box::pin(async move {
            self.send(&full_uri, || {
                Self::authorized(
                    self.http
                        .post(full_uri.clone())
                        .header(CONTENT_TYPE, content_type.clone())
                        .body(data.to_vec()),
                    context.token,
                )
            })
            .await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secbot_chat::calls;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const POSTED: &str = include_str!("../fixtures/api/chat.postMessage.json");

    fn fast() -> Backoff {
        Backoff { attempts: 3, base: Duration::from_millis(10), cap: Duration::from_secs(2) }
    }

    fn token() -> SlackApiToken {
        SlackApiToken::new("xoxb-test-token".into())
    }

    fn post(channel: &str) -> SlackApiChatPostMessageRequest {
        SlackApiChatPostMessageRequest::new(channel.into(), SlackMessageContent::new().with_text("hi".into()))
    }

    #[tokio::test]
    async fn calls_go_to_the_configured_base_with_the_bot_token() {
        let slack = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/api/chat.postMessage"))
            .and(header("authorization", "Bearer xoxb-test-token"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(POSTED, "application/json"))
            .expect(1)
            .mount(&slack)
            .await;
        let client = Transport::new(&format!("{}/api/", slack.uri()), fast()).client();
        let token = token();
        let sent = client.open_session(&token).chat_post_message(&post("C1")).await.unwrap();
        assert_eq!(sent.ts.value(), "1795970801.000150");
    }

    #[tokio::test]
    async fn ok_false_is_an_api_error_with_its_code_and_is_not_retried() {
        let slack = MockServer::start().await;
        Mock::given(path("/api/chat.postMessage"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"ok": false, "error": "not_in_channel"})),
            )
            .expect(1)
            .mount(&slack)
            .await;
        let client = Transport::new(&format!("{}/api", slack.uri()), fast()).client();
        let token = token();
        let err = client.open_session(&token).chat_post_message(&post("C1")).await.unwrap_err();
        assert_eq!(error_code(&err), "not_in_channel");
        assert!(plain_words(&err).contains("/invite @secbot"));
    }

    #[tokio::test]
    async fn throttling_is_retried_after_the_wait_slack_asks_for() {
        let slack = MockServer::start().await;
        Mock::given(path("/api/chat.postMessage"))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("retry-after", "1")
                    .set_body_json(serde_json::json!({"ok": false, "error": "ratelimited"})),
            )
            .up_to_n_times(1)
            .expect(1)
            .mount(&slack)
            .await;
        Mock::given(path("/api/chat.postMessage"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(POSTED, "application/json"))
            .expect(1)
            .mount(&slack)
            .await;
        let tries = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = tries.clone();
        calls::set_recorder(std::sync::Arc::new(move |done: &calls::Try<'_>| {
            if let Ok(mut seen) = seen.lock() {
                seen.push((done.service.to_owned(), done.method.to_owned(), done.outcome(), done.retried));
            }
        }));
        let client = Transport::new(&format!("{}/api", slack.uri()), fast()).client();
        let token = token();
        let started = std::time::Instant::now();
        client.open_session(&token).chat_post_message(&post("C1")).await.unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1), "waited for Retry-After");
        // Each try is reported for /metrics: the throttled one (tried again), then the one that
        // went through.
        let tries = tries.lock().unwrap().clone();
        let posts: Vec<_> = tries.iter().filter(|t| t.1 == "chat.postMessage").collect();
        assert!(posts.iter().all(|t| t.0 == "slack"), "{tries:?}");
        assert!(posts.iter().any(|t| t.2 == "throttled" && t.3), "{tries:?}");
        assert!(posts.iter().any(|t| t.2 == "ok" && !t.3), "{tries:?}");
    }

    #[tokio::test]
    async fn server_errors_give_up_after_the_bounded_tries() {
        let slack = MockServer::start().await;
        Mock::given(path("/api/chat.update"))
            .respond_with(ResponseTemplate::new(503))
            .expect(3)
            .mount(&slack)
            .await;
        let client = Transport::new(&format!("{}/api", slack.uri()), fast()).client();
        let token = token();
        let req = SlackApiChatUpdateRequest::new("C1".into(), SlackMessageContent::new(), "1.2".into());
        let err = client.open_session(&token).chat_update(&req).await.unwrap_err();
        assert_eq!(error_code(&err), "HTTP 503");
    }
}
