use std::time::{Duration, Instant};

use aiproviders_fakes::{Behavior, FakeUpstreams};

use crate::{client, get_json};

fn anthropic_get(fakes: &FakeUpstreams, path: &str) -> reqwest::RequestBuilder {
    client()
        .get(format!("{}{path}", fakes.anthropic.url()))
        .header("x-api-key", "k")
        .header("anthropic-version", "2023-06-01")
}

#[tokio::test]
async fn status_redirect_malformed_truncated() {
    let fakes = FakeUpstreams::start().await;
    let or = format!("{}/api/v1/models", fakes.openrouter.url());

    fakes.openrouter.set_behavior(Behavior::Status {
        status: 418,
        headers: vec![("x-test".into(), "yes".into())],
        body: "{\"teapot\":true}".into(),
    });
    let (status, headers, body) = get_json(client().get(&or)).await;
    assert_eq!((status, body["teapot"].as_bool()), (418, Some(true)));
    assert_eq!(
        (
            headers["x-test"].to_str().unwrap(),
            headers["content-type"].to_str().unwrap()
        ),
        ("yes", "application/json")
    );

    fakes
        .openrouter
        .set_behavior(Behavior::Redirect("http://127.0.0.1:9/elsewhere".into()));
    let resp = client().get(&or).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    assert_eq!(resp.headers()["location"], "http://127.0.0.1:9/elsewhere");

    fakes.openrouter.set_behavior(Behavior::Malformed);
    let resp = client().get(&or).send().await.unwrap();
    assert_eq!(
        (
            resp.status().as_u16(),
            resp.headers()["content-type"].to_str().unwrap()
        ),
        (200, "application/json")
    );
    assert!(serde_json::from_slice::<serde_json::Value>(&resp.bytes().await.unwrap()).is_err());

    fakes.openrouter.set_behavior(Behavior::Normal);
    let full = client()
        .get(&or)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    fakes.openrouter.set_behavior(Behavior::Truncated);
    let resp = client().get(&or).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let cut = resp.bytes().await.unwrap();
    assert_eq!(cut.len(), full.len() / 2);
    assert_eq!(&full[..cut.len()], &cut[..]);
    assert!(serde_json::from_slice::<serde_json::Value>(&cut).is_err());
    assert_eq!(fakes.openrouter.requests().len(), 5);
}

#[tokio::test]
async fn rate_limits_per_provider() {
    let fakes = FakeUpstreams::start().await;
    let limited = Behavior::RateLimited {
        retry_after_seconds: 7,
    };
    fakes.anthropic.set_behavior(limited.clone());
    fakes.google.set_behavior(limited.clone());
    fakes.openrouter.set_behavior(limited);

    let (status, headers, body) = get_json(anthropic_get(&fakes, "/v1/models")).await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (429, Some("rate_limit_error"))
    );
    assert_eq!(headers["retry-after"], "7");
    assert!(headers.contains_key("request-id"));

    let (status, headers, body) = get_json(
        client()
            .get(format!("{}/v1beta/models", fakes.google.url()))
            .header("x-goog-api-key", "k"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["status"].as_str()),
        (429, Some("RESOURCE_EXHAUSTED"))
    );
    let retry = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["@type"] == "type.googleapis.com/google.rpc.RetryInfo")
        .unwrap();
    assert_eq!(retry["retryDelay"], "7s");
    assert!(!headers.contains_key("retry-after"));

    let (status, headers, body) =
        get_json(client().get(format!("{}/api/v1/models", fakes.openrouter.url()))).await;
    assert_eq!((status, body["error"]["code"].as_u64()), (429, Some(429)));
    assert_eq!(headers["retry-after"], "7");
}

#[tokio::test]
async fn server_errors_unauthorized_and_huge() {
    let fakes = FakeUpstreams::start().await;
    fakes.anthropic.set_behavior(Behavior::ServerError(529));
    let (status, _, body) = get_json(anthropic_get(&fakes, "/v1/models")).await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (529, Some("overloaded_error"))
    );
    fakes.anthropic.set_behavior(Behavior::ServerError(500));
    let (status, _, body) = get_json(anthropic_get(&fakes, "/v1/models")).await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (500, Some("api_error"))
    );

    fakes.google.set_behavior(Behavior::ServerError(503));
    let (status, _, body) = get_json(
        client()
            .get(format!("{}/v1beta/models", fakes.google.url()))
            .header("x-goog-api-key", "k"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["status"].as_str()),
        (503, Some("UNAVAILABLE"))
    );
    fakes.google.set_behavior(Behavior::Unauthorized);
    let (status, _, body) = get_json(
        client()
            .get(format!("{}/v1beta/models", fakes.google.url()))
            .header("x-goog-api-key", "k"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["details"][0]["reason"].as_str()),
        (400, Some("API_KEY_INVALID"))
    );

    fakes.anthropic.set_behavior(Behavior::Huge(1_000_000));
    let resp = anthropic_get(&fakes, "/v1/models").send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let bytes = resp.bytes().await.unwrap();
    assert!(
        (990_000..=1_010_000).contains(&bytes.len()),
        "{} bytes",
        bytes.len()
    );
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(body["has_more"], false);
}

#[tokio::test]
async fn delay_hang_and_route_overrides() {
    let fakes = FakeUpstreams::start().await;
    let base = fakes.openrouter.url();
    fakes
        .openrouter
        .set_route_behavior("/api/v1/key", Behavior::Delay(Duration::from_millis(200)));
    let started = Instant::now();
    let (status, _, _) =
        get_json(client().get(format!("{base}/api/v1/key")).bearer_auth("k")).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(200));
    let started = Instant::now();
    let (status, _, _) = get_json(client().get(format!("{base}/api/v1/models"))).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() < Duration::from_millis(200));

    fakes
        .openrouter
        .set_route_behavior("/api/v1/key", Behavior::Hang);
    let err = client()
        .get(format!("{base}/api/v1/key"))
        .bearer_auth("k")
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");

    fakes.openrouter.clear_route_behaviors();
    let (status, _, _) =
        get_json(client().get(format!("{base}/api/v1/key")).bearer_auth("k")).await;
    assert_eq!(status, 200);
    // Recorded before the behaviour applied, hung request included.
    let requests = fakes.openrouter.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(requests[2].path, "/api/v1/key");
    assert_eq!(requests[2].header("authorization"), Some("Bearer k"));
    assert_eq!(requests[2].method, "GET");
    fakes.openrouter.clear_requests();
    assert!(fakes.openrouter.requests().is_empty());
}

#[tokio::test]
async fn list_fetches_counts_only_first_pages_and_env_lists_urls() {
    let fakes = FakeUpstreams::start().await;
    for query in [
        "?limit=5",
        "?limit=5&after_id=claude-3-haiku-20240307",
        "",
        "?before_id=claude-3-haiku-20240307",
    ] {
        anthropic_get(&fakes, &format!("/v1/models{query}"))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(fakes.anthropic.list_fetches("/v1/models"), 2);
    assert_eq!(fakes.anthropic.list_fetches("/v1/models/x"), 0);

    let env = fakes.env();
    let names: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "AIPROVIDERS_ANTHROPIC_BASE_URL",
            "AIPROVIDERS_GOOGLE_BASE_URL",
            "AIPROVIDERS_OPENROUTER_BASE_URL",
            "DECO_AI_GATEWAY_URL"
        ]
    );
    assert_eq!(env[3].1, fakes.deco.url());
    assert!(
        env.iter()
            .all(|(_, url)| url.starts_with("http://127.0.0.1:") && !url.ends_with('/'))
    );
    let ports: std::collections::HashSet<&str> = env.iter().map(|(_, u)| u.as_str()).collect();
    assert_eq!(ports.len(), 4);
}
