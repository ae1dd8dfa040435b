//! Graceful shutdown and database failures.

use std::time::Duration;

use serde_json::{Value, json};
use sqlx::Connection;

use crate::harness::TestApp;

/// Holds the database's write lock until dropped, so a write through the server blocks.
enum WriteLock {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl WriteLock {
    async fn take(app: &TestApp) -> Self {
        if app.db.is_postgres() {
            let mut conn = sqlx::PgConnection::connect(&app.db.url).await.unwrap();
            sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
            sqlx::query("LOCK TABLE organizations, provider_keys IN EXCLUSIVE MODE")
                .execute(&mut conn)
                .await
                .unwrap();
            WriteLock::Postgres(conn)
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&app.db.url).await.unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut conn)
                .await
                .unwrap();
            WriteLock::Sqlite(conn)
        }
    }

    async fn release(self) {
        match self {
            WriteLock::Sqlite(mut c) => {
                sqlx::query("COMMIT").execute(&mut c).await.unwrap();
            }
            WriteLock::Postgres(mut c) => {
                sqlx::query("COMMIT").execute(&mut c).await.unwrap();
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_calls_in_progress_finish() {
    let mut app = TestApp::spawn().await;
    let org = app.org();
    let owner = app.client(&org.owner).await;
    owner
        .create_key("anthropic", "before", "sk-ant-api03-shutdown-before-1")
        .await
        .ok();

    let lock = WriteLock::take(&app).await;
    let in_flight = tokio::spawn(async move {
        let outcome = owner
            .create_key("google", "during", "AIzaSy-shutdown-during-000002")
            .await;
        (owner, outcome)
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !in_flight.is_finished(),
        "the call should be waiting for the lock"
    );
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &app.pid().to_string()])
        .status();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // New connections are refused while the call drains.
    assert!(
        reqwest::get(format!("{}/healthz", app.base_url))
            .await
            .is_err()
    );
    lock.release().await;

    let (_owner, outcome) = tokio::time::timeout(Duration::from_secs(20), in_flight)
        .await
        .unwrap_or_else(|_| panic!("the call did not finish; logs:\n{}", app.logs()))
        .unwrap();
    let created = outcome.ok();
    assert_eq!(created["label"], "during");
    assert!(app.terminate(), "exited cleanly");
    assert!(app.logs().contains("stopped"));

    // The key written during shutdown is there after a restart.
    let (dir, db, options) = app.into_parts();
    let app = TestApp::start(dir, db, options);
    let keys = app.client(&org.owner).await.keys().await;
    let labels: Vec<&Value> = keys.iter().map(|k| &k["label"]).collect();
    assert_eq!(labels, [&json!("during"), &json!("before")]);
}

#[tokio::test(flavor = "multi_thread")]
async fn database_outage_gives_errors_not_crashes_and_recovers() {
    let app = TestApp::spawn().await;
    if !app.db.is_postgres() {
        return sqlite_lock_held_too_long_gives_errors_and_recovers(app).await;
    }
    let org = app.org();
    let owner = app.client(&org.owner).await;
    owner
        .create_key("anthropic", "kept", "sk-ant-api03-outage-kept-0001")
        .await
        .ok();

    let admin_url = std::env::var("AIPROVIDERS_TEST_POSTGRES_URL").unwrap();
    let name = app.db.url.rsplit('/').next().unwrap().to_owned();
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let exec = |sql: String| sqlx::query(sqlx::AssertSqlSafe(sql));
    exec(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"))
        .execute(&mut admin)
        .await
        .unwrap();
    exec(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .execute(&mut admin)
    .await
    .unwrap();

    let health = reqwest::get(format!("{}/healthz", app.base_url))
        .await
        .unwrap();
    assert_eq!(health.status(), 503);
    // Without the database no token can be checked: a typed 503, not a crash or a hang. A
    // token this process checked a moment ago is trusted from memory only until the next
    // poll of the change counters fails (100 ms by default), then never without the database.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let refused = loop {
        let response = reqwest::Client::new()
            .post(format!("{}/mcp", app.base_url))
            .bearer_auth(&org.owner)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
            .send()
            .await
            .unwrap();
        if response.status() == 503 || std::time::Instant::now() > deadline {
            break response;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(refused.status(), 503);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "internal");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("database"),
        "{body}"
    );

    exec(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"))
        .execute(&mut admin)
        .await
        .unwrap();
    let health = reqwest::get(format!("{}/healthz", app.base_url))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let owner = app.client(&org.owner).await;
    owner
        .create_key("google", "after", "AIzaSy-outage-after-0000003")
        .await
        .ok();
    assert_eq!(owner.keys().await.len(), 2);
}

/// SQLite's outage: another process (a stuck CLI, a backup tool) holds the write lock longer
/// than the busy timeout. Writes fail with a typed error, reads go on (WAL), and everything
/// works again once the lock is gone.
async fn sqlite_lock_held_too_long_gives_errors_and_recovers(app: TestApp) {
    let org = app.org();
    let owner = app.client(&org.owner).await;
    owner
        .create_key("anthropic", "kept", "sk-ant-api03-locked-kept-0001")
        .await
        .ok();
    let lock = WriteLock::take(&app).await;
    let failed = owner
        .create_key("google", "lost", "AIzaSy-locked-lost-00000002")
        .await;
    assert_eq!(failed.code(), "internal");
    assert!(failed.text.contains("database"), "{}", failed.text);
    assert_eq!(
        owner.keys().await.len(),
        1,
        "reads go on while writes are locked out"
    );
    lock.release().await;
    owner
        .create_key("google", "after", "AIzaSy-locked-after-0000003")
        .await
        .ok();
    assert_eq!(
        owner.keys().await.len(),
        2,
        "the failed create stored nothing"
    );
}
