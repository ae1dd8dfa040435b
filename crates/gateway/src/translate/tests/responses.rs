//! Upstream responses → neutral → caller responses.

use serde_json::{Value, json};

use crate::translate::{
    ChatResponse, FinishReason, ToolCall, TranslateError, Usage, anthropic, gemini, openai,
};

fn bytes(v: serde_json::Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

fn weather_call(id: &str) -> ToolCall {
    ToolCall {
        id: id.into(),
        name: "get_weather".into(),
        arguments: "{\"city\":\"Paris\"}".into(),
    }
}

#[test]
fn openai_response_with_tool_call_and_cached_tokens_to_anthropic_caller() {
    let body = bytes(json!({
        "id": "gen-123", "object": "chat.completion", "created": 1, "model": "anthropic/claude-sonnet-4.5",
        "provider": "Anthropic",
        "choices": [{"index": 0, "logprobs": null, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": "Checking.", "refusal": null,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]
        }}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 15, "total_tokens": 135, "prompt_tokens_details": {"cached_tokens": 100}}
    }));
    let resp = openai::parse_response(&body).unwrap();
    assert_eq!(
        resp,
        ChatResponse {
            id: Some("gen-123".into()),
            model: Some("anthropic/claude-sonnet-4.5".into()),
            text: "Checking.".into(),
            tool_calls: vec![weather_call("call_1")],
            finish_reason: FinishReason::ToolCalls,
            usage: Usage {
                input_tokens: 120,
                output_tokens: 15,
                cached_input_tokens: 100
            },
        }
    );
    assert_eq!(
        serde_json::to_value(anthropic::render_response(
            &resp,
            "msg_gw1",
            "openrouter/anthropic/claude-sonnet-4.5"
        ))
        .unwrap(),
        json!({
            "id": "msg_gw1", "type": "message", "role": "assistant",
            "model": "openrouter/anthropic/claude-sonnet-4.5",
            "content": [
                {"type": "text", "text": "Checking."},
                {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}}
            ],
            "stop_reason": "tool_use", "stop_sequence": null,
            "usage": {"input_tokens": 20, "output_tokens": 15, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 100}
        })
    );
}

#[test]
fn anthropic_message_to_openai_caller() {
    let body = bytes(json!({
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [
            {"type": "thinking", "thinking": "…", "signature": "s"},
            {"type": "text", "text": "Hello "},
            {"type": "text", "text": "there!"},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
        ],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 11, "output_tokens": 6, "cache_creation_input_tokens": 4, "cache_read_input_tokens": 100}
    }));
    let resp = anthropic::parse_response(&body).unwrap();
    assert_eq!(resp.text, "Hello there!");
    assert_eq!(resp.tool_calls, vec![weather_call("toolu_1")]);
    assert_eq!(
        resp.usage,
        Usage {
            input_tokens: 115,
            output_tokens: 6,
            cached_input_tokens: 100
        }
    );
    assert_eq!(
        serde_json::to_value(openai::render_response(
            &resp,
            "chatcmpl-gw1",
            "anthropic/claude-sonnet-4-5",
            1_700_000_000
        ))
        .unwrap(),
        json!({
            "id": "chatcmpl-gw1", "object": "chat.completion", "created": 1_700_000_000,
            "model": "anthropic/claude-sonnet-4-5",
            "choices": [{"index": 0, "logprobs": null, "finish_reason": "tool_calls", "message": {
                "role": "assistant", "content": "Hello there!",
                "tool_calls": [{"id": "toolu_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]
            }}],
            "usage": {"prompt_tokens": 115, "completion_tokens": 6, "total_tokens": 121, "prompt_tokens_details": {"cached_tokens": 100}}
        })
    );
}

#[test]
fn plain_text_both_ways() {
    let resp = anthropic::parse_response(&bytes(json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude",
        "content": [{"type": "text", "text": "Hello there!"}],
        "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 11, "output_tokens": 6, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
    })))
    .unwrap();
    let rendered = serde_json::to_value(openai::render_response(&resp, "c", "m", 0)).unwrap();
    assert_eq!(
        rendered["choices"][0]["message"],
        json!({"role": "assistant", "content": "Hello there!"})
    );
    assert_eq!(rendered["choices"][0]["finish_reason"], "stop");
    let again = openai::parse_response(&bytes(rendered)).unwrap();
    assert_eq!(
        (again.text.as_str(), again.usage),
        ("Hello there!", resp.usage)
    );
    let rendered = serde_json::to_value(anthropic::render_response(&again, "msg_x", "m")).unwrap();
    assert_eq!(
        rendered["content"],
        json!([{"type": "text", "text": "Hello there!"}])
    );
    assert_eq!(rendered["stop_reason"], "end_turn");
}

#[test]
fn gemini_response_with_function_calls_thoughts_and_usage() {
    let body = bytes(json!({
        "candidates": [{"content": {"role": "model", "parts": [
            {"text": "Let me think", "thought": true},
            {"text": "Looking up "},
            {"text": "both."},
            {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
            {"functionCall": {"name": "get_weather", "args": {"city": "Rome"}}}
        ]}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": 200, "candidatesTokenCount": 30, "thoughtsTokenCount": 12, "totalTokenCount": 242, "cachedContentTokenCount": 150},
        "modelVersion": "gemini-2.5-flash", "responseId": "resp-1"
    }));
    let mut resp = gemini::parse_response(&body).unwrap();
    // Gemini gives no ids: each call gets a fresh one, distinct from the other's and from
    // those of any other response (so a later turn's calls never repeat an earlier id).
    let again = gemini::parse_response(&body).unwrap();
    for call in &again.tool_calls {
        assert!(resp.tool_calls.iter().all(|c| c.id != call.id), "{call:?}");
    }
    let mut seen = Vec::new();
    for call in &mut resp.tool_calls {
        let mut id = Value::String(std::mem::take(&mut call.id));
        super::number_fresh_ids(&mut id, &mut seen);
        call.id = id.as_str().unwrap().to_owned();
    }
    assert_eq!(
        resp,
        ChatResponse {
            id: Some("resp-1".into()),
            model: Some("gemini-2.5-flash".into()),
            text: "Looking up both.".into(),
            tool_calls: vec![
                weather_call("call_0"),
                ToolCall {
                    id: "call_1".into(),
                    name: "get_weather".into(),
                    arguments: "{\"city\":\"Rome\"}".into()
                },
            ],
            finish_reason: FinishReason::ToolCalls,
            usage: Usage {
                input_tokens: 200,
                output_tokens: 42,
                cached_input_tokens: 150
            },
        }
    );
}

#[test]
fn finish_reasons() {
    for (reason, expected) in [
        ("stop", FinishReason::Stop),
        ("length", FinishReason::Length),
        ("tool_calls", FinishReason::ToolCalls),
        ("content_filter", FinishReason::ContentFilter),
        ("error", FinishReason::Other("error".into())),
    ] {
        let body = json!({"choices": [{"message": {"content": "x"}, "finish_reason": reason}]});
        assert_eq!(
            openai::parse_response(&bytes(body)).unwrap().finish_reason,
            expected,
            "{reason}"
        );
    }
    for (reason, expected) in [
        ("end_turn", FinishReason::Stop),
        ("stop_sequence", FinishReason::Stop),
        ("max_tokens", FinishReason::Length),
        ("tool_use", FinishReason::ToolCalls),
        ("refusal", FinishReason::ContentFilter),
        ("pause_turn", FinishReason::Other("pause_turn".into())),
    ] {
        let body = json!({"type": "message", "content": [], "stop_reason": reason});
        assert_eq!(
            anthropic::parse_response(&bytes(body))
                .unwrap()
                .finish_reason,
            expected,
            "{reason}"
        );
    }
    for (reason, expected) in [
        ("STOP", FinishReason::Stop),
        ("MAX_TOKENS", FinishReason::Length),
        ("SAFETY", FinishReason::ContentFilter),
        ("RECITATION", FinishReason::ContentFilter),
        (
            "MALFORMED_FUNCTION_CALL",
            FinishReason::Other("MALFORMED_FUNCTION_CALL".into()),
        ),
    ] {
        let body = json!({"candidates": [{"content": {"parts": [{"text": "x"}]}, "finishReason": reason}]});
        assert_eq!(
            gemini::parse_response(&bytes(body)).unwrap().finish_reason,
            expected,
            "{reason}"
        );
    }
    let blocked = json!({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 5}});
    let resp = gemini::parse_response(&bytes(blocked)).unwrap();
    assert_eq!(
        (resp.finish_reason, resp.text.as_str()),
        (FinishReason::ContentFilter, "")
    );
    // Rendering each reason for the callers.
    let expected = [
        (FinishReason::Stop, "stop", "end_turn"),
        (FinishReason::Length, "length", "max_tokens"),
        (FinishReason::ToolCalls, "tool_calls", "tool_use"),
        (FinishReason::ContentFilter, "content_filter", "refusal"),
        (FinishReason::Other("x".into()), "stop", "end_turn"),
    ];
    for (reason, oai, anth) in expected {
        let resp = ChatResponse {
            finish_reason: reason,
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(openai::render_response(&resp, "i", "m", 0)).unwrap()["choices"]
                [0]["finish_reason"],
            oai
        );
        assert_eq!(
            serde_json::to_value(anthropic::render_response(&resp, "i", "m")).unwrap()["stop_reason"],
            anth
        );
    }
}

#[test]
fn upstream_errors_and_garbage() {
    let or_error = json!({"error": {"code": 502, "message": "Provider returned error"}});
    assert_eq!(
        openai::parse_response(&bytes(or_error)).unwrap_err(),
        TranslateError::Upstream {
            message: "Provider returned error".into()
        }
    );
    let anth_error =
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}});
    assert_eq!(
        anthropic::parse_response(&bytes(anth_error)).unwrap_err(),
        TranslateError::Upstream {
            message: "overloaded_error: Overloaded".into()
        }
    );
    let gem_error = json!({"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}});
    let err = gemini::parse_response(&bytes(gem_error)).unwrap_err();
    assert_eq!(
        err,
        TranslateError::Upstream {
            message: "RESOURCE_EXHAUSTED: Quota exceeded".into()
        }
    );
    assert!(!err.is_caller_error());
    for parse in [
        openai::parse_response,
        anthropic::parse_response,
        gemini::parse_response,
    ] {
        let err = parse(b"<html>bad gateway</html>").unwrap_err();
        assert!(
            matches!(err, TranslateError::InvalidUpstream { .. }),
            "{err}"
        );
    }
    let err = openai::parse_response(&bytes(json!({"choices": []}))).unwrap_err();
    assert!(matches!(err, TranslateError::InvalidUpstream { .. }));
}

#[test]
fn openai_refusal_and_null_fields_are_tolerated() {
    let body = json!({"id": null, "choices": [{"message": {"content": null, "refusal": "I can't help with that.", "tool_calls": null}, "finish_reason": "content_filter"}], "usage": null});
    let resp = openai::parse_response(&bytes(body)).unwrap();
    assert_eq!(resp.text, "I can't help with that.");
    assert_eq!(resp.finish_reason, FinishReason::ContentFilter);
    assert_eq!(resp.usage, Usage::default());
}
