//! Gemini `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent`
//! (`?alt=sse`: SSE events; otherwise one JSON array of the same chunks), answered by
//! [`super::answer`].

use axum::body::Bytes;
use serde_json::{Map, Value, json};

use super::{Answer, Finish, Output, Prompt, answer, data_event, pieces};
use crate::account::Account;
use crate::server::Reply;

/// A Gemini error: code, `status`, message.
pub(crate) type Refusal = (u16, &'static str, String);

/// How the answer is sent.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Whole,
    /// `:streamGenerateContent?alt=sse`.
    Sse,
    /// `:streamGenerateContent` without `alt=sse`: a JSON array of chunks.
    Array,
}

/// Answers a request for a model the caller already found in the catalog.
pub(crate) fn generate(
    body: Option<Map<String, Value>>,
    model: &str,
    mode: Mode,
    account: &Account,
) -> Result<Reply, Refusal> {
    let invalid = |m: &str| (400, "INVALID_ARGUMENT", m.to_owned());
    let body = body.ok_or_else(|| invalid("Invalid JSON payload received."))?;
    let contents = match body.get("contents") {
        Some(Value::Array(c)) if !c.is_empty() => c,
        _ => {
            return Err(invalid(
                "* GenerateContentRequest.contents: contents is not specified\n",
            ));
        }
    };
    let answer = answer(&read(&body, contents));
    let n = account.next_response();
    let cached = account.cached_tokens();
    let chunks = match mode {
        Mode::Whole => {
            let body = chunk(model, n, &answer, part(&answer.output), Some(cached));
            return Ok(Reply::answer(body.to_string(), answer.usage()));
        }
        Mode::Sse | Mode::Array => stream(model, n, cached, &answer),
    };
    Ok(if mode == Mode::Sse {
        let events = chunks.iter().map(|c| data_event(c, "\r\n\r\n")).collect();
        Reply::sse(events, answer.usage())
    } else {
        Reply::answer(
            Bytes::from(Value::Array(chunks).to_string()),
            answer.usage(),
        )
    })
}

/// The text of a `functionResponse`: its `response`'s `content`, `result` or `output` string,
/// else the whole `response` as compact JSON.
fn function_response_text(response: &Value) -> String {
    ["content", "result", "output"]
        .iter()
        .find_map(|k| response[k].as_str())
        .map_or_else(|| response.to_string(), str::to_owned)
}

fn read(body: &Map<String, Value>, contents: &[Value]) -> Prompt {
    let config = body.get("generationConfig").unwrap_or(&Value::Null);
    let mut p = Prompt {
        max_tokens: config["maxOutputTokens"].as_u64(),
        stop: super::stop_sequences(config.get("stopSequences")),
        tool: body
            .get("tools")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find_map(|t| t["functionDeclarations"][0]["name"].as_str())
            .map(str::to_owned),
        ..Prompt::default()
    };
    if let Some(parts) = body
        .get("systemInstruction")
        .and_then(|s| s["parts"].as_array())
    {
        parts
            .iter()
            .filter_map(|part| part["text"].as_str())
            .for_each(|t| p.count(t));
    }
    let last_user = contents.iter().rposition(|c| c["role"] != "model");
    for (i, content) in contents.iter().enumerate() {
        let mut texts = Vec::new();
        for part in content["parts"].as_array().into_iter().flatten() {
            if let Some(text) = part["text"].as_str() {
                texts.push(text);
            } else if let Some(mime) = part
                .get("inlineData")
                .or_else(|| part.get("fileData"))
                .map(|d| d["mimeType"].as_str().unwrap_or("image"))
            {
                p.saw_image(mime);
            } else if let Some(response) = part.get("functionResponse") {
                let result = function_response_text(&response["response"]);
                p.count(&result);
                if Some(i) == last_user && p.tool_result.is_none() {
                    p.tool_result = Some(result);
                }
            }
        }
        texts.iter().for_each(|t| p.count(t));
        if Some(i) == last_user {
            p.text = texts.join("\n");
        }
    }
    p
}

fn part(output: &Output) -> Value {
    match output {
        Output::Text(text) => json!({"text": text}),
        Output::Tool(name) => json!({"functionCall": {"name": name, "args": {"city": "Paris"}}}),
    }
}

/// A `GenerateContentResponse` with this part; `usage` (cached tokens) makes it the last
/// one: with `finishReason` and `usageMetadata`.
fn chunk(model: &str, n: u64, a: &Answer, part: Value, usage: Option<u64>) -> Value {
    let mut candidate = json!({"content": {"role": "model", "parts": [part]}, "index": 0});
    let mut response =
        json!({"candidates": [], "modelVersion": model, "responseId": format!("fake-{n}")});
    if let Some(cached) = usage {
        candidate["finishReason"] = json!(match a.finish {
            Finish::MaxTokens => "MAX_TOKENS",
            _ => "STOP",
        });
        let mut meta = json!({
            "promptTokenCount": a.input_tokens,
            "candidatesTokenCount": a.output_tokens,
            "totalTokenCount": a.input_tokens + a.output_tokens,
        });
        if cached > 0 {
            meta["cachedContentTokenCount"] = json!(cached);
        }
        response["usageMetadata"] = meta;
    }
    response["candidates"] = json!([candidate]);
    response
}

/// One chunk per text piece (a function call in one chunk); the last carries `finishReason`
/// and `usageMetadata`.
fn stream(model: &str, n: u64, cached: u64, a: &Answer) -> Vec<Value> {
    let parts: Vec<Value> = match &a.output {
        Output::Text(text) => pieces(text).map(|t| json!({"text": t})).collect(),
        tool @ Output::Tool(_) => vec![part(tool)],
    };
    if parts.is_empty() {
        return vec![chunk(model, n, a, json!({"text": ""}), Some(cached))];
    }
    let last = parts.len() - 1;
    parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| chunk(model, n, a, p, (i == last).then_some(cached)))
        .collect()
}
