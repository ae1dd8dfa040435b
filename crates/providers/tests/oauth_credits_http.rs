//! OAuth (consent URLs, code exchange) and credits (balance, top-up) against tiny local
//! servers: exact URLs and bodies, status mapping, and that no error carries the verifier
//! or a key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aiproviders_domain::{ApiKey, ErrorCode, ProviderId, SecretString};
use aiproviders_providers::{ProviderSettings, Upstream, UpstreamError, UpstreamLimits};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use reqwest::Url;
use serde_json::{Value, json};
use tokio::net::TcpListener;

const KEY: &str = "sk-test-SECRET-0123456789abcdef";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-SECRET";
const NEW_KEY: &str = "sk-or-v1-NEWSECRET0e6f44a47a05f1dad2ad7e88c4c1d6b7";

/// One request a fake server saw.
#[derive(Clone, Debug)]
struct Captured {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl Captured {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

#[derive(Clone)]
struct Fake {
    seen: Arc<Mutex<Vec<Captured>>>,
    status: StatusCode,
    headers: Vec<(&'static str, &'static str)>,
    body: String,
}

impl Fake {
    fn seen(&self) -> Vec<Captured> {
        self.seen.lock().unwrap().clone()
    }
    fn only(&self) -> Captured {
        let seen = self.seen();
        assert_eq!(seen.len(), 1, "{seen:?}");
        seen.into_iter().next().unwrap()
    }
}

async fn record(
    State(fake): State<Fake>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    fake.seen.lock().unwrap().push(Captured {
        method,
        uri,
        headers,
        body,
    });
    let mut response = (
        fake.status,
        [(header::CONTENT_TYPE, "application/json")],
        fake.body.clone(),
    )
        .into_response();
    for (name, value) in &fake.headers {
        response.headers_mut().insert(*name, value.parse().unwrap());
    }
    response
}

/// A server answering every request with `status` and `body`, recording what it saw.
async fn serve_with(
    status: u16,
    body: &str,
    headers: Vec<(&'static str, &'static str)>,
) -> (Upstream, Fake) {
    let fake = Fake {
        seen: Arc::default(),
        status: StatusCode::from_u16(status).unwrap(),
        headers,
        body: body.to_owned(),
    };
    let router = Router::new().fallback(record).with_state(fake.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (upstream(&format!("http://{addr}")), fake)
}

async fn serve(status: u16, body: &str) -> (Upstream, Fake) {
    serve_with(status, body, Vec::new()).await
}

fn upstream(base: &str) -> Upstream {
    Upstream::new(
        ProviderSettings {
            deco_enabled: true,
            local_mode: true,
            deco_url: base.into(),
            anthropic_base_url: base.into(),
            google_base_url: base.into(),
            openrouter_base_url: base.into(),
        },
        UpstreamLimits::default(),
    )
}

fn key() -> ApiKey {
    ApiKey::parse(KEY.to_owned(), "apiKey").unwrap()
}

fn verifier() -> SecretString {
    SecretString::from(VERIFIER.to_owned())
}

/// Every error message must be free of the key, the verifier and the new key.
fn clean(err: UpstreamError) -> UpstreamError {
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains("SECRET"), "{text}");
    }
    err
}

fn query(url: &str) -> (Url, HashMap<String, String>) {
    let url = Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let map: HashMap<_, _> = pairs.iter().cloned().collect();
    assert_eq!(map.len(), pairs.len(), "repeated parameter in {url}");
    (url, map)
}

const CALLBACK: &str = "http://127.0.0.1:8080/oauth/callback/ai-provider?state=st_a%2Bb&x=1 2";

#[test]
fn consent_urls_carry_every_parameter_encoded() {
    let up = upstream("https://or.test/");
    let url = up
        .oauth_consent_url(
            ProviderId::OpenRouter,
            CALLBACK,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "org_1",
        )
        .unwrap();
    let (parsed, q) = query(&url);
    assert_eq!(parsed.scheme(), "https");
    assert_eq!(parsed.host_str(), Some("or.test"));
    assert_eq!(parsed.path(), "/auth");
    assert_eq!(q.len(), 3, "{url}");
    assert_eq!(q["callback_url"], CALLBACK);
    assert_eq!(
        q["code_challenge"],
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert_eq!(q["code_challenge_method"], "S256");
    // The callback's own query does not leak into the consent URL's.
    assert!(!parsed.query().unwrap().contains("state="), "{url}");

    let up = upstream("https://gw.test/prefix");
    let url = up
        .oauth_consent_url(ProviderId::Deco, CALLBACK, "chal-_", "org 1&a=b")
        .unwrap();
    let (parsed, q) = query(&url);
    assert_eq!(parsed.host_str(), Some("gw.test"));
    assert_eq!(parsed.path(), "/prefix/oauth/authorize");
    assert_eq!(q.len(), 4, "{url}");
    assert_eq!(q["redirect_uri"], CALLBACK);
    assert_eq!(q["code_challenge"], "chal-_");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["organization_id"], "org 1&a=b");

    for provider in [
        ProviderId::Anthropic,
        ProviderId::Google,
        ProviderId::ClaudeCode,
    ] {
        let err = up
            .oauth_consent_url(provider, CALLBACK, "c", "o")
            .unwrap_err();
        assert!(matches!(err, UpstreamError::Unsupported { .. }), "{err}");
        assert_eq!(err.code(), ErrorCode::Unsupported);
    }
    let bad = upstream("not a url")
        .oauth_consent_url(ProviderId::OpenRouter, CALLBACK, "c", "o")
        .unwrap_err();
    assert!(matches!(bad, UpstreamError::Unavailable { .. }), "{bad}");
}

#[tokio::test]
async fn openrouter_exchange_posts_code_and_verifier() {
    let (up, fake) = serve(
        200,
        &format!(r#"{{"key":"{NEW_KEY}","user_id":"user_2yOPcMpKoQhcd4bVgSMlELRaIah"}}"#),
    )
    .await;
    let key = up
        .oauth_exchange(ProviderId::OpenRouter, "auth_code_abc123", &verifier())
        .await
        .unwrap();
    assert_eq!(key.expose_secret(), NEW_KEY);
    let request = fake.only();
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.uri.path(), "/api/v1/auth/keys");
    assert_eq!(request.uri.query(), None);
    assert!(request.headers.get(header::AUTHORIZATION).is_none());
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"code": "auth_code_abc123", "code_verifier": VERIFIER, "code_challenge_method": "S256"})
    );
}

#[tokio::test]
async fn deco_exchange_posts_an_authorization_code_grant() {
    let (up, fake) = serve(200, &format!(r#"{{"key":"  {NEW_KEY}  "}}"#)).await;
    let key = up
        .oauth_exchange(ProviderId::Deco, "code-1", &verifier())
        .await
        .unwrap();
    assert_eq!(key.expose_secret(), NEW_KEY);
    let request = fake.only();
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.uri.path(), "/oauth/token");
    assert!(request.headers.get(header::AUTHORIZATION).is_none());
    assert_eq!(
        request.json(),
        json!({"code": "code-1", "code_verifier": VERIFIER, "grant_type": "authorization_code"})
    );
}

#[tokio::test]
async fn a_refused_code_is_invalid_input() {
    for provider in [ProviderId::OpenRouter, ProviderId::Deco] {
        for status in [400, 401, 403] {
            let (up, _fake) = serve(
                status,
                r#"{"error":{"code":403,"message":"Invalid code or code_verifier"}}"#,
            )
            .await;
            let err = clean(
                up.oauth_exchange(provider, "used-code", &verifier())
                    .await
                    .unwrap_err(),
            );
            assert!(
                matches!(err, UpstreamError::Refused { status: s, .. } if s == status),
                "{err}"
            );
            assert_eq!(err.code(), ErrorCode::InvalidInput);
            assert_eq!(err.provider(), provider);
            assert_eq!(
                err.to_string(),
                format!("{provider} refused the authorization code (HTTP {status})")
            );
        }
    }
}

#[tokio::test]
async fn other_exchange_failures_map_as_usual() {
    for status in [500, 502, 503, 404, 405] {
        let (up, _fake) = serve(status, "{}").await;
        let err = clean(
            up.oauth_exchange(ProviderId::Deco, "c", &verifier())
                .await
                .unwrap_err(),
        );
        assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err}");
        assert_eq!(err.code(), ErrorCode::UpstreamUnavailable);
    }
    let (up, _fake) = serve_with(429, "{}", vec![("retry-after", "7")]).await;
    let err = clean(
        up.oauth_exchange(ProviderId::OpenRouter, "c", &verifier())
            .await
            .unwrap_err(),
    );
    assert_eq!(err.retry_after_seconds(), Some(7));
    assert_eq!(err.code(), ErrorCode::UpstreamRateLimited);

    let (up, fake) = serve_with(302, "", vec![("location", "http://elsewhere.test/")]).await;
    let err = clean(
        up.oauth_exchange(ProviderId::OpenRouter, "c", &verifier())
            .await
            .unwrap_err(),
    );
    assert!(
        err.to_string().contains("redirects are not followed"),
        "{err}"
    );
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn an_exchange_without_a_usable_key_is_unavailable() {
    let bodies = [
        r#"{}"#,
        r#"{"key":null,"user_id":"u"}"#,
        r#"{"key":""}"#,
        r#"{"key":"   "}"#,
        r#"{"key":42}"#,
        r#"{"key":"sk-or-NEWSECRET with space"}"#,
        r#"{"key":"sk-or-NEWSECRET\u0000"}"#,
    ];
    for body in bodies {
        let (up, _fake) = serve(200, body).await;
        let err = clean(
            up.oauth_exchange(ProviderId::OpenRouter, "c", &verifier())
                .await
                .unwrap_err(),
        );
        assert_eq!(
            err.to_string(),
            "openrouter is unavailable: returned no usable key",
            "{body}"
        );
    }
    for body in ["NEWSECRET", r#"["NEWSECRET"]"#, r#"{"key":"NEWSECRET""#] {
        let (up, _fake) = serve(200, body).await;
        let err = clean(
            up.oauth_exchange(ProviderId::Deco, "c", &verifier())
                .await
                .unwrap_err(),
        );
        assert!(matches!(err, UpstreamError::Unavailable { .. }), "{err}");
    }
}

#[tokio::test]
async fn oauth_is_unsupported_elsewhere() {
    let (up, fake) = serve(200, "{}").await;
    for provider in [
        ProviderId::Anthropic,
        ProviderId::Google,
        ProviderId::ClaudeCode,
    ] {
        let err = up
            .oauth_exchange(provider, "c", &verifier())
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Unsupported, "{err}");
    }
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn deco_balance() {
    let (up, fake) = serve(200, r#"{"balance_cents": 12345, "currency": "USD"}"#).await;
    let cents = up
        .balance_cents(ProviderId::Deco, &key(), "org/1 x?")
        .await
        .unwrap();
    assert_eq!(cents, Some(12345));
    let request = fake.only();
    assert_eq!(request.method, Method::GET);
    assert_eq!(request.uri.path(), "/api/teams/org%2F1%20x%3F/balance");
    assert_eq!(request.uri.query(), None);
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );

    let (up, _fake) = serve(200, r#"{"balance_cents": -50}"#).await;
    assert_eq!(
        up.balance_cents(ProviderId::Deco, &key(), "org")
            .await
            .unwrap(),
        Some(-50)
    );

    for body in [
        r#"{"balance_cents": 12.5}"#,
        r#"{"balance_cents": "1200"}"#,
        r#"{"balance_cents": null}"#,
        r#"{"balance": 1200}"#,
        r#"[]"#,
        "oops",
    ] {
        let (up, _fake) = serve(200, body).await;
        let err = clean(
            up.balance_cents(ProviderId::Deco, &key(), "org")
                .await
                .unwrap_err(),
        );
        assert!(
            matches!(err, UpstreamError::Unavailable { .. }),
            "{body}: {err}"
        );
    }

    for org in ["", ".", ".."] {
        let (up, fake) = serve(200, r#"{"balance_cents": 1}"#).await;
        let err = up
            .balance_cents(ProviderId::Deco, &key(), org)
            .await
            .unwrap_err();
        assert!(
            matches!(err, UpstreamError::Unavailable { .. }),
            "{org:?}: {err}"
        );
        assert!(fake.seen().is_empty());
    }
}

#[tokio::test]
async fn openrouter_balance_is_the_remaining_limit_in_cents() {
    let cases = [
        (
            r#"{"data":{"label":"x","limit":100,"limit_remaining":74.5}}"#,
            Some(7450),
        ),
        (r#"{"data":{"limit_remaining":0.015}}"#, Some(2)),
        (r#"{"data":{"limit_remaining":3}}"#, Some(300)),
        (r#"{"data":{"limit_remaining":0}}"#, Some(0)),
        (r#"{"data":{"limit":null,"limit_remaining":null}}"#, None),
        (r#"{"data":{"label":"x","usage":1.5}}"#, None),
    ];
    for (body, expected) in cases {
        let (up, fake) = serve(200, body).await;
        let cents = up
            .balance_cents(ProviderId::OpenRouter, &key(), "org-ignored")
            .await
            .unwrap();
        assert_eq!(cents, expected, "{body}");
        let request = fake.only();
        assert_eq!(request.method, Method::GET);
        assert_eq!(request.uri.path(), "/api/v1/key");
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
    }
    for body in [
        r#"{"data":{"limit_remaining":"74.5"}}"#,
        r#"{"data":null}"#,
        r#"{"limit_remaining":74.5}"#,
        "<html>",
    ] {
        let (up, _fake) = serve(200, body).await;
        let err = clean(
            up.balance_cents(ProviderId::OpenRouter, &key(), "org")
                .await
                .unwrap_err(),
        );
        assert!(
            matches!(err, UpstreamError::Unavailable { .. }),
            "{body}: {err}"
        );
    }
}

#[tokio::test]
async fn credit_statuses_map_as_usual() {
    for provider in [ProviderId::Deco, ProviderId::OpenRouter] {
        for (status, code) in [
            (401, ErrorCode::UpstreamAuth),
            (403, ErrorCode::UpstreamAuth),
            (402, ErrorCode::InsufficientCredits),
            (429, ErrorCode::UpstreamRateLimited),
            (500, ErrorCode::UpstreamUnavailable),
        ] {
            let (up, _fake) = serve(status, r#"{"error":{"message":"no"}}"#).await;
            let err = clean(up.balance_cents(provider, &key(), "org").await.unwrap_err());
            assert_eq!(err.code(), code, "{provider} {status}: {err}");
            if provider == ProviderId::Deco {
                let err = clean(
                    up.top_up_url(provider, &key(), 500, "usd")
                        .await
                        .unwrap_err(),
                );
                assert_eq!(err.code(), code, "top-up {status}: {err}");
            }
        }
    }
}

#[tokio::test]
async fn deco_top_up() {
    let (up, fake) = serve(200, r#"{"url":"https://pay.test/checkout/cs_1?s=a%20b"}"#).await;
    let url = up
        .top_up_url(ProviderId::Deco, &key(), 2500, "brl")
        .await
        .unwrap();
    assert_eq!(url, "https://pay.test/checkout/cs_1?s=a%20b");
    let request = fake.only();
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.uri.path(), "/api/credits/topup");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"amountCents": 2500, "currency": "brl"})
    );

    for body in [
        r#"{}"#,
        r#"{"url":null}"#,
        r#"{"url":""}"#,
        r#"{"url":"/relative/checkout"}"#,
        r#"{"url":"javascript:alert(1)"}"#,
        r#"{"url":"ftp://pay.test/x"}"#,
        r#"{"url":42}"#,
    ] {
        let (up, _fake) = serve(200, body).await;
        let err = clean(
            up.top_up_url(ProviderId::Deco, &key(), 100, "usd")
                .await
                .unwrap_err(),
        );
        assert_eq!(
            err.to_string(),
            "deco is unavailable: returned no usable top-up URL",
            "{body}"
        );
    }
}

#[tokio::test]
async fn credits_are_unsupported_elsewhere() {
    let (up, fake) = serve(200, "{}").await;
    for provider in [
        ProviderId::Anthropic,
        ProviderId::Google,
        ProviderId::ClaudeCode,
    ] {
        let err = up.balance_cents(provider, &key(), "org").await.unwrap_err();
        assert!(matches!(err, UpstreamError::Unsupported { .. }), "{err}");
        assert_eq!(err.code(), ErrorCode::Unsupported);
    }
    for provider in [
        ProviderId::OpenRouter,
        ProviderId::Anthropic,
        ProviderId::Google,
        ProviderId::ClaudeCode,
    ] {
        let err = up
            .top_up_url(provider, &key(), 100, "usd")
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Unsupported, "{provider}: {err}");
    }
    assert!(fake.seen().is_empty());
}
