//! Upstream `message` → [`ChatResponse`] → caller `message`.

use serde::Serialize;
use serde_json::{Value, json};

use super::{CallerUsage, ContentBlock, MessageResponse};
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
/// Serialized straight to the response body.
pub fn render_response<'a>(resp: &'a ChatResponse, id: &'a str, model: &'a str) -> Message<'a> {
    let mut content = Vec::with_capacity(1 + resp.tool_calls.len());
    if !resp.text.is_empty() {
        content.push(Block::Text { text: &resp.text });
    }
    content.extend(resp.tool_calls.iter().map(|call| Block::ToolUse {
        id: &call.id,
        name: &call.name,
        input: arguments_object(&call.arguments),
    }));
    Message {
        id,
        kind: "message",
        role: "assistant",
        model,
        content,
        stop_reason: resp.finish_reason.as_anthropic(),
        stop_sequence: None,
        usage: CallerUsage::new(&resp.usage),
    }
}

/// A caller `message`.
#[derive(Debug, Serialize)]
pub struct Message<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    role: &'static str,
    model: &'a str,
    content: Vec<Block<'a>>,
    stop_reason: &'static str,
    /// Always `null`: which stop sequence matched is not kept.
    stop_sequence: Option<()>,
    usage: CallerUsage,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block<'a> {
    Text {
        text: &'a str,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: Value,
    },
}
