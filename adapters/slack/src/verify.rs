//! Trust: every request must carry Slack's v0 signature of its raw body, made with the app's
//! signing secret within five minutes of now; anything else is refused with 401 before it is
//! read.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use slack_morphism::prelude::SlackSigningSecret;
use slack_morphism::signature_verifier::{SlackEventSignatureVerifier, SlackEventSignatureVerifierError};

/// A request refused with a 4xx (or 5xx) status and a reason, as `{"error": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The status.
    pub status: StatusCode,
    /// Why, in a sentence that says what to fix.
    pub reason: String,
}

impl Rejection {
    /// A rejection with a status and reason.
    pub fn new(status: StatusCode, reason: impl Into<String>) -> Rejection {
        Rejection { status, reason: reason.into() }
    }

    /// A 400 for a body that is not what Slack sends.
    pub fn malformed(what: &str, err: impl std::fmt::Display) -> Rejection {
        Rejection::new(
            StatusCode::BAD_REQUEST,
            format!("{what} is not a Slack payload secbot can read: {err}"),
        )
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({ "error": self.reason }))).into_response()
    }
}

/// A request body Slack signed, as text: the only way a Slack route reads its body, so a new
/// route cannot forget the check. Anything unsigned is refused with 401 before it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed(pub String);

impl FromRequest<crate::Slack> for Signed {
    type Rejection = Rejection;

    async fn from_request(request: Request, slack: &crate::Slack) -> Result<Signed, Rejection> {
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, slack)
            .await
            .map_err(|e| Rejection::new(e.status(), e.body_text()))?;
        slack.verifier.check(&headers, &body).map(|text| Signed(text.to_owned()))
    }
}

/// Checks Slack's request signatures.
#[derive(Clone)]
pub struct Verifier {
    /// `None` when secbot has no signing secret (Socket Mode only): every request is refused.
    inner: Option<SlackEventSignatureVerifier>,
}

impl Verifier {
    /// A verifier for the app's signing secret.
    pub fn new(signing_secret: &str) -> Verifier {
        Verifier::of(Some(signing_secret))
    }

    /// A verifier for the app's signing secret, if secbot has one; without it (Slack reaches
    /// secbot over Socket Mode only) every request is refused with 503.
    pub fn of(signing_secret: Option<&str>) -> Verifier {
        Verifier {
            inner: signing_secret
                .map(|s| SlackEventSignatureVerifier::new(&SlackSigningSecret::new(s.to_owned()))),
        }
    }

    /// The body as text when the request is signed by Slack; a 401 otherwise.
    pub fn check<'b>(&self, headers: &HeaderMap, body: &'b [u8]) -> Result<&'b str, Rejection> {
        let Some(inner) = &self.inner else {
            return Err(Rejection::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "this secbot takes Slack's events over Socket Mode and has no signing secret for \
                 HTTP requests; set SECBOT_SLACK_SIGNING_SECRET to take them here too",
            ));
        };
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let unauthorized = |reason: &str| {
            tracing::warn!(reason, "refused a request that Slack did not sign");
            Rejection::new(StatusCode::UNAUTHORIZED, reason)
        };
        let (Some(signature), Some(timestamp)) = (
            header(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER),
            header(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP),
        ) else {
            return Err(unauthorized(
                "X-Slack-Signature and X-Slack-Request-Timestamp are required; point the Slack app's request URLs at secbot and nothing else",
            ));
        };
        let Ok(text) = std::str::from_utf8(body) else {
            return Err(unauthorized("the body is not UTF-8, so it was not signed by Slack"));
        };
        match inner.verify(signature, text, timestamp) {
            Ok(()) => Ok(text),
            Err(SlackEventSignatureVerifierError::IncorrectOrExpiredTimestampError(_)) => Err(unauthorized(
                "X-Slack-Request-Timestamp is more than 5 minutes from now; check the server's clock",
            )),
            Err(_) => Err(unauthorized(
                "the signature does not match; check SECBOT_SLACK_SIGNING_SECRET against the app's Basic Information page",
            )),
        }
    }
}

/// Slack's `X-Slack-Signature` for `body` sent at `ts` (Unix seconds) with `secret`: what a
/// client that speaks for Slack (a test, `secbot bench`'s load generator) sends.
pub fn signature(secret: &str, ts: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, ts: &str, body: &str) -> String {
        signature(secret, ts.parse().unwrap(), body)
    }

    fn headers(signature: &str, ts: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-slack-signature", signature.parse().unwrap());
        h.insert("x-slack-request-timestamp", ts.parse().unwrap());
        h
    }

    fn now() -> String {
        time::OffsetDateTime::now_utc().unix_timestamp().to_string()
    }

    #[test]
    fn a_signed_fresh_request_is_accepted() {
        let v = Verifier::new("8f742231b10e8888abcd99yyyzzz85a5");
        let ts = now();
        let body = r#"{"type":"url_verification","challenge":"x"}"#;
        assert_eq!(
            v.check(&headers(&sign("8f742231b10e8888abcd99yyyzzz85a5", &ts, body), &ts), body.as_bytes()),
            Ok(body)
        );
    }

    #[test]
    fn tampering_staleness_and_missing_headers_are_401() {
        let v = Verifier::new("secret");
        let ts = now();
        let body = "token=x&text=hi";
        let good = sign("secret", &ts, body);
        let tampered = v.check(&headers(&good, &ts), b"token=x&text=hello").unwrap_err();
        assert_eq!(tampered.status, StatusCode::UNAUTHORIZED);
        assert!(tampered.reason.contains("SECBOT_SLACK_SIGNING_SECRET"));
        let old = (time::OffsetDateTime::now_utc().unix_timestamp() - 301).to_string();
        let stale = v.check(&headers(&sign("secret", &old, body), &old), body.as_bytes()).unwrap_err();
        assert!(stale.reason.contains("5 minutes"), "{}", stale.reason);
        let missing = v.check(&HeaderMap::new(), body.as_bytes()).unwrap_err();
        assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
        let wrong_secret = v.check(&headers(&sign("other", &ts, body), &ts), body.as_bytes()).unwrap_err();
        assert_eq!(wrong_secret.status, StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn without_a_signing_secret_every_request_is_refused_even_one_signed_with_an_empty_key() {
        let v = Verifier::of(None);
        let ts = now();
        let body = "token=x&text=hi";
        let refused = v.check(&headers(&sign("", &ts, body), &ts), body.as_bytes()).unwrap_err();
        assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(refused.reason.contains("Socket Mode"), "{}", refused.reason);
    }
}
