//! OAuth PKCE connections (openrouter, deco) against fakes that check
//! `base64url(sha256(code_verifier)) == code_challenge` before they issue a key.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::harness::McpClient;
use crate::upstreams::{Setup, list_models};

fn query(url: &str) -> HashMap<String, String> {
    let url = reqwest::Url::parse(url).unwrap();
    url.query_pairs().into_owned().collect()
}

/// Starts a consent and plays the user's browser on the provider's consent page: returns the
/// URL the provider sends the browser back to (with `state` and `code`) and the start result.
async fn consent(client: &McpClient, provider: &str, callback: &str) -> (String, Value) {
    let start = client
        .call(
            "AI_PROVIDER_OAUTH_URL",
            json!({"providerId": provider, "callbackUrl": callback}),
        )
        .await
        .ok();
    let back = aiproviders_fakes::consent(start["url"].as_str().unwrap())
        .await
        .unwrap();
    (back, start)
}

async fn exchange(
    client: &McpClient,
    provider: &str,
    code: &str,
    state: &str,
) -> crate::harness::Outcome {
    client
        .call(
            "AI_PROVIDER_OAUTH_EXCHANGE",
            json!({"providerId": provider, "code": code, "stateToken": state}),
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn openrouter_connects_through_the_tools_once_per_state() {
    let setup = Setup::start().await;
    let callback = format!("{}/app/connected?tab=keys", setup.app.base_url);
    let (back, start) = consent(&setup.owner, "openrouter", &callback).await;

    // The consent URL: the provider's page, S256, and our callback carrying the state.
    let url = start["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/auth?", setup.fakes.openrouter.url())),
        "{url}"
    );
    let params = query(url);
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["code_challenge"].len(), 43);
    let state = start["stateToken"].as_str().unwrap();
    assert!(state.len() >= 22, "at least 128 bits");
    let callback_sent = query(&params["callback_url"]);
    assert_eq!(callback_sent["state"], state);
    assert_eq!(callback_sent["tab"], "keys");
    assert!(start["expiresAt"].as_str().unwrap().ends_with('Z'));

    let returned = query(&back);
    assert_eq!(returned["state"], state);
    let code = &returned["code"];
    let created = setup
        .owner
        .call(
            "AI_PROVIDER_OAUTH_EXCHANGE",
            json!({"providerId": "openrouter", "code": code, "stateToken": state, "label": "router via oauth"}),
        )
        .await
        .ok();
    assert_eq!(created["created"], true);
    assert_eq!(created["providerId"], "openrouter");
    assert_eq!(created["label"], "router via oauth");
    // The issued key works: its models are listed with it.
    let key = created["id"].as_str().unwrap();
    assert_eq!(
        list_models(&setup.owner, key).await["models"]
            .as_array()
            .unwrap()
            .len(),
        320
    );

    // The exchange sent the verifier the fake checked against the challenge.
    let exchanges: Vec<_> = setup
        .fakes
        .openrouter
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/auth/keys")
        .collect();
    assert_eq!(exchanges.len(), 1);
    let body: Value = serde_json::from_str(&exchanges[0].body).unwrap();
    assert_eq!(body["code_challenge_method"], "S256");
    assert_eq!(body["code"], json!(code));
    assert_eq!(body["code_verifier"].as_str().unwrap().len(), 43);

    // A state works once.
    let replay = exchange(&setup.owner, "openrouter", code, state).await;
    assert_eq!(replay.code(), "invalid_input");
    assert!(replay.text.contains("stateToken"));
    assert_eq!(setup.owner.keys().await.len(), 1);

    let audit = setup
        .owner
        .call("AI_PROVIDER_AUDIT_LIST", json!({}))
        .await
        .ok();
    let actions: Vec<(&str, &str)> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(actions.contains(&("provider_oauth.start", "success")));
    assert!(actions.contains(&("provider_oauth.exchange", "success")));
    assert!(actions.contains(&("provider_oauth.exchange", "invalid_input")));
    assert!(actions.contains(&("provider_key.create", "success")));
}

#[tokio::test(flavor = "multi_thread")]
async fn deco_connects_through_the_callback_route() {
    let setup = Setup::start_with(|o| o.env("DECO_AI_GATEWAY_ENABLED", "true")).await;
    let callback = format!("{}/oauth/callback/ai-provider", setup.app.base_url);
    let (back, start) = consent(&setup.owner, "deco", &callback).await;
    let params = query(start["url"].as_str().unwrap());
    assert!(
        start["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/oauth/authorize?", setup.fakes.deco.url()))
    );
    assert_eq!(params["organization_id"], setup.org.id);
    assert_eq!(params["code_challenge_method"], "S256");
    assert!(params["redirect_uri"].starts_with(&callback));

    // The browser arrives at the service, without any token.
    let http = reqwest::Client::new();
    let page = http.get(&back).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("Connected"), "{html}");
    assert!(html.contains("window.opener"));
    let keys = setup.owner.keys().await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["providerId"], "deco");
    assert_eq!(keys[0]["createdBy"], format!("owner@{}", setup.org.slug));
    assert!(html.contains(keys[0]["id"].as_str().unwrap()));

    // Used, unknown, missing: an error page, and nothing more is stored.
    for url in [
        back.clone(),
        format!("{callback}?state=nope&code=abc"),
        format!("{callback}?code=abc"),
        format!("{callback}?state=x"),
        format!("{callback}?error=access_denied&state=x"),
    ] {
        let page = http.get(&url).send().await.unwrap();
        assert_eq!(page.status(), 400, "{url}");
        let html = page.text().await.unwrap();
        assert!(html.contains("Nothing was stored"), "{html}");
    }
    assert_eq!(setup.owner.keys().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn states_are_bound_to_their_user_organization_provider_and_time() {
    let setup = Setup::start_with(|o| o.env("DECO_AI_GATEWAY_ENABLED", "true")).await;
    let callback = format!("{}/cb", setup.app.base_url);
    let (back, start) = consent(&setup.owner, "openrouter", &callback).await;
    let state = start["stateToken"].as_str().unwrap();
    let code = query(&back)["code"].clone();

    let admin = setup.app.client(&setup.org.admin).await;
    let other_org = setup.app.org();
    let stranger = setup.app.client(&other_org.owner).await;
    assert_eq!(
        exchange(&admin, "openrouter", &code, state).await.code(),
        "invalid_input"
    );
    assert_eq!(
        exchange(&stranger, "openrouter", &code, state).await.code(),
        "invalid_input"
    );
    assert_eq!(
        exchange(&setup.owner, "deco", &code, state).await.code(),
        "invalid_input"
    );
    // None of that used the state up.
    let created = exchange(&setup.owner, "openrouter", &code, state)
        .await
        .ok();
    assert_eq!(created["created"], true);

    // Expired: ten minutes pass (the row says so).
    let (back, start) = consent(&setup.owner, "openrouter", &callback).await;
    expire_all_states(&setup).await;
    let expired = exchange(
        &setup.owner,
        "openrouter",
        &query(&back)["code"],
        start["stateToken"].as_str().unwrap(),
    )
    .await;
    assert_eq!(expired.code(), "invalid_input");

    // Two concurrent exchanges of one state: exactly one succeeds.
    let (back, start) = consent(&setup.owner, "openrouter", &callback).await;
    let code = query(&back)["code"].clone();
    let state = start["stateToken"].as_str().unwrap().to_owned();
    let second = setup.app.client(&setup.org.owner).await;
    let (a, b) = tokio::join!(
        exchange(&setup.owner, "openrouter", &code, &state),
        exchange(&second, "openrouter", &code, &state)
    );
    let outcomes = [a.is_error, b.is_error];
    assert_eq!(outcomes.iter().filter(|e| !**e).count(), 1, "{a:?} {b:?}");
    let failed = if a.is_error { a } else { b };
    assert_eq!(failed.code(), "invalid_input");
}

async fn expire_all_states(setup: &Setup) {
    use sqlx::Connection;
    let sql = "UPDATE oauth_states SET expires_at = 0";
    if setup.app.db.is_postgres() {
        let mut conn = sqlx::PgConnection::connect(&setup.app.db.url)
            .await
            .unwrap();
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&setup.app.db.url)
            .await
            .unwrap();
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_consents_are_refused_before_anything_is_stored() {
    let setup = Setup::start().await;
    let member = setup.app.client(&setup.org.member).await;
    let base = setup.app.base_url.clone();
    let refused = member
        .call(
            "AI_PROVIDER_OAUTH_URL",
            json!({"providerId": "openrouter", "callbackUrl": format!("{base}/cb")}),
        )
        .await;
    assert_eq!(refused.code(), "forbidden");
    for (provider, callback) in [
        ("openrouter", "https://evil.example/cb".to_owned()),
        ("openrouter", format!("{base}.evil.example/cb")),
        ("openrouter", format!("{base}@evil.example/cb")),
        ("openrouter", "javascript:alert(1)".to_owned()),
        ("openrouter", format!("{base}/cb#frag")),
        ("anthropic", format!("{base}/cb")),
        ("deco", format!("{base}/cb")),
        ("nope", format!("{base}/cb")),
    ] {
        let outcome = setup
            .owner
            .call(
                "AI_PROVIDER_OAUTH_URL",
                json!({"providerId": provider, "callbackUrl": callback}),
            )
            .await;
        assert_eq!(outcome.code(), "invalid_input", "{provider} {callback}");
    }
    // A code the provider refuses: its error, nothing stored.
    let (_, start) = consent(&setup.owner, "openrouter", &format!("{base}/cb")).await;
    let bad = exchange(
        &setup.owner,
        "openrouter",
        "not-the-code",
        start["stateToken"].as_str().unwrap(),
    )
    .await;
    assert_eq!(bad.code(), "invalid_input");
    assert!(bad.text.contains("openrouter"), "{}", bad.text);
    assert!(setup.owner.keys().await.is_empty());
}
