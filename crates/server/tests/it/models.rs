//! `AI_PROVIDERS_LIST_MODELS` against fake providers: each adapter's mapping, pagination,
//! enrichment on and off, the `provider_key_id` alias, and other organizations' keys.

use aiproviders_fakes::{
    ANTHROPIC_REAL_MODELS, Behavior, GOOGLE_EMBEDDING_ONLY_MODELS, openrouter_catalog_entry,
};
use serde_json::{Value, json};

use crate::upstreams::{
    ANTHROPIC_MODELS, GOOGLE_MODELS, OPENROUTER_MODELS, Setup, credentials_seen, list_models,
    model, model_ids, price,
};

const ANTHROPIC_SECRET: &str = "sk-ant-api03-models-test-secret-0001";

fn caps(model: &Value) -> Vec<&str> {
    model["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn anthropic_models_span_pages_keep_provider_facts_and_are_enriched() {
    let setup = Setup::start().await;
    let key = setup.key("anthropic", ANTHROPIC_SECRET).await;
    let listing = list_models(&setup.owner, &key).await;

    assert_eq!(listing["stale"], false);
    assert!(listing["fetchedAt"].as_str().unwrap().ends_with('Z'));
    let ids = model_ids(&listing);
    assert_eq!(ids.len(), 45, "every model of every page, once");
    for (id, _) in ANTHROPIC_REAL_MODELS {
        assert!(ids.contains(&id.to_string()), "{id}");
    }

    // Pages: 45 models at 20 per page is 3 requests, each with the key and the version.
    let requests = setup.fakes.anthropic.requests();
    let pages: Vec<_> = requests
        .iter()
        .filter(|r| r.path == ANTHROPIC_MODELS)
        .collect();
    assert_eq!(pages.len(), 3);
    for page in &pages {
        assert_eq!(page.header("x-api-key"), Some(ANTHROPIC_SECRET));
        assert_eq!(page.header("anthropic-version"), Some("2023-06-01"));
        assert_eq!(page.header("authorization"), None);
    }

    // What Anthropic said is kept; what it did not say comes from OpenRouter's catalog.
    let sonnet = model(&listing, "claude-sonnet-4-5-20250929");
    let catalog = openrouter_catalog_entry("anthropic/claude-sonnet-4.5").unwrap();
    assert_eq!(sonnet["providerId"], "anthropic");
    assert_eq!(sonnet["title"], "Claude Sonnet 4.5");
    assert_eq!(sonnet["limits"]["contextWindow"], 200_000);
    assert_eq!(sonnet["limits"]["maxOutputTokens"], 64_000);
    assert_eq!(sonnet["costs"]["input"], price(&catalog, "prompt"));
    assert_eq!(sonnet["costs"]["output"], price(&catalog, "completion"));
    assert_eq!(sonnet["description"], catalog["description"]);
    let sonnet_caps = caps(sonnet);
    for c in ["text", "vision", "file", "reasoning", "tools"] {
        assert!(sonnet_caps.contains(&c), "{c} in {sonnet_caps:?}");
    }

    // A model listed without the newer fields: limits from the catalog too.
    let opus = model(&listing, "claude-opus-4-20250514");
    let catalog = openrouter_catalog_entry("anthropic/claude-opus-4").unwrap();
    assert_eq!(opus["title"], "Claude Opus 4");
    assert_eq!(opus["limits"]["contextWindow"], catalog["context_length"]);
    assert_eq!(
        opus["limits"]["maxOutputTokens"],
        catalog["top_provider"]["max_completion_tokens"]
    );

    // A dated id matched by normalization (`-20250101` dropped).
    let test = model(&listing, "claude-test-001-20250101");
    let catalog = openrouter_catalog_entry("anthropic/claude-test-001").unwrap();
    assert_eq!(test["costs"]["input"], price(&catalog, "prompt"));

    // The Anthropic key went to Anthropic only.
    for fake in [
        &setup.fakes.google,
        &setup.fakes.openrouter,
        &setup.fakes.deco,
    ] {
        assert!(
            credentials_seen(fake)
                .iter()
                .all(|c| !c.contains(ANTHROPIC_SECRET)),
            "the key reached {}",
            fake.url()
        );
    }
    // The enrichment catalog was fetched without any credential.
    let catalog_requests = setup.fakes.openrouter.requests();
    assert!(
        catalog_requests
            .iter()
            .all(|r| r.header("authorization").is_none())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn google_models_filter_embeddings_strip_the_prefix_and_keep_the_key_in_a_header() {
    let setup = Setup::start().await;
    let secret = "AIzaSy-models-test-google-secret-01";
    let key = setup.key("google", secret).await;
    let listing = list_models(&setup.owner, &key).await;
    let ids = model_ids(&listing);
    // 40 listed, two of them embedding-only.
    assert_eq!(ids.len(), 38);
    for id in GOOGLE_EMBEDDING_ONLY_MODELS {
        assert!(!ids.contains(&id.to_string()), "{id} is not a chat model");
    }
    assert!(ids.iter().all(|id| !id.starts_with("models/")));

    let flash = model(&listing, "gemini-2.5-flash");
    assert_eq!(flash["title"], "Gemini 2.5 Flash");
    assert!(caps(flash).contains(&"reasoning"));
    assert!(flash["limits"]["contextWindow"].as_u64().unwrap() > 1_000_000);
    let catalog = openrouter_catalog_entry("google/gemini-2.5-flash").unwrap();
    assert_eq!(flash["costs"]["input"], price(&catalog, "prompt"));

    let pages: Vec<_> = setup
        .fakes
        .google
        .requests()
        .into_iter()
        .filter(|r| r.path == GOOGLE_MODELS)
        .collect();
    assert_eq!(pages.len(), 3, "40 models at 15 per page");
    for page in &pages {
        assert_eq!(page.header("x-goog-api-key"), Some(secret));
        assert!(
            page.query_param("key").is_none(),
            "the key is never in the URL"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn openrouter_and_deco_catalogs_map_modalities_parameters_and_prices() {
    let setup = Setup::start_with(|o| o.env("DECO_AI_GATEWAY_ENABLED", "true")).await;
    let secret = "sk-or-v1-models-test-openrouter-01";
    let key = setup.key("openrouter", secret).await;
    let listing = list_models(&setup.owner, &key).await;
    assert_eq!(model_ids(&listing).len(), 320);
    let listed = setup
        .fakes
        .openrouter
        .requests()
        .into_iter()
        .filter(|r| r.path == OPENROUTER_MODELS && r.header("authorization").is_some())
        .count();
    assert_eq!(listed, 1, "the key's list is fetched with the key");

    let sonnet = model(&listing, "anthropic/claude-sonnet-4.5");
    let entry = openrouter_catalog_entry("anthropic/claude-sonnet-4.5").unwrap();
    assert_eq!(sonnet["providerId"], "openrouter");
    assert_eq!(sonnet["title"], entry["name"]);
    assert_eq!(sonnet["costs"]["input"], price(&entry, "prompt"));
    assert_eq!(sonnet["limits"]["contextWindow"], entry["context_length"]);
    assert_eq!(
        sonnet["limits"]["maxOutputTokens"],
        entry["top_provider"]["max_completion_tokens"]
    );
    assert_eq!(
        caps(sonnet),
        ["text", "vision", "tools", "reasoning", "file"]
    );

    let router = model(&listing, "openrouter/auto");
    assert_eq!(router["costs"], json!({"input": null, "output": null}));
    let free = model(&listing, "meta-llama/llama-3.3-70b-instruct:free");
    assert_eq!(free["costs"], json!({"input": 0.0, "output": 0.0}));
    assert!(caps(model(&listing, "google/gemini-2.5-flash-image")).contains(&"image"));
    assert!(caps(model(&listing, "openai/gpt-4o-audio-preview")).contains(&"audio"));

    // Deco: the same shape under the gateway URL, with the deco key.
    let deco_secret = "deco-models-test-secret-000001";
    let deco_key = setup.key("deco", deco_secret).await;
    let deco = list_models(&setup.owner, &deco_key).await;
    assert_eq!(model_ids(&deco).len(), 60);
    let sonnet = model(&deco, "anthropic/claude-sonnet-4.5");
    assert_eq!(sonnet["providerId"], "deco");
    assert_eq!(sonnet["costs"]["input"], json!(0.0000033));
    let requests = setup.fakes.deco.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {deco_secret}").as_str())
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_catalog_only_what_the_provider_said_is_shown() {
    let setup = Setup::start().await;
    setup
        .fakes
        .openrouter
        .set_behavior(Behavior::ServerError(503));
    let key = setup.key("anthropic", ANTHROPIC_SECRET).await;
    let listing = list_models(&setup.owner, &key).await;
    assert_eq!(model_ids(&listing).len(), 45);
    let sonnet = model(&listing, "claude-sonnet-4-5-20250929");
    assert_eq!(sonnet["title"], "Claude Sonnet 4.5");
    assert_eq!(sonnet["limits"]["contextWindow"], 200_000);
    assert_eq!(sonnet["costs"], json!({"input": null, "output": null}));
    assert_eq!(sonnet["description"], Value::Null);
    assert!(!caps(sonnet).contains(&"tools"), "never invented");
    let opus = model(&listing, "claude-opus-4-20250514");
    assert_eq!(
        opus["limits"],
        json!({"contextWindow": null, "maxOutputTokens": null})
    );
    assert_eq!(caps(opus), ["text"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_are_named_by_id_or_alias_and_only_within_the_organization() {
    let setup = Setup::start().await;
    let key = setup.key("anthropic", ANTHROPIC_SECRET).await;
    let aliased = setup
        .owner
        .call("AI_PROVIDERS_LIST_MODELS", json!({"provider_key_id": key}))
        .await
        .ok();
    assert_eq!(model_ids(&aliased).len(), 45);
    setup.fakes.anthropic.clear_requests();

    let other = setup.app.org();
    let stranger = setup.app.client(&other.owner).await;
    for tool in [
        "AI_PROVIDERS_LIST_MODELS",
        "AI_PROVIDERS_REFRESH_MODELS",
        "AI_PROVIDER_KEY_CHECK",
    ] {
        let outcome = stranger.call(tool, json!({"keyId": key})).await;
        assert_eq!(outcome.code(), "not_found", "{tool}");
        let unknown = stranger
            .call(
                tool,
                json!({"keyId": "aik_0000000000000000000000000000abcd"}),
            )
            .await;
        assert_eq!(
            unknown.structured, outcome.structured,
            "{tool}: indistinguishable"
        );
        let bad = setup.owner.call(tool, json!({"keyId": "nope"})).await;
        assert_eq!(bad.code(), "invalid_input", "{tool}");
        assert!(bad.text.contains("keyId"));
        let missing = setup.owner.call(tool, json!({})).await;
        assert_eq!(missing.code(), "invalid_input", "{tool}");
    }
    assert_eq!(
        setup.fakes.anthropic.requests().len(),
        0,
        "no upstream call for any of it"
    );
}
