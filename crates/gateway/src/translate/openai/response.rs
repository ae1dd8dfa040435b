//! Upstream `chat.completion` → [`ChatResponse`] → caller `chat.completion`.

use serde::Serialize;
use serde_json::Value;

use super::{CallerUsage, ChatCompletion};
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
/// `model` the string the caller asked for. Serialized straight to the response body.
pub fn render_response<'a>(
    resp: &'a ChatResponse,
    id: &'a str,
    model: &'a str,
    created: u64,
) -> Completion<'a> {
    let content = if resp.text.is_empty() && !resp.tool_calls.is_empty() {
        None
    } else {
        Some(resp.text.as_str())
    };
    Completion {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [CompletionChoice {
            index: 0,
            message: CompletionMessage {
                role: "assistant",
                content,
                tool_calls: resp
                    .tool_calls
                    .iter()
                    .map(|c| CompletionToolCall {
                        id: &c.id,
                        kind: "function",
                        function: CompletionFunction {
                            name: &c.name,
                            arguments: &c.arguments,
                        },
                    })
                    .collect(),
            },
            logprobs: None,
            finish_reason: resp.finish_reason.as_openai(),
        }],
        usage: CallerUsage::new(&resp.usage),
    }
}

/// A caller `chat.completion` (one choice).
#[derive(Debug, Serialize)]
pub struct Completion<'a> {
    id: &'a str,
    object: &'static str,
    created: u64,
    model: &'a str,
    choices: [CompletionChoice<'a>; 1],
    usage: CallerUsage,
}

#[derive(Debug, Serialize)]
struct CompletionChoice<'a> {
    index: u32,
    message: CompletionMessage<'a>,
    /// Always `null`.
    logprobs: Option<()>,
    finish_reason: &'static str,
}

#[derive(Debug, Serialize)]
struct CompletionMessage<'a> {
    role: &'static str,
    /// `null` for an answer that is only tool calls.
    content: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_calls: Vec<CompletionToolCall<'a>>,
}

#[derive(Debug, Serialize)]
struct CompletionToolCall<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    function: CompletionFunction<'a>,
}

#[derive(Debug, Serialize)]
struct CompletionFunction<'a> {
    name: &'a str,
    arguments: &'a str,
}
