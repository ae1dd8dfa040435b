//! A complete answer rendered as the caller's stream ([`render_stream`]).

use serde_json::json;

use super::{chunk, done, ev, opts, parsed, sse, usage_chunk};
use crate::translate::{
    CallerFormat, ChatResponse, FinishReason, ToolCall, Usage, anthropic, openai, render_stream,
};

fn answer() -> ChatResponse {
    ChatResponse {
        id: None,
        model: Some("claude-sonnet-4-5-20250929".into()),
        text: "Hello CLI Test".into(),
        tool_calls: vec![],
        finish_reason: FinishReason::Stop,
        usage: Usage {
            input_tokens: 15_638,
            output_tokens: 6,
            cached_input_tokens: 15_635,
        },
    }
}

#[test]
fn openai_role_content_finish_usage_done() {
    let events = render_stream(&answer(), CallerFormat::OpenAi, opts(true));
    assert_eq!(
        parsed(&events),
        [
            chunk(json!({"role": "assistant", "content": ""}), json!(null)),
            chunk(json!({"content": "Hello CLI Test"}), json!(null)),
            chunk(json!({}), json!("stop")),
            usage_chunk(15_638, 6, 15_635),
            done(),
        ]
    );
    assert!(events.iter().all(|e| e.event.is_none()));

    // No usage chunk unless asked; an empty text has no content chunk; `Length` is kept.
    let mut cut = answer();
    cut.text.clear();
    cut.finish_reason = FinishReason::Length;
    assert_eq!(
        parsed(&render_stream(&cut, CallerFormat::OpenAi, opts(false))),
        [
            chunk(json!({"role": "assistant", "content": ""}), json!(null)),
            chunk(json!({}), json!("length")),
            done(),
        ]
    );
}

#[test]
fn anthropic_message_start_to_message_stop() {
    let events = render_stream(&answer(), CallerFormat::Anthropic, opts(false));
    let usage = json!({"input_tokens": 3, "output_tokens": 6, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 15_635});
    let mut start_usage = usage.clone();
    start_usage["output_tokens"] = json!(0);
    assert_eq!(
        parsed(&events),
        [
            ev(
                "message_start",
                json!({"type": "message_start", "message": {
                    "id": "gw-1", "type": "message", "role": "assistant",
                    "model": "anthropic/claude-sonnet-4-5", "content": [],
                    "stop_reason": null, "stop_sequence": null, "usage": start_usage,
                }})
            ),
            ev(
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
            ),
            ev(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello CLI Test"}})
            ),
            ev(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0})
            ),
            ev(
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": usage})
            ),
            ev("message_stop", json!({"type": "message_stop"})),
        ]
    );
}

#[test]
fn tool_calls_come_whole_in_both_formats() {
    let mut calls = answer();
    calls.text = "Let me check.".into();
    calls.finish_reason = FinishReason::ToolCalls;
    calls.tool_calls = vec![ToolCall {
        id: "call_1".into(),
        name: "get_weather".into(),
        arguments: r#"{"city":"Paris"}"#.into(),
    }];
    let openai_events = parsed(&render_stream(&calls, CallerFormat::OpenAi, opts(false)));
    assert_eq!(
        openai_events[2],
        chunk(
            json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]}),
            json!(null)
        )
    );
    assert_eq!(openai_events[3], chunk(json!({}), json!("tool_calls")));

    let anthropic_events = parsed(&render_stream(&calls, CallerFormat::Anthropic, opts(false)));
    let names: Vec<_> = anthropic_events.iter().map(|(n, _)| n.unwrap()).collect();
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
            "message_delta",
            "message_stop",
        ]
    );
    assert_eq!(
        anthropic_events[4].1["content_block"],
        json!({"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {}})
    );
    assert_eq!(
        anthropic_events[5].1["delta"],
        json!({"type": "input_json_delta", "partial_json": "{\"city\":\"Paris\"}"})
    );
    assert_eq!(anthropic_events[7].1["delta"]["stop_reason"], "tool_use");
}

/// What a caller reassembles from the stream is the answer rendered whole.
#[test]
fn the_stream_adds_up_to_the_whole_answer() {
    let response = answer();
    let wire: String = render_stream(&response, CallerFormat::OpenAi, opts(true))
        .iter()
        .map(|e| e.to_wire())
        .collect();
    let mut text = String::new();
    let mut usage = None;
    for (_, data) in sse(&wire) {
        if data == "[DONE]" {
            continue;
        }
        let chunk: serde_json::Value = serde_json::from_str(&data).unwrap();
        text.push_str(
            chunk["choices"][0]["delta"]["content"]
                .as_str()
                .unwrap_or(""),
        );
        if !chunk["usage"].is_null() {
            usage = Some(chunk["usage"].clone());
        }
    }
    let whole = serde_json::to_value(openai::render_response(&response, "gw-1", "m", 0)).unwrap();
    assert_eq!(text, whole["choices"][0]["message"]["content"]);
    assert_eq!(usage.unwrap(), whole["usage"]);

    let wire: String = render_stream(&response, CallerFormat::Anthropic, opts(false))
        .iter()
        .map(|e| e.to_wire())
        .collect();
    let whole = serde_json::to_value(anthropic::render_response(&response, "gw-1", "m")).unwrap();
    let last_usage = sse(&wire)
        .into_iter()
        .filter(|(e, _)| e.as_deref() == Some("message_delta"))
        .map(|(_, d)| serde_json::from_str::<serde_json::Value>(&d).unwrap()["usage"].clone())
        .next_back()
        .unwrap();
    assert_eq!(last_usage, whole["usage"]);
}
