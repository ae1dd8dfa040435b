#![allow(dead_code, clippy::all)]
use crate::UpstreamError;
use crate::source::Page;
use aiproviders_domain::{Capability, Model, ModelCosts, ModelId, ProviderId};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub mod wire {
    use serde_json::Value;
    // Tolerant reading of upstream JSON: a field of an unexpected type is unknown, not an
    // error, so one odd entry never costs the whole list.

    /// A non-empty string field.
    pub(crate) fn string(value: &Value, key: &str) -> Option<String> {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }

    /// A non-negative integer field (an integral float such as `8192.0` counts).
    pub(crate) fn uint(value: &Value, key: &str) -> Option<u64> {
        let field = value.get(key)?;
        field.as_u64().or_else(|| {
            field
                .as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f < u64::MAX as f64)
                .map(|f| f as u64)
        })
    }

    pub(crate) fn boolean(value: &Value, key: &str) -> Option<bool> {
        value.get(key).and_then(Value::as_bool)
    }

    /// A list of strings; non-string elements are ignored. `None` when the field is absent or
    /// not a list.
    pub(crate) fn strings<'v>(value: &'v Value, key: &str) -> Option<Vec<&'v str>> {
        let list = value.get(key)?.as_array()?;
        Some(list.iter().filter_map(Value::as_str).collect())
    }

    /// A decimal number given as a string (OpenRouter prices) or as a number.
    pub(crate) fn decimal(value: &Value, key: &str) -> Option<f64> {
        match value.get(key)? {
            Value::String(text) => text.trim().parse().ok(),
            Value::Number(number) => number.as_f64(),
            _ => None,
        }
    }
}
pub mod http {
    use super::*;
    pub(crate) fn parse_json<T: DeserializeOwned>(
        provider: ProviderId,
        body: &[u8],
    ) -> Result<T, UpstreamError> {
        serde_json::from_slice(body).map_err(|err| {
            let reason = match err.classify() {
                serde_json::error::Category::Data => "unexpected JSON shape in the response",
                _ => "malformed JSON in the response",
            };
            UpstreamError::unavailable(provider, reason)
        })
    }
}
pub mod anthropic {
    use super::*;
    const PROVIDER: ProviderId = ProviderId::Anthropic;
    #[derive(serde::Deserialize)]
    struct Envelope {
        data: Vec<Value>,
        #[serde(default)]
        has_more: Option<bool>,
        #[serde(default)]
        last_id: Option<Value>,
    }

    pub(crate) fn parse_page(body: &[u8]) -> Result<Page, UpstreamError> {
        let envelope: Envelope = http::parse_json(PROVIDER, body)?;
        let next = match envelope.has_more {
            Some(true) => envelope
                .last_id
                .as_ref()
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map(str::to_owned),
            _ => None,
        };
        let models = envelope.data.iter().filter_map(parse_model).collect();
        Ok(Page { models, next })
    }

    fn parse_model(item: &Value) -> Option<Model> {
        let id = ModelId::from_upstream(item.get("id")?.as_str()?)?;
        let mut model = Model::new(PROVIDER, id);
        model.title = wire::string(item, "display_name");
        model.limits.context_window = wire::uint(item, "max_input_tokens");
        model.limits.max_output_tokens = wire::uint(item, "max_tokens");
        let caps = &mut model.capabilities;
        caps.set(Capability::Text, true);
        if let Some(listed) = item.get("capabilities").filter(|c| c.is_object()) {
            let supported =
                |name: &str| listed.get(name).and_then(|c| wire::boolean(c, "supported"));
            for (name, capability) in [
                ("image_input", Capability::Vision),
                ("pdf_input", Capability::File),
                ("thinking", Capability::Reasoning),
            ] {
                if let Some(has) = supported(name) {
                    caps.set(capability, has);
                }
            }
        }
        Some(model)
    }
}
pub mod google {
    use super::*;
    const PROVIDER: ProviderId = ProviderId::Google;
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Envelope {
        #[serde(default)]
        models: Option<Vec<Value>>,
        #[serde(default)]
        next_page_token: Option<Value>,
    }

    /// A later page may omit an empty `models` list (proto3 JSON); the first page must have it.
    pub(crate) fn parse_page(body: &[u8], first: bool) -> Result<Page, UpstreamError> {
        let envelope: Envelope = http::parse_json(PROVIDER, body)?;
        let items = match envelope.models {
            Some(items) => items,
            None if first => {
                return Err(UpstreamError::unavailable(
                    PROVIDER,
                    "unexpected JSON shape in the response (no model list)",
                ));
            }
            None => Vec::new(),
        };
        let next = envelope
            .next_page_token
            .as_ref()
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        let models = items.iter().filter_map(parse_model).collect();
        Ok(Page { models, next })
    }

    fn parse_model(item: &Value) -> Option<Model> {
        let generates = wire::strings(item, "supportedGenerationMethods")
            .is_some_and(|methods| methods.contains(&"generateContent"));
        if !generates {
            return None;
        }
        let name = item.get("name")?.as_str()?;
        let id = ModelId::from_upstream(name.strip_prefix("models/").unwrap_or(name))?;
        let mut model = Model::new(PROVIDER, id);
        model.title = wire::string(item, "displayName");
        model.description = wire::string(item, "description");
        model.limits.context_window = wire::uint(item, "inputTokenLimit");
        model.limits.max_output_tokens = wire::uint(item, "outputTokenLimit");
        model.capabilities.set(Capability::Text, true);
        if wire::boolean(item, "thinking") == Some(true) {
            model.capabilities.set(Capability::Reasoning, true);
        }
        Some(model)
    }
}
pub mod openrouter {
    use super::*;
    #[derive(serde::Deserialize)]
    struct Envelope {
        data: Vec<Value>,
        #[serde(default)]
        links: Option<Value>,
    }

    /// Parses `{data: [...], total_count?, links?}`. Without `offset`/`limit` the whole list
    /// is returned, so `links.next` is not followed (it is only noted in the log).
    pub(crate) fn parse_models(
        provider: ProviderId,
        body: &[u8],
    ) -> Result<Vec<Model>, UpstreamError> {
        let envelope: Envelope = http::parse_json(provider, body)?;
        if envelope
            .links
            .as_ref()
            .and_then(|links| wire::string(links, "next"))
            .is_some()
        {
            tracing::warn!(%provider, "model list names a next page; it is not followed");
        }
        let models: Vec<Model> = envelope
            .data
            .iter()
            .filter_map(|item| parse_model(provider, item))
            .collect();
        if models.len() < envelope.data.len() {
            tracing::debug!(
                %provider,
                skipped = envelope.data.len() - models.len(),
                "skipped model entries without a plausible id"
            );
        }
        Ok(models)
    }

    fn parse_model(provider: ProviderId, item: &Value) -> Option<Model> {
        let id = ModelId::from_upstream(item.get("id")?.as_str()?)?;
        let mut model = Model::new(provider, id);
        model.title = wire::string(item, "name");
        model.description = wire::string(item, "description");
        let top = item.get("top_provider").unwrap_or(&Value::Null);
        model.limits.context_window =
            wire::uint(item, "context_length").or_else(|| wire::uint(top, "context_length"));
        model.limits.max_output_tokens = wire::uint(top, "max_completion_tokens");
        if let Some(pricing) = item.get("pricing") {
            model.costs.input = wire::decimal(pricing, "prompt").and_then(ModelCosts::price);
            model.costs.output = wire::decimal(pricing, "completion").and_then(ModelCosts::price);
        }
        set_modalities(
            &mut model,
            item.get("architecture").filter(|a| a.is_object()),
        );
        if let Some(params) = wire::strings(item, "supported_parameters") {
            let caps = &mut model.capabilities;
            caps.set(Capability::Tools, params.contains(&"tools"));
            caps.set(Capability::Reasoning, params.contains(&"reasoning"));
        }
        Some(model)
    }

    /// What the entry states is known (a modality it does not list is known absent); without
    /// `architecture` nothing is known. Falls back to the older `modality` string
    /// (`"text+image->text"`) when the lists are missing.
    fn set_modalities(model: &mut Model, architecture: Option<&Value>) {
        let Some(architecture) = architecture else {
            return;
        };
        let summary = wire::string(architecture, "modality");
        let (summary_in, summary_out) = match summary.as_deref().and_then(|m| m.split_once("->")) {
            Some((input, output)) => (
                Some(input.split('+').map(str::trim).collect::<Vec<_>>()),
                Some(output.split('+').map(str::trim).collect::<Vec<_>>()),
            ),
            None => (None, None),
        };
        let input = wire::strings(architecture, "input_modalities").or(summary_in);
        let output = wire::strings(architecture, "output_modalities").or(summary_out);
        let caps = &mut model.capabilities;
        if let Some(input) = input {
            caps.set(Capability::Text, input.contains(&"text"));
            caps.set(Capability::Vision, input.contains(&"image"));
            caps.set(Capability::File, input.contains(&"file"));
            caps.set(Capability::Audio, input.contains(&"audio"));
        }
        if let Some(output) = output {
            caps.set(Capability::Image, output.contains(&"image"));
        }
    }
}

#[cfg(test)]
mod fuzz {
    use aiproviders_domain::{Model, ProviderId};

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
            list[self.below(list.len())]
        }
    }

    const KEYS: &[&str] = &[
        "id",
        "id",
        "id",
        "display_name",
        "max_input_tokens",
        "max_tokens",
        "capabilities",
        "image_input",
        "pdf_input",
        "thinking",
        "supported",
        "batch",
        "type",
        "name",
        "displayName",
        "description",
        "inputTokenLimit",
        "outputTokenLimit",
        "supportedGenerationMethods",
        "context_length",
        "top_provider",
        "max_completion_tokens",
        "pricing",
        "prompt",
        "completion",
        "architecture",
        "modality",
        "input_modalities",
        "output_modalities",
        "supported_parameters",
        "next",
        "links",
        "\\u0069d",
        "x",
        "supp\\u006frted",
    ];
    const STRINGS: &[&str] = &[
        "\" x \"",
        "\"\"",
        "\"  \"",
        "\"tools\"",
        "\"reasoning\"",
        "\"generateContent\"",
        "\"text+image->text\"",
        "\"text + file -> image+text\"",
        "\"0.000003\"",
        "\" 2 \"",
        "\"abc\"",
        "\"a\\u0062c\"",
        "\"models/x\"",
        "\"models/\"",
        "\"text\"",
        "\"image\"",
        "\"file\"",
        "\"audio\"",
        "\"x\\ny\"",
        "\"claude-1\"",
        "\"-1\"",
        "\"inf\"",
        "\"NaN\"",
        "\"1e3\"",
        "\"gener\\u0061teContent\"",
        "\"\\u00e9t\\u00e9\"",
        "\"été\"",
    ];
    const NUMBERS: &[&str] = &[
        "0",
        "5",
        "-0",
        "-1",
        "8192.0",
        "1.5",
        "-0.0",
        "1e3",
        "1E-7",
        "18446744073709551615",
        "18446744073709551616",
        "1.8446744073709552e19",
        "-9223372036854775809",
        "0.000003",
        "99999999999999999999999",
        "2",
    ];

    fn value(rng: &mut Rng, depth: usize, out: &mut String) {
        let choice = if depth > 4 {
            rng.below(5)
        } else {
            rng.below(9)
        };
        match choice {
            0 => out.push_str("null"),
            1 => out.push_str(if rng.below(2) == 0 { "true" } else { "false" }),
            2 | 3 => out.push_str(rng.pick(NUMBERS)),
            4 => out.push_str(rng.pick(STRINGS)),
            5 | 6 => object(rng, depth + 1, out),
            _ => {
                out.push('[');
                for i in 0..rng.below(5) {
                    if i > 0 {
                        out.push(',');
                    }
                    value(rng, depth + 1, out);
                }
                out.push(']');
            }
        }
    }

    fn object(rng: &mut Rng, depth: usize, out: &mut String) {
        out.push('{');
        for i in 0..rng.below(8) {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(rng.pick(KEYS));
            out.push_str("\":");
            value(rng, depth, out);
        }
        out.push('}');
    }

    fn envelope(rng: &mut Rng) -> Vec<u8> {
        let mut out = String::from("{");
        let keys = [
            "data",
            "models",
            "has_more",
            "last_id",
            "nextPageToken",
            "links",
            "total_count",
            "x",
            "data",
        ];
        for i in 0..rng.below(5) {
            if i > 0 {
                out.push(',');
            }
            let key = keys[rng.below(keys.len())];
            out.push_str(&format!("\"{key}\":"));
            match (key, rng.below(10)) {
                ("data" | "models", 0..=7) => {
                    out.push('[');
                    for i in 0..rng.below(6) {
                        if i > 0 {
                            out.push(',');
                        }
                        if rng.below(6) == 0 {
                            value(rng, 1, &mut out)
                        } else {
                            object(rng, 1, &mut out)
                        }
                    }
                    out.push(']');
                }
                ("has_more", 0..=6) => {
                    out.push_str(if rng.below(2) == 0 { "true" } else { "false" })
                }
                _ => value(rng, 1, &mut out),
            }
        }
        out.push('}');
        let mut bytes = out.into_bytes();
        match rng.below(12) {
            0 => {
                let at = rng.below(bytes.len() + 1);
                bytes.truncate(at);
            }
            1 => {
                let at = rng.below(bytes.len());
                bytes[at] = 0xff;
            }
            2 => {
                let at = rng.below(bytes.len());
                bytes[at] = b"{}[],:\" x1"[rng.below(10)];
            }
            3 => bytes.extend_from_slice(b" \xff"),
            _ => {}
        }
        bytes
    }

    type Outcome = Result<(Vec<Model>, Option<String>), String>;

    fn page(result: Result<crate::source::Page, crate::UpstreamError>) -> Outcome {
        result
            .map(|p| (p.models, p.next))
            .map_err(|e| e.to_string())
    }
    fn list(result: Result<Vec<Model>, crate::UpstreamError>) -> Outcome {
        result.map(|m| (m, None)).map_err(|e| e.to_string())
    }

    #[test]
    fn old_and_new_agree() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut ok, mut models) = (0, 0);
        for round in 0..300_000 {
            let body = envelope(&mut rng);
            let shown = String::from_utf8_lossy(&body).into_owned();
            let pairs = [
                (
                    page(super::anthropic::parse_page(&body)),
                    page(crate::anthropic::parse_page(&body)),
                ),
                (
                    page(super::google::parse_page(&body, true)),
                    page(crate::google::parse_page(&body, true)),
                ),
                (
                    page(super::google::parse_page(&body, false)),
                    page(crate::google::parse_page(&body, false)),
                ),
                (
                    list(super::openrouter::parse_models(ProviderId::Deco, &body)),
                    list(crate::openrouter::parse_models(ProviderId::Deco, &body)),
                ),
            ];
            for (i, (old, new)) in pairs.into_iter().enumerate() {
                if let Ok((m, _)) = &old {
                    ok += 1;
                    models += m.len();
                }
                assert_eq!(old, new, "round {round} parser {i}: {shown}");
            }
        }
        println!("ok outcomes {ok}, models {models}");
    }
}
