//! OpenAI Chat Completions: the caller format of `POST /v1/chat/completions` and the
//! upstream format of OpenAI-compatible providers (OpenRouter, deco, OpenAI itself).
//!
//! Translation decisions:
//! - Incoming `system` and `developer` messages are both system messages; a message's
//!   `name`, `refusal` parts, legacy `function_call`/`functions`, `parallel_tool_calls`,
//!   `n`, `seed`, penalties, `logprobs`, `response_format`, `reasoning_effort`, `user` are
//!   dropped. `input_audio` and `file` parts, non-`function` tools and the `function` role
//!   are refused ([`TranslateError::Unsupported`](super::TranslateError) /
//!   [`UnknownRole`](super::TranslateError::UnknownRole)).
//! - `max_completion_tokens` wins over `max_tokens`; the upstream body always uses
//!   `max_tokens` (what OpenRouter and most compatible servers read).
//! - Upstream streams always ask for usage (`stream_options.include_usage`), so that the
//!   gateway can count tokens whatever the caller asked; the caller only gets the usage
//!   chunk if it asked for it.
//! - Upstream bodies: system messages become one string each; a user message with a single
//!   text part is sent as a string; an assistant's text parts are concatenated; each tool
//!   result is its own `tool` message (`is_error` is dropped: OpenAI has no such flag).
//! - Responses: `choices[0]` only; a `refusal` with no content becomes the text.

mod build;
mod parse;
mod response;

pub use build::build_request;
pub use parse::{parse_request, parse_request_value};
pub use response::{Completion, parse_response, render_response};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::json::null_default;

/// An upstream `chat.completion` (tolerant: unknown fields ignored, nulls accepted).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ChatCompletion {
    pub id: Option<String>,
    pub model: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub choices: Vec<Choice>,
    pub usage: Option<WireUsage>,
    /// OpenRouter reports some failures as a 200 with an `error` body.
    pub error: Option<WireError>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Choice {
    pub index: u32,
    pub message: Option<ResponseMessage>,
    pub finish_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ResponseMessage {
    pub role: Option<String>,
    /// A string, or (some compatible servers) an array of text parts.
    pub content: Option<Value>,
    pub refusal: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub tool_calls: Vec<WireToolCall>,
}

/// A tool call, whole (responses) or a fragment of one (stream deltas).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WireToolCall {
    /// Stream deltas only: which call this fragment belongs to.
    pub index: Option<u32>,
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub function: WireFunction,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WireFunction {
    pub name: Option<String>,
    /// A JSON string (a few servers send an object).
    pub arguments: Option<Value>,
}

impl WireFunction {
    /// The arguments as a JSON string (`""` when absent).
    pub fn arguments_string(&self) -> String {
        match &self.arguments {
            None => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WireUsage {
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    pub total_tokens: Option<u64>,
    pub prompt_tokens_details: Option<PromptTokensDetails>,
}

impl WireUsage {
    pub fn to_usage(&self) -> super::Usage {
        super::Usage {
            input_tokens: self.prompt_tokens.unwrap_or(0),
            output_tokens: self.completion_tokens.unwrap_or(0),
            cached_input_tokens: self
                .prompt_tokens_details
                .as_ref()
                .and_then(|d| d.cached_tokens)
                .unwrap_or(0),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PromptTokensDetails {
    pub cached_tokens: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WireError {
    pub message: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub code: Option<Value>,
}

impl WireError {
    pub fn message(&self) -> String {
        self.message
            .clone()
            .unwrap_or_else(|| "unknown upstream error".to_owned())
    }
}

/// An upstream `chat.completion.chunk`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ChatCompletionChunk {
    pub id: Option<String>,
    pub model: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub choices: Vec<ChunkChoice>,
    pub usage: Option<WireUsage>,
    pub error: Option<WireError>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ChunkChoice {
    pub index: u32,
    #[serde(deserialize_with = "null_default")]
    pub delta: ChunkDelta,
    pub finish_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ChunkDelta {
    pub role: Option<String>,
    pub content: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub tool_calls: Vec<WireToolCall>,
}

/// The `usage` object of a caller response or final chunk.
#[derive(Debug, Serialize)]
pub struct CallerUsage {
    prompt_tokens: u64,
    completion_tokens: u64,
    total_tokens: u64,
    prompt_tokens_details: CachedTokens,
}

#[derive(Debug, Serialize)]
struct CachedTokens {
    cached_tokens: u64,
}

impl CallerUsage {
    pub fn new(usage: &super::Usage) -> Self {
        Self {
            prompt_tokens: usage.input_tokens,
            completion_tokens: usage.output_tokens,
            total_tokens: usage.total_tokens(),
            prompt_tokens_details: CachedTokens {
                cached_tokens: usage.cached_input_tokens,
            },
        }
    }
}

/// [`CallerUsage`] as a JSON value, for chunks built as values.
pub(crate) fn usage_json(usage: &super::Usage) -> Value {
    serde_json::to_value(CallerUsage::new(usage)).unwrap_or_default()
}

/// The body of a mid-stream error event for an OpenAI caller.
pub fn error_chunk(message: &str) -> Value {
    serde_json::json!({"error": {"message": message, "type": "upstream_error"}})
}
