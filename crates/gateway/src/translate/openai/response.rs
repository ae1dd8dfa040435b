//! Upstream `chat.completion` → [`ChatResponse`] → caller `chat.completion`.

use serde_json::{Map, Value, json};

use super::{ChatCompletion, usage_json};
use crate::translate::ir::new_tool_call_id;
use crate::translate::{ChatResponse, FinishReason, ToolCall, TranslateError, json};

/// Parses an OpenAI-compatible upstream response (its first choice).
pub fn parse_response(body: &[u8]) -> Result<ChatResponse, TranslateError> {
    let completion: ChatCompletion = json::upstream("OpenAI", body)?;
    if let Some(err) = &completion.error {
        return Err(TranslateError::Upstream {
            message: err.message(),
        });
    }
    let choice =
        completion
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| TranslateError::InvalidUpstream {
                format: "OpenAI",
                reason: "no choices".into(),
            })?;
    let message = choice.message.unwrap_or_default();
    let mut text = match &message.content {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    };
    if text.is_empty()
        && let Some(refusal) = message.refusal
    {
        text = refusal;
    }
    let tool_calls: Vec<ToolCall> = message
        .tool_calls
        .iter()
        .map(|c| ToolCall {
            id: c.id.clone().unwrap_or_else(new_tool_call_id),
            name: c.function.name.clone().unwrap_or_default(),
            arguments: c.function.arguments_string(),
        })
        .collect();
    let finish_reason = match choice.finish_reason.as_deref() {
        Some(r) => FinishReason::from_openai(r),
        None if !tool_calls.is_empty() => FinishReason::ToolCalls,
        None => FinishReason::Stop,
    };
    Ok(ChatResponse {
        id: completion.id,
        model: completion.model,
        text,
        tool_calls,
        finish_reason,
        usage: completion.usage.map(|u| u.to_usage()).unwrap_or_default(),
    })
}

/// The caller's `chat.completion`: `id` and `created` (Unix seconds) from the gateway,
/// `model` the string the caller asked for.
pub fn render_response(resp: &ChatResponse, id: &str, model: &str, created: u64) -> Value {
    let mut message = Map::new();
    message.insert("role".into(), "assistant".into());
    let content = if resp.text.is_empty() && !resp.tool_calls.is_empty() {
        Value::Null
    } else {
        resp.text.clone().into()
    };
    message.insert("content".into(), content);
    if !resp.tool_calls.is_empty() {
        let calls: Vec<Value> = resp
            .tool_calls
            .iter()
            .map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}))
            .collect();
        message.insert("tool_calls".into(), calls.into());
    }
    json!({
        "id": id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{
            "index": 0,
            "message": message,
            "logprobs": null,
            "finish_reason": resp.finish_reason.as_openai(),
        }],
        "usage": usage_json(&resp.usage),
    })
}
