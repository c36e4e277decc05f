//! What can go wrong talking to Azure, worded so an operator knows what to change, and how it
//! maps into [`PostureError`] for the skills. No variant ever holds a secret or a token.

use crate::posture::PostureError;

/// Why a call to Azure AD, Resource Graph or the Security API failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AzureError {
    /// The options are incomplete or malformed.
    #[error("the Azure settings are not usable: {0}")]
    Config(String),
    /// Azure AD refused the credentials.
    #[error("Azure AD refused secbot's credentials ({code}); {hint}")]
    Credentials {
        /// The OAuth error and AADSTS code, e.g. `invalid_client, AADSTS7000215`.
        code: String,
        /// What to check.
        hint: &'static str,
    },
    /// The identity lacks a role on a subscription.
    #[error("secbot's identity needs {roles} on {scope}")]
    Forbidden {
        /// The roles it needs, e.g. "the Reader and Security Reader roles".
        roles: &'static str,
        /// Where, e.g. "subscription 0000…".
        scope: String,
    },
    /// Defender for Cloud is not set up on a subscription.
    #[error(
        "Defender for Cloud is not enabled on {scope}: register the Microsoft.Security resource provider \
         there, or leave the subscription out of SECBOT_AZURE_SUBSCRIPTIONS"
    )]
    NotRegistered {
        /// Where, e.g. "subscription 0000…".
        scope: String,
    },
    /// Azure asked secbot to slow down, for longer than it waits.
    #[error("Azure is throttling secbot; retry after {retry_after_secs} s")]
    Throttled {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Azure refused the request as invalid.
    #[error("Azure refused the request ({status} {code}): {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// Azure's error code.
        code: String,
        /// Azure's message, shortened.
        message: String,
    },
    /// Azure kept failing (5xx) or an access token could not be renewed.
    #[error("Azure answered {status} after {attempts} tries")]
    Server {
        /// The last HTTP status.
        status: u16,
        /// How many tries were made.
        attempts: u32,
    },
    /// Azure could not be reached.
    #[error("Azure could not be reached ({0})")]
    Transport(String),
    /// Azure answered something secbot could not read.
    #[error("Azure answered something secbot cannot read ({0})")]
    Decode(String),
}

impl From<AzureError> for PostureError {
    fn from(err: AzureError) -> PostureError {
        match err {
            AzureError::Throttled { retry_after_secs } => PostureError::Throttled { retry_after_secs },
            AzureError::Credentials { .. } | AzureError::Forbidden { .. } => {
                PostureError::Forbidden(err.to_string())
            }
            AzureError::NotFound(what) => PostureError::NotFound(what),
            AzureError::Config(_) | AzureError::NotRegistered { .. } | AzureError::Rejected { .. } => {
                PostureError::Invalid(err.to_string())
            }
            AzureError::Server { .. } | AzureError::Transport(_) | AzureError::Decode(_) => {
                PostureError::Unavailable(err.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_plain_instructions() {
        let forbidden = AzureError::Forbidden {
            roles: "the Reader and Security Reader roles",
            scope: "subscription s1".into(),
        };
        assert_eq!(
            PostureError::from(forbidden).to_string(),
            "secbot is not allowed to read this: secbot's identity needs the Reader and Security Reader \
             roles on subscription s1"
        );
        assert_eq!(
            PostureError::from(AzureError::Throttled { retry_after_secs: 42 }).to_string(),
            "Defender for Cloud is throttling requests; try again in 42 s"
        );
    }
}

/// Why `secbot sync` stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Reading from Defender for Cloud failed.
    #[error(transparent)]
    Azure(#[from] PostureError),
    /// The snapshot could not be written.
    #[error("the snapshot could not be written ({0}); check that the disk has room and the path is writable")]
    Write(#[from] std::io::Error),
}

impl From<AzureError> for SyncError {
    fn from(err: AzureError) -> SyncError {
        SyncError::Azure(err.into())
    }
}
