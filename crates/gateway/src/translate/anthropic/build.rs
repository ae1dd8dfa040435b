//! [`ChatRequest`] → an Anthropic Messages upstream body.

use serde_json::{Map, Value, json};

use crate::translate::json::arguments_object;
use crate::translate::{ChatRequest, Image, Part, Role, ToolChoice};

/// The body for `POST /v1/messages`. `model` is the upstream model id; `default_max_tokens`
/// is used when the caller gave no limit (Anthropic requires one).
pub fn build_request(req: &ChatRequest, model: &str, default_max_tokens: u32) -> Value {
    let mut system: Vec<Value> = Vec::new();
    let mut messages: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for message in &req.messages {
        if message.role == Role::System {
            system.extend(message.parts.iter().filter_map(|p| match p {
                Part::Text(t) if !t.is_empty() => Some(json!({"type": "text", "text": t})),
                _ => None,
            }));
            continue;
        }
        let role = if message.role == Role::Assistant {
            "assistant"
        } else {
            "user"
        };
        let blocks: Vec<Value> = message.parts.iter().filter_map(block).collect();
        if blocks.is_empty() {
            continue;
        }
        match messages.last_mut() {
            Some((last_role, last_blocks)) if *last_role == role => last_blocks.extend(blocks),
            _ => messages.push((role, blocks)),
        }
    }

    let mut body = Map::new();
    body.insert("model".into(), model.into());
    body.insert(
        "max_tokens".into(),
        req.max_output_tokens.unwrap_or(default_max_tokens).into(),
    );
    match system.len() {
        0 => {}
        1 => {
            body.insert("system".into(), system[0]["text"].clone());
        }
        _ => {
            body.insert("system".into(), system.into());
        }
    }
    let messages: Vec<Value> = messages
        .into_iter()
        .map(|(role, content)| json!({"role": role, "content": content}))
        .collect();
    body.insert("messages".into(), messages.into());
    if !req.tools.is_empty() {
        let tools: Vec<Value> = req
            .tools
            .iter()
            .map(|t| {
                let mut tool = Map::new();
                tool.insert("name".into(), t.name.clone().into());
                if let Some(d) = &t.description {
                    tool.insert("description".into(), d.clone().into());
                }
                tool.insert("input_schema".into(), t.parameters.clone());
                Value::Object(tool)
            })
            .collect();
        body.insert("tools".into(), tools.into());
        if let Some(choice) = &req.tool_choice {
            body.insert("tool_choice".into(), tool_choice(choice));
        }
    }
    if let Some(t) = req.temperature {
        body.insert("temperature".into(), t.clamp(0.0, 1.0).into());
    } else if let Some(p) = req.top_p {
        body.insert("top_p".into(), p.into());
    }
    if !req.stop.is_empty() {
        body.insert("stop_sequences".into(), req.stop.clone().into());
    }
    if req.stream {
        body.insert("stream".into(), true.into());
    }
    Value::Object(body)
}

fn tool_choice(choice: &ToolChoice) -> Value {
    match choice {
        ToolChoice::Auto => json!({"type": "auto"}),
        ToolChoice::None => json!({"type": "none"}),
        ToolChoice::Required => json!({"type": "any"}),
        ToolChoice::Tool(name) => json!({"type": "tool", "name": name}),
    }
}

fn block(part: &Part) -> Option<Value> {
    Some(match part {
        Part::Text(t) if t.is_empty() => return None,
        Part::Text(t) => json!({"type": "text", "text": t}),
        Part::Image(Image::Url(url)) => {
            json!({"type": "image", "source": {"type": "url", "url": url}})
        }
        Part::Image(Image::Base64 { media_type, data }) => json!({
            "type": "image",
            "source": {"type": "base64", "media_type": media_type, "data": data},
        }),
        Part::ToolCall(c) => json!({
            "type": "tool_use",
            "id": safe_id(&c.id),
            "name": c.name,
            "input": arguments_object(&c.arguments),
        }),
        Part::ToolResult(r) => {
            let mut b = Map::new();
            b.insert("type".into(), "tool_result".into());
            b.insert("tool_use_id".into(), safe_id(&r.tool_call_id).into());
            b.insert("content".into(), r.content.clone().into());
            if r.is_error {
                b.insert("is_error".into(), true.into());
            }
            Value::Object(b)
        }
    })
}

/// Anthropic accepts tool ids matching `^[a-zA-Z0-9_-]+$`; other providers' ids (e.g.
/// `functions.get_weather:0`) are mapped character by character, so calls and results
/// still match.
pub(crate) fn safe_id(id: &str) -> String {
    if id.is_empty() {
        return "call".to_owned();
    }
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
