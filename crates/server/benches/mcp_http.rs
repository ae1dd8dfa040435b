//! Benchmark over HTTP, on SQLite and (when reachable) PostgreSQL:
//!
//! - `AI_PROVIDER_KEY_CREATE` throughput: 2,000 distinct keys created by 16 concurrent
//!   sessions;
//! - `AI_PROVIDER_KEY_LIST` latency (p50/p99) in an organization holding 1,000 keys;
//! - the transfer floor: a GET of a precomputed body of the list's size from an axum server
//!   (the fake providers' machinery) with the same client, i.e. what moving that many bytes
//!   over loopback HTTP costs on this machine before the service does any work.
//!
//! It starts the release binary like the integration tests do (the same harness), and talks
//! plain JSON-RPC over Streamable HTTP with reqwest so the client adds as little as possible.
//!
//! Run: `cargo bench -p aiproviders --bench mcp_http`. PostgreSQL is used when
//! `AIPROVIDERS_TEST_POSTGRES_URL` is set (scripts/bench.sh sets it).

#[allow(dead_code)]
#[path = "../tests/it/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "common/session.rs"]
mod session;

use std::time::{Duration, Instant};

use harness::{AppOptions, Backend, TestApp};
use serde_json::json;
use session::Session;

const CREATE_TOTAL: usize = 2000;
const CREATE_CONCURRENCY: usize = 16;
const LIST_KEYS: usize = 1000;
const LIST_WARMUP: usize = 50;
const LIST_SAMPLES: usize = 500;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

async fn bench_backend(name: &str, backend: Backend) {
    let options = AppOptions {
        backend: Some(backend),
        ..AppOptions::default().env("RUST_LOG", "warn,aiproviders::serve=info")
    };
    let app = TestApp::spawn_with(options).await;
    let org = app.org();

    // Create throughput.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CREATE_CONCURRENCY {
        let (base, token) = (app.base_url.clone(), org.owner.clone());
        tasks.push(tokio::spawn(async move {
            let mut session = Session::open(&base, &token).await;
            for i in (worker..CREATE_TOTAL).step_by(CREATE_CONCURRENCY) {
                session
                    .call(
                        "AI_PROVIDER_KEY_CREATE",
                        json!({"providerId": "openrouter", "label": format!("bench {i}"),
                               "apiKey": format!("sk-or-v1-bench-{i:08}-{}", "x".repeat(48))}),
                    )
                    .await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    let creates_per_sec = CREATE_TOTAL as f64 / elapsed.as_secs_f64();

    // List latency with exactly LIST_KEYS keys in a fresh organization.
    let listing = app.org();
    let mut session = Session::open(&app.base_url, &listing.owner).await;
    for i in 0..LIST_KEYS {
        session
            .call(
                "AI_PROVIDER_KEY_CREATE",
                json!({"providerId": "anthropic", "label": format!("key {i}"),
                       "apiKey": format!("sk-ant-api03-bench-list-{i:08}")}),
            )
            .await;
    }
    let mut samples = Vec::with_capacity(LIST_SAMPLES);
    let mut list_bytes = 0;
    for i in 0..LIST_WARMUP + LIST_SAMPLES {
        let started = Instant::now();
        let text = session.call("AI_PROVIDER_KEY_LIST", json!({})).await;
        if i >= LIST_WARMUP {
            samples.push(started.elapsed());
        }
        if i == 0 {
            list_bytes = text.len();
            assert_eq!(
                text.matches("maskedKey").count(),
                2 * LIST_KEYS,
                "structured + text"
            );
        }
    }
    samples.sort();

    // The floor: a tool call with a tiny result (no database work beyond authentication).
    let mut floor = Vec::with_capacity(LIST_SAMPLES);
    for i in 0..LIST_WARMUP + LIST_SAMPLES {
        let started = Instant::now();
        session.call("AI_PROVIDERS_LIST", json!({})).await;
        if i >= LIST_WARMUP {
            floor.push(started.elapsed());
        }
    }
    floor.sort();

    // The transfer floor for a body of the list's size.
    let fake =
        aiproviders_fakes::FakeServer::openrouter(&aiproviders_fakes::Dataset::default()).await;
    fake.set_recording(false);
    fake.set_behavior(aiproviders_fakes::Behavior::Status {
        status: 200,
        headers: vec![],
        body: "x".repeat(list_bytes),
    });
    let http = reqwest::Client::new();
    let static_url = format!("{}/static", fake.url());
    let mut transfer = Vec::with_capacity(LIST_SAMPLES);
    for i in 0..LIST_WARMUP + LIST_SAMPLES {
        let started = Instant::now();
        let body = http
            .get(&static_url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(body.len(), list_bytes);
        if i >= LIST_WARMUP {
            transfer.push(started.elapsed());
        }
    }
    transfer.sort();
    println!(
        "{name:<10} transfer floor for {list_bytes} B (static body, same client): p50 {:>5.2} ms  p99 {:>5.2} ms",
        percentile(&transfer, 0.50).as_secs_f64() * 1e3,
        percentile(&transfer, 0.99).as_secs_f64() * 1e3,
    );
    println!(
        "{name:<10} create: {creates_per_sec:>7.0}/s ({CREATE_TOTAL} keys, {CREATE_CONCURRENCY} sessions) | \
         list {LIST_KEYS} keys ({list_bytes} B): p50 {:>6.2} ms  p99 {:>6.2} ms | \
         floor (AI_PROVIDERS_LIST): p50 {:>5.2} ms  p99 {:>5.2} ms  ({LIST_SAMPLES} calls each)",
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        percentile(&floor, 0.50).as_secs_f64() * 1e3,
        percentile(&floor, 0.99).as_secs_f64() * 1e3,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and expects a
    // quick run: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("mcp_http: run with `cargo bench` to measure");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        bench_backend("sqlite", Backend::Sqlite).await;
        match std::env::var("AIPROVIDERS_TEST_POSTGRES_URL") {
            Ok(admin_url) => bench_backend("postgres", Backend::Postgres { admin_url }).await,
            Err(_) => println!(
                "postgres   skipped: set AIPROVIDERS_TEST_POSTGRES_URL (scripts/bench.sh does)"
            ),
        }
    });
}
