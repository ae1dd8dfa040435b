//! Every tool, through the real server, as owners, admins and members.

use serde_json::json;

use crate::harness::{AppOptions, TestApp, without_probe};

#[tokio::test(flavor = "multi_thread")]
async fn tools_are_listed_with_descriptions_and_schemas() {
    let app = TestApp::spawn().await;
    let org = app.org();
    let client = app.client(&org.member).await;
    let tools = client.service.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "AI_PROVIDERS_LIST",
            "AI_PROVIDER_KEY_CREATE",
            "AI_PROVIDER_KEY_LIST",
            "AI_PROVIDER_KEY_UPDATE",
            "AI_PROVIDER_KEY_DELETE",
            "AI_PROVIDERS_ACTIVE",
            "AI_PROVIDERS_LIST_MODELS",
            "AI_PROVIDERS_REFRESH_MODELS",
            "AI_PROVIDER_KEY_CHECK",
            "AI_PROVIDER_MODEL_POLICY_GET",
            "AI_PROVIDER_MODEL_POLICY_SET",
            "AI_PROVIDER_OAUTH_URL",
            "AI_PROVIDER_OAUTH_EXCHANGE",
            "AI_PROVIDER_CLI_ACTIVATE",
            "AI_PROVIDER_CREDITS",
            "AI_PROVIDER_TOPUP_URL",
            "AI_PROVIDER_USAGE",
            "AI_PROVIDER_AUDIT_LIST"
        ]
    );
    for tool in &tools {
        assert!(
            tool.description.as_deref().is_some_and(|d| d.len() > 20),
            "{}",
            tool.name
        );
        assert_eq!(tool.input_schema["type"], "object");
        assert_eq!(tool.output_schema.as_ref().unwrap()["type"], "object");
    }
    let create = tools
        .iter()
        .find(|t| t.name == "AI_PROVIDER_KEY_CREATE")
        .unwrap();
    assert_eq!(
        create.input_schema["required"],
        json!(["providerId", "label", "apiKey"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn providers_follow_the_deployment_switches() {
    let ids = |value: serde_json::Value| -> Vec<String> {
        value["providers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let app = TestApp::spawn().await;
    let org = app.org();
    let listed = app
        .client(&org.member)
        .await
        .call("AI_PROVIDERS_LIST", json!({}))
        .await
        .ok();
    assert_eq!(
        ids(listed.clone()),
        ["anthropic", "google", "openrouter", "claude-code"]
    );
    let claude = &listed["providers"][3];
    assert_eq!(claude["supportedMethods"], json!(["cli-activate"]));
    assert_eq!(
        listed["providers"][2]["supportedMethods"],
        json!(["api-key", "oauth-pkce"])
    );
    assert_eq!(listed["providers"][2]["supportsCredits"], json!(true));
    assert_eq!(listed["providers"][0]["supportsTopUp"], json!(false));

    let app = TestApp::spawn_with(
        AppOptions::default()
            .env("DECO_AI_GATEWAY_ENABLED", "1")
            .env("AIPROVIDERS_LOCAL_MODE", "false"),
    )
    .await;
    let org = app.org();
    let client = app.client(&org.owner).await;
    let listed = client.call("AI_PROVIDERS_LIST", json!({})).await.ok();
    assert_eq!(
        ids(listed.clone()),
        ["deco", "anthropic", "google", "openrouter"]
    );
    assert_eq!(listed["providers"][0]["supportsTopUp"], json!(true));
    // deco is enabled here, claude-code is not.
    client
        .create_key("deco", "deco", "deco-key-0123456789")
        .await
        .ok();
    let refused = client
        .create_key("claude-code", "cli", "whatever-0123456789")
        .await;
    assert_eq!(refused.code(), "invalid_input");
    assert!(refused.text.contains("not enabled"), "{}", refused.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn key_lifecycle_create_list_update_active_delete_audit() {
    let app = TestApp::spawn().await;
    let org = app.org();
    let owner = app.client(&org.owner).await;

    let created = owner
        .create_key("anthropic", "prod", "sk-ant-api03-lifecycle-secret-7f3a9")
        .await
        .ok();
    assert_eq!(created["created"], json!(true));
    assert_eq!(created["providerId"], "anthropic");
    assert_eq!(created["label"], "prod");
    assert_eq!(created["maskedKey"], "…f3a9");
    assert_eq!(created["createdBy"], format!("owner@{}", org.slug));
    assert_eq!(created["status"], "unverified");
    assert_eq!(created["lastCheckedAt"], json!(null));
    assert!(created["createdAt"].as_str().unwrap().ends_with('Z'));
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("aik_"));

    let second = owner
        .create_key("openrouter", "router", "sk-or-v1-lifecycle-second-0000")
        .await
        .ok();
    let keys = owner.keys().await;
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["id"], second["id"], "newest first");
    let mut without_created = created.clone();
    without_created.as_object_mut().unwrap().remove("created");
    assert_eq!(
        without_probe(&keys[1]),
        without_probe(&without_created),
        "the same record (its status is the background probe's)"
    );

    let only_anthropic = owner
        .call("AI_PROVIDER_KEY_LIST", json!({"providerId": "anthropic"}))
        .await
        .ok();
    assert_eq!(only_anthropic["keys"].as_array().unwrap().len(), 1);

    let renamed = owner
        .call(
            "AI_PROVIDER_KEY_UPDATE",
            json!({"keyId": id, "label": "production"}),
        )
        .await
        .ok();
    assert_eq!(renamed["label"], "production");
    assert_eq!(renamed["id"], json!(id));
    assert!(renamed["updatedAt"].as_str().unwrap() >= created["updatedAt"].as_str().unwrap());

    let active = owner.call("AI_PROVIDERS_ACTIVE", json!({})).await.ok();
    assert_eq!(
        active["providers"],
        json!([
            {"id": "anthropic", "name": "Anthropic", "description": active["providers"][0]["description"], "keyCount": 1},
            {"id": "openrouter", "name": "OpenRouter", "description": active["providers"][1]["description"], "keyCount": 1}
        ])
    );

    let deleted = owner
        .call("AI_PROVIDER_KEY_DELETE", json!({"keyId": id}))
        .await
        .ok();
    assert_eq!(deleted, json!({"success": true}));
    assert_eq!(
        owner
            .call("AI_PROVIDER_KEY_DELETE", json!({"keyId": id}))
            .await
            .code(),
        "not_found"
    );
    assert_eq!(owner.keys().await.len(), 1);
    let active = owner.call("AI_PROVIDERS_ACTIVE", json!({})).await.ok();
    assert_eq!(active["providers"].as_array().unwrap().len(), 1);

    let audit = owner.call("AI_PROVIDER_AUDIT_LIST", json!({})).await.ok();
    let events = audit["events"].as_array().unwrap();
    let summary: Vec<(String, String, String)> = events
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap().to_owned(),
                e["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("provider_key.delete".into(), id.clone(), "not_found".into()),
            ("provider_key.delete".into(), id.clone(), "success".into()),
            ("provider_key.update".into(), id.clone(), "success".into()),
            (
                "provider_key.create".into(),
                second["id"].as_str().unwrap().to_owned(),
                "success".into()
            ),
            ("provider_key.create".into(), id.clone(), "success".into()),
        ]
    );
    assert!(
        events
            .iter()
            .all(|e| e["actorUserId"] == format!("owner@{}", org.slug))
    );

    // Paging back: `before` an event id, and `limit`.
    let page = owner
        .call(
            "AI_PROVIDER_AUDIT_LIST",
            json!({"limit": 2, "before": events[1]["id"]}),
        )
        .await
        .ok();
    let page = page["events"].as_array().unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(page[0]["id"], events[2]["id"]);
    let by_time = owner
        .call(
            "AI_PROVIDER_AUDIT_LIST",
            json!({"before": "2000-01-01T00:00:00Z"}),
        )
        .await
        .ok();
    assert_eq!(by_time["events"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_members_read_admins_write_and_refusals_are_audited() {
    let app = TestApp::spawn().await;
    let org = app.org();
    let admin = app.client(&org.admin).await;
    let member = app.client(&org.member).await;
    let owner = app.client(&org.owner).await;

    let key = admin
        .create_key("google", "gemini", "AIzaSy-role-test-secret-1234")
        .await
        .ok();
    let id = key["id"].as_str().unwrap();
    assert_eq!(key["createdBy"], format!("admin@{}", org.slug));

    // Members read.
    assert_eq!(member.keys().await.len(), 1);
    member.call("AI_PROVIDERS_LIST", json!({})).await.ok();
    member.call("AI_PROVIDERS_ACTIVE", json!({})).await.ok();

    // Members do not write, nor read the audit log; nothing changes.
    for (tool, args) in [
        (
            "AI_PROVIDER_KEY_CREATE",
            json!({"providerId": "google", "label": "x", "apiKey": "AIzaSy-member-attempt-0000"}),
        ),
        (
            "AI_PROVIDER_KEY_UPDATE",
            json!({"keyId": id, "label": "renamed"}),
        ),
        ("AI_PROVIDER_KEY_DELETE", json!({"keyId": id})),
        ("AI_PROVIDER_AUDIT_LIST", json!({})),
    ] {
        let refused = member.call(tool, args).await;
        assert_eq!(refused.code(), "forbidden", "{tool}");
        assert!(refused.text.contains("member"), "{}", refused.text);
    }
    let keys = member.keys().await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["label"], "gemini");

    // Admins and owners update and delete.
    admin
        .call(
            "AI_PROVIDER_KEY_UPDATE",
            json!({"keyId": id, "label": "by admin"}),
        )
        .await
        .ok();
    let audit = owner
        .call("AI_PROVIDER_AUDIT_LIST", json!({"limit": 500}))
        .await
        .ok();
    let denied: Vec<_> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["outcome"] == "denied")
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actorUserId"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let member_user = format!("member@{}", org.slug);
    assert_eq!(
        denied,
        [
            ("audit.list".to_owned(), member_user.clone()),
            ("provider_key.delete".to_owned(), member_user.clone()),
            ("provider_key.update".to_owned(), member_user.clone()),
            ("provider_key.create".to_owned(), member_user.clone()),
        ]
    );
    owner
        .call("AI_PROVIDER_KEY_DELETE", json!({"keyId": id}))
        .await
        .ok();
    assert!(member.keys().await.is_empty());
}
