use serde_json::json;

use super::PNG_B64;
use crate::translate::{
    ChatRequest, Image, Message, Part, Role, Tool, ToolCall, ToolChoice, ToolResult, openai,
};

fn parse(body: serde_json::Value) -> ChatRequest {
    openai::parse_request(body.to_string().as_bytes()).expect("valid request")
}

#[test]
fn plain_text() {
    let req = parse(json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "Hello"}]}));
    assert_eq!(
        req,
        ChatRequest {
            model: "gpt-4o".into(),
            messages: vec![Message::new(Role::User, vec![Part::Text("Hello".into())])],
            tools: vec![],
            tool_choice: None,
            max_output_tokens: None,
            temperature: None,
            top_p: None,
            stop: vec![],
            stream: false,
            include_usage: false,
        }
    );
    assert!(!req.needs_tools());
    assert!(!req.needs_vision());
    assert_eq!(req.estimated_input_tokens(), 2); // 5 chars / 4, rounded up
}

#[test]
fn full_conversation_with_tools_images_and_options() {
    let req = parse(json!({
        "model": "openrouter/anthropic/claude-sonnet-4.5",
        "messages": [
            {"role": "developer", "content": "Be terse."},
            {"role": "user", "content": [
                {"type": "text", "text": "What is in this picture, and the weather in Paris?"},
                {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{PNG_B64}"), "detail": "high"}}
            ]},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_abc", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_abc", "content": [{"type": "text", "text": "18°C, sunny"}]},
            {"role": "assistant", "content": "A cat. 18°C and sunny."},
            {"role": "user", "content": "Thanks", "name": "bob"}
        ],
        "tools": [{"type": "function", "function": {
            "name": "get_weather", "description": "Current weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
        }}],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "max_tokens": 100,
        "max_completion_tokens": 300,
        "temperature": 0.2,
        "top_p": 0.9,
        "stop": "END",
        "stream": true,
        "stream_options": {"include_usage": true},
        "seed": 7,
        "parallel_tool_calls": false
    }));
    assert_eq!(
        req.messages,
        vec![
            Message::new(Role::System, vec![Part::Text("Be terse.".into())]),
            Message::new(
                Role::User,
                vec![
                    Part::Text("What is in this picture, and the weather in Paris?".into()),
                    Part::Image(Image::Base64 {
                        media_type: "image/png".into(),
                        data: PNG_B64.into()
                    }),
                ]
            ),
            Message::new(
                Role::Assistant,
                vec![Part::ToolCall(ToolCall {
                    id: "call_abc".into(),
                    name: "get_weather".into(),
                    arguments: "{\"city\":\"Paris\"}".into(),
                })]
            ),
            Message::new(
                Role::Tool,
                vec![Part::ToolResult(ToolResult {
                    tool_call_id: "call_abc".into(),
                    content: "18°C, sunny".into(),
                    is_error: false,
                })]
            ),
            Message::new(
                Role::Assistant,
                vec![Part::Text("A cat. 18°C and sunny.".into())]
            ),
            Message::new(Role::User, vec![Part::Text("Thanks".into())]),
        ]
    );
    assert_eq!(
        req.tools,
        vec![Tool {
            name: "get_weather".into(),
            description: Some("Current weather".into()),
            parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
        }]
    );
    assert_eq!(
        req.tool_choice,
        Some(ToolChoice::Tool("get_weather".into()))
    );
    assert_eq!(
        req.max_output_tokens(),
        Some(300),
        "max_completion_tokens wins"
    );
    assert_eq!((req.temperature, req.top_p), (Some(0.2), Some(0.9)));
    assert_eq!(req.stop, vec!["END".to_owned()]);
    assert!(req.stream && req.include_usage);
    assert!(req.needs_tools() && req.needs_vision());
    assert!(req.estimated_input_tokens() > 1_000, "the image counts");
}

#[test]
fn tool_choice_strings_stop_arrays_and_image_url() {
    let req = parse(json!({
        "model": "m",
        "messages": [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
        ]}],
        "tool_choice": "required",
        "stop": ["a", "b"],
    }));
    assert_eq!(req.tool_choice, Some(ToolChoice::Required));
    assert_eq!(req.stop, vec!["a".to_owned(), "b".to_owned()]);
    assert_eq!(
        req.messages[0].parts,
        vec![Part::Image(Image::Url(
            "https://example.com/cat.png".into()
        ))]
    );
    for (choice, expected) in [("auto", ToolChoice::Auto), ("none", ToolChoice::None)] {
        let req = parse(
            json!({"model": "m", "messages": [{"role": "user", "content": "x"}], "tool_choice": choice}),
        );
        assert_eq!(req.tool_choice, Some(expected));
    }
}

#[test]
fn history_tool_calls_alone_need_tools() {
    let req = parse(json!({"model": "m", "messages": [
        {"role": "user", "content": "x"},
        {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c", "content": "ok"}
    ]}));
    assert!(req.tools.is_empty());
    assert!(req.needs_tools());
}
