//! Translation between the callers' wire formats and the upstream ones, through one neutral
//! representation ([`ir`]). Pure: no IO, no clock, no randomness — ids and timestamps come
//! from the caller of these functions.
//!
//! | step | OpenAI Chat Completions | Anthropic Messages | Gemini generateContent |
//! |---|---|---|---|
//! | caller request → [`ChatRequest`] | [`openai::parse_request`] | [`anthropic::parse_request`] | — |
//! | [`ChatRequest`] → upstream body | [`openai::build_request`] | [`anthropic::build_request`] | [`gemini::build_request`] |
//! | upstream body → [`ChatResponse`] | [`openai::parse_response`] | [`anthropic::parse_response`] | [`gemini::parse_response`] |
//! | [`ChatResponse`] → caller body | [`openai::render_response`] | [`anthropic::render_response`] | — |
//! | streaming | [`StreamTranslator`] (any upstream format → either caller format) | | |
//! | [`ChatResponse`] → caller stream, all at once | [`render_stream`] | [`render_stream`] | — |
//!
//! Errors are [`TranslateError`]s. Those about the caller's request
//! ([`TranslateError::is_caller_error`]) name the offending field by its JSON path (e.g.
//! `messages[2].content[1].image_url.url`) and become HTTP 400s; the others describe an
//! upstream response the gateway could not understand.
//!
//! What every direction drops or changes is documented on the module doing it; the general
//! rules are:
//! - Only what the neutral representation holds survives a translation: text, images, tool
//!   calls and results, tools and tool choice, max tokens, temperature, top_p, stop
//!   sequences, streaming. Sampling extras (`seed`, penalties, `logprobs`, `n`, response
//!   formats, reasoning/thinking settings, `metadata`, `user`, cache-control markers) are
//!   dropped; thinking/reasoning content in responses is dropped.
//! - Tool-call arguments travel as JSON strings (the OpenAI form); formats that want objects
//!   get the parsed string (`{}` when it is not a JSON object).
//! - Usage: `input_tokens` counts every prompt token, cached ones included (the OpenAI
//!   meaning); `cached_input_tokens` is the part read from a prompt cache.

mod error;
mod image;
mod json;

pub mod anthropic;
pub mod gemini;
pub mod ir;
pub mod openai;
pub mod stream;

#[cfg(test)]
mod tests;

pub use error::TranslateError;
pub use ir::{
    ChatRequest, ChatResponse, FinishReason, Image, Message, Part, Role, Tool, ToolCall,
    ToolChoice, ToolResult, Usage,
};
pub use stream::{
    CallerFormat, SseEvent, StreamEnd, StreamOptions, StreamTranslator, UpstreamFormat,
    render_stream,
};
