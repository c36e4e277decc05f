//! How the Discord adapter is set up: the application's key and id, the bot token and the API.

use std::fmt;

use ed25519_dalek::VerifyingKey;
use secbot_chat::Secret;

/// The Discord application secbot answers for (from `SECBOT_DISCORD_*`).
#[derive(Clone, PartialEq, Eq)]
pub struct DiscordOptions {
    /// The application's Ed25519 public key (the developer portal's "Public Key", 32 bytes).
    pub public_key: [u8; 32],
    /// The application id.
    pub app_id: String,
    /// The bot token, for starting threads and registering commands; answers need none.
    pub bot_token: Option<Secret>,
    /// The API base URL, without a trailing slash.
    pub api_url: String,
    /// The servers (guild ids) secbot answers in; empty answers every server and direct
    /// messages. With a list, direct messages are not answered either.
    pub allowed_guilds: Vec<String>,
    /// Whether to read channel messages over the Gateway (needs the bot token and the Message
    /// Content intent).
    pub gateway: bool,
}

/// A setting the Discord adapter cannot work with.
#[derive(Debug, thiserror::Error)]
pub enum OptionsError {
    /// The public key is 32 bytes but not a point on the curve.
    #[error(
        "SECBOT_DISCORD_PUBLIC_KEY is not a valid Ed25519 public key; copy the Public Key from the developer portal"
    )]
    PublicKey,
    /// The application id is not a snowflake.
    #[error("SECBOT_DISCORD_APP_ID is not a Discord id (digits only); copy the Application ID")]
    AppId,
    /// The API URL is not an http(s) URL.
    #[error("SECBOT_DISCORD_API_URL must start with https:// (or http:// for a local stand-in)")]
    ApiUrl,
}

impl DiscordOptions {
    /// Discord's API, version 10.
    pub const DEFAULT_API_URL: &'static str = "https://discord.com/api/v10";

    /// Options for an application, with no bot token and the default API.
    pub fn new(public_key: [u8; 32], app_id: impl Into<String>) -> DiscordOptions {
        DiscordOptions {
            public_key,
            app_id: app_id.into(),
            bot_token: None,
            api_url: DiscordOptions::DEFAULT_API_URL.to_owned(),
            allowed_guilds: Vec::new(),
            gateway: false,
        }
    }

    /// Checks the settings, for start-up: every request would be refused with a bad key.
    pub fn check(&self) -> Result<(), OptionsError> {
        self.verifying_key()?;
        if self.app_id.is_empty() || !self.app_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(OptionsError::AppId);
        }
        if !(self.api_url.starts_with("https://") || self.api_url.starts_with("http://")) {
            return Err(OptionsError::ApiUrl);
        }
        Ok(())
    }

    pub(crate) fn verifying_key(&self) -> Result<VerifyingKey, OptionsError> {
        VerifyingKey::from_bytes(&self.public_key).map_err(|_| OptionsError::PublicKey)
    }
}

/// True when secbot answers an interaction from `guild` (`None`: a direct message) under the
/// allow-list `allowed` (empty: every server and direct messages).
pub(crate) fn admits(allowed: &[String], guild: Option<&str>) -> bool {
    allowed.is_empty() || guild.is_some_and(|g| allowed.iter().any(|a| a == g))
}

impl fmt::Debug for DiscordOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordOptions")
            .field("public_key", &hex::encode(self.public_key))
            .field("app_id", &self.app_id)
            .field("bot_token", &self.bot_token)
            .field("api_url", &self.api_url)
            .field("allowed_guilds", &self.allowed_guilds)
            .field("gateway", &self.gateway)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::SigningKey;

    use super::*;

    fn options() -> DiscordOptions {
        let key = SigningKey::from_bytes(&[7; 32]).verifying_key().to_bytes();
        DiscordOptions {
            bot_token: Some(Secret::new("bot-secret-value")),
            ..DiscordOptions::new(key, "1100")
        }
    }

    #[test]
    fn debug_never_prints_the_token() {
        let printed = format!("{:?}", options());
        assert!(!printed.contains("bot-secret-value"), "{printed}");
        assert!(printed.contains("••••") && printed.contains("1100"), "{printed}");
    }

    #[test]
    fn settings_are_checked_with_a_fix_in_the_message() {
        assert!(options().check().is_ok());
        let app = DiscordOptions { app_id: "my-app".into(), ..options() };
        assert!(app.check().unwrap_err().to_string().contains("Application ID"));
        let url = DiscordOptions { api_url: "discord.com".into(), ..options() };
        assert!(url.check().unwrap_err().to_string().contains("https://"));
        let not_a_point =
            (0u8..=255).map(|b| [b; 32]).find(|k| VerifyingKey::from_bytes(k).is_err()).unwrap();
        let key = DiscordOptions { public_key: not_a_point, ..options() };
        assert!(key.check().unwrap_err().to_string().contains("Public Key"));
    }
}
