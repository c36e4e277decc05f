//! Inbound trust: the Bot Framework bearer token every activity carries, validated against the
//! OpenID metadata and its signing keys (RS256 only; issuer `https://api.botframework.com`;
//! audience the bot's app id; `exp`/`nbf` with five minutes of skew; the key must endorse the
//! activity's channel; the token's `serviceurl` claim must be the activity's `serviceUrl`).
//!
//! The keys are cached. A token signed with an unknown key id triggers one refresh, shared by
//! every request waiting for it, and forced refreshes happen at most once a minute, so a flood
//! of made-up key ids cannot become a flood of key downloads.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::Mutex;

/// The issuer of every Bot Framework token sent to a bot.
pub const ISSUER: &str = "https://api.botframework.com";

/// Clock skew allowed on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 300;

/// How long fetched signing keys are used before they are fetched again.
pub const KEYS_TTL: Duration = Duration::from_secs(24 * 3600);

/// The shortest time between two refreshes forced by an unknown key id.
pub const FORCED_REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// Why an activity's token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer …` header.
    #[error("the request has no Bot Framework bearer token")]
    Missing,
    /// The token is not a JWT secbot accepts (unreadable, no key id, or not RS256).
    #[error("the bearer token is malformed or not signed with RS256")]
    Malformed,
    /// The token names a signing key the Bot Framework does not publish.
    #[error("the bearer token is signed with an unknown key")]
    UnknownKey,
    /// Signature, issuer, audience or validity period check failed.
    #[error("the bearer token is invalid: {0}")]
    Invalid(String),
    /// The signing key does not endorse the activity's channel.
    #[error("the token's signing key does not endorse channel {0:?}")]
    NotEndorsed(String),
    /// The token's `serviceurl` claim is missing or differs from the activity's `serviceUrl`.
    #[error("the token's serviceurl claim does not match the activity's serviceUrl")]
    ServiceUrl,
    /// The OpenID metadata or signing keys could not be fetched, so nothing can be verified.
    #[error("the Bot Framework signing keys could not be fetched: {0}")]
    KeysUnavailable(String),
}

impl AuthError {
    /// The HTTP status to answer with: 403 for a valid token that fails the endorsement or
    /// service URL check, 503 when keys are unavailable, 401 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            AuthError::NotEndorsed(_) | AuthError::ServiceUrl => 403,
            AuthError::KeysUnavailable(_) => 503,
            _ => 401,
        }
    }
}

/// A verified token: what it says about the activity it came with.
#[derive(Debug, Clone)]
pub struct Verified {
    service_url: Option<String>,
    endorsements: Option<Vec<String>>,
}

impl Verified {
    /// Checks the token against the activity it came with: the signing key endorses the
    /// activity's channel (when the key lists endorsements) and the token's `serviceurl` claim
    /// is the activity's `serviceUrl`.
    pub fn check_activity(
        &self,
        service_url: Option<&str>,
        channel_id: Option<&str>,
    ) -> Result<(), AuthError> {
        if let Some(endorsements) = &self.endorsements {
            let channel = channel_id.unwrap_or_default();
            if channel.is_empty() || !endorsements.iter().any(|e| e == channel) {
                return Err(AuthError::NotEndorsed(channel.to_owned()));
            }
        }
        let same = match (self.service_url.as_deref(), service_url) {
            (Some(claim), Some(activity)) => {
                !activity.trim().is_empty() && claim.trim_end_matches('/') == activity.trim_end_matches('/')
            }
            _ => false,
        };
        if same { Ok(()) } else { Err(AuthError::ServiceUrl) }
    }
}

struct SigningKey {
    key: DecodingKey,
    endorsements: Option<Vec<String>>,
}

struct KeySet {
    generation: u64,
    keys: HashMap<String, Arc<SigningKey>>,
}

#[derive(Deserialize)]
struct OpenIdMetadata {
    jwks_uri: String,
    #[serde(default)]
    id_token_signing_alg_values_supported: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Jwks {
    #[serde(default)]
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    #[serde(default)]
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    endorsements: Option<Vec<String>>,
}

/// Validates Bot Framework tokens for one bot.
pub struct Verifier {
    app_id: String,
    openid_url: String,
    http: reqwest::Client,
    cache: moka::future::Cache<(), Arc<KeySet>>,
    forced: Mutex<Option<Instant>>,
    generations: AtomicU64,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("app_id", &self.app_id)
            .field("openid_url", &self.openid_url)
            .finish()
    }
}

impl Verifier {
    /// A verifier for tokens addressed to `app_id`, trusting the keys the OpenID metadata at
    /// `openid_url` points to.
    pub fn new(http: reqwest::Client, app_id: impl Into<String>, openid_url: impl Into<String>) -> Verifier {
        Verifier {
            app_id: app_id.into(),
            openid_url: openid_url.into(),
            http,
            cache: moka::future::Cache::builder().max_capacity(1).time_to_live(KEYS_TTL).build(),
            forced: Mutex::new(None),
            generations: AtomicU64::new(0),
        }
    }

    /// Reads the bearer token from an `Authorization` header value.
    pub fn bearer(header: Option<&str>) -> Result<&str, AuthError> {
        let value = header.ok_or(AuthError::Missing)?.trim();
        let (scheme, token) = value.split_once(' ').ok_or(AuthError::Missing)?;
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
            return Err(AuthError::Missing);
        }
        Ok(token.trim())
    }

    /// Verifies a token's signature, issuer, audience and validity period.
    pub async fn verify(&self, token: &str) -> Result<Verified, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(AuthError::Malformed);
        }
        let kid = header.kid.filter(|k| !k.is_empty()).ok_or(AuthError::Malformed)?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_audience(&[&self.app_id]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation)
            .map_err(|e| AuthError::Invalid(format!("{:?}", e.kind())))?;
        let service_url = ["serviceurl", "serviceUrl"]
            .iter()
            .find_map(|name| data.claims.get(*name).and_then(Value::as_str))
            .map(str::to_owned);
        Ok(Verified { service_url, endorsements: key.endorsements.clone() })
    }

    async fn key(&self, kid: &str) -> Result<Arc<SigningKey>, AuthError> {
        let set = self.current().await?;
        if let Some(key) = set.keys.get(kid) {
            return Ok(key.clone());
        }
        let seen = set.generation;
        let mut forced = self.forced.lock().await;
        let set = self.current().await?;
        if set.generation != seen {
            return set.keys.get(kid).cloned().ok_or(AuthError::UnknownKey);
        }
        if forced.is_some_and(|at| at.elapsed() < FORCED_REFRESH_INTERVAL) {
            return Err(AuthError::UnknownKey);
        }
        *forced = Some(Instant::now());
        tracing::info!("a token names an unknown signing key; fetching the Bot Framework keys again");
        let fresh = Arc::new(self.fetch().await.map_err(AuthError::KeysUnavailable)?);
        self.cache.insert((), fresh.clone()).await;
        fresh.keys.get(kid).cloned().ok_or(AuthError::UnknownKey)
    }

    async fn current(&self) -> Result<Arc<KeySet>, AuthError> {
        self.cache
            .try_get_with((), async { self.fetch().await.map(Arc::new) })
            .await
            .map_err(|e: Arc<String>| AuthError::KeysUnavailable(e.to_string()))
    }

    async fn fetch(&self) -> Result<KeySet, String> {
        let metadata: OpenIdMetadata = self.get_json(&self.openid_url, "OpenID metadata").await?;
        if let Some(algs) = &metadata.id_token_signing_alg_values_supported
            && !algs.iter().any(|a| a == "RS256")
        {
            return Err("the OpenID metadata does not offer RS256".to_owned());
        }
        let jwks: Jwks = self.get_json(&metadata.jwks_uri, "signing keys").await?;
        let mut keys = HashMap::new();
        for jwk in jwks.keys {
            let (Some(kid), Some(n), Some(e)) = (jwk.kid, jwk.n, jwk.e) else { continue };
            if !jwk.kty.eq_ignore_ascii_case("RSA") {
                continue;
            }
            match DecodingKey::from_rsa_components(&n, &e) {
                Ok(key) => {
                    keys.insert(kid, Arc::new(SigningKey { key, endorsements: jwk.endorsements }));
                }
                Err(err) => tracing::warn!(kid, error = %err, "skipping an unreadable signing key"),
            }
        }
        let generation = self.generations.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!(keys = keys.len(), generation, "fetched the Bot Framework signing keys");
        Ok(KeySet { generation, keys })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str, what: &str) -> Result<T, String> {
        let response = self
            .http
            .get(url)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| format!("{what}: {}", crate::failure::without_url(&e)))?;
        if !response.status().is_success() {
            return Err(format!("{what}: HTTP {}", response.status().as_u16()));
        }
        response.json().await.map_err(|e| format!("{what}: {}", crate::failure::without_url(&e)))
    }
}

#[cfg(test)]
mod tests;
