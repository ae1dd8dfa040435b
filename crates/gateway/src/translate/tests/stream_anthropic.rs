//! Anthropic upstream streams → OpenAI and Anthropic callers.

use serde_json::json;

use super::{chunk, done, ev, feed_all, opts, parsed, usage_chunk};
use crate::translate::{
    CallerFormat, FinishReason, StreamTranslator, TranslateError, UpstreamFormat, Usage,
};

/// The reference fixture (provider-apis.md §1.5).
const BASIC: &str = r#"event: message_start
data: {"type":"message_start","message":{"id":"msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK","type":"message","role":"assistant","content":[],"model":"claude-3-opus-latest","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there!"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}}

event: message_stop
data: {"type":"message_stop"}

"#;

const TOOL_USE: &str = r#"event: message_start
data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_read_input_tokens":100,"cache_creation_input_tokens":0,"output_tokens":2}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking."}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Par"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"is\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}

"#;

#[test]
fn reference_sequence_to_openai_caller_with_usage() {
    let mut t = StreamTranslator::new(UpstreamFormat::Anthropic, CallerFormat::OpenAi, opts(true));
    let outputs = feed_all(&mut t, BASIC);
    // message_start, content_block_start and ping produce nothing yet.
    assert!(outputs[..3].iter().all(Vec::is_empty));
    assert_eq!(
        parsed(&outputs[3]),
        vec![chunk(
            json!({"role": "assistant", "content": "Hello"}),
            json!(null)
        )]
    );
    assert_eq!(
        parsed(&outputs[4]),
        vec![chunk(json!({"content": " there!"}), json!(null))]
    );
    assert!(outputs[5..].iter().all(Vec::is_empty));
    assert!(t.has_emitted());
    let end = t.finish();
    assert_eq!(
        parsed(&end.events),
        vec![
            chunk(json!({}), json!("stop")),
            usage_chunk(11, 6, 0),
            done()
        ]
    );
    assert_eq!(
        end.usage,
        Usage {
            input_tokens: 11,
            output_tokens: 6,
            cached_input_tokens: 0
        }
    );
    assert_eq!(end.finish_reason, FinishReason::Stop);
    assert!(t.finish().events.is_empty(), "finish is idempotent");
}

#[test]
fn reference_sequence_passes_through_to_anthropic_caller() {
    let mut t = StreamTranslator::new(
        UpstreamFormat::Anthropic,
        CallerFormat::Anthropic,
        opts(false),
    );
    let outputs = feed_all(&mut t, BASIC);
    assert!(
        outputs[..3].iter().all(Vec::is_empty),
        "opening events are held"
    );
    let mut early = StreamTranslator::new(
        UpstreamFormat::Anthropic,
        CallerFormat::Anthropic,
        opts(false),
    );
    for (event, data) in super::sse(BASIC).iter().take(3) {
        assert!(early.feed(event.as_deref(), data).unwrap().is_empty());
    }
    assert!(!early.has_emitted(), "a failure now can still fail over");
    let all: Vec<_> = outputs.concat();
    assert_eq!(
        parsed(&all),
        vec![
            ev(
                "message_start",
                json!({"type": "message_start", "message": {
                    "id": "gw-1", "type": "message", "role": "assistant", "content": [],
                    "model": "anthropic/claude-sonnet-4-5", "stop_reason": null, "stop_sequence": null,
                    "usage": {"input_tokens": 11, "output_tokens": 1}
                }})
            ),
            ev(
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
            ),
            ev("ping", json!({"type": "ping"})),
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
                json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 6}})
            ),
            ev("message_stop", json!({"type": "message_stop"})),
        ]
    );
    assert_eq!(
        outputs[3].len(),
        4,
        "the held events go out with the first delta"
    );
    let end = t.finish();
    assert!(
        end.events.is_empty(),
        "the upstream closed the message itself"
    );
    assert_eq!(
        end.usage,
        Usage {
            input_tokens: 11,
            output_tokens: 6,
            cached_input_tokens: 0
        }
    );
}

#[test]
fn streamed_tool_use_to_openai_caller() {
    let mut t = StreamTranslator::new(UpstreamFormat::Anthropic, CallerFormat::OpenAi, opts(false));
    let all = feed_all(&mut t, TOOL_USE).concat();
    let call = |fields: serde_json::Value| chunk(json!({"tool_calls": [fields]}), json!(null));
    assert_eq!(
        parsed(&all),
        vec![
            chunk(
                json!({"role": "assistant", "content": "Checking."}),
                json!(null)
            ),
            call(
                json!({"index": 0, "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "type": "function", "function": {"name": "get_weather", "arguments": ""}})
            ),
            call(json!({"index": 0, "function": {"arguments": "{\"city\": \"Par"}})),
            call(json!({"index": 0, "function": {"arguments": "is\"}"}})),
        ]
    );
    let end = t.finish();
    assert_eq!(
        parsed(&end.events),
        vec![chunk(json!({}), json!("tool_calls")), done()]
    );
    assert_eq!(
        end.usage,
        Usage {
            input_tokens: 572,
            output_tokens: 89,
            cached_input_tokens: 100
        }
    );
}

#[test]
fn truncated_passthrough_is_closed_by_finish() {
    let mut t = StreamTranslator::new(
        UpstreamFormat::Anthropic,
        CallerFormat::Anthropic,
        opts(false),
    );
    let truncated: String = TOOL_USE
        .split("event: content_block_stop")
        .next()
        .unwrap()
        .to_owned();
    feed_all(&mut t, &truncated);
    let end = t.finish();
    assert_eq!(
        parsed(&end.events),
        vec![
            ev(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0})
            ),
            ev(
                "message_delta",
                json!({"type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                "usage": {"input_tokens": 472, "output_tokens": 2, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 100}})
            ),
            ev("message_stop", json!({"type": "message_stop"})),
        ]
    );
}

#[test]
fn error_event_before_content_allows_failover() {
    for caller in [CallerFormat::OpenAi, CallerFormat::Anthropic] {
        let mut t = StreamTranslator::new(UpstreamFormat::Anthropic, caller, opts(false));
        let start = &super::sse(BASIC)[0].1;
        assert!(t.feed(Some("message_start"), start).unwrap().is_empty());
        let err = t
            .feed(
                Some("error"),
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            )
            .unwrap_err();
        assert_eq!(
            err,
            TranslateError::Upstream {
                message: "overloaded_error: Overloaded".into()
            }
        );
        assert!(!t.has_emitted());
    }
}

#[test]
fn error_events_for_callers() {
    let t = StreamTranslator::new(UpstreamFormat::Gemini, CallerFormat::OpenAi, opts(false));
    let e = t.error_event("upstream timed out");
    assert_eq!(e.event, None);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&e.data).unwrap(),
        json!({"error": {"message": "upstream timed out", "type": "upstream_error"}})
    );
    assert_eq!(e.to_wire(), format!("data: {}\n\n", e.data));
    let t = StreamTranslator::new(UpstreamFormat::OpenAi, CallerFormat::Anthropic, opts(false));
    let e = t.error_event("upstream timed out");
    assert_eq!(e.event, Some("error"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&e.data).unwrap(),
        json!({"type": "error", "error": {"type": "api_error", "message": "upstream timed out"}})
    );
    assert_eq!(e.to_wire(), format!("event: error\ndata: {}\n\n", e.data));
}

#[test]
fn garbage_data_is_an_upstream_error() {
    let mut t = StreamTranslator::new(UpstreamFormat::Anthropic, CallerFormat::OpenAi, opts(false));
    let err = t.feed(None, "not json").unwrap_err();
    assert!(
        matches!(
            err,
            TranslateError::InvalidUpstream {
                format: "Anthropic",
                ..
            }
        ),
        "{err:?}"
    );
}
