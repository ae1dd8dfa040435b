//! Anthropic `POST /v1/messages` (reference §1.4–1.5), answered by [`super::answer`].

use serde_json::{Map, Value, json};

use super::{Answer, Finish, Output, Prompt, TOOL_ARGS, answer, content_text, named_event, pieces};
use crate::account::Account;
use crate::server::Reply;

/// An Anthropic error: status, `error.type`, `error.message`.
pub(crate) type Refusal = (u16, &'static str, String);

fn invalid(message: &str) -> Refusal {
    (400, "invalid_request_error", message.to_owned())
}

/// Answers a Messages request whose credentials were already checked.
pub(crate) fn messages(
    body: Option<Map<String, Value>>,
    is_model: impl Fn(&str) -> bool,
    account: &Account,
) -> Result<Reply, Refusal> {
    let body = body.ok_or_else(|| invalid("The request body is not valid JSON."))?;
    let model = match body.get("model") {
        None => return Err(invalid("model: Field required")),
        Some(m) => m
            .as_str()
            .ok_or_else(|| invalid("model: Input should be a valid string"))?,
    };
    let max_tokens = match body.get("max_tokens") {
        None => return Err(invalid("max_tokens: Field required")),
        Some(n) => n
            .as_u64()
            .ok_or_else(|| invalid("max_tokens: Input should be a valid integer"))?,
    };
    let messages = match body.get("messages") {
        None => return Err(invalid("messages: Field required")),
        Some(Value::Array(m)) if m.is_empty() => {
            return Err(invalid("messages: at least one message is required"));
        }
        Some(Value::Array(m)) => m,
        Some(_) => return Err(invalid("messages: Input should be a valid list")),
    };
    if !is_model(model) {
        return Err((404, "not_found_error", format!("model: {model}")));
    }
    let prompt = read(&body, messages, max_tokens);
    let answer = answer(&prompt);
    let n = account.next_response();
    let cached = account.cached_tokens();
    Ok(
        if body.get("stream").and_then(Value::as_bool) == Some(true) {
            Reply::sse(stream(model, n, cached, &answer), answer.usage())
        } else {
            Reply::answer(whole(model, n, cached, &answer).to_string(), answer.usage())
        },
    )
}

fn read(body: &Map<String, Value>, messages: &[Value], max_tokens: u64) -> Prompt {
    let mut p = Prompt {
        max_tokens: Some(max_tokens),
        stop: super::stop_sequences(body.get("stop_sequences")),
        tool: body
            .get("tools")
            .and_then(|t| t[0]["name"].as_str())
            .map(str::to_owned),
        ..Prompt::default()
    };
    match body.get("system") {
        Some(Value::String(s)) => p.count(s),
        Some(Value::Array(blocks)) => blocks
            .iter()
            .filter_map(|b| b["text"].as_str())
            .for_each(|t| p.count(t)),
        _ => {}
    }
    let last_user = messages.iter().rposition(|m| m["role"] == "user");
    for (i, message) in messages.iter().enumerate() {
        let mut texts = Vec::new();
        match &message["content"] {
            Value::String(s) => texts.push(s.as_str()),
            Value::Array(blocks) => {
                for block in blocks {
                    match block["type"].as_str() {
                        Some("text") => texts.extend(block["text"].as_str()),
                        Some("image") => {
                            let source = &block["source"];
                            let what = source["media_type"].as_str().or(source["url"].as_str());
                            p.saw_image(what.unwrap_or("image"));
                        }
                        Some("tool_result") => {
                            let result = content_text(&block["content"]);
                            p.count(&result);
                            if Some(i) == last_user && p.tool_result.is_none() {
                                p.tool_result = Some(result);
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        texts.iter().for_each(|t| p.count(t));
        if Some(i) == last_user {
            p.text = texts.join("\n");
        }
    }
    p
}

fn stop_fields(finish: &Finish) -> (&'static str, Value) {
    match finish {
        Finish::End => ("end_turn", Value::Null),
        Finish::MaxTokens => ("max_tokens", Value::Null),
        Finish::StopSequence(s) => ("stop_sequence", json!(s)),
        Finish::ToolUse => ("tool_use", Value::Null),
    }
}

fn usage(input: u64, output: u64, cached: u64) -> Value {
    json!({
        "input_tokens": input,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": cached,
        "output_tokens": output,
    })
}

fn whole(model: &str, n: u64, cached: u64, a: &Answer) -> Value {
    let content = match &a.output {
        Output::Text(text) => json!([{"type": "text", "text": text}]),
        Output::Tool(name) => {
            json!([{"type": "tool_use", "id": format!("toolu_{n}"), "name": name, "input": {"city": "Paris"}}])
        }
    };
    let (reason, sequence) = stop_fields(&a.finish);
    json!({
        "id": format!("msg_{n}"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": reason,
        "stop_sequence": sequence,
        "usage": usage(a.input_tokens, a.output_tokens, cached),
    })
}

/// message_start, content_block_start, ping, content_block_delta…, content_block_stop,
/// message_delta, message_stop.
fn stream(model: &str, n: u64, cached: u64, a: &Answer) -> Vec<axum::body::Bytes> {
    let message = json!({
        "id": format!("msg_{n}"),
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": model,
        "stop_reason": null,
        "stop_sequence": null,
        "usage": usage(a.input_tokens, 1, cached),
    });
    let (block, delta_type, key, payload) = match &a.output {
        Output::Text(text) => (
            json!({"type": "text", "text": ""}),
            "text_delta",
            "text",
            text.as_str(),
        ),
        Output::Tool(name) => (
            json!({"type": "tool_use", "id": format!("toolu_{n}"), "name": name, "input": {}}),
            "input_json_delta",
            "partial_json",
            TOOL_ARGS,
        ),
    };
    let mut events = vec![
        named_event(
            "message_start",
            &json!({"type": "message_start", "message": message}),
        ),
        named_event(
            "content_block_start",
            &json!({"type": "content_block_start", "index": 0, "content_block": block}),
        ),
        named_event("ping", &json!({"type": "ping"})),
    ];
    events.extend(pieces(payload).map(|piece| {
        named_event(
            "content_block_delta",
            &json!({"type": "content_block_delta", "index": 0, "delta": {"type": delta_type, key: piece}}),
        )
    }));
    let (reason, sequence) = stop_fields(&a.finish);
    events.extend([
        named_event(
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": 0}),
        ),
        named_event(
            "message_delta",
            &json!({
                "type": "message_delta",
                "delta": {"stop_reason": reason, "stop_sequence": sequence},
                "usage": {"output_tokens": a.output_tokens},
            }),
        ),
        named_event("message_stop", &json!({"type": "message_stop"})),
    ]);
    events
}
