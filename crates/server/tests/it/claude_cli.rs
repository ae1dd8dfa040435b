//! `AI_PROVIDER_CLI_ACTIVATE` with the real Claude Code CLI (from the npm registry, installed
//! by scripts/ensure-node.sh), offline, under a temporary `HOME`.

use std::path::PathBuf;

use serde_json::json;

use crate::harness::{AppOptions, TestApp};
use crate::upstreams::{list_models, model_ids};

/// The directory holding `claude` (and the `node` it runs on).
fn cli_dir() -> PathBuf {
    let dir = std::env::var("AIPROVIDERS_TEST_NODE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let home = std::env::var("HOME").unwrap();
            PathBuf::from(home).join(".cache/aiproviders/node-tools/node_modules/.bin")
        });
    assert!(
        dir.join("claude").exists(),
        "the Claude Code CLI is missing from {}: run scripts/ensure-node.sh (scripts/test.sh does)",
        dir.display()
    );
    dir
}

/// A server whose `HOME` is a fresh directory and whose `PATH` has the CLI (or not).
async fn spawn(with_cli: bool, extra: &[(&str, &str)]) -> (TestApp, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let path = if with_cli {
        format!("{}:/usr/bin:/bin", cli_dir().display())
    } else {
        "/usr/bin:/bin".to_owned()
    };
    let mut options = AppOptions::default()
        .env("HOME", home.path().to_str().unwrap())
        .env("PATH", &path);
    for (name, value) in extra {
        options = options.env(name, value);
    }
    (TestApp::spawn_with(options).await, home)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cli_that_is_not_logged_in_is_reported_and_not_activated() {
    let (app, _home) = spawn(true, &[]).await;
    let org = app.org();
    let owner = app.client(&org.owner).await;
    let result = owner.call("AI_PROVIDER_CLI_ACTIVATE", json!({})).await.ok();
    assert_eq!(result["activated"], false);
    assert_eq!(result["installed"], true);
    assert_eq!(result["authenticated"], false);
    assert!(
        result["version"].as_str().unwrap().starts_with("2."),
        "{result}"
    );
    assert!(
        result["error"]
            .as_str()
            .unwrap()
            .contains("claude auth login"),
        "{result}"
    );
    assert!(owner.keys().await.is_empty());
    let member = app.client(&org.member).await;
    assert_eq!(
        member
            .call("AI_PROVIDER_CLI_ACTIVATE", json!({}))
            .await
            .code(),
        "forbidden"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_key_login_activates_once_and_lists_the_cli_models() {
    let secret = "sk-ant-api03-cli-activation-canary-0001";
    let (app, _home) = spawn(true, &[("ANTHROPIC_API_KEY", secret)]).await;
    let org = app.org();
    let owner = app.client(&org.owner).await;
    let first = owner.call("AI_PROVIDER_CLI_ACTIVATE", json!({})).await.ok();
    assert_eq!(first["activated"], true, "{first}");
    assert_eq!(first["authenticated"], true);
    let again = owner.call("AI_PROVIDER_CLI_ACTIVATE", json!({})).await.ok();
    assert_eq!(again["activated"], true);
    let keys = owner.keys().await;
    assert_eq!(keys.len(), 1, "activating twice keeps one record");
    assert_eq!(keys[0]["providerId"], "claude-code");
    assert_eq!(keys[0]["status"], "valid");
    assert!(!keys[0]["maskedKey"].as_str().unwrap().contains("0001"));
    let active = owner.call("AI_PROVIDERS_ACTIVE", json!({})).await.ok();
    assert_eq!(active["providers"][0]["id"], "claude-code");
    let models = list_models(&owner, keys[0]["id"].as_str().unwrap()).await;
    assert_eq!(
        model_ids(&models),
        [
            "claude-code:haiku",
            "claude-code:sonnet",
            "claude-code:opus"
        ]
    );
    for text in [first.to_string(), again.to_string(), app.logs()] {
        assert!(!text.contains(secret), "the CLI's key leaked");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscription_login_reports_its_type() {
    let home = tempfile::tempdir().unwrap();
    let claude = home.path().join(".claude");
    std::fs::create_dir_all(&claude).unwrap();
    let credentials = claude.join(".credentials.json");
    std::fs::write(
        &credentials,
        r#"{"claudeAiOauth":{"accessToken":"sk-ant-oat01-FIXTURE-NOT-REAL","refreshToken":"sk-ant-ort01-FIXTURE-NOT-REAL","expiresAt":4102444800000,"refreshTokenExpiresAt":4102444800000,"scopes":["user:file_upload","user:inference","user:mcp_servers","user:profile","user:sessions:claude_code"],"subscriptionType":"max","rateLimitTier":"default_claude_max_20x"}}"#,
    )
    .unwrap();
    let before = std::fs::read(&credentials).unwrap();
    let app = TestApp::spawn_with(
        AppOptions::default()
            .env("HOME", home.path().to_str().unwrap())
            .env("PATH", &format!("{}:/usr/bin:/bin", cli_dir().display())),
    )
    .await;
    let org = app.org();
    let owner = app.client(&org.owner).await;
    let result = owner.call("AI_PROVIDER_CLI_ACTIVATE", json!({})).await.ok();
    assert_eq!(result["activated"], true, "{result}");
    assert_eq!(result["subscriptionType"], "max");
    assert!(
        !result.to_string().contains("FIXTURE"),
        "tokens are never read out"
    );
    assert_eq!(
        std::fs::read(&credentials).unwrap(),
        before,
        "the CLI's file is untouched"
    );
    let database = std::fs::read(app.dir.path().join("aiproviders.db")).unwrap_or_default();
    assert!(!String::from_utf8_lossy(&database).contains("FIXTURE"));
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_binary_or_outside_local_mode() {
    let (app, _home) = spawn(false, &[]).await;
    let org = app.org();
    let owner = app.client(&org.owner).await;
    let result = owner.call("AI_PROVIDER_CLI_ACTIVATE", json!({})).await.ok();
    assert_eq!(result["installed"], false);
    assert_eq!(result["activated"], false);
    assert!(
        result["error"]
            .as_str()
            .unwrap()
            .starts_with("not installed"),
        "{result}"
    );

    // AIPROVIDERS_CLAUDE_BIN pointing at nothing is reported as such.
    let (app, _home) = app_with_bin("/nonexistent/claude").await;
    let org = app.org();
    let owner = app.client(&org.owner).await;
    let result = owner.call("AI_PROVIDER_CLI_ACTIVATE", json!({})).await.ok();
    assert_eq!(result["installed"], false);
    assert!(
        result["error"]
            .as_str()
            .unwrap()
            .contains("AIPROVIDERS_CLAUDE_BIN"),
        "{result}"
    );

    let (app, _home) = spawn(true, &[("AIPROVIDERS_LOCAL_MODE", "false")]).await;
    let org = app.org();
    let owner = app.client(&org.owner).await;
    let outcome = owner.call("AI_PROVIDER_CLI_ACTIVATE", json!({})).await;
    assert_eq!(outcome.code(), "unsupported");
}

async fn app_with_bin(bin: &str) -> (TestApp, tempfile::TempDir) {
    spawn(true, &[("AIPROVIDERS_CLAUDE_BIN", bin)]).await
}
