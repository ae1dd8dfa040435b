use std::collections::HashSet;

use aiproviders_fakes::{Dataset, FakeUpstreams, openrouter_catalog_entry};

use crate::{client, get_json};

const REQUIRED: &[&str] = &[
    "anthropic/claude-opus-4.1",
    "anthropic/claude-opus-4",
    "anthropic/claude-sonnet-4.5",
    "anthropic/claude-sonnet-4",
    "anthropic/claude-haiku-4.5",
    "anthropic/claude-3.7-sonnet",
    "anthropic/claude-3.7-sonnet:thinking",
    "anthropic/claude-3.5-haiku",
    "anthropic/claude-3-haiku",
    "google/gemini-2.5-pro",
    "google/gemini-2.5-flash",
    "google/gemini-2.5-flash-lite",
    "google/gemini-2.0-flash-001",
    "google/gemma-3-27b-it",
    "openrouter/auto",
    "meta-llama/llama-3.3-70b-instruct:free",
    "anthropic/claude-test-001",
    "anthropic/claude-test-037",
    "google/gemini-test-001",
    "google/gemini-test-032",
];

#[tokio::test]
async fn models_are_public_complete_and_match_the_dataset() {
    let fakes = FakeUpstreams::start().await;
    let url = format!("{}/api/v1/models", fakes.openrouter.url());
    let (status, headers, body) = get_json(client().get(&url)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 320);
    assert_eq!(body["total_count"], 320);
    assert!(body["links"]["next"].is_null());
    let ids: HashSet<&str> = data.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 320);
    for id in REQUIRED {
        assert!(ids.contains(id), "{id} missing");
    }
    assert!(!ids.contains("anthropic/claude-test-038"));
    let sonnet = data
        .iter()
        .find(|m| m["id"] == "anthropic/claude-sonnet-4.5")
        .unwrap();
    assert_eq!(
        sonnet,
        &openrouter_catalog_entry("anthropic/claude-sonnet-4.5").unwrap()
    );
    assert_eq!(sonnet["pricing"]["prompt"], "0.000003");
    assert_eq!(sonnet["pricing"]["completion"], "0.000015");
    assert_eq!(
        sonnet["architecture"]["input_modalities"],
        serde_json::json!(["text", "image", "file"])
    );
    assert!(
        sonnet["supported_parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "tools")
    );
    let auto = data.iter().find(|m| m["id"] == "openrouter/auto").unwrap();
    assert_eq!(auto["pricing"]["prompt"], "-1");
    assert!(data.iter().any(|m| {
        m["architecture"]["output_modalities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "image")
    }));
    assert!(data.iter().any(|m| {
        m["architecture"]["input_modalities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "audio")
    }));
    for m in data {
        for field in [
            "canonical_slug",
            "name",
            "created",
            "context_length",
            "architecture",
            "pricing",
            "top_provider",
            "per_request_limits",
            "supported_parameters",
            "default_parameters",
            "supported_voices",
            "links",
        ] {
            assert!(m.get(field).is_some(), "{} lacks {field}", m["id"]);
        }
        assert!(m["pricing"]["prompt"].is_string() && m["pricing"]["completion"].is_string());
    }
    // Paid prompt prices are distinct, so a test can tell which entry was used.
    let paid: Vec<&str> = data
        .iter()
        .map(|m| m["pricing"]["prompt"].as_str().unwrap())
        .filter(|p| !matches!(*p, "0" | "-1"))
        .collect();
    assert_eq!(paid.iter().collect::<HashSet<_>>().len(), paid.len());

    let (status, _, _) = get_json(client().get(&url).bearer_auth("sk-or-v1-good")).await;
    assert_eq!(status, 200);
    let (status, _, body) = get_json(client().get(&url).bearer_auth("sk-or-v1-revoked")).await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (401, Some("User not found."))
    );
}

#[tokio::test]
async fn key_and_credits() {
    let fakes = FakeUpstreams::start().await;
    let base = fakes.openrouter.url();
    let key = "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";
    let (status, _, current) =
        get_json(client().get(format!("{base}/api/v1/key")).bearer_auth(key)).await;
    assert_eq!(status, 200);
    assert_eq!(current["data"]["limit_remaining"], 74.5);
    assert_eq!(current["data"]["label"], "sk-or-v1-0e6...1c96");
    let (_, _, legacy) = get_json(
        client()
            .get(format!("{base}/api/v1/auth/key"))
            .bearer_auth(key),
    )
    .await;
    assert_eq!(current, legacy);

    fakes.openrouter.set_key_limit_remaining(None);
    let (_, _, uncapped) =
        get_json(client().get(format!("{base}/api/v1/key")).bearer_auth(key)).await;
    assert!(uncapped["data"]["limit"].is_null() && uncapped["data"]["limit_remaining"].is_null());
    assert!(
        uncapped["data"]
            .as_object()
            .unwrap()
            .contains_key("limit_remaining")
    );
    fakes.openrouter.set_key_limit_remaining(Some(0.25));
    let (_, _, low) = get_json(client().get(format!("{base}/api/v1/key")).bearer_auth(key)).await;
    assert_eq!(
        (
            low["data"]["limit"].as_f64(),
            low["data"]["limit_remaining"].as_f64()
        ),
        (Some(100.0), Some(0.25))
    );
    fakes.openrouter.reset();

    let (status, _, body) = get_json(client().get(format!("{base}/api/v1/key"))).await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (401, Some("No auth credentials found"))
    );
    let (status, _, body) = get_json(
        client()
            .get(format!("{base}/api/v1/key"))
            .bearer_auth("revoked"),
    )
    .await;
    assert_eq!((status, body["error"]["code"].as_u64()), (401, Some(401)));

    let (status, _, body) = get_json(
        client()
            .get(format!("{base}/api/v1/credits"))
            .bearer_auth("sk-or-v1-mgmt-1"),
    )
    .await;
    assert_eq!(
        (status, body["data"]["total_credits"].as_f64()),
        (200, Some(100.5))
    );
    let (status, _, body) = get_json(
        client()
            .get(format!("{base}/api/v1/credits"))
            .bearer_auth(key),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"]["message"],
        "Only management keys can perform this operation"
    );
}

#[tokio::test]
async fn deco_requires_a_bearer_key() {
    let fakes = FakeUpstreams::start().await;
    let url = format!("{}/api/v1/models", fakes.deco.url());
    let (status, _, _) = get_json(client().get(&url)).await;
    assert_eq!(status, 401);
    let (status, _, body) = get_json(client().get(&url).bearer_auth("deco-key")).await;
    assert_eq!(status, 200);
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 60);
    assert_eq!(data[0]["id"], "anthropic/claude-sonnet-4.5");
    assert!(data.iter().any(|m| m["id"] == "openai/gpt-4o"));
    assert_eq!(
        data[0],
        Dataset::default()
            .deco_entry("anthropic/claude-sonnet-4.5")
            .unwrap()
    );
    assert_eq!(data[0]["pricing"]["prompt"], "0.0000033");
    let (status, _, _) = get_json(client().get(&url).bearer_auth("deco-revoked")).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn small_dataset_still_lists_every_named_entry() {
    let dataset = Dataset {
        anthropic_models: 3,
        google_models: 2,
        openrouter_models: 5,
        deco_models: 4,
        anthropic_page_cap: 1,
        google_page_cap: 1,
    };
    let fakes = FakeUpstreams::start_with(dataset.clone()).await;
    assert_eq!(dataset.anthropic_catalog().len(), 3);
    assert_eq!(dataset.google_catalog().len(), 2);
    assert_eq!(dataset.deco_catalog().len(), 4);
    assert_eq!(dataset.openrouter_catalog().len(), 23);
    let (_, _, body) = get_json(
        client()
            .get(format!("{}/v1/models", fakes.anthropic.url()))
            .header("x-api-key", "k")
            .header("anthropic-version", "2023-06-01"),
    )
    .await;
    assert_eq!(
        (
            body["data"].as_array().unwrap().len(),
            body["has_more"].as_bool()
        ),
        (1, Some(true))
    );
}
