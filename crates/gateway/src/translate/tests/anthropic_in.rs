use serde_json::json;

use super::PNG_B64;
use crate::translate::{
    ChatRequest, Image, Message, Part, Role, Tool, ToolCall, ToolChoice, ToolResult, anthropic,
};

fn parse(body: serde_json::Value) -> ChatRequest {
    anthropic::parse_request(body.to_string().as_bytes()).expect("valid request")
}

#[test]
fn minimal_request_from_the_reference() {
    let req = parse(json!({
        "model": "claude-sonnet-4-5-20250929", "max_tokens": 256,
        "messages": [{"role": "user", "content": "Hello"}]
    }));
    assert_eq!(req.model, "claude-sonnet-4-5-20250929");
    assert_eq!(req.max_output_tokens(), Some(256));
    assert_eq!(
        req.messages,
        vec![Message::new(Role::User, vec![Part::Text("Hello".into())])]
    );
    assert!(!req.stream && !req.include_usage);
}

#[test]
fn system_blocks_tools_images_and_tool_results() {
    let req = parse(json!({
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "system": [
            {"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "Be brief."}
        ],
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": "Look:"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
                {"type": "image", "source": {"type": "url", "url": "https://example.com/a.jpg"}}
            ]},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "hmm", "signature": "sig"},
                {"type": "text", "text": "Reading it."},
                {"type": "tool_use", "id": "toolu_01", "name": "read", "input": {"path": "a.txt"}},
                {"type": "tool_use", "id": "toolu_02", "name": "screenshot", "input": {}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01", "content": "file body"},
                {"type": "tool_result", "tool_use_id": "toolu_02", "is_error": true, "content": [
                    {"type": "text", "text": "partial"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
                    {"type": "text", "text": "failed"}
                ]},
                {"type": "text", "text": "Go on."}
            ]}
        ],
        "tools": [{"name": "read", "description": "Read a file", "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}}}],
        "tool_choice": {"type": "any"},
        "stop_sequences": ["</done>"],
        "temperature": 0.5,
        "stream": true,
        "metadata": {"user_id": "u1"}
    }));
    let png = Image::Base64 {
        media_type: "image/png".into(),
        data: PNG_B64.into(),
    };
    assert_eq!(
        req.messages,
        vec![
            Message::new(
                Role::System,
                vec![
                    Part::Text("You are Claude Code.".into()),
                    Part::Text("Be brief.".into())
                ]
            ),
            Message::new(
                Role::User,
                vec![
                    Part::Text("Look:".into()),
                    Part::Image(png.clone()),
                    Part::Image(Image::Url("https://example.com/a.jpg".into())),
                ]
            ),
            Message::new(
                Role::Assistant,
                vec![
                    Part::Text("Reading it.".into()),
                    Part::ToolCall(ToolCall {
                        id: "toolu_01".into(),
                        name: "read".into(),
                        arguments: "{\"path\":\"a.txt\"}".into(),
                    }),
                    Part::ToolCall(ToolCall {
                        id: "toolu_02".into(),
                        name: "screenshot".into(),
                        arguments: "{}".into()
                    }),
                ]
            ),
            Message::new(
                Role::Tool,
                vec![
                    Part::ToolResult(ToolResult {
                        tool_call_id: "toolu_01".into(),
                        content: "file body".into(),
                        is_error: false,
                    }),
                    Part::ToolResult(ToolResult {
                        tool_call_id: "toolu_02".into(),
                        content: "partial\nfailed".into(),
                        is_error: true,
                    }),
                ]
            ),
            // The tool result's image follows the run of results, before the user's text.
            Message::new(
                Role::User,
                vec![Part::Image(png), Part::Text("Go on.".into())]
            ),
        ]
    );
    assert_eq!(
        req.tools,
        vec![Tool {
            name: "read".into(),
            description: Some("Read a file".into()),
            parameters: json!({"type": "object", "properties": {"path": {"type": "string"}}}),
        }]
    );
    assert_eq!(req.tool_choice, Some(ToolChoice::Required));
    assert_eq!(req.stop, vec!["</done>".to_owned()]);
    assert_eq!(req.temperature, Some(0.5));
    assert!(req.stream);
    assert!(req.needs_tools() && req.needs_vision());
}

#[test]
fn string_system_and_tool_choices() {
    let base = json!({"model": "m", "max_tokens": 5, "system": "Sys", "messages": [{"role": "user", "content": "x"}]});
    let req = parse(base.clone());
    assert_eq!(
        req.messages[0],
        Message::new(Role::System, vec![Part::Text("Sys".into())])
    );
    for (choice, expected) in [
        (json!({"type": "auto"}), ToolChoice::Auto),
        (json!({"type": "none"}), ToolChoice::None),
        (
            json!({"type": "tool", "name": "read"}),
            ToolChoice::Tool("read".into()),
        ),
    ] {
        let mut body = base.clone();
        body["tool_choice"] = choice;
        assert_eq!(parse(body).tool_choice, Some(expected));
    }
}

#[test]
fn max_tokens_is_optional_for_the_gateway() {
    let req = parse(json!({"model": "m", "messages": [{"role": "user", "content": "x"}]}));
    assert_eq!(req.max_output_tokens(), None);
}
