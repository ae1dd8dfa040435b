//! Deco credits: balance and top-up.

use aiproviders_fakes::FakeUpstreams;
use serde_json::json;

use crate::{client, get_json};

#[tokio::test]
async fn balance_requires_a_key_and_records_the_organization() {
    let fakes = FakeUpstreams::start().await;
    let deco = &fakes.deco;
    let url = format!("{}/api/teams/org-42/balance", deco.url());
    let (status, _, body) = get_json(client().get(&url).bearer_auth("deco-abc")).await;
    assert_eq!((status, body), (200, json!({"balance_cents": 123456})));
    deco.set_balance_cents(-250);
    let (_, _, body) = get_json(client().get(&url).bearer_auth("deco-abc")).await;
    assert_eq!(body, json!({"balance_cents": -250}));

    let (status, _, body) = get_json(client().get(&url)).await;
    assert_eq!((status, body), (401, json!({"error": "unauthorized"})));
    let (status, _, body) = get_json(client().get(&url).bearer_auth("deco-revoked")).await;
    assert_eq!((status, body), (401, json!({"error": "unauthorized"})));

    let other = format!("{}/api/teams/team%20b/balance", deco.url());
    get_json(client().get(&other).bearer_auth("k")).await;
    assert_eq!(deco.balance_organizations(), ["org-42", "org-42", "team b"]);
    let (status, _, _) = get_json(client().post(&url).bearer_auth("k")).await;
    assert_eq!(status, 405);

    deco.reset();
    assert!(deco.balance_organizations().is_empty());
    let (_, _, body) = get_json(client().get(&url).bearer_auth("k")).await;
    assert_eq!(body["balance_cents"], 123456);
}

#[tokio::test]
async fn topup_returns_a_checkout_url() {
    let fakes = FakeUpstreams::start().await;
    let url = format!("{}/api/credits/topup", fakes.deco.url());
    let topup = |body: serde_json::Value| client().post(&url).bearer_auth("deco-k").json(&body);

    let (status, _, body) = get_json(topup(json!({"amountCents": 2500, "currency": "USD"}))).await;
    assert_eq!(status, 200, "{body}");
    let checkout = body["url"].as_str().unwrap();
    let rest = checkout
        .strip_prefix("https://checkout.deco.example/session/")
        .unwrap();
    assert!(rest.ends_with("?amount=2500&currency=USD"), "{checkout}");
    let (_, _, again) = get_json(topup(json!({"amountCents": 2500, "currency": "USD"}))).await;
    assert_ne!(again["url"], body["url"]);
    let recorded = fakes.deco.requests().pop().unwrap();
    assert_eq!(
        recorded.body_json(),
        Some(json!({"amountCents": 2500, "currency": "USD"}))
    );

    for bad in [
        json!({}),
        json!({"amountCents": 0, "currency": "USD"}),
        json!({"amountCents": -5, "currency": "USD"}),
        json!({"amountCents": 12.5, "currency": "USD"}),
        json!({"amountCents": "100", "currency": "USD"}),
        json!({"amountCents": 100}),
        json!({"amountCents": 100, "currency": "dollars"}),
    ] {
        let (status, _, body) = get_json(topup(bad.clone())).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{bad}"
        );
    }
    let (status, _, _) = get_json(client().post(&url).bearer_auth("k").body("not json")).await;
    assert_eq!(status, 400);
    let (status, _, body) = get_json(
        client()
            .post(&url)
            .json(&json!({"amountCents": 100, "currency": "USD"})),
    )
    .await;
    assert_eq!((status, body), (401, json!({"error": "unauthorized"})));
}
