//! Key checks: new keys are probed in the background; `AI_PROVIDER_KEY_CHECK` probes now.

use aiproviders_fakes::Behavior;
use serde_json::json;

use crate::upstreams::{Setup, wait_for_status};

#[tokio::test(flavor = "multi_thread")]
async fn new_keys_are_probed_in_the_background() {
    let setup = Setup::start().await;
    let good = setup
        .owner
        .create_key("anthropic", "good", "sk-ant-api03-probe-good-0000001")
        .await
        .ok();
    assert_eq!(good["status"], "unverified");
    assert_eq!(good["lastCheckedAt"], json!(null));
    let bad = setup
        .owner
        .create_key("openrouter", "bad", "sk-or-v1-probe-revoked-00000001")
        .await
        .ok();
    let good = wait_for_status(&setup.owner, good["id"].as_str().unwrap(), |s| {
        s != "unverified"
    })
    .await;
    assert_eq!(good["status"], "valid");
    assert!(good["lastCheckedAt"].as_str().unwrap().ends_with('Z'));
    let bad = wait_for_status(&setup.owner, bad["id"].as_str().unwrap(), |s| {
        s != "unverified"
    })
    .await;
    assert_eq!(bad["status"], "invalid");
    // OpenRouter keys are probed with the key endpoint (the model list is public).
    let probes: Vec<_> = setup
        .fakes
        .openrouter
        .requests()
        .into_iter()
        .filter(|r| r.header("authorization").is_some())
        .map(|r| r.path)
        .collect();
    assert_eq!(probes, ["/api/v1/key"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn key_check_probes_now_and_records_valid_invalid_or_unknown() {
    let setup = Setup::start().await;
    let key = setup
        .key("google", "AIzaSy-key-check-google-secret-01")
        .await;
    let member = setup.app.client(&setup.org.member).await;

    let checked = member
        .call("AI_PROVIDER_KEY_CHECK", json!({"keyId": key}))
        .await
        .ok();
    assert_eq!(checked["status"], "valid");
    assert_eq!(checked["id"], key);
    let first_check = checked["lastCheckedAt"].as_str().unwrap().to_owned();
    assert_eq!(setup.fakes.google.requests().len(), 1, "one cheap call");

    setup.fakes.google.set_behavior(Behavior::ServerError(503));
    let unknown = setup
        .owner
        .call("AI_PROVIDER_KEY_CHECK", json!({"keyId": key}))
        .await
        .ok();
    assert_eq!(unknown["status"], "unknown");
    assert!(unknown["lastCheckedAt"].as_str().unwrap() >= first_check.as_str());

    setup.fakes.google.set_behavior(Behavior::Unauthorized);
    let invalid = setup
        .owner
        .call("AI_PROVIDER_KEY_CHECK", json!({"provider_key_id": key}))
        .await
        .ok();
    assert_eq!(invalid["status"], "invalid");
    let listed = setup.owner.keys().await;
    assert_eq!(listed[0]["status"], "invalid");
    assert_eq!(listed[0]["lastCheckedAt"], invalid["lastCheckedAt"]);

    // Unreachable altogether (nothing listens there).
    let down = Setup::start_with(|o| {
        o.env(
            "AIPROVIDERS_GOOGLE_BASE_URL",
            crate::harness::CLOSED_PORT_URL,
        )
    })
    .await;
    let created = down
        .owner
        .create_key("google", "down", "AIzaSy-key-check-unreachable-01")
        .await
        .ok();
    let checked = down
        .owner
        .call("AI_PROVIDER_KEY_CHECK", json!({"keyId": created["id"]}))
        .await
        .ok();
    assert_eq!(checked["status"], "unknown");
}
