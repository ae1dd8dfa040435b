//! Upstream `message` → [`ChatResponse`] → caller `message`.

use serde_json::{Value, json};

use super::{ContentBlock, MessageResponse, usage_json};
use crate::translate::json::arguments_object;
use crate::translate::{ChatResponse, FinishReason, ToolCall, TranslateError, json};

/// Parses an Anthropic upstream `message`.
pub fn parse_response(body: &[u8]) -> Result<ChatResponse, TranslateError> {
    let message: MessageResponse = json::upstream("Anthropic", body)?;
    if message.kind.as_deref() == Some("error") || message.error.is_some() {
        let message = message.error.unwrap_or_default().message();
        return Err(TranslateError::Upstream { message });
    }
    let mut text = String::new();
    let mut tool_calls = Vec::new();
    for block in message.content {
        match block {
            ContentBlock::Text { text: t } => text.push_str(&t),
            ContentBlock::ToolUse { id, name, input } => {
                let input = if input.is_null() { json!({}) } else { input };
                tool_calls.push(ToolCall {
                    id,
                    name,
                    arguments: input.to_string(),
                });
            }
            ContentBlock::Other => {}
        }
    }
    let finish_reason = match message.stop_reason.as_deref() {
        Some(r) => FinishReason::from_anthropic(r),
        None if !tool_calls.is_empty() => FinishReason::ToolCalls,
        None => FinishReason::Stop,
    };
    Ok(ChatResponse {
        id: message.id,
        model: message.model,
        text,
        tool_calls,
        finish_reason,
        usage: message.usage.map(|u| u.to_usage()).unwrap_or_default(),
    })
}

/// The caller's `message`: `id` from the gateway, `model` the string the caller asked for.
pub fn render_response(resp: &ChatResponse, id: &str, model: &str) -> Value {
    let mut content: Vec<Value> = Vec::new();
    if !resp.text.is_empty() {
        content.push(json!({"type": "text", "text": resp.text}));
    }
    for call in &resp.tool_calls {
        content.push(json!({
            "type": "tool_use",
            "id": call.id,
            "name": call.name,
            "input": arguments_object(&call.arguments),
        }));
    }
    json!({
        "id": id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": resp.finish_reason.as_anthropic(),
        "stop_sequence": null,
        "usage": usage_json(&resp.usage),
    })
}
