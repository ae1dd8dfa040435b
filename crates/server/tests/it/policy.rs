//! Model permission policies (CONTRACT §4): stored per organization, set by owners and
//! admins only, audited, and applied to every listing by role.

use aiproviders_fakes::Behavior;
use serde_json::{Value, json};

use crate::upstreams::{Setup, list_models, model_ids};

const SECRET: &str = "sk-ant-api03-policy-test-secret-0001";

async fn set_policy(setup: &Setup, policy: Value) -> crate::harness::Outcome {
    setup
        .owner
        .call("AI_PROVIDER_MODEL_POLICY_SET", json!({"policy": policy}))
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn policies_are_read_set_by_admins_and_audited() {
    let setup = Setup::start().await;
    let key = setup.key("anthropic", SECRET).await;
    let member = setup.app.client(&setup.org.member).await;
    let admin = setup.app.client(&setup.org.admin).await;

    let none = member
        .call("AI_PROVIDER_MODEL_POLICY_GET", json!({}))
        .await
        .ok();
    assert_eq!(none, json!({"policy": {"default": "allow", "rules": []}}));

    // The example of CONTRACT §4, with a real key id.
    let example = json!({"default": "allow", "rules": [
        {"effect": "deny", "roles": ["member"], "providers": ["anthropic"], "models": ["claude-opus-*"]},
        {"effect": "allow", "keys": [key], "models": ["*"]},
        {"effect": "deny", "capabilitiesMissing": ["tools"]},
        {"effect": "deny", "maxInputCostPerMillion": 10.0}
    ]});
    let set = admin
        .call("AI_PROVIDER_MODEL_POLICY_SET", json!({"policy": example}))
        .await
        .ok();
    assert_eq!(set["policy"], example);
    let read = member
        .call("AI_PROVIDER_MODEL_POLICY_GET", json!({}))
        .await
        .ok();
    assert_eq!(read["policy"], example);

    let refused = member
        .call(
            "AI_PROVIDER_MODEL_POLICY_SET",
            json!({"policy": {"default": "deny"}}),
        )
        .await;
    assert_eq!(refused.code(), "forbidden");
    let invalid = set_policy(
        &setup,
        json!({"rules": [{"effect": "deny"}, {"effect": "allow", "colour": "blue"}]}),
    )
    .await;
    assert_eq!(invalid.code(), "invalid_input");
    assert!(
        invalid.text.contains("policy.rules[1].colour"),
        "{}",
        invalid.text
    );
    for (policy, path) in [
        (json!({"default": "maybe"}), "policy.default"),
        (
            json!({"rules": [{"effect": "deny", "roles": ["guest"]}]}),
            "policy.rules[0].roles[0]",
        ),
        (
            json!({"rules": [{"effect": "deny", "providers": ["openai"]}]}),
            "policy.rules[0].providers[0]",
        ),
        (
            json!({"rules": [{"effect": "deny", "capabilitiesMissing": ["telepathy"]}]}),
            "policy.rules[0].capabilitiesMissing[0]",
        ),
        (
            json!({"rules": [{"effect": "perhaps"}]}),
            "policy.rules[0].effect",
        ),
        (
            json!({"rules": [{"effect": "deny", "maxInputCostPerMillion": -1}]}),
            "policy.rules[0].maxInputCostPerMillion",
        ),
        (json!("allow"), "policy"),
    ] {
        let outcome = set_policy(&setup, policy.clone()).await;
        assert_eq!(outcome.code(), "invalid_input", "{policy}");
        assert!(outcome.text.contains(path), "{policy}: {}", outcome.text);
    }
    // None of that changed the policy.
    let read = member
        .call("AI_PROVIDER_MODEL_POLICY_GET", json!({}))
        .await
        .ok();
    assert_eq!(read["policy"], example);

    let audit = setup
        .owner
        .call("AI_PROVIDER_AUDIT_LIST", json!({"limit": 100}))
        .await
        .ok();
    let policy_events: Vec<(String, String)> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "model_policy.set")
        .map(|e| {
            (
                e["actorUserId"].as_str().unwrap().to_owned(),
                e["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let slug = &setup.org.slug;
    let mut expected = vec![(format!("owner@{slug}"), "invalid_input".to_owned()); 8];
    expected.push((format!("member@{slug}"), "denied".into()));
    expected.push((format!("admin@{slug}"), "success".into()));
    assert_eq!(policy_events, expected, "newest first");
}

#[tokio::test(flavor = "multi_thread")]
async fn listings_show_only_what_the_policy_allows_each_role() {
    let setup = Setup::start().await;
    let key = setup.key("anthropic", SECRET).await;
    let member = setup.app.client(&setup.org.member).await;
    let all = model_ids(&list_models(&setup.owner, &key).await);
    assert_eq!(all.len(), 45);

    set_policy(
        &setup,
        json!({"rules": [{"effect": "deny", "roles": ["member"], "providers": ["anthropic"], "models": ["claude-opus-*"]}]}),
    )
    .await
    .ok();
    let for_member = model_ids(&list_models(&member, &key).await);
    let for_owner = model_ids(&list_models(&setup.owner, &key).await);
    assert_eq!(for_owner, all);
    let expected: Vec<String> = all
        .iter()
        .filter(|id| !id.starts_with("claude-opus-"))
        .cloned()
        .collect();
    assert_eq!(for_member, expected);
    assert_eq!(for_member.len(), 43);

    // Price caps: models above $2.50 per million input tokens, or of unknown price, are out.
    set_policy(
        &setup,
        json!({"rules": [{"effect": "deny", "maxInputCostPerMillion": 2.5}]}),
    )
    .await
    .ok();
    let cheap = list_models(&member, &key).await;
    let cheap = cheap["models"].as_array().unwrap();
    assert!(!cheap.is_empty() && cheap.len() < 45);
    for m in cheap {
        assert!(
            m["costs"]["input"].as_f64().unwrap() * 1e6 <= 2.5,
            "{}",
            m["modelId"]
        );
    }

    // Deny by default with one allowed key: everything of that key, for everyone.
    set_policy(
        &setup,
        json!({"default": "deny", "rules": [{"effect": "allow", "keys": [key]}]}),
    )
    .await
    .ok();
    assert_eq!(model_ids(&list_models(&member, &key).await), all);

    // Nothing allowed is an empty list, not an error.
    set_policy(&setup, json!({"default": "deny"})).await.ok();
    let empty = list_models(&member, &key).await;
    assert_eq!(empty["models"], json!([]));
    assert_eq!(empty["stale"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_capabilities_count_as_lacking_so_deny_rules_hold_without_the_catalog() {
    let setup = Setup::start().await;
    setup
        .fakes
        .openrouter
        .set_behavior(Behavior::ServerError(503));
    let key = setup.key("anthropic", SECRET).await;
    set_policy(
        &setup,
        json!({"rules": [{"effect": "deny", "capabilitiesMissing": ["tools"]}]}),
    )
    .await
    .ok();
    // Anthropic does not say whether its models take tools; unknown is not "has".
    let listing = list_models(&setup.owner, &key).await;
    assert_eq!(listing["models"], json!([]));
}
