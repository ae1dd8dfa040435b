//! `AI_PROVIDER_CREDITS` and `AI_PROVIDER_TOPUP_URL` against the fake deco gateway and
//! OpenRouter.

use std::time::Duration;

use aiproviders_fakes::Behavior;
use serde_json::json;

use crate::upstreams::Setup;

async fn deco() -> Setup {
    Setup::start_with(|o| {
        o.env("DECO_AI_GATEWAY_ENABLED", "true")
            .env("AIPROVIDERS_UPSTREAM_TIMEOUT_MS", "1500")
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn deco_balance_and_top_up_links() {
    let setup = deco().await;
    let member = setup.app.client(&setup.org.member).await;
    let missing = member
        .call("AI_PROVIDER_CREDITS", json!({"providerId": "deco"}))
        .await;
    assert_eq!(missing.code(), "not_found");
    assert!(missing.text.contains("add one"), "{}", missing.text);

    let secret = "deco-credits-test-secret-000001";
    setup.key("deco", secret).await;
    let credits = member
        .call("AI_PROVIDER_CREDITS", json!({"providerId": "deco"}))
        .await
        .ok();
    assert_eq!(credits["providerId"], "deco");
    assert_eq!(credits["balanceCents"], 123456);
    assert_eq!(credits["currency"], "USD");
    let requests = setup.fakes.deco.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].path,
        format!("/api/teams/{}/balance", setup.org.id)
    );
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {secret}").as_str())
    );
    // Cached for 60 s.
    let again = member
        .call("AI_PROVIDER_CREDITS", json!({"providerId": "deco"}))
        .await
        .ok();
    assert_eq!(again, credits);
    assert_eq!(setup.fakes.deco.requests().len(), 1);

    let link = setup
        .owner
        .call(
            "AI_PROVIDER_TOPUP_URL",
            json!({"providerId": "deco", "amountCents": 5000, "currency": "brl"}),
        )
        .await
        .ok();
    let url = link["url"].as_str().unwrap();
    assert!(url.starts_with("https://"), "{url}");
    let topups: Vec<_> = setup
        .fakes
        .deco
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/credits/topup")
        .collect();
    assert_eq!(topups.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&topups[0].body).unwrap();
    assert_eq!(body, json!({"amountCents": 5000, "currency": "brl"}));
    let default_currency = setup
        .owner
        .call(
            "AI_PROVIDER_TOPUP_URL",
            json!({"providerId": "deco", "amountCents": 100}),
        )
        .await
        .ok();
    assert!(default_currency["url"].as_str().unwrap().contains("usd"));

    for args in [
        json!({"providerId": "deco", "amountCents": 99}),
        json!({"providerId": "deco", "amountCents": 100_000_001}),
        json!({"providerId": "deco", "amountCents": 150.5}),
        json!({"providerId": "deco", "amountCents": "100"}),
        json!({"providerId": "deco"}),
        json!({"providerId": "deco", "amountCents": 500, "currency": "eur"}),
        json!({"providerId": "nope", "amountCents": 500}),
    ] {
        let outcome = setup
            .owner
            .call("AI_PROVIDER_TOPUP_URL", args.clone())
            .await;
        assert_eq!(outcome.code(), "invalid_input", "{args}");
    }
    let unsupported = setup
        .owner
        .call(
            "AI_PROVIDER_TOPUP_URL",
            json!({"providerId": "openrouter", "amountCents": 500}),
        )
        .await;
    assert_eq!(unsupported.code(), "unsupported");
    let forbidden = member
        .call(
            "AI_PROVIDER_TOPUP_URL",
            json!({"providerId": "deco", "amountCents": 500}),
        )
        .await;
    assert_eq!(forbidden.code(), "forbidden");

    let audit = setup
        .owner
        .call("AI_PROVIDER_AUDIT_LIST", json!({"limit": 100}))
        .await
        .ok();
    let topup_outcomes: Vec<&str> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "credits.topup")
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        topup_outcomes.iter().filter(|o| **o == "success").count(),
        2
    );
    assert!(topup_outcomes.contains(&"denied"));
    assert!(topup_outcomes.contains(&"invalid_input"));
}

#[tokio::test(flavor = "multi_thread")]
async fn openrouter_reports_the_chosen_keys_remaining_limit() {
    let setup = Setup::start().await;
    let first = setup
        .key("openrouter", "sk-or-v1-credits-first-000000001")
        .await;
    let second = setup
        .key("openrouter", "sk-or-v1-credits-second-00000002")
        .await;
    let credits = setup
        .owner
        .call(
            "AI_PROVIDER_CREDITS",
            json!({"providerId": "openrouter", "keyId": first}),
        )
        .await
        .ok();
    assert_eq!(credits["balanceCents"], 7450);
    let used = setup.fakes.openrouter.requests();
    assert_eq!(
        used.last().unwrap().header("authorization"),
        Some("Bearer sk-or-v1-credits-first-000000001")
    );

    setup.fakes.openrouter.set_key_limit_remaining(None);
    let unlimited = setup
        .owner
        .call("AI_PROVIDER_CREDITS", json!({"providerId": "openrouter"}))
        .await
        .ok();
    assert_eq!(
        unlimited["balanceCents"],
        json!(null),
        "the newest key, without a limit"
    );
    assert_eq!(
        setup
            .fakes
            .openrouter
            .requests()
            .last()
            .unwrap()
            .header("authorization"),
        Some("Bearer sk-or-v1-credits-second-00000002")
    );

    let wrong = setup
        .owner
        .call(
            "AI_PROVIDER_CREDITS",
            json!({"providerId": "deco", "keyId": second}),
        )
        .await;
    assert_eq!(wrong.code(), "invalid_input", "deco is not enabled");
    let anthropic = setup
        .key("anthropic", "sk-ant-api03-credits-test-0000001")
        .await;
    let mismatch = setup
        .owner
        .call(
            "AI_PROVIDER_CREDITS",
            json!({"providerId": "openrouter", "keyId": anthropic}),
        )
        .await;
    assert_eq!(mismatch.code(), "invalid_input");
    let unsupported = setup
        .owner
        .call("AI_PROVIDER_CREDITS", json!({"providerId": "anthropic"}))
        .await;
    assert_eq!(unsupported.code(), "unsupported");
}

#[tokio::test(flavor = "multi_thread")]
async fn gateway_failures_are_typed() {
    let setup = deco().await;
    setup.key("deco", "deco-credits-failures-secret-01").await;
    let cases = [
        (Behavior::Unauthorized, "upstream_auth"),
        (
            Behavior::Status {
                status: 402,
                headers: vec![],
                body: r#"{"error":"insufficient credits"}"#.into(),
            },
            "insufficient_credits",
        ),
        (Behavior::ServerError(500), "upstream_unavailable"),
        (
            Behavior::Delay(Duration::from_secs(3)),
            "upstream_unavailable",
        ),
    ];
    for (behavior, code) in cases {
        setup.fakes.deco.set_behavior(behavior.clone());
        let outcome = setup
            .owner
            .call(
                "AI_PROVIDER_TOPUP_URL",
                json!({"providerId": "deco", "amountCents": 1000}),
            )
            .await;
        assert_eq!(outcome.code(), code, "{behavior:?}");
        assert!(!outcome.text.contains("deco-credits-failures"));
        let balance = setup
            .owner
            .call("AI_PROVIDER_CREDITS", json!({"providerId": "deco"}))
            .await;
        assert_eq!(balance.code(), code, "{behavior:?}");
    }
}
