//! `aiproviders mcp`: the same tools over stdio, as the principal of AIPROVIDERS_TOKEN.

use std::process::Stdio;

use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};

use crate::harness::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn stdio_serves_the_tools_as_the_tokens_principal() {
    let app = TestApp::spawn().await;
    let org = app.org();
    let http = app.client(&org.owner).await;
    http.create_key("anthropic", "from http", "sk-ant-api03-stdio-test-0001")
        .await
        .ok();

    let mut command = app.command();
    command.arg("mcp").env("AIPROVIDERS_TOKEN", &org.member);
    let (transport, _stderr) = TokioChildProcess::builder(tokio::process::Command::from(command))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = ().serve(transport).await.expect("initialize over stdio");
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 18);

    let call = |name: &str, args: Value| {
        let mut params = CallToolRequestParams::new(name.to_owned());
        if let Value::Object(map) = args {
            params = params.with_arguments(map);
        }
        client.call_tool(params)
    };
    let listed = call("AI_PROVIDER_KEY_LIST", json!({})).await.unwrap();
    let keys = &listed.structured_content.unwrap()["keys"];
    assert_eq!(keys.as_array().unwrap().len(), 1);
    assert_eq!(keys[0]["label"], "from http");

    // The member's role holds over stdio too.
    let refused = call(
        "AI_PROVIDER_KEY_CREATE",
        json!({"providerId": "google", "label": "x", "apiKey": "AIzaSy-stdio-member-000"}),
    )
    .await
    .unwrap();
    assert_eq!(refused.is_error, Some(true));
    assert_eq!(
        refused.structured_content.unwrap()["error"]["code"],
        "forbidden"
    );
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn stdio_refuses_to_start_without_a_valid_token() {
    let app = TestApp::spawn().await;
    for token in ["", "aip_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
        let out = app
            .command()
            .arg("mcp")
            .env("AIPROVIDERS_TOKEN", token)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("AIPROVIDERS_TOKEN"), "{stderr}");
        assert!(out.stdout.is_empty(), "nothing but MCP may reach stdout");
    }
}
