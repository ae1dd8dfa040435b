//! Unit tests of the translation layer, by direction.

mod anthropic_in;
mod build;
mod errors;
mod openai_in;
mod responses;
mod stream_anthropic;
mod stream_gemini;
mod stream_openai;
mod whole;

use serde_json::Value;

use super::{SseEvent, StreamOptions, StreamTranslator};

/// A small valid PNG header, base64.
pub(super) const PNG_B64: &str = "iVBORw0KGgoAAAANSUhEUg==";

pub(super) fn opts(include_usage: bool) -> StreamOptions {
    StreamOptions {
        id: "gw-1".into(),
        model: "anthropic/claude-sonnet-4-5".into(),
        created: 1_700_000_000,
        include_usage,
    }
}

/// Splits raw SSE text into (event name, data) pairs.
pub(super) fn sse(text: &str) -> Vec<(Option<String>, String)> {
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut event = None;
            let mut data = Vec::new();
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event: ") {
                    event = Some(e.to_owned());
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data.push(d);
                }
            }
            (event, data.join("\n"))
        })
        .collect()
}

/// Feeds every event of a raw SSE text; returns what came out after each.
pub(super) fn feed_all(t: &mut StreamTranslator, text: &str) -> Vec<Vec<SseEvent>> {
    sse(text)
        .into_iter()
        .map(|(event, data)| t.feed(event.as_deref(), &data).expect("feed"))
        .collect()
}

/// Whether `s` is a fresh tool-call id: `call_` and 32 lowercase hex digits.
fn is_fresh_call_id(s: &str) -> bool {
    s.strip_prefix("call_").is_some_and(|hex| {
        hex.len() == 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Renames fresh tool-call ids `call_0`, `call_1`… in order of first appearance (the same
/// id the same name): what tests compare, having checked the ids' form, and that distinct
/// calls got distinct ids.
pub(super) fn number_fresh_ids(value: &mut Value, seen: &mut Vec<String>) {
    match value {
        Value::String(s) if is_fresh_call_id(s) => {
            let n = seen.iter().position(|id| id == s).unwrap_or_else(|| {
                seen.push(s.clone());
                seen.len() - 1
            });
            *s = format!("call_{n}");
        }
        Value::Array(items) => items.iter_mut().for_each(|v| number_fresh_ids(v, seen)),
        Value::Object(map) => map.values_mut().for_each(|v| number_fresh_ids(v, seen)),
        _ => {}
    }
}

/// [`parsed`], with fresh tool-call ids numbered by [`number_fresh_ids`].
pub(super) fn parsed_numbered(events: &[SseEvent]) -> Vec<(Option<&'static str>, Value)> {
    let mut seen = Vec::new();
    let mut events = parsed(events);
    for (_, data) in &mut events {
        number_fresh_ids(data, &mut seen);
    }
    events
}

/// Events as (name, parsed data); `[DONE]` stays a string.
pub(super) fn parsed(events: &[SseEvent]) -> Vec<(Option<&'static str>, Value)> {
    events
        .iter()
        .map(|e| {
            let data = if e.data == "[DONE]" {
                Value::String(e.data.clone())
            } else {
                serde_json::from_str(&e.data).expect("event data is JSON")
            };
            (e.event, data)
        })
        .collect()
}

/// An expected OpenAI chunk for [`opts`].
pub(super) fn chunk(delta: Value, finish_reason: Value) -> (Option<&'static str>, Value) {
    let data = serde_json::json!({
        "id": "gw-1",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "anthropic/claude-sonnet-4-5",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    });
    (None, data)
}

/// The expected OpenAI usage chunk for [`opts`].
pub(super) fn usage_chunk(
    prompt: u64,
    completion: u64,
    cached: u64,
) -> (Option<&'static str>, Value) {
    let data = serde_json::json!({
        "id": "gw-1",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "anthropic/claude-sonnet-4-5",
        "choices": [],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached},
        },
    });
    (None, data)
}

pub(super) fn done() -> (Option<&'static str>, Value) {
    (None, Value::String("[DONE]".into()))
}

/// An expected Anthropic event.
pub(super) fn ev(name: &'static str, data: Value) -> (Option<&'static str>, Value) {
    (Some(name), data)
}
