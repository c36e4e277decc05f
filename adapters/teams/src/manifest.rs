//! The Teams app package: `manifest.json` (schema v1.17) for the bot with its command lists,
//! and the two icons drawn by [`crate::icons`], zipped as Teams' "upload a custom app" expects.
//! `manifest/teams/manifest.template.json` shows the manifest's shape and is checked against
//! this code by a test.

use std::io::Write as _;

use serde_json::{Value, json};

use crate::icons::{self, ACCENT};
use crate::limits::{
    MANIFEST_COMMAND_DESCRIPTION_CHARS, MANIFEST_COMMAND_TITLE_CHARS, MANIFEST_COMMANDS,
    MANIFEST_DEVELOPER_NAME_CHARS, MANIFEST_FULL_DESCRIPTION_CHARS, MANIFEST_FULL_NAME_CHARS,
    MANIFEST_SHORT_DESCRIPTION_CHARS, MANIFEST_SHORT_NAME_CHARS,
};

/// The manifest schema version the package follows.
pub const MANIFEST_VERSION: &str = "1.17";

/// Where the committed template lives, relative to the workspace.
pub const TEMPLATE_PATH: &str = "manifest/teams/manifest.template.json";

const SHORT_NAME: &str = "secbot";
const FULL_NAME: &str = "secbot: security posture copilot";
const SHORT_DESCRIPTION: &str = "Ask about your cloud security posture and act on it in chat.";
const FULL_DESCRIPTION: &str = "secbot is a security copilot for cloud security posture. Ask in plain words \
(\"show critical risks for publicly exposed resources\", \"how do I fix the 2nd one?\", \"assign it to @Dana \
by Friday\") and secbot answers with cards you can act on: summarize, explain, remediate with real scripts, \
delegate with an owner and a due date, and rate each answer. Its data comes from Microsoft Defender for Cloud. \
In a channel, mention secbot to ask; follow-ups in the same thread keep their context. A delegated owner gets a \
1:1 message saying what was assigned, by whom and by when.";

/// Why an app package could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The app id is not a GUID.
    #[error(
        "the app id must be the bot's Microsoft App ID, a GUID such as 00000000-0000-0000-0000-000000000000 (got {0:?})"
    )]
    AppId(String),
    /// The URL is not an `https://` URL with a host.
    #[error("the URL must be where secbot is reachable, such as https://secbot.example.com (got {0:?})")]
    Url(String),
    /// More commands than a Teams command list holds.
    #[error("a Teams command list holds at most {max} commands; {given} were given")]
    TooManyCommands {
        /// How many were given.
        given: usize,
        /// The most allowed.
        max: usize,
    },
    /// A command title is empty or too long.
    #[error("the command title {0:?} must be 1 to {MANIFEST_COMMAND_TITLE_CHARS} characters")]
    CommandTitle(String),
    /// A command description is too long.
    #[error(
        "the description of command {0:?} is longer than {MANIFEST_COMMAND_DESCRIPTION_CHARS} characters"
    )]
    CommandDescription(String),
    /// The zip could not be written.
    #[error("the app package could not be written ({0})")]
    Zip(String),
}

/// Builds the Teams app package (a zip holding `manifest.json`, `color.png` and `outline.png`)
/// for the bot `app_id` served at `url`, with `commands` as (title, description) pairs in its
/// command lists.
pub fn manifest(app_id: &str, url: &str, commands: &[(String, String)]) -> Result<Vec<u8>, ManifestError> {
    let app_id = app_id.trim();
    if !crate::activity::is_guid(app_id) {
        return Err(ManifestError::AppId(app_id.to_owned()));
    }
    let (origin, host) = parse_url(url).ok_or_else(|| ManifestError::Url(url.to_owned()))?;
    if commands.len() > MANIFEST_COMMANDS {
        return Err(ManifestError::TooManyCommands { given: commands.len(), max: MANIFEST_COMMANDS });
    }
    for (title, description) in commands {
        let length = title.trim().chars().count();
        if length == 0 || length > MANIFEST_COMMAND_TITLE_CHARS {
            return Err(ManifestError::CommandTitle(title.clone()));
        }
        if description.chars().count() > MANIFEST_COMMAND_DESCRIPTION_CHARS {
            return Err(ManifestError::CommandDescription(title.clone()));
        }
    }
    let document = document(app_id, &package_id(app_id), &origin, &host, commands);
    let manifest = serde_json::to_vec_pretty(&document).map_err(|e| ManifestError::Zip(e.to_string()))?;
    let color = secbot_chat::chart::encode(192, 192, &icons::color_pixels(192));
    let outline = secbot_chat::chart::encode(32, 32, &icons::outline_pixels(32));
    zip(&[("manifest.json", &manifest), ("color.png", &color), ("outline.png", &outline)])
}

/// The manifest document, for [`manifest`] and for the committed template.
fn document(app_id: &str, id: &str, origin: &str, host: &str, commands: &[(String, String)]) -> Value {
    let scopes = json!(["team", "groupChat", "personal"]);
    let mut bot = json!({
        "botId": app_id,
        "scopes": scopes,
        "isNotificationOnly": false,
        "supportsFiles": false,
    });
    if !commands.is_empty() {
        let commands: Vec<Value> = commands
            .iter()
            .map(|(title, description)| json!({"title": title.trim(), "description": description}))
            .collect();
        bot["commandLists"] = json!([{"scopes": scopes, "commands": commands}]);
    }
    json!({
        "$schema": format!("https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"),
        "manifestVersion": MANIFEST_VERSION,
        "version": env!("CARGO_PKG_VERSION"),
        "id": id,
        "developer": {
            "name": SHORT_NAME,
            "websiteUrl": origin,
            "privacyUrl": origin,
            "termsOfUseUrl": origin,
        },
        "name": {"short": SHORT_NAME, "full": FULL_NAME},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": format!("#{:02X}{:02X}{:02X}", ACCENT[0], ACCENT[1], ACCENT[2]),
        "bots": [bot],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host],
    })
}

/// The package id: a GUID derived from the app id (FNV-1a, 128 bits, marked as RFC 9562
/// version 8), so rebuilding the package for the same bot updates the same app.
fn package_id(app_id: &str) -> String {
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for byte in format!("secbot-teams-package:{}", app_id.to_ascii_lowercase()).bytes() {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013B);
    }
    hash = (hash & !(0xF << 76)) | (0x8 << 76);
    hash = (hash & !(0x3 << 62)) | (0x2 << 62);
    let hex = format!("{hash:032x}");
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// The origin (`https://host[:port]`) and host of an `https://` URL.
fn parse_url(url: &str) -> Option<(String, String)> {
    let parsed = reqwest::Url::parse(url.trim()).ok()?;
    if parsed.scheme() != "https" || !parsed.username().is_empty() || parsed.password().is_some() {
        return None;
    }
    let host = parsed.host_str()?.to_ascii_lowercase();
    let origin = match parsed.port() {
        Some(port) => format!("https://{host}:{port}"),
        None => format!("https://{host}"),
    };
    Some((origin, host))
}

fn zip(files: &[(&str, &[u8])]) -> Result<Vec<u8>, ManifestError> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        writer.start_file(*name, options).map_err(|e| ManifestError::Zip(e.to_string()))?;
        writer.write_all(bytes).map_err(|e| ManifestError::Zip(e.to_string()))?;
    }
    let cursor = writer.finish().map_err(|e| ManifestError::Zip(e.to_string()))?;
    Ok(cursor.into_inner())
}

const _: () = {
    assert!(SHORT_NAME.len() <= MANIFEST_SHORT_NAME_CHARS);
    assert!(SHORT_NAME.len() <= MANIFEST_DEVELOPER_NAME_CHARS);
    assert!(FULL_NAME.len() <= MANIFEST_FULL_NAME_CHARS);
    assert!(SHORT_DESCRIPTION.len() <= MANIFEST_SHORT_DESCRIPTION_CHARS);
    assert!(FULL_DESCRIPTION.len() <= MANIFEST_FULL_DESCRIPTION_CHARS);
};

#[cfg(test)]
mod tests;
