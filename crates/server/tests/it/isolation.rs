//! Another organization's ids behave exactly like ids that do not exist.

use serde_json::json;

use crate::harness::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn organizations_cannot_see_or_touch_each_others_keys() {
    let app = TestApp::spawn().await;
    let (a, b) = (app.org(), app.org());
    let alice = app.client(&a.owner).await;
    let bob = app.client(&b.owner).await;

    let key = alice
        .create_key("anthropic", "alice's", "sk-ant-isolation-alice-0001")
        .await
        .ok();
    let id = key["id"].as_str().unwrap();
    let missing = format!("aik_{}", "0".repeat(32));

    assert!(bob.keys().await.is_empty());
    assert_eq!(
        bob.call("AI_PROVIDERS_ACTIVE", json!({})).await.ok()["providers"],
        json!([])
    );
    for (tool, args) in [
        (
            "AI_PROVIDER_KEY_UPDATE",
            json!({"keyId": id, "label": "stolen"}),
        ),
        ("AI_PROVIDER_KEY_DELETE", json!({"keyId": id})),
    ] {
        let foreign = bob.call(tool, args.clone()).await;
        let mut unknown_args = args;
        unknown_args["keyId"] = json!(missing);
        let unknown = bob.call(tool, unknown_args).await;
        assert_eq!(foreign.code(), "not_found", "{tool}");
        assert_eq!(
            foreign.structured, unknown.structured,
            "{tool}: foreign and unknown ids must look alike"
        );
    }
    // Bob's own audit log shows his failed attempts, Alice's shows nothing of Bob.
    let bob_audit = bob.call("AI_PROVIDER_AUDIT_LIST", json!({})).await.ok();
    assert!(
        bob_audit["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["outcome"] == "not_found")
    );
    let alice_audit = alice.call("AI_PROVIDER_AUDIT_LIST", json!({})).await.ok();
    let alice_events = alice_audit["events"].as_array().unwrap();
    assert_eq!(alice_events.len(), 1);
    assert_eq!(alice_events[0]["actorUserId"], format!("owner@{}", a.slug));

    // Alice's key is untouched.
    let keys = alice.keys().await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["label"], "alice's");

    // The same secret in another organization is a separate key.
    let same_secret = bob
        .create_key("anthropic", "bob's", "sk-ant-isolation-alice-0001")
        .await
        .ok();
    assert_eq!(same_secret["created"], json!(true));
    assert_ne!(same_secret["id"], key["id"]);
    assert_eq!(alice.keys().await.len(), 1);
}
