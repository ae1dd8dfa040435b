//! The model cache: one upstream call for concurrent lookups, stale-while-revalidate, the
//! last good list when the provider fails (also after a restart and on another replica),
//! and lists dropped with their key.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aiproviders_fakes::Behavior;
use serde_json::{Value, json};

use crate::harness::{TestApp, TestDatabase};
use crate::upstreams::{ANTHROPIC_MODELS, Setup, list_models, model_ids};

const SECRET: &str = "sk-ant-api03-cache-test-secret-00001";

fn short_ttl(options: crate::harness::AppOptions) -> crate::harness::AppOptions {
    options.env("AIPROVIDERS_MODEL_CACHE_TTL_SECS", "1")
}

async fn eventually(mut check: impl FnMut() -> bool, what: &str) {
    for _ in 0..300 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_concurrent_lists_cause_one_upstream_fetch() {
    let setup = Setup::start().await;
    let key = setup.key("anthropic", SECRET).await;
    setup
        .fakes
        .anthropic
        .set_behavior(Behavior::Delay(Duration::from_millis(300)));
    let clients = Arc::new(vec![
        setup.app.client(&setup.org.owner).await,
        setup.app.client(&setup.org.admin).await,
        setup.app.client(&setup.org.member).await,
    ]);
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..50 {
        let clients = clients.clone();
        let key = key.clone();
        calls.spawn(async move { list_models(&clients[i % 3], &key).await });
    }
    let mut fetched_at = None;
    while let Some(listing) = calls.join_next().await {
        let listing = listing.unwrap();
        assert_eq!(model_ids(&listing).len(), 45);
        let at = listing["fetchedAt"].clone();
        assert_eq!(
            *fetched_at.get_or_insert(at.clone()),
            at,
            "one fetch served all"
        );
    }
    assert_eq!(setup.fakes.anthropic.list_fetches(ANTHROPIC_MODELS), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_ttl_the_stale_list_is_served_while_one_refresh_runs() {
    let setup = Setup::start_with(short_ttl).await;
    let key = setup.key("anthropic", SECRET).await;
    let first = list_models(&setup.owner, &key).await;
    assert_eq!(first["stale"], false);
    assert_eq!(setup.fakes.anthropic.list_fetches(ANTHROPIC_MODELS), 1);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    setup
        .fakes
        .anthropic
        .set_behavior(Behavior::Delay(Duration::from_millis(1500)));
    let started = Instant::now();
    let stale = list_models(&setup.owner, &key).await;
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "not waiting for the provider"
    );
    assert_eq!(stale["stale"], true);
    assert_eq!(stale["fetchedAt"], first["fetchedAt"]);
    assert_eq!(stale["models"], first["models"]);
    // More lookups during the refresh start no other one.
    for _ in 0..5 {
        assert_eq!(list_models(&setup.owner, &key).await["stale"], true);
    }
    let fake = setup.fakes.anthropic.clone();
    eventually(
        || fake.list_fetches(ANTHROPIC_MODELS) == 2,
        "the background refresh",
    )
    .await;
    setup.fakes.anthropic.set_behavior(Behavior::Normal);
    let mut fresh = Value::Null;
    for _ in 0..200 {
        fresh = list_models(&setup.owner, &key).await;
        if fresh["stale"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        fresh["stale"], false,
        "the refreshed list replaces the stale one"
    );
    assert!(fresh["fetchedAt"].as_str() > first["fetchedAt"].as_str());
    assert_eq!(setup.fakes.anthropic.list_fetches(ANTHROPIC_MODELS), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn when_the_provider_fails_the_last_good_list_is_served_as_stale() {
    let setup = Setup::start_with(short_ttl).await;
    let key = setup.key("anthropic", SECRET).await;
    let good = list_models(&setup.owner, &key).await;
    setup
        .fakes
        .anthropic
        .set_behavior(Behavior::ServerError(503));
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let served = list_models(&setup.owner, &key).await;
    assert_eq!(served["stale"], true);
    assert_eq!(served["models"], good["models"]);
    let fake = setup.fakes.anthropic.clone();
    eventually(
        || fake.list_fetches(ANTHROPIC_MODELS) >= 2,
        "the failed refresh",
    )
    .await;
    let again = list_models(&setup.owner, &key).await;
    assert_eq!(again["stale"], true);
    assert_eq!(again["fetchedAt"], good["fetchedAt"]);

    // Asking for a fetch now reports the failure itself.
    let refresh = setup
        .owner
        .call("AI_PROVIDERS_REFRESH_MODELS", json!({"keyId": key}))
        .await;
    assert_eq!(refresh.code(), "upstream_unavailable");
    assert!(refresh.text.contains("anthropic"), "{}", refresh.text);
    assert!(!refresh.text.contains(SECRET));
    // The key's status says the provider could not be reached.
    let keys = setup.owner.keys().await;
    assert_eq!(keys[0]["status"], "unknown");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_good_list_survives_a_restart_with_the_provider_down() {
    let setup = Setup::start_with(short_ttl).await;
    let key = setup.key("anthropic", SECRET).await;
    let good = list_models(&setup.owner, &key).await;
    let Setup {
        fakes, app, org, ..
    } = setup;
    fakes.anthropic.set_behavior(Behavior::ServerError(500));
    fakes.openrouter.set_behavior(Behavior::ServerError(500));
    let (dir, db, options) = app.into_parts();
    let app = TestApp::start(dir, db, options);
    let owner = app.client(&org.owner).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let served = list_models(&owner, &key).await;
    assert_eq!(served["stale"], true);
    assert_eq!(served["fetchedAt"], good["fetchedAt"]);
    assert_eq!(
        served["models"], good["models"],
        "enriched from the stored catalog too"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn replicas_share_fetched_lists_through_the_database() {
    let setup = Setup::start_with(|o| {
        let mut o = o;
        o.master_key_env = true;
        o
    })
    .await;
    let key = setup.key("anthropic", SECRET).await;
    let first = list_models(&setup.owner, &key).await;
    assert_eq!(setup.fakes.anthropic.list_fetches(ANTHROPIC_MODELS), 1);

    let second = TestApp::start(
        tempfile::tempdir().unwrap(),
        TestDatabase::same_as(&setup.app.db),
        setup.app.options.clone(),
    );
    let other = second.client(&setup.org.member).await;
    let listed = list_models(&other, &key).await;
    assert_eq!(listed["fetchedAt"], first["fetchedAt"]);
    assert_eq!(listed["models"], first["models"]);
    assert_eq!(
        setup.fakes.anthropic.list_fetches(ANTHROPIC_MODELS),
        1,
        "no second fetch"
    );

    // A key updated through one replica: the other one drops its list too.
    setup
        .owner
        .call(
            "AI_PROVIDER_KEY_UPDATE",
            json!({"keyId": key, "label": "renamed"}),
        )
        .await
        .ok();
    let relisted = list_models(&other, &key).await;
    assert!(relisted["fetchedAt"].as_str() > first["fetchedAt"].as_str());
    assert_eq!(setup.fakes.anthropic.list_fetches(ANTHROPIC_MODELS), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_key_drops_its_list_and_refresh_always_fetches() {
    let setup = Setup::start().await;
    let key = setup.key("anthropic", SECRET).await;
    list_models(&setup.owner, &key).await;
    list_models(&setup.owner, &key).await;
    assert_eq!(setup.fakes.anthropic.list_fetches(ANTHROPIC_MODELS), 1);
    let refreshed = setup
        .owner
        .call("AI_PROVIDERS_REFRESH_MODELS", json!({"keyId": key}))
        .await
        .ok();
    assert_eq!(refreshed["stale"], false);
    assert_eq!(setup.fakes.anthropic.list_fetches(ANTHROPIC_MODELS), 2);

    setup
        .owner
        .call("AI_PROVIDER_KEY_DELETE", json!({"keyId": key}))
        .await
        .ok();
    let gone = setup
        .owner
        .call("AI_PROVIDERS_LIST_MODELS", json!({"keyId": key}))
        .await;
    assert_eq!(gone.code(), "not_found");

    // The same secret stored again is a new key with a list of its own.
    let again = setup.key("anthropic", SECRET).await;
    assert_ne!(again, key);
    list_models(&setup.owner, &again).await;
    assert_eq!(setup.fakes.anthropic.list_fetches(ANTHROPIC_MODELS), 1);
}
