use aiproviders_fakes::FakeUpstreams;
use serde_json::{Value, json};

use crate::{client, get_json, read_stream, sse};

const MODEL: &str = "gemini-2.5-flash";

fn generate(
    fakes: &FakeUpstreams,
    model: &str,
    method: &str,
    body: &Value,
) -> reqwest::RequestBuilder {
    client()
        .post(format!(
            "{}/v1beta/models/{model}:{method}",
            fakes.google.url()
        ))
        .header("x-goog-api-key", "AIza-test")
        .json(body)
}

fn user(text: &str) -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": text}]}]})
}

#[tokio::test]
async fn generates_an_echo() {
    let fakes = FakeUpstreams::start().await;
    let body = json!({
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "contents": [
            {"role": "user", "parts": [{"text": "Hello there"}]},
            {"role": "model", "parts": [{"text": "Hi!"}]},
            {"parts": [{"text": "How are you today?"}]},
        ],
    });
    let (status, _, reply) = get_json(generate(&fakes, MODEL, "generateContent", &body)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        reply,
        json!({
            "candidates": [{
                "content": {"role": "model", "parts": [{"text": "echo: How are you today?"}]},
                "finishReason": "STOP",
                "index": 0,
            }],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 6, "totalTokenCount": 16},
            "modelVersion": MODEL,
            "responseId": "fake-1",
        })
    );

    // The key as `?key=`; cached tokens reported when set.
    fakes.google.set_cached_tokens(3);
    let url = format!(
        "{}/v1beta/models/{MODEL}:generateContent?key=AIza-q",
        fakes.google.url()
    );
    let (status, _, reply) = get_json(client().post(url).json(&user("Hi"))).await;
    assert_eq!(status, 200);
    assert_eq!(reply["usageMetadata"]["cachedContentTokenCount"], 3);
    assert_eq!(fakes.google.reported_usage(), [(10, 6), (1, 2)]);
}

#[tokio::test]
async fn function_calls_images_and_limits() {
    let fakes = FakeUpstreams::start().await;
    let tools = json!([{"functionDeclarations": [{"name": "get_weather", "parameters": {"type": "object"}}]}]);
    let mut ask = user("Weather in Paris?");
    ask["tools"] = tools.clone();
    let (_, _, reply) = get_json(generate(&fakes, MODEL, "generateContent", &ask)).await;
    assert_eq!(
        reply["candidates"][0]["content"]["parts"],
        json!([{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}])
    );
    assert_eq!(reply["candidates"][0]["finishReason"], "STOP");
    assert_eq!(reply["usageMetadata"]["candidatesTokenCount"], 4);

    let answer = json!({"tools": tools, "contents": [
        {"role": "user", "parts": [{"text": "Weather in Paris?"}]},
        {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"content": "sunny"}}}]},
    ]});
    let (_, _, reply) = get_json(generate(&fakes, MODEL, "generateContent", &answer)).await;
    assert_eq!(
        reply["candidates"][0]["content"]["parts"][0]["text"],
        "tool said: sunny"
    );

    let image = json!({"contents": [{"role": "user", "parts": [
        {"text": "What is this?"},
        {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQ"}},
    ]}]});
    let (_, _, reply) = get_json(generate(&fakes, MODEL, "generateContent", &image)).await;
    assert_eq!(
        reply["candidates"][0]["content"]["parts"][0]["text"],
        "I see an image (image/jpeg)"
    );

    let mut limited = user("a rather long question indeed");
    limited["generationConfig"] = json!({"maxOutputTokens": 3});
    let (_, _, reply) = get_json(generate(&fakes, MODEL, "generateContent", &limited)).await;
    assert_eq!(
        reply["candidates"][0]["content"]["parts"][0]["text"],
        "echo: a rath"
    );
    assert_eq!(reply["candidates"][0]["finishReason"], "MAX_TOKENS");

    let mut stop = user("one two STOP three");
    stop["generationConfig"] = json!({"stopSequences": ["STOP"]});
    let (_, _, reply) = get_json(generate(&fakes, MODEL, "generateContent", &stop)).await;
    assert_eq!(
        reply["candidates"][0]["content"]["parts"][0]["text"],
        "echo: one two "
    );
    assert_eq!(reply["candidates"][0]["finishReason"], "STOP");
}

#[tokio::test]
async fn streams_sse_chunks_then_finish_and_usage() {
    let fakes = FakeUpstreams::start().await;
    let url = format!(
        "{}/v1beta/models/{MODEL}:streamGenerateContent?alt=sse",
        fakes.google.url()
    );
    let resp = client()
        .post(url)
        .header("x-goog-api-key", "AIza-test")
        .json(&user("Tell me something nice"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let (text, failed) = read_stream(resp).await;
    assert!(!failed);
    assert!(
        text.ends_with("}\r\n\r\n") && !text.contains("}\n\n"),
        "{text:?}"
    );
    let chunks: Vec<Value> = sse(&text)
        .iter()
        .map(|e| {
            assert!(e.name.is_none());
            e.json()
        })
        .collect();
    assert_eq!(chunks.len(), 4);
    let (last, rest) = chunks.split_last().unwrap();
    for c in rest {
        assert!(c["candidates"][0].get("finishReason").is_none(), "{c}");
        assert!(c.get("usageMetadata").is_none(), "{c}");
    }
    assert_eq!(last["candidates"][0]["finishReason"], "STOP");
    assert_eq!(
        last["usageMetadata"],
        json!({"promptTokenCount": 5, "candidatesTokenCount": 7, "totalTokenCount": 12})
    );
    let streamed: String = chunks
        .iter()
        .map(|c| {
            c["candidates"][0]["content"]["parts"][0]["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(streamed, "echo: Tell me something nice");
    assert_eq!(fakes.google.reported_usage(), [(5, 7)]);

    // Without alt=sse: the same chunks as one JSON array.
    let (status, _, array) = get_json(generate(
        &fakes,
        MODEL,
        "streamGenerateContent",
        &user("Tell me something nice"),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(array.as_array().unwrap().len(), 4);
    assert_eq!(array[3]["usageMetadata"]["totalTokenCount"], 12);
}

#[tokio::test]
async fn refuses_unknown_models_and_bad_keys() {
    let fakes = FakeUpstreams::start().await;
    let (status, _, body) = get_json(generate(
        &fakes,
        "gemini-nope",
        "generateContent",
        &user("hi"),
    ))
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], 404);
    assert_eq!(body["error"]["status"], "NOT_FOUND");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("models/gemini-nope is not found"),
        "{body}"
    );
    let (status, _, _) = get_json(generate(
        &fakes,
        "gemini-embedding-001",
        "generateContent",
        &user("hi"),
    ))
    .await;
    assert_eq!(status, 404);

    let bad = client()
        .post(format!(
            "{}/v1beta/models/{MODEL}:generateContent",
            fakes.google.url()
        ))
        .header("x-goog-api-key", "AIza-revoked")
        .json(&user("hi"));
    let (status, _, body) = get_json(bad).await;
    assert_eq!(
        (status, body["error"]["status"].as_str()),
        (400, Some("INVALID_ARGUMENT"))
    );
    assert_eq!(body["error"]["details"][0]["reason"], "API_KEY_INVALID");

    let none = client()
        .post(format!(
            "{}/v1beta/models/{MODEL}:generateContent",
            fakes.google.url()
        ))
        .json(&user("hi"));
    assert_eq!(get_json(none).await.0, 403);

    let (status, _, body) = get_json(generate(
        &fakes,
        MODEL,
        "generateContent",
        &json!({"contents": []}),
    ))
    .await;
    assert_eq!(
        (status, body["error"]["status"].as_str()),
        (400, Some("INVALID_ARGUMENT"))
    );
    let (status, _, _) = get_json(generate(&fakes, MODEL, "embedSomething", &user("hi"))).await;
    assert_eq!(status, 404);
    assert!(fakes.google.reported_usage().is_empty());
}
