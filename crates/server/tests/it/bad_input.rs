//! Every bad input gets its typed error and changes nothing.

use serde_json::{Value, json};

use crate::harness::{TestApp, without_probe};

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_with_a_typed_error_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let org = app.org();
    let owner = app.client(&org.owner).await;
    let good = owner
        .create_key("anthropic", "keep", "sk-ant-api03-bad-input-keeper")
        .await
        .ok();
    let id = good["id"].as_str().unwrap();
    let unknown_id = format!("aik_{}", "a".repeat(32));
    let create = |provider: Value, label: Value, key: Value| json!({"providerId": provider, "label": label, "apiKey": key});
    let valid_secret = json!("sk-ant-api03-never-stored-0001");

    let cases: Vec<(&str, Value, &str, &str)> = vec![
        // (tool, arguments, expected code, field named in the message)
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!("anthropic"), json!(""), valid_secret.clone()),
            "invalid_input",
            "label",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(
                json!("anthropic"),
                json!("a".repeat(101)),
                valid_secret.clone(),
            ),
            "invalid_input",
            "label",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!("anthropic"), json!("   "), valid_secret.clone()),
            "invalid_input",
            "label",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!("anthropic"), json!("tab\there"), valid_secret.clone()),
            "invalid_input",
            "label",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!("openai"), json!("x"), valid_secret.clone()),
            "invalid_input",
            "providerId",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!("deco"), json!("x"), valid_secret.clone()),
            "invalid_input",
            "providerId",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!("claude-code"), json!("x"), valid_secret.clone()),
            "invalid_input",
            "providerId",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!("anthropic"), json!("x"), json!("")),
            "invalid_input",
            "apiKey",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!("anthropic"), json!("x"), json!("   ")),
            "invalid_input",
            "apiKey",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!("anthropic"), json!("x"), json!("k".repeat(4097))),
            "invalid_input",
            "apiKey",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(
                json!("anthropic"),
                json!("x"),
                json!("sk-ant-ctrl\u{1}chars"),
            ),
            "invalid_input",
            "apiKey",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!("anthropic"), json!("x"), json!("sk-ant-new\nline")),
            "invalid_input",
            "apiKey",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!("anthropic"), json!(5), valid_secret.clone()),
            "invalid_input",
            "label",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!(["anthropic"]), json!("x"), valid_secret.clone()),
            "invalid_input",
            "providerId",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            create(json!("anthropic"), json!("x"), json!({"k": 1})),
            "invalid_input",
            "apiKey",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            json!({"providerId": "anthropic", "label": "x"}),
            "invalid_input",
            "apiKey",
        ),
        (
            "AI_PROVIDER_KEY_CREATE",
            json!({"providerId": "anthropic", "label": "x", "apiKey": "sk-ant-api03-extra-field-0", "extra": 1}),
            "invalid_input",
            "extra",
        ),
        (
            "AI_PROVIDER_KEY_LIST",
            json!({"providerId": "nope"}),
            "invalid_input",
            "providerId",
        ),
        (
            "AI_PROVIDER_KEY_LIST",
            json!({"providerId": 3}),
            "invalid_input",
            "providerId",
        ),
        (
            "AI_PROVIDER_KEY_UPDATE",
            json!({"keyId": unknown_id, "label": "x"}),
            "not_found",
            "key",
        ),
        (
            "AI_PROVIDER_KEY_UPDATE",
            json!({"keyId": "not-an-id", "label": "x"}),
            "invalid_input",
            "keyId",
        ),
        (
            "AI_PROVIDER_KEY_UPDATE",
            json!({"keyId": id, "label": ""}),
            "invalid_input",
            "label",
        ),
        (
            "AI_PROVIDER_KEY_UPDATE",
            json!({"keyId": id, "label": "b".repeat(101)}),
            "invalid_input",
            "label",
        ),
        (
            "AI_PROVIDER_KEY_UPDATE",
            json!({"keyId": id}),
            "invalid_input",
            "label",
        ),
        (
            "AI_PROVIDER_KEY_UPDATE",
            json!({"keyId": 12, "label": "x"}),
            "invalid_input",
            "keyId",
        ),
        (
            "AI_PROVIDER_KEY_DELETE",
            json!({"keyId": unknown_id}),
            "not_found",
            "key",
        ),
        (
            "AI_PROVIDER_KEY_DELETE",
            json!({"keyId": format!("org_{}", "a".repeat(32))}),
            "invalid_input",
            "keyId",
        ),
        (
            "AI_PROVIDER_KEY_DELETE",
            json!({}),
            "invalid_input",
            "keyId",
        ),
        (
            "AI_PROVIDERS_LIST",
            json!({"unexpected": true}),
            "invalid_input",
            "unexpected",
        ),
        (
            "AI_PROVIDER_AUDIT_LIST",
            json!({"limit": 0}),
            "invalid_input",
            "limit",
        ),
        (
            "AI_PROVIDER_AUDIT_LIST",
            json!({"limit": 501}),
            "invalid_input",
            "limit",
        ),
        (
            "AI_PROVIDER_AUDIT_LIST",
            json!({"limit": "ten"}),
            "invalid_input",
            "limit",
        ),
        (
            "AI_PROVIDER_AUDIT_LIST",
            json!({"limit": 2.5}),
            "invalid_input",
            "limit",
        ),
        (
            "AI_PROVIDER_AUDIT_LIST",
            json!({"before": "yesterday"}),
            "invalid_input",
            "before",
        ),
    ];
    for (tool, args, code, field) in cases {
        let outcome = owner.call(tool, args.clone()).await;
        assert_eq!(outcome.code(), code, "{tool} {args}");
        assert!(
            outcome.text.contains(field),
            "{tool} {args}: message {:?} should name {field}",
            outcome.text
        );
        assert!(
            !outcome.text.contains("never-stored"),
            "the secret is echoed: {}",
            outcome.text
        );
    }

    // Nothing changed.
    let keys = owner.keys().await;
    assert_eq!(keys.len(), 1);
    let mut expected = good.clone();
    expected.as_object_mut().unwrap().remove("created");
    assert_eq!(without_probe(&keys[0]), without_probe(&expected));

    // An unknown tool is a protocol error, not a crash; the session still works.
    let mut params = rmcp::model::CallToolRequestParams::new("AI_PROVIDER_NOPE");
    params = params.with_arguments(serde_json::Map::new());
    assert!(owner.service.call_tool(params).await.is_err());
    assert_eq!(owner.keys().await.len(), 1);
}
