//! Inference calls for the gateway: one POST of an already-translated body to the
//! credential's own provider, the response handed back unread (so streams stream), and
//! failures sorted into the classes the gateway's fallback decides on.
//!
//! Same client policy as the rest of the crate (base URL pinning, keys only in sensitive
//! headers, no redirects, no proxy from the environment, a connect timeout), except that a
//! generation may take long: instead of a total timeout there is one silence limit,
//! [`ChatLimits::idle`], for the wait for the response headers (from the start of the
//! request) and again between body chunks. reqwest's `read_timeout` enforces both, so a
//! request carries no timer of its own (each timer is a registration in tokio's timer wheel
//! and a boxed `Sleep`, measurable on the gateway's hot path).

use std::time::Duration;

use aiproviders_domain::{ApiKey, ProviderId};
use bytes::Bytes;
use reqwest::header::HeaderValue;
use reqwest::{StatusCode, Url};

use crate::ProviderSettings;
use crate::http::{endpoint, retry_after};

/// The request format a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatWire {
    /// OpenAI Chat Completions (`openrouter`, `deco`).
    OpenAi,
    /// Anthropic Messages.
    Anthropic,
    /// Gemini `generateContent`.
    Gemini,
}

impl ChatWire {
    /// `None` for providers reached otherwise (`claude-code` runs the local CLI).
    pub fn of(provider: ProviderId) -> Option<Self> {
        match provider {
            ProviderId::OpenRouter | ProviderId::Deco => Some(ChatWire::OpenAi),
            ProviderId::Anthropic => Some(ChatWire::Anthropic),
            ProviderId::Google => Some(ChatWire::Gemini),
            ProviderId::ClaudeCode => None,
        }
    }
}

/// What kind of failure an attempt met; the gateway's fallback table is keyed by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Could not connect, or the connection broke before an answer.
    Connect,
    /// No answer (headers) in time, or the body stalled.
    Timeout,
    /// 5xx, 529 (overloaded), 408.
    Server,
    /// 429.
    RateLimited,
    /// 401/403 (or Gemini's 400 `API_KEY_INVALID`): the key was refused.
    Auth,
    /// 402, or a provider's "credit balance is too low".
    InsufficientCredits,
    /// 404: this provider does not serve the model.
    ModelNotFound,
    /// The prompt plus the requested output do not fit the model's context window.
    ContextLength,
    /// Any other 4xx: the request itself is wrong; another provider would refuse it too.
    BadRequest,
    /// A redirect (not followed), or an unusable URL or key: a configuration problem.
    Misconfigured,
}

/// A failed attempt. `message` is short and never holds the key.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{provider}: {message}")]
pub struct ChatFailure {
    pub provider: ProviderId,
    pub kind: FailureKind,
    pub status: Option<u16>,
    pub retry_after_seconds: Option<u64>,
    /// For `BadRequest`: the provider's own error message (truncated), which the caller
    /// needs to fix the request. Otherwise a description of the failure.
    pub message: String,
}

/// A successful answer whose body has not been read: an HTTP response, or the events of a
/// local Claude Code CLI run (already Anthropic SSE, produced by `claude_stream`).
#[derive(Debug)]
pub struct ChatAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    body: AnswerBody,
}

#[derive(Debug)]
enum AnswerBody {
    Http(reqwest::Response),
    /// Pieces sent by a task; a failure ends the body.
    Channel(tokio::sync::mpsc::Receiver<Result<Bytes, ChatFailure>>),
}

impl ChatAnswer {
    /// An answer whose body a task sends piece by piece (`text/event-stream`).
    pub(crate) fn from_channel(
        receiver: tokio::sync::mpsc::Receiver<Result<Bytes, ChatFailure>>,
    ) -> Self {
        Self {
            status: 200,
            content_type: Some("text/event-stream".to_owned()),
            body: AnswerBody::Channel(receiver),
        }
    }

    /// The next piece of the body; `Ok(None)` at its end. A stall longer than the idle
    /// limit, or a broken connection, is a failure.
    pub async fn chunk(&mut self, provider: ProviderId) -> Result<Option<Bytes>, ChatFailure> {
        let response = match &mut self.body {
            AnswerBody::Http(response) => response,
            AnswerBody::Channel(receiver) => return receiver.recv().await.transpose(),
        };
        response.chunk().await.map_err(|error| {
            let error = error.without_url();
            failure(
                provider,
                if error.is_timeout() {
                    FailureKind::Timeout
                } else {
                    FailureKind::Connect
                },
                None,
                "the response broke off",
            )
        })
    }
}

/// Time limits of inference calls.
#[derive(Debug, Clone, Copy)]
pub struct ChatLimits {
    pub connect: Duration,
    /// Until the response headers arrive (counted from the start of the request), and
    /// between two body chunks.
    pub idle: Duration,
}

impl Default for ChatLimits {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            idle: Duration::from_secs(60),
        }
    }
}

/// The inference client.
#[derive(Debug, Clone)]
pub struct ChatClient {
    client: Option<reqwest::Client>,
    limits: ChatLimits,
    /// Each HTTP provider's wire and checked endpoint for its configured base URL, parsed
    /// once (two URL parses per request were a measurable part of the gateway's CPU); a base
    /// URL that is not usable fails every request to that provider.
    endpoints: Vec<(ProviderId, ChatWire, Result<Url, ChatFailure>)>,
}

/// Error bodies are read only this far.
const ERROR_BODY_LIMIT: usize = 64 * 1024;
const MESSAGE_LIMIT: usize = 300;

fn failure(
    provider: ProviderId,
    kind: FailureKind,
    status: Option<u16>,
    message: impl Into<String>,
) -> ChatFailure {
    ChatFailure {
        provider,
        kind,
        status,
        retry_after_seconds: None,
        message: message.into(),
    }
}

impl ChatClient {
    pub fn new(limits: ChatLimits, settings: &ProviderSettings) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(limits.connect)
            .read_timeout(limits.idle)
            .tcp_nodelay(true)
            .user_agent(concat!("aiproviders/", env!("CARGO_PKG_VERSION")))
            .build()
            .inspect_err(
                |err| tracing::error!(error = %err, "could not build the inference client"),
            )
            .ok();
        let endpoints = [
            (ProviderId::Anthropic, &settings.anthropic_base_url),
            (ProviderId::Google, &settings.google_base_url),
            (ProviderId::OpenRouter, &settings.openrouter_base_url),
            (ProviderId::Deco, &settings.deco_url),
        ]
        .into_iter()
        .filter_map(|(provider, base)| {
            let wire = ChatWire::of(provider)?;
            Some((provider, wire, wire_endpoint(provider, wire, base)))
        })
        .collect();
        Self {
            client,
            limits,
            endpoints,
        }
    }

    /// POSTs `body` (the provider's own request format) for `model` to the configured base
    /// URL of `provider`.
    pub async fn send(
        &self,
        provider: ProviderId,
        key: &ApiKey,
        model: &str,
        body: Bytes,
        stream: bool,
    ) -> Result<ChatAnswer, ChatFailure> {
        let (wire, endpoint) = self
            .endpoints
            .iter()
            .find(|(p, _, _)| *p == provider)
            .map(|(_, wire, endpoint)| (*wire, endpoint))
            .ok_or_else(|| {
                failure(
                    provider,
                    FailureKind::Misconfigured,
                    None,
                    "is not reached over HTTP",
                )
            })?;
        let client = self.client.as_ref().ok_or_else(|| {
            failure(
                provider,
                FailureKind::Misconfigured,
                None,
                "the HTTP client could not be initialised",
            )
        })?;
        let url = finish_chat_url(provider, wire, endpoint.clone()?, model, stream)?;
        let (name, prefix) = match wire {
            ChatWire::OpenAi => (reqwest::header::AUTHORIZATION, "Bearer "),
            ChatWire::Anthropic => (reqwest::header::HeaderName::from_static("x-api-key"), ""),
            ChatWire::Gemini => (
                reqwest::header::HeaderName::from_static("x-goog-api-key"),
                "",
            ),
        };
        let mut secret = HeaderValue::from_str(&format!("{prefix}{}", key.expose_secret()))
            .map_err(|_| {
                failure(
                    provider,
                    FailureKind::Misconfigured,
                    None,
                    "the key is not visible ASCII",
                )
            })?;
        secret.set_sensitive(true);
        let mut request = client
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )
            .header(
                reqwest::header::ACCEPT,
                HeaderValue::from_static(if stream {
                    "text/event-stream"
                } else {
                    "application/json"
                }),
            )
            .header(name, secret);
        if wire == ChatWire::Anthropic {
            request = request.header("anthropic-version", HeaderValue::from_static("2023-06-01"));
        }
        // The client's read timeout bounds the wait for the headers (see the module doc).
        let response = match request.body(body).send().await {
            Err(error) => {
                let error = error.without_url();
                let kind = if error.is_timeout() {
                    FailureKind::Timeout
                } else {
                    FailureKind::Connect
                };
                let message = if error.is_connect() {
                    "could not connect".to_owned()
                } else if error.is_timeout() {
                    format!("no answer within {} s", self.limits.idle.as_secs_f64())
                } else {
                    "the request failed".to_owned()
                };
                return Err(failure(provider, kind, None, message));
            }
            Ok(response) => response,
        };
        let status = response.status();
        if status.is_success() {
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            return Ok(ChatAnswer {
                status: status.as_u16(),
                content_type,
                body: AnswerBody::Http(response),
            });
        }
        let retry_after_seconds = retry_after(response.headers());
        let body = read_error_body(response).await;
        let mut failed = classify(provider, status, &body);
        failed.retry_after_seconds = retry_after_seconds.or(failed.retry_after_seconds);
        // The provider's own message reaches the caller for bad requests: never with the key
        // in it, should a provider echo it.
        let secret = key.expose_secret();
        if secret.len() >= 8 && failed.message.contains(secret) {
            failed.message = failed.message.replace(secret, "[REDACTED]");
        }
        Err(failed)
    }
}

fn misconfigured(provider: ProviderId, what: &str) -> ChatFailure {
    failure(provider, FailureKind::Misconfigured, None, what.to_owned())
}

/// The checked URL a wire's requests start from (Gemini's still lacks the model).
fn wire_endpoint(provider: ProviderId, wire: ChatWire, base: &str) -> Result<Url, ChatFailure> {
    let path = match wire {
        ChatWire::OpenAi => "/api/v1/chat/completions",
        ChatWire::Anthropic => "/v1/messages",
        ChatWire::Gemini => "/v1beta/models/",
    };
    endpoint(provider, base, path, &[])
        .map_err(|_| misconfigured(provider, "its configured base URL is not a valid URL"))
}

/// The URL of one request, from its wire's endpoint.
fn finish_chat_url(
    provider: ProviderId,
    wire: ChatWire,
    mut url: Url,
    model: &str,
    stream: bool,
) -> Result<Url, ChatFailure> {
    if wire != ChatWire::Gemini {
        return Ok(url);
    }
    if model.is_empty()
        || model.contains(['/', '?', '#', ':'])
        || model.chars().any(char::is_control)
    {
        return Err(misconfigured(
            provider,
            "the model id is not usable in a URL",
        ));
    }
    let method = if stream {
        "streamGenerateContent"
    } else {
        "generateContent"
    };
    url.path_segments_mut()
        .expect("an http(s) base")
        .pop_if_empty()
        .push(&format!("{model}:{method}"));
    if stream {
        url.set_query(Some("alt=sse"));
    }
    Ok(url)
}

#[cfg(test)]
fn chat_url(
    provider: ProviderId,
    wire: ChatWire,
    base: &str,
    model: &str,
    stream: bool,
) -> Result<Url, ChatFailure> {
    finish_chat_url(
        provider,
        wire,
        wire_endpoint(provider, wire, base)?,
        model,
        stream,
    )
}

async fn read_error_body(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= ERROR_BODY_LIMIT {
            break;
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// The provider's error message from its JSON error body (Anthropic
/// `{"error":{"message"}}`, OpenRouter `{"error":{"message"}}`, Gemini
/// `{"error":{"message","status"}}`, OAuth-style `{"error_description"}`), truncated.
fn error_message(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let message = value
        .pointer("/error/message")
        .or_else(|| value.get("error_description"))
        .or_else(|| value.get("message"))
        .and_then(|m| m.as_str())?;
    let mut message: String = message.chars().filter(|c| !c.is_control()).collect();
    if message.len() > MESSAGE_LIMIT {
        let cut = (0..=MESSAGE_LIMIT)
            .rev()
            .find(|i| message.is_char_boundary(*i))
            .unwrap_or(0);
        message.truncate(cut);
        message.push('…');
    }
    Some(message)
}

/// Sorts a failed answer into a [`FailureKind`].
pub fn classify(provider: ProviderId, status: StatusCode, body: &str) -> ChatFailure {
    let code = status.as_u16();
    let message = error_message(body);
    let lower = message.as_deref().unwrap_or(body).to_ascii_lowercase();
    let mentions = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let kind = match code {
        401 | 403 => FailureKind::Auth,
        402 => FailureKind::InsufficientCredits,
        404 => FailureKind::ModelNotFound,
        408 => FailureKind::Timeout,
        429 => FailureKind::RateLimited,
        300..=399 => FailureKind::Misconfigured,
        500..=599 => FailureKind::Server,
        400..=499 if mentions(&["api key not valid", "api_key_invalid", "invalid x-api-key"]) => {
            FailureKind::Auth
        }
        400..=499
            if mentions(&[
                "credit balance is too low",
                "insufficient credits",
                "insufficient_quota",
            ]) =>
        {
            FailureKind::InsufficientCredits
        }
        400..=499
            if mentions(&[
                "context length",
                "context_length",
                "context window",
                "prompt is too long",
                "maximum context",
                "input token count",
                "too many tokens",
            ]) =>
        {
            FailureKind::ContextLength
        }
        _ => FailureKind::BadRequest,
    };
    let description = match kind {
        FailureKind::BadRequest | FailureKind::ContextLength => {
            message.unwrap_or_else(|| format!("refused the request (HTTP {code})"))
        }
        FailureKind::Auth => format!("refused the credential (HTTP {code})"),
        FailureKind::InsufficientCredits => format!("reports insufficient credits (HTTP {code})"),
        FailureKind::ModelNotFound => format!("does not serve this model (HTTP {code})"),
        FailureKind::RateLimited => format!("is rate limiting requests (HTTP {code})"),
        FailureKind::Misconfigured => {
            format!("redirected (HTTP {code}); redirects are not followed")
        }
        _ => format!("is unavailable (HTTP {code})"),
    };
    let retry_after_seconds = if kind == FailureKind::RateLimited {
        gemini_retry_delay(body)
    } else {
        None
    };
    ChatFailure {
        provider,
        kind,
        status: Some(code),
        retry_after_seconds,
        message: description,
    }
}

/// Gemini's `RetryInfo.retryDelay` ("59s") in a 429 body.
fn gemini_retry_delay(body: &str) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    value
        .pointer("/error/details")?
        .as_array()?
        .iter()
        .find_map(|d| d.get("retryDelay")?.as_str())
        .and_then(|d| d.strip_suffix('s'))
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d >= 0.0)
        .map(|d| d.ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A provider that accepts the connection and never answers, and one that stops in the
    /// middle of its body, both fail as `Timeout` after the one silence limit (the client's
    /// read timeout covers the wait for the headers as well as each chunk).
    #[tokio::test]
    async fn silence_before_the_headers_or_inside_the_body_is_a_timeout() {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            for connection in 0.. {
                let (mut socket, _) = listener.accept().await.unwrap();
                if connection == 1 {
                    socket
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"id\":")
                        .await
                        .unwrap();
                }
                held.push(socket);
            }
        });
        let base = format!("http://{address}");
        let settings = ProviderSettings {
            deco_enabled: false,
            local_mode: false,
            deco_url: base.clone(),
            anthropic_base_url: base.clone(),
            google_base_url: base.clone(),
            openrouter_base_url: base,
        };
        let silence = Duration::from_millis(300);
        let client = ChatClient::new(
            ChatLimits {
                connect: Duration::from_secs(2),
                idle: silence,
            },
            &settings,
        );
        let key = ApiKey::parse("sk-or-v1-test".to_owned(), "apiKey").unwrap();
        let send = || {
            client.send(
                ProviderId::OpenRouter,
                &key,
                "openai/gpt-4o",
                Bytes::from_static(b"{}"),
                false,
            )
        };

        // Without the limit these would wait forever; the test gives up after 5 s.
        let within = |f| tokio::time::timeout(Duration::from_secs(5), f);
        let started = std::time::Instant::now();
        let failed = within(send())
            .await
            .expect("the silence limit applies before the headers")
            .unwrap_err();
        assert_eq!(failed.kind, FailureKind::Timeout);
        assert_eq!(failed.message, "no answer within 0.3 s");
        let waited = started.elapsed();
        assert!(
            waited >= silence && waited < Duration::from_secs(5),
            "{waited:?}"
        );

        let mut answer = within(send()).await.unwrap().unwrap();
        let failed = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match answer.chunk(ProviderId::OpenRouter).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => panic!("the body cannot end: 100 bytes were announced"),
                    Err(failed) => break failed,
                }
            }
        })
        .await
        .expect("the silence limit applies inside the body");
        assert_eq!(failed.kind, FailureKind::Timeout);
    }

    fn kind(status: u16, body: &str) -> FailureKind {
        classify(
            ProviderId::Anthropic,
            StatusCode::from_u16(status).unwrap(),
            body,
        )
        .kind
    }

    #[test]
    fn statuses_and_bodies_map_to_fallback_classes() {
        assert_eq!(
            kind(
                401,
                r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#
            ),
            FailureKind::Auth
        );
        assert_eq!(
            kind(
                400,
                r#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}"#
            ),
            FailureKind::Auth
        );
        assert_eq!(
            kind(
                402,
                r#"{"error":{"code":402,"message":"Insufficient credits"}}"#
            ),
            FailureKind::InsufficientCredits
        );
        assert_eq!(
            kind(
                400,
                r#"{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API."}}"#
            ),
            FailureKind::InsufficientCredits
        );
        assert_eq!(
            kind(
                404,
                r#"{"error":{"code":404,"message":"No endpoints found for x."}}"#
            ),
            FailureKind::ModelNotFound
        );
        assert_eq!(kind(429, "{}"), FailureKind::RateLimited);
        assert_eq!(
            kind(
                529,
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
            ),
            FailureKind::Server
        );
        assert_eq!(kind(500, ""), FailureKind::Server);
        assert_eq!(
            kind(
                400,
                r#"{"error":{"code":400,"message":"This endpoint's maximum context length is 8192 tokens. However, you requested about 9000 tokens"}}"#
            ),
            FailureKind::ContextLength
        );
        assert_eq!(
            kind(
                400,
                r#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}"#
            ),
            FailureKind::ContextLength
        );
        let bad = classify(
            ProviderId::OpenRouter,
            StatusCode::BAD_REQUEST,
            r#"{"error":{"code":400,"message":"messages: must not be empty"}}"#,
        );
        assert_eq!(bad.kind, FailureKind::BadRequest);
        assert_eq!(bad.message, "messages: must not be empty");
        assert_eq!(kind(302, ""), FailureKind::Misconfigured);
    }

    #[test]
    fn gemini_retry_delays_are_read() {
        let body = r#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"59s"}]}}"#;
        let failed = classify(ProviderId::Google, StatusCode::TOO_MANY_REQUESTS, body);
        assert_eq!(failed.retry_after_seconds, Some(59));
    }

    #[test]
    fn urls_are_pinned_to_the_base_and_encode_the_model() {
        let url = chat_url(
            ProviderId::Google,
            ChatWire::Gemini,
            "http://127.0.0.1:9",
            "gemini-2.5-flash",
            true,
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
        );
        let url = chat_url(
            ProviderId::Google,
            ChatWire::Gemini,
            "http://127.0.0.1:9",
            "gemini-2.5-flash",
            false,
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/v1beta/models/gemini-2.5-flash:generateContent"
        );
        assert!(
            chat_url(
                ProviderId::Google,
                ChatWire::Gemini,
                "http://127.0.0.1:9",
                "../x",
                false
            )
            .is_err()
        );
        let url = chat_url(
            ProviderId::Deco,
            ChatWire::OpenAi,
            "https://gw.example/",
            "anthropic/claude",
            true,
        )
        .unwrap();
        assert_eq!(url.as_str(), "https://gw.example/api/v1/chat/completions");
        let url = chat_url(
            ProviderId::Anthropic,
            ChatWire::Anthropic,
            "https://api.anthropic.com",
            "claude",
            false,
        )
        .unwrap();
        assert_eq!(url.as_str(), "https://api.anthropic.com/v1/messages");
    }

    #[test]
    fn messages_are_truncated_and_never_raw_bodies() {
        let long = format!(r#"{{"error":{{"message":"{}"}}}}"#, "x".repeat(1000));
        let failed = classify(ProviderId::Deco, StatusCode::BAD_REQUEST, &long);
        assert!(failed.message.chars().count() <= MESSAGE_LIMIT + 1);
        let failed = classify(
            ProviderId::Deco,
            StatusCode::INTERNAL_SERVER_ERROR,
            "<html>secret stack trace</html>",
        );
        assert_eq!(failed.message, "is unavailable (HTTP 500)");
    }
}
