//! [`ChatRequest`] → an OpenAI-compatible upstream body.

use serde_json::{Map, Value, json};

use crate::translate::{ChatRequest, Message, Part, Role, ToolChoice, image};

/// The body for `POST <base>/chat/completions` of an OpenAI-compatible upstream. `model` is
/// the upstream's model id (e.g. `anthropic/claude-sonnet-4.5` on OpenRouter).
pub fn build_request(req: &ChatRequest, model: &str) -> Value {
    let mut messages = Vec::with_capacity(req.messages.len());
    for message in &req.messages {
        push_message(&mut messages, message);
    }
    let mut body = Map::new();
    body.insert("model".into(), model.into());
    body.insert("messages".into(), messages.into());
    if !req.tools.is_empty() {
        let tools: Vec<Value> = req
            .tools
            .iter()
            .map(|t| {
                let mut f = Map::new();
                f.insert("name".into(), t.name.clone().into());
                if let Some(d) = &t.description {
                    f.insert("description".into(), d.clone().into());
                }
                f.insert("parameters".into(), t.parameters.clone());
                json!({"type": "function", "function": f})
            })
            .collect();
        body.insert("tools".into(), tools.into());
        if let Some(choice) = &req.tool_choice {
            body.insert("tool_choice".into(), tool_choice(choice));
        }
    }
    if let Some(n) = req.max_output_tokens {
        body.insert("max_tokens".into(), n.into());
    }
    if let Some(t) = req.temperature {
        body.insert("temperature".into(), t.into());
    }
    if let Some(p) = req.top_p {
        body.insert("top_p".into(), p.into());
    }
    if !req.stop.is_empty() {
        body.insert("stop".into(), req.stop.clone().into());
    }
    if req.stream {
        body.insert("stream".into(), true.into());
        body.insert("stream_options".into(), json!({"include_usage": true}));
    }
    Value::Object(body)
}

fn tool_choice(choice: &ToolChoice) -> Value {
    match choice {
        ToolChoice::Auto => "auto".into(),
        ToolChoice::None => "none".into(),
        ToolChoice::Required => "required".into(),
        ToolChoice::Tool(name) => json!({"type": "function", "function": {"name": name}}),
    }
}

fn push_message(out: &mut Vec<Value>, message: &Message) {
    match message.role {
        Role::System => out.push(json!({"role": "system", "content": message.text("\n\n")})),
        Role::User => out.push(json!({"role": "user", "content": user_content(&message.parts)})),
        Role::Assistant => {
            let text = message.text("");
            let calls: Vec<Value> = message
                .parts
                .iter()
                .filter_map(|p| match p {
                    Part::ToolCall(c) => Some(json!({
                        "id": c.id,
                        "type": "function",
                        "function": {"name": c.name, "arguments": c.arguments},
                    })),
                    _ => None,
                })
                .collect();
            let mut m = Map::new();
            m.insert("role".into(), "assistant".into());
            let content = if text.is_empty() && !calls.is_empty() {
                Value::Null
            } else {
                text.into()
            };
            m.insert("content".into(), content);
            if !calls.is_empty() {
                m.insert("tool_calls".into(), calls.into());
            }
            out.push(Value::Object(m));
        }
        Role::Tool => {
            for part in &message.parts {
                if let Part::ToolResult(r) = part {
                    out.push(json!({"role": "tool", "tool_call_id": r.tool_call_id, "content": r.content}));
                }
            }
        }
    }
}

/// A string for a lone text part, else an array of parts.
fn user_content(parts: &[Part]) -> Value {
    if let [Part::Text(t)] = parts {
        return t.clone().into();
    }
    let items: Vec<Value> = parts
        .iter()
        .filter_map(|p| match p {
            Part::Text(t) => Some(json!({"type": "text", "text": t})),
            Part::Image(img) => {
                Some(json!({"type": "image_url", "image_url": {"url": image::to_url(img)}}))
            }
            _ => None,
        })
        .collect();
    if items.is_empty() {
        Value::String(String::new())
    } else {
        items.into()
    }
}
