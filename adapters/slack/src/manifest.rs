//! The Slack app manifest, generated from the same command, events and scopes the adapter uses,
//! so the app Slack knows and the code that answers it cannot drift apart.

use slack_morphism::prelude::*;

use crate::commands::COMMAND;

/// The callback path Slack redirects to.
pub const CALLBACK_PATH: &str = "/slack/oauth/callback";

/// The bot events secbot subscribes to: mentions, and messages in channels, private channels and
/// direct messages (for follow-ups in its threads and for DMs).
pub const BOT_EVENTS: &[&str] = &["app_mention", "message.channels", "message.groups", "message.im"];

/// The bot scopes secbot needs, each for something it does.
pub const BOT_SCOPES: &[&str] = &[
    // app_mention events.
    "app_mentions:read",
    // message.channels, message.groups and message.im: follow-ups in threads and DMs.
    "channels:history",
    "groups:history",
    "im:history",
    // chat.postMessage, chat.postEphemeral, chat.update.
    "chat:write",
    // The /secbot command.
    "commands",
    // files.getUploadURLExternal and files.completeUploadExternal: a digest's chart.
    "files:write",
    // conversations.open, to message a delegated owner directly.
    "im:write",
    // users.info for names, users.info and users.lookupByEmail for the owner's email.
    "users:read",
    "users:read.email",
];

const DESCRIPTION: &str = "Cloud security posture answers from Microsoft Defender for Cloud, in Slack.";

const LONG_DESCRIPTION: &str = "secbot is a security copilot for cloud security posture. Ask it in a channel, in a thread or in a direct message: \"show critical risks for publicly exposed resources\", \"how do I fix the 2nd one?\", \"assign it to @dana by Friday\". It answers with cards you can act on: summarize, explain, remediate with scripts, delegate to an owner with a due date, and rate every answer so the team can see what works. Data comes from Microsoft Defender for Cloud, or from a built-in demo tenant when no cloud account is connected.";

/// How Slack reaches secbot, for its manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach<'a> {
    /// Over HTTP at this public URL (such as `https://secbot.example.com`).
    Http(&'a str),
    /// Over Socket Mode: no request URLs; OAuth installs still come back to the public URL,
    /// when there is one.
    SocketMode(Option<&'a str>),
}

/// The manifest for a secbot Slack reaches as `reach` says.
pub fn manifest(reach: Reach<'_>) -> Result<SlackAppManifest, url::ParseError> {
    let (public_url, socket_mode) = match reach {
        Reach::Http(url) => (Some(url), false),
        Reach::SocketMode(url) => (url, true),
    };
    let at = |path: &str| match public_url {
        Some(base) => url::Url::parse(&format!("{}{path}", base.trim_end_matches('/'))).map(Some),
        None => Ok(None),
    };
    // Over Socket Mode, Slack sends everything through the socket: no request URL is given.
    let request_url = |path: &str| if socket_mode { Ok(None) } else { at(path) };
    let mut command = SlackAppManifestFeaturesSlashCommand::new(
        COMMAND.to_owned(),
        "Ask secbot about your cloud security posture".to_owned(),
    )
    .with_usage_hint("show critical risks for publicly exposed resources".to_owned())
    .with_should_escape(true);
    command.url = request_url("/slack/commands")?;
    let mut events = SlackAppManifestSettingsEventSubscriptions::new()
        .with_bot_events(BOT_EVENTS.iter().map(|e| SlackEventType((*e).to_owned())).collect());
    events.request_url = request_url("/slack/events")?;
    let mut interactivity = SlackAppManifestSettingsInteractivity::new(true);
    interactivity.request_url = request_url("/slack/interactivity")?;
    let mut oauth = SlackAppManifestOAuthConfig::new().with_scopes(
        SlackAppManifestOAuthConfigScopes::new()
            .with_bot(BOT_SCOPES.iter().map(|s| SlackApiTokenScope((*s).to_owned())).collect()),
    );
    oauth.redirect_urls = at(CALLBACK_PATH)?.map(|u| vec![u]);
    Ok(SlackAppManifest::new(
        SlackAppManifestDisplayInformation::new("secbot".to_owned())
            .with_description(DESCRIPTION.to_owned())
            .with_long_description(LONG_DESCRIPTION.to_owned())
            .with_background_color("#1d3557".to_owned()),
    )
    .with_metadata(SlackAppManifestMetadata::new().with_major_version(1).with_minor_version(1))
    .with_features(
        SlackAppManifestFeatures::new()
            .with_app_home(
                SlackAppManifestFeaturesAppHome::new()
                    .with_home_tab_enabled(false)
                    .with_messages_tab_enabled(true)
                    .with_messages_tab_read_only_enabled(false),
            )
            .with_bot_user(SlackAppManifestFeaturesBotUser::new("secbot".to_owned(), true))
            .with_slash_commands(vec![command]),
    )
    .with_oauth_config(oauth)
    .with_settings(
        SlackAppManifestSettings::new()
            .with_event_subscriptions(events)
            .with_interactivity(interactivity)
            .with_org_deploy_enabled(false)
            .with_socket_mode_enabled(socket_mode),
    ))
}

/// The manifest as YAML, the form Slack's "Create an app from a manifest" page takes.
pub fn manifest_yaml(reach: Reach<'_>) -> Result<String, url::ParseError> {
    let value = serde_json::to_value(manifest(reach)?).unwrap_or_default();
    let mut out = String::from("# Generated by `secbot manifest slack --url URL`; do not edit by hand.\n");
    yaml(&value, 0, &mut out);
    Ok(out)
}

/// Writes a JSON value as block-style YAML; strings are double-quoted (JSON escapes are valid
/// YAML), so no value can be misread as another type.
fn yaml(value: &serde_json::Value, indent: usize, out: &mut String) {
    use serde_json::Value;
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match item {
                    Value::Object(inner) if !inner.is_empty() => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        yaml(item, indent + 2, out);
                    }
                    Value::Array(list) if !list.is_empty() => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        yaml(item, indent + 2, out);
                    }
                    scalar => out.push_str(&format!("{pad}{key}: {}\n", inline(scalar))),
                }
            }
        }
        Value::Array(list) => {
            for item in list {
                match item {
                    Value::Object(map) if !map.is_empty() => {
                        let mut inner = String::new();
                        yaml(item, indent + 2, &mut inner);
                        let trimmed = inner.trim_start_matches(' ');
                        out.push_str(&format!("{pad}- {trimmed}"));
                    }
                    scalar => out.push_str(&format!("{pad}- {}\n", inline(scalar))),
                }
            }
        }
        scalar => out.push_str(&format!("{pad}{}\n", inline(scalar))),
    }
}

fn inline(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(_) => "{}".to_owned(),
        serde_json::Value::Array(_) => "[]".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_lists_the_three_request_urls_and_what_the_code_uses() {
        let yaml = manifest_yaml(Reach::Http("https://secbot.example.com/")).unwrap();
        assert!(yaml.contains("socket_mode_enabled: false"), "{yaml}");
        for url in ["/slack/events", "/slack/interactivity", "/slack/commands", "/slack/oauth/callback"] {
            assert!(yaml.contains(&format!("\"https://secbot.example.com{url}\"")), "{url} in\n{yaml}");
        }
        for scope in BOT_SCOPES {
            assert!(yaml.contains(&format!("- \"{scope}\"")), "{scope}");
        }
        assert!(yaml.contains("command: \"/secbot\""));
        assert!(yaml.contains("- \"message.channels\""));
        assert!(yaml.starts_with("# Generated"));
    }

    #[test]
    fn list_items_that_are_maps_start_on_the_dash_line() {
        let mut out = String::new();
        yaml(&serde_json::json!({"a": [{"b": 1, "c": "x"}], "d": true}), 0, &mut out);
        assert_eq!(out, "a:\n  - b: 1\n    c: \"x\"\nd: true\n");
    }

    #[test]
    fn a_bad_url_is_an_error() {
        assert!(manifest_yaml(Reach::Http("not a url")).is_err());
    }

    #[test]
    fn over_socket_mode_no_request_url_is_given_and_oauth_still_comes_back_to_the_public_url() {
        let alone = manifest_yaml(Reach::SocketMode(None)).unwrap();
        assert!(alone.contains("socket_mode_enabled: true"), "{alone}");
        assert!(!alone.contains("request_url") && !alone.contains("https://"), "{alone}");
        assert!(alone.contains("command: \"/secbot\"") && alone.contains("- \"app_mention\""), "{alone}");
        let installs = manifest_yaml(Reach::SocketMode(Some("https://secbot.example.com"))).unwrap();
        assert!(installs.contains("\"https://secbot.example.com/slack/oauth/callback\""), "{installs}");
        assert!(!installs.contains("/slack/events"), "{installs}");
    }
}
