//! OAuth PKCE round trips against the OpenRouter and Deco fakes, with the RFC 7636 Appendix B
//! vector.

use std::time::Duration;

use aiproviders_fakes::{Behavior, FakeServer, FakeUpstreams, callback_param, consent};
use serde_json::{Value, json};

use crate::{client, enc, get_json};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const CALLBACK: &str = "http://127.0.0.1:51423/oauth/callback?state=st-1";

fn or_consent_url(fake: &FakeServer) -> String {
    format!(
        "{}/auth?callback_url={}&code_challenge={CHALLENGE}&code_challenge_method=S256",
        fake.url(),
        enc(CALLBACK)
    )
}

fn deco_consent_url(fake: &FakeServer) -> String {
    format!(
        "{}/oauth/authorize?redirect_uri={}&code_challenge={CHALLENGE}&code_challenge_method=S256&organization_id=org-42",
        fake.url(),
        enc(CALLBACK)
    )
}

/// Consents and returns the code, checking the callback kept its `state`.
async fn code_from(consent_url: &str) -> String {
    let location = consent(consent_url).await.expect("consent");
    assert!(
        location.starts_with("http://127.0.0.1:51423/oauth/callback?state=st-1&code="),
        "{location}"
    );
    assert_eq!(callback_param(&location, "state").as_deref(), Some("st-1"));
    callback_param(&location, "code").expect("code")
}

async fn or_exchange(fake: &FakeServer, body: Value) -> (u16, Value) {
    let req = client()
        .post(format!("{}/api/v1/auth/keys", fake.url()))
        .json(&body);
    let (status, _, body) = get_json(req).await;
    (status, body)
}

async fn deco_exchange(fake: &FakeServer, body: Value) -> (u16, Value) {
    let req = client()
        .post(format!("{}/oauth/token", fake.url()))
        .json(&body);
    let (status, _, body) = get_json(req).await;
    (status, body)
}

fn or_body(code: &str, verifier: &str) -> Value {
    json!({"code": code, "code_verifier": verifier, "code_challenge_method": "S256"})
}

fn deco_body(code: &str, verifier: &str) -> Value {
    json!({"code": code, "code_verifier": verifier, "grant_type": "authorization_code"})
}

fn or_refusal(message: &str) -> (u16, Value) {
    (403, json!({"error": {"code": 403, "message": message}}))
}

#[tokio::test]
async fn openrouter_pkce_round_trip() {
    let fakes = FakeUpstreams::start().await;
    let or = &fakes.openrouter;
    let code = code_from(&or_consent_url(or)).await;
    let (status, body) = or_exchange(or, or_body(&code, VERIFIER)).await;
    assert_eq!(status, 200, "{body}");
    let key = body["key"].as_str().unwrap();
    let hex = key.strip_prefix("sk-or-v1-").unwrap();
    assert!(
        hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
        "{key}"
    );
    assert!(body["user_id"].as_str().unwrap().starts_with("user_"));
    assert_eq!(or.issued_keys(), vec![key.to_owned()]);

    // The issued key works on the key route.
    let (status, _, info) = get_json(
        client()
            .get(format!("{}/api/v1/key", or.url()))
            .bearer_auth(key),
    )
    .await;
    assert_eq!(
        (status, info["data"]["limit_remaining"].as_f64()),
        (200, Some(74.5))
    );

    // Single use.
    let (status, body) = or_exchange(or, or_body(&code, VERIFIER)).await;
    assert_eq!((status, body), or_refusal("Invalid code or code_verifier"));

    // The exchange was recorded with its body.
    let last = or.requests().pop().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("POST", "/api/v1/auth/keys")
    );
    assert_eq!(last.body_json().unwrap()["code_verifier"], VERIFIER);
    let consent_req = &or.requests()[0];
    assert_eq!(
        consent_req.query_param("callback_url").as_deref(),
        Some(CALLBACK)
    );
}

#[tokio::test]
async fn openrouter_refuses_a_wrong_verifier_and_burns_the_code() {
    let fakes = FakeUpstreams::start().await;
    let or = &fakes.openrouter;
    let code = code_from(&or_consent_url(or)).await;
    let wrong = "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let (status, body) = or_exchange(or, or_body(&code, wrong)).await;
    assert_eq!((status, body), or_refusal("Invalid code or code_verifier"));
    let (status, body) = or_exchange(or, or_body(&code, VERIFIER)).await;
    assert_eq!((status, body), or_refusal("Invalid code or code_verifier"));

    // Missing verifier, or a method other than the consent's.
    let code = code_from(&or_consent_url(or)).await;
    let (status, body) = or_exchange(or, json!({"code": code})).await;
    assert_eq!((status, body), or_refusal("Invalid code or code_verifier"));
    let code = code_from(&or_consent_url(or)).await;
    let plain = json!({"code": code, "code_verifier": VERIFIER, "code_challenge_method": "plain"});
    assert_eq!(or_exchange(or, plain).await.0, 403);

    let bad_method =
        json!({"code": "x", "code_verifier": VERIFIER, "code_challenge_method": "MD5"});
    let (status, body) = or_exchange(or, bad_method).await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (400, Some("Invalid code_challenge_method"))
    );
    assert!(or.issued_keys().is_empty());
}

#[tokio::test]
async fn openrouter_expired_code() {
    let fakes = FakeUpstreams::start().await;
    let or = &fakes.openrouter;
    or.set_code_ttl(Duration::ZERO);
    let code = code_from(&or_consent_url(or)).await;
    let (status, body) = or_exchange(or, or_body(&code, VERIFIER)).await;
    assert_eq!((status, body), or_refusal("Authorization code expired"));
    or.reset();
    let code = code_from(&or_consent_url(or)).await;
    assert_eq!(or_exchange(or, or_body(&code, VERIFIER)).await.0, 200);
}

#[tokio::test]
async fn openrouter_consent_validation_and_no_challenge() {
    let fakes = FakeUpstreams::start().await;
    let or = &fakes.openrouter;
    let base = or.url();
    let err = consent(&format!(
        "{base}/auth?code_challenge={CHALLENGE}&code_challenge_method=S256"
    ))
    .await
    .unwrap_err();
    assert!(
        err.contains("400") && err.contains("Missing callback_url"),
        "{err}"
    );
    let err = consent(&format!(
        "{base}/auth?callback_url={}&code_challenge={CHALLENGE}&code_challenge_method=S512",
        enc(CALLBACK)
    ))
    .await
    .unwrap_err();
    assert!(err.contains("Invalid code_challenge_method"), "{err}");

    // Without a challenge the code works without a verifier; a callback without a query
    // gets `?code=`.
    let location = consent(&format!(
        "{base}/auth?callback_url={}",
        enc("http://localhost:9/cb")
    ))
    .await
    .unwrap();
    assert!(
        location.starts_with("http://localhost:9/cb?code="),
        "{location}"
    );
    let code = callback_param(&location, "code").unwrap();
    let (status, body) = or_exchange(or, json!({"code": code})).await;
    assert_eq!(status, 200, "{body}");

    let (status, _, _) = get_json(client().get(format!("{base}/api/v1/auth/keys"))).await;
    assert_eq!(status, 405);
    let (status, _, body) = get_json(
        client()
            .post(format!("{base}/api/v1/auth/keys"))
            .body("code=x"),
    )
    .await;
    assert_eq!((status, body["error"]["code"].as_u64()), (400, Some(400)));
}

#[tokio::test]
async fn deco_pkce_round_trip() {
    let fakes = FakeUpstreams::start().await;
    let deco = &fakes.deco;
    let code = code_from(&deco_consent_url(deco)).await;
    let (status, body) = deco_exchange(deco, deco_body(&code, VERIFIER)).await;
    assert_eq!(status, 200, "{body}");
    let key = body["key"].as_str().unwrap();
    let hex = key.strip_prefix("deco-").unwrap();
    assert!(
        hex.len() == 48 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
        "{key}"
    );
    assert_eq!(body.as_object().unwrap().len(), 1);
    assert_eq!(deco.issued_keys(), vec![key.to_owned()]);
    assert_eq!(
        deco.requests()[0].query_param("organization_id").as_deref(),
        Some("org-42")
    );

    // The key works on the models route.
    let (status, _, _) = get_json(
        client()
            .get(format!("{}/api/v1/models", deco.url()))
            .bearer_auth(key),
    )
    .await;
    assert_eq!(status, 200);

    let (status, body) = deco_exchange(deco, deco_body(&code, VERIFIER)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert!(body["error_description"].is_string());

    // A separate `state` parameter is echoed too.
    let location = consent(&format!("{}&state=abc", deco_consent_url(deco)))
        .await
        .unwrap();
    assert_eq!(callback_param(&location, "state").as_deref(), Some("st-1"));
    assert!(location.ends_with("&state=abc"), "{location}");
}

#[tokio::test]
async fn deco_refusals() {
    let fakes = FakeUpstreams::start().await;
    let deco = &fakes.deco;
    let invalid_grant = |(status, body): (u16, Value)| {
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
    };

    let code = code_from(&deco_consent_url(deco)).await;
    let wrong = "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    invalid_grant(deco_exchange(deco, deco_body(&code, wrong)).await);
    invalid_grant(deco_exchange(deco, deco_body(&code, VERIFIER)).await);

    let code = code_from(&deco_consent_url(deco)).await;
    let body = json!({"code": code, "code_verifier": VERIFIER, "grant_type": "client_credentials"});
    let (status, body) = deco_exchange(deco, body).await;
    assert_eq!(
        (status, body),
        (400, json!({"error": "unsupported_grant_type"}))
    );
    // The code survived an unsupported grant type (refused before looking at it).
    assert_eq!(deco_exchange(deco, deco_body(&code, VERIFIER)).await.0, 200);

    deco.set_code_ttl(Duration::ZERO);
    let code = code_from(&deco_consent_url(deco)).await;
    let (status, body) = deco_exchange(deco, deco_body(&code, VERIFIER)).await;
    invalid_grant((status, body.clone()));
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );

    for missing in [
        "redirect_uri",
        "code_challenge",
        "code_challenge_method",
        "organization_id",
    ] {
        let url: String = deco_consent_url(deco)
            .split('&')
            .map(|p| p.replace(&format!("{missing}="), "ignored="))
            .collect::<Vec<_>>()
            .join("&")
            .replace(&format!("?{missing}="), "?ignored=");
        let err = consent(&url).await.unwrap_err();
        assert!(
            err.contains("400") && err.contains(missing),
            "{missing}: {err}"
        );
    }
}

#[tokio::test]
async fn behaviors_apply_to_the_oauth_routes() {
    let fakes = FakeUpstreams::start().await;
    let or = &fakes.openrouter;
    let code = code_from(&or_consent_url(or)).await;
    or.set_route_behavior("/api/v1/auth/keys", Behavior::ServerError(503));
    let (status, _) = or_exchange(or, or_body(&code, VERIFIER)).await;
    assert_eq!(status, 503);
    // The fault answered before the provider: the code is still good.
    or.clear_route_behaviors();
    assert_eq!(or_exchange(or, or_body(&code, VERIFIER)).await.0, 200);

    or.set_route_behavior("/auth", Behavior::Unauthorized);
    assert!(
        consent(&or_consent_url(or))
            .await
            .unwrap_err()
            .contains("401")
    );

    let deco = &fakes.deco;
    deco.set_behavior(Behavior::Delay(Duration::from_millis(200)));
    let started = std::time::Instant::now();
    let code = code_from(&deco_consent_url(deco)).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    deco.set_route_behavior("/oauth/token", Behavior::Hang);
    let hung = tokio::time::timeout(
        Duration::from_millis(300),
        deco_exchange(deco, deco_body(&code, VERIFIER)),
    )
    .await;
    assert!(hung.is_err());
}
