//! The inference gateway over HTTP against the fake providers: both front doors, streaming
//! and not, translation across providers, fallback by failure class, policy and bad input.
//! (The official SDK clients come with the gateway issue's later steps.)

use aiproviders_fakes::Behavior;
use serde_json::{Value, json};

use crate::upstreams::{Setup, wait_for_status};

const ANTHROPIC: &str = "sk-ant-api03-gateway-test-secret-001";
const OPENROUTER: &str = "sk-or-v1-gateway-test-secret-000001";

struct Gateway {
    setup: Setup,
    http: reqwest::Client,
}

impl Gateway {
    async fn start() -> Self {
        Self {
            setup: Setup::start().await,
            http: reqwest::Client::new(),
        }
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> (u16, String, String) {
        let response = self
            .http
            .post(format!("{}{path}", self.setup.app.base_url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let route = response
            .headers()
            .get("x-aiproviders-route")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, route, response.text().await.unwrap())
    }

    async fn chat(&self, body: Value) -> (u16, String, String) {
        self.post("/v1/chat/completions", &self.setup.org.owner, body)
            .await
    }
}

fn user(text: &str) -> Value {
    json!([{"role": "user", "content": text}])
}

/// The text of an OpenAI stream's content deltas, and whether it ended with `[DONE]`.
fn openai_stream_text(body: &str) -> (String, bool) {
    let mut text = String::new();
    let mut done = false;
    for line in body.lines() {
        let Some(data) = line.strip_prefix("data: ") else {
            continue;
        };
        if data == "[DONE]" {
            done = true;
            continue;
        }
        let chunk: Value = serde_json::from_str(data).unwrap();
        if let Some(t) = chunk["choices"][0]["delta"]["content"].as_str() {
            text.push_str(t);
        }
    }
    (text, done)
}

#[tokio::test(flavor = "multi_thread")]
async fn both_front_doors_reach_every_provider_streaming_and_not() {
    let gw = Gateway::start().await;
    let anthropic = gw.setup.key("anthropic", ANTHROPIC).await;
    gw.setup.key("openrouter", OPENROUTER).await;
    gw.setup
        .key("google", "AIzaSy-gateway-test-google-0001")
        .await;

    // OpenAI in, Anthropic out.
    let (status, route, body) = gw
        .chat(json!({"model": "anthropic/claude-sonnet-4-5-20250929", "messages": user("hello")}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        route,
        format!("anthropic/claude-sonnet-4-5-20250929@{anthropic}=ok")
    );
    let completion: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(completion["object"], "chat.completion");
    assert_eq!(completion["model"], "anthropic/claude-sonnet-4-5-20250929");
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        "echo: hello"
    );
    assert!(completion["usage"]["prompt_tokens"].as_u64().unwrap() >= 1);
    let sent = gw.setup.fakes.anthropic.requests();
    let call = sent.iter().find(|r| r.path == "/v1/messages").unwrap();
    assert_eq!(call.header("x-api-key"), Some(ANTHROPIC));

    // OpenAI in, OpenRouter out, streaming.
    let (status, route, body) = gw
        .chat(json!({"model": "openrouter/openai/gpt-4o", "messages": user("streamed"), "stream": true}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(route.ends_with("=ok"), "{route}");
    assert_eq!(
        openai_stream_text(&body),
        ("echo: streamed".to_owned(), true)
    );

    // Anthropic in, Gemini out, streaming and not.
    let messages = json!({"model": "google/gemini-2.5-flash", "max_tokens": 100, "messages": user("from claude sdk")});
    let (status, _, body) = gw
        .post("/v1/messages", &gw.setup.org.owner, messages.clone())
        .await;
    assert_eq!(status, 200, "{body}");
    let message: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(message["type"], "message");
    assert_eq!(message["content"][0]["text"], "echo: from claude sdk");
    let mut streaming = messages;
    streaming["stream"] = json!(true);
    let (status, _, body) = gw
        .post("/v1/messages", &gw.setup.org.owner, streaming)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("event: message_start") && body.contains("event: message_stop"),
        "{body}"
    );
    let text: String = body
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .filter_map(|v| v["delta"]["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(text, "echo: from claude sdk");

    // The model list, as OpenAI lists models.
    let models: Value = gw
        .http
        .get(format!("{}/v1/models", gw.setup.app.base_url))
        .bearer_auth(&gw.setup.org.member)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(models["object"], "list");
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"anthropic/claude-sonnet-4-5-20250929"));
    assert!(ids.contains(&"openrouter/openai/gpt-4o"));
    assert!(ids.contains(&"google/gemini-2.5-flash"));
    let unauthenticated = gw
        .http
        .get(format!("{}/v1/models", gw.setup.app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);

    // The Anthropic SDKs' `x-api-key` carries the access token on the gateway's routes too.
    let with_header = gw
        .http
        .post(format!("{}/v1/messages", gw.setup.app.base_url))
        .header("x-api-key", &gw.setup.org.member)
        .json(&json!({"model": "google/gemini-2.5-flash", "max_tokens": 50, "messages": user("via x-api-key")}))
        .send()
        .await
        .unwrap();
    assert_eq!(with_header.status(), 200);
    // A whole answer goes out with its length, not chunked (the in-flight tracking that
    // holds every POST open until its body is sent keeps the body's size).
    let length: usize = with_header.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(with_header.headers().get("transfer-encoding").is_none());
    assert_eq!(with_header.bytes().await.unwrap().len(), length);
    let wrong = gw
        .http
        .post(format!("{}/v1/messages", gw.setup.app.base_url))
        .header("x-api-key", "aip_not-a-real-token")
        .json(&json!({"model": "google/gemini-2.5-flash", "max_tokens": 50, "messages": user("x")}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_fall_back_by_class_and_refused_keys_are_invalidated() {
    let gw = Gateway::start().await;
    let anthropic = gw.setup.key("anthropic", ANTHROPIC).await;
    let openrouter = gw.setup.key("openrouter", OPENROUTER).await;
    let model = json!({"model": "anthropic/claude-sonnet-4-5", "messages": user("fall back")});
    // Both keys' model lists are known (cached) before the providers start failing.
    crate::upstreams::list_models(&gw.setup.owner, &anthropic).await;
    crate::upstreams::list_models(&gw.setup.owner, &openrouter).await;

    // 5xx at Anthropic: the same model through OpenRouter answers.
    gw.setup
        .fakes
        .anthropic
        .set_behavior(Behavior::ServerError(529));
    let (status, route, body) = gw.chat(model.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        route,
        format!(
            "anthropic/claude-sonnet-4-5-20250929@{anthropic}=server_error, openrouter/anthropic/claude-sonnet-4.5@{openrouter}=ok"
        )
    );

    // A request the provider refuses as such is returned, not retried elsewhere.
    gw.setup
        .fakes
        .anthropic
        .set_behavior(Behavior::anthropic_error(
            400,
            "invalid_request_error",
            "messages.0.content: text must be non-empty",
        ));
    let (status, route, body) = gw.chat(model.clone()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(route.matches('@').count(), 1, "{route}");
    assert!(body.contains("text must be non-empty"));

    // A refused key: next candidate, and the key is marked invalid and audited.
    gw.setup
        .fakes
        .anthropic
        .set_behavior(Behavior::Unauthorized);
    let (status, route, _) = gw.chat(model.clone()).await;
    assert_eq!(status, 200);
    assert!(route.contains("=auth_refused"), "{route}");
    let key = wait_for_status(&gw.setup.owner, &anthropic, |s| s == "invalid").await;
    assert_eq!(key["status"], "invalid");
    let audit = gw
        .setup
        .owner
        .call("AI_PROVIDER_AUDIT_LIST", json!({}))
        .await
        .ok();
    assert!(
        audit["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "provider_key.invalidated")
    );

    // Everything failing: the last failure's class, with every attempt in the route.
    gw.setup
        .fakes
        .openrouter
        .set_behavior(Behavior::RateLimited {
            retry_after_seconds: 9,
        });
    let (status, route, body) = gw.chat(model).await;
    assert_eq!(status, 429, "{body}");
    assert!(route.contains("=rate_limited"), "{route}");
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"]["code"], "upstream_rate_limited");
}

#[tokio::test(flavor = "multi_thread")]
async fn streams_fail_over_before_the_first_byte_and_end_with_an_error_after_it() {
    let gw = Gateway::start().await;
    let anthropic = gw.setup.key("anthropic", ANTHROPIC).await;
    let openrouter = gw.setup.key("openrouter", OPENROUTER).await;
    crate::upstreams::list_models(&gw.setup.owner, &anthropic).await;
    crate::upstreams::list_models(&gw.setup.owner, &openrouter).await;
    let body = json!({"model": "anthropic/claude-sonnet-4-5", "messages": user("a fairly long streamed answer"), "stream": true});

    // Anthropic breaks after its opening events, before any content: OpenRouter answers.
    gw.setup
        .fakes
        .anthropic
        .set_behavior(Behavior::FailMidStream { after_events: 2 });
    let (status, route, text) = gw.chat(body.clone()).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        route.contains("=server_error") || route.contains("=connect_error"),
        "{route}"
    );
    assert!(route.ends_with("=ok"), "{route}");
    assert_eq!(
        openai_stream_text(&text).0,
        "echo: a fairly long streamed answer"
    );

    // OpenRouter alone, breaking after content went out: the stream ends with an error.
    gw.setup
        .fakes
        .anthropic
        .set_behavior(Behavior::ServerError(500));
    gw.setup
        .fakes
        .openrouter
        .set_behavior(Behavior::FailMidStream { after_events: 3 });
    let (status, _, text) = gw.chat(body).await;
    assert_eq!(status, 200);
    let (partial, done) = openai_stream_text(&text);
    assert!(!partial.is_empty() && partial.len() < "echo: a fairly long streamed answer".len());
    assert!(!done);
    assert!(text.contains("\"error\""), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_unknown_and_forbidden_models_fail_before_any_upstream_call() {
    let gw = Gateway::start().await;
    gw.setup.key("anthropic", ANTHROPIC).await;
    gw.setup
        .owner
        .call(
            "AI_PROVIDER_MODEL_POLICY_SET",
            json!({"policy": {"rules": [{"effect": "deny", "roles": ["member"], "models": ["claude-opus-*"]}]}}),
        )
        .await
        .ok();
    let member = gw.setup.org.member.clone();
    let cases = [
        (
            json!({"model": "anthropic/claude-opus-4-1-20250805", "messages": user("x")}),
            403,
            "forbidden",
        ),
        (
            json!({"model": "anthropic/claude-nonexistent", "messages": user("x")}),
            404,
            "not_found",
        ),
        (
            json!({"model": "anthropic/claude-sonnet-4-5", "messages": []}),
            400,
            "invalid_input",
        ),
        (json!({"messages": user("x")}), 400, "invalid_input"),
        (
            json!({"model": "", "messages": user("x")}),
            400,
            "invalid_input",
        ),
    ];
    for (body, status, code) in cases {
        let (got, _, text) = gw.post("/v1/chat/completions", &member, body.clone()).await;
        assert_eq!(got, status, "{body}: {text}");
        let error: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(error["error"]["code"], code, "{text}");
    }
    let malformed = gw
        .http
        .post(format!("{}/v1/messages", gw.setup.app.base_url))
        .bearer_auth(&member)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let error: Value = malformed.json().await.unwrap();
    assert_eq!(error["type"], "error");
    assert_eq!(error["error"]["type"], "invalid_request_error");
    assert!(
        gw.setup
            .fakes
            .anthropic
            .requests()
            .iter()
            .all(|r| r.path != "/v1/messages"),
        "no upstream call"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_totals_match_what_the_providers_reported() {
    let gw = Gateway::start().await;
    let anthropic = gw.setup.key("anthropic", ANTHROPIC).await;
    gw.setup.key("openrouter", OPENROUTER).await;
    for (model, stream) in [
        ("anthropic/claude-sonnet-4-5-20250929", false),
        ("anthropic/claude-sonnet-4-5-20250929", true),
        ("openrouter/openai/gpt-4o", false),
        ("openrouter/openai/gpt-4o", true),
    ] {
        let (status, _, body) = gw
            .chat(json!({"model": model, "messages": user("count my tokens please"), "stream": stream}))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let member = gw.setup.app.client(&gw.setup.org.member).await;
    let (status, _, _) = gw
        .post(
            "/v1/chat/completions",
            &gw.setup.org.member,
            json!({"model": "openrouter/openai/gpt-4o", "messages": user("member call")}),
        )
        .await;
    assert_eq!(status, 200);

    let by_provider = gw
        .setup
        .owner
        .call("AI_PROVIDER_USAGE", json!({"groupBy": "provider"}))
        .await
        .ok();
    let rows = by_provider["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{by_provider}");
    for (row, fake) in [
        ("anthropic", &gw.setup.fakes.anthropic),
        ("openrouter", &gw.setup.fakes.openrouter),
    ] {
        let row = rows.iter().find(|r| r["group"] == row).unwrap();
        let (answers, input, output) = fake.reported_usage_totals();
        assert_eq!(row["requests"].as_u64().unwrap(), answers, "{row}");
        assert_eq!(row["inputTokens"].as_u64().unwrap(), input, "{row}");
        assert_eq!(row["outputTokens"].as_u64().unwrap(), output, "{row}");
    }
    // Prices come from the catalog (OpenRouter's entries for both).
    assert!(
        rows.iter().all(|r| r["costUsd"].as_f64().unwrap() > 0.0),
        "{by_provider}"
    );
    let by_key = gw
        .setup
        .owner
        .call("AI_PROVIDER_USAGE", json!({"groupBy": "key"}))
        .await
        .ok();
    assert!(
        by_key["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["group"] == anthropic)
    );
    // Members see their own requests only.
    let own = member
        .call("AI_PROVIDER_USAGE", json!({"groupBy": "user"}))
        .await
        .ok();
    assert_eq!(own["rows"].as_array().unwrap().len(), 1, "{own}");
    assert_eq!(own["rows"][0]["requests"], 1);
    let bad = member
        .call("AI_PROVIDER_USAGE", json!({"groupBy": "color"}))
        .await;
    assert_eq!(bad.code(), "invalid_input");
    let future = gw
        .setup
        .owner
        .call(
            "AI_PROVIDER_USAGE",
            json!({"groupBy": "model", "since": "2999-01-01T00:00:00Z"}),
        )
        .await
        .ok();
    assert_eq!(future["rows"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn context_length_policy_and_auto_shape_the_candidates() {
    let gw = Gateway::start().await;
    let anthropic = gw.setup.key("anthropic", ANTHROPIC).await;
    let openrouter = gw.setup.key("openrouter", OPENROUTER).await;
    let anthropic_models = crate::upstreams::list_models(&gw.setup.owner, &anthropic).await;
    let openrouter_models = crate::upstreams::list_models(&gw.setup.owner, &openrouter).await;
    let window = |listing: &Value, id: &str| {
        crate::upstreams::model(listing, id)["limits"]["contextWindow"]
            .as_u64()
            .unwrap()
    };
    let small = window(&anthropic_models, "claude-sonnet-4-5-20250929");
    let large = window(&openrouter_models, "anthropic/claude-sonnet-4.5");
    assert!(
        large > small,
        "the fake catalog gives OpenRouter a larger window"
    );

    // A context-length error: only candidates with a larger window are tried.
    gw.setup
        .fakes
        .anthropic
        .set_behavior(Behavior::anthropic_error(
            400,
            "invalid_request_error",
            "prompt is too long: 250000 tokens > 200000 maximum",
        ));
    let body = json!({"model": "anthropic/claude-sonnet-4-5", "messages": user("long")});
    let (status, route, text) = gw.chat(body.clone()).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        route,
        format!(
            "anthropic/claude-sonnet-4-5-20250929@{anthropic}=context_length, openrouter/anthropic/claude-sonnet-4.5@{openrouter}=ok"
        )
    );

    // A fallback never reaches a model the policy forbids.
    gw.setup
        .owner
        .call(
            "AI_PROVIDER_MODEL_POLICY_SET",
            json!({"policy": {"rules": [{"effect": "deny", "providers": ["openrouter"]}]}}),
        )
        .await
        .ok();
    gw.setup
        .fakes
        .anthropic
        .set_behavior(Behavior::ServerError(503));
    gw.setup.fakes.openrouter.clear_requests();
    let (status, route, text) = gw.chat(body).await;
    assert_eq!(status, 503, "{text}");
    assert_eq!(
        route,
        format!("anthropic/claude-sonnet-4-5-20250929@{anthropic}=server_error")
    );
    assert!(
        gw.setup
            .fakes
            .openrouter
            .requests()
            .iter()
            .all(|r| r.path != "/api/v1/chat/completions")
    );

    // `auto` with tools: the cheapest allowed model that takes tools.
    gw.setup.fakes.anthropic.set_behavior(Behavior::Normal);
    gw.setup
        .owner
        .call(
            "AI_PROVIDER_MODEL_POLICY_SET",
            json!({"policy": {"default": "allow"}}),
        )
        .await
        .ok();
    let tools = json!([{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]);
    let (status, route, text) = gw
        .chat(json!({"model": "auto", "messages": user("what is the weather?"), "tools": tools}))
        .await;
    assert_eq!(status, 200, "{text}");
    let chosen = route.split('@').next().unwrap().to_owned();
    let priced_with_tools = |listing: &Value, provider: &str| -> Vec<(f64, String)> {
        listing["models"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| {
                m["capabilities"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("tools"))
            })
            .filter_map(|m| {
                Some((
                    m["costs"]["input"].as_f64()?,
                    format!("{provider}/{}", m["modelId"].as_str().unwrap()),
                ))
            })
            .collect()
    };
    let mut all = priced_with_tools(&anthropic_models, "anthropic");
    all.extend(priced_with_tools(&openrouter_models, "openrouter"));
    let cheapest = all.iter().map(|(p, _)| *p).fold(f64::INFINITY, f64::min);
    let chosen_price = all.iter().find(|(_, id)| *id == chosen).map(|(p, _)| *p);
    assert_eq!(chosen_price, Some(cheapest), "{chosen} among {all:?}");
    let completion: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(completion["choices"][0]["finish_reason"], "tool_calls");
}

/// Keys, policies and tokens changed through one replica reach the other's gateway, which
/// reads them from its in-memory change board, within the poll interval (100 ms).
#[tokio::test(flavor = "multi_thread")]
async fn a_second_replicas_gateway_follows_keys_policies_and_tokens_changed_on_the_first() {
    use crate::harness::{AppOptions, TestApp, TestDatabase};
    use std::time::{Duration, Instant};

    let setup = Setup::start_with(|options| AppOptions {
        master_key_env: true,
        ..options
    })
    .await;
    let second = TestApp::start(
        tempfile::tempdir().unwrap(),
        TestDatabase::same_as(&setup.app.db),
        AppOptions {
            master_key_env: true,
            ..crate::upstreams::options(&setup.fakes)
        },
    );
    let http = reqwest::Client::new();
    let chat_on_second = |token: String| {
        let request = http
            .post(format!("{}/v1/chat/completions", second.base_url))
            .bearer_auth(token)
            .json(&json!({"model": "anthropic/claude-sonnet-4-5", "messages": user("hi")}));
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };
    // Polls the second replica until `done` holds, for at most 2 s.
    let until = |token: String, done: fn(u16) -> bool| {
        let chat = &chat_on_second;
        async move {
            let start = Instant::now();
            loop {
                let (status, text) = chat(token.clone()).await;
                if done(status) {
                    return (status, text);
                }
                assert!(
                    start.elapsed() < Duration::from_secs(2),
                    "the second replica did not follow: {status} {text}"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    let owner = setup.org.owner.clone();
    let member = setup.org.member.clone();

    // The second replica learns the organization's versions before anything exists.
    let (status, text) = chat_on_second(owner.clone()).await;
    assert_eq!(status, 404, "{text}");
    setup.key("anthropic", ANTHROPIC).await;
    let (_, text) = until(owner.clone(), |s| s == 200).await;
    assert!(text.contains("echo: hi"), "{text}");

    setup
        .owner
        .call(
            "AI_PROVIDER_MODEL_POLICY_SET",
            json!({"policy": {"rules": [{"effect": "deny", "roles": ["member"], "models": ["claude-sonnet-*"]}]}}),
        )
        .await
        .ok();
    assert_eq!(until(member.clone(), |s| s == 403).await.0, 403);
    // The owner is not covered by the rule.
    assert_eq!(chat_on_second(owner.clone()).await.0, 200);

    let token = setup.app.create_token(&setup.org.slug, "leaver", "admin");
    assert_eq!(chat_on_second(token.clone()).await.0, 200);
    let listed = setup
        .app
        .cli_ok(&["token", "list", "--org", &setup.org.slug]);
    let token_id = listed
        .lines()
        .find(|l| l.contains("leaver"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    setup.app.cli_ok(&["token", "revoke", &token_id]);
    assert_eq!(until(token, |s| s == 401).await.0, 401);
}
