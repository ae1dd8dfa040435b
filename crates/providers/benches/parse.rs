//! Parsing cost of provider model lists, without any HTTP:
//!
//! - **anthropic**: one `GET /v1/models` page of 400 models, each with the full
//!   `capabilities` tree of `tests/fixtures/anthropic_models.json`'s first entry;
//! - **google**: one `GET /v1beta/models` page of 400 models shaped like
//!   `tests/fixtures/google_models.json`'s first entry;
//! - **openrouter**: a 400-entry `GET /api/v1/models` catalog, entries shaped like
//!   `tests/fixtures/openrouter_models.json`'s first entry.
//!
//! Each body is parsed 50 times to warm up, then p50/p99 of 500 parses are reported.
//!
//! Run: `cargo bench -p aiproviders-providers --bench parse`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aiproviders_providers::bench;
use serde_json::Value;

const MODELS: usize = 400;
const WARMUP: usize = 50;
const SAMPLES: usize = 500;

/// The fixture with its `data`/`models` list replaced by `MODELS` copies of the first
/// entry, each with a distinct id (written by `rename`).
fn page(fixture: &str, list: &str, rename: impl Fn(&mut Value, usize)) -> Vec<u8> {
    let mut page: Value = serde_json::from_str(fixture).unwrap();
    let first = page[list][0].clone();
    page[list] = (0..MODELS)
        .map(|i| {
            let mut entry = first.clone();
            rename(&mut entry, i);
            entry
        })
        .collect();
    serde_json::to_vec(&page).unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn measure<T, E: std::fmt::Debug>(
    name: &str,
    body: &[u8],
    parse: impl Fn(&[u8]) -> Result<Vec<T>, E>,
) {
    assert_eq!(parse(body).unwrap().len(), MODELS, "{name}");
    for _ in 0..WARMUP {
        black_box(parse(black_box(body)).unwrap());
    }
    let mut samples: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let started = Instant::now();
            black_box(parse(black_box(body)).unwrap());
            started.elapsed()
        })
        .collect();
    samples.sort();
    println!(
        "{name:<11} {MODELS} models, {:>4} KB: p50 {:>8.1} µs   p99 {:>8.1} µs",
        body.len() / 1000,
        percentile(&samples, 0.50).as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and expects a
    // quick run: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("parse: run with `cargo bench` to measure");
        return;
    }
    let anthropic = page(
        include_str!("../tests/fixtures/anthropic_models.json"),
        "data",
        |entry, i| entry["id"] = format!("claude-bench-{i:04}-20250929").into(),
    );
    let google = page(
        include_str!("../tests/fixtures/google_models.json"),
        "models",
        |entry, i| entry["name"] = format!("models/gemini-bench-{i:04}").into(),
    );
    let openrouter = page(
        include_str!("../tests/fixtures/openrouter_models.json"),
        "data",
        |entry, i| entry["id"] = format!("vendor/model-bench-{i:04}").into(),
    );
    measure("anthropic", &anthropic, bench::anthropic_page);
    measure("google", &google, bench::google_page);
    measure("openrouter", &openrouter, bench::openrouter_models);
}
