//! Installing secbot in a workspace with OAuth v2: `GET /slack/install` sends the browser to
//! Slack's authorize page with the scopes the manifest lists; `GET /slack/oauth/callback`
//! checks the state (signed, at most ten minutes old, and bound to the browser by a cookie),
//! exchanges the code with `oauth.v2.access`, and stores the workspace's bot token.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;
use slack_morphism::prelude::*;
use time::OffsetDateTime;

use crate::manifest::{self, CALLBACK_PATH};
use crate::{Installed, Slack};

/// Slack's authorize page for OAuth v2.
pub const AUTHORIZE_URL: &str = "https://slack.com/oauth/v2/authorize";
const COOKIE: &str = "secbot_slack_state";
const STATE_TTL_SECONDS: i64 = 600;

fn signature(secret: &str, payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A fresh OAuth state: issue time, a random nonce, and their signature with the client secret,
/// so any replica can check it without shared memory.
pub fn new_state(secret: &str, now: OffsetDateTime) -> String {
    let mut nonce = [0u8; 16];
    if getrandom::fill(&mut nonce).is_err() {
        // Without randomness the state is still signed and short-lived; the cookie binds it.
        nonce = (now.unix_timestamp_nanos() as u128).to_le_bytes();
    }
    let payload = format!("{}.{}", now.unix_timestamp(), hex::encode(nonce));
    let sig = signature(secret, &payload);
    format!("{payload}.{sig}")
}

/// Checks a state made by [`new_state`]; the error says what went wrong.
pub fn check_state(secret: &str, state: &str, now: OffsetDateTime) -> Result<(), &'static str> {
    let (payload, sig) = state.rsplit_once('.').ok_or("the state is not one secbot made")?;
    let expected = signature(secret, payload);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), sig.as_bytes())) {
        return Err("the state is not one secbot made");
    }
    let issued: i64 =
        payload.split('.').next().and_then(|t| t.parse().ok()).ok_or("the state is not one secbot made")?;
    if now.unix_timestamp() - issued > STATE_TTL_SECONDS || issued > now.unix_timestamp() + 60 {
        return Err("the install link expired (it lasts ten minutes)");
    }
    Ok(())
}

fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>secbot · {t}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;line-height:1.5\">\
         <h1>{t}</h1><p>{x}</p></body></html>",
        t = escape(title),
        x = escape(text)
    );
    (status, Html(body)).into_response()
}

struct OAuth<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    redirect: String,
}

impl Slack {
    fn oauth(&self) -> Option<OAuth<'_>> {
        let options = &self.options;
        Some(OAuth {
            client_id: options.client_id.as_deref()?,
            client_secret: options.client_secret.as_ref()?.expose(),
            redirect: format!("{}{CALLBACK_PATH}", options.public_url.as_deref()?.trim_end_matches('/')),
        })
    }
}

fn off() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Installing is not set up",
        "This secbot takes workspace installs only when SECBOT_SLACK_CLIENT_ID, SECBOT_SLACK_CLIENT_SECRET and SECBOT_PUBLIC_URL are set. Ask whoever runs it to set them, or to install secbot with a bot token.",
    )
}

pub(crate) async fn start(State(slack): State<Slack>) -> Response {
    let Some(oauth) = slack.oauth() else { return off() };
    let state = new_state(oauth.client_secret, OffsetDateTime::now_utc());
    let scopes = manifest::BOT_SCOPES.join(",");
    let Ok(url) = url::Url::parse_with_params(
        &slack.options.authorize_url,
        [
            ("client_id", oauth.client_id),
            ("scope", &scopes),
            ("redirect_uri", &oauth.redirect),
            ("state", &state),
        ],
    ) else {
        return page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Installing is misconfigured",
            "The authorize URL is not a URL.",
        );
    };
    let cookie = format!(
        "{COOKIE}={state}; Path={CALLBACK_PATH}; Max-Age={STATE_TTL_SECONDS}; HttpOnly; Secure; SameSite=Lax"
    );
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    if let (Ok(location), Ok(cookie)) = (HeaderValue::from_str(url.as_str()), HeaderValue::from_str(&cookie))
    {
        headers.insert(header::LOCATION, location);
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}

/// What Slack sends back to the callback.
#[derive(Debug, Deserialize)]
pub(crate) struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(&format!("{COOKIE}=")).map(str::to_owned))
}

pub(crate) async fn finish(
    State(slack): State<Slack>,
    headers: HeaderMap,
    Query(callback): Query<Callback>,
) -> Response {
    let Some(oauth) = slack.oauth() else { return off() };
    let again = "Start again from /slack/install.";
    if let Some(error) = callback.error {
        return page(
            StatusCode::BAD_REQUEST,
            "secbot was not installed",
            &format!("Slack said: {error}. {again}"),
        );
    }
    let (Some(code), Some(state)) = (callback.code, callback.state) else {
        return page(
            StatusCode::BAD_REQUEST,
            "secbot was not installed",
            &format!("The link is missing its code or state. {again}"),
        );
    };
    if let Err(why) = check_state(oauth.client_secret, &state, OffsetDateTime::now_utc()) {
        return page(StatusCode::BAD_REQUEST, "secbot was not installed", &format!("{why}. {again}"));
    }
    if cookie(&headers).as_deref() != Some(state.as_str()) {
        return page(
            StatusCode::BAD_REQUEST,
            "secbot was not installed",
            &format!("This browser did not start the install (its cookie is missing). {again}"),
        );
    }
    let request = SlackOAuthV2AccessTokenRequest::new(
        oauth.client_id.to_owned().into(),
        oauth.client_secret.to_owned().into(),
        code.into(),
    )
    .opt_redirect_uri(oauth.redirect.parse().ok());
    let granted = match slack.client.oauth2_access(&request).await {
        Ok(granted) => granted,
        Err(err) => {
            return page(
                StatusCode::BAD_GATEWAY,
                "secbot was not installed",
                &format!("Slack did not accept the install ({}). {again}", crate::api::error_code(&err)),
            );
        }
    };
    let team = granted.team.id.to_string();
    let team_name = granted.team.name.clone().unwrap_or_else(|| team.clone());
    if !slack.admits(&team) {
        return page(
            StatusCode::FORBIDDEN,
            "secbot was not installed",
            &format!(
                "This secbot only serves the workspaces its administrator allowed, and {team_name} is not one of them. Ask them to add {team} to SECBOT_SLACK_ALLOWED_TEAMS."
            ),
        );
    }
    let installed = Installed {
        team: team.clone(),
        token: granted.access_token.0.clone(),
        meta: serde_json::json!({
            "team_name": team_name,
            "bot_user_id": granted.bot_user_id.as_ref().map(ToString::to_string),
            "app_id": granted.app_id.to_string(),
            "scope": granted.scope.to_string(),
            "installed_by": granted.authed_user.id.to_string(),
        }),
    };
    if let Err(err) = slack.installations.save(installed).await {
        return page(StatusCode::SERVICE_UNAVAILABLE, "secbot was not installed", &format!("{err}. {again}"));
    }
    tracing::info!(team, "secbot installed in a Slack workspace");
    page(
        StatusCode::OK,
        "secbot is installed",
        &format!(
            "secbot is now in {team_name}. Invite it to a channel with /invite @secbot and ask it something, such as \"show critical risks for publicly exposed resources\"."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_signed_and_expire() {
        let now = OffsetDateTime::from_unix_timestamp(1_795_970_800).unwrap();
        let state = new_state("client-secret", now);
        assert_eq!(check_state("client-secret", &state, now), Ok(()));
        assert!(check_state("other-secret", &state, now).is_err());
        let later = now + time::Duration::minutes(11);
        assert_eq!(
            check_state("client-secret", &state, later),
            Err("the install link expired (it lasts ten minutes)")
        );
        let last = if state.ends_with('0') { '1' } else { '0' };
        let forged = format!("{}{last}", &state[..state.len() - 1]);
        assert_eq!(check_state("client-secret", &forged, now), Err("the state is not one secbot made"));
        assert_ne!(new_state("client-secret", now), state, "each state has its own nonce");
    }
}
