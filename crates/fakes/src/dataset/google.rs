//! The Gemini catalog (`Model`, reference §2.1).

use serde_json::{Value, json};

/// Real Gemini model ids the fake lists first, in this order.
pub const GOOGLE_REAL_MODELS: &[&str] = &[
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "gemini-2.0-flash-001",
    "gemini-2.0-flash",
    "gemma-3-27b-it",
    "gemini-embedding-001",
    "text-embedding-004",
];

/// The real ids that only support `embedContent` (a chat model listing must drop them).
pub const GOOGLE_EMBEDDING_ONLY_MODELS: &[&str] = &["gemini-embedding-001", "text-embedding-004"];

/// The id of the `i`-th generated model (1-based): `gemini-test-{i:03}`.
pub fn google_test_model_id(i: usize) -> String {
    format!("gemini-test-{i:03}")
}

const CHAT_METHODS: &[&str] = &[
    "generateContent",
    "countTokens",
    "createCachedContent",
    "batchGenerateContent",
];

fn chat(
    id: &str,
    version: &str,
    display: &str,
    description: &str,
    limits: (u64, u64),
    top_k: u64,
    thinking: bool,
) -> Value {
    let mut m = json!({
        "name": format!("models/{id}"),
        "version": version,
        "displayName": display,
        "description": description,
        "inputTokenLimit": limits.0,
        "outputTokenLimit": limits.1,
        "supportedGenerationMethods": CHAT_METHODS,
        "temperature": 1,
        "topP": 0.95,
        "topK": top_k,
        "maxTemperature": 2,
    });
    if thinking {
        m["thinking"] = json!(true);
    }
    m
}

fn real(id: &str) -> Value {
    const MILLION: (u64, u64) = (1_048_576, 65_536);
    match id {
        "gemini-2.5-pro" => chat(
            id,
            "2.5",
            "Gemini 2.5 Pro",
            "Stable release of Gemini 2.5 Pro.",
            MILLION,
            64,
            true,
        ),
        "gemini-2.5-flash" => chat(
            id,
            "001",
            "Gemini 2.5 Flash",
            "Stable version of Gemini 2.5 Flash, a mid-size multimodal model that supports up to 1 million tokens.",
            MILLION,
            64,
            true,
        ),
        "gemini-2.5-flash-lite" => chat(
            id,
            "001",
            "Gemini 2.5 Flash-Lite",
            "Stable version of Gemini 2.5 Flash-Lite.",
            MILLION,
            64,
            true,
        ),
        "gemini-2.0-flash-001" => {
            let mut m = chat(
                id,
                "2.0",
                "Gemini 2.0 Flash 001",
                "Stable version of Gemini 2.0 Flash.",
                (1_048_576, 8_192),
                40,
                false,
            );
            m["baseModelId"] = json!("gemini-2.0-flash");
            m
        }
        "gemini-2.0-flash" => chat(
            id,
            "2.0",
            "Gemini 2.0 Flash",
            "Gemini 2.0 Flash",
            (1_048_576, 8_192),
            40,
            false,
        ),
        "gemma-3-27b-it" => json!({
            "name": "models/gemma-3-27b-it",
            "version": "001",
            "displayName": "Gemma 3 27B",
            "description": "",
            "inputTokenLimit": 131_072,
            "outputTokenLimit": 8_192,
            "supportedGenerationMethods": ["generateContent", "countTokens"],
            "temperature": 1,
            "topP": 0.95,
            "topK": 64,
        }),
        "gemini-embedding-001" => json!({
            "name": "models/gemini-embedding-001",
            "version": "001",
            "displayName": "Gemini Embedding 001",
            "description": "Obtain a distributed representation of a text.",
            "inputTokenLimit": 2_048,
            "outputTokenLimit": 1,
            "supportedGenerationMethods": ["embedContent", "countTextTokens", "countTokens", "asyncBatchEmbedContent"],
        }),
        _ => json!({
            "name": format!("models/{id}"),
            "version": "004",
            "displayName": "Text Embedding 004",
            "description": "Obtain a distributed representation of a text.",
            "inputTokenLimit": 2_048,
            "outputTokenLimit": 1,
            "supportedGenerationMethods": ["embedContent"],
        }),
    }
}

/// Generated model `i`: generateContent + countTokens; topK only on even `i`, thinking on every
/// third.
fn generated(i: usize) -> Value {
    let id = google_test_model_id(i);
    let mut m = json!({
        "name": format!("models/{id}"),
        "version": "001",
        "displayName": format!("Gemini Test {i:03}"),
        "description": format!("Generated test model number {i}."),
        "inputTokenLimit": 32_768 + 1_024 * i as u64,
        "outputTokenLimit": 8_192,
        "supportedGenerationMethods": ["generateContent", "countTokens"],
        "temperature": 1,
        "topP": 0.95,
        "maxTemperature": 2,
    });
    if i.is_multiple_of(2) {
        m["topK"] = json!(40);
    }
    if i.is_multiple_of(3) {
        m["thinking"] = json!(true);
    }
    m
}

pub(super) fn catalog(total: usize) -> Vec<Value> {
    let real = GOOGLE_REAL_MODELS.iter().take(total).map(|id| real(id));
    let generated = (1..=super::generated(total, GOOGLE_REAL_MODELS.len())).map(generated);
    real.chain(generated).collect()
}
