//! Every way an upstream can fail, through `AI_PROVIDERS_REFRESH_MODELS`: a typed error
//! that names the provider and never the key, and nothing sent where it should not go.

use std::time::{Duration, Instant};

use aiproviders_fakes::Behavior;
use serde_json::json;

use crate::upstreams::{Setup, list_models};

const SECRET: &str = "sk-ant-api03-failure-test-secret-001";

async fn refresh(setup: &Setup, key: &str) -> crate::harness::Outcome {
    setup
        .owner
        .call("AI_PROVIDERS_REFRESH_MODELS", json!({"keyId": key}))
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn upstream_failures_become_typed_errors_without_the_key() {
    let setup = Setup::start_with(|o| o.env("AIPROVIDERS_UPSTREAM_TIMEOUT_MS", "2500")).await;
    let key = setup.key("anthropic", SECRET).await;
    let anthropic = &setup.fakes.anthropic;
    let cases = [
        (Behavior::Unauthorized, "upstream_auth", "401"),
        (
            Behavior::Status {
                status: 403,
                headers: vec![],
                body: r#"{"type":"error","error":{"type":"permission_error","message":"no"}}"#
                    .into(),
            },
            "upstream_auth",
            "403",
        ),
        (
            Behavior::RateLimited {
                retry_after_seconds: 17,
            },
            "upstream_rate_limited",
            "429",
        ),
        (Behavior::ServerError(500), "upstream_unavailable", "500"),
        (Behavior::ServerError(529), "upstream_unavailable", "529"),
        (Behavior::Malformed, "upstream_unavailable", "JSON"),
        (Behavior::Truncated, "upstream_unavailable", "anthropic"),
        // The timeout is generous enough for the fake to build the 17 MiB body under load.
        (Behavior::Hang, "upstream_unavailable", "timed out"),
        (
            Behavior::Huge(17 << 20),
            "upstream_unavailable",
            "too large",
        ),
    ];
    for (behavior, code, mention) in cases {
        anthropic.set_behavior(behavior.clone());
        let started = Instant::now();
        let outcome = refresh(&setup, &key).await;
        assert_eq!(outcome.code(), code, "{behavior:?}: {}", outcome.text);
        assert!(
            outcome.text.contains("anthropic"),
            "{behavior:?}: {}",
            outcome.text
        );
        assert!(
            outcome.text.contains(mention),
            "{behavior:?}: {}",
            outcome.text
        );
        assert!(!outcome.text.contains(SECRET), "{behavior:?} leaks the key");
        assert!(!outcome.structured.to_string().contains(SECRET));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{behavior:?} took too long"
        );
        if code == "upstream_rate_limited" {
            assert_eq!(outcome.structured["error"]["retryAfterSeconds"], 17);
        } else {
            assert!(
                outcome.structured["error"]
                    .get("retryAfterSeconds")
                    .is_none()
            );
        }
    }
    // Refused credentials mark the key invalid.
    anthropic.set_behavior(Behavior::Unauthorized);
    refresh(&setup, &key).await;
    assert_eq!(setup.owner.keys().await[0]["status"], "invalid");

    // A redirect is not followed: the key never reaches the other server.
    setup.fakes.deco.clear_requests();
    anthropic.set_behavior(Behavior::Redirect(format!(
        "{}/v1/models",
        setup.fakes.deco.url()
    )));
    let redirected = refresh(&setup, &key).await;
    assert_eq!(redirected.code(), "upstream_unavailable");
    assert!(redirected.text.contains("redirect"), "{}", redirected.text);
    assert!(setup.fakes.deco.requests().is_empty());

    // Recovered: the list comes back.
    anthropic.set_behavior(Behavior::Normal);
    assert_eq!(
        refresh(&setup, &key).await.ok()["models"]
            .as_array()
            .unwrap()
            .len(),
        45
    );
    let logs = setup.app.logs();
    assert!(!logs.contains(SECRET), "the key is in the logs");
}

#[tokio::test(flavor = "multi_thread")]
async fn gemini_rate_limits_carry_the_retry_delay_and_a_first_list_reports_failures() {
    let setup = Setup::start().await;
    let key = setup.key("google", "AIzaSy-failure-test-google-0001").await;
    setup.fakes.google.set_behavior(Behavior::RateLimited {
        retry_after_seconds: 59,
    });
    // No list was ever fetched: the error itself is the answer.
    let outcome = setup
        .owner
        .call("AI_PROVIDERS_LIST_MODELS", json!({"keyId": key}))
        .await;
    assert_eq!(outcome.code(), "upstream_rate_limited");
    assert_eq!(outcome.structured["error"]["retryAfterSeconds"], 59);
    assert!(outcome.text.contains("google"));

    setup.fakes.google.set_behavior(Behavior::Unauthorized);
    let refused = setup
        .owner
        .call("AI_PROVIDERS_LIST_MODELS", json!({"keyId": key}))
        .await;
    assert_eq!(
        refused.code(),
        "upstream_auth",
        "Gemini's 400 API_KEY_INVALID"
    );
    setup.fakes.google.set_behavior(Behavior::Normal);
    assert!(
        !list_models(&setup.owner, &key).await["models"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
