//! Access tokens for Azure Resource Manager: Azure AD client credentials (a client secret or a
//! workload-identity federated token), or a managed identity through the instance metadata
//! service. A token is cached until shortly before it expires and renewed once however many
//! requests need it at the same moment.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;

use super::error::AzureError;

/// A secret value (a client secret or an access token); its `Debug` output never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// How secbot proves who it is to Azure AD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// An app registration's client id and secret (`SECBOT_AZURE_CLIENT_ID` / `_CLIENT_SECRET`).
    ClientSecret {
        /// The application (client) id.
        client_id: String,
        /// The client secret.
        client_secret: Secret,
    },
    /// The managed identity of the machine or container secbot runs on.
    ManagedIdentity {
        /// A user-assigned identity's client id; `None` for the system-assigned one.
        client_id: Option<String>,
        /// The instance metadata token endpoint.
        endpoint: String,
    },
    /// Workload identity federation: a token file (Kubernetes projects one) used as the client
    /// assertion.
    WorkloadIdentity {
        /// The application (client) id.
        client_id: String,
        /// The federated token file, read again for every token request.
        token_file: PathBuf,
    },
}

impl Credential {
    /// The managed identity of this host through the instance metadata service; `client_id`
    /// picks a user-assigned identity.
    pub fn managed_identity(client_id: Option<String>) -> Credential {
        Credential::ManagedIdentity {
            client_id,
            endpoint: super::AzureOptions::DEFAULT_IMDS_ENDPOINT.to_owned(),
        }
    }

    /// What to check when Azure AD refuses this credential.
    fn hint(&self) -> &'static str {
        match self {
            Credential::ClientSecret { .. } => {
                "check SECBOT_AZURE_CLIENT_ID / SECBOT_AZURE_CLIENT_SECRET and SECBOT_AZURE_TENANT_ID"
            }
            Credential::ManagedIdentity { .. } => {
                "check that a managed identity is assigned to this host (and SECBOT_AZURE_CLIENT_ID for a \
                 user-assigned one)"
            }
            Credential::WorkloadIdentity { .. } => {
                "check SECBOT_AZURE_CLIENT_ID, SECBOT_AZURE_TENANT_ID and the federated token file and \
                 credential"
            }
        }
    }
}

struct Cached {
    token: Secret,
    renew_at: Instant,
}

/// Issues access tokens for one resource scope and caches them.
pub(crate) struct Tokens {
    http: reqwest::Client,
    credential: Credential,
    token_url: String,
    scope: String,
    cached: Mutex<Option<Cached>>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens").field("credential", &self.credential).field("scope", &self.scope).finish()
    }
}

/// When to renew a token that lives `lifetime`: five minutes early, or halfway for short ones.
fn renew_after(lifetime: Duration) -> Duration {
    lifetime.saturating_sub((lifetime / 2).min(Duration::from_secs(300)))
}

impl Tokens {
    /// A token source for `scope` (`https://management.azure.com/.default`) from the tenant's
    /// token endpoint under `authority`.
    pub(crate) fn new(
        http: reqwest::Client,
        credential: Credential,
        authority: &str,
        tenant: &str,
        scope: String,
    ) -> Tokens {
        let token_url = format!("{}/{tenant}/oauth2/v2.0/token", authority.trim_end_matches('/'));
        Tokens { http, credential, token_url, scope, cached: Mutex::new(None) }
    }

    /// A valid token: the cached one, or a new one. Concurrent callers wait for one request.
    pub(crate) async fn get(&self) -> Result<Secret, AzureError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref()
            && Instant::now() < c.renew_at
        {
            return Ok(c.token.clone());
        }
        let started = Instant::now();
        let (token, lifetime) = self.request().await?;
        *cached = Some(Cached { token: token.clone(), renew_at: started + renew_after(lifetime) });
        Ok(token)
    }

    /// Forgets `rejected` (Azure said it expired or is invalid) so the next call renews it;
    /// a token another caller already renewed is kept.
    pub(crate) async fn reject(&self, rejected: &Secret) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| &c.token == rejected) {
            *cached = None;
        }
    }

    async fn request(&self) -> Result<(Secret, Duration), AzureError> {
        let request = match &self.credential {
            Credential::ClientSecret { client_id, client_secret } => self.http.post(&self.token_url).form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id.as_str()),
                ("client_secret", client_secret.expose()),
                ("scope", self.scope.as_str()),
            ]),
            Credential::WorkloadIdentity { client_id, token_file } => {
                let file = token_file.clone();
                let read = tokio::task::spawn_blocking(move || std::fs::read_to_string(file)).await;
                let unreadable = |why: String| {
                    AzureError::Config(format!(
                        "the federated token file {} cannot be read ({why})",
                        token_file.display()
                    ))
                };
                let assertion = match read {
                    Ok(Ok(text)) => text,
                    Ok(Err(e)) => return Err(unreadable(e.kind().to_string())),
                    Err(e) => return Err(unreadable(e.to_string())),
                };
                self.http.post(&self.token_url).form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id.as_str()),
                    ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                    ("client_assertion", assertion.trim()),
                    ("scope", self.scope.as_str()),
                ])
            }
            Credential::ManagedIdentity { client_id, endpoint } => {
                let resource = self.scope.trim_end_matches("/.default");
                let mut query = vec![("api-version", "2018-02-01"), ("resource", resource)];
                if let Some(id) = client_id {
                    query.push(("client_id", id.as_str()));
                }
                self.http.get(endpoint).header("Metadata", "true").query(&query)
            }
        };
        let response =
            request.send().await.map_err(|e| AzureError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| AzureError::Transport(e.without_url().to_string()))?;
        let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if status.is_success() {
            let token = json
                .get("access_token")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| AzureError::Decode("the token response has no access_token".into()))?;
            let seconds = match json.get("expires_in") {
                Some(Value::Number(n)) => n.as_u64(),
                Some(Value::String(s)) => s.trim().parse().ok(),
                _ => None,
            }
            .unwrap_or(300);
            return Ok((Secret::new(token), Duration::from_secs(seconds)));
        }
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(AzureError::Server { status: status.as_u16(), attempts: 1 });
        }
        let error = json.get("error").and_then(Value::as_str).unwrap_or("refused");
        let aadsts = json
            .get("error_codes")
            .and_then(Value::as_array)
            .and_then(|codes| codes.first())
            .and_then(Value::as_u64)
            .map(|c| format!(", AADSTS{c}"))
            .unwrap_or_default();
        Err(AzureError::Credentials {
            code: format!("HTTP {}, {error}{aadsts}", status.as_u16()),
            hint: self.credential.hint(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_managed_identity_uses_the_instance_metadata_service() {
        let Credential::ManagedIdentity { endpoint, client_id } = Credential::managed_identity(None) else {
            panic!("a managed identity");
        };
        assert_eq!(endpoint, "http://169.254.169.254/metadata/identity/oauth2/token");
        assert_eq!(client_id, None);
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let credential =
            Credential::ClientSecret { client_id: "app".into(), client_secret: Secret::new("p@ss-w0rd") };
        let shown = format!("{credential:?}");
        assert!(shown.contains("app") && !shown.contains("p@ss-w0rd"), "{shown}");
    }

    #[test]
    fn tokens_are_renewed_before_they_expire() {
        assert_eq!(renew_after(Duration::from_secs(3599)), Duration::from_secs(3299));
        assert_eq!(renew_after(Duration::from_secs(2)), Duration::from_secs(1));
        assert_eq!(renew_after(Duration::ZERO), Duration::ZERO);
    }
}
