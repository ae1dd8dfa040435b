//! Gemini upstream streams (`?alt=sse`) → OpenAI and Anthropic callers.

use serde_json::{Value, json};

use super::{chunk, done, ev, feed_all, opts, parsed, parsed_numbered, usage_chunk};
use crate::translate::{
    CallerFormat, FinishReason, StreamTranslator, TranslateError, UpstreamFormat, Usage,
};

const TEXT: &str = r#"data: {"candidates": [{"content": {"parts": [{"text": "Hello"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 9,"candidatesTokenCount": 1,"totalTokenCount": 10},"modelVersion": "gemini-2.5-flash","responseId": "r1"}

data: {"candidates": [{"content": {"parts": [{"text": " there!"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 9,"candidatesTokenCount": 3,"totalTokenCount": 12},"modelVersion": "gemini-2.5-flash","responseId": "r1"}

data: {"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 9,"candidatesTokenCount": 4,"totalTokenCount": 13},"modelVersion": "gemini-2.5-flash","responseId": "r1"}

"#;

const TOOLS: &str = r#"data: {"candidates": [{"content": {"parts": [{"text": "Checking both."}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 50,"candidatesTokenCount": 3,"totalTokenCount": 53}}

data: {"candidates": [{"content": {"parts": [{"functionCall": {"name": "get_weather","args": {"city": "Paris"}},"thoughtSignature": "c2ln"},{"functionCall": {"name": "get_weather","args": {"city": "Rome"}}}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 50,"candidatesTokenCount": 20,"thoughtsTokenCount": 10,"totalTokenCount": 80,"cachedContentTokenCount": 32}}

"#;

#[test]
fn text_to_openai_caller() {
    let mut t = StreamTranslator::new(UpstreamFormat::Gemini, CallerFormat::OpenAi, opts(true));
    let outputs = feed_all(&mut t, TEXT);
    assert_eq!(
        parsed(&outputs.concat()),
        vec![
            chunk(
                json!({"role": "assistant", "content": "Hello"}),
                json!(null)
            ),
            chunk(json!({"content": " there!"}), json!(null)),
        ]
    );
    let end = t.finish();
    assert_eq!(
        parsed(&end.events),
        vec![
            chunk(json!({}), json!("stop")),
            usage_chunk(9, 4, 0),
            done()
        ]
    );
    assert_eq!(end.finish_reason, FinishReason::Stop);
}

#[test]
fn text_to_anthropic_caller() {
    let mut t = StreamTranslator::new(UpstreamFormat::Gemini, CallerFormat::Anthropic, opts(false));
    let mut all = feed_all(&mut t, TEXT).concat();
    all.extend(t.finish().events);
    assert_eq!(
        parsed(&all),
        vec![
            ev(
                "message_start",
                json!({"type": "message_start", "message": {
                    "id": "gw-1", "type": "message", "role": "assistant", "model": "anthropic/claude-sonnet-4-5",
                    "content": [], "stop_reason": null, "stop_sequence": null,
                    "usage": {"input_tokens": 9, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
                }})
            ),
            ev(
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
            ),
            ev(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}})
            ),
            ev(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " there!"}})
            ),
            ev(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0})
            ),
            ev(
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                "usage": {"input_tokens": 9, "output_tokens": 4, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}})
            ),
            ev("message_stop", json!({"type": "message_stop"})),
        ]
    );
}

#[test]
fn function_calls_to_openai_caller() {
    let mut t = StreamTranslator::new(UpstreamFormat::Gemini, CallerFormat::OpenAi, opts(true));
    let all = feed_all(&mut t, TOOLS).concat();
    let call = |fields: Value| chunk(json!({"tool_calls": [fields]}), json!(null));
    assert_eq!(
        parsed_numbered(&all),
        vec![
            chunk(
                json!({"role": "assistant", "content": "Checking both."}),
                json!(null)
            ),
            call(
                json!({"index": 0, "id": "call_0", "type": "function", "function": {"name": "get_weather", "arguments": ""}})
            ),
            call(json!({"index": 0, "function": {"arguments": "{\"city\":\"Paris\"}"}})),
            call(
                json!({"index": 1, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}})
            ),
            call(json!({"index": 1, "function": {"arguments": "{\"city\":\"Rome\"}"}})),
        ]
    );
    let end = t.finish();
    assert_eq!(
        parsed(&end.events),
        vec![
            chunk(json!({}), json!("tool_calls")),
            usage_chunk(50, 30, 32),
            done()
        ]
    );
    assert_eq!(
        end.usage,
        Usage {
            input_tokens: 50,
            output_tokens: 30,
            cached_input_tokens: 32
        }
    );
}

#[test]
fn function_calls_to_anthropic_caller() {
    let mut t = StreamTranslator::new(UpstreamFormat::Gemini, CallerFormat::Anthropic, opts(false));
    let mut all = feed_all(&mut t, TOOLS).concat();
    all.extend(t.finish().events);
    let names: Vec<_> = all.iter().map(|e| e.event.unwrap()).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop",
        ]
    );
    let events = parsed_numbered(&all);
    assert_eq!(
        events[4].1["content_block"],
        json!({"type": "tool_use", "id": "call_0", "name": "get_weather", "input": {}})
    );
    assert_eq!(
        events[5].1["delta"],
        json!({"type": "input_json_delta", "partial_json": "{\"city\":\"Paris\"}"})
    );
    assert_eq!(
        (
            events[7].1["index"].clone(),
            events[7].1["content_block"]["id"].clone()
        ),
        (json!(2), json!("call_1"))
    );
    assert_eq!(
        events[10].1,
        json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null},
            "usage": {"input_tokens": 18, "output_tokens": 30, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 32}})
    );
}

#[test]
fn mid_stream_errors_and_safety_stops() {
    let mut t = StreamTranslator::new(UpstreamFormat::Gemini, CallerFormat::OpenAi, opts(false));
    feed_all(&mut t, TEXT.split("\n\n").next().unwrap());
    assert!(t.has_emitted());
    let err = t
        .feed(None, r#"{"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}"#)
        .unwrap_err();
    assert_eq!(
        err,
        TranslateError::Upstream {
            message: "UNAVAILABLE: The model is overloaded.".into()
        }
    );

    let mut t = StreamTranslator::new(UpstreamFormat::Gemini, CallerFormat::Anthropic, opts(false));
    let out = t
        .feed(
            None,
            r#"{"candidates": [{"finishReason": "SAFETY", "index": 0}]}"#,
        )
        .unwrap();
    assert!(out.is_empty());
    let end = t.finish();
    assert_eq!(end.finish_reason, FinishReason::ContentFilter);
    assert_eq!(parsed(&end.events)[1].1["delta"]["stop_reason"], "refusal");
}
