//! Inference calls against tiny local servers: where the key goes, that bodies stream
//! through unread, that failures are sorted for the fallback, and that redirects are not
//! followed.

use std::sync::{Arc, Mutex};

use aiproviders_domain::{ApiKey, ProviderId};
use aiproviders_providers::{FailureKind, ProviderSettings, Upstream, UpstreamLimits};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::net::TcpListener;

const KEY: &str = "sk-test-CHAT-SECRET-0123456789";

type Seen = Arc<Mutex<Vec<(String, HeaderMap, Bytes)>>>;

async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
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

async fn recording(answer: fn() -> Response) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let router = {
        let seen = seen.clone();
        Router::new().fallback(post(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            async move {
                let path = uri
                    .path_and_query()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                seen.lock().unwrap().push((path, headers, body));
                answer()
            }
        }))
    };
    (serve(router).await, seen)
}

#[tokio::test]
async fn each_wire_gets_its_path_and_key_header_and_the_body_streams_back() {
    let (base, seen) = recording(|| {
        let chunks = futures::stream::iter(
            ["data: one\n\n", "data: two\n\n"]
                .map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c.as_bytes()))),
        );
        Response::builder()
            .header("content-type", "text/event-stream")
            .body(Body::from_stream(chunks))
            .unwrap()
    })
    .await;
    let upstream = upstream(&base);
    for (provider, model, stream) in [
        (ProviderId::Anthropic, "claude-sonnet-4-5", true),
        (ProviderId::Google, "gemini-2.5-flash", true),
        (ProviderId::Google, "gemini-2.5-flash", false),
        (ProviderId::OpenRouter, "anthropic/claude-sonnet-4.5", true),
        (ProviderId::Deco, "openai/gpt-4o", false),
    ] {
        let mut answer = upstream
            .chat(
                provider,
                &key(),
                model,
                Bytes::from_static(b"{\"x\":1}"),
                stream,
            )
            .await
            .unwrap();
        assert_eq!(answer.content_type.as_deref(), Some("text/event-stream"));
        let mut body = Vec::new();
        while let Some(chunk) = answer.chunk(provider).await.unwrap() {
            body.extend_from_slice(&chunk);
        }
        assert_eq!(body, b"data: one\n\ndata: two\n\n");
    }
    let seen = seen.lock().unwrap();
    let paths: Vec<&str> = seen.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/v1/messages",
            "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
            "/v1beta/models/gemini-2.5-flash:generateContent",
            "/api/v1/chat/completions",
            "/api/v1/chat/completions",
        ]
    );
    let header = |i: usize, name: &str| seen[i].1.get(name).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header(0, "x-api-key").as_deref(), Some(KEY));
    assert_eq!(
        header(0, "anthropic-version").as_deref(),
        Some("2023-06-01")
    );
    assert_eq!(header(0, "authorization"), None);
    assert_eq!(header(1, "x-goog-api-key").as_deref(), Some(KEY));
    assert_eq!(header(3, "authorization"), Some(format!("Bearer {KEY}")));
    assert!(
        seen.iter()
            .all(|(_, _, body)| body.as_ref() == b"{\"x\":1}")
    );
}

#[tokio::test]
async fn failures_are_sorted_and_redirects_not_followed() {
    let (limited, _) = recording(|| {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "7")],
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
        )
            .into_response()
    })
    .await;
    let failed = upstream(&limited)
        .chat(ProviderId::Anthropic, &key(), "claude", Bytes::new(), false)
        .await
        .unwrap_err();
    assert_eq!(failed.kind, FailureKind::RateLimited);
    assert_eq!(failed.retry_after_seconds, Some(7));
    assert_eq!(failed.status, Some(429));
    assert!(!failed.to_string().contains(KEY));

    // A redirect elsewhere: not followed, so the key never reaches the other server.
    let (elsewhere, elsewhere_seen) = recording(|| StatusCode::OK.into_response()).await;
    let target = format!("{elsewhere}/v1/messages");
    let router = Router::new().fallback(post(move || {
        let target = target.clone();
        async move {
            Response::builder()
                .status(307)
                .header("location", target)
                .body(Body::empty())
                .unwrap()
        }
    }));
    let redirecting = serve(router).await;
    let failed = upstream(&redirecting)
        .chat(ProviderId::Anthropic, &key(), "claude", Bytes::new(), false)
        .await
        .unwrap_err();
    assert_eq!(failed.kind, FailureKind::Misconfigured);
    assert!(elsewhere_seen.lock().unwrap().is_empty());

    let unreachable = upstream("http://127.0.0.1:9")
        .chat(ProviderId::OpenRouter, &key(), "m", Bytes::new(), false)
        .await
        .unwrap_err();
    assert_eq!(unreachable.kind, FailureKind::Connect);
    assert!(!unreachable.to_string().contains(KEY));
}

#[tokio::test]
async fn a_provider_echoing_the_key_in_a_bad_request_message_is_redacted() {
    let (base, _) = recording(|| {
        (
            StatusCode::BAD_REQUEST,
            format!(r#"{{"error":{{"code":400,"message":"bad request for key {KEY}"}}}}"#),
        )
            .into_response()
    })
    .await;
    let failed = upstream(&base)
        .chat(ProviderId::OpenRouter, &key(), "m", Bytes::new(), false)
        .await
        .unwrap_err();
    assert_eq!(failed.kind, FailureKind::BadRequest);
    assert!(!failed.message.contains(KEY), "{}", failed.message);
    assert!(failed.message.contains("[REDACTED]"));
}
