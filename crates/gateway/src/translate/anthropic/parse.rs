//! An incoming Messages request → [`ChatRequest`].

use serde_json::Value;

use crate::translate::json::{self, Obj, at, nth};
use crate::translate::{
    ChatRequest, Message, Part, Role, Tool, ToolCall, ToolChoice, ToolResult, TranslateError, image,
};

type Result<T> = std::result::Result<T, TranslateError>;

/// Parses a Messages request body.
pub fn parse_request(body: &[u8]) -> Result<ChatRequest> {
    parse_request_value(&json::parse_body(body)?)
}

/// Parses an already-decoded Messages request.
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
    let mut messages = Vec::with_capacity(raw_messages.len() + 1);
    if let Some(system) = json::opt(obj, "system") {
        let parts = text_blocks(system, "system")?;
        if !parts.is_empty() {
            messages.push(Message::new(Role::System, parts));
        }
    }
    for (i, m) in raw_messages.iter().enumerate() {
        parse_message(m, &nth("messages", i), &mut messages)?;
    }
    let tools = json::opt_array(obj, "tools", "")?
        .iter()
        .enumerate()
        .map(|(i, t)| parse_tool(t, &nth("tools", i)))
        .collect::<Result<Vec<_>>>()?;
    let tool_choice = match json::opt(obj, "tool_choice") {
        Some(v) => Some(parse_tool_choice(json::object(v, "tool_choice")?)?),
        None => None,
    };
    let stop = match json::opt(obj, "stop_sequences") {
        Some(v) => json::strings(v, "stop_sequences", false)?,
        None => Vec::new(),
    };
    Ok(ChatRequest {
        model: model.to_owned(),
        messages,
        tools,
        tool_choice,
        max_output_tokens: json::opt_positive(obj, "max_tokens", "")?,
        temperature: json::opt_f64_in(obj, "temperature", "", 0.0, 1.0)?,
        top_p: json::opt_f64_in(obj, "top_p", "", 0.0, 1.0)?,
        stop,
        stream: json::opt_bool(obj, "stream", "")?.unwrap_or(false),
        include_usage: false,
    })
}

/// `system` or a `tool_result` content: a string or an array of text blocks.
fn text_blocks(v: &Value, path: &str) -> Result<Vec<Part>> {
    match v {
        Value::String(s) if s.is_empty() => Ok(Vec::new()),
        Value::String(s) => Ok(vec![Part::Text(s.clone())]),
        Value::Array(blocks) => {
            let mut parts = Vec::new();
            for (i, b) in blocks.iter().enumerate() {
                let p = nth(path, i);
                let block = json::object(b, &p)?;
                let kind = json::req_str(block, "type", &p)?;
                if kind != "text" {
                    return Err(TranslateError::invalid(
                        at(&p, "type"),
                        format!("expected a `text` block, got `{kind}`"),
                    ));
                }
                let text = json::req_str(block, "text", &p)?;
                if !text.is_empty() {
                    parts.push(Part::Text(text.to_owned()));
                }
            }
            Ok(parts)
        }
        other => Err(TranslateError::invalid(
            path,
            format!(
                "expected a string or an array of text blocks, got {}",
                json::type_name(other)
            ),
        )),
    }
}

/// One Anthropic message → one or more neutral messages (tool results split out).
fn parse_message(v: &Value, path: &str, out: &mut Vec<Message>) -> Result<()> {
    let m = json::object(v, path)?;
    let role = match json::req_str(m, "role", path)? {
        "user" => Role::User,
        "assistant" => Role::Assistant,
        other => {
            return Err(TranslateError::UnknownRole {
                field: at(path, "role"),
                role: other.to_owned(),
            });
        }
    };
    let content_path = at(path, "content");
    let blocks = match json::req(m, "content", path)? {
        Value::String(s) => {
            let parts = if s.is_empty() {
                Vec::new()
            } else {
                vec![Part::Text(s.clone())]
            };
            out.push(Message::new(role, parts));
            return Ok(());
        }
        Value::Array(blocks) => blocks,
        other => {
            return Err(TranslateError::invalid(
                content_path,
                format!(
                    "expected a string or an array of content blocks, got {}",
                    json::type_name(other)
                ),
            ));
        }
    };
    // Runs of tool results become tool messages; their images follow them in a user message.
    let mut parts: Vec<Part> = Vec::new();
    let mut results: Vec<Part> = Vec::new();
    let mut result_images: Vec<Part> = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let p = nth(&content_path, i);
        let block = json::object(b, &p)?;
        let kind = json::req_str(block, "type", &p)?;
        if kind == "tool_result" {
            if role != Role::User {
                return Err(TranslateError::invalid(
                    at(&p, "type"),
                    "`tool_result` blocks belong in user messages",
                ));
            }
            if !parts.is_empty() {
                out.push(Message::new(role, std::mem::take(&mut parts)));
            }
            results.push(Part::ToolResult(tool_result(
                block,
                &p,
                &mut result_images,
            )?));
            continue;
        }
        if !results.is_empty() {
            out.push(Message::new(Role::Tool, std::mem::take(&mut results)));
            parts.append(&mut result_images);
        }
        if let Some(part) = content_block(kind, block, &p, role)? {
            parts.push(part);
        }
    }
    if !results.is_empty() {
        out.push(Message::new(Role::Tool, results));
        parts.append(&mut result_images);
    }
    if !parts.is_empty() || blocks.is_empty() {
        out.push(Message::new(role, parts));
    }
    Ok(())
}

fn content_block(kind: &str, block: &Obj, path: &str, role: Role) -> Result<Option<Part>> {
    match kind {
        "text" => {
            let text = json::req_str(block, "text", path)?;
            Ok((!text.is_empty()).then(|| Part::Text(text.to_owned())))
        }
        "image" if role == Role::User => Ok(Some(Part::Image(image_block(block, path)?))),
        "tool_use" if role == Role::Assistant => {
            let input = json::req(block, "input", path)?;
            json::object(input, &at(path, "input"))?;
            Ok(Some(Part::ToolCall(ToolCall {
                id: json::req_str(block, "id", path)?.to_owned(),
                name: json::req_str(block, "name", path)?.to_owned(),
                arguments: input.to_string(),
            })))
        }
        "image" | "tool_use" => Err(TranslateError::invalid(
            at(path, "type"),
            format!(
                "`{kind}` blocks are not allowed in {} messages",
                if role == Role::User {
                    "user"
                } else {
                    "assistant"
                }
            ),
        )),
        "thinking" | "redacted_thinking" => Ok(None),
        other => Err(TranslateError::unsupported(
            at(path, "type"),
            format!("`{other}` content blocks are not supported by the gateway"),
        )),
    }
}

fn image_block(block: &Obj, path: &str) -> Result<crate::translate::Image> {
    let src_path = at(path, "source");
    let source = json::object(json::req(block, "source", path)?, &src_path)?;
    match json::req_str(source, "type", &src_path)? {
        "base64" => {
            let media_type = json::req_str(source, "media_type", &src_path)?.to_ascii_lowercase();
            let data = json::req_str(source, "data", &src_path)?;
            image::base64_image(media_type, data, &at(&src_path, "data"))
        }
        "url" => {
            let url = json::req_str(source, "url", &src_path)?;
            match image::parse_url(url, &at(&src_path, "url"))? {
                img @ crate::translate::Image::Url(_) => Ok(img),
                _ => Err(TranslateError::invalid(
                    at(&src_path, "url"),
                    "expected an http(s) URL",
                )),
            }
        }
        other => Err(TranslateError::unsupported(
            at(&src_path, "type"),
            format!("image source type `{other}`"),
        )),
    }
}

fn tool_result(block: &Obj, path: &str, images: &mut Vec<Part>) -> Result<ToolResult> {
    let tool_call_id = json::req_str(block, "tool_use_id", path)?.to_owned();
    let is_error = json::opt_bool(block, "is_error", path)?.unwrap_or(false);
    let content_path = at(path, "content");
    let content = match json::opt(block, "content") {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => {
            let mut texts = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let p = nth(&content_path, i);
                let b = json::object(item, &p)?;
                match json::req_str(b, "type", &p)? {
                    "text" => texts.push(json::req_str(b, "text", &p)?),
                    "image" => images.push(Part::Image(image_block(b, &p)?)),
                    other => {
                        return Err(TranslateError::unsupported(
                            at(&p, "type"),
                            format!("`{other}` blocks in a tool result"),
                        ));
                    }
                }
            }
            texts.join("\n")
        }
        Some(other) => {
            return Err(TranslateError::invalid(
                content_path,
                format!(
                    "expected a string or an array of blocks, got {}",
                    json::type_name(other)
                ),
            ));
        }
    };
    Ok(ToolResult {
        tool_call_id,
        content,
        is_error,
    })
}

fn parse_tool(v: &Value, path: &str) -> Result<Tool> {
    let t = json::object(v, path)?;
    if let Some(kind) = json::opt_str(t, "type", path)?
        && kind != "custom"
    {
        return Err(TranslateError::unsupported(
            at(path, "type"),
            format!("server tool `{kind}` (only client tools with an input_schema are supported)"),
        ));
    }
    json::tool(t, path, "input_schema")
}

fn parse_tool_choice(c: &Obj) -> Result<ToolChoice> {
    match json::req_str(c, "type", "tool_choice")? {
        "auto" => Ok(ToolChoice::Auto),
        "any" => Ok(ToolChoice::Required),
        "none" => Ok(ToolChoice::None),
        "tool" => Ok(ToolChoice::Tool(
            json::req_str(c, "name", "tool_choice")?.to_owned(),
        )),
        other => Err(TranslateError::invalid(
            "tool_choice.type",
            format!("unknown tool choice `{other}`"),
        )),
    }
}
