//! Anthropic Messages: the caller format of `POST /v1/messages` and the upstream format of
//! Anthropic keys.
//!
//! Translation decisions:
//! - Incoming: `system` (string or text blocks) becomes leading system messages;
//!   `cache_control`, `metadata`, `thinking`, `service_tier`, `top_k` are dropped;
//!   `thinking`/`redacted_thinking` blocks in the history are dropped; `document` and other
//!   non-basic blocks, and server tools (a `type` other than `custom`), are refused.
//!   `max_tokens` is optional here (the upstream gets a default).
//! - A user message's `tool_result` blocks become a neutral tool message placed where they
//!   were; images inside a `tool_result` move to a user message right after the run of tool
//!   results (neither OpenAI nor Gemini has images in tool results); text blocks of a
//!   result are joined with newlines.
//! - Upstream bodies: every system message is hoisted into `system`, wherever it was;
//!   consecutive messages of the same Anthropic role (tool results are `user`) are merged;
//!   empty texts and empty messages are left out (Anthropic refuses them); tool-call ids
//!   are made Anthropic-safe (any character outside `[A-Za-z0-9_-]` becomes `_`, the same
//!   in calls and results); `temperature` is clamped to 0..=1 and `top_p` is only sent
//!   without `temperature` (recent models refuse both); `max_tokens` is the caller's or the
//!   given default.
//! - Usage: neutral input = `input_tokens` + `cache_read_input_tokens` +
//!   `cache_creation_input_tokens`, cached = `cache_read_input_tokens`; rendering back puts
//!   the uncached part in `input_tokens` (cache writes are not told apart).
//! - Responses: text blocks are concatenated into one; `thinking` blocks are dropped;
//!   `stop_sequence` becomes `end_turn` on the way back (see
//!   [`FinishReason::as_anthropic`](super::FinishReason::as_anthropic)).

mod build;
mod parse;
mod response;

pub use build::build_request;
pub use parse::{parse_request, parse_request_value};
pub use response::{Message, parse_response, render_response};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Usage;
use super::json::null_default;

/// An upstream `message` (also the `message` of a `message_start` event).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MessageResponse {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub id: Option<String>,
    pub model: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub content: Vec<ContentBlock>,
    pub stop_reason: Option<String>,
    pub usage: Option<WireUsage>,
    /// Set on `{"type":"error"}` bodies.
    pub error: Option<WireError>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    Text {
        #[serde(default)]
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default)]
        input: Value,
    },
    /// `thinking`, `redacted_thinking`, server tool blocks…
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct WireUsage {
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub cache_read_input_tokens: Option<u64>,
    pub cache_creation_input_tokens: Option<u64>,
}

impl WireUsage {
    pub fn to_usage(&self) -> Usage {
        Usage::from_anthropic(
            self.input_tokens.unwrap_or(0),
            self.cache_read_input_tokens.unwrap_or(0),
            self.cache_creation_input_tokens.unwrap_or(0),
            self.output_tokens.unwrap_or(0),
        )
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WireError {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub message: Option<String>,
}

impl WireError {
    pub fn message(&self) -> String {
        match (&self.kind, &self.message) {
            (Some(kind), Some(message)) => format!("{kind}: {message}"),
            (None, Some(message)) => message.clone(),
            (Some(kind), None) => kind.clone(),
            (None, None) => "unknown upstream error".to_owned(),
        }
    }
}

/// One upstream streaming event (the `data` of an SSE event).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    MessageStart {
        message: MessageResponse,
    },
    ContentBlockStart {
        index: u32,
        content_block: ContentBlock,
    },
    ContentBlockDelta {
        index: u32,
        delta: BlockDelta,
    },
    ContentBlockStop {
        index: u32,
    },
    MessageDelta {
        #[serde(default)]
        delta: MessageDeltaBody,
        #[serde(default)]
        usage: Option<WireUsage>,
    },
    MessageStop,
    Ping,
    Error {
        #[serde(default)]
        error: WireError,
    },
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BlockDelta {
    TextDelta {
        text: String,
    },
    InputJsonDelta {
        partial_json: String,
    },
    /// `thinking_delta`, `signature_delta`, `citations_delta`…
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MessageDeltaBody {
    pub stop_reason: Option<String>,
    pub stop_sequence: Option<String>,
}

/// The `usage` object of a caller `message` / `message_start` / `message_delta`.
#[derive(Debug, Serialize)]
pub struct CallerUsage {
    input_tokens: u64,
    output_tokens: u64,
    cache_creation_input_tokens: u64,
    cache_read_input_tokens: u64,
}

impl CallerUsage {
    pub fn new(usage: &Usage) -> Self {
        Self {
            input_tokens: usage.anthropic_input_tokens(),
            output_tokens: usage.output_tokens,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: usage.cached_input_tokens,
        }
    }
}

/// [`CallerUsage`] as a JSON value, for events built as values.
pub(crate) fn usage_json(usage: &Usage) -> Value {
    serde_json::to_value(CallerUsage::new(usage)).unwrap_or_default()
}

/// The body of a mid-stream `error` event for an Anthropic caller.
pub fn error_event(message: &str) -> Value {
    json!({"type": "error", "error": {"type": "api_error", "message": message}})
}
