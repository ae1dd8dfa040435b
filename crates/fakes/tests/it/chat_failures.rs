//! Behaviours on the inference routes: FailMidStream, provider-shaped statuses, usage records.

use std::time::Duration;

use aiproviders_fakes::{ANTHROPIC_REAL_MODELS, Behavior, FakeUpstreams};
use serde_json::{Value, json};

use crate::{client, get_json, read_stream, sse};

fn anthropic(fakes: &FakeUpstreams, stream: bool) -> reqwest::RequestBuilder {
    client()
        .post(format!("{}/v1/messages", fakes.anthropic.url()))
        .header("x-api-key", "k")
        .header("anthropic-version", "2023-06-01")
        .json(
            &json!({"model": ANTHROPIC_REAL_MODELS[0].0, "max_tokens": 64, "stream": stream,
            "messages": [{"role": "user", "content": "Tell me something nice"}]}),
        )
}

fn gemini(fakes: &FakeUpstreams, stream: bool) -> reqwest::RequestBuilder {
    let method = if stream {
        "streamGenerateContent?alt=sse"
    } else {
        "generateContent"
    };
    client()
        .post(format!(
            "{}/v1beta/models/gemini-2.5-pro:{method}",
            fakes.google.url()
        ))
        .header("x-goog-api-key", "k")
        .json(
            &json!({"contents": [{"role": "user", "parts": [{"text": "Tell me something nice"}]}]}),
        )
}

fn openrouter(fakes: &FakeUpstreams, stream: bool) -> reqwest::RequestBuilder {
    client()
        .post(format!(
            "{}/api/v1/chat/completions",
            fakes.openrouter.url()
        ))
        .bearer_auth("k")
        .json(&json!({"model": "openai/gpt-4o-mini", "stream": stream,
            "stream_options": {"include_usage": true},
            "messages": [{"role": "user", "content": "Tell me something nice"}]}))
}

#[tokio::test]
async fn fail_mid_stream_sends_that_many_events_then_breaks() {
    let fakes = FakeUpstreams::start().await;
    let cases: [(
        &aiproviders_fakes::FakeServer,
        reqwest::RequestBuilder,
        usize,
    ); 4] = [
        (&fakes.anthropic, anthropic(&fakes, true), 3),
        (&fakes.google, gemini(&fakes, true), 1),
        (&fakes.openrouter, openrouter(&fakes, true), 2),
        (&fakes.anthropic, anthropic(&fakes, true), 0),
    ];
    for (fake, req, after_events) in cases {
        fake.set_behavior(Behavior::FailMidStream { after_events });
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let (text, failed) = read_stream(resp).await;
        assert!(failed, "the body should fail: {text:?}");
        assert_eq!(sse(&text).len(), after_events, "{text:?}");
    }
    let first = sse(&read_stream(anthropic(&fakes, true).send().await.unwrap())
        .await
        .0);
    assert_eq!(first.len(), 0, "behaviour still set on the anthropic fake");
    for fake in fakes.all() {
        assert!(fake.reported_usage().is_empty());
    }

    // More events asked than the answer has: all of them, then the failure.
    fakes
        .openrouter
        .set_behavior(Behavior::FailMidStream { after_events: 100 });
    let (text, failed) = read_stream(openrouter(&fakes, true).send().await.unwrap()).await;
    assert!(failed);
    assert_eq!(sse(&text).last().unwrap().data, "[DONE]");

    // A non-streamed answer is unaffected.
    let (status, _, body) = get_json(openrouter(&fakes, false)).await;
    assert_eq!(
        (status, body["choices"][0]["finish_reason"].as_str()),
        (200, Some("stop"))
    );
    assert_eq!(fakes.openrouter.reported_usage(), [(5, 7)]);

    fakes.reset();
    let (text, failed) = read_stream(anthropic(&fakes, true).send().await.unwrap()).await;
    assert!(!failed);
    assert_eq!(
        sse(&text).last().unwrap().name.as_deref(),
        Some("message_stop")
    );
}

#[tokio::test]
async fn behaviours_apply_to_inference_routes() {
    let fakes = FakeUpstreams::start().await;
    fakes.anthropic.set_route_behavior(
        "/v1/messages",
        Behavior::anthropic_error(529, "overloaded_error", "Overloaded"),
    );
    let (status, headers, body) = get_json(anthropic(&fakes, true)).await;
    assert_eq!(status, 529);
    assert!(headers.contains_key("request-id"));
    assert_eq!(
        body,
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    );
    // Only that route.
    let models = client()
        .get(format!("{}/v1/models", fakes.anthropic.url()))
        .header("x-api-key", "k")
        .header("anthropic-version", "2023-06-01");
    assert_eq!(get_json(models).await.0, 200);

    fakes
        .openrouter
        .set_behavior(Behavior::openrouter_error(402, "Insufficient credits"));
    let (status, _, body) = get_json(openrouter(&fakes, false)).await;
    assert_eq!(
        (status, body),
        (
            402,
            json!({"error": {"code": 402, "message": "Insufficient credits"}})
        )
    );
    fakes.openrouter.set_behavior(Behavior::ServerError(402));
    let (status, _, body) = get_json(openrouter(&fakes, true)).await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (402, Some("Insufficient credits"))
    );
    fakes.openrouter.set_behavior(Behavior::RateLimited {
        retry_after_seconds: 3,
    });
    let (status, headers, _) = get_json(openrouter(&fakes, true)).await;
    assert_eq!(
        (status, headers["retry-after"].to_str().unwrap()),
        (429, "3")
    );

    fakes.google.set_behavior(Behavior::google_error(
        400,
        "FAILED_PRECONDITION",
        "User location is not supported for the API use.",
    ));
    let (status, _, body) = get_json(gemini(&fakes, false)).await;
    assert_eq!(
        (status, body["error"]["status"].as_str()),
        (400, Some("FAILED_PRECONDITION"))
    );
    fakes.google.set_behavior(Behavior::Unauthorized);
    let (status, _, body) = get_json(gemini(&fakes, true)).await;
    assert_eq!(
        (status, body["error"]["details"][0]["reason"].as_str()),
        (400, Some("API_KEY_INVALID"))
    );
    fakes.google.set_behavior(Behavior::RateLimited {
        retry_after_seconds: 9,
    });
    let (status, _, body) = get_json(gemini(&fakes, true)).await;
    assert_eq!(
        (status, body["error"]["details"][2]["retryDelay"].as_str()),
        (429, Some("9s"))
    );

    // Truncated: the first half of the stream, as a complete (broken) response.
    fakes.google.set_behavior(Behavior::Normal);
    let (full, _) = read_stream(gemini(&fakes, true).send().await.unwrap()).await;
    fakes.google.set_behavior(Behavior::Truncated);
    let (half, failed) = read_stream(gemini(&fakes, true).send().await.unwrap()).await;
    assert!(!failed);
    let second = full.replace("fake-1", "fake-2");
    assert_eq!(half, second[..second.len() / 2]);
    // Delay: then a normal stream.
    fakes
        .google
        .set_behavior(Behavior::Delay(Duration::from_millis(50)));
    let (again, _) = read_stream(gemini(&fakes, true).send().await.unwrap()).await;
    assert_eq!(again.replace("fake-3", "fake-1"), full);

    assert!(fakes.anthropic.reported_usage().is_empty());
    assert!(fakes.openrouter.reported_usage().is_empty());
    assert_eq!(fakes.google.reported_usage().len(), 2);
    assert!(fakes.all().iter().all(|f| {
        f.requests()
            .iter()
            .all(|r| r.method == "POST" || r.path == "/v1/models")
    }));
}

fn usage_of(body: &Value) -> (u64, u64) {
    let u = &body["usage"];
    (
        u["input_tokens"].as_u64().unwrap(),
        u["output_tokens"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn reported_usage_matches_the_answers() {
    let fakes = FakeUpstreams::start().await;
    let (_, _, a) = get_json(anthropic(&fakes, false)).await;
    let (text, _) = read_stream(anthropic(&fakes, true).send().await.unwrap()).await;
    let events = sse(&text);
    let streamed_input = events[0].json()["message"]["usage"]["input_tokens"]
        .as_u64()
        .unwrap();
    let streamed_output = events[events.len() - 2].json()["usage"]["output_tokens"]
        .as_u64()
        .unwrap();
    assert_eq!(
        fakes.anthropic.reported_usage(),
        [usage_of(&a), (streamed_input, streamed_output)]
    );
    assert_eq!(fakes.anthropic.reported_usage_totals(), (2, 10, 14));

    fakes.anthropic.set_recording(false);
    get_json(anthropic(&fakes, false)).await;
    assert_eq!(fakes.anthropic.reported_usage().len(), 2);
    assert_eq!(fakes.anthropic.reported_usage_totals(), (3, 15, 21));
    fakes.anthropic.set_recording(true);

    fakes.anthropic.clear_reported_usage();
    assert_eq!(fakes.anthropic.reported_usage_totals(), (0, 0, 0));
    get_json(anthropic(&fakes, false)).await;
    fakes.reset();
    assert!(fakes.anthropic.reported_usage().is_empty());
    let (_, _, a) = get_json(anthropic(&fakes, false)).await;
    assert_eq!(a["id"], "msg_1");
}
