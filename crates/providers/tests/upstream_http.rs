//! HTTP behaviour of the adapters against tiny local servers: headers, pagination, status
//! mapping, redirects, timeouts, size caps, and that no error message carries the key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aiproviders_domain::{ApiKey, Capability, ErrorCode, ProviderId};
use aiproviders_providers::{ProviderSettings, Upstream, UpstreamError, UpstreamLimits};
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

const KEY: &str = "sk-test-SECRET-0123456789abcdef";

/// One request a fake server saw: (query, headers).
type Request = (HashMap<String, String>, HeaderMap);

/// What a fake server saw, in order.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Request>>>);

impl Seen {
    fn record(
        &self,
        query: HashMap<String, String>,
        headers: &HeaderMap,
    ) -> HashMap<String, String> {
        self.0
            .lock()
            .unwrap()
            .push((query.clone(), headers.clone()));
        query
    }
    fn all(&self) -> Vec<Request> {
        self.0.lock().unwrap().clone()
    }
}

async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

fn settings(base: &str) -> ProviderSettings {
    ProviderSettings {
        deco_enabled: true,
        local_mode: true,
        deco_url: base.into(),
        anthropic_base_url: base.into(),
        google_base_url: base.into(),
        openrouter_base_url: base.into(),
    }
}

fn upstream(base: &str) -> Upstream {
    Upstream::new(settings(base), UpstreamLimits::default())
}

fn key() -> ApiKey {
    ApiKey::parse(KEY.to_owned(), "apiKey").unwrap()
}

fn json(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.into(),
    )
        .into_response()
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

/// Every error message must be free of the key.
fn clean(err: UpstreamError) -> UpstreamError {
    let text = err.to_string();
    assert!(!text.contains(KEY) && !text.contains("SECRET"), "{text}");
    assert!(!format!("{err:?}").contains("SECRET"));
    err
}

fn anthropic_item(id: &str) -> String {
    format!(
        r#"{{"type":"model","id":"{id}","display_name":"{id}","created_at":"2025-01-01T00:00:00Z"}}"#
    )
}

#[tokio::test]
async fn anthropic_follows_every_page_with_its_headers() {
    let seen = Seen::default();
    let router = Router::new()
        .route(
            "/v1/models",
            get(
                |State(seen): State<Seen>,
                 Query(q): Query<HashMap<String, String>>,
                 headers: HeaderMap| async move {
                    let query = seen.record(q, &headers);
                    let body = match query.get("after_id").map(String::as_str) {
                        None => include_str!("fixtures/anthropic_models.json").to_owned(),
                        Some("claude-opus-4-1-20250805") => format!(
                            r#"{{"data":[{}],"has_more":true,"first_id":"m4","last_id":"m4"}}"#,
                            anthropic_item("m4")
                        ),
                        Some("m4") => format!(
                            r#"{{"data":[{}],"has_more":false,"first_id":"m5","last_id":"m5"}}"#,
                            anthropic_item("m5")
                        ),
                        Some(_) => return json(StatusCode::BAD_REQUEST, "{}"),
                    };
                    json(StatusCode::OK, body)
                },
            ),
        )
        .with_state(seen.clone());
    let base = serve(router).await;
    let models = upstream(&base)
        .list_models(ProviderId::Anthropic, Some(&key()))
        .await
        .unwrap();
    let ids: Vec<_> = models.iter().map(|m| m.model_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "claude-sonnet-4-5-20250929",
            "claude-haiku-4-5-20251001",
            "claude-opus-4-1-20250805",
            "m4",
            "m5"
        ]
    );
    let requests = seen.all();
    assert_eq!(requests.len(), 3);
    for (query, headers) in &requests {
        assert_eq!(query.get("limit").map(String::as_str), Some("1000"));
        assert_eq!(header_str(headers, "x-api-key"), Some(KEY));
        assert_eq!(header_str(headers, "anthropic-version"), Some("2023-06-01"));
        assert!(headers.get(header::AUTHORIZATION).is_none());
    }
}

#[tokio::test]
async fn anthropic_stops_when_the_cursor_repeats() {
    let seen = Seen::default();
    let router = Router::new()
        .route(
            "/v1/models",
            get(
                |State(seen): State<Seen>,
                 Query(q): Query<HashMap<String, String>>,
                 headers: HeaderMap| async move {
                    seen.record(q, &headers);
                    json(
                        StatusCode::OK,
                        format!(
                            r#"{{"data":[{}],"has_more":true,"last_id":"same"}}"#,
                            anthropic_item("same")
                        ),
                    )
                },
            ),
        )
        .with_state(seen.clone());
    let base = serve(router).await;
    let models = upstream(&base)
        .list_models(ProviderId::Anthropic, Some(&key()))
        .await
        .unwrap();
    assert_eq!(models.len(), 1, "duplicates are dropped");
    assert_eq!(seen.all().len(), 2);
}

#[tokio::test]
async fn google_follows_page_tokens_with_the_key_only_in_its_header() {
    let seen = Seen::default();
    let router = Router::new()
        .route(
            "/v1beta/models",
            get(
                |State(seen): State<Seen>, Query(q): Query<HashMap<String, String>>, headers: HeaderMap| async move {
                    let query = seen.record(q, &headers);
                    let model = |id: &str| {
                        format!(r#"{{"name":"models/{id}","displayName":"{id}","supportedGenerationMethods":["generateContent"]}}"#)
                    };
                    let body = match query.get("pageToken").map(String::as_str) {
                        None => include_str!("fixtures/google_models.json").to_owned(),
                        Some("Ch5tb2RlbHMvZ2VtaW5pLWVtYmVkZGluZy0wMDE=") => {
                            format!(r#"{{"models":[{}],"nextPageToken":"t/3+&x"}}"#, model("g3"))
                        }
                        Some("t/3+&x") => format!(r#"{{"models":[{}]}}"#, model("g4")),
                        Some(_) => return json(StatusCode::BAD_REQUEST, "{}"),
                    };
                    json(StatusCode::OK, body)
                },
            ),
        )
        .with_state(seen.clone());
    let base = serve(router).await;
    let models = upstream(&base)
        .list_models(ProviderId::Google, Some(&key()))
        .await
        .unwrap();
    let ids: Vec<_> = models.iter().map(|m| m.model_id.as_str()).collect();
    assert_eq!(
        ids,
        ["gemini-2.5-flash", "gemini-2.0-flash-001", "g3", "g4"]
    );
    let requests = seen.all();
    assert_eq!(requests.len(), 3);
    for (query, headers) in &requests {
        assert_eq!(query.get("pageSize").map(String::as_str), Some("1000"));
        assert!(!query.contains_key("key"), "key in the query: {query:?}");
        assert!(!query.values().any(|v| v.contains("SECRET")));
        assert_eq!(header_str(headers, "x-goog-api-key"), Some(KEY));
        assert!(headers.get(header::AUTHORIZATION).is_none());
    }
}

#[tokio::test]
async fn openrouter_and_deco_send_bearer_and_the_public_catalog_sends_nothing() {
    let seen = Seen::default();
    let handler = |State(seen): State<Seen>,
                   Query(q): Query<HashMap<String, String>>,
                   headers: HeaderMap| async move {
        seen.record(q, &headers);
        json(
            StatusCode::OK,
            include_str!("fixtures/openrouter_models.json"),
        )
    };
    let key_handler = |State(seen): State<Seen>,
                       Query(q): Query<HashMap<String, String>>,
                       headers: HeaderMap| async move {
        seen.record(q, &headers);
        json(StatusCode::OK, include_str!("fixtures/openrouter_key.json"))
    };
    let router = Router::new()
        .route("/api/v1/models", get(handler))
        .route("/api/v1/key", get(key_handler))
        .with_state(seen.clone());
    let base = serve(router).await;
    let up = upstream(&base);

    let models = up
        .list_models(ProviderId::OpenRouter, Some(&key()))
        .await
        .unwrap();
    assert_eq!(models.len(), 3);
    assert!(models[0].capabilities.has(Capability::Tools));
    let deco = up
        .list_models(ProviderId::Deco, Some(&key()))
        .await
        .unwrap();
    assert!(deco.iter().all(|m| m.provider_id == ProviderId::Deco));
    up.probe_key(ProviderId::OpenRouter, &key()).await.unwrap();
    up.probe_key(ProviderId::Deco, &key()).await.unwrap();
    let catalog = up.public_catalog().await.unwrap();
    assert!(
        catalog
            .iter()
            .all(|m| m.provider_id == ProviderId::OpenRouter)
    );
    assert_eq!(catalog.len(), 3);

    let requests = seen.all();
    assert_eq!(requests.len(), 5);
    let bearer = format!("Bearer {KEY}");
    for (_, headers) in &requests[..4] {
        assert_eq!(header_str(headers, "authorization"), Some(bearer.as_str()));
    }
    assert!(requests[4].1.get(header::AUTHORIZATION).is_none());
}

#[tokio::test]
async fn missing_credentials_and_claude_code() {
    let up = upstream("http://127.0.0.1:9");
    for provider in [ProviderId::Anthropic, ProviderId::Google, ProviderId::Deco] {
        let err = up.list_models(provider, None).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Unsupported, "{provider}");
    }
    let claude = up.list_models(ProviderId::ClaudeCode, None).await.unwrap();
    assert_eq!(claude.len(), 3);
    let err = up
        .probe_key(ProviderId::ClaudeCode, &key())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unsupported);
}

/// A server answering every path with `status`, `headers` and `body`.
async fn fixed(status: u16, headers: &[(&str, &str)], body: &'static str) -> String {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    let router = Router::new().fallback(move || async move {
        let mut response = json(StatusCode::from_u16(status).unwrap(), body);
        for (name, value) in headers {
            let name = header::HeaderName::from_bytes(name.as_bytes()).unwrap();
            response.headers_mut().insert(name, value.parse().unwrap());
        }
        response
    });
    serve(router).await
}

#[tokio::test]
async fn statuses_map_to_error_codes() {
    let unauthorized = include_str!("fixtures/anthropic_error_unauthorized.json");
    for (status, code) in [
        (401, ErrorCode::UpstreamAuth),
        (403, ErrorCode::UpstreamAuth),
        (402, ErrorCode::InsufficientCredits),
        (400, ErrorCode::UpstreamUnavailable),
        (404, ErrorCode::UpstreamUnavailable),
        (500, ErrorCode::UpstreamUnavailable),
        (503, ErrorCode::UpstreamUnavailable),
        (529, ErrorCode::UpstreamUnavailable),
    ] {
        let base = fixed(status, &[], unauthorized).await;
        let up = upstream(&base);
        for provider in [
            ProviderId::Anthropic,
            ProviderId::Google,
            ProviderId::OpenRouter,
            ProviderId::Deco,
        ] {
            let err = clean(up.list_models(provider, Some(&key())).await.unwrap_err());
            assert_eq!(err.code(), code, "{provider} {status}: {err}");
            assert_eq!(err.provider(), provider);
            let probe = clean(up.probe_key(provider, &key()).await.unwrap_err());
            assert_eq!(probe.code(), code, "probe {provider} {status}");
        }
        if status == 401 {
            let err = up
                .list_models(ProviderId::Anthropic, Some(&key()))
                .await
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                "anthropic refused the credential (HTTP 401)"
            );
        }
        if status == 503 {
            let err = up
                .list_models(ProviderId::Google, Some(&key()))
                .await
                .unwrap_err();
            assert_eq!(err.to_string(), "google is unavailable: answered HTTP 503");
        }
    }
}

#[tokio::test]
async fn rate_limits_carry_the_retry_hint() {
    let base = fixed(
        429,
        &[("retry-after", "17")],
        include_str!("fixtures/anthropic_error_rate_limited.json"),
    )
    .await;
    let err = clean(
        upstream(&base)
            .list_models(ProviderId::Anthropic, Some(&key()))
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code(), ErrorCode::UpstreamRateLimited);
    assert_eq!(err.retry_after_seconds(), Some(17));

    let base = fixed(
        429,
        &[("retry-after-ms", "2500"), ("retry-after", "9")],
        "{}",
    )
    .await;
    let err = upstream(&base)
        .list_models(ProviderId::Anthropic, Some(&key()))
        .await
        .unwrap_err();
    assert_eq!(err.retry_after_seconds(), Some(3));

    let base = fixed(
        429,
        &[],
        include_str!("fixtures/google_error_rate_limited.json"),
    )
    .await;
    let err = upstream(&base)
        .list_models(ProviderId::Google, Some(&key()))
        .await
        .unwrap_err();
    assert_eq!(err.retry_after_seconds(), Some(59));

    let base = fixed(
        429,
        &[],
        r#"{"error":{"code":429,"message":"Rate limit exceeded"}}"#,
    )
    .await;
    let err = upstream(&base)
        .probe_key(ProviderId::OpenRouter, &key())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::UpstreamRateLimited);
    assert_eq!(err.retry_after_seconds(), None);
}

#[tokio::test]
async fn gemini_bad_key_is_an_auth_error() {
    let base = fixed(
        400,
        &[],
        include_str!("fixtures/google_error_api_key_invalid.json"),
    )
    .await;
    let up = upstream(&base);
    let err = clean(
        up.list_models(ProviderId::Google, Some(&key()))
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, UpstreamError::Auth { status: 400, .. }));
    let err = up.probe_key(ProviderId::Google, &key()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::UpstreamAuth);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let elsewhere = Seen::default();
    let router = Router::new()
        .fallback(
            |State(seen): State<Seen>,
             Query(q): Query<HashMap<String, String>>,
             headers: HeaderMap| async move {
                seen.record(q, &headers);
                json(
                    StatusCode::OK,
                    include_str!("fixtures/openrouter_models.json"),
                )
            },
        )
        .with_state(elsewhere.clone());
    let other = serve(router).await;
    let location = format!("{other}/api/v1/models");
    let base = fixed(302, &[("location", &location)], "").await;
    let up = upstream(&base);
    for provider in [
        ProviderId::Anthropic,
        ProviderId::Google,
        ProviderId::OpenRouter,
        ProviderId::Deco,
    ] {
        let err = clean(up.list_models(provider, Some(&key())).await.unwrap_err());
        assert_eq!(err.code(), ErrorCode::UpstreamUnavailable);
        assert!(
            err.to_string().contains("redirects are not followed"),
            "{err}"
        );
        assert!(!err.to_string().contains(&other), "{err}");
        clean(up.probe_key(provider, &key()).await.unwrap_err());
    }
    assert!(up.public_catalog().await.is_err());
    assert!(elsewhere.all().is_empty(), "the redirect target was called");
}

#[tokio::test]
async fn slow_servers_time_out() {
    let router = Router::new().fallback(|| async {
        tokio::time::sleep(Duration::from_secs(3)).await;
        json(StatusCode::OK, "{\"data\":[]}")
    });
    let base = serve(router).await;
    let limits = UpstreamLimits {
        total_timeout: Duration::from_millis(300),
        ..UpstreamLimits::default()
    };
    let up = Upstream::new(settings(&base), limits);
    let started = std::time::Instant::now();
    let err = clean(
        up.list_models(ProviderId::OpenRouter, Some(&key()))
            .await
            .unwrap_err(),
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.code(), ErrorCode::UpstreamUnavailable);
    assert_eq!(
        err.to_string(),
        "openrouter is unavailable: timed out after 300 ms"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let big = format!(r#"{{"data":[],"pad":"{}"}}"#, "x".repeat(4096));
    let declared = big.clone();
    let router = Router::new()
        .route(
            "/api/v1/models",
            get(move || async move { json(StatusCode::OK, declared) }),
        )
        .route(
            "/v1/models",
            get(move || async move {
                // Streamed, no Content-Length: the cap applies while reading.
                let chunks = (0..64).map(|_| Ok::<_, std::io::Error>("x".repeat(256)));
                Response::new(Body::from_stream(futures::stream::iter(chunks)))
            }),
        );
    let base = serve(router).await;
    let limits = UpstreamLimits {
        max_body_bytes: 1024,
        ..UpstreamLimits::default()
    };
    let up = Upstream::new(settings(&base), limits);
    for provider in [ProviderId::OpenRouter, ProviderId::Anthropic] {
        let err = clean(up.list_models(provider, Some(&key())).await.unwrap_err());
        assert_eq!(err.code(), ErrorCode::UpstreamUnavailable);
        assert!(err.to_string().contains("response too large"), "{err}");
    }
}

#[tokio::test]
async fn truncated_and_malformed_bodies_are_unavailable() {
    // A body that is cut off mid-transfer (Content-Length promises more).
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"data\":[{\"id\":";
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    let up = upstream(&format!("http://{addr}"));
    let err = clean(
        up.list_models(ProviderId::OpenRouter, Some(&key()))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        err.to_string(),
        "openrouter is unavailable: the response was cut off"
    );

    // Complete HTTP, truncated JSON.
    let base = fixed(200, &[], r#"{"data":[{"id":"a/b","name":"#).await;
    let err = clean(
        upstream(&base)
            .list_models(ProviderId::OpenRouter, None)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        err.to_string(),
        "openrouter is unavailable: malformed JSON in the response"
    );

    // Valid JSON without the list.
    let base = fixed(200, &[], r#"{"error":"nope"}"#).await;
    let up = upstream(&base);
    for provider in [
        ProviderId::Anthropic,
        ProviderId::Google,
        ProviderId::OpenRouter,
    ] {
        let err = clean(up.list_models(provider, Some(&key())).await.unwrap_err());
        assert_eq!(err.code(), ErrorCode::UpstreamUnavailable, "{provider}");
    }
}

#[tokio::test]
async fn unreachable_servers_are_unavailable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = clean(
        upstream(&format!("http://{addr}"))
            .list_models(ProviderId::Anthropic, Some(&key()))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        err.to_string(),
        "anthropic is unavailable: could not connect"
    );
    let err = upstream("not a url")
        .list_models(ProviderId::Anthropic, Some(&key()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::UpstreamUnavailable);
}
