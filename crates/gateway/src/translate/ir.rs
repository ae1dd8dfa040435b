//! The neutral representation every format is translated to and from.
//!
//! Shape rules the parsers guarantee (and the builders rely on):
//! - `System` messages hold only text; `User` messages text and images; `Assistant`
//!   messages text and tool calls; `Tool` messages only tool results (one or more).
//! - A tool call's `arguments` is a JSON string, as OpenAI sends it.

use serde_json::Value;

/// What a chat request asks for, whatever format it came in.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The model string the caller sent (the gateway resolves it; upstream bodies are built
    /// with the resolved upstream model id).
    pub model: String,
    pub messages: Vec<Message>,
    pub tools: Vec<Tool>,
    pub tool_choice: Option<ToolChoice>,
    pub max_output_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub stop: Vec<String>,
    pub stream: bool,
    /// OpenAI `stream_options.include_usage`: a final usage chunk for the caller.
    pub include_usage: bool,
}

/// Tokens an image is counted as by [`ChatRequest::estimated_input_tokens`].
pub const IMAGE_TOKEN_ESTIMATE: u64 = 1_000;

impl ChatRequest {
    /// Whether the request needs a model with tool use: it declares tools or its history
    /// holds tool calls or results.
    pub fn needs_tools(&self) -> bool {
        !self.tools.is_empty()
            || self
                .parts()
                .any(|p| matches!(p, Part::ToolCall(_) | Part::ToolResult(_)))
    }

    /// Whether the request holds an image.
    pub fn needs_vision(&self) -> bool {
        self.parts().any(|p| matches!(p, Part::Image(_)))
    }

    /// A rough size of the prompt for choosing a model with a large enough context: the
    /// characters of every text, tool call, tool result and tool declaration (name,
    /// description, JSON schema) divided by 4 (rounded up), plus
    /// [`IMAGE_TOKEN_ESTIMATE`] per image. Tokenizers differ; this is a heuristic for
    /// English-like text, not a count.
    pub fn estimated_input_tokens(&self) -> u64 {
        let mut chars = 0usize;
        let mut images = 0u64;
        for part in self.parts() {
            match part {
                Part::Text(t) => chars += t.chars().count(),
                Part::Image(_) => images += 1,
                Part::ToolCall(c) => chars += c.name.chars().count() + c.arguments.chars().count(),
                Part::ToolResult(r) => chars += r.content.chars().count(),
            }
        }
        for tool in &self.tools {
            chars += tool.name.chars().count()
                + tool.description.as_deref().map_or(0, |d| d.chars().count())
                + tool.parameters.to_string().chars().count();
        }
        (chars as u64).div_ceil(4) + images * IMAGE_TOKEN_ESTIMATE
    }

    /// The caller's output limit, if it gave one.
    pub fn max_output_tokens(&self) -> Option<u32> {
        self.max_output_tokens
    }

    fn parts(&self) -> impl Iterator<Item = &Part> {
        self.messages.iter().flat_map(|m| &m.parts)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: Role,
    pub parts: Vec<Part>,
}

impl Message {
    pub fn new(role: Role, parts: Vec<Part>) -> Self {
        Self { role, parts }
    }

    /// The text parts, concatenated with `sep`.
    pub fn text(&self, sep: &str) -> String {
        let texts: Vec<&str> = self
            .parts
            .iter()
            .filter_map(|p| match p {
                Part::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        texts.join(sep)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    Image(Image),
    ToolCall(ToolCall),
    ToolResult(ToolResult),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Image {
    /// An `http(s)` URL the upstream fetches.
    Url(String),
    /// Inline bytes, base64-encoded (standard alphabet, padded); `media_type` is `image/*`.
    Base64 { media_type: String, data: String },
}

/// An id for a tool call whose provider gave none (Gemini never does; an OpenAI-compatible
/// provider may not): `call_` and 32 random hex digits, unique across turns and requests,
/// so a conversation that moves to another provider (Anthropic refuses repeated
/// `tool_use` ids) still pairs every result with its call.
pub fn new_tool_call_id() -> String {
    format!("call_{}", uuid::Uuid::new_v4().simple())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// A JSON string (normally an object).
    pub arguments: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolResult {
    pub tool_call_id: String,
    /// The result as text (text blocks joined with newlines).
    pub content: String,
    pub is_error: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    pub name: String,
    pub description: Option<String>,
    /// A JSON schema of the arguments (an object schema).
    pub parameters: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoice {
    Auto,
    None,
    /// At least one tool call (OpenAI `required`, Anthropic `any`, Gemini `ANY`).
    Required,
    /// This tool.
    Tool(String),
}

/// A complete (non-streamed) answer, whatever format it came in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChatResponse {
    /// The upstream's id of the response, if it gave one (callers get their own ids).
    pub id: Option<String>,
    /// The model the upstream says answered.
    pub model: Option<String>,
    /// All text parts, concatenated (empty when there is none).
    pub text: String,
    pub tool_calls: Vec<ToolCall>,
    pub finish_reason: FinishReason,
    pub usage: Usage,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FinishReason {
    #[default]
    Stop,
    Length,
    ToolCalls,
    ContentFilter,
    /// Anything else, as the upstream spelled it.
    Other(String),
}

impl FinishReason {
    /// OpenAI `finish_reason` (`Other` becomes `stop`).
    pub fn as_openai(&self) -> &'static str {
        match self {
            Self::Stop | Self::Other(_) => "stop",
            Self::Length => "length",
            Self::ToolCalls => "tool_calls",
            Self::ContentFilter => "content_filter",
        }
    }

    /// Anthropic `stop_reason` (`Stop` and `Other` become `end_turn`: which stop sequence
    /// matched is not kept).
    pub fn as_anthropic(&self) -> &'static str {
        match self {
            Self::Stop | Self::Other(_) => "end_turn",
            Self::Length => "max_tokens",
            Self::ToolCalls => "tool_use",
            Self::ContentFilter => "refusal",
        }
    }

    pub fn from_openai(s: &str) -> Self {
        match s {
            "stop" => Self::Stop,
            "length" => Self::Length,
            "tool_calls" | "function_call" => Self::ToolCalls,
            "content_filter" => Self::ContentFilter,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn from_anthropic(s: &str) -> Self {
        match s {
            "end_turn" | "stop_sequence" => Self::Stop,
            "max_tokens" | "model_context_window_exceeded" => Self::Length,
            "tool_use" => Self::ToolCalls,
            "refusal" => Self::ContentFilter,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Gemini `finishReason`; `STOP` with function calls in the answer is `ToolCalls` (the
    /// caller decides, Gemini says `STOP` either way).
    pub fn from_gemini(s: &str, has_tool_calls: bool) -> Self {
        match s {
            "STOP" if has_tool_calls => Self::ToolCalls,
            "STOP" => Self::Stop,
            "MAX_TOKENS" => Self::Length,
            "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII"
            | "IMAGE_SAFETY" => Self::ContentFilter,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// Token counts. `input_tokens` includes the cached ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Prompt tokens read from a cache (part of `input_tokens`).
    pub cached_input_tokens: u64,
}

impl Usage {
    pub fn total_tokens(&self) -> u64 {
        self.input_tokens + self.output_tokens
    }

    /// From Anthropic's counts, where `input_tokens` excludes cache reads and writes.
    pub fn from_anthropic(input: u64, cache_read: u64, cache_creation: u64, output: u64) -> Self {
        Self {
            input_tokens: input + cache_read + cache_creation,
            output_tokens: output,
            cached_input_tokens: cache_read,
        }
    }

    /// Anthropic's `input_tokens` (the uncached part).
    pub fn anthropic_input_tokens(&self) -> u64 {
        self.input_tokens.saturating_sub(self.cached_input_tokens)
    }
}
