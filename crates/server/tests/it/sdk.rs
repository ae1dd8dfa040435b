//! The inference gateway driven by the official `openai` and `anthropic` Python SDKs
//! (`tools/sdk/sdk_client.py`, in the virtual environment `scripts/ensure-python.sh` makes):
//! a plain chat, a tool call round trip and an image, streaming and not, through each
//! provider, from both front doors; the model list and an unknown model's error.
//!
//! The Python comes from `AIPROVIDERS_TEST_PYTHON`, else the cache directory's
//! `python-sdk/bin/python` (as `scripts/lib.sh` places it).

use std::path::PathBuf;
use std::process::{Command, Stdio};

use aiproviders_fakes::FakeServer;
use serde_json::{Value, json};

use crate::upstreams::Setup;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/sdk/sdk_client.py");

const ANTHROPIC: &str = "sk-ant-api03-sdk-test-secret-000001";
const GOOGLE: &str = "AIzaSy-sdk-test-google-key-00001";
const OPENROUTER: &str = "sk-or-v1-sdk-test-secret-00000001";
const DECO: &str = "deco-sdk-test-secret-000000001";

/// What `sdk_client.py` sends (see there) and the fakes answer (see `aiproviders-fakes`).
const CHAT_OPENAI: &str = "echo: hello from the openai sdk";
const CHAT_ANTHROPIC: &str = "echo: hello from the anthropic sdk";
const TOOL_ANSWER: &str = "tool said: sunny, 21 C";
const IMAGE_ANSWER: &str = "I see an image (image/png)";

const OPENAI_SCENARIOS: [&str; 6] = [
    "openai-chat",
    "openai-chat-stream",
    "openai-tools",
    "openai-tools-stream",
    "openai-image",
    "openai-image-stream",
];
const ANTHROPIC_SCENARIOS: [&str; 6] = [
    "anthropic-messages",
    "anthropic-messages-stream",
    "anthropic-tools",
    "anthropic-tools-stream",
    "anthropic-image",
    "anthropic-image-stream",
];

/// The virtual environment's python.
fn python() -> PathBuf {
    let path = match std::env::var_os("AIPROVIDERS_TEST_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => {
            let cache = std::env::var_os("AIPROVIDERS_CACHE_DIR")
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("aiproviders"))
                })
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").expect("HOME is set"))
                        .join(".cache/aiproviders")
                });
            cache.join("python-sdk/bin/python")
        }
    };
    assert!(
        path.exists(),
        "no Python with the openai and anthropic SDKs at {}: run scripts/ensure-python.sh \
         (or set AIPROVIDERS_TEST_PYTHON)",
        path.display()
    );
    path
}

/// Runs `scenarios` in one `sdk_client.py` process against `setup`'s gateway with `model`,
/// as the organization's member; returns each scenario's result, in order.
async fn run_sdk(setup: &Setup, model: &str, scenarios: &[&str]) -> Vec<(String, Value)> {
    let mut command = Command::new(python());
    command
        .arg(SCRIPT)
        .args(scenarios)
        // Nothing from the environment (SDK settings, proxies) reaches the clients.
        .env_clear()
        .env("GATEWAY_URL", &setup.app.base_url)
        .env("GATEWAY_TOKEN", &setup.org.member)
        .env("MODEL", model)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUTF8", "1")
        .stdin(Stdio::null());
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("run sdk_client.py");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "sdk_client.py {scenarios:?} failed ({}):\n{stderr}\n{stdout}",
        output.status
    );
    let out: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("sdk_client.py printed no JSON ({e}):\n{stdout}\n{stderr}"));
    let results: Vec<(String, Value)> = if scenarios.len() == 1 {
        vec![(scenarios[0].to_owned(), out)]
    } else {
        scenarios
            .iter()
            .map(|s| ((*s).to_owned(), out[*s].clone()))
            .collect()
    };
    for (scenario, result) in &results {
        assert!(
            result.get("exception").is_none(),
            "{scenario} via {model} raised: {result}\n{}",
            setup.app.logs()
        );
    }
    results
}

/// Checks one scenario's result.
fn check(scenario: &str, model: &str, r: &Value) {
    let context = format!("{scenario} via {model}: {r}");
    let anthropic = scenario.starts_with("anthropic-");
    let (end, tool_use) = if anthropic {
        ("end_turn", "tool_use")
    } else {
        ("stop", "tool_calls")
    };
    let text = if scenario.contains("-tools") {
        assert_eq!(r["tool_call"]["name"], "get_weather", "{context}");
        assert_eq!(
            r["tool_call"]["arguments"],
            json!({"city": "Paris"}),
            "{context}"
        );
        assert!(
            r["tool_call"]["id"]
                .as_str()
                .is_some_and(|id| !id.is_empty()),
            "{context}"
        );
        assert_eq!(r["tool_calls"], 1, "{context}");
        assert_eq!(r["tool_finish"], tool_use, "{context}");
        TOOL_ANSWER
    } else if scenario.contains("-image") {
        IMAGE_ANSWER
    } else if anthropic {
        CHAT_ANTHROPIC
    } else {
        CHAT_OPENAI
    };
    assert_eq!(r["text"], text, "{context}");
    assert_eq!(r["finish"], end, "{context}");
    assert_eq!(r["model"], model, "{context}");
    if scenario.ends_with("-stream") {
        assert_eq!(r["streamed"], text, "{context}");
        assert!(
            r["events"].as_u64().unwrap() > 2,
            "streamed in pieces: {context}"
        );
    }
}

/// Runs every chat scenario from both front doors with `model`, which `fake` serves, and
/// checks the answers and that the usage each SDK read is what the fake reported.
async fn every_scenario(setup: &Setup, model: &str, fake: &FakeServer) {
    fake.clear_reported_usage();
    let scenarios: Vec<&str> = OPENAI_SCENARIOS
        .into_iter()
        .chain(ANTHROPIC_SCENARIOS)
        .collect();
    let results = run_sdk(setup, model, &scenarios).await;
    // Sequential requests: the fake's answers complete in the order the SDK made them.
    let mut reported = fake.reported_usage().into_iter();
    for (scenario, result) in &results {
        check(scenario, model, result);
        let usage = result["usage"].as_array().unwrap();
        let expected: Vec<Value> = reported
            .by_ref()
            .take(usage.len())
            .map(|(input, output)| json!([input, output]))
            .collect();
        assert_eq!(
            usage, &expected,
            "{scenario} via {model}: the SDK's usage is the provider's"
        );
    }
    assert_eq!(reported.count(), 0, "one upstream answer per SDK request");
}

#[tokio::test(flavor = "multi_thread")]
async fn sdks_through_anthropic() {
    let setup = Setup::start().await;
    setup.key("anthropic", ANTHROPIC).await;
    every_scenario(
        &setup,
        "anthropic/claude-sonnet-4-5-20250929",
        &setup.fakes.anthropic,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sdks_through_google() {
    let setup = Setup::start().await;
    setup.key("google", GOOGLE).await;
    every_scenario(&setup, "google/gemini-2.5-flash", &setup.fakes.google).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sdks_through_openrouter() {
    let setup = Setup::start().await;
    setup.key("openrouter", OPENROUTER).await;
    every_scenario(
        &setup,
        "openrouter/anthropic/claude-sonnet-4.5",
        &setup.fakes.openrouter,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sdks_through_deco() {
    let setup = Setup::start_with(|o| o.env("DECO_AI_GATEWAY_ENABLED", "true")).await;
    setup.key("deco", DECO).await;
    every_scenario(&setup, "deco/openai/gpt-4o", &setup.fakes.deco).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sdk_model_list_and_unknown_model_errors() {
    let setup = Setup::start_with(|o| o.env("DECO_AI_GATEWAY_ENABLED", "true")).await;
    setup.key("anthropic", ANTHROPIC).await;
    setup.key("google", GOOGLE).await;
    setup.key("openrouter", OPENROUTER).await;
    setup.key("deco", DECO).await;

    let listed = run_sdk(&setup, "", &["openai-models"]).await;
    let ids: Vec<&str> = listed[0].1["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    for id in [
        "anthropic/claude-sonnet-4-5-20250929",
        "google/gemini-2.5-flash",
        "openrouter/anthropic/claude-sonnet-4.5",
        "deco/openai/gpt-4o",
    ] {
        assert!(ids.contains(&id), "{id} not listed: {ids:?}");
    }

    let errors = run_sdk(
        &setup,
        "anthropic/claude-does-not-exist",
        &["openai-error", "anthropic-error"],
    )
    .await;
    for ((scenario, result), module) in errors.iter().zip(["openai", "anthropic"]) {
        let error = &result["error"];
        assert_eq!(error["class"], "NotFoundError", "{scenario}: {result}");
        assert_eq!(error["module"], module, "{scenario}: {result}");
        assert_eq!(error["status"], 404, "{scenario}: {result}");
    }
    assert!(
        setup
            .fakes
            .anthropic
            .requests()
            .iter()
            .all(|r| r.path != "/v1/messages"),
        "an unknown model makes no upstream call"
    );
}
