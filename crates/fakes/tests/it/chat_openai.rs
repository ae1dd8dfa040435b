use aiproviders_fakes::{FakeServer, FakeUpstreams};
use serde_json::{Value, json};

use crate::{client, get_json, read_stream, sse};

const MODEL: &str = "anthropic/claude-sonnet-4.5";

fn chat(fake: &FakeServer, body: &Value) -> reqwest::RequestBuilder {
    client()
        .post(format!("{}/api/v1/chat/completions", fake.url()))
        .bearer_auth("sk-or-v1-test")
        .json(body)
}

fn user(text: &str) -> Value {
    json!({"model": MODEL, "messages": [{"role": "user", "content": text}]})
}

#[tokio::test]
async fn completes_with_an_echo_and_usage() {
    let fakes = FakeUpstreams::start().await;
    let body = json!({"model": MODEL, "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello there"},
        {"role": "assistant", "content": "Hi!"},
        {"role": "user", "content": [{"type": "text", "text": "How are you today?"}]},
    ]});
    let (status, _, reply) = get_json(chat(&fakes.openrouter, &body)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["id"], "gen-1");
    assert_eq!(reply["object"], "chat.completion");
    assert_eq!(reply["model"], MODEL);
    assert!(reply["created"].as_i64().unwrap() > 1_700_000_000);
    assert_eq!(
        reply["choices"],
        json!([{
            "index": 0,
            "logprobs": null,
            "finish_reason": "stop",
            "native_finish_reason": "stop",
            "message": {"role": "assistant", "content": "echo: How are you today?", "refusal": null},
        }])
    );
    assert_eq!(
        reply["usage"],
        json!({"prompt_tokens": 10, "completion_tokens": 6, "total_tokens": 16, "prompt_tokens_details": {"cached_tokens": 0}})
    );
    assert_eq!(fakes.openrouter.reported_usage(), [(10, 6)]);
}

#[tokio::test]
async fn tool_calls_tool_results_images_and_limits() {
    let fakes = FakeUpstreams::start().await;
    let or = &fakes.openrouter;
    let tools = json!([{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]);
    let mut ask = user("What's the weather?");
    ask["tools"] = tools.clone();
    let (_, _, reply) = get_json(chat(or, &ask)).await;
    assert_eq!(reply["choices"][0]["finish_reason"], "tool_calls");
    let message = &reply["choices"][0]["message"];
    assert!(message["content"].is_null());
    assert_eq!(
        message["tool_calls"],
        json!([{"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}])
    );

    let answer = json!({"model": MODEL, "tools": tools, "messages": [
        {"role": "user", "content": "What's the weather?"},
        {"role": "assistant", "content": null, "tool_calls": message["tool_calls"]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]});
    let (_, _, reply) = get_json(chat(or, &answer)).await;
    assert_eq!(
        reply["choices"][0]["message"]["content"],
        "tool said: sunny"
    );
    assert_eq!(reply["choices"][0]["finish_reason"], "stop");

    let image = |url: &str| {
        json!({"model": MODEL, "messages": [{"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": url}},
        ]}]})
    };
    let (_, _, reply) = get_json(chat(or, &image("data:image/webp;base64,UklGR"))).await;
    assert_eq!(
        reply["choices"][0]["message"]["content"],
        "I see an image (image/webp)"
    );
    let (_, _, reply) = get_json(chat(or, &image("https://img.test/cat.png"))).await;
    assert_eq!(
        reply["choices"][0]["message"]["content"],
        "I see an image (https://img.test/cat.png)"
    );

    let mut stop = user("one two STOP three");
    stop["stop"] = json!("STOP");
    let (_, _, reply) = get_json(chat(or, &stop)).await;
    assert_eq!(reply["choices"][0]["message"]["content"], "echo: one two ");
    assert_eq!(reply["choices"][0]["finish_reason"], "stop");

    let mut short = user("a rather long question indeed");
    short["max_tokens"] = json!(3);
    let (_, _, reply) = get_json(chat(or, &short)).await;
    assert_eq!(reply["choices"][0]["message"]["content"], "echo: a rath");
    assert_eq!(reply["choices"][0]["finish_reason"], "length");
    assert_eq!(reply["usage"]["completion_tokens"], 3);
}

#[tokio::test]
async fn streams_chunks_usage_and_done() {
    let fakes = FakeUpstreams::start().await;
    let mut body = user("Tell me something nice");
    body["stream"] = json!(true);
    body["stream_options"] = json!({"include_usage": true});
    let resp = chat(&fakes.openrouter, &body).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let (text, failed) = read_stream(resp).await;
    assert!(!failed);
    let events = sse(&text);
    assert_eq!(events.last().unwrap().data, "[DONE]");
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(crate::Event::json)
        .collect();
    // role, 4 pieces, finish, usage.
    assert_eq!(chunks.len(), 7, "{text}");
    for c in &chunks {
        assert_eq!(
            (c["object"].as_str(), c["id"].as_str()),
            (Some("chat.completion.chunk"), Some("gen-1"))
        );
    }
    assert_eq!(
        chunks[0]["choices"][0]["delta"],
        json!({"role": "assistant", "content": ""})
    );
    let streamed: String = chunks[1..5]
        .iter()
        .map(|c| {
            assert!(c["choices"][0]["finish_reason"].is_null());
            c["choices"][0]["delta"]["content"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(streamed, "echo: Tell me something nice");
    assert_eq!(chunks[5]["choices"][0]["finish_reason"], "stop");
    assert_eq!(chunks[6]["choices"], json!([]));
    assert_eq!(
        chunks[6]["usage"],
        json!({"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12, "prompt_tokens_details": {"cached_tokens": 0}})
    );

    // Without include_usage: no usage chunk (the usage is still recorded).
    body.as_object_mut().unwrap().remove("stream_options");
    let (text, _) = read_stream(chat(&fakes.openrouter, &body).send().await.unwrap()).await;
    let events = sse(&text);
    assert_eq!(events.len(), 7);
    assert!(events.iter().all(|e| !e.data.contains("\"usage\"")));
    assert_eq!(fakes.openrouter.reported_usage(), [(5, 7), (5, 7)]);
}

#[tokio::test]
async fn streams_tool_call_arguments() {
    let fakes = FakeUpstreams::start().await;
    let body = json!({"model": "openai/gpt-4o", "stream": true,
        "tools": [{"type": "function", "function": {"name": "get_weather"}}],
        "messages": [{"role": "user", "content": "weather?"}]});
    let (text, failed) = read_stream(chat(&fakes.deco, &body).send().await.unwrap()).await;
    assert!(!failed);
    let events = sse(&text);
    assert_eq!(events.last().unwrap().data, "[DONE]");
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(crate::Event::json)
        .collect();
    let first = &chunks[0]["choices"][0]["delta"];
    assert_eq!(first["tool_calls"][0]["id"], "call_1");
    assert_eq!(first["tool_calls"][0]["function"]["name"], "get_weather");
    let arguments: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"].as_str())
        .collect();
    assert_eq!(arguments, "{\"city\":\"Paris\"}");
    assert_eq!(
        chunks.last().unwrap()["choices"][0]["finish_reason"],
        "tool_calls"
    );
}

#[tokio::test]
async fn refuses_unknown_models_long_requests_and_bad_keys() {
    let fakes = FakeUpstreams::start().await;
    let (status, _, body) = get_json(chat(
        &fakes.openrouter,
        &json!({"model": "acme/nope", "messages": [{"role": "user", "content": "hi"}]}),
    ))
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"error": {"code": 404, "message": "No endpoints found for acme/nope."}})
    );
    // Served by OpenRouter, not by the Deco gateway.
    let only_or = json!({"model": "anthropic/claude-opus-4", "messages": [{"role": "user", "content": "hi"}]});
    assert_eq!(get_json(chat(&fakes.openrouter, &only_or)).await.0, 200);
    assert_eq!(get_json(chat(&fakes.deco, &only_or)).await.0, 404);

    let mut long = json!({"model": "openai/gpt-4o", "max_tokens": 128_000, "messages": [{"role": "user", "content": "Hello there"}]});
    let (status, _, body) = get_json(chat(&fakes.openrouter, &long)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], 400);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("This endpoint's maximum context length is 128000 tokens. However, you requested about 128002 tokens (2 of text input, 128000 in the output)."),
        "{message}"
    );
    long["max_tokens"] = json!(127_998);
    assert_eq!(get_json(chat(&fakes.openrouter, &long)).await.0, 200);

    for fake in [&fakes.openrouter, &fakes.deco] {
        let revoked = client()
            .post(format!("{}/api/v1/chat/completions", fake.url()))
            .bearer_auth("sk-or-v1-revoked")
            .json(&user("hi"));
        let (status, _, body) = get_json(revoked).await;
        assert_eq!(
            (status, body),
            (
                401,
                json!({"error": {"code": 401, "message": "User not found."}})
            )
        );
        let none = client()
            .post(format!("{}/api/v1/chat/completions", fake.url()))
            .json(&user("hi"));
        assert_eq!(get_json(none).await.0, 401);
        let (status, _, body) =
            get_json(chat(fake, &json!({"model": MODEL, "messages": []}))).await;
        assert_eq!((status, body["error"]["code"].as_u64()), (400, Some(400)));
    }
    assert_eq!(fakes.openrouter.reported_usage().len(), 2);
    assert_eq!(fakes.deco.reported_usage().len(), 0);
}
