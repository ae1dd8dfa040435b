//! The HTTP surface: authentication, body limits, Host/Origin checks, health and metrics.

use serde_json::{Value, json};

use crate::harness::{McpClient, TestApp};

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;

fn post(
    app: &TestApp,
    token: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> reqwest::RequestBuilder {
    let mut request = reqwest::Client::new()
        .post(format!("{}/mcp", app.base_url))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_unknown_and_revoked_tokens_get_401_with_a_challenge() {
    let app = TestApp::spawn().await;
    let org = app.org();
    for token in [
        None,
        Some("aip_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        Some("garbage"),
    ] {
        let response = post(&app, token, INITIALIZE).send().await.unwrap();
        assert_eq!(response.status(), 401, "{token:?}");
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthenticated");
    }
    // GET and DELETE on /mcp are guarded too.
    let get = reqwest::Client::new()
        .get(format!("{}/mcp", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 401);

    // A token revoked by the CLI while the server runs stops working within the poll interval.
    // The scheme is case-insensitive (RFC 9110).
    let lower = post(&app, None, INITIALIZE)
        .header("authorization", format!("bearer {}", org.member))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), 200);

    let token = app.create_token(&org.slug, "leaver", "admin");
    assert_eq!(
        post(&app, Some(&token), INITIALIZE)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let listed = app.cli_ok(&["token", "list", "--org", &org.slug]);
    let token_id = listed
        .lines()
        .find(|l| l.contains("leaver"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    assert!(!listed.contains(&token), "token list must not show tokens");
    app.cli_ok(&["token", "revoke", &token_id]);
    // The server learns of it by polling the organizations' change counters (every 100 ms
    // by default; a token it checked is trusted from memory for no longer than that).
    let revoked_at = std::time::Instant::now();
    loop {
        let status = post(&app, Some(&token), INITIALIZE)
            .send()
            .await
            .unwrap()
            .status();
        if status == 401 {
            break;
        }
        assert_eq!(status, 200);
        assert!(
            revoked_at.elapsed() < std::time::Duration::from_secs(2),
            "a revoked token still works after 2 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(
        !app.cli(&["token", "revoke", &token_id]).status.success(),
        "revoking twice fails"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_bodies_are_refused_and_the_server_keeps_working() {
    let app = TestApp::spawn().await;
    let org = app.org();
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"AI_PROVIDER_KEY_CREATE","arguments":{{"providerId":"anthropic","label":"x","apiKey":"{}"}}}}}}"#,
        "k".repeat(2 * 1024 * 1024)
    );
    let response = post(&app, Some(&org.owner), big).send().await.unwrap();
    assert_eq!(response.status(), 413);
    // Malformed JSON is a JSON-RPC error, not a 500 or a dropped connection.
    let response = post(&app, Some(&org.owner), "{not json")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    let client = app.client(&org.owner).await;
    assert!(client.keys().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn foreign_host_and_origin_are_refused() {
    let app = TestApp::spawn().await;
    let org = app.org();
    for (header, value, status) in [
        ("host", "evil.example.com", 403),
        ("origin", "http://evil.example.com", 403),
        ("origin", "http://localhost:3000", 200),
    ] {
        let response = post(&app, Some(&org.owner), INITIALIZE)
            .header(header, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{header}: {value}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn healthz_and_metrics() {
    let app = TestApp::spawn().await;
    let org = app.org();
    let health = reqwest::get(format!("{}/healthz", app.base_url))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );

    let client = McpClient::connect(&format!("{}/mcp", app.base_url), &org.owner).await;
    client
        .create_key("google", "metrics", "AIzaSy-metrics-secret-value-42")
        .await
        .ok();
    client.keys().await;
    client
        .call("AI_PROVIDER_KEY_DELETE", json!({"keyId": "bad"}))
        .await;
    let _ = post(&app, None, INITIALIZE).send().await.unwrap();
    // A few polls of the change counters run with the organization on the board.
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;

    let metrics = reqwest::get(format!("{}/metrics", app.base_url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            r#"aiproviders_mcp_tool_calls_total{tool="AI_PROVIDER_KEY_CREATE",outcome="ok"} 1"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains(r#"aiproviders_mcp_tool_calls_total{tool="AI_PROVIDER_KEY_DELETE",outcome="invalid_input"} 1"#));
    assert!(metrics.contains("aiproviders_mcp_tool_call_duration_seconds_bucket"));
    assert!(metrics.contains("aiproviders_http_unauthenticated_requests_total 1"));
    // The change counters are polled (on both backends) and the polls work.
    assert!(
        metrics.contains("aiproviders_change_poll_failures_total 0"),
        "{metrics}"
    );
    let polls: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("aiproviders_change_polls_total "))
        .and_then(|n| n.trim().parse().ok())
        .expect("aiproviders_change_polls_total");
    assert!(polls > 0, "{metrics}");
    for secret in [
        "AIzaSy-metrics-secret-value-42",
        &org.owner,
        &org.id,
        "aik_",
    ] {
        assert!(!metrics.contains(secret), "metrics expose {secret}");
    }
}
