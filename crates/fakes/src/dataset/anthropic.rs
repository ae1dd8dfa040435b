//! The Anthropic catalog (`ModelInfo`, reference §1.2).

use serde_json::{Value, json};

/// Real Anthropic models the fake lists first (newest first), as `(id, display_name)`.
pub const ANTHROPIC_REAL_MODELS: &[(&str, &str)] = &[
    ("claude-haiku-4-5-20251001", "Claude Haiku 4.5"),
    ("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5"),
    ("claude-opus-4-1-20250805", "Claude Opus 4.1"),
    ("claude-opus-4-20250514", "Claude Opus 4"),
    ("claude-sonnet-4-20250514", "Claude Sonnet 4"),
    ("claude-3-7-sonnet-20250219", "Claude Sonnet 3.7"),
    ("claude-3-5-haiku-20241022", "Claude Haiku 3.5"),
    ("claude-3-haiku-20240307", "Claude Haiku 3"),
];

/// The id of the `i`-th generated model (1-based): `claude-test-{i:03}-20250101`.
pub fn anthropic_test_model_id(i: usize) -> String {
    format!("claude-test-{i:03}-20250101")
}

/// Which capabilities a model with the newer fields reports.
struct Caps {
    image: bool,
    pdf: bool,
    thinking: bool,
    effort: bool,
    structured: bool,
}

/// Per real model: created_at, and the newer fields (max_input_tokens, max_tokens, caps) for
/// about half of them; the others only carry id/type/display_name/created_at.
fn real_details(id: &str) -> (&'static str, Option<(u64, u64, Caps)>) {
    let caps = |image, pdf, thinking, effort, structured| Caps {
        image,
        pdf,
        thinking,
        effort,
        structured,
    };
    match id {
        "claude-haiku-4-5-20251001" => (
            "2025-10-15T00:00:00Z",
            Some((200_000, 64_000, caps(true, true, true, false, true))),
        ),
        "claude-sonnet-4-5-20250929" => (
            "2025-09-29T00:00:00Z",
            Some((200_000, 64_000, caps(true, true, true, false, true))),
        ),
        "claude-opus-4-1-20250805" => (
            "2025-08-05T00:00:00Z",
            Some((200_000, 32_000, caps(true, true, true, true, true))),
        ),
        "claude-opus-4-20250514" | "claude-sonnet-4-20250514" => ("2025-05-22T00:00:00Z", None),
        "claude-3-7-sonnet-20250219" => ("2025-02-24T00:00:00Z", None),
        "claude-3-5-haiku-20241022" => ("2024-10-22T00:00:00Z", None),
        _ => (
            "2024-03-07T00:00:00Z",
            Some((200_000, 4_096, caps(true, false, false, false, false))),
        ),
    }
}

fn supported(b: bool) -> Value {
    json!({ "supported": b })
}

/// The full capabilities tree, shaped like the §1.2 fixture.
fn capabilities(c: &Caps) -> Value {
    json!({
        "batch": supported(true),
        "citations": supported(true),
        "code_execution": supported(c.thinking),
        "context_management": {
            "supported": c.thinking,
            "clear_thinking_20251015": supported(c.thinking),
            "clear_tool_uses_20250919": supported(c.thinking),
            "compact_20260112": supported(false),
        },
        "effort": {
            "supported": c.effort,
            "low": supported(c.effort),
            "medium": supported(c.effort),
            "high": supported(c.effort),
            "max": supported(c.effort),
        },
        "image_input": supported(c.image),
        "pdf_input": supported(c.pdf),
        "structured_outputs": supported(c.structured),
        "thinking": {
            "supported": c.thinking,
            "types": { "adaptive": supported(false), "enabled": supported(c.thinking) },
        },
    })
}

fn model(
    id: &str,
    display_name: &str,
    created_at: &str,
    details: Option<(u64, u64, Caps)>,
) -> Value {
    let mut m = json!({
        "type": "model",
        "id": id,
        "display_name": display_name,
        "created_at": created_at,
    });
    if let Some((max_input, max_tokens, caps)) = details {
        m["max_input_tokens"] = json!(max_input);
        m["max_tokens"] = json!(max_tokens);
        m["capabilities"] = capabilities(&caps);
    }
    m
}

pub(super) fn catalog(total: usize) -> Vec<Value> {
    let real = ANTHROPIC_REAL_MODELS.iter().take(total).map(|&(id, name)| {
        let (created_at, details) = real_details(id);
        model(id, name, created_at, details)
    });
    // Even-numbered generated models carry the newer fields with varying capabilities.
    let generated = (1..=super::generated(total, ANTHROPIC_REAL_MODELS.len())).map(|i| {
        let details = i.is_multiple_of(2).then(|| {
            let caps = Caps {
                image: !i.is_multiple_of(5),
                pdf: i.is_multiple_of(4),
                thinking: i.is_multiple_of(3),
                effort: i.is_multiple_of(6),
                structured: !i.is_multiple_of(8),
            };
            (100_000 + 1_000 * i as u64, 8_000 + i as u64, caps)
        });
        model(
            &anthropic_test_model_id(i),
            &format!("Claude Test {i:03}"),
            "2025-01-01T00:00:00Z",
            details,
        )
    });
    real.chain(generated).collect()
}
