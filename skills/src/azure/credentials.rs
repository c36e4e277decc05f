//! Access tokens for Azure Resource Manager: Azure AD client credentials (a client secret or a
//! workload-identity federated token), a managed identity (through a VM's or AKS node's
//! instance metadata service, or the endpoint App Service and Container Apps give an app), or
//! the account signed in to the Azure CLI on a developer's machine. A token is cached until
//! shortly before it expires and renewed once however many requests need it at the same moment.
//!
//! Why not the `azure_identity` crate: it brings `azure_core` and its own HTTP pipeline, retry
//! policy and async runtime glue for the five small protocols below, which secbot already speaks
//! through its one `reqwest` client, its cache and its typed errors (each with what to check),
//! and which the tests drive against wiremock and a stand-in `az`.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;

use super::error::AzureError;

pub use secbot_chat::Secret;

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
    /// The managed identity of the virtual machine or AKS node secbot runs on, through the
    /// instance metadata service.
    ManagedIdentity {
        /// A user-assigned identity's client id; `None` for the system-assigned one.
        client_id: Option<String>,
        /// The instance metadata token endpoint.
        endpoint: String,
    },
    /// The managed identity of an App Service or Container Apps app, through the local endpoint
    /// and header the platform sets in `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`.
    AppServiceIdentity {
        /// A user-assigned identity's client id; `None` for the system-assigned one.
        client_id: Option<String>,
        /// The platform's token endpoint (`IDENTITY_ENDPOINT`).
        endpoint: String,
        /// The header value that proves the request comes from inside the app
        /// (`IDENTITY_HEADER`).
        header: Secret,
    },
    /// The account signed in to the Azure CLI on this machine (`az login`), for local runs.
    AzureCli {
        /// The program to run (`az`, or a path to it).
        program: String,
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
            Credential::AppServiceIdentity { .. } => {
                "check that the app has a managed identity (Identity blade) and, for a user-assigned \
                 one, SECBOT_AZURE_CLIENT_ID"
            }
            Credential::AzureCli { .. } => {
                "run `az login --tenant <SECBOT_AZURE_TENANT_ID>` on this machine, or choose another \
                 SECBOT_AZURE_SIGN_IN"
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
    tenant: String,
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
        Tokens { http, credential, token_url, tenant: tenant.to_owned(), scope, cached: Mutex::new(None) }
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
        let resource = self.scope.trim_end_matches("/.default");
        let request = match &self.credential {
            Credential::AzureCli { program } => return self.ask_cli(program, resource).await,
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
                let mut query = vec![("api-version", "2018-02-01"), ("resource", resource)];
                if let Some(id) = client_id {
                    query.push(("client_id", id.as_str()));
                }
                self.http.get(endpoint).header("Metadata", "true").query(&query)
            }
            Credential::AppServiceIdentity { client_id, endpoint, header } => {
                let mut query = vec![("api-version", "2019-08-01"), ("resource", resource)];
                if let Some(id) = client_id {
                    query.push(("client_id", id.as_str()));
                }
                self.http.get(endpoint).header("X-IDENTITY-HEADER", header.expose()).query(&query)
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
            return Ok((Secret::new(token), lifetime(&json)));
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

    /// A token from the Azure CLI's signed-in account: `az account get-access-token` for the
    /// resource and tenant, read from its JSON output.
    async fn ask_cli(&self, program: &str, resource: &str) -> Result<(Secret, Duration), AzureError> {
        let run = tokio::process::Command::new(program)
            .args(["account", "get-access-token", "--output", "json", "--resource", resource])
            .args(["--tenant", self.tenant.as_str()])
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output();
        let output = match tokio::time::timeout(CLI_TIMEOUT, run).await {
            Err(_) => {
                return Err(AzureError::Transport(format!(
                    "the Azure CLI did not answer within {} s",
                    CLI_TIMEOUT.as_secs()
                )));
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(AzureError::Config(format!(
                    "the Azure CLI (`{program}`) is not installed here; install it and run `az login`, or \
                     set SECBOT_AZURE_CLI_COMMAND to its path"
                )));
            }
            Ok(Err(e)) => {
                return Err(AzureError::Config(format!("the Azure CLI (`{program}`) cannot be run ({e})")));
            }
            Ok(Ok(output)) => output,
        };
        if !output.status.success() {
            let said = String::from_utf8_lossy(&output.stderr);
            let line = said.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no message");
            return Err(AzureError::Credentials {
                code: format!("az {}: {}", output.status, line.chars().take(300).collect::<String>()),
                hint: self.credential.hint(),
            });
        }
        let json: Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| AzureError::Decode(format!("the Azure CLI's token output is not JSON ({e})")))?;
        let token = json
            .get("accessToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| AzureError::Decode("the Azure CLI's output has no accessToken".into()))?;
        Ok((Secret::new(token), lifetime(&json)))
    }
}

/// How long the Azure CLI may take to hand out a token (it may refresh one first).
const CLI_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a token lives: `expires_in` seconds (Azure AD, IMDS), else until `expires_on`
/// (App Service and the Azure CLI give the moment, in Unix seconds), else five minutes.
fn lifetime(json: &Value) -> Duration {
    let number = |key: &str| match json.get(key) {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    if let Some(seconds) = number("expires_in") {
        return Duration::from_secs(seconds);
    }
    if let Some(at) = number("expires_on") {
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        return Duration::from_secs(at.saturating_sub(now));
    }
    Duration::from_secs(300)
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
