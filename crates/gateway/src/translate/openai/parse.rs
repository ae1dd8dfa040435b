//! An incoming Chat Completions request → [`ChatRequest`].

use serde_json::Value;

use crate::translate::json::{self, Obj, at, nth};
use crate::translate::{
    ChatRequest, Message, Part, Role, Tool, ToolCall, ToolChoice, ToolResult, TranslateError, image,
};

type Result<T> = std::result::Result<T, TranslateError>;

/// Parses a Chat Completions request body.
pub fn parse_request(body: &[u8]) -> Result<ChatRequest> {
    parse_request_value(&json::parse_body(body)?)
}

/// Parses an already-decoded Chat Completions request.
pub fn parse_request_value(body: &Value) -> Result<ChatRequest> {
    let obj = json::object(body, "body")?;
    let model = json::req_str(obj, "model", "")?;
    if model.trim().is_empty() {
        return Err(TranslateError::invalid("model", "must not be empty"));
    }
    let raw_messages = json::array(json::req(obj, "messages", "")?, "messages")?;
    if raw_messages.is_empty() {
        return Err(TranslateError::NoMessages);
    }
    let messages = raw_messages
        .iter()
        .enumerate()
        .map(|(i, m)| parse_message(m, &nth("messages", i)))
        .collect::<Result<Vec<_>>>()?;
    let tools = json::opt_array(obj, "tools", "")?
        .iter()
        .enumerate()
        .map(|(i, t)| parse_tool(t, &nth("tools", i)))
        .collect::<Result<Vec<_>>>()?;
    let tool_choice = json::opt(obj, "tool_choice")
        .map(parse_tool_choice)
        .transpose()?;
    let max_output_tokens = match json::opt_positive(obj, "max_completion_tokens", "")? {
        Some(n) => Some(n),
        None => json::opt_positive(obj, "max_tokens", "")?,
    };
    let stop = match json::opt(obj, "stop") {
        Some(v) => json::strings(v, "stop", true)?,
        None => Vec::new(),
    };
    let include_usage = match json::opt(obj, "stream_options") {
        Some(v) => json::opt_bool(
            json::object(v, "stream_options")?,
            "include_usage",
            "stream_options",
        )?
        .unwrap_or(false),
        None => false,
    };
    Ok(ChatRequest {
        model: model.to_owned(),
        messages,
        tools,
        tool_choice,
        max_output_tokens,
        temperature: json::opt_f64_in(obj, "temperature", "", 0.0, 2.0)?,
        top_p: json::opt_f64_in(obj, "top_p", "", 0.0, 1.0)?,
        stop,
        stream: json::opt_bool(obj, "stream", "")?.unwrap_or(false),
        include_usage,
    })
}

fn parse_message(v: &Value, path: &str) -> Result<Message> {
    let m = json::object(v, path)?;
    let role = json::req_str(m, "role", path)?;
    let content_path = at(path, "content");
    let content = json::opt(m, "content");
    match role {
        "system" | "developer" => Ok(Message::new(
            Role::System,
            parse_content(content, &content_path, false)?,
        )),
        "user" => Ok(Message::new(
            Role::User,
            parse_content(content, &content_path, true)?,
        )),
        "assistant" => {
            let mut parts = parse_content(content, &content_path, false)?;
            for (i, call) in json::opt_array(m, "tool_calls", path)?.iter().enumerate() {
                parts.push(Part::ToolCall(parse_tool_call(
                    call,
                    &nth(&at(path, "tool_calls"), i),
                )?));
            }
            Ok(Message::new(Role::Assistant, parts))
        }
        "tool" => {
            let tool_call_id = json::req_str(m, "tool_call_id", path)?.to_owned();
            let text = Message::new(Role::Tool, parse_content(content, &content_path, false)?);
            Ok(Message::new(
                Role::Tool,
                vec![Part::ToolResult(ToolResult {
                    tool_call_id,
                    content: text.text(""),
                    is_error: false,
                })],
            ))
        }
        other => Err(TranslateError::UnknownRole {
            field: at(path, "role"),
            role: other.to_owned(),
        }),
    }
}

/// `content`: absent/null, a string, or an array of parts (`image_url` parts only where
/// `images`; empty texts are dropped).
fn parse_content(v: Option<&Value>, path: &str, images: bool) -> Result<Vec<Part>> {
    let items = match v {
        None => return Ok(Vec::new()),
        Some(Value::String(s)) if s.is_empty() => return Ok(Vec::new()),
        Some(Value::String(s)) => return Ok(vec![Part::Text(s.clone())]),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(TranslateError::invalid(
                path,
                format!(
                    "expected a string or an array of content parts, got {}",
                    json::type_name(other)
                ),
            ));
        }
    };
    let mut parts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = nth(path, i);
        let p = json::object(item, &item_path)?;
        match json::req_str(p, "type", &item_path)? {
            "text" => {
                let text = json::req_str(p, "text", &item_path)?;
                if !text.is_empty() {
                    parts.push(Part::Text(text.to_owned()));
                }
            }
            "refusal" => {}
            "image_url" if images => {
                let img_path = at(&item_path, "image_url");
                let url = match json::req(p, "image_url", &item_path)? {
                    Value::String(s) => s.as_str(),
                    other => json::req_str(json::object(other, &img_path)?, "url", &img_path)?,
                };
                parts.push(Part::Image(image::parse_url(url, &at(&img_path, "url"))?));
            }
            "image_url" => {
                return Err(TranslateError::invalid(
                    at(&item_path, "type"),
                    "images are only allowed in user messages",
                ));
            }
            kind @ ("input_audio" | "file") => {
                return Err(TranslateError::unsupported(
                    at(&item_path, "type"),
                    format!("`{kind}` content parts are not supported by the gateway"),
                ));
            }
            other => {
                return Err(TranslateError::invalid(
                    at(&item_path, "type"),
                    format!("unknown content part type `{other}`"),
                ));
            }
        }
    }
    Ok(parts)
}

fn parse_tool_call(v: &Value, path: &str) -> Result<ToolCall> {
    let c = json::object(v, path)?;
    if let Some(kind) = json::opt_str(c, "type", path)?
        && kind != "function"
    {
        return Err(TranslateError::unsupported(
            at(path, "type"),
            format!("tool call type `{kind}`"),
        ));
    }
    let id = json::req_str(c, "id", path)?.to_owned();
    let fn_path = at(path, "function");
    let f = json::object(json::req(c, "function", path)?, &fn_path)?;
    let name = json::req_str(f, "name", &fn_path)?.to_owned();
    let arguments = match json::opt(f, "arguments") {
        None => "{}".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(obj @ Value::Object(_)) => obj.to_string(),
        Some(other) => {
            return Err(TranslateError::invalid(
                at(&fn_path, "arguments"),
                format!("expected a JSON string, got {}", json::type_name(other)),
            ));
        }
    };
    Ok(ToolCall {
        id,
        name,
        arguments,
    })
}

fn parse_tool(v: &Value, path: &str) -> Result<Tool> {
    let t = json::object(v, path)?;
    match json::opt_str(t, "type", path)? {
        None | Some("function") => {}
        Some(kind) => {
            return Err(TranslateError::unsupported(
                at(path, "type"),
                format!("tool type `{kind}` (only `function` tools are supported)"),
            ));
        }
    }
    let fn_path = at(path, "function");
    let f = json::object(json::req(t, "function", path)?, &fn_path)?;
    function_tool(f, &fn_path)
}

fn function_tool(f: &Obj, path: &str) -> Result<Tool> {
    json::tool(f, path, "parameters")
}

fn parse_tool_choice(v: &Value) -> Result<ToolChoice> {
    const FIELD: &str = "tool_choice";
    match v {
        Value::String(s) => match s.as_str() {
            "auto" => Ok(ToolChoice::Auto),
            "none" => Ok(ToolChoice::None),
            "required" => Ok(ToolChoice::Required),
            other => Err(TranslateError::invalid(
                FIELD,
                format!("unknown tool choice `{other}`"),
            )),
        },
        Value::Object(o) => {
            let f = json::object(json::req(o, "function", FIELD)?, "tool_choice.function")?;
            Ok(ToolChoice::Tool(
                json::req_str(f, "name", "tool_choice.function")?.to_owned(),
            ))
        }
        other => Err(TranslateError::invalid(
            FIELD,
            format!(
                "expected a string or an object, got {}",
                json::type_name(other)
            ),
        )),
    }
}
