//! OpenRouter / Deco `POST /api/v1/chat/completions` (OpenAI Chat Completions), answered by
//! [`super::answer`].

use axum::body::Bytes;
use serde_json::{Map, Value, json};

use super::{Answer, Finish, Output, Prompt, TOOL_ARGS, answer, data_event, image_label, pieces};
use crate::account::Account;
use crate::server::Reply;

/// An error: code (= HTTP status) and message.
pub(crate) type Refusal = (u16, String);

/// Answers a request whose credentials were already checked. `context` gives a known
/// model's `context_length` (`Some(None)` when it has none).
pub(crate) fn completions(
    body: Option<Map<String, Value>>,
    context: impl Fn(&str) -> Option<Option<u64>>,
    account: &Account,
) -> Result<Reply, Refusal> {
    let body = body.ok_or_else(|| (400, "Invalid JSON body".to_owned()))?;
    let Some(model) = body.get("model").and_then(Value::as_str) else {
        return Err((400, "No model provided".to_owned()));
    };
    let messages = match body.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        _ => {
            return Err((
                400,
                "Input required: specify \"prompt\" or \"messages\"".to_owned(),
            ));
        }
    };
    let Some(context_length) = context(model) else {
        return Err((404, format!("No endpoints found for {model}.")));
    };
    let prompt = read(&body, messages);
    let answer = answer(&prompt);
    let requested = prompt.max_tokens.unwrap_or(0);
    if let Some(limit) = context_length
        && answer.input_tokens.saturating_add(requested) > limit
    {
        let total = answer.input_tokens.saturating_add(requested);
        return Err((
            400,
            format!(
                "This endpoint's maximum context length is {limit} tokens. However, you requested about {total} tokens ({} of text input, {requested} in the output). Please reduce the length of either one, or use the \"middle-out\" transform to compress your prompt automatically.",
                answer.input_tokens
            ),
        ));
    }
    let n = account.next_response();
    let head = Head {
        id: format!("gen-{n}"),
        call_id: format!("call_{n}"),
        model,
        created: time::OffsetDateTime::now_utc().unix_timestamp(),
        cached: account.cached_tokens(),
    };
    let streamed = body.get("stream").and_then(Value::as_bool) == Some(true);
    if !streamed {
        return Ok(Reply::answer(
            head.whole(&answer).to_string(),
            answer.usage(),
        ));
    }
    let with_usage = body
        .get("stream_options")
        .is_some_and(|o| o["include_usage"] == true)
        || body.get("usage").is_some_and(|u| u["include"] == true);
    Ok(Reply::sse(head.stream(&answer, with_usage), answer.usage()))
}

fn read(body: &Map<String, Value>, messages: &[Value]) -> Prompt {
    let max = |k: &str| body.get(k).and_then(Value::as_u64);
    let mut p = Prompt {
        max_tokens: max("max_tokens").or_else(|| max("max_completion_tokens")),
        stop: super::stop_sequences(body.get("stop")),
        tool: body.get("tools").and_then(|t| {
            let tool = &t[0];
            tool["function"]["name"]
                .as_str()
                .or(tool["name"].as_str())
                .map(str::to_owned)
        }),
        ..Prompt::default()
    };
    let last = messages
        .iter()
        .rposition(|m| m["role"] == "user" || m["role"] == "tool");
    for (i, message) in messages.iter().enumerate() {
        let mut texts = Vec::new();
        match &message["content"] {
            Value::String(s) => texts.push(s.as_str()),
            Value::Array(parts) => {
                for part in parts {
                    if let Some(text) = part["text"].as_str() {
                        texts.push(text);
                    } else if let Some(url) = part["image_url"]["url"]
                        .as_str()
                        .or(part["image_url"].as_str())
                    {
                        p.saw_image(image_label(url));
                    }
                }
            }
            _ => {}
        }
        texts.iter().for_each(|t| p.count(t));
        if Some(i) == last {
            if message["role"] == "tool" {
                p.tool_result = Some(texts.join("\n"));
            } else {
                p.text = texts.join("\n");
            }
        }
    }
    p
}

/// What every chunk of one answer shares.
struct Head<'a> {
    id: String,
    call_id: String,
    model: &'a str,
    created: i64,
    cached: u64,
}

fn finish_reason(finish: &Finish) -> &'static str {
    match finish {
        Finish::End | Finish::StopSequence(_) => "stop",
        Finish::MaxTokens => "length",
        Finish::ToolUse => "tool_calls",
    }
}

impl Head<'_> {
    fn usage(&self, a: &Answer) -> Value {
        json!({
            "prompt_tokens": a.input_tokens,
            "completion_tokens": a.output_tokens,
            "total_tokens": a.input_tokens + a.output_tokens,
            "prompt_tokens_details": {"cached_tokens": self.cached},
        })
    }

    fn tool_call(&self, name: &str, arguments: &str) -> Value {
        json!({"index": 0, "id": self.call_id, "type": "function", "function": {"name": name, "arguments": arguments}})
    }

    fn whole(&self, a: &Answer) -> Value {
        let message = match &a.output {
            Output::Text(text) => json!({"role": "assistant", "content": text, "refusal": null}),
            Output::Tool(name) => json!({
                "role": "assistant",
                "content": null,
                "refusal": null,
                "tool_calls": [self.tool_call(name, TOOL_ARGS)],
            }),
        };
        let reason = finish_reason(&a.finish);
        json!({
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "provider": "Fake",
            "choices": [{
                "index": 0,
                "logprobs": null,
                "finish_reason": reason,
                "native_finish_reason": reason,
                "message": message,
            }],
            "usage": self.usage(a),
        })
    }

    fn chunk(&self, choices: Value) -> Bytes {
        let chunk = json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "provider": "Fake",
            "choices": choices,
        });
        data_event(chunk, "\n\n")
    }

    fn delta(&self, delta: Value, finish: Option<&str>) -> Bytes {
        self.chunk(json!([{"index": 0, "delta": delta, "finish_reason": finish, "native_finish_reason": finish}]))
    }

    /// A role chunk, content (or tool argument) pieces, a chunk with `finish_reason`, with
    /// `with_usage` a chunk with no choices and `usage`, then `[DONE]`.
    fn stream(&self, a: &Answer, with_usage: bool) -> Vec<Bytes> {
        let mut events = Vec::new();
        match &a.output {
            Output::Text(text) => {
                events.push(self.delta(json!({"role": "assistant", "content": ""}), None));
                events.extend(pieces(text).map(|t| self.delta(json!({"content": t}), None)));
            }
            Output::Tool(name) => {
                let call = self.tool_call(name, "");
                events.push(self.delta(
                    json!({"role": "assistant", "content": null, "tool_calls": [call]}),
                    None,
                ));
                events.extend(pieces(TOOL_ARGS).map(|t| {
                    let call = json!({"index": 0, "function": {"arguments": t}});
                    self.delta(json!({"tool_calls": [call]}), None)
                }));
            }
        }
        events.push(self.delta(json!({}), Some(finish_reason(&a.finish))));
        if with_usage {
            let mut last = json!({
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "provider": "Fake",
                "choices": [],
            });
            last["usage"] = self.usage(a);
            events.push(data_event(last, "\n\n"));
        }
        events.push(data_event("[DONE]", "\n\n"));
        events
    }
}
