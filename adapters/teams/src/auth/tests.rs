use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;
use wiremock::MockServer;

use super::*;
use crate::signing_keys::{APP_ID, TestKey, claims, key_fetches, now, publish};

const SERVICE: &str = "https://smba.trafficmanager.net/emea/";

async fn setup(endorsements: Option<&[&str]>) -> (MockServer, TestKey, Verifier) {
    let server = MockServer::start().await;
    let key = TestKey::new("key-1");
    let openid = publish(&server, vec![key.jwk(endorsements)]).await;
    let verifier = Verifier::new(reqwest::Client::new(), APP_ID, openid);
    (server, key, verifier)
}

async fn check(verifier: &Verifier, token: &str) -> Result<(), AuthError> {
    verifier.verify(token).await?.check_activity(Some(SERVICE), Some("msteams"))
}

#[tokio::test]
async fn a_valid_token_passes() {
    let (_server, key, verifier) = setup(Some(&["msteams"])).await;
    assert_eq!(check(&verifier, &key.sign(&claims(SERVICE))).await, Ok(()));
    let mut camel = claims(SERVICE);
    camel.as_object_mut().map(|c| c.remove("serviceurl"));
    camel["serviceUrl"] = json!(SERVICE.trim_end_matches('/'));
    assert_eq!(check(&verifier, &key.sign(&camel)).await, Ok(()), "either spelling, trailing slash or not");
}

#[tokio::test]
async fn expiry_and_not_before_allow_five_minutes_of_skew_and_no_more() {
    let (_server, key, verifier) = setup(Some(&["msteams"])).await;
    let mut late = claims(SERVICE);
    late["exp"] = json!(now() - 200);
    assert_eq!(check(&verifier, &key.sign(&late)).await, Ok(()), "within the skew");
    late["exp"] = json!(now() - 400);
    assert!(matches!(check(&verifier, &key.sign(&late)).await, Err(AuthError::Invalid(_))));
    let mut early = claims(SERVICE);
    early["nbf"] = json!(now() + 200);
    assert_eq!(check(&verifier, &key.sign(&early)).await, Ok(()));
    early["nbf"] = json!(now() + 400);
    assert!(matches!(check(&verifier, &key.sign(&early)).await, Err(AuthError::Invalid(_))));
    let mut no_exp = claims(SERVICE);
    no_exp.as_object_mut().map(|c| c.remove("exp"));
    assert!(matches!(check(&verifier, &key.sign(&no_exp)).await, Err(AuthError::Invalid(_))));
}

#[tokio::test]
async fn the_audience_and_issuer_must_be_the_bots() {
    let (_server, key, verifier) = setup(None).await;
    for (claim, value) in [
        ("aud", json!("someone-else")),
        ("aud", json!(["someone-else"])),
        ("iss", json!("https://sts.windows.net/evil/")),
        ("iss", json!("https://api.botframework.com.evil.example")),
    ] {
        let mut c = claims(SERVICE);
        c[claim] = value;
        let err = check(&verifier, &key.sign(&c)).await.expect_err("refused");
        assert!(matches!(err, AuthError::Invalid(_)), "{claim}: {err}");
        assert_eq!(err.status(), 401);
    }
    for claim in ["aud", "iss"] {
        let mut c = claims(SERVICE);
        c.as_object_mut().map(|m| m.remove(claim));
        assert!(check(&verifier, &key.sign(&c)).await.is_err(), "{claim} is required");
    }
}

#[tokio::test]
async fn only_rs256_with_a_key_id_is_accepted() {
    let (server, key, verifier) = setup(None).await;
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some(key.kid.clone());
    let secret = EncodingKey::from_secret(key.n.as_bytes()).expect("an HMAC key");
    let hs256 = jsonwebtoken::encode(&hs, &claims(SERVICE), &secret).expect("signs");
    assert_eq!(check(&verifier, &hs256).await, Err(AuthError::Malformed));
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"key-1"}"#),
        URL_SAFE_NO_PAD.encode(claims(SERVICE).to_string())
    );
    assert_eq!(check(&verifier, &none).await, Err(AuthError::Malformed));
    let mut no_kid = Header::new(Algorithm::RS256);
    no_kid.kid = None;
    let unnamed = jsonwebtoken::encode(&no_kid, &claims(SERVICE), &key.encoding).expect("signs");
    assert_eq!(check(&verifier, &unnamed).await, Err(AuthError::Malformed));
    assert_eq!(check(&verifier, "not.a.token").await, Err(AuthError::Malformed));
    assert_eq!(key_fetches(&server).await, 0, "nothing is fetched for tokens refused on sight");
}

#[tokio::test]
async fn a_token_signed_by_another_key_with_the_same_id_fails_the_signature() {
    let (_server, _key, verifier) = setup(None).await;
    let impostor = TestKey::new("key-1");
    let err = check(&verifier, &impostor.sign(&claims(SERVICE))).await.expect_err("refused");
    assert!(matches!(err, AuthError::Invalid(_)), "{err}");
}

#[tokio::test]
async fn endorsements_must_name_the_channel() {
    let (_server, key, verifier) = setup(Some(&["skype", "webchat"])).await;
    let verified = verifier.verify(&key.sign(&claims(SERVICE))).await.expect("signature is fine");
    let err = verified.check_activity(Some(SERVICE), Some("msteams")).expect_err("not endorsed");
    assert_eq!(err, AuthError::NotEndorsed("msteams".into()));
    assert_eq!(err.status(), 403);
    assert!(verified.check_activity(Some(SERVICE), None).is_err(), "an activity must name its channel");
    let (_server, key, verifier) = setup(None).await;
    let verified = verifier.verify(&key.sign(&claims(SERVICE))).await.expect("valid");
    assert_eq!(verified.check_activity(Some(SERVICE), Some("msteams")), Ok(()), "no endorsements listed");
}

#[tokio::test]
async fn the_service_url_claim_must_match_the_activity() {
    let (_server, key, verifier) = setup(Some(&["msteams"])).await;
    let verified = verifier.verify(&key.sign(&claims("https://evil.example/"))).await.expect("valid");
    assert_eq!(verified.check_activity(Some(SERVICE), Some("msteams")), Err(AuthError::ServiceUrl));
    let mut none = claims(SERVICE);
    none.as_object_mut().map(|c| c.remove("serviceurl"));
    let verified = verifier.verify(&key.sign(&none)).await.expect("valid");
    assert_eq!(verified.check_activity(Some(SERVICE), Some("msteams")), Err(AuthError::ServiceUrl));
    let verified = verifier.verify(&key.sign(&claims(SERVICE))).await.expect("valid");
    assert_eq!(verified.check_activity(None, Some("msteams")), Err(AuthError::ServiceUrl));
}

#[tokio::test]
async fn an_unknown_key_refreshes_once_for_many_concurrent_requests_then_waits() {
    let (server, key, verifier) = setup(Some(&["msteams"])).await;
    check(&verifier, &key.sign(&claims(SERVICE))).await.expect("warms the cache");
    assert_eq!(key_fetches(&server).await, 1);
    let stranger = TestKey::new("key-unknown");
    let token = stranger.sign(&claims(SERVICE));
    let verifier = Arc::new(verifier);
    let calls: Vec<_> = (0..40)
        .map(|_| {
            let (verifier, token) = (verifier.clone(), token.clone());
            tokio::spawn(async move { verifier.verify(&token).await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.expect("joins"), Err(AuthError::UnknownKey));
    }
    assert_eq!(key_fetches(&server).await, 2, "exactly one refresh");
    assert_eq!(verifier.verify(&token).await.map(|_| ()), Err(AuthError::UnknownKey));
    assert_eq!(key_fetches(&server).await, 2, "forced refreshes are rate-limited");
    assert_eq!(check(&verifier, &key.sign(&claims(SERVICE))).await, Ok(()), "known keys still work");
}

#[tokio::test]
async fn a_new_key_is_picked_up_by_the_refresh() {
    let server = MockServer::start().await;
    let old = TestKey::new("old");
    let openid = publish(&server, vec![old.jwk(None)]).await;
    let verifier = Verifier::new(reqwest::Client::new(), APP_ID, openid);
    check(&verifier, &old.sign(&claims(SERVICE))).await.expect("old key");
    server.reset().await;
    let new = TestKey::new("new");
    publish(&server, vec![old.jwk(None), new.jwk(Some(&["msteams"]))]).await;
    assert_eq!(check(&verifier, &new.sign(&claims(SERVICE))).await, Ok(()));
}

#[tokio::test]
async fn unreachable_keys_refuse_everything_with_503() {
    let server = MockServer::start().await;
    let verifier = Verifier::new(reqwest::Client::new(), APP_ID, format!("{}/openid", server.uri()));
    let key = TestKey::new("k");
    let err = check(&verifier, &key.sign(&claims(SERVICE))).await.expect_err("refused");
    assert!(matches!(err, AuthError::KeysUnavailable(_)), "{err}");
    assert_eq!(err.status(), 503);
}

#[test]
fn bearer_headers_are_read_strictly() {
    assert_eq!(Verifier::bearer(Some("Bearer abc")), Ok("abc"));
    assert_eq!(Verifier::bearer(Some("bearer  abc ")), Ok("abc"));
    assert_eq!(Verifier::bearer(Some("Basic abc")), Err(AuthError::Missing));
    assert_eq!(Verifier::bearer(Some("Bearer ")), Err(AuthError::Missing));
    assert_eq!(Verifier::bearer(None), Err(AuthError::Missing));
}
