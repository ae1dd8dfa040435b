//! Caller request → neutral → upstream body, for each pair.

use serde_json::{Value, json};

use super::PNG_B64;
use crate::translate::{ChatRequest, TranslateError, anthropic, gemini, openai};

fn weather_schema() -> Value {
    json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})
}

/// An OpenAI caller's conversation: system, image, tool call round trip, options.
fn openai_request() -> ChatRequest {
    let body = json!({
        "model": "auto",
        "messages": [
            {"role": "system", "content": "Be terse."},
            {"role": "user", "content": [
                {"type": "text", "text": "What?"},
                {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{PNG_B64}")}}
            ]},
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": "call_abc", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_abc", "content": "18°C, sunny"},
            {"role": "user", "content": "And now?"}
        ],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Current weather", "parameters": weather_schema()}}],
        "tool_choice": "required",
        "temperature": 1.5,
        "top_p": 0.9,
        "stop": ["END"],
        "stream": true
    });
    openai::parse_request(body.to_string().as_bytes()).unwrap()
}

#[test]
fn openai_caller_to_anthropic_upstream() {
    let body = anthropic::build_request(&openai_request(), "claude-sonnet-4-5-20250929", 4096);
    assert_eq!(
        body,
        json!({
            "model": "claude-sonnet-4-5-20250929",
            "max_tokens": 4096,
            "system": "Be terse.",
            "messages": [
                {"role": "user", "content": [
                    {"type": "text", "text": "What?"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}}
                ]},
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "call_abc", "name": "get_weather", "input": {"city": "Paris"}}
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "call_abc", "content": "18°C, sunny"},
                    {"type": "text", "text": "And now?"}
                ]}
            ],
            "tools": [{"name": "get_weather", "description": "Current weather", "input_schema": weather_schema()}],
            "tool_choice": {"type": "any"},
            "temperature": 1.0,
            "stop_sequences": ["END"],
            "stream": true
        })
    );
}

#[test]
fn openai_caller_to_gemini_upstream() {
    let body = gemini::build_request(&openai_request()).unwrap();
    assert_eq!(
        body,
        json!({
            "contents": [
                {"role": "user", "parts": [
                    {"text": "What?"},
                    {"inlineData": {"mimeType": "image/png", "data": PNG_B64}}
                ]},
                {"role": "model", "parts": [
                    {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}},
                     "thoughtSignature": gemini::DUMMY_THOUGHT_SIGNATURE}
                ]},
                {"role": "user", "parts": [
                    {"functionResponse": {"name": "get_weather", "response": {"output": "18°C, sunny"}}},
                    {"text": "And now?"}
                ]}
            ],
            "systemInstruction": {"parts": [{"text": "Be terse."}]},
            "tools": [{"functionDeclarations": [
                {"name": "get_weather", "description": "Current weather", "parameters": weather_schema()}
            ]}],
            "toolConfig": {"functionCallingConfig": {"mode": "ANY"}},
            "generationConfig": {"temperature": 1.5, "topP": 0.9, "stopSequences": ["END"]}
        })
    );
}

#[test]
fn openai_caller_to_openai_compatible_upstream() {
    let body = openai::build_request(&openai_request(), "anthropic/claude-sonnet-4.5");
    assert_eq!(
        body,
        json!({
            "model": "anthropic/claude-sonnet-4.5",
            "messages": [
                {"role": "system", "content": "Be terse."},
                {"role": "user", "content": [
                    {"type": "text", "text": "What?"},
                    {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{PNG_B64}")}}
                ]},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_abc", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
                ]},
                {"role": "tool", "tool_call_id": "call_abc", "content": "18°C, sunny"},
                {"role": "user", "content": "And now?"}
            ],
            "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Current weather", "parameters": weather_schema()}}],
            "tool_choice": "required",
            "temperature": 1.5,
            "top_p": 0.9,
            "stop": ["END"],
            "stream": true,
            "stream_options": {"include_usage": true}
        })
    );
}

/// An Anthropic caller's (Claude Code-like) conversation.
fn anthropic_request() -> ChatRequest {
    let png = json!({"type": "base64", "media_type": "image/png", "data": PNG_B64});
    let body = json!({
        "model": "auto",
        "max_tokens": 1024,
        "system": [{"type": "text", "text": "You are Claude Code."}, {"type": "text", "text": "Be brief."}],
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": "Look:"},
                {"type": "image", "source": {"type": "url", "url": "https://example.com/a.webp?x=1"}}
            ]},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Reading."},
                {"type": "tool_use", "id": "functions.read:0", "name": "read", "input": {"path": "a.txt"}},
                {"type": "tool_use", "id": "toolu_02", "name": "shot", "input": {}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "functions.read:0", "content": "body"},
                {"type": "tool_result", "tool_use_id": "toolu_02", "is_error": true, "content": [
                    {"type": "text", "text": "failed"}, {"type": "image", "source": png}
                ]},
                {"type": "text", "text": "Go on."}
            ]}
        ],
        "tools": [{"name": "read", "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}}}],
        "stop_sequences": ["</done>"],
        "top_p": 0.5
    });
    anthropic::parse_request(body.to_string().as_bytes()).unwrap()
}

#[test]
fn anthropic_caller_to_openai_compatible_upstream() {
    let body = openai::build_request(&anthropic_request(), "moonshotai/kimi-k2");
    assert_eq!(
        body,
        json!({
            "model": "moonshotai/kimi-k2",
            "messages": [
                {"role": "system", "content": "You are Claude Code.\n\nBe brief."},
                {"role": "user", "content": [
                    {"type": "text", "text": "Look:"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.webp?x=1"}}
                ]},
                {"role": "assistant", "content": "Reading.", "tool_calls": [
                    {"id": "functions.read:0", "type": "function", "function": {"name": "read", "arguments": "{\"path\":\"a.txt\"}"}},
                    {"id": "toolu_02", "type": "function", "function": {"name": "shot", "arguments": "{}"}}
                ]},
                {"role": "tool", "tool_call_id": "functions.read:0", "content": "body"},
                {"role": "tool", "tool_call_id": "toolu_02", "content": "failed"},
                {"role": "user", "content": [
                    {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{PNG_B64}")}},
                    {"type": "text", "text": "Go on."}
                ]}
            ],
            "tools": [{"type": "function", "function": {"name": "read", "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}}],
            "max_tokens": 1024,
            "top_p": 0.5,
            "stop": ["</done>"]
        })
    );
}

#[test]
fn anthropic_caller_to_anthropic_upstream() {
    let body = anthropic::build_request(&anthropic_request(), "claude-opus-4-1", 8192);
    assert_eq!(
        body,
        json!({
            "model": "claude-opus-4-1",
            "max_tokens": 1024,
            "system": [{"type": "text", "text": "You are Claude Code."}, {"type": "text", "text": "Be brief."}],
            "messages": [
                {"role": "user", "content": [
                    {"type": "text", "text": "Look:"},
                    {"type": "image", "source": {"type": "url", "url": "https://example.com/a.webp?x=1"}}
                ]},
                {"role": "assistant", "content": [
                    {"type": "text", "text": "Reading."},
                    {"type": "tool_use", "id": "functions_read_0", "name": "read", "input": {"path": "a.txt"}},
                    {"type": "tool_use", "id": "toolu_02", "name": "shot", "input": {}}
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "functions_read_0", "content": "body"},
                    {"type": "tool_result", "tool_use_id": "toolu_02", "content": "failed", "is_error": true},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
                    {"type": "text", "text": "Go on."}
                ]}
            ],
            "tools": [{"name": "read", "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}}}],
            "top_p": 0.5,
            "stop_sequences": ["</done>"]
        })
    );
}

#[test]
fn anthropic_caller_to_gemini_upstream() {
    let body = gemini::build_request(&anthropic_request()).unwrap();
    assert_eq!(
        body["contents"],
        json!([
            {"role": "user", "parts": [
                {"text": "Look:"},
                {"fileData": {"mimeType": "image/webp", "fileUri": "https://example.com/a.webp?x=1"}}
            ]},
            {"role": "model", "parts": [
                {"text": "Reading."},
                {"functionCall": {"name": "read", "args": {"path": "a.txt"}}, "thoughtSignature": gemini::DUMMY_THOUGHT_SIGNATURE},
                {"functionCall": {"name": "shot", "args": {}}, "thoughtSignature": gemini::DUMMY_THOUGHT_SIGNATURE}
            ]},
            {"role": "user", "parts": [
                {"functionResponse": {"name": "read", "response": {"output": "body"}}},
                {"functionResponse": {"name": "shot", "response": {"error": "failed"}}},
                {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
                {"text": "Go on."}
            ]}
        ])
    );
    assert_eq!(
        body["systemInstruction"],
        json!({"parts": [{"text": "You are Claude Code."}, {"text": "Be brief."}]})
    );
    assert_eq!(
        body["generationConfig"],
        json!({"maxOutputTokens": 1024, "topP": 0.5, "stopSequences": ["</done>"]})
    );
    assert!(body.get("toolConfig").is_none());
}

#[test]
fn gemini_needs_the_tool_call_of_a_result() {
    let body = json!({"model": "m", "messages": [
        {"role": "user", "content": "x"},
        {"role": "tool", "tool_call_id": "call_unknown", "content": "r"}
    ]});
    let req = openai::parse_request(body.to_string().as_bytes()).unwrap();
    let err = gemini::build_request(&req).unwrap_err();
    assert!(
        matches!(&err, TranslateError::InvalidField { field, .. } if field == "messages[1]"),
        "{err}"
    );
}

#[test]
fn gemini_schemas_are_reduced_to_what_gemini_accepts() {
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "x"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "type": {"type": ["string", "null"], "enum": ["a", "b"]},
                "items": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "string"}}}
            },
            "required": ["type"]
        }}}],
        "tool_choice": {"type": "function", "function": {"name": "f"}}
    });
    let req = openai::parse_request(body.to_string().as_bytes()).unwrap();
    let body = gemini::build_request(&req).unwrap();
    assert_eq!(
        body["tools"][0]["functionDeclarations"][0]["parameters"],
        json!({
            "type": "object",
            "properties": {
                "type": {"type": "string", "nullable": true, "enum": ["a", "b"]},
                "items": {"type": "array", "items": {"type": "object"}}
            },
            "required": ["type"]
        })
    );
    assert_eq!(
        body["toolConfig"],
        json!({"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["f"]}})
    );
}

#[test]
fn empty_messages_are_left_out_upstream_and_malformed_arguments_become_empty_objects() {
    let body = json!({"model": "m", "messages": [
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": ""},
        {"role": "user", "content": "y"},
        {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{not json"}}]}
    ]});
    let req = openai::parse_request(body.to_string().as_bytes()).unwrap();
    let body = anthropic::build_request(&req, "claude", 100);
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "x"}, {"type": "text", "text": "y"}]},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "c1", "name": "f", "input": {}}]}
        ])
    );
    assert!(
        body.get("stream").is_none() && body.get("system").is_none() && body.get("tools").is_none()
    );
}
