//! Claude Code: the CLI on this machine, so a fixed list of its model aliases. Only what is
//! certain is stated: no prices, no limits (they depend on the user's subscription).

use aiproviders_domain::{ApiKey, Capability, Model, ModelId, ProviderId};

use crate::UpstreamError;
use crate::http::Http;
use crate::source::{BoxFuture, ModelSource};

const PROVIDER: ProviderId = ProviderId::ClaudeCode;

const MODELS: [(&str, &str); 3] = [
    ("claude-code:haiku", "Claude Code (Haiku)"),
    ("claude-code:sonnet", "Claude Code (Sonnet)"),
    ("claude-code:opus", "Claude Code (Opus)"),
];

/// Every alias takes text, images and documents, calls tools and can think (Haiku 4.5
/// included). Image generation and audio stay unknown.
const CAPABILITIES: [Capability; 5] = [
    Capability::Text,
    Capability::Vision,
    Capability::Tools,
    Capability::File,
    Capability::Reasoning,
];

pub(crate) struct ClaudeCode;

pub(crate) fn models() -> Vec<Model> {
    MODELS
        .iter()
        .filter_map(|(id, title)| {
            let mut model = Model::new(PROVIDER, ModelId::from_upstream(id)?);
            model.title = Some((*title).to_owned());
            for capability in CAPABILITIES {
                model.capabilities.set(capability, true);
            }
            Some(model)
        })
        .collect()
}

impl ModelSource for ClaudeCode {
    fn list_models<'a>(
        &'a self,
        _http: &'a Http,
        _credential: Option<&'a ApiKey>,
    ) -> BoxFuture<'a, Result<Vec<Model>, UpstreamError>> {
        Box::pin(async { Ok(models()) })
    }

    /// The CLI's login is checked by CLI activation, not over HTTP.
    fn probe_key<'a>(
        &'a self,
        _http: &'a Http,
        _credential: &'a ApiKey,
    ) -> BoxFuture<'a, Result<(), UpstreamError>> {
        Box::pin(async {
            Err(UpstreamError::Unsupported {
                provider: PROVIDER,
                what: "probing a credential over HTTP (CLI activation checks the login)",
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_aliases_with_known_capabilities_and_nothing_invented() {
        let models = models();
        let ids: Vec<_> = models.iter().map(|m| m.model_id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "claude-code:haiku",
                "claude-code:sonnet",
                "claude-code:opus"
            ]
        );
        assert_eq!(models[0].title.as_deref(), Some("Claude Code (Haiku)"));
        assert_eq!(models[2].title.as_deref(), Some("Claude Code (Opus)"));
        for model in &models {
            assert_eq!(model.provider_id, ProviderId::ClaudeCode);
            assert_eq!(
                serde_json::to_value(model.capabilities).unwrap(),
                serde_json::json!(["text", "vision", "tools", "reasoning", "file"])
            );
            assert_eq!(model.capabilities.get(Capability::Image), None);
            assert_eq!(model.capabilities.get(Capability::Audio), None);
            assert_eq!(model.description, None);
            assert_eq!(model.limits, Default::default());
            assert_eq!(model.costs, Default::default());
        }
    }
}
