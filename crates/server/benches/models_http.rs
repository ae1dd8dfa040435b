//! Model discovery over HTTP, against the fake providers on loopback (SQLite, and
//! PostgreSQL when reachable):
//!
//! - **warm list**: `AI_PROVIDERS_LIST_MODELS` of an Anthropic key with 400 models, served
//!   from the in-memory cache (and the rendering cache): 50 warm-up calls, then p50/p99 of
//!   500 sequential calls, for an owner and for a member token;
//! - **refresh**: `AI_PROVIDERS_REFRESH_MODELS` of the same key (always fetched from the
//!   fake provider, enriched, rendered, stored in the database, key status recorded),
//!   p50/p99 of 200 calls;
//! - **upstream**: the fake provider's share of a refresh, measured from this process: the
//!   same `GET /v1/models?limit=1000` pages the service fetches (same headers, pages followed
//!   through `has_more`/`last_id` → `after_id`, bodies read in full but not parsed), p50/p99
//!   of 200 fetches interleaved with the refreshes;
//! - the **service cost of a cold fetch**: refresh p50 − warm list p50 − upstream p50 (and
//!   refresh p50 − upstream p50).
//!
//! The Anthropic fake's page cap is raised to 1,000 so a fetch is one page, like the real
//! API with `limit=1000`; a second SQLite run keeps the fake's default cap of 20 (20 pages
//! per fetch) to show the cost per page.
//!
//! Run: `cargo bench -p aiproviders --bench models_http`. PostgreSQL is used when
//! `AIPROVIDERS_TEST_POSTGRES_URL` is set (scripts/bench.sh sets it). For profiling,
//! `MODELS_HTTP_PROFILE=AI_PROVIDERS_LIST_MODELS` (or `…REFRESH_MODELS`) skips the
//! measurements, prints the server's pid and calls that tool in a loop for 20 s.

#[allow(dead_code)]
#[path = "../tests/it/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "common/session.rs"]
mod session;

use std::time::{Duration, Instant};

use aiproviders_fakes::{Dataset, FakeUpstreams};
use harness::{AppOptions, Backend, TestApp};
use serde_json::json;
use session::{Session, structured};

const MODELS: usize = 400;
const LIST_WARMUP: usize = 50;
const LIST_SAMPLES: usize = 500;
const REFRESH_WARMUP: usize = 20;
const REFRESH_SAMPLES: usize = 200;
/// Any secret the fakes accept (not containing "revoked").
const SECRET: &str = "sk-ant-api03-bench-models-0000000000000000";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// p50 and p99 of unsorted samples.
fn p50_p99(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (percentile(&samples, 0.50), percentile(&samples, 0.99))
}

/// Warm-up calls, then the latencies of `samples` sequential calls of `tool`; returns them
/// with the size of the last response body.
async fn time_calls(
    session: &mut Session,
    tool: &str,
    key_id: &str,
    warmup: usize,
    samples: usize,
) -> (Vec<Duration>, usize) {
    let mut times = Vec::with_capacity(samples);
    let mut bytes = 0;
    for i in 0..warmup + samples {
        let started = Instant::now();
        let body = session.call(tool, json!({"keyId": key_id})).await;
        if i >= warmup {
            times.push(started.elapsed());
        }
        bytes = body.len();
    }
    (times, bytes)
}

/// The fake Anthropic's side of one model-list fetch, as the service makes it: every page of
/// `GET /v1/models?limit=1000`, read in full. Returns the pages and bytes read.
async fn fetch_upstream(http: &reqwest::Client, base: &str) -> (usize, usize) {
    let (mut pages, mut bytes) = (0, 0);
    let mut after_id: Option<String> = None;
    loop {
        // Model ids are URL-safe; the service's query is `limit=1000[&after_id=…]` too.
        let url = match after_id.take() {
            Some(after_id) => format!("{base}/v1/models?limit=1000&after_id={after_id}"),
            None => format!("{base}/v1/models?limit=1000"),
        };
        let body = http
            .get(url)
            .header("accept", "application/json")
            .header("anthropic-version", "2023-06-01")
            .header("x-api-key", SECRET)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .bytes()
            .await
            .unwrap();
        pages += 1;
        bytes += body.len();
        // The fake ends every page with `"has_more":…,"first_id":…,"last_id":…}`; the
        // cursor is taken from there without parsing the page (parsing is the service's work).
        let text = std::str::from_utf8(&body).unwrap();
        let tail = &text[text.rfind("\"has_more\":").expect("has_more")..];
        if !tail.starts_with("\"has_more\":true") {
            return (pages, bytes);
        }
        let last = &tail[tail.find("\"last_id\":\"").expect("last_id") + 11..];
        after_id = Some(last[..last.find('"').unwrap()].to_owned());
    }
}

async fn bench(name: &str, backend: Backend, page_cap: usize) {
    let fakes = FakeUpstreams::start_with(Dataset {
        anthropic_models: MODELS,
        openrouter_models: 450,
        anthropic_page_cap: page_cap,
        ..Default::default()
    })
    .await;
    for fake in fakes.all() {
        fake.set_recording(false);
    }
    let mut options = AppOptions {
        backend: Some(backend),
        ..AppOptions::default().env("RUST_LOG", "warn,aiproviders::serve=info")
    };
    for (var, value) in fakes.env() {
        options = options.env(&var, &value);
    }
    let app = TestApp::spawn_with(options).await;
    let org = app.org();
    let mut owner = Session::open(&app.base_url, &org.owner).await;
    let created = owner
        .call(
            "AI_PROVIDER_KEY_CREATE",
            json!({"providerId": "anthropic", "label": "bench", "apiKey": SECRET}),
        )
        .await;
    let key_id = structured(&created)["id"].as_str().unwrap().to_owned();
    // Let the background probe of the new key finish.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Cold: the first list of the key (provider fetch, and the enrichment catalog's first
    // fetch from the OpenRouter fake, which a first fetch waits for).
    let started = Instant::now();
    let cold = owner
        .call("AI_PROVIDERS_LIST_MODELS", json!({"keyId": key_id}))
        .await;
    let cold_time = started.elapsed();
    let listed = structured(&cold);
    let models = listed["models"].as_array().unwrap();
    assert_eq!(models.len(), MODELS, "the cold list has every model");
    let priced = models
        .iter()
        .filter(|m| m["costs"]["input"].is_number())
        .count();

    if let Ok(tool) = std::env::var("MODELS_HTTP_PROFILE") {
        return profile_loop(&mut owner, &app, &tool, &key_id).await;
    }

    // Warm list, owner then member.
    let (owner_list, list_bytes) = time_calls(
        &mut owner,
        "AI_PROVIDERS_LIST_MODELS",
        &key_id,
        LIST_WARMUP,
        LIST_SAMPLES,
    )
    .await;
    let mut member = Session::open(&app.base_url, &org.member).await;
    let (member_list, member_bytes) = time_calls(
        &mut member,
        "AI_PROVIDERS_LIST_MODELS",
        &key_id,
        LIST_WARMUP,
        LIST_SAMPLES,
    )
    .await;

    // Refresh and the upstream fetch alone, interleaved so both see the same conditions.
    let http = reqwest::Client::new();
    let base = fakes.anthropic.url();
    let (mut refresh, mut upstream) = (Vec::new(), Vec::new());
    let (mut refresh_bytes, mut pages, mut upstream_bytes) = (0, 0, 0);
    for i in 0..REFRESH_WARMUP + REFRESH_SAMPLES {
        let started = Instant::now();
        let body = owner
            .call("AI_PROVIDERS_REFRESH_MODELS", json!({"keyId": key_id}))
            .await;
        let refresh_time = started.elapsed();
        let started = Instant::now();
        (pages, upstream_bytes) = fetch_upstream(&http, &base).await;
        let upstream_time = started.elapsed();
        if i >= REFRESH_WARMUP {
            refresh.push(refresh_time);
            upstream.push(upstream_time);
        }
        refresh_bytes = body.len();
    }
    let refreshed = structured(
        &owner
            .call("AI_PROVIDERS_REFRESH_MODELS", json!({"keyId": key_id}))
            .await,
    );
    assert_eq!(refreshed["models"].as_array().unwrap().len(), MODELS);
    assert_eq!(refreshed["stale"], json!(false));

    let (list_p50, list_p99) = p50_p99(owner_list);
    let (member_p50, member_p99) = p50_p99(member_list);
    let (refresh_p50, refresh_p99) = p50_p99(refresh);
    let (upstream_p50, upstream_p99) = p50_p99(upstream);
    println!(
        "{name}: {MODELS} models, {pages} upstream page(s) of {upstream_bytes} B per fetch, {priced}/{MODELS} priced by enrichment"
    );
    println!(
        "  cold first list (fetch + catalog fetch): {:>7.2} ms",
        ms(cold_time)
    );
    println!(
        "  warm list, owner  ({list_bytes} B): p50 {:>6.2} ms  p99 {:>6.2} ms  ({LIST_SAMPLES} calls)",
        ms(list_p50),
        ms(list_p99)
    );
    println!(
        "  warm list, member ({member_bytes} B): p50 {:>6.2} ms  p99 {:>6.2} ms  ({LIST_SAMPLES} calls)",
        ms(member_p50),
        ms(member_p99)
    );
    println!(
        "  refresh           ({refresh_bytes} B): p50 {:>6.2} ms  p99 {:>6.2} ms  ({REFRESH_SAMPLES} calls)",
        ms(refresh_p50),
        ms(refresh_p99)
    );
    println!(
        "  upstream alone (bench -> fake):  p50 {:>6.2} ms  p99 {:>6.2} ms  ({REFRESH_SAMPLES} fetches)",
        ms(upstream_p50),
        ms(upstream_p99)
    );
    let minus = |a: Duration, b: Duration| ms(a) - ms(b);
    println!(
        "  service cost of a cold fetch: refresh p50 - warm list p50 - upstream p50 = {:>6.2} ms; refresh p50 - upstream p50 = {:>6.2} ms",
        minus(refresh_p50, list_p50) - ms(upstream_p50),
        minus(refresh_p50, upstream_p50)
    );
}

/// `MODELS_HTTP_PROFILE=AI_PROVIDERS_LIST_MODELS` (or `…REFRESH_MODELS`): no measurement;
/// prints the server's pid, waits 3 s (time to attach `perf record -p PID`), then calls the
/// tool in a loop for 20 s.
async fn profile_loop(session: &mut Session, app: &TestApp, tool: &str, key_id: &str) {
    eprintln!("server pid {}: calling {tool} for 20 s in 3 s", app.pid());
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (started, mut calls) = (Instant::now(), 0);
    while started.elapsed() < Duration::from_secs(20) {
        session.call(tool, json!({"keyId": key_id})).await;
        calls += 1;
    }
    eprintln!("{calls} calls");
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and expects a
    // quick run: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("models_http: run with `cargo bench` to measure");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        if std::env::var_os("MODELS_HTTP_PROFILE").is_some() {
            return bench("sqlite, 1 page", Backend::Sqlite, 1000).await;
        }
        bench("sqlite, 1 page", Backend::Sqlite, 1000).await;
        bench("sqlite, 20 pages (fake's default cap)", Backend::Sqlite, 20).await;
        match std::env::var("AIPROVIDERS_TEST_POSTGRES_URL") {
            Ok(admin_url) => bench("postgres, 1 page", Backend::Postgres { admin_url }, 1000).await,
            Err(_) => println!(
                "postgres   skipped: set AIPROVIDERS_TEST_POSTGRES_URL (scripts/bench.sh does)"
            ),
        }
    });
}
