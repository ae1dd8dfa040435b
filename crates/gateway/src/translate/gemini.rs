//! Gemini `generateContent` / `streamGenerateContent?alt=sse`: an upstream format only.
//!
//! Translation decisions:
//! - The model goes in the URL, not the body. Roles: assistant → `model`; user and tool →
//!   `user`; consecutive contents of the same role are merged; system messages are hoisted
//!   into `systemInstruction`.
//! - Tool results are `functionResponse` parts named after the function: the name is looked
//!   up from the tool call with that id earlier in the conversation (an unknown id is an
//!   error), and the response is `{"output": <text>}` (`{"error": <text>}` when
//!   `is_error`). Tool calls sent back get the documented placeholder
//!   `thoughtSignature` ([`DUMMY_THOUGHT_SIGNATURE`]) since the gateway does not keep
//!   Gemini's own signatures (Gemini 3 refuses function calls without one).
//! - Images: base64 → `inlineData`; URLs → `fileData` with a media type guessed from the
//!   extension (`image/jpeg` by default).
//! - Tool schemas: Gemini's `parameters` is an OpenAPI subset, so `$`-keywords
//!   (`$schema`, `$ref`, `$defs`…) and `additionalProperties` are removed, and a
//!   `type: [T, "null"]` becomes `type: T, nullable: true`, recursively.
//! - `ToolChoice`: auto/none/required → `functionCallingConfig.mode` AUTO/NONE/ANY; a named
//!   tool → ANY with `allowedFunctionNames`.
//! - Responses: `candidates[0]` only; `thought` parts are dropped; function calls get fresh
//!   ids ([`super::ir::new_tool_call_id`]) unless Gemini gave an `id`;
//!   `STOP` with function calls is `ToolCalls`; a prompt blocked by `promptFeedback` is
//!   `ContentFilter` with no text. Output tokens include `thoughtsTokenCount`.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::json::{arguments_object, null_default};
use super::{
    ChatRequest, ChatResponse, FinishReason, Image, Part, Role, ToolCall, ToolChoice,
    TranslateError, Usage,
};
use super::{image, json};

/// The placeholder Google documents for function calls whose signature is unknown.
pub const DUMMY_THOUGHT_SIGNATURE: &str = "skip_thought_signature_validator";

/// A `GenerateContentResponse` (also each streamed event).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GenerateContentResponse {
    #[serde(deserialize_with = "null_default")]
    pub candidates: Vec<Candidate>,
    pub usage_metadata: Option<UsageMetadata>,
    pub prompt_feedback: Option<PromptFeedback>,
    pub model_version: Option<String>,
    pub response_id: Option<String>,
    /// Error bodies (`google.rpc.Status` under `error`), mid-stream included.
    pub error: Option<RpcStatus>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Candidate {
    pub content: Option<Content>,
    pub finish_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Content {
    pub role: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub parts: Vec<GeminiPart>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GeminiPart {
    pub text: Option<String>,
    pub thought: Option<bool>,
    pub function_call: Option<FunctionCall>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FunctionCall {
    pub id: Option<String>,
    pub name: String,
    pub args: Option<Value>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UsageMetadata {
    pub prompt_token_count: Option<u64>,
    pub candidates_token_count: Option<u64>,
    pub thoughts_token_count: Option<u64>,
    pub cached_content_token_count: Option<u64>,
}

impl UsageMetadata {
    pub fn to_usage(&self) -> Usage {
        Usage {
            input_tokens: self.prompt_token_count.unwrap_or(0),
            output_tokens: self.candidates_token_count.unwrap_or(0)
                + self.thoughts_token_count.unwrap_or(0),
            cached_input_tokens: self.cached_content_token_count.unwrap_or(0),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PromptFeedback {
    pub block_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RpcStatus {
    pub code: Option<i64>,
    pub message: Option<String>,
    pub status: Option<String>,
}

impl RpcStatus {
    pub fn message(&self) -> String {
        let message = self.message.as_deref().unwrap_or("unknown upstream error");
        match &self.status {
            Some(status) => format!("{status}: {message}"),
            None => message.to_owned(),
        }
    }
}

impl GenerateContentResponse {
    /// The non-thought text of the first candidate and its function calls (with fresh ids
    /// where Gemini gave none).
    pub(crate) fn content(&self) -> (String, Vec<ToolCall>) {
        let mut text = String::new();
        let mut calls = Vec::new();
        let parts = self
            .candidates
            .first()
            .and_then(|c| c.content.as_ref())
            .map(|c| c.parts.as_slice());
        for part in parts.unwrap_or_default() {
            if let Some(call) = &part.function_call {
                let id = call.id.clone().unwrap_or_else(super::ir::new_tool_call_id);
                let args = call
                    .args
                    .clone()
                    .filter(Value::is_object)
                    .unwrap_or_else(|| json!({}));
                calls.push(ToolCall {
                    id,
                    name: call.name.clone(),
                    arguments: args.to_string(),
                });
            } else if let Some(t) = &part.text
                && part.thought != Some(true)
            {
                text.push_str(t);
            }
        }
        (text, calls)
    }

    /// The finish reason, if this response (event) carries one.
    pub(crate) fn finish_reason(&self, has_tool_calls: bool) -> Option<FinishReason> {
        if let Some(reason) = self
            .candidates
            .first()
            .and_then(|c| c.finish_reason.as_deref())
        {
            return Some(FinishReason::from_gemini(reason, has_tool_calls));
        }
        let blocked = self
            .prompt_feedback
            .as_ref()
            .is_some_and(|f| f.block_reason.is_some());
        blocked.then_some(FinishReason::ContentFilter)
    }
}

/// Parses a Gemini `generateContent` response.
pub fn parse_response(body: &[u8]) -> Result<ChatResponse, TranslateError> {
    let resp: GenerateContentResponse = json::upstream("Gemini", body)?;
    if let Some(err) = &resp.error {
        return Err(TranslateError::Upstream {
            message: err.message(),
        });
    }
    let (text, tool_calls) = resp.content();
    let finish_reason =
        resp.finish_reason(!tool_calls.is_empty())
            .unwrap_or(if tool_calls.is_empty() {
                FinishReason::Stop
            } else {
                FinishReason::ToolCalls
            });
    Ok(ChatResponse {
        id: resp.response_id.clone(),
        model: resp.model_version.clone(),
        text,
        tool_calls,
        finish_reason,
        usage: resp
            .usage_metadata
            .map(|u| u.to_usage())
            .unwrap_or_default(),
    })
}

/// The body for `models/<model>:generateContent` (or `:streamGenerateContent?alt=sse`; the
/// body is the same).
pub fn build_request(req: &ChatRequest) -> Result<Value, TranslateError> {
    let mut system: Vec<Value> = Vec::new();
    let mut contents: Vec<(&'static str, Vec<Value>)> = Vec::new();
    let mut names: HashMap<&str, &str> = HashMap::new();
    for (i, message) in req.messages.iter().enumerate() {
        if message.role == Role::System {
            system.extend(message.parts.iter().filter_map(|p| match p {
                Part::Text(t) if !t.is_empty() => Some(json!({"text": t})),
                _ => None,
            }));
            continue;
        }
        let mut parts = Vec::with_capacity(message.parts.len());
        for part in &message.parts {
            parts.push(match part {
                Part::Text(t) if t.is_empty() => continue,
                Part::Text(t) => json!({"text": t}),
                Part::Image(Image::Base64 { media_type, data }) => {
                    json!({"inlineData": {"mimeType": media_type, "data": data}})
                }
                Part::Image(Image::Url(url)) => {
                    json!({"fileData": {"mimeType": image::guess_media_type(url), "fileUri": url}})
                }
                Part::ToolCall(c) => {
                    names.insert(&c.id, &c.name);
                    json!({
                        "functionCall": {"name": c.name, "args": arguments_object(&c.arguments)},
                        "thoughtSignature": DUMMY_THOUGHT_SIGNATURE,
                    })
                }
                Part::ToolResult(r) => {
                    let name = names.get(r.tool_call_id.as_str()).ok_or_else(|| {
                        TranslateError::invalid(
                            format!("messages[{i}]"),
                            format!(
                                "tool result `{}` answers no earlier tool call",
                                r.tool_call_id
                            ),
                        )
                    })?;
                    let key = if r.is_error { "error" } else { "output" };
                    json!({"functionResponse": {"name": name, "response": {key: r.content}}})
                }
            });
        }
        if parts.is_empty() {
            continue;
        }
        let role = if message.role == Role::Assistant {
            "model"
        } else {
            "user"
        };
        match contents.last_mut() {
            Some((last, last_parts)) if *last == role => last_parts.extend(parts),
            _ => contents.push((role, parts)),
        }
    }

    let mut body = Map::new();
    let contents: Vec<Value> = contents
        .into_iter()
        .map(|(role, parts)| json!({"role": role, "parts": parts}))
        .collect();
    body.insert("contents".into(), contents.into());
    if !system.is_empty() {
        body.insert("systemInstruction".into(), json!({"parts": system}));
    }
    if !req.tools.is_empty() {
        let decls: Vec<Value> = req
            .tools
            .iter()
            .map(|t| {
                let mut d = Map::new();
                d.insert("name".into(), t.name.clone().into());
                if let Some(desc) = &t.description {
                    d.insert("description".into(), desc.clone().into());
                }
                d.insert("parameters".into(), sanitize_schema(&t.parameters));
                Value::Object(d)
            })
            .collect();
        body.insert("tools".into(), json!([{"functionDeclarations": decls}]));
        if let Some(choice) = &req.tool_choice {
            let config = match choice {
                ToolChoice::Auto => json!({"mode": "AUTO"}),
                ToolChoice::None => json!({"mode": "NONE"}),
                ToolChoice::Required => json!({"mode": "ANY"}),
                ToolChoice::Tool(name) => json!({"mode": "ANY", "allowedFunctionNames": [name]}),
            };
            body.insert(
                "toolConfig".into(),
                json!({"functionCallingConfig": config}),
            );
        }
    }
    let mut generation = Map::new();
    if let Some(n) = req.max_output_tokens {
        generation.insert("maxOutputTokens".into(), n.into());
    }
    if let Some(t) = req.temperature {
        generation.insert("temperature".into(), t.into());
    }
    if let Some(p) = req.top_p {
        generation.insert("topP".into(), p.into());
    }
    if !req.stop.is_empty() {
        generation.insert("stopSequences".into(), req.stop.clone().into());
    }
    if !generation.is_empty() {
        body.insert("generationConfig".into(), Value::Object(generation));
    }
    Ok(Value::Object(body))
}

/// A JSON schema reduced to what Gemini's `Schema` accepts (see the module docs).
pub(crate) fn sanitize_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(obj) => {
            let mut out = Map::new();
            for (key, value) in obj {
                if key.starts_with('$') || key == "additionalProperties" {
                    continue;
                }
                let value = match key.as_str() {
                    "type" => match value {
                        Value::Array(types) => {
                            let non_null: Vec<&Value> = types
                                .iter()
                                .filter(|t| t.as_str() != Some("null"))
                                .collect();
                            if non_null.len() < types.len() {
                                out.insert("nullable".into(), true.into());
                            }
                            non_null
                                .first()
                                .map_or_else(|| json!("string"), |t| (*t).clone())
                        }
                        other => other.clone(),
                    },
                    // Property names are user data, not keywords: keep them, clean their schemas.
                    "properties" => match value {
                        Value::Object(props) => Value::Object(
                            props
                                .iter()
                                .map(|(name, s)| (name.clone(), sanitize_schema(s)))
                                .collect(),
                        ),
                        other => other.clone(),
                    },
                    "enum" | "required" | "example" | "default" => value.clone(),
                    _ => sanitize_schema(value),
                };
                out.insert(key.clone(), value);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sanitize_schema).collect()),
        other => other.clone(),
    }
}
