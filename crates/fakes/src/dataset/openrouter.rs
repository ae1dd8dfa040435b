//! The OpenRouter-shaped catalogs (reference §3.1): OpenRouter itself and the Deco gateway.
//!
//! Prices are kept as whole nano-dollars per token so they are exact and distinct per model
//! (rendered by [`usd_per_token`]):
//! - named entries: see `named()` (e.g. `anthropic/claude-sonnet-4.5` = 3000 / 15000);
//! - `anthropic/claude-test-{i:03}`: prompt 2000 + i, completion 5 × prompt;
//! - `google/gemini-test-{i:03}`: prompt 5000 + i, completion 4 × prompt;
//! - generated vendor models `{vendor}/{family}-test-{j:03}`: prompt 20000 + j, completion
//!   3 × prompt; every 7th is `:free` (priced "0");
//! - Deco: the same entries with prices × 1.1 (rounded down), then `{vendor}/{family}-deco-{j:03}`.

use serde_json::{Value, json};

use super::{Dataset, anthropic, google};

/// Renders whole nano-dollars (1e-9 USD) as OpenRouter's decimal string: 3000 → "0.000003".
pub fn usd_per_token(nanos: u64) -> String {
    let (whole, frac) = (nanos / 1_000_000_000, nanos % 1_000_000_000);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:09}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

#[derive(Clone, Copy)]
enum Price {
    /// Nano-dollars per token: prompt, completion.
    PerToken(u64, u64),
    Free,
    /// Router models: "-1".
    Dynamic,
}

#[rustfmt::skip]
const CLAUDE_PARAMS: &[&str] = &["max_tokens", "stop", "temperature", "tool_choice", "tools", "top_k", "top_p"];
#[rustfmt::skip]
const CLAUDE_REASONING_PARAMS: &[&str] = &["include_reasoning", "max_tokens", "reasoning", "response_format", "stop", "structured_outputs", "temperature", "tool_choice", "tools", "top_k", "top_p"];
#[rustfmt::skip]
const GEMINI_PARAMS: &[&str] = &["max_tokens", "response_format", "seed", "stop", "structured_outputs", "temperature", "tool_choice", "tools", "top_p"];
#[rustfmt::skip]
const GEMINI_REASONING_PARAMS: &[&str] = &["include_reasoning", "max_tokens", "reasoning", "response_format", "seed", "stop", "structured_outputs", "temperature", "tool_choice", "tools", "top_p"];
#[rustfmt::skip]
const OPEN_WEIGHTS_PARAMS: &[&str] = &["frequency_penalty", "max_tokens", "presence_penalty", "repetition_penalty", "seed", "stop", "temperature", "top_k", "top_p"];
#[rustfmt::skip]
const OPEN_WEIGHTS_TOOL_PARAMS: &[&str] = &["frequency_penalty", "max_tokens", "presence_penalty", "repetition_penalty", "seed", "stop", "temperature", "tool_choice", "tools", "top_k", "top_p"];
#[rustfmt::skip]
const OPENAI_PARAMS: &[&str] = &["frequency_penalty", "logit_bias", "logprobs", "max_tokens", "presence_penalty", "response_format", "seed", "stop", "structured_outputs", "temperature", "tool_choice", "tools", "top_logprobs", "top_p"];

const TEXT: &[&str] = &["text"];
const TEXT_IMAGE: &[&str] = &["text", "image"];
const CLAUDE_INPUTS: &[&str] = &["text", "image", "file"];
const GEMINI_INPUTS: &[&str] = &["text", "image", "file", "audio", "video"];

/// One catalog entry before rendering.
struct Entry {
    id: String,
    canonical: String,
    name: String,
    created: u64,
    description: String,
    context: Option<u64>,
    max_completion: Option<u64>,
    inputs: &'static [&'static str],
    outputs: &'static [&'static str],
    tokenizer: &'static str,
    instruct: Option<&'static str>,
    price: Price,
    params: &'static [&'static str],
    reasoning: Option<Value>,
    hugging_face_id: Option<&'static str>,
    knowledge_cutoff: Option<&'static str>,
}

fn entry(id: &str, name: &str, created: u64, limits: (u64, u64), price: Price) -> Entry {
    Entry {
        canonical: id.split(':').next().unwrap_or(id).to_owned(),
        id: id.to_owned(),
        name: name.to_owned(),
        created,
        description: format!("{name} (fake catalog entry)."),
        context: Some(limits.0),
        max_completion: Some(limits.1),
        inputs: TEXT,
        outputs: TEXT,
        tokenizer: "Other",
        instruct: None,
        price,
        params: OPEN_WEIGHTS_PARAMS,
        reasoning: None,
        hugging_face_id: Some(""),
        knowledge_cutoff: None,
    }
}

fn optional_reasoning() -> Value {
    json!({ "mandatory": false, "default_enabled": false, "supports_max_tokens": true })
}

fn claude(
    slug: &str,
    date: &str,
    name: &str,
    limits: (u64, u64),
    price: (u64, u64),
    reasoning: bool,
) -> Entry {
    let mut e = entry(
        &format!("anthropic/{slug}"),
        &format!("Anthropic: {name}"),
        1_740_000_000,
        limits,
        Price::PerToken(price.0, price.1),
    );
    e.canonical = format!("anthropic/{slug}-{date}");
    e.inputs = CLAUDE_INPUTS;
    e.tokenizer = "Claude";
    e.params = CLAUDE_PARAMS;
    if reasoning {
        e.params = CLAUDE_REASONING_PARAMS;
        e.reasoning = Some(optional_reasoning());
    }
    e
}

fn gemini(slug: &str, name: &str, limits: (u64, u64), price: (u64, u64)) -> Entry {
    let mut e = entry(
        &format!("google/{slug}"),
        &format!("Google: {name}"),
        1_750_000_000,
        limits,
        Price::PerToken(price.0, price.1),
    );
    e.inputs = GEMINI_INPUTS;
    e.tokenizer = "Gemini";
    e.params = GEMINI_PARAMS;
    e
}

fn gemini_reasoning(mut e: Entry, mandatory: bool, default_enabled: bool) -> Entry {
    e.params = GEMINI_REASONING_PARAMS;
    e.reasoning = Some(json!({
        "mandatory": mandatory,
        "default_enabled": default_enabled,
        "supported_efforts": ["low", "medium", "high"],
        "supports_max_tokens": true,
    }));
    e
}

fn openai(slug: &str, name: &str, limits: (u64, u64), price: (u64, u64)) -> Entry {
    let mut e = entry(
        &format!("openai/{slug}"),
        &format!("OpenAI: {name}"),
        1_715_000_000,
        limits,
        Price::PerToken(price.0, price.1),
    );
    e.inputs = CLAUDE_INPUTS;
    e.tokenizer = "GPT";
    e.params = OPENAI_PARAMS;
    e
}

/// The named entries every OpenRouter catalog starts with.
fn named() -> Vec<Entry> {
    #[rustfmt::skip]
    let mut v = vec![
        claude("claude-opus-4.1", "20250805", "Claude Opus 4.1", (200_000, 32_000), (15_000, 75_000), true),
        claude("claude-opus-4", "20250514", "Claude Opus 4", (200_000, 32_000), (15_010, 75_050), true),
        claude("claude-sonnet-4.5", "20250929", "Claude Sonnet 4.5", (1_000_000, 64_000), (3_000, 15_000), true),
        claude("claude-sonnet-4", "20250514", "Claude Sonnet 4", (1_000_000, 64_000), (3_010, 15_050), true),
        claude("claude-haiku-4.5", "20251001", "Claude Haiku 4.5", (200_000, 64_000), (1_000, 5_000), true),
        claude("claude-3.7-sonnet", "20250219", "Claude 3.7 Sonnet", (200_000, 64_000), (3_020, 15_100), true),
        claude("claude-3.7-sonnet:thinking", "20250219", "Claude 3.7 Sonnet (thinking)", (200_000, 64_000), (3_030, 15_150), true),
        claude("claude-3.5-haiku", "20241022", "Claude 3.5 Haiku", (200_000, 8_192), (800, 4_000), false),
        claude("claude-3-haiku", "20240307", "Claude 3 Haiku", (200_000, 4_096), (250, 1_250), false),
        gemini_reasoning(gemini("gemini-2.5-pro", "Gemini 2.5 Pro", (1_048_576, 65_536), (1_250, 10_000)), true, true),
        gemini_reasoning(gemini("gemini-2.5-flash", "Gemini 2.5 Flash", (1_048_576, 65_535), (300, 2_500)), false, true),
        gemini_reasoning(gemini("gemini-2.5-flash-lite", "Gemini 2.5 Flash Lite", (1_048_576, 65_535), (100, 400)), false, false),
        gemini("gemini-2.0-flash-001", "Gemini 2.0 Flash", (1_048_576, 8_192), (110, 440)),
        gemini("gemma-3-27b-it", "Gemma 3 27B", (131_072, 16_384), (67, 267)),
        gemini("gemini-2.5-flash-image", "Gemini 2.5 Flash Image", (32_768, 8_192), (310, 2_510)),
        openai("gpt-4o", "GPT-4o", (128_000, 16_384), (2_500, 10_000)),
        openai("gpt-4o-mini", "GPT-4o-mini", (128_000, 16_384), (150, 600)),
        openai("gpt-4o-audio-preview", "GPT-4o Audio", (128_000, 16_384), (2_510, 10_010)),
        openai("gpt-4.1", "GPT-4.1", (1_047_576, 32_768), (2_000, 8_000)),
        entry("x-ai/grok-4", "xAI: Grok 4", 1_752_000_000, (256_000, 0), Price::PerToken(3_040, 15_200)),
        entry("mistralai/mistral-large-2411", "Mistral Large 2411", 1_731_000_000, (131_072, 0), Price::PerToken(1_990, 6_000)),
        entry("openrouter/auto", "Auto Router", 1_699_401_600, (2_000_000, 0), Price::Dynamic),
        entry("meta-llama/llama-3.3-70b-instruct:free", "Meta: Llama 3.3 70B Instruct (free)", 1_733_506_137, (131_072, 2_048), Price::Free),
    ];
    for e in &mut v {
        match e.id.as_str() {
            "anthropic/claude-sonnet-4.5" => e.knowledge_cutoff = Some("2025-07-31"),
            "anthropic/claude-3.7-sonnet:thinking" => {
                e.reasoning = Some(
                    json!({ "mandatory": true, "default_enabled": true, "supports_max_tokens": true }),
                );
            }
            "anthropic/claude-3.5-haiku" | "anthropic/claude-3-haiku" => e.inputs = TEXT_IMAGE,
            "google/gemma-3-27b-it" => {
                e.inputs = TEXT_IMAGE;
                e.params = OPEN_WEIGHTS_PARAMS;
                e.hugging_face_id = Some("google/gemma-3-27b-it");
            }
            "google/gemini-2.5-flash-image" => {
                e.inputs = &["image", "text"];
                e.outputs = &["image", "text"];
            }
            "openai/gpt-4o-audio-preview" => e.inputs = &["audio", "text"],
            "x-ai/grok-4" | "mistralai/mistral-large-2411" => {
                e.max_completion = None;
                e.params = OPEN_WEIGHTS_TOOL_PARAMS;
                e.tokenizer = if e.id.starts_with("x-ai") {
                    "Grok"
                } else {
                    "Mistral"
                };
            }
            "openrouter/auto" => {
                e.context = Some(2_000_000);
                e.max_completion = None;
                e.inputs = TEXT_IMAGE;
                e.tokenizer = "Router";
                e.params = &["tools", "temperature"];
                e.hugging_face_id = None;
            }
            "meta-llama/llama-3.3-70b-instruct:free" => {
                e.tokenizer = "Llama3";
                e.instruct = Some("llama3");
                e.params = OPEN_WEIGHTS_TOOL_PARAMS;
                e.hugging_face_id = Some("meta-llama/Llama-3.3-70B-Instruct");
            }
            _ => {}
        }
    }
    v
}

fn anthropic_test(i: usize) -> Entry {
    let prompt = 2_000 + i as u64;
    let reasoning = i.is_multiple_of(3);
    let limits = (150_000 + 1_000 * i as u64, 4_096 + i as u64);
    let mut e = claude(
        &format!("claude-test-{i:03}"),
        "20250101",
        &format!("Claude Test {i:03}"),
        limits,
        (prompt, 5 * prompt),
        reasoning,
    );
    e.created = 1_735_689_600 + i as u64;
    e
}

fn gemini_test(i: usize) -> Entry {
    let prompt = 5_000 + i as u64;
    let limits = (32_768 + 1_024 * i as u64, 8_192);
    let e = gemini(
        &format!("gemini-test-{i:03}"),
        &format!("Gemini Test {i:03}"),
        limits,
        (prompt, 4 * prompt),
    );
    if i.is_multiple_of(3) {
        gemini_reasoning(e, false, false)
    } else {
        e
    }
}

const VENDORS: &[(&str, &str, &str)] = &[
    ("openai", "gpt", "GPT"),
    ("mistralai", "mistral", "Mistral"),
    ("x-ai", "grok", "Grok"),
    ("qwen", "qwen", "Qwen"),
    ("deepseek", "deepseek", "DeepSeek"),
    ("cohere", "command", "Cohere"),
    ("meta-llama", "llama", "Llama3"),
    ("amazon", "nova", "Nova"),
    ("microsoft", "phi", "Other"),
    ("nvidia", "nemotron", "Other"),
];

/// Generated vendor model `j` (1-based); `tag` is "test" on OpenRouter, "deco" on Deco.
fn filler(j: usize, tag: &str) -> Entry {
    let (vendor, family, tokenizer) = VENDORS[(j - 1) % VENDORS.len()];
    let free = j.is_multiple_of(7);
    let suffix = if free { ":free" } else { "" };
    let prompt = 20_000 + j as u64;
    let price = if free {
        Price::Free
    } else {
        Price::PerToken(prompt, 3 * prompt)
    };
    let id = format!("{vendor}/{family}-{tag}-{j:03}{suffix}");
    let name = format!("{vendor}: {family} {tag} {j:03}");
    let mut e = entry(
        &id,
        &name,
        1_700_000_000 + 3_600 * j as u64,
        (8_192 * (1 + j as u64 % 16), 4_096),
        price,
    );
    e.tokenizer = tokenizer;
    e.params = if j.is_multiple_of(2) {
        OPEN_WEIGHTS_TOOL_PARAMS
    } else {
        OPEN_WEIGHTS_PARAMS
    };
    if j.is_multiple_of(5) {
        e.inputs = TEXT_IMAGE;
    }
    e
}

impl Entry {
    fn pricing(&self, markup: (u64, u64)) -> Value {
        let (p, c) = match self.price {
            Price::Dynamic => return json!({ "prompt": "-1", "completion": "-1" }),
            Price::Free => (0, 0),
            Price::PerToken(p, c) => (p * markup.0 / markup.1, c * markup.0 / markup.1),
        };
        let has = |m: &str| self.inputs.contains(&m);
        let mut v = json!({
            "prompt": usd_per_token(p),
            "completion": usd_per_token(c),
            "request": "0",
            "image": usd_per_token(if has("image") { p * 1_600 } else { 0 }),
            "web_search": "0",
            "internal_reasoning": "0",
        });
        if self.tokenizer == "Claude" {
            v["input_cache_read"] = json!(usd_per_token(p / 10));
            v["input_cache_write"] = json!(usd_per_token(p * 5 / 4));
        }
        if has("audio") {
            v["audio"] = json!(usd_per_token(p * 16));
        }
        v
    }

    fn render(&self, markup: (u64, u64)) -> Value {
        let inputs: Vec<&str> = self
            .inputs
            .iter()
            .copied()
            .filter(|m| *m != "file")
            .collect();
        let modality = format!("{}->{}", inputs.join("+"), self.outputs.join("+"));
        let top_context = if self.tokenizer == "Router" {
            None
        } else {
            self.context
        };
        let default_parameters = match self.tokenizer {
            "Claude" | "Gemini" => {
                json!({ "temperature": null, "top_p": null, "frequency_penalty": null })
            }
            _ => Value::Null,
        };
        let mut v = json!({
            "id": self.id,
            "canonical_slug": self.canonical,
            "name": self.name,
            "created": self.created,
            "description": self.description,
            "context_length": self.context,
            "architecture": {
                "modality": modality,
                "input_modalities": self.inputs,
                "output_modalities": self.outputs,
                "tokenizer": self.tokenizer,
                "instruct_type": self.instruct,
            },
            "pricing": self.pricing(markup),
            "top_provider": {
                "context_length": top_context,
                "max_completion_tokens": self.max_completion,
                "is_moderated": self.tokenizer == "Claude" || self.tokenizer == "GPT",
            },
            "per_request_limits": null,
            "supported_parameters": self.params,
            "default_parameters": default_parameters,
            "supported_voices": null,
            "knowledge_cutoff": self.knowledge_cutoff,
            "expiration_date": null,
            "links": { "details": format!("/api/v1/models/{}/endpoints", self.canonical) },
        });
        if let Some(hf) = self.hugging_face_id {
            v["hugging_face_id"] = json!(hf);
        }
        if let Some(r) = &self.reasoning {
            v["reasoning"] = r.clone();
        }
        v
    }
}

const NO_MARKUP: (u64, u64) = (1, 1);
const DECO_MARKUP: (u64, u64) = (11, 10);

pub(super) fn catalog(d: &Dataset) -> Vec<Value> {
    let real_anthropic = anthropic::ANTHROPIC_REAL_MODELS.len();
    let real_google = google::GOOGLE_REAL_MODELS.len();
    let mut entries = named();
    entries.extend((1..=super::generated(d.anthropic_models, real_anthropic)).map(anthropic_test));
    entries.extend((1..=super::generated(d.google_models, real_google)).map(gemini_test));
    let fillers = super::generated(d.openrouter_models, entries.len());
    entries.extend((1..=fillers).map(|j| filler(j, "test")));
    entries.iter().map(|e| e.render(NO_MARKUP)).collect()
}

/// Named ids the Deco gateway lists first.
#[rustfmt::skip]
const DECO_NAMED: &[&str] = &["anthropic/claude-sonnet-4.5", "anthropic/claude-opus-4.1", "anthropic/claude-haiku-4.5", "anthropic/claude-sonnet-4", "google/gemini-2.5-pro", "google/gemini-2.5-flash", "google/gemini-2.5-flash-lite", "openai/gpt-4o", "openai/gpt-4o-mini", "openai/gpt-4.1", "x-ai/grok-4", "mistralai/mistral-large-2411"];

pub(super) fn deco_catalog(total: usize) -> Vec<Value> {
    let named = named();
    let first = DECO_NAMED
        .iter()
        .filter_map(|id| named.iter().find(|e| e.id == *id))
        .take(total)
        .map(|e| e.render(DECO_MARKUP));
    let fillers = (1..=super::generated(total, DECO_NAMED.len()))
        .map(|j| filler(j, "deco").render(DECO_MARKUP));
    first.chain(fillers).collect()
}
