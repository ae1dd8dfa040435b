//! The command line: master key handling, organizations and tokens, help text.

use base64::Engine;

use crate::harness::{AppOptions, TestApp, TestDatabase};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_master_keys_are_refused_at_start_without_echoing_them() {
    let app = TestApp::spawn().await;
    let sixteen = base64::engine::general_purpose::STANDARD.encode([9u8; 16]);
    for (value, expected) in [
        ("", "empty"),
        ("not base64 at all!", "base64"),
        (sixteen.as_str(), "32 bytes"),
    ] {
        let out = app
            .command()
            .arg("serve")
            .env("AIPROVIDERS_MASTER_KEY", value)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{value:?} accepted");
        let err = stderr(&out);
        assert!(
            err.contains("AIPROVIDERS_MASTER_KEY") && err.contains(expected),
            "{err}"
        );
        if !value.is_empty() {
            assert!(!err.contains(value), "the key is echoed: {err}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_different_master_key_is_refused_for_an_existing_database() {
    let app = TestApp::spawn().await;
    let org = app.org();
    app.client(&org.owner)
        .await
        .create_key("anthropic", "a", "sk-ant-api03-master-check-1")
        .await
        .ok();
    let other = base64::engine::general_purpose::STANDARD.encode([42u8; 32]);
    let out = app
        .command()
        .arg("serve")
        .env("AIPROVIDERS_MASTER_KEY", &other)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("master key does not match"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_serve_generates_a_key_file_but_other_commands_and_postgres_never_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::create(dir.path()).await;
    let is_postgres = db.is_postgres();
    let mut command = std::process::Command::new(crate::harness::BIN);
    for (name, _) in std::env::vars() {
        if name.starts_with("AIPROVIDERS_") || name == "DATABASE_URL" {
            command.env_remove(&name);
        }
    }
    command
        .env("AIPROVIDERS_DATA_DIR", dir.path())
        .env("DATABASE_URL", &db.url)
        .env("AIPROVIDERS_LOG_FORMAT", "json");
    let key_file = dir.path().join("master.key");
    // The stdio server needs a key and does not make one.
    let out = command
        .arg("mcp")
        .env("AIPROVIDERS_TOKEN", "x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no master key"), "{}", stderr(&out));
    assert!(!key_file.exists());
    if is_postgres {
        // PostgreSQL deployments must be given a key: serve refuses to make one.
        let mut serve = std::process::Command::new(crate::harness::BIN);
        serve
            .env_clear()
            .env("AIPROVIDERS_DATA_DIR", dir.path())
            .env("DATABASE_URL", &db.url)
            .env("AIPROVIDERS_LISTEN", "127.0.0.1:0")
            .arg("serve");
        let out = serve.output().unwrap();
        assert!(!out.status.success());
        assert!(stderr(&out).contains("no master key"), "{}", stderr(&out));
        assert!(!key_file.exists());
    } else {
        let app = TestApp::start(dir, db, AppOptions::default());
        let key_file = app.dir.path().join("master.key");
        assert!(key_file.exists());
        assert!(app.logs().contains("generated a new master key"));
        assert!(app.logs().contains(&key_file.display().to_string()));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn organizations_and_tokens_from_the_command_line() {
    let app = TestApp::spawn().await;
    let slug = format!("cli-{}", crate::harness::random_suffix());
    let id = app.create_org(&slug);
    assert!(id.starts_with("org_") && id.len() == 36, "{id}");
    let dup = app.cli(&["org", "create", &slug]);
    assert!(!dup.status.success());
    assert!(stderr(&dup).contains("already exists"), "{}", stderr(&dup));
    assert!(!app.cli(&["org", "create", "Not A Slug"]).status.success());

    // By slug or by id.
    let token = app.create_token(&id, "bob", "member");
    assert!(token.starts_with("aip_") && token.len() == 47);
    let bad_role = app.cli(&[
        "token", "create", "--org", &slug, "--user", "bob", "--role", "root",
    ]);
    assert!(!bad_role.status.success());
    assert!(stderr(&bad_role).contains("role"));
    let no_org = app.cli(&[
        "token",
        "create",
        "--org",
        "nope-nope",
        "--user",
        "bob",
        "--role",
        "owner",
    ]);
    assert!(!no_org.status.success());

    let listed = app.cli_ok(&["token", "list", "--org", &slug]);
    assert!(listed.contains("bob") && listed.contains("member") && listed.contains("active"));
    assert!(!listed.contains(&token));

    assert!(app.cli_ok(&["migrate"]).contains("migrations applied"));
    assert!(
        app.cli_ok(&["migrate"]).contains("migrations applied"),
        "idempotent"
    );
}

#[test]
fn help_never_shows_secret_settings() {
    let out = std::process::Command::new(crate::harness::BIN)
        .args(["serve", "--help"])
        .env(
            "AIPROVIDERS_MASTER_KEY",
            "c2VjcmV0LW1hc3Rlci1rZXktdmFsdWUtMzItYnl0ZXM=",
        )
        .env("DATABASE_URL", "postgres://app:hunter2secret@db/aip")
        .env("AIPROVIDERS_MASTER_KEY_FILE", "/secret/path/master.key")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--database-url"), "{help}");
    for secret in ["c2VjcmV0", "hunter2secret", "/secret/path"] {
        assert!(!help.contains(secret), "--help shows {secret}");
    }
}
