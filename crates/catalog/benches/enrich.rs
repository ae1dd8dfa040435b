//! Enrichment cost: 400 provider models against a 400-entry OpenRouter-style index.
//!
//! - **mixed**: 200 Anthropic models `claude-test-NNN-20250101` (found only at tier 3,
//!   after dropping the date stamp: the dearest lookup) and 200 Google models
//!   `models/gemini-test-NNN` (tier 1), against 200 `anthropic/claude-test-NNN` and 200
//!   `google/gemini-test-NNN` entries;
//! - **worst**: 400 Anthropic models, every one found at tier 3, against 400
//!   `anthropic/claude-test-NNN` entries.
//!
//! Each run times `index.enrich(&mut models)` alone: the copy of the provider list it works
//! on is made before the clock starts and dropped after it stops. p50/p99 of 1,000 runs after
//! 100 warm-up runs; the index build is timed the same way (p50/p99 of 200 builds).
//!
//! Run: `cargo bench -p aiproviders-catalog --bench enrich`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aiproviders_catalog::enrich::CatalogIndex;
use aiproviders_domain::{Capabilities, Capability, Model, ModelId, ModelLimits, ProviderId};

const WARMUP: usize = 100;
const RUNS: usize = 1000;
const BUILDS: usize = 200;

fn id(value: &str) -> ModelId {
    ModelId::from_upstream(value).unwrap()
}

/// An OpenRouter catalog entry with every fact known, priced like the fakes do.
fn catalog_entry(vendor: &str, slug: &str, i: usize) -> Model {
    let mut model = Model::new(ProviderId::OpenRouter, id(&format!("{vendor}/{slug}")));
    model.title = Some(format!("{vendor}: {slug}"));
    model.description = Some(format!(
        "{slug} is a generated test model of {vendor}, described at some length like the \
         entries of OpenRouter's catalog are: strengths, context, intended use and so on."
    ));
    model.capabilities = Capabilities::default()
        .with(Capability::Text, true)
        .with(Capability::Vision, true)
        .with(Capability::Tools, true)
        .with(Capability::Reasoning, i.is_multiple_of(2))
        .with(Capability::Image, false)
        .with(Capability::Audio, false)
        .with(Capability::File, true);
    model.limits = ModelLimits {
        context_window: Some(200_000),
        max_output_tokens: Some(64_000),
    };
    let prompt = (2000 + i) as f64 * 1e-9;
    model.costs.input = Some(prompt);
    model.costs.output = Some(prompt * 5.0);
    model
}

/// A provider model as the adapters parse it: id, title, sometimes limits; no prices.
fn provider_model(provider: ProviderId, model_id: String, i: usize) -> Model {
    let mut model = Model::new(provider, id(&model_id));
    model.title = Some(format!("Test model {i:03}"));
    if i.is_multiple_of(2) {
        model.limits.context_window = Some(200_000);
    }
    model
}

struct Scenario {
    name: &'static str,
    catalog: Vec<Model>,
    models: Vec<Model>,
}

fn mixed() -> Scenario {
    let (mut catalog, mut models) = (Vec::new(), Vec::new());
    for i in 1..=200 {
        catalog.push(catalog_entry(
            "anthropic",
            &format!("claude-test-{i:03}"),
            i,
        ));
        models.push(provider_model(
            ProviderId::Anthropic,
            format!("claude-test-{i:03}-20250101"),
            i,
        ));
    }
    for i in 1..=200 {
        catalog.push(catalog_entry("google", &format!("gemini-test-{i:03}"), i));
        models.push(provider_model(
            ProviderId::Google,
            format!("models/gemini-test-{i:03}"),
            i,
        ));
    }
    Scenario {
        name: "mixed (200 tier-3 + 200 tier-1)",
        catalog,
        models,
    }
}

fn worst() -> Scenario {
    let (mut catalog, mut models) = (Vec::new(), Vec::new());
    for i in 1..=400 {
        catalog.push(catalog_entry(
            "anthropic",
            &format!("claude-test-{i:03}"),
            i,
        ));
        models.push(provider_model(
            ProviderId::Anthropic,
            format!("claude-test-{i:03}-20250101"),
            i,
        ));
    }
    Scenario {
        name: "worst (400 tier-3)",
        catalog,
        models,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn run(scenario: &Scenario) {
    let mut builds = Vec::with_capacity(BUILDS);
    for _ in 0..BUILDS {
        let started = Instant::now();
        let index = CatalogIndex::build(black_box(&scenario.catalog));
        builds.push(started.elapsed());
        drop(black_box(index));
    }
    builds.sort();

    let index = CatalogIndex::build(&scenario.catalog);
    assert_eq!(index.len(), scenario.catalog.len());
    let mut times = Vec::with_capacity(RUNS);
    for i in 0..WARMUP + RUNS {
        let mut models = scenario.models.clone();
        let started = Instant::now();
        index.enrich(black_box(&mut models));
        let elapsed = started.elapsed();
        if i >= WARMUP {
            times.push(elapsed);
        }
        if i == 0 {
            // Every model found: prices and descriptions filled, own facts kept.
            assert!(models.iter().all(|m| {
                m.costs.input.is_some()
                    && m.description.is_some()
                    && m.title
                        .as_deref()
                        .is_some_and(|t| t.starts_with("Test model"))
            }));
        }
        drop(black_box(models));
    }
    times.sort();
    println!(
        "{:<32} {} models, index of {}: enrich p50 {:>7.1} µs  p99 {:>7.1} µs ({RUNS} runs) | \
         build p50 {:>7.1} µs  p99 {:>7.1} µs ({BUILDS} builds)",
        scenario.name,
        scenario.models.len(),
        index.len(),
        us(percentile(&times, 0.50)),
        us(percentile(&times, 0.99)),
        us(percentile(&builds, 0.50)),
        us(percentile(&builds, 0.99)),
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and expects a
    // quick run: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("enrich: run with `cargo bench` to measure");
        return;
    }
    run(&mixed());
    run(&worst());
}
