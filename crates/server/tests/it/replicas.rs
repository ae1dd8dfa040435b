//! Two replicas on one database: caches stay coherent and sessions move between them.

use serde_json::{Value, json};

use crate::harness::{AppOptions, TestApp};

async fn post(base: &str, token: &str, session: Option<&str>, body: Value) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .json(&body);
    if let Some(session) = session {
        request = request.header("mcp-session-id", session);
    }
    request.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn replicas_share_keys_caches_and_sessions_through_the_database() {
    let first = TestApp::spawn_with(AppOptions {
        master_key_env: true,
        ..AppOptions::default()
    })
    .await;
    let org = first.org();
    // A second replica on the same database (and data directory, for SQLite).
    let second = TestApp::start(
        tempfile::tempdir().unwrap(),
        crate::harness::TestDatabase::same_as(&first.db),
        AppOptions {
            master_key_env: true,
            ..AppOptions::default()
        },
    );
    let a = first.client(&org.owner).await;
    let b = second.client(&org.owner).await;

    let created = a
        .create_key("anthropic", "via a", "sk-ant-api03-replica-a-00001")
        .await
        .ok();
    assert_eq!(b.keys().await.len(), 1, "b sees a's key");
    // Both replicas now hold a cached list; a change through one is seen by the other at once.
    b.call(
        "AI_PROVIDER_KEY_UPDATE",
        json!({"keyId": created["id"], "label": "renamed on b"}),
    )
    .await
    .ok();
    assert_eq!(a.keys().await[0]["label"], "renamed on b");
    b.create_key("google", "via b", "AIzaSy-replica-b-000000002")
        .await
        .ok();
    assert_eq!(a.keys().await.len(), 2);
    a.call("AI_PROVIDER_KEY_DELETE", json!({"keyId": created["id"]}))
        .await
        .ok();
    let left = b.keys().await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["label"], "via b");
    // Dedupe holds across replicas too (one data key per organization).
    let again = b
        .create_key("anthropic", "again", "sk-ant-api03-replica-a-00001")
        .await
        .ok();
    let again_a = a
        .create_key("anthropic", "again on a", "sk-ant-api03-replica-a-00001")
        .await
        .ok();
    assert_eq!(again["id"], again_a["id"]);
    assert_eq!(again_a["created"], json!(false));

    // A session started on the first replica is served by the second.
    let init = post(
        &first.base_url,
        &org.member,
        None,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "lb", "version": "1"}}}),
    )
    .await;
    let session = init.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    init.text().await.unwrap();
    let initialized = post(
        &first.base_url,
        &org.member,
        Some(&session),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    assert_eq!(initialized.status(), 202);
    let on_second = post(
        &second.base_url,
        &org.member,
        Some(&session),
        json!({
        "jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "AI_PROVIDER_KEY_LIST", "arguments": {}}}),
    )
    .await;
    assert_eq!(on_second.status(), 200);
    let text = on_second.text().await.unwrap();
    assert!(text.contains("via b"), "{text}");
}
