use aiproviders_fakes::{ANTHROPIC_REAL_MODELS, FakeUpstreams};
use serde_json::{Value, json};

use crate::{client, get_json, read_stream, sse};

fn model() -> &'static str {
    ANTHROPIC_REAL_MODELS[1].0
}

fn messages(fakes: &FakeUpstreams, body: &Value) -> reqwest::RequestBuilder {
    client()
        .post(format!("{}/v1/messages", fakes.anthropic.url()))
        .header("x-api-key", "sk-ant-test")
        .header("anthropic-version", "2023-06-01")
        .json(body)
}

fn user(text: &str) -> Value {
    json!({"model": model(), "max_tokens": 256, "messages": [{"role": "user", "content": text}]})
}

#[tokio::test]
async fn echoes_the_last_user_message() {
    let fakes = FakeUpstreams::start().await;
    let body = json!({
        "model": model(),
        "max_tokens": 256,
        "system": "Be brief.",
        "messages": [
            {"role": "user", "content": "Hello there"},
            {"role": "assistant", "content": [{"type": "text", "text": "Hi!"}]},
            {"role": "user", "content": [{"type": "text", "text": "How are you today?"}]},
        ],
    });
    let (status, headers, reply) = get_json(messages(&fakes, &body)).await;
    assert_eq!(status, 200, "{reply}");
    assert!(headers.contains_key("request-id"));
    // 9 + 11 + 3 + 18 = 41 characters → 10 tokens; "echo: How are you today?" = 24 → 6.
    assert_eq!(
        reply,
        json!({
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": model(),
            "content": [{"type": "text", "text": "echo: How are you today?"}],
            "stop_reason": "end_turn",
            "stop_sequence": null,
            "usage": {"input_tokens": 10, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 6},
        })
    );
    assert_eq!(fakes.anthropic.reported_usage(), [(10, 6)]);

    fakes.anthropic.set_cached_tokens(7);
    let (_, _, reply) = get_json(messages(&fakes, &user("Hi")).bearer_auth("sk-ant-oat")).await;
    assert_eq!(reply["id"], "msg_2");
    assert_eq!(reply["usage"]["cache_read_input_tokens"], 7);
    assert_eq!(
        (
            reply["usage"]["input_tokens"].as_u64(),
            reply["usage"]["output_tokens"].as_u64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(fakes.anthropic.reported_usage(), [(10, 6), (1, 2)]);
}

#[tokio::test]
async fn refuses_bad_requests_keys_and_models() {
    let fakes = FakeUpstreams::start().await;
    let check = |req: reqwest::RequestBuilder,
                 status: u16,
                 kind: &'static str,
                 message: &'static str| async move {
        let (got, _, body) = get_json(req).await;
        assert_eq!(
            (got, body["type"].as_str()),
            (status, Some("error")),
            "{body}"
        );
        assert_eq!(body["error"]["type"], kind, "{body}");
        assert_eq!(body["error"]["message"], message, "{body}");
    };
    let mut no_max = user("hi");
    no_max.as_object_mut().unwrap().remove("max_tokens");
    check(
        messages(&fakes, &no_max),
        400,
        "invalid_request_error",
        "max_tokens: Field required",
    )
    .await;
    let mut no_model = user("hi");
    no_model.as_object_mut().unwrap().remove("model");
    check(
        messages(&fakes, &no_model),
        400,
        "invalid_request_error",
        "model: Field required",
    )
    .await;
    let empty = json!({"model": model(), "max_tokens": 5, "messages": []});
    check(
        messages(&fakes, &empty),
        400,
        "invalid_request_error",
        "messages: at least one message is required",
    )
    .await;
    let mut unknown = user("hi");
    unknown["model"] = json!("claude-nope-1");
    check(
        messages(&fakes, &unknown),
        404,
        "not_found_error",
        "model: claude-nope-1",
    )
    .await;
    let bad_key = client()
        .post(format!("{}/v1/messages", fakes.anthropic.url()))
        .header("x-api-key", "sk-ant-revoked")
        .header("anthropic-version", "2023-06-01")
        .json(&user("hi"));
    check(bad_key, 401, "authentication_error", "invalid x-api-key").await;
    let no_version = client()
        .post(format!("{}/v1/messages", fakes.anthropic.url()))
        .header("x-api-key", "k")
        .json(&user("hi"));
    check(
        no_version,
        400,
        "invalid_request_error",
        "anthropic-version: header is required",
    )
    .await;
    let get = client()
        .get(format!("{}/v1/messages", fakes.anthropic.url()))
        .header("x-api-key", "k")
        .header("anthropic-version", "2023-06-01");
    check(get, 405, "invalid_request_error", "Method Not Allowed").await;
    assert!(fakes.anthropic.reported_usage().is_empty());
}

#[tokio::test]
async fn tool_use_then_tool_result() {
    let fakes = FakeUpstreams::start().await;
    let tools = json!([
        {"name": "get_weather", "description": "Weather by city", "input_schema": {"type": "object"}},
        {"name": "other", "input_schema": {"type": "object"}},
    ]);
    let ask = json!({"model": model(), "max_tokens": 100, "tools": tools,
        "messages": [{"role": "user", "content": "What's the Weather like?"}]});
    let (status, _, reply) = get_json(messages(&fakes, &ask)).await;
    assert_eq!(status, 200);
    assert_eq!(
        reply["content"],
        json!([{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}])
    );
    assert_eq!(reply["stop_reason"], "tool_use");
    assert_eq!(reply["usage"]["output_tokens"], 4);

    let mut answer = ask.clone();
    answer["messages"] = json!([
        {"role": "user", "content": "What's the Weather like?"},
        {"role": "assistant", "content": reply["content"]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "18°C and sunny"}]},
    ]);
    let (_, _, reply) = get_json(messages(&fakes, &answer)).await;
    assert_eq!(reply["content"][0]["text"], "tool said: 18°C and sunny");
    assert_eq!(reply["stop_reason"], "end_turn");

    answer["messages"][2]["content"][0]["content"] = json!([{"type": "text", "text": "rainy"}]);
    let (_, _, reply) = get_json(messages(&fakes, &answer)).await;
    assert_eq!(reply["content"][0]["text"], "tool said: rainy");

    // Without tools, "weather" is just text.
    let (_, _, reply) = get_json(messages(&fakes, &user("weather?"))).await;
    assert_eq!(reply["content"][0]["text"], "echo: weather?");
}

#[tokio::test]
async fn images_stop_sequences_and_max_tokens() {
    let fakes = FakeUpstreams::start().await;
    let image = json!({"model": model(), "max_tokens": 100, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
        {"type": "text", "text": "What is this?"},
    ]}]});
    let (_, _, reply) = get_json(messages(&fakes, &image)).await;
    assert_eq!(reply["content"][0]["text"], "I see an image (image/png)");
    let mut by_url = image.clone();
    by_url["messages"][0]["content"][0]["source"] =
        json!({"type": "url", "url": "https://img.test/cat.jpg"});
    let (_, _, reply) = get_json(messages(&fakes, &by_url)).await;
    assert_eq!(
        reply["content"][0]["text"],
        "I see an image (https://img.test/cat.jpg)"
    );

    let mut stop = user("one two STOP three");
    stop["stop_sequences"] = json!(["three", "STOP"]);
    let (_, _, reply) = get_json(messages(&fakes, &stop)).await;
    assert_eq!(reply["content"][0]["text"], "echo: one two ");
    assert_eq!(
        (
            reply["stop_reason"].as_str(),
            reply["stop_sequence"].as_str()
        ),
        (Some("stop_sequence"), Some("STOP"))
    );

    let mut short = user("a rather long question indeed");
    short["max_tokens"] = json!(3);
    let (_, _, reply) = get_json(messages(&fakes, &short)).await;
    assert_eq!(reply["content"][0]["text"], "echo: a rath");
    assert_eq!(reply["stop_reason"], "max_tokens");
    assert_eq!(reply["usage"]["output_tokens"], 3);
}

fn names(events: &[crate::Event]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e.name.as_deref().unwrap_or("-"))
        .collect()
}

#[tokio::test]
async fn streams_text_in_the_reference_sequence() {
    let fakes = FakeUpstreams::start().await;
    let mut body = user("Tell me something nice");
    body["stream"] = json!(true);
    let resp = messages(&fakes, &body).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let (text, failed) = read_stream(resp).await;
    assert!(!failed);
    let events = sse(&text);
    let reply = "echo: Tell me something nice";
    let deltas = reply.len().div_ceil(8);
    let mut expected = vec!["message_start", "content_block_start", "ping"];
    expected.extend(std::iter::repeat_n("content_block_delta", deltas));
    expected.extend(["content_block_stop", "message_delta", "message_stop"]);
    assert_eq!(names(&events), expected);
    for e in &events {
        assert_eq!(e.json()["type"].as_str(), e.name.as_deref(), "{}", e.data);
    }
    let start = events[0].json();
    assert_eq!(start["message"]["id"], "msg_1");
    assert_eq!(start["message"]["model"], model());
    assert_eq!(start["message"]["content"], json!([]));
    assert_eq!(start["message"]["usage"]["input_tokens"], 5);
    assert_eq!(
        events[1].json()["content_block"],
        json!({"type": "text", "text": ""})
    );
    let streamed: String = events[3..3 + deltas]
        .iter()
        .map(|e| {
            let delta = e.json()["delta"].clone();
            assert_eq!(delta["type"], "text_delta");
            delta["text"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(streamed, reply);
    let delta = events[events.len() - 2].json();
    assert_eq!(
        delta["delta"],
        json!({"stop_reason": "end_turn", "stop_sequence": null})
    );
    assert_eq!(delta["usage"]["output_tokens"], 7);
    assert_eq!(fakes.anthropic.reported_usage(), [(5, 7)]);
}

#[tokio::test]
async fn streams_tool_use_as_input_json_deltas() {
    let fakes = FakeUpstreams::start().await;
    let body = json!({"model": model(), "max_tokens": 100, "stream": true,
        "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}],
        "messages": [{"role": "user", "content": "weather in Paris?"}]});
    let (text, failed) = read_stream(messages(&fakes, &body).send().await.unwrap()).await;
    assert!(!failed);
    let events = sse(&text);
    let block = events[1].json();
    assert_eq!(
        block["content_block"],
        json!({"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}})
    );
    let json: String = events
        .iter()
        .filter(|e| e.name.as_deref() == Some("content_block_delta"))
        .map(|e| {
            let delta = e.json()["delta"].clone();
            assert_eq!(delta["type"], "input_json_delta");
            delta["partial_json"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        serde_json::from_str::<Value>(&json).unwrap(),
        json!({"city": "Paris"})
    );
    let delta = events[events.len() - 2].json();
    assert_eq!(delta["delta"]["stop_reason"], "tool_use");
    assert_eq!(names(&events).last(), Some(&"message_stop"));
}
