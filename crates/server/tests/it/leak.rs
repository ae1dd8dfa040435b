//! Known secrets go through every operation; then the database, the logs and every tool
//! output are searched for them. Any hit fails.

use serde_json::json;
use sqlx::{Connection, Row};

use aiproviders_fakes::Behavior;

use crate::harness::{TEST_MASTER_KEY, TestApp};

const SECRETS: [&str; 4] = [
    "sk-ant-api03-LEAKCANARY-anthropic-7e1d",
    "sk-or-v1-LEAKCANARY-openrouter-90ab",
    "AIzaSyLEAKCANARY-google-5c2f",
    "sk-ant-api03-LEAKCANARY-rejected",
];

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

async fn database_text(app: &TestApp) -> String {
    if app.db.is_postgres() {
        let mut conn = sqlx::PgConnection::connect(&app.db.url).await.unwrap();
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert!(tables.contains(&"provider_keys".to_owned()));
        let mut text = String::new();
        for table in tables {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT row_to_json(t)::text FROM \"{table}\" t"
            )))
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for row in rows {
                text.push_str(&row.get::<String, _>(0));
                text.push('\n');
            }
        }
        text
    } else {
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(app.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("aiproviders.db")
            {
                bytes.extend(std::fs::read(&path).unwrap());
            }
        }
        assert!(bytes.len() > 4096);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_never_reach_the_database_logs_or_tool_output() {
    // Real upstream calls (to the fakes) with every secret, at debug level.
    let fakes = aiproviders_fakes::FakeUpstreams::start().await;
    let app = TestApp::spawn_with(crate::upstreams::options(&fakes).env("RUST_LOG", "debug")).await;
    let org = app.org();
    let owner = app.client(&org.owner).await;
    let member = app.client(&org.member).await;
    let mut outputs = String::new();
    let mut record = |outcome: &crate::harness::Outcome| {
        outputs.push_str(&outcome.structured.to_string());
        outputs.push_str(&outcome.text);
    };

    let a = owner.create_key("anthropic", "a", SECRETS[0]).await;
    record(&a);
    let id = a.clone().ok()["id"].as_str().unwrap().to_owned();
    record(&owner.create_key("anthropic", "a again", SECRETS[0]).await);
    record(&owner.create_key("openrouter", "b", SECRETS[1]).await);
    record(&owner.create_key("google", "c", SECRETS[2]).await);
    record(&member.create_key("google", "member", SECRETS[2]).await);
    record(
        &owner
            .create_key("anthropic", "bad", &format!("{}\u{7}", SECRETS[3]))
            .await,
    );
    record(&owner.create_key("nope", "bad provider", SECRETS[3]).await);
    record(
        &owner
            .call(
                "AI_PROVIDER_KEY_UPDATE",
                json!({"keyId": id, "label": "renamed"}),
            )
            .await,
    );
    record(
        &owner
            .call(
                "AI_PROVIDER_KEY_UPDATE",
                json!({"keyId": SECRETS[3], "label": "x"}),
            )
            .await,
    );
    record(&owner.call("AI_PROVIDER_KEY_LIST", json!({})).await);
    let openrouter = owner.keys().await;
    let openrouter = openrouter
        .iter()
        .find(|k| k["providerId"] == "openrouter")
        .unwrap()["id"]
        .clone();
    for tool in [
        "AI_PROVIDERS_LIST_MODELS",
        "AI_PROVIDERS_REFRESH_MODELS",
        "AI_PROVIDER_KEY_CHECK",
    ] {
        record(&owner.call(tool, json!({"keyId": id})).await);
        record(&member.call(tool, json!({"keyId": openrouter})).await);
    }
    for behavior in [
        Behavior::Unauthorized,
        Behavior::RateLimited {
            retry_after_seconds: 3,
        },
        Behavior::Malformed,
    ] {
        fakes.anthropic.set_behavior(behavior.clone());
        fakes.openrouter.set_behavior(behavior);
        for tool in ["AI_PROVIDERS_REFRESH_MODELS", "AI_PROVIDER_KEY_CHECK"] {
            record(&owner.call(tool, json!({"keyId": id})).await);
            record(&owner.call(tool, json!({"keyId": openrouter})).await);
        }
    }
    assert!(
        fakes
            .anthropic
            .requests()
            .iter()
            .any(|r| r.header("x-api-key") == Some(SECRETS[0])),
        "the secret was used upstream"
    );
    record(&owner.call("AI_PROVIDERS_ACTIVE", json!({})).await);
    record(&owner.call("AI_PROVIDER_AUDIT_LIST", json!({})).await);
    record(
        &owner
            .call("AI_PROVIDER_KEY_DELETE", json!({"keyId": id}))
            .await,
    );
    record(
        &owner
            .call("AI_PROVIDER_KEY_DELETE", json!({"keyId": SECRETS[3]}))
            .await,
    );

    // An OAuth connection: the state token is shown to its caller once (and must be nowhere
    // else), the verifier and the issued key nowhere at all.
    fakes.openrouter.set_behavior(Behavior::Normal);
    let start = owner
        .call(
            "AI_PROVIDER_OAUTH_URL",
            json!({"providerId": "openrouter", "callbackUrl": format!("{}/oauth/callback/ai-provider", app.base_url)}),
        )
        .await
        .ok();
    let state_token = start["stateToken"].as_str().unwrap().to_owned();
    let back = aiproviders_fakes::consent(start["url"].as_str().unwrap())
        .await
        .unwrap();
    let page = reqwest::get(&back).await.unwrap();
    assert_eq!(page.status(), 200);
    outputs.push_str(&page.text().await.unwrap());
    let issued = fakes.openrouter.issued_keys();
    assert_eq!(issued.len(), 1);
    let verifier = fakes
        .openrouter
        .requests()
        .iter()
        .find(|r| r.path == "/api/v1/auth/keys")
        .and_then(|r| r.body_json())
        .unwrap()["code_verifier"]
        .as_str()
        .unwrap()
        .to_owned();

    let database = database_text(&app).await;
    for secret in [&state_token, &verifier] {
        if let Some(at) = database.find(secret.as_str()) {
            let from = database[..at]
                .char_indices()
                .rev()
                .nth(200)
                .map_or(0, |(i, _)| i);
            panic!(
                "the database holds an OAuth secret: …{}",
                &database[from..(at + secret.len()).min(database.len())]
            );
        }
        assert!(
            !app.logs().contains(secret.as_str()),
            "the logs hold an OAuth secret"
        );
    }
    assert!(!outputs.contains(&verifier));
    let logs = app.logs();
    assert!(logs.contains("listening"), "logs were captured");
    let master_key_file =
        std::fs::read_to_string(app.dir.path().join("master.key")).unwrap_or_default();
    let mut forbidden: Vec<String> = SECRETS.iter().map(|s| s.to_string()).collect();
    forbidden.extend(SECRETS.iter().map(|s| hex(s)));
    forbidden.extend(issued.iter().cloned());
    forbidden.extend([
        org.owner.clone(),
        org.member.clone(),
        org.admin.clone(),
        TEST_MASTER_KEY.to_owned(),
    ]);
    if !master_key_file.trim().is_empty() {
        forbidden.push(master_key_file.trim().to_owned());
    }
    for secret in &forbidden {
        assert!(
            !database.contains(secret.as_str()),
            "the database holds {secret}"
        );
        assert!(!logs.contains(secret.as_str()), "the logs hold {secret}");
        assert!(
            !outputs.contains(secret.as_str()),
            "a tool output holds {secret}"
        );
    }
    // The canary word itself is nowhere: not even a fragment of a secret leaked.
    for (name, text) in [
        ("database", &database),
        ("logs", &logs),
        ("outputs", &outputs),
    ] {
        assert!(
            !text.contains("LEAKCANARY"),
            "the {name} hold a fragment of a secret"
        );
    }
}
