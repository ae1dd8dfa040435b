//! The store against a real SQLite file: the change board seen from two processes (two
//! `Store`s on one file), and usage written in multi-row batches.

use std::time::Duration;

use aiproviders_domain::{OrgSlug, Principal, Role, Timestamp, UserId};
use aiproviders_store::{DatabaseUrl, Store, UsageGroup, UsageRecord};

async fn open(path: &std::path::Path) -> Store {
    let store = Store::connect(&DatabaseUrl::sqlite_file(path))
        .await
        .unwrap()
        .with_change_poll(Duration::from_secs(60));
    store.migrate().await.unwrap();
    store
}

async fn org_with_token(store: &Store, slug: &str, hash: [u8; 32]) -> Principal {
    let org = store
        .create_org(
            &OrgSlug::parse(slug, "slug").unwrap(),
            slug,
            Timestamp::now(),
        )
        .await
        .unwrap();
    store
        .create_token(
            &org.id,
            &UserId::from_trusted(format!("user-{slug}")),
            Role::Admin,
            None,
            &hash,
            Timestamp::now(),
        )
        .await
        .unwrap();
    store.authenticate(&hash).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_token_revoked_by_another_process_stops_working_at_the_next_poll() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let server = open(&path).await;
    let cli = open(&path).await;
    let hash = [7; 32];
    let principal = org_with_token(&server, "acme", hash).await;
    let other = org_with_token(&server, "other", [8; 32]).await;
    server.poll_changes().await.unwrap();
    assert_eq!(
        server.authenticate(&hash).await.unwrap(),
        Some(principal.clone())
    );

    // Revoked elsewhere: this process keeps its trusted answer until it polls (the server
    // polls every 100 ms; the interval here is long so that the test sees both sides).
    let tokens = cli.list_tokens(principal.org_id()).await.unwrap();
    assert!(
        cli.revoke_token(&tokens[0].id, Timestamp::now())
            .await
            .unwrap()
    );
    assert_eq!(server.authenticate(&hash).await.unwrap(), Some(principal));
    server.poll_changes().await.unwrap();
    assert_eq!(server.authenticate(&hash).await.unwrap(), None);
    // Another organization's tokens are untouched.
    assert_eq!(server.authenticate(&[8; 32]).await.unwrap(), Some(other));
}

#[tokio::test]
async fn versions_changed_by_another_process_show_at_the_next_poll_and_local_ones_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let server = open(&path).await;
    let other_replica = open(&path).await;
    let principal = org_with_token(&server, "acme", [7; 32]).await;
    server.poll_changes().await.unwrap();
    let before = server.scoped(&principal).recent_versions().await.unwrap();

    let policy = r#"{"version":1}"#;
    let actor = principal.user_id().clone();
    other_replica
        .scoped(&principal)
        .set_policy(policy, &actor, Timestamp::now())
        .await
        .unwrap();
    assert_eq!(
        server.scoped(&principal).recent_versions().await.unwrap(),
        before
    );
    server.poll_changes().await.unwrap();
    let after_poll = server.scoped(&principal).recent_versions().await.unwrap();
    assert_eq!(after_poll.policy, before.policy + 1);
    assert_eq!(after_poll.keys, before.keys);

    // A write by this process is seen by the next read, without a poll.
    server
        .scoped(&principal)
        .set_policy(policy, &actor, Timestamp::now())
        .await
        .unwrap();
    let local = server.scoped(&principal).recent_versions().await.unwrap();
    assert_eq!(local.policy, before.policy + 2);
}

#[tokio::test]
async fn usage_batches_larger_than_one_statement_are_stored_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db.sqlite")).await;
    let principal = org_with_token(&store, "acme", [7; 32]).await;
    // 128 rows per statement: two full statements and a partial one.
    let records: Vec<UsageRecord> = (0..300u64)
        .map(|i| UsageRecord {
            org: principal.org_id().clone(),
            user: principal.user_id().clone(),
            key: None,
            provider: None,
            model: if i % 2 == 0 { "even" } else { "odd" }.to_owned(),
            input_tokens: i,
            output_tokens: 1,
            cached_tokens: 0,
            cost_usd: Some(0.5),
            latency_ms: 3,
            attempts: 1,
            outcome: "ok",
            at: Timestamp::now(),
        })
        .collect();
    store.insert_usage(&records).await.unwrap();
    store.insert_usage(&records[..5]).await.unwrap();
    let totals = store
        .scoped(&principal)
        .usage_totals(UsageGroup::Model, None, None, None)
        .await
        .unwrap();
    let by_model: Vec<(Option<&str>, u64, u64, u64)> = totals
        .iter()
        .map(|t| {
            (
                t.group.as_deref(),
                t.requests,
                t.input_tokens,
                t.output_tokens,
            )
        })
        .collect();
    // Even i in 0..300 sum to 22,350 and odd to 22,500; the second batch adds 0+2+4 and 1+3.
    assert_eq!(
        by_model,
        [
            (Some("even"), 153, 22_350 + 6, 153),
            (Some("odd"), 152, 22_500 + 4, 152)
        ]
    );
    assert_eq!(totals[0].cost_usd, Some(76.5));
}
