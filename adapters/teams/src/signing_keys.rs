//! The Bot Framework stand-in for tests (feature `testing`): an RSA key made for the test, its
//! JWK as the Bot Framework publishes it (with `endorsements`), tokens signed with it, and a mock
//! OpenID metadata + JWKS endpoint.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::auth::ISSUER;

/// The app id tokens are addressed to in tests.
pub const APP_ID: &str = "00000000-0000-4000-8000-00000000b07a";

/// An RSA signing key and its public JWK.
pub struct TestKey {
    /// The key id tokens name in their header.
    pub kid: String,
    /// The private key.
    pub encoding: EncodingKey,
    /// The modulus, base64url.
    pub n: String,
    /// The public exponent, base64url.
    pub e: String,
}

impl TestKey {
    /// A fresh 2048-bit key with a key id.
    pub fn new(kid: &str) -> TestKey {
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("an RSA key");
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair).expect("PKCS#8");
        let body = STANDARD.encode(der.as_ref());
        let lines: Vec<&str> =
            body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).expect("base64")).collect();
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", lines.join("\n"));
        let public = pair.public_key();
        TestKey {
            kid: kid.to_owned(),
            encoding: EncodingKey::from_rsa_pem(pem.as_bytes()).expect("a PEM key"),
            n: URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            e: URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
        }
    }

    /// The key as a JWK, endorsing `endorsements` when given.
    pub fn jwk(&self, endorsements: Option<&[&str]>) -> Value {
        let mut jwk = json!({"kty": "RSA", "use": "sig", "kid": self.kid, "n": self.n, "e": self.e});
        if let Some(list) = endorsements {
            jwk["endorsements"] = json!(list);
        }
        jwk
    }

    /// A token with these claims, signed RS256 with this key.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("signs")
    }
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The claims of a valid Bot Framework token for `service_url`.
pub fn claims(service_url: &str) -> Value {
    json!({
        "iss": ISSUER,
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now() - 60,
        "exp": now() + 3600,
    })
}

/// Serves OpenID metadata at `/openid` pointing to the keys at `/keys`; returns the metadata URL.
pub async fn publish(server: &MockServer, keys: Vec<Value>) -> String {
    Mock::given(method("GET"))
        .and(path("/openid"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": ISSUER,
            "jwks_uri": format!("{}/keys", server.uri()),
            "id_token_signing_alg_values_supported": ["RS256"],
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/keys"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "keys": keys })))
        .mount(server)
        .await;
    format!("{}/openid", server.uri())
}

/// How many times the keys were fetched.
pub async fn key_fetches(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().iter().filter(|r| r.url.path() == "/keys").count()
}
