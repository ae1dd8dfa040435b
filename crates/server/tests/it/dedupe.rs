//! The same secret stored twice is one key.

use serde_json::json;

use crate::harness::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn storing_the_same_secret_again_updates_the_existing_key() {
    let app = TestApp::spawn().await;
    let org = app.org();
    let owner = app.client(&org.owner).await;
    let secret = "sk-or-v1-dedupe-sequential-5555";

    let first = owner.create_key("openrouter", "first", secret).await.ok();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let again = owner.create_key("openrouter", "second", secret).await.ok();
    assert_eq!(again["created"], json!(false));
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["label"], "second");
    assert_eq!(again["createdAt"], first["createdAt"]);
    assert!(again["updatedAt"].as_str().unwrap() > first["updatedAt"].as_str().unwrap());
    // Surrounding spaces are a paste mistake, not another secret.
    let padded = owner
        .create_key("openrouter", "third", &format!("  {secret} "))
        .await
        .ok();
    assert_eq!(padded["id"], first["id"]);

    let keys = owner.keys().await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["label"], "third");

    // Another provider with the same secret is another key.
    let deco_like = owner
        .create_key("google", "other provider", secret)
        .await
        .ok();
    assert_eq!(deco_like["created"], json!(true));
    assert_ne!(deco_like["id"], first["id"]);
    // A different secret is another key.
    let other = owner
        .create_key("openrouter", "other", "sk-or-v1-dedupe-sequential-6666")
        .await
        .ok();
    assert_eq!(other["created"], json!(true));
    assert_eq!(owner.keys().await.len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_concurrent_creates_of_one_secret_leave_one_row() {
    let app = TestApp::spawn().await;
    let org = app.org();
    let mut clients = Vec::new();
    for i in 0..20 {
        let token = if i % 2 == 0 { &org.owner } else { &org.admin };
        clients.push(app.client(token).await);
    }
    let calls = clients.iter().enumerate().map(|(i, client)| async move {
        client
            .create_key(
                "anthropic",
                &format!("racer {i}"),
                "sk-ant-api03-concurrent-dedupe-9999",
            )
            .await
            .ok()
    });
    let results = futures::future::join_all(calls).await;
    let ids: std::collections::HashSet<_> = results.iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids.len(), 1, "every caller gets the same id");
    let created = results
        .iter()
        .filter(|r| r["created"] == json!(true))
        .count();
    assert_eq!(created, 1, "exactly one caller created it");
    assert_eq!(clients[0].keys().await.len(), 1);

    let audit = clients[0]
        .call("AI_PROVIDER_AUDIT_LIST", json!({"limit": 100}))
        .await
        .ok();
    assert_eq!(
        audit["events"].as_array().unwrap().len(),
        20,
        "every create is audited"
    );
}
