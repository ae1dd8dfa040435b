//! OpenAI-compatible upstream streams → OpenAI and Anthropic callers.

use serde_json::{Value, json};

use super::{chunk, done, ev, feed_all, opts, parsed, usage_chunk};
use crate::translate::{
    CallerFormat, FinishReason, StreamTranslator, TranslateError, UpstreamFormat, Usage,
};

/// An OpenRouter text stream.
const TEXT: &str = r#"data: {"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"anthropic/claude-sonnet-4.5","provider":"Anthropic","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"anthropic/claude-sonnet-4.5","provider":"Anthropic","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}

data: {"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"anthropic/claude-sonnet-4.5","provider":"Anthropic","choices":[{"index":0,"delta":{"content":" there!"},"finish_reason":null}]}

data: {"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"anthropic/claude-sonnet-4.5","provider":"Anthropic","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop","native_finish_reason":"end_turn"}]}

data: {"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"anthropic/claude-sonnet-4.5","provider":"Anthropic","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":6,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":0}}}

data: [DONE]

"#;

/// Text, then two streamed tool calls; usage in the finish chunk.
const TOOLS: &str = r#"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Let me check."},"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]},"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]},"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{}"}}]},"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":80,"completion_tokens":20,"total_tokens":100,"prompt_tokens_details":{"cached_tokens":64}}}

data: [DONE]

"#;

fn rewritten(upstream_chunk: &str) -> (Option<&'static str>, Value) {
    let mut v: Value = serde_json::from_str(upstream_chunk).unwrap();
    v["id"] = "gw-1".into();
    v["model"] = "anthropic/claude-sonnet-4-5".into();
    v["created"] = 1_700_000_000.into();
    v.as_object_mut().unwrap().remove("usage");
    (None, v)
}

#[test]
fn text_passes_through_to_openai_caller() {
    let upstream = super::sse(TEXT);
    for include_usage in [false, true] {
        let mut t = StreamTranslator::new(
            UpstreamFormat::OpenAi,
            CallerFormat::OpenAi,
            opts(include_usage),
        );
        let outputs = feed_all(&mut t, TEXT);
        assert!(outputs[0].is_empty(), "the empty role chunk is held");
        assert!(
            outputs[4].is_empty() && outputs[5].is_empty(),
            "usage chunk and [DONE] are held back"
        );
        assert_eq!(
            parsed(&outputs.concat()),
            vec![
                rewritten(&upstream[0].1),
                rewritten(&upstream[1].1),
                rewritten(&upstream[2].1),
                rewritten(&upstream[3].1),
            ]
        );
        let end = t.finish();
        let expected = if include_usage {
            vec![usage_chunk(11, 6, 0), done()]
        } else {
            vec![done()]
        };
        assert_eq!(parsed(&end.events), expected);
        assert_eq!(
            end.usage,
            Usage {
                input_tokens: 11,
                output_tokens: 6,
                cached_input_tokens: 0
            }
        );
        assert_eq!(end.finish_reason, FinishReason::Stop);
    }
}

#[test]
fn text_to_anthropic_caller() {
    let mut t = StreamTranslator::new(UpstreamFormat::OpenAi, CallerFormat::Anthropic, opts(false));
    let outputs = feed_all(&mut t, TEXT);
    assert!(outputs[0].is_empty());
    let zero = json!({"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0});
    assert_eq!(
        parsed(&outputs.concat()),
        vec![
            ev(
                "message_start",
                json!({"type": "message_start", "message": {
                    "id": "gw-1", "type": "message", "role": "assistant", "model": "anthropic/claude-sonnet-4-5",
                    "content": [], "stop_reason": null, "stop_sequence": null, "usage": zero
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
        ]
    );
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
                json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                "usage": {"input_tokens": 11, "output_tokens": 6, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}})
            ),
            ev("message_stop", json!({"type": "message_stop"})),
        ]
    );
}

#[test]
fn streamed_tool_calls_to_anthropic_caller() {
    let mut t = StreamTranslator::new(UpstreamFormat::OpenAi, CallerFormat::Anthropic, opts(false));
    let mut all = feed_all(&mut t, TOOLS).concat();
    let end = t.finish();
    all.extend(end.events);
    let delta = |index: u32, delta: Value| {
        ev(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": index, "delta": delta}),
        )
    };
    let start = |index: u32, block: Value| {
        ev(
            "content_block_start",
            json!({"type": "content_block_start", "index": index, "content_block": block}),
        )
    };
    let stop = |index: u32| {
        ev(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        )
    };
    let json_delta = |s: &str| json!({"type": "input_json_delta", "partial_json": s});
    let events = parsed(&all);
    assert_eq!(events[0].0, Some("message_start"));
    assert_eq!(
        events[1..],
        vec![
            start(0, json!({"type": "text", "text": ""})),
            delta(0, json!({"type": "text_delta", "text": "Let me check."})),
            stop(0),
            start(
                1,
                json!({"type": "tool_use", "id": "call_DdmO9pD3xa9XTPNJ32zg2hcA", "name": "get_weather", "input": {}})
            ),
            delta(1, json_delta("{\"ci")),
            delta(1, json_delta("ty\":\"Paris\"}")),
            stop(1),
            start(
                2,
                json!({"type": "tool_use", "id": "call_2", "name": "get_time", "input": {}})
            ),
            delta(2, json_delta("{}")),
            stop(2),
            ev(
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null},
                "usage": {"input_tokens": 16, "output_tokens": 20, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 64}})
            ),
            ev("message_stop", json!({"type": "message_stop"})),
        ][..]
    );
    assert_eq!(
        end.usage,
        Usage {
            input_tokens: 80,
            output_tokens: 20,
            cached_input_tokens: 64
        }
    );
    assert_eq!(end.finish_reason, FinishReason::ToolCalls);
}

#[test]
fn streamed_tool_calls_pass_through_to_openai_caller() {
    let upstream = super::sse(TOOLS);
    let mut t = StreamTranslator::new(UpstreamFormat::OpenAi, CallerFormat::OpenAi, opts(true));
    let all = feed_all(&mut t, TOOLS).concat();
    let expected: Vec<_> = upstream[..6]
        .iter()
        .map(|(_, data)| rewritten(data))
        .collect();
    assert_eq!(
        parsed(&all),
        expected,
        "usage is taken out of the finish chunk"
    );
    assert_eq!(
        parsed(&t.finish().events),
        vec![usage_chunk(80, 20, 64), done()]
    );
}

#[test]
fn mid_stream_error_chunk() {
    let mut t = StreamTranslator::new(UpstreamFormat::OpenAi, CallerFormat::OpenAi, opts(false));
    for (event, data) in super::sse(TEXT).iter().take(2) {
        t.feed(event.as_deref(), data).unwrap();
    }
    assert!(t.has_emitted());
    let err = t
        .feed(None, r#"{"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"x","error":{"code":502,"message":"Provider disconnected"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}"#)
        .unwrap_err();
    assert_eq!(
        err,
        TranslateError::Upstream {
            message: "Provider disconnected".into()
        }
    );
    let mut t = StreamTranslator::new(UpstreamFormat::OpenAi, CallerFormat::Anthropic, opts(false));
    let err = t
        .feed(None, r#"{"error":{"message":"Rate limited"}}"#)
        .unwrap_err();
    assert_eq!(
        err,
        TranslateError::Upstream {
            message: "Rate limited".into()
        }
    );
    assert!(!t.has_emitted());
}

#[test]
fn empty_streams_still_close_properly() {
    let mut t = StreamTranslator::new(UpstreamFormat::OpenAi, CallerFormat::OpenAi, opts(false));
    assert!(t.feed(None, "[DONE]").unwrap().is_empty());
    assert_eq!(
        parsed(&t.finish().events),
        vec![chunk(json!({"role": "assistant"}), json!("stop")), done()]
    );

    let mut t = StreamTranslator::new(UpstreamFormat::Gemini, CallerFormat::OpenAi, opts(false));
    assert_eq!(
        parsed(&t.finish().events),
        vec![chunk(json!({"role": "assistant"}), json!("stop")), done()]
    );

    for upstream in [UpstreamFormat::OpenAi, UpstreamFormat::Anthropic] {
        let mut t = StreamTranslator::new(upstream, CallerFormat::Anthropic, opts(false));
        let names: Vec<_> = t.finish().events.iter().map(|e| e.event).collect();
        assert_eq!(
            names,
            vec![
                Some("message_start"),
                Some("message_delta"),
                Some("message_stop")
            ]
        );
        assert!(t.has_emitted());
    }
}
