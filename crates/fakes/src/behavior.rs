//! How a fake answers ([`Behavior`]) and what it saw ([`RecordedRequest`]).

use std::time::Duration;

/// How a fake answers. Set for a whole fake with `FakeServer::set_behavior` or for one path
/// with `FakeServer::set_route_behavior`. Every request is recorded before it applies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Behavior {
    /// The provider's real behaviour: routes, auth, pagination.
    #[default]
    Normal,
    /// An arbitrary response. `content-type: application/json` is added unless `headers`
    /// carries a content type.
    Status {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// The provider's "bad key" answer: Anthropic 401 `authentication_error`; Gemini 400
    /// `INVALID_ARGUMENT`/`API_KEY_INVALID`; OpenRouter and Deco 401 "User not found.".
    Unauthorized,
    /// Anthropic 429 `rate_limit_error` + `retry-after`; Gemini 429 `RESOURCE_EXHAUSTED` with
    /// `RetryInfo.retryDelay` = `"<n>s"` and no `Retry-After`; OpenRouter/Deco 429 +
    /// `Retry-After`.
    RateLimited { retry_after_seconds: u64 },
    /// This status with the provider's error body (Anthropic: 529 `overloaded_error`, 500
    /// `api_error`, 402 `billing_error`, …; Gemini: 500 `INTERNAL`, 503 `UNAVAILABLE`, …;
    /// OpenRouter/Deco: 402 "Insufficient credits", otherwise the status' reason phrase).
    ServerError(u16),
    /// Sleep, then behave [`Behavior::Normal`].
    Delay(Duration),
    /// Never answer; the connection stays open until the client gives up.
    Hang,
    /// 200, `content-type: application/json`, a body that is not JSON.
    Malformed,
    /// 200 with the first half of what [`Behavior::Normal`] would have sent.
    Truncated,
    /// 302 with `Location: <url>`.
    Redirect(String),
    /// 200 with a valid one-model list of about this many bytes (the model's `description`
    /// is padded).
    Huge(usize),
    /// A streamed (SSE) answer sends its first `after_events` events (every `event:`/`data:`
    /// block counts, Anthropic's `ping` and OpenAI's `data: [DONE]` included), then the body
    /// fails and the connection is dropped: the client sees a 200, those events and then an
    /// incomplete body. No usage is recorded for it. Non-streamed answers behave
    /// [`Behavior::Normal`].
    FailMidStream { after_events: usize },
}

impl Behavior {
    /// [`Behavior::Status`] with Anthropic's error body
    /// `{"type":"error","error":{"type":kind,"message":message}}`, e.g.
    /// `anthropic_error(529, "overloaded_error", "Overloaded")`.
    pub fn anthropic_error(status: u16, kind: &str, message: &str) -> Self {
        let body =
            serde_json::json!({"type": "error", "error": {"type": kind, "message": message}});
        Self::status_json(status, body)
    }

    /// [`Behavior::Status`] with Gemini's error body
    /// `{"error":{"code":status,"message":message,"status":rpc_status}}`, e.g.
    /// `google_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")`.
    pub fn google_error(status: u16, rpc_status: &str, message: &str) -> Self {
        let body = serde_json::json!({"error": {"code": status, "message": message, "status": rpc_status}});
        Self::status_json(status, body)
    }

    /// [`Behavior::Status`] with the OpenRouter/Deco error body
    /// `{"error":{"code":status,"message":message}}`, e.g.
    /// `openrouter_error(402, "Insufficient credits")`.
    pub fn openrouter_error(status: u16, message: &str) -> Self {
        let body = serde_json::json!({"error": {"code": status, "message": message}});
        Self::status_json(status, body)
    }

    fn status_json(status: u16, body: serde_json::Value) -> Self {
        Self::Status {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }
}

/// One request as a fake received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// The raw query string without `?`; empty when there is none.
    pub query: String,
    /// Header names in lowercase, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The request body as text (invalid UTF-8 replaced), cut at 64 KiB; empty when there is
    /// none (every GET).
    pub body: String,
}

impl RecordedRequest {
    /// The first value of this header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of this query parameter, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        parse_query(&self.query)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// The body parsed as JSON, if it is JSON (and was not cut).
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// Whether this request continues a paginated listing (a non-empty `after_id`,
    /// `before_id` or `pageToken`).
    pub fn has_page_cursor(&self) -> bool {
        parse_query(&self.query).iter().any(|(n, v)| {
            matches!(n.as_str(), "after_id" | "before_id" | "pageToken") && !v.is_empty()
        })
    }
}

/// `application/x-www-form-urlencoded` pairs (`+` is a space); malformed escapes are kept.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(n, true), decode(v, true))
        })
        .collect()
}

/// Percent-decodes `s`; `+` is a space when `plus_is_space` (query strings, not paths).
pub(crate) fn decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' => {
                match (
                    bytes.get(i + 1).copied().and_then(hex),
                    bytes.get(i + 2).copied().and_then(hex),
                ) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
