use aiproviders_domain::{Capabilities, Capability, Model, ModelId, ModelLimits, ProviderId};

use super::{CatalogIndex, normalize};

use ProviderId::{Anthropic, ClaudeCode, Deco, Google, OpenRouter};

fn id(value: &str) -> ModelId {
    ModelId::from_upstream(value).unwrap()
}

/// A catalog entry whose title is its own id, so a test can tell which entry filled a model.
fn entry(catalog_id: &str) -> Model {
    let mut model = Model::new(OpenRouter, id(catalog_id));
    model.title = Some(catalog_id.to_owned());
    model
}

fn catalog(ids: &[&str]) -> Vec<Model> {
    ids.iter().map(|catalog_id| entry(catalog_id)).collect()
}

/// A slice of OpenRouter's real catalog (ids as listed in 2025).
const OPENROUTER: &[&str] = &[
    "anthropic/claude-sonnet-4.5",
    "anthropic/claude-haiku-4.5",
    "anthropic/claude-opus-4.1",
    "anthropic/claude-opus-4",
    "anthropic/claude-sonnet-4",
    "anthropic/claude-3.7-sonnet",
    "anthropic/claude-3.7-sonnet:thinking",
    "anthropic/claude-3.5-sonnet",
    "anthropic/claude-3.5-haiku",
    "anthropic/claude-3.5-haiku-20241022",
    "anthropic/claude-3-haiku",
    "anthropic/claude-3-opus",
    "google/gemini-2.5-pro",
    "google/gemini-2.5-pro-preview",
    "google/gemini-2.5-flash",
    "google/gemini-2.5-flash-lite",
    "google/gemini-2.5-flash-image-preview",
    "google/gemini-2.0-flash-001",
    "google/gemini-2.0-flash-lite-001",
    "google/gemma-3-27b-it",
    "google/gemma-3-27b-it:free",
    "openai/gpt-4o",
    "openai/gpt-4o:extended",
    "openai/gpt-4o-mini",
    "x-ai/grok-4",
    "meta-llama/llama-3.3-70b-instruct:free",
];

struct Row {
    provider: ProviderId,
    model: &'static str,
    catalog: &'static [&'static str],
    expected: Option<&'static str>,
}

const fn row(
    provider: ProviderId,
    model: &'static str,
    catalog: &'static [&'static str],
    expected: Option<&'static str>,
) -> Row {
    Row {
        provider,
        model,
        catalog,
        expected,
    }
}

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // Anthropic: dated ids and aliases against OpenRouter's dotted slugs.
    row(Anthropic, "claude-sonnet-4-5-20250929", OPENROUTER, Some("anthropic/claude-sonnet-4.5")),
    row(Anthropic, "claude-sonnet-4-5", OPENROUTER, Some("anthropic/claude-sonnet-4.5")),
    row(Anthropic, "claude-sonnet-4.5", OPENROUTER, Some("anthropic/claude-sonnet-4.5")),
    row(Anthropic, "Claude-Sonnet-4.5", OPENROUTER, Some("anthropic/claude-sonnet-4.5")),
    row(Anthropic, "claude-3-5-sonnet-20241022", OPENROUTER, Some("anthropic/claude-3.5-sonnet")),
    row(Anthropic, "claude-3-5-sonnet-latest", OPENROUTER, Some("anthropic/claude-3.5-sonnet")),
    row(Anthropic, "claude-3-5-sonnet@20240620", OPENROUTER, Some("anthropic/claude-3.5-sonnet")),
    row(Anthropic, "claude-opus-4-1-20250805", OPENROUTER, Some("anthropic/claude-opus-4.1")),
    row(Anthropic, "claude-haiku-4-5-20251001", OPENROUTER, Some("anthropic/claude-haiku-4.5")),
    row(Anthropic, "claude-3-7-sonnet-20250219", OPENROUTER, Some("anthropic/claude-3.7-sonnet")),
    row(Anthropic, "claude-3-7-sonnet-latest", OPENROUTER, Some("anthropic/claude-3.7-sonnet")),
    row(Anthropic, "claude-opus-4-20250514", OPENROUTER, Some("anthropic/claude-opus-4")),
    row(Anthropic, "claude-sonnet-4-20250514", OPENROUTER, Some("anthropic/claude-sonnet-4")),
    row(Anthropic, "claude-3-haiku-20240307", OPENROUTER, Some("anthropic/claude-3-haiku")),
    row(Anthropic, "claude-3-opus-20240229", OPENROUTER, Some("anthropic/claude-3-opus")),
    // The dated entry matches loosely (tier 2), before the undated one (tier 3).
    row(Anthropic, "claude-3-5-haiku-20241022", OPENROUTER, Some("anthropic/claude-3.5-haiku-20241022")),
    // Both normalize alike: the shorter id wins.
    row(Anthropic, "claude-3-5-haiku-latest", OPENROUTER, Some("anthropic/claude-3.5-haiku")),
    row(Anthropic, "claude-3-5-sonnet-20240620",
        &["anthropic/claude-3.5-sonnet", "anthropic/claude-3.5-sonnet-20240620"],
        Some("anthropic/claude-3.5-sonnet-20240620")),
    row(Anthropic, "claude-3-5-sonnet-20241022",
        &["anthropic/claude-3.5-sonnet-20240620", "anthropic/claude-3.5-sonnet"],
        Some("anthropic/claude-3.5-sonnet")),
    row(Anthropic, "claude-2.1", &["anthropic/claude-2", "anthropic/claude-2.1"], Some("anthropic/claude-2.1")),
    // Anthropic: must not match.
    row(Anthropic, "claude-sonnet-4-20250514", &["anthropic/claude-sonnet-4.5"], None),
    row(Anthropic, "claude-opus-4-1", &["anthropic/claude-opus-4"], None),
    row(Anthropic, "claude-opus-4", &["anthropic/claude-opus-4.1"], None),
    row(Anthropic, "claude-3-7-sonnet-20250219", &["anthropic/claude-3.7-sonnet:thinking"], None),
    row(Anthropic, "claude-3-5-sonnet-20241022", &["anthropic/claude-3.5-sonnet:beta"], None),
    row(Anthropic, "claude-3-haiku-20240307", &["openai/claude-3-haiku", "google/claude-3-haiku"], None),
    row(Anthropic, "gpt-4o", &["openai/gpt-4o"], None),
    row(Anthropic, "claude-instant-1.2", OPENROUTER, None),
    // Google.
    row(Google, "gemini-2.5-flash", OPENROUTER, Some("google/gemini-2.5-flash")),
    row(Google, "models/gemini-2.5-flash", OPENROUTER, Some("google/gemini-2.5-flash")),
    row(Google, "gemini-2.5-pro", OPENROUTER, Some("google/gemini-2.5-pro")),
    row(Google, "gemini-2.0-flash-001", OPENROUTER, Some("google/gemini-2.0-flash-001")),
    row(Google, "gemini-2.5-flash-lite", OPENROUTER, Some("google/gemini-2.5-flash-lite")),
    row(Google, "gemini-2.5-flash-image-preview", OPENROUTER, Some("google/gemini-2.5-flash-image-preview")),
    row(Google, "gemma-3-27b-it", OPENROUTER, Some("google/gemma-3-27b-it")),
    row(Google, "gemini-1.5-pro-latest",
        &["google/gemini-1.5-flash", "google/gemini-1.5-pro"], Some("google/gemini-1.5-pro")),
    row(Google, "gemini-2.5-flash-preview-09-2025",
        &["google/gemini-2.5-flash", "google/gemini-2.5-flash-preview-09-2025"],
        Some("google/gemini-2.5-flash-preview-09-2025")),
    // Google: must not match.
    row(Google, "gemini-2.5-pro", &["google/gemini-2.5-pro-preview"], None),
    row(Google, "gemini-2.0-flash", OPENROUTER, None),
    row(Google, "gemini-2.5-flash-lite", &["google/gemini-2.5-flash"], None),
    row(Google, "gemini-1.5-pro", &["google/gemini-pro-1.5"], None),
    row(Google, "gemini-2.0-flash-exp", &["google/gemini-2.0-flash-exp:free"], None),
    row(Google, "claude-sonnet-4-5", &["anthropic/claude-sonnet-4.5"], None),
    row(Google, "gemini-2.5-flash", &["anthropic/gemini-2.5-flash", "openai/gemini-2.5-flash"], None),
    // deco: OpenRouter-shaped ids.
    row(Deco, "anthropic/claude-sonnet-4.5", OPENROUTER, Some("anthropic/claude-sonnet-4.5")),
    row(Deco, "Anthropic/claude-sonnet-4.5", OPENROUTER, Some("anthropic/claude-sonnet-4.5")),
    row(Deco, "anthropic/claude-sonnet-4-5-20250929", OPENROUTER, Some("anthropic/claude-sonnet-4.5")),
    row(Deco, "openai/gpt-4o-2024-08-06",
        &["openai/gpt-4o-2024-11-20", "openai/gpt-4o", "openai/gpt-4o-mini"], Some("openai/gpt-4o")),
    row(Deco, "openai/gpt-4o-mini", OPENROUTER, Some("openai/gpt-4o-mini")),
    row(Deco, "x-ai/grok-4", OPENROUTER, Some("x-ai/grok-4")),
    row(Deco, "google/gemma-3-27b-it:free", OPENROUTER, Some("google/gemma-3-27b-it:free")),
    row(Deco, "meta-llama/llama-3.3-70b-instruct:free", OPENROUTER,
        Some("meta-llama/llama-3.3-70b-instruct:free")),
    // deco: must not match.
    row(Deco, "openai/gpt-4o-mini", &["openai/gpt-4o"], None),
    row(Deco, "meta-llama/llama-3.3-70b-instruct", OPENROUTER, None),
    row(Deco, "anthropic/claude-3.7-sonnet:thinking", &["anthropic/claude-3.7-sonnet"], None),
    row(Deco, "openai/claude-sonnet-4.5", OPENROUTER, None),
    row(Deco, "claude-sonnet-4.5", OPENROUTER, None),
    row(Deco, "gpt-4o", OPENROUTER, None),
    row(Deco, "/gpt-4o", OPENROUTER, None),
    row(Deco, "openai/", OPENROUTER, None),
    // Never enriched.
    row(OpenRouter, "anthropic/claude-sonnet-4.5", OPENROUTER, None),
    row(OpenRouter, "anthropic/claude-sonnet-4.5-20250929", OPENROUTER, None),
    row(ClaudeCode, "claude-sonnet-4-5-20250929", OPENROUTER, None),
    row(ClaudeCode, "sonnet", OPENROUTER, None),
];

#[test]
fn table_of_real_ids() {
    assert!(ROWS.len() >= 30);
    let mut failures = Vec::new();
    for row in ROWS {
        let index = CatalogIndex::build(&catalog(row.catalog));
        let mut models = [Model::new(row.provider, id(row.model))];
        index.enrich(&mut models);
        let matched = models[0].title.as_deref();
        if matched != row.expected {
            failures.push(format!(
                "{} {:?}: expected {:?}, got {:?}",
                row.provider, row.model, row.expected, matched
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn find_compares_vendors_case_insensitively_and_only_them() {
    let index = CatalogIndex::build(&catalog(OPENROUTER));
    let title = |vendor: &str, model: &str| index.find(vendor, model)?.title.clone();
    assert_eq!(
        title("ANTHROPIC", "claude-opus-4-1").as_deref(),
        Some("anthropic/claude-opus-4.1")
    );
    assert_eq!(title("anthropic", "gemini-2.5-flash"), None);
    assert_eq!(title("openai", "claude-sonnet-4.5"), None);
    assert_eq!(title("mistralai", "mistral-large"), None);
    assert_eq!(title("anthropic", ""), None);
    assert_eq!(title("", "claude-sonnet-4.5"), None);
}

#[test]
fn ties_go_to_the_shortest_id_then_to_catalog_order() {
    // Both loose-equal to `claude-3-5-sonnet` and as long: the first listed wins.
    for ids in [
        ["anthropic/claude-3.5-sonnet", "anthropic/claude-3_5-sonnet"],
        ["anthropic/claude-3_5-sonnet", "anthropic/claude-3.5-sonnet"],
    ] {
        let index = CatalogIndex::build(&catalog(&ids));
        let found = index.find("anthropic", "claude-3-5-sonnet").unwrap();
        assert_eq!(found.title.as_deref(), Some(ids[0]));
    }
    // Duplicated ids: the first one.
    let mut first = entry("google/gemini-2.5-flash");
    first.description = Some("first".into());
    let mut second = entry("google/gemini-2.5-flash");
    second.description = Some("second".into());
    let index = CatalogIndex::build(&[first, second]);
    for model in [
        "gemini-2.5-flash",
        "Gemini-2.5-Flash",
        "gemini-2.5-flash-latest",
    ] {
        let found = index.find("google", model).unwrap();
        assert_eq!(found.description.as_deref(), Some("first"), "{model}");
    }
}

#[test]
fn entries_without_a_vendor_are_not_indexed() {
    let index = CatalogIndex::build(&catalog(&["openrouter/auto", "auto", "/x", "anthropic/"]));
    assert_eq!(index.len(), 1);
    assert!(!index.is_empty());
    assert!(CatalogIndex::build(&[]).is_empty());
    assert!(CatalogIndex::default().is_empty());
    assert_eq!(
        index.find("openrouter", "auto").unwrap().title.as_deref(),
        Some("openrouter/auto")
    );
}

#[test]
fn enrich_fills_only_what_the_provider_did_not_say() {
    let mut sonnet = entry("anthropic/claude-sonnet-4.5");
    sonnet.title = Some("Anthropic: Claude Sonnet 4.5".into());
    sonnet.description =
        Some("Claude Sonnet 4.5 is Anthropic's most advanced Sonnet model.".into());
    sonnet.capabilities = Capabilities::default()
        .with(Capability::Text, true)
        .with(Capability::Vision, true)
        .with(Capability::Tools, true)
        .with(Capability::Reasoning, true)
        .with(Capability::Image, false);
    sonnet.limits = ModelLimits {
        context_window: Some(1_000_000),
        max_output_tokens: Some(64_000),
    };
    sonnet.costs.input = Some(0.000003);
    sonnet.costs.output = Some(0.000015);
    let mut flash = entry("google/gemini-2.5-flash");
    flash.costs.input = Some(0.0000003);
    flash.costs.output = Some(0.0000025);
    let index = CatalogIndex::build(&[sonnet.clone(), flash]);

    let mut own = Model::new(Anthropic, id("claude-sonnet-4-5-20250929"));
    own.title = Some("Claude Sonnet 4.5".into());
    own.capabilities = Capabilities::default().with(Capability::Vision, false);
    own.limits.context_window = Some(200_000);
    let mut gemini = Model::new(Google, id("gemini-2.5-flash"));
    gemini.title = Some("Gemini 2.5 Flash".into());
    gemini.limits = ModelLimits {
        context_window: Some(1_048_576),
        max_output_tokens: Some(65_536),
    };
    let unmatched = Model::new(Anthropic, id("claude-9"));
    let openrouter = Model::new(OpenRouter, id("anthropic/claude-sonnet-4.5"));
    let mut models = [
        own.clone(),
        gemini.clone(),
        unmatched.clone(),
        openrouter.clone(),
    ];
    index.enrich(&mut models);
    let [own_after, gemini_after, unmatched_after, openrouter_after] = models;

    // Given by the provider: kept.
    assert_eq!(own_after.provider_id, Anthropic);
    assert_eq!(own_after.model_id, own.model_id);
    assert_eq!(own_after.title.as_deref(), Some("Claude Sonnet 4.5"));
    assert_eq!(own_after.capabilities.get(Capability::Vision), Some(false));
    assert_eq!(own_after.limits.context_window, Some(200_000));
    // Missing: filled from the catalog.
    assert_eq!(own_after.description, sonnet.description);
    assert_eq!(own_after.capabilities.get(Capability::Tools), Some(true));
    assert_eq!(
        own_after.capabilities.get(Capability::Reasoning),
        Some(true)
    );
    assert_eq!(own_after.capabilities.get(Capability::Image), Some(false));
    assert_eq!(own_after.capabilities.get(Capability::Audio), None);
    assert_eq!(own_after.limits.max_output_tokens, Some(64_000));
    assert_eq!(own_after.costs.input, Some(0.000003));
    assert_eq!(own_after.costs.output, Some(0.000015));

    assert_eq!(gemini_after.provider_id, Google);
    assert_eq!(gemini_after.model_id, gemini.model_id);
    assert_eq!(gemini_after.title, gemini.title);
    assert_eq!(gemini_after.limits, gemini.limits);
    assert_eq!(gemini_after.costs.input, Some(0.0000003));
    assert_eq!(gemini_after.costs.output, Some(0.0000025));
    // Unknown to the catalog too: still unknown.
    assert_eq!(gemini_after.description, None);

    assert_eq!(unmatched_after, unmatched);
    assert_eq!(openrouter_after, openrouter);
}

#[test]
fn normalize_is_the_documented_tier_3_form() {
    assert_eq!(
        normalize("claude-sonnet-4-5-20250929"),
        normalize("claude-sonnet-4.5")
    );
    assert_eq!(
        normalize("claude-3-5-sonnet-latest"),
        normalize("claude-3.5-sonnet")
    );
    assert_eq!(normalize("gpt-4o-2024-08-06"), "gpt-4o");
    assert_eq!(
        normalize("anthropic/Claude-Sonnet-4.5"),
        "anthropic/claude-sonnet-4-5"
    );
    assert_ne!(
        normalize("claude-sonnet-4-20250514"),
        normalize("claude-sonnet-4.5")
    );
    assert_ne!(
        normalize("gemini-2.0-flash"),
        normalize("gemini-2.0-flash-001")
    );
    assert_eq!(
        normalize("google/gemma-3-27b-it:free"),
        "google/gemma-3-27b-it:free"
    );
}

#[test]
fn the_index_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<CatalogIndex>();
}
