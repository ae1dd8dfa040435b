//! Helpers for tests against the fake providers (`aiproviders-fakes`, on loopback).

use std::time::Duration;

use aiproviders_fakes::{FakeServer, FakeUpstreams};
use serde_json::{Value, json};

use crate::harness::{AppOptions, McpClient, TestApp, TestOrg};

pub const ANTHROPIC_MODELS: &str = "/v1/models";
pub const GOOGLE_MODELS: &str = "/v1beta/models";
pub const OPENROUTER_MODELS: &str = "/api/v1/models";

/// Options that point the server at the fakes.
pub fn options(fakes: &FakeUpstreams) -> AppOptions {
    let mut options = AppOptions::default();
    for (name, value) in fakes.env() {
        options = options.env(&name, &value);
    }
    options
}

/// The fakes, a server using them, an organization and its owner's client.
pub struct Setup {
    pub fakes: FakeUpstreams,
    pub app: TestApp,
    pub org: TestOrg,
    pub owner: McpClient,
}

impl Setup {
    pub async fn start() -> Self {
        Self::start_with(|options| options).await
    }

    pub async fn start_with(configure: impl FnOnce(AppOptions) -> AppOptions) -> Self {
        let fakes = FakeUpstreams::start().await;
        let app = TestApp::spawn_with(configure(options(&fakes))).await;
        let org = app.org();
        let owner = app.client(&org.owner).await;
        Self {
            fakes,
            app,
            org,
            owner,
        }
    }

    /// Stores a key and waits for its background probe to finish, then forgets the
    /// requests the probe made, so a test counts only its own.
    pub async fn key(&self, provider: &str, secret: &str) -> String {
        let created = self
            .owner
            .create_key(provider, "test key", secret)
            .await
            .ok();
        let id = created["id"].as_str().unwrap().to_owned();
        wait_for_status(&self.owner, &id, |s| s != "unverified").await;
        for fake in self.fakes.all() {
            fake.clear_requests();
        }
        id
    }
}

/// Polls the key list until the key's status satisfies `done`; returns the record.
pub async fn wait_for_status(
    client: &McpClient,
    key_id: &str,
    done: impl Fn(&str) -> bool,
) -> Value {
    for _ in 0..200 {
        let keys = client.keys().await;
        if let Some(key) = keys.iter().find(|k| k["id"] == key_id)
            && done(key["status"].as_str().unwrap())
        {
            return key.clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("key {key_id} never reached the expected status");
}

pub async fn list_models(client: &McpClient, key_id: &str) -> Value {
    client
        .call("AI_PROVIDERS_LIST_MODELS", json!({"keyId": key_id}))
        .await
        .ok()
}

pub fn model<'a>(listing: &'a Value, model_id: &str) -> &'a Value {
    listing["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["modelId"] == model_id)
        .unwrap_or_else(|| panic!("{model_id} not listed"))
}

pub fn model_ids(listing: &Value) -> Vec<String> {
    listing["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["modelId"].as_str().unwrap().to_owned())
        .collect()
}

/// Every credential-bearing header value a fake received.
pub fn credentials_seen(fake: &FakeServer) -> Vec<String> {
    fake.requests()
        .iter()
        .flat_map(|r| {
            ["x-api-key", "authorization", "x-goog-api-key"]
                .into_iter()
                .filter_map(|h| r.header(h).map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// OpenRouter's decimal-string price as the number the contract shows.
pub fn price(entry: &Value, field: &str) -> Value {
    json!(
        entry["pricing"][field]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    )
}
