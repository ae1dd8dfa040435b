//! Models as the contract shows them (CONTRACT §3, "Model").
//!
//! What a provider says about a model is often partial: Anthropic's older listings carry no
//! capabilities, Gemini says nothing of prices. So every fact here may be unknown (`None`),
//! and capabilities are tri-state (has / lacks / unknown). Unknown facts can be filled in
//! from the enrichment catalog ([`Model::fill_missing_from`]); a fact the provider gave is
//! never overwritten, and nothing is invented: what nobody knows is `null` in the output.

use std::fmt;

use crate::ProviderId;

/// What a model can do (CONTRACT §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    Text,
    /// Accepts image input.
    Vision,
    /// Function calling.
    Tools,
    Reasoning,
    /// Generates images.
    Image,
    Audio,
    /// Accepts documents.
    File,
}

impl Capability {
    pub const ALL: [Capability; 7] = [
        Capability::Text,
        Capability::Vision,
        Capability::Tools,
        Capability::Reasoning,
        Capability::Image,
        Capability::Audio,
        Capability::File,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Text => "text",
            Capability::Vision => "vision",
            Capability::Tools => "tools",
            Capability::Reasoning => "reasoning",
            Capability::Image => "image",
            Capability::Audio => "audio",
            Capability::File => "file",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Capability {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A tri-state set of capabilities: for each one, whether the model has it, lacks it, or
/// nobody said. Serializes as the list of capabilities the model is known to have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Capabilities {
    known: u8,
    has: u8,
}

impl Capabilities {
    /// Records what is known about one capability.
    pub fn set(&mut self, capability: Capability, has: bool) {
        self.known |= capability.bit();
        if has {
            self.has |= capability.bit();
        } else {
            self.has &= !capability.bit();
        }
    }

    /// Builder form of [`Capabilities::set`].
    pub fn with(mut self, capability: Capability, has: bool) -> Self {
        self.set(capability, has);
        self
    }

    /// `Some(true)` has it, `Some(false)` lacks it, `None` unknown.
    pub fn get(&self, capability: Capability) -> Option<bool> {
        (self.known & capability.bit() != 0).then_some(self.has & capability.bit() != 0)
    }

    /// Known to have it.
    pub fn has(&self, capability: Capability) -> bool {
        self.get(capability) == Some(true)
    }

    /// The capabilities the model is known to have, in the order of [`Capability::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = Capability> + '_ {
        Capability::ALL.into_iter().filter(|c| self.has(*c))
    }

    /// Takes `other`'s knowledge of every capability this set knows nothing about.
    pub fn fill_unknown_from(&mut self, other: &Capabilities) {
        let unknown = !self.known;
        self.known |= other.known & unknown;
        self.has |= other.has & other.known & unknown;
    }

    /// The compact stored form: (known bits, has bits).
    pub fn to_bits(self) -> (u8, u8) {
        (self.known, self.has)
    }

    pub fn from_bits(known: u8, has: u8) -> Self {
        let all = Capability::ALL.iter().fold(0u8, |acc, c| acc | c.bit());
        Self {
            known: known & all,
            has: has & known & all,
        }
    }
}

impl serde::Serialize for Capabilities {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// A model's id as its provider names it (`claude-sonnet-4-5-20250929`,
/// `gemini-2.5-flash`, `anthropic/claude-sonnet-4.5`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct ModelId(String);

impl ModelId {
    /// The longest model id kept; longer ids from an upstream are dropped as malformed.
    pub const MAX_LEN: usize = 256;

    /// A model id as an upstream reported it, if it is plausible (non-empty, at most
    /// [`ModelId::MAX_LEN`] bytes, no control characters).
    pub fn from_upstream(value: &str) -> Option<Self> {
        let plausible = !value.is_empty()
            && value.len() <= Self::MAX_LEN
            && !value.chars().any(char::is_control);
        plausible.then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelLimits {
    /// Input plus output tokens the model accepts.
    pub context_window: Option<u64>,
    pub max_output_tokens: Option<u64>,
}

/// Prices in US dollars per token.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct ModelCosts {
    pub input: Option<f64>,
    pub output: Option<f64>,
}

impl ModelCosts {
    /// A price from an upstream: finite and not negative, else unknown (OpenRouter marks
    /// dynamic prices with `-1`).
    pub fn price(value: f64) -> Option<f64> {
        (value.is_finite() && value >= 0.0).then_some(value)
    }
}

/// A model one credential can use.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    pub provider_id: ProviderId,
    pub model_id: ModelId,
    pub title: Option<String>,
    pub description: Option<String>,
    pub capabilities: Capabilities,
    pub limits: ModelLimits,
    pub costs: ModelCosts,
}

impl Model {
    /// A model with nothing known but its provider and id.
    pub fn new(provider_id: ProviderId, model_id: ModelId) -> Self {
        Self {
            provider_id,
            model_id,
            title: None,
            description: None,
            capabilities: Capabilities::default(),
            limits: ModelLimits::default(),
            costs: ModelCosts::default(),
        }
    }

    /// Fills every fact this model lacks from `source` (an enrichment catalog entry);
    /// facts already known are kept.
    pub fn fill_missing_from(&mut self, source: &Model) {
        fn fill<T: Clone>(field: &mut Option<T>, from: &Option<T>) {
            if field.is_none() {
                field.clone_from(from);
            }
        }
        fill(&mut self.title, &source.title);
        fill(&mut self.description, &source.description);
        self.capabilities.fill_unknown_from(&source.capabilities);
        fill(
            &mut self.limits.context_window,
            &source.limits.context_window,
        );
        fill(
            &mut self.limits.max_output_tokens,
            &source.limits.max_output_tokens,
        );
        fill(&mut self.costs.input, &source.costs.input);
        fill(&mut self.costs.output, &source.costs.output);
    }

    /// Input price per million tokens, when known.
    pub fn input_cost_per_million(&self) -> Option<f64> {
        self.costs.input.map(|per_token| per_token * 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_are_tri_state_and_serialize_as_known_ones() {
        let caps = Capabilities::default()
            .with(Capability::Text, true)
            .with(Capability::Vision, false)
            .with(Capability::Tools, true);
        assert_eq!(caps.get(Capability::Vision), Some(false));
        assert_eq!(caps.get(Capability::Audio), None);
        assert_eq!(
            serde_json::to_value(caps).unwrap(),
            serde_json::json!(["text", "tools"])
        );
        let (known, has) = caps.to_bits();
        assert_eq!(Capabilities::from_bits(known, has), caps);
    }

    #[test]
    fn filling_keeps_what_the_provider_said() {
        let mut own = Model::new(
            ProviderId::Anthropic,
            ModelId::from_upstream("claude-x").unwrap(),
        );
        own.title = Some("Claude X".into());
        own.capabilities.set(Capability::Vision, false);
        own.limits.context_window = Some(100);
        let mut catalog = Model::new(
            ProviderId::OpenRouter,
            ModelId::from_upstream("anthropic/claude-x").unwrap(),
        );
        catalog.title = Some("Anthropic: Claude X".into());
        catalog.capabilities = Capabilities::default()
            .with(Capability::Vision, true)
            .with(Capability::Tools, true);
        catalog.limits = ModelLimits {
            context_window: Some(200),
            max_output_tokens: Some(50),
        };
        catalog.costs.input = Some(0.000003);
        own.fill_missing_from(&catalog);
        assert_eq!(own.title.as_deref(), Some("Claude X"));
        assert_eq!(own.capabilities.get(Capability::Vision), Some(false));
        assert!(own.capabilities.has(Capability::Tools));
        assert_eq!(own.limits.context_window, Some(100));
        assert_eq!(own.limits.max_output_tokens, Some(50));
        assert_eq!(own.costs.input, Some(0.000003));
        assert_eq!(own.costs.output, None);
        assert_eq!(own.provider_id, ProviderId::Anthropic);
    }

    #[test]
    fn implausible_ids_and_prices_are_refused() {
        assert!(ModelId::from_upstream("").is_none());
        assert!(ModelId::from_upstream("a\nb").is_none());
        assert!(ModelId::from_upstream(&"x".repeat(257)).is_none());
        assert_eq!(ModelCosts::price(-1.0), None);
        assert_eq!(ModelCosts::price(f64::NAN), None);
        assert_eq!(ModelCosts::price(0.0), Some(0.0));
    }
}
