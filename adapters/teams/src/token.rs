//! The bot's own connector token: Azure AD client credentials, cached until shortly before it
//! expires, fetched once however many replies wait for it.

use std::time::{Duration, Instant};

use secbot_chat::delivery::{Backoff, Failure};
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::failure::{failure_of, without_url};

/// Why no token could be had: the token endpoint refused, answered nonsense or could not be
/// reached.
#[derive(Debug, thiserror::Error)]
#[error("no connector token: {0}")]
pub(crate) struct TokenError(String);

/// The scope of Bot Connector tokens.
pub(crate) const SCOPE: &str = "https://api.botframework.com/.default";

/// How long before its expiry a cached token is replaced.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// A token and when to stop using it.
#[derive(Clone)]
struct Cached {
    token: String,
    renew_at: Instant,
}

/// Gets and caches the bot's connector token.
pub(crate) struct Tokens {
    http: reqwest::Client,
    url: String,
    client_id: String,
    client_secret: String,
    backoff: Backoff,
    cached: Mutex<Option<Cached>>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("url", &self.url).field("client_id", &self.client_id).finish()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

impl Tokens {
    /// A token source for an app's credentials at a token endpoint.
    pub(crate) fn new(
        http: reqwest::Client,
        url: String,
        client_id: String,
        client_secret: String,
        backoff: Backoff,
    ) -> Tokens {
        Tokens { http, url, client_id, client_secret, backoff, cached: Mutex::new(None) }
    }

    /// A valid token: the cached one, or a new one (one request at a time; callers waiting
    /// meanwhile get the same token).
    pub(crate) async fn get(&self) -> Result<String, TokenError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref().filter(|c| Instant::now() < c.renew_at) {
            return Ok(c.token.clone());
        }
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Forgets the cached token (after the connector refused it).
    pub(crate) async fn forget(&self, token: &str) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| c.token == token) {
            *cached = None;
        }
    }

    async fn fetch(&self) -> Result<Cached, TokenError> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.as_str()),
            ("scope", SCOPE),
        ];
        self.backoff
            .retry("teams", "token", |attempt| async move {
                let failed = match self.http.post(&self.url).form(&form).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        match failure_of(&response) {
                            None => {
                                let body: TokenResponse = response.json().await.map_err(|e| {
                                    let why = format!(
                                        "the token endpoint answered with something other than a token ({})",
                                        without_url(&e)
                                    );
                                    (Failure::Permanent, TokenError(why))
                                })?;
                                return Ok(Cached {
                                    renew_at: renew_at(body.expires_in.as_ref()),
                                    token: body.access_token,
                                });
                            }
                            Some(failure) => (failure, format!("the token endpoint answered HTTP {status}")),
                        }
                    }
                    Err(e) => (
                        Failure::Transient,
                        format!("the token endpoint could not be reached ({})", without_url(&e)),
                    ),
                };
                tracing::warn!(attempt, problem = %failed.1, "token request failed");
                Err((failed.0, TokenError(failed.1)))
            })
            .await
    }
}

/// When to renew a token that lasts `expires_in` seconds (a number or a numeric string).
fn renew_at(expires_in: Option<&serde_json::Value>) -> Instant {
    let seconds = expires_in
        .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())))
        .unwrap_or(3600);
    let lifetime = Duration::from_secs(seconds);
    let early = if lifetime > RENEW_BEFORE * 2 { lifetime - RENEW_BEFORE } else { lifetime / 2 };
    Instant::now() + early
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use wiremock::matchers::{body_string_contains, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    fn fast() -> Backoff {
        Backoff { attempts: 3, base: Duration::from_millis(5), cap: Duration::from_millis(20) }
    }

    #[tokio::test]
    async fn one_token_is_fetched_for_many_concurrent_callers_and_reused() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .and(body_string_contains("grant_type=client_credentials"))
            .and(body_string_contains("client_id=app-id"))
            .and(body_string_contains("scope=https%3A%2F%2Fapi.botframework.com%2F.default"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "tok-1"}))
                    .set_delay(Duration::from_millis(50)),
            )
            .expect(1)
            .mount(&server)
            .await;
        let tokens = Arc::new(Tokens::new(
            reqwest::Client::new(),
            format!("{}/token", server.uri()),
            "app-id".into(),
            "s3cret".into(),
            fast(),
        ));
        let calls: Vec<_> = (0..20)
            .map(|_| {
                tokio::spawn({
                    let tokens = tokens.clone();
                    async move { tokens.get().await }
                })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.expect("joins").expect("a token"), "tok-1");
        }
        assert_eq!(tokens.get().await.expect("cached"), "tok-1");
    }

    #[tokio::test]
    async fn throttling_is_retried_and_errors_never_show_the_secret() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"expires_in": "3599", "access_token": "tok-2"})),
            )
            .mount(&server)
            .await;
        let tokens = Tokens::new(
            reqwest::Client::new(),
            format!("{}/token", server.uri()),
            "a".into(),
            "s3cret".into(),
            fast(),
        );
        assert_eq!(tokens.get().await.expect("a token after one retry"), "tok-2");

        let refusing = MockServer::start().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(401)).expect(1).mount(&refusing).await;
        let tokens = Tokens::new(
            reqwest::Client::new(),
            format!("{}/token", refusing.uri()),
            "a".into(),
            "s3cret".into(),
            fast(),
        );
        let err = tokens.get().await.expect_err("refused");
        assert!(err.to_string().contains("HTTP 401"), "{err}");
        assert!(!err.to_string().contains("s3cret") && !format!("{err:?}").contains("s3cret"));
        assert!(!format!("{tokens:?}").contains("s3cret"));
    }

    #[test]
    fn tokens_are_renewed_before_they_expire() {
        let at = renew_at(Some(&serde_json::json!(3600)));
        let left = at.saturating_duration_since(Instant::now());
        assert!(left <= Duration::from_secs(3300) && left > Duration::from_secs(3200), "{left:?}");
        let short = renew_at(Some(&serde_json::json!("60"))).saturating_duration_since(Instant::now());
        assert!(short <= Duration::from_secs(30), "{short:?}");
    }
}
