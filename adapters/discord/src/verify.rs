//! Checking that a request comes from Discord: an Ed25519 signature by the application's key
//! over the timestamp and the body, and a timestamp within five minutes of now.

use axum::http::HeaderMap;
use ed25519_dalek::{Signature, VerifyingKey};

/// The header carrying the signature, hex.
pub(crate) const SIGNATURE: &str = "x-signature-ed25519";
/// The header carrying the signed timestamp, Unix seconds.
pub(crate) const TIMESTAMP: &str = "x-signature-timestamp";
/// How far a timestamp may be from now, either way, in seconds.
pub(crate) const MAX_SKEW_SECS: i64 = 5 * 60;

/// Why a request was refused (logged at debug level; the caller sees only 401).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Rejection {
    /// A signature header is missing or not text.
    #[error("the {0} header is missing")]
    Missing(&'static str),
    /// The signature is not 64 bytes of hex or the timestamp not a number.
    #[error("the {0} header is malformed")]
    Malformed(&'static str),
    /// The timestamp is more than five minutes from now.
    #[error("the timestamp is {0} s from now")]
    Stale(i64),
    /// The signature does not match.
    #[error("the signature does not match")]
    Forged,
    /// The configured public key is unusable, so nothing can be verified.
    #[error("the configured public key is not a valid Ed25519 key")]
    NoKey,
}

/// Verifies requests against one application's public key.
#[derive(Debug, Clone)]
pub(crate) struct Verifier {
    key: Option<VerifyingKey>,
}

impl Verifier {
    /// A verifier for a key (an unusable key refuses everything).
    pub fn new(key: Option<VerifyingKey>) -> Verifier {
        Verifier { key }
    }

    /// Accepts a request whose headers sign `body` with the key at a time near `now` (Unix s).
    pub fn verify(&self, headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), Rejection> {
        let key = self.key.as_ref().ok_or(Rejection::NoKey)?;
        let header = |name: &'static str| {
            headers.get(name).and_then(|v| v.to_str().ok()).ok_or(Rejection::Missing(name))
        };
        let signature = header(SIGNATURE)?;
        let timestamp = header(TIMESTAMP)?;
        let mut bytes = [0u8; 64];
        hex::decode_to_slice(signature.trim(), &mut bytes).map_err(|_| Rejection::Malformed(SIGNATURE))?;
        let at: i64 = timestamp.trim().parse().map_err(|_| Rejection::Malformed(TIMESTAMP))?;
        let skew = now.saturating_sub(at);
        if skew.abs() > MAX_SKEW_SECS {
            return Err(Rejection::Stale(skew));
        }
        let mut signed = Vec::with_capacity(timestamp.len() + body.len());
        signed.extend_from_slice(timestamp.as_bytes());
        signed.extend_from_slice(body);
        key.verify_strict(&signed, &Signature::from_bytes(&bytes)).map_err(|_| Rejection::Forged)
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use ed25519_dalek::{Signer, SigningKey};

    use super::*;

    const NOW: i64 = 1_795_000_000;

    fn signed(key: &SigningKey, timestamp: &str, body: &[u8]) -> HeaderMap {
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body);
        let mut headers = HeaderMap::new();
        headers
            .insert(SIGNATURE, HeaderValue::from_str(&hex::encode(key.sign(&message).to_bytes())).unwrap());
        headers.insert(TIMESTAMP, HeaderValue::from_str(timestamp).unwrap());
        headers
    }

    fn setup() -> (SigningKey, Verifier) {
        let key = SigningKey::from_bytes(&[9; 32]);
        let verifier = Verifier::new(Some(key.verifying_key()));
        (key, verifier)
    }

    #[test]
    fn a_signed_fresh_request_is_accepted() {
        let (key, verifier) = setup();
        let body = br#"{"type":1}"#;
        assert_eq!(verifier.verify(&signed(&key, &NOW.to_string(), body), body, NOW), Ok(()));
        let edge = (NOW - MAX_SKEW_SECS).to_string();
        assert_eq!(verifier.verify(&signed(&key, &edge, body), body, NOW), Ok(()));
    }

    #[test]
    fn tampering_forgery_and_staleness_are_refused() {
        let (key, verifier) = setup();
        let body = br#"{"type":1}"#;
        let headers = signed(&key, &NOW.to_string(), body);
        assert_eq!(verifier.verify(&headers, br#"{"type":2}"#, NOW), Err(Rejection::Forged));
        let other = SigningKey::from_bytes(&[8; 32]);
        assert_eq!(
            verifier.verify(&signed(&other, &NOW.to_string(), body), body, NOW),
            Err(Rejection::Forged)
        );
        let old = (NOW - MAX_SKEW_SECS - 1).to_string();
        assert_eq!(verifier.verify(&signed(&key, &old, body), body, NOW), Err(Rejection::Stale(301)));
        let future = (NOW + MAX_SKEW_SECS + 1).to_string();
        assert_eq!(verifier.verify(&signed(&key, &future, body), body, NOW), Err(Rejection::Stale(-301)));
    }

    #[test]
    fn missing_or_malformed_headers_are_refused() {
        let (key, verifier) = setup();
        let body = b"{}";
        assert_eq!(verifier.verify(&HeaderMap::new(), body, NOW), Err(Rejection::Missing(SIGNATURE)));
        let mut headers = signed(&key, &NOW.to_string(), body);
        headers.insert(SIGNATURE, HeaderValue::from_static("zz"));
        assert_eq!(verifier.verify(&headers, body, NOW), Err(Rejection::Malformed(SIGNATURE)));
        let mut headers = signed(&key, &NOW.to_string(), body);
        headers.insert(TIMESTAMP, HeaderValue::from_static("yesterday"));
        assert_eq!(verifier.verify(&headers, body, NOW), Err(Rejection::Malformed(TIMESTAMP)));
        assert_eq!(Verifier::new(None).verify(&headers, body, NOW), Err(Rejection::NoKey));
    }
}
