//! The few Discord REST calls secbot makes: editing and following up an interaction's answer
//! through its webhook (no bot token needed); starting a thread, posting in a channel, finding
//! the Gateway and registering commands (with the bot token). Each call is retried on 429 (honouring `Retry-After`) and on 5xx with
//! [`Backoff`]. Errors name the route, never the interaction token or the bot token.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use secbot_chat::delivery::{Backoff, Failure};
use secbot_chat::{Secret, calls};
use serde::Serialize;
use serde_json::Value;

use crate::options::DiscordOptions;

/// The `User-Agent` Discord asks bots to send.
const AGENT: &str = concat!("DiscordBot (secbot, ", env!("CARGO_PKG_VERSION"), ")");
/// How long one call may take.
const TIMEOUT: Duration = Duration::from_secs(15);

/// A Discord API call that failed for good.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Discord answered with an error status (after any retries).
    #[error("Discord refused {route} with HTTP {status}: {message}")]
    Refused {
        /// The call, without tokens (`PATCH /webhooks/{app}/…/messages/@original`).
        route: String,
        /// The HTTP status.
        status: u16,
        /// Discord's error message, if it sent one.
        message: String,
    },
    /// Discord could not be reached (after any retries).
    #[error("Discord could not be reached for {route}: {source}")]
    Unreachable {
        /// The call, without tokens.
        route: String,
        /// What went wrong.
        source: reqwest::Error,
    },
    /// The call needs the bot token and none is configured.
    #[error("{0} needs the bot token; set SECBOT_DISCORD_BOT_TOKEN")]
    NoBotToken(String),
}

impl ApiError {
    /// True when another try later may succeed: Discord failed, throttled or could not be
    /// reached (an expired interaction token is a refusal: 401 or 404).
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Refused { status, .. } => matches!(
                Backoff::classify(*status, None),
                Some(
                    secbot_chat::delivery::Failure::Transient | secbot_chat::delivery::Failure::Throttled(_)
                )
            ),
            ApiError::Unreachable { .. } => true,
            ApiError::NoBotToken(_) => false,
        }
    }
}

/// A Discord REST client for one application.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    http: reqwest::Client,
    base: String,
    app_id: String,
    bot_token: Option<Secret>,
    backoff: Backoff,
}

/// One call: where, how, what, and whether a 404 is worth another try.
struct Call<'a, B: Serialize + ?Sized> {
    method: Method,
    url: String,
    route: String,
    body: Option<&'a B>,
    bot: bool,
    retry_not_found: bool,
    /// A PNG sent with the body as `files[0]` (`trend.png`), the body then going as
    /// `payload_json` of a multipart request.
    image: Option<&'a [u8]>,
}

/// A message body with a chart: the PNG to attach as `trend.png`, shown as the first embed's
/// image and described in the attachment list; the body unchanged without one.
fn with_chart(body: &impl Serialize, chart: Option<&secbot_chat::Chart>) -> (Value, Option<Vec<u8>>) {
    let mut body = serde_json::to_value(body).unwrap_or_default();
    let Some(chart) = chart else { return (body, None) };
    if let Some(first) = body["embeds"].get_mut(0) {
        first["image"] = serde_json::json!({ "url": "attachment://trend.png" });
    }
    let alt: String = chart.alt.chars().take(1_024).collect();
    body["attachments"] = serde_json::json!([{ "id": 0, "filename": "trend.png", "description": alt }]);
    (body, Some(chart.bytes()))
}

impl Api {
    /// A client for the application the options describe.
    pub fn new(options: &DiscordOptions) -> Api {
        let http = reqwest::Client::builder().timeout(TIMEOUT).build().unwrap_or_default();
        Api {
            http,
            base: options.api_url.trim_end_matches('/').to_owned(),
            app_id: options.app_id.clone(),
            bot_token: options.bot_token.clone(),
            backoff: Backoff::default(),
        }
    }

    /// The same client with another retry schedule.
    #[cfg(test)]
    pub fn with_backoff(mut self, backoff: Backoff) -> Api {
        self.backoff = backoff;
        self
    }

    /// True when calls that need the bot token can be made.
    pub fn has_bot_token(&self) -> bool {
        self.bot_token.is_some()
    }

    fn webhook(&self, token: &str, rest: &str) -> (String, String) {
        (
            format!("{}/webhooks/{}/{token}{rest}", self.base, self.app_id),
            format!("/webhooks/{}/…{rest}", self.app_id),
        )
    }

    /// Replaces an interaction's original answer (with its chart attached, when it has one);
    /// returns the message id. A 404 is retried: the edit can reach Discord before the deferred
    /// answer it edits.
    pub async fn edit_original(
        &self,
        token: &str,
        body: &impl Serialize,
        chart: Option<&secbot_chat::Chart>,
    ) -> Result<String, ApiError> {
        let (url, route) = self.webhook(token, "/messages/@original");
        let (body, png) = with_chart(body, chart);
        let call = Call {
            method: Method::PATCH,
            url,
            route: format!("PATCH {route}"),
            body: Some(&body),
            bot: false,
            retry_not_found: true,
            image: png.as_deref(),
        };
        Ok(message_id(&self.send(call).await?))
    }

    /// Posts a follow-up message to an interaction; returns the message id. A 404 is retried:
    /// Discord may not have taken in the interaction's first answer yet.
    pub async fn follow_up(&self, token: &str, body: &impl Serialize) -> Result<String, ApiError> {
        let (url, route) = self.webhook(token, "");
        let call = Call {
            method: Method::POST,
            url: format!("{url}?wait=true"),
            route: format!("POST {route}"),
            body: Some(body),
            bot: false,
            retry_not_found: true,
            image: None,
        };
        Ok(message_id(&self.send(call).await?))
    }

    /// Starts a public thread from a message (the thread's id is the message's).
    pub async fn start_thread(&self, channel: &str, message: &str, name: &str) -> Result<(), ApiError> {
        let route = format!("POST /channels/{channel}/messages/{message}/threads");
        let body = serde_json::json!({ "name": name, "auto_archive_duration": 1440 });
        let call = Call {
            method: Method::POST,
            url: format!("{}/channels/{channel}/messages/{message}/threads", self.base),
            route,
            body: Some(&body),
            bot: true,
            retry_not_found: false,
            image: None,
        };
        self.send(call).await.map(drop)
    }

    /// The Gateway's WebSocket URL for this bot (`GET /gateway/bot`).
    pub async fn gateway_url(&self) -> Result<String, ApiError> {
        let call: Call<'_, Value> = Call {
            method: Method::GET,
            url: format!("{}/gateway/bot", self.base),
            route: "GET /gateway/bot".to_owned(),
            body: None,
            bot: true,
            retry_not_found: false,
            image: None,
        };
        let body = self.send(call).await?;
        body["url"].as_str().map(str::to_owned).ok_or_else(|| ApiError::Refused {
            route: "GET /gateway/bot".to_owned(),
            status: 200,
            message: "the answer has no url".to_owned(),
        })
    }

    /// Posts a message in a channel or thread with the bot token (with its chart attached, when
    /// it has one); returns the message id.
    pub async fn post_message(
        &self,
        channel: &str,
        body: &impl Serialize,
        chart: Option<&secbot_chat::Chart>,
    ) -> Result<String, ApiError> {
        let (body, png) = with_chart(body, chart);
        let call = Call {
            method: Method::POST,
            url: format!("{}/channels/{channel}/messages", self.base),
            route: format!("POST /channels/{channel}/messages"),
            body: Some(&body),
            bot: true,
            retry_not_found: false,
            image: png.as_deref(),
        };
        Ok(message_id(&self.send(call).await?))
    }

    /// Replaces the application's global commands with `commands` (bulk overwrite); returns
    /// what Discord registered.
    pub async fn put_commands(&self, commands: &Value) -> Result<Value, ApiError> {
        let route = format!("PUT /applications/{}/commands", self.app_id);
        let call = Call {
            method: Method::PUT,
            url: format!("{}/applications/{}/commands", self.base, self.app_id),
            route,
            body: Some(commands),
            bot: true,
            retry_not_found: false,
            image: None,
        };
        self.send(call).await
    }

    async fn send<B: Serialize + ?Sized>(&self, call: Call<'_, B>) -> Result<Value, ApiError> {
        let method = calls::route_of(&call.route);
        let auth = match (call.bot, &self.bot_token) {
            (false, _) => None,
            (true, Some(token)) => Some(format!("Bot {}", token.expose())),
            (true, None) => return Err(ApiError::NoBotToken(call.route.clone())),
        };
        let (call, auth) = (&call, &auth);
        self.backoff
            .retry("discord", &method, |_| async move { self.once(call, auth.as_deref()).await })
            .await
    }

    /// One try of a call: the answer, or why it failed and the error to report.
    async fn once<B: Serialize + ?Sized>(
        &self,
        call: &Call<'_, B>,
        auth: Option<&str>,
    ) -> Result<Value, (Failure, ApiError)> {
        let mut request = self.http.request(call.method.clone(), &call.url).header(USER_AGENT, AGENT);
        if let Some(auth) = auth {
            request = request.header(AUTHORIZATION, auth);
        }
        match (call.body, call.image) {
            (Some(body), Some(png)) => {
                let payload = serde_json::to_string(body).unwrap_or_default();
                let file = reqwest::multipart::Part::bytes(png.to_vec())
                    .file_name("trend.png")
                    .mime_str("image/png")
                    .unwrap_or_else(|_| reqwest::multipart::Part::bytes(png.to_vec()));
                let form =
                    reqwest::multipart::Form::new().text("payload_json", payload).part("files[0]", file);
                request = request.multipart(form);
            }
            (Some(body), None) => request = request.json(body),
            _ => {}
        }
        let response = request.send().await.map_err(|err| {
            (
                Failure::Transient,
                ApiError::Unreachable { route: call.route.clone(), source: err.without_url() },
            )
        })?;
        let status = response.status();
        let retry_after =
            response.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let retry_after = retry_after.or_else(|| body["retry_after"].as_f64().map(|s| s.to_string()));
        let failure = match Backoff::classify(status.as_u16(), retry_after.as_deref()) {
            None => return Ok(body),
            Some(_) if status == StatusCode::NOT_FOUND && call.retry_not_found => Failure::Transient,
            Some(failure) => failure,
        };
        let message = body["message"].as_str().unwrap_or_default().to_owned();
        Err((failure, ApiError::Refused { route: call.route.clone(), status: status.as_u16(), message }))
    }
}

fn message_id(body: &Value) -> String {
    body["id"].as_str().unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use wiremock::matchers::{body_json, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    fn api(server: &MockServer, token: Option<&str>) -> Api {
        let mut options = DiscordOptions::new([0; 32], "42");
        options.api_url = server.uri();
        options.bot_token = token.map(Secret::new);
        Api::new(&options).with_backoff(Backoff {
            attempts: 3,
            base: Duration::from_millis(5),
            cap: Duration::from_millis(50),
        })
    }

    #[tokio::test]
    async fn throttled_calls_are_retried_after_the_wait_discord_asks() {
        let server = MockServer::start().await;
        Mock::given(method("PATCH"))
            .and(path("/webhooks/42/tok/messages/@original"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0.01").set_body_json(
                serde_json::json!({"message": "You are being rate limited.", "retry_after": 0.01}),
            ))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .and(path("/webhooks/42/tok/messages/@original"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "m1"})))
            .mount(&server)
            .await;
        let id = api(&server, None)
            .edit_original("tok", &serde_json::json!({"content": "hi"}), None)
            .await
            .unwrap();
        assert_eq!(id, "m1");
        assert_eq!(server.received_requests().await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn refusals_name_the_route_but_not_the_token() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(400).set_body_json(serde_json::json!({"message": "Invalid Form Body"})),
            )
            .mount(&server)
            .await;
        let err = api(&server, None).follow_up("secret-token", &serde_json::json!({})).await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains("POST /webhooks/42/…") && text.contains("Invalid Form Body"), "{text}");
        assert!(!text.contains("secret-token"), "{text}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "a 400 is not retried");
    }

    #[tokio::test]
    async fn commands_are_registered_with_the_bot_token() {
        let server = MockServer::start().await;
        let commands = serde_json::json!([{"name": "secbot"}]);
        Mock::given(method("PUT"))
            .and(path("/applications/42/commands"))
            .and(header("authorization", "Bot bot-secret"))
            .and(body_json(&commands))
            .respond_with(ResponseTemplate::new(200).set_body_json(&commands))
            .expect(1)
            .mount(&server)
            .await;
        let registered = api(&server, Some("bot-secret")).put_commands(&commands).await.unwrap();
        assert_eq!(registered, commands);
        let err = api(&server, None).put_commands(&commands).await.unwrap_err();
        assert!(err.to_string().contains("needs the bot token"), "{err}");
    }

    #[tokio::test]
    async fn a_chart_goes_as_a_multipart_attachment_shown_in_the_first_embed() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/channels/7/messages"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "m2"})))
            .mount(&server)
            .await;
        let chart = secbot_chat::chart::trend(&[[1, 2, 3, 4], [2, 2, 2, 2]], "two days".to_owned());
        let body = serde_json::json!({"embeds": [{"title": "Daily digest"}]});
        let id = api(&server, Some("bot")).post_message("7", &body, Some(&chart)).await.unwrap();
        assert_eq!(id, "m2");
        let sent = &server.received_requests().await.unwrap()[0];
        let kind = sent.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(kind.starts_with("multipart/form-data"), "{kind}");
        let raw = String::from_utf8_lossy(&sent.body);
        assert!(raw.contains("name=\"payload_json\""), "{raw}");
        assert!(
            raw.contains("attachment://trend.png") && raw.contains("\"description\":\"two days\""),
            "{raw}"
        );
        assert!(raw.contains("name=\"files[0]\"; filename=\"trend.png\""), "{raw}");
        assert!(sent.body.windows(4).any(|w| w == b"\x89PNG"), "the PNG itself is in the body");
        // Without a chart the body is JSON as before.
        api(&server, Some("bot")).post_message("7", &body, None).await.unwrap();
        let plain = &server.received_requests().await.unwrap()[1];
        assert_eq!(plain.headers.get("content-type").unwrap(), "application/json");
    }

    #[tokio::test]
    async fn unreachable_discord_is_reported_without_the_url() {
        let mut options = DiscordOptions::new([0; 32], "42");
        options.api_url = "http://127.0.0.1:9".to_owned();
        let api = Api::new(&options).with_backoff(Backoff {
            attempts: 2,
            base: Duration::from_millis(1),
            cap: Duration::from_millis(1),
        });
        let err = api.edit_original("secret-token", &serde_json::json!({}), None).await.unwrap_err();
        assert!(!err.to_string().contains("secret-token"), "{err}");
    }
}
