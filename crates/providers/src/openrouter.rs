//! OpenRouter-shaped catalogs: OpenRouter itself and the deco AI gateway, both
//! `GET {base}/api/v1/models` with `Authorization: Bearer <key>`. The same parser reads
//! OpenRouter's public catalog (no credential) used for enrichment.

use aiproviders_domain::{ApiKey, Capability, Model, ModelCosts, ModelId, ProviderId};
use serde_json::Value;

use crate::UpstreamError;
use crate::http::{self, Credential, Get, Http};
use crate::source::{self, BoxFuture, ModelSource};
use crate::wire;

const MODELS_PATH: &str = "/api/v1/models";
const KEY_PATH: &str = "/api/v1/key";

pub(crate) struct OpenRouterLike {
    provider: ProviderId,
    base: String,
}

impl OpenRouterLike {
    /// OpenRouter: its models list is public, so a listing without a credential is fine.
    pub fn openrouter(base: String) -> Self {
        Self {
            provider: ProviderId::OpenRouter,
            base,
        }
    }

    /// deco's gateway: the same catalog shape; a key is required.
    pub fn deco(base: String) -> Self {
        Self {
            provider: ProviderId::Deco,
            base,
        }
    }

    /// The model list, with the credential as Bearer when given.
    pub async fn fetch_models(
        &self,
        http: &Http,
        credential: Option<&ApiKey>,
    ) -> Result<Vec<Model>, UpstreamError> {
        let reply = http
            .get(Get {
                provider: self.provider,
                base: &self.base,
                path: MODELS_PATH,
                query: Vec::new(),
                credential: credential.map_or(Credential::None, Credential::Bearer),
                headers: &[],
            })
            .await?;
        http::check(self.provider, &reply)?;
        parse_models(self.provider, &reply.body)
    }

    /// OpenRouter: `GET /api/v1/key`, a 200 means the key is valid.
    async fn probe_openrouter(&self, http: &Http, key: &ApiKey) -> Result<(), UpstreamError> {
        let reply = http
            .get(Get {
                provider: self.provider,
                base: &self.base,
                path: KEY_PATH,
                query: Vec::new(),
                credential: Credential::Bearer(key),
                headers: &[],
            })
            .await?;
        http::check(self.provider, &reply)
    }
}

impl ModelSource for OpenRouterLike {
    fn list_models<'a>(
        &'a self,
        http: &'a Http,
        credential: Option<&'a ApiKey>,
    ) -> BoxFuture<'a, Result<Vec<Model>, UpstreamError>> {
        Box::pin(async move {
            if credential.is_none() && self.provider != ProviderId::OpenRouter {
                return Err(source::needs_credential(self.provider));
            }
            self.fetch_models(http, credential).await
        })
    }

    fn probe_key<'a>(
        &'a self,
        http: &'a Http,
        credential: &'a ApiKey,
    ) -> BoxFuture<'a, Result<(), UpstreamError>> {
        Box::pin(async move {
            if self.provider == ProviderId::OpenRouter {
                self.probe_openrouter(http, credential).await
            } else {
                self.fetch_models(http, Some(credential)).await.map(drop)
            }
        })
    }
}

#[derive(serde::Deserialize)]
struct Envelope {
    data: Vec<Value>,
    #[serde(default)]
    links: Option<Value>,
}

/// Parses `{data: [...], total_count?, links?}`. Without `offset`/`limit` the whole list
/// is returned, so `links.next` is not followed (it is only noted in the log).
pub(crate) fn parse_models(provider: ProviderId, body: &[u8]) -> Result<Vec<Model>, UpstreamError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Vec<Model> {
        parse_models(
            ProviderId::OpenRouter,
            include_bytes!("../tests/fixtures/openrouter_models.json"),
        )
        .unwrap()
    }

    #[test]
    fn parses_the_reference_fixture() {
        let models = fixture();
        assert_eq!(models.len(), 3);

        let sonnet = &models[0];
        assert_eq!(sonnet.provider_id, ProviderId::OpenRouter);
        assert_eq!(sonnet.model_id.as_str(), "anthropic/claude-sonnet-4.5");
        assert_eq!(
            sonnet.title.as_deref(),
            Some("Anthropic: Claude Sonnet 4.5")
        );
        assert!(
            sonnet
                .description
                .as_deref()
                .unwrap()
                .starts_with("Claude Sonnet 4.5 is")
        );
        assert_eq!(sonnet.limits.context_window, Some(1_000_000));
        assert_eq!(sonnet.limits.max_output_tokens, Some(64000));
        assert_eq!(sonnet.costs.input, Some(0.000003));
        assert_eq!(sonnet.costs.output, Some(0.000015));
        let caps = sonnet.capabilities;
        for (cap, expected) in [
            (Capability::Text, true),
            (Capability::Vision, true),
            (Capability::File, true),
            (Capability::Audio, false),
            (Capability::Image, false),
            (Capability::Tools, true),
            (Capability::Reasoning, true),
        ] {
            assert_eq!(caps.get(cap), Some(expected), "{cap}");
        }

        let free = &models[1];
        assert_eq!(
            free.model_id.as_str(),
            "meta-llama/llama-3.3-70b-instruct:free"
        );
        assert_eq!(
            free.title.as_deref(),
            Some("Meta: Llama 3.3 70B Instruct (free)")
        );
        assert_eq!(free.costs.input, Some(0.0));
        assert_eq!(free.costs.output, Some(0.0));
        assert_eq!(free.limits.context_window, Some(131072));
        assert_eq!(free.limits.max_output_tokens, Some(2048));
        assert_eq!(free.capabilities.get(Capability::Vision), Some(false));
        assert_eq!(free.capabilities.get(Capability::Tools), Some(true));
        assert_eq!(free.capabilities.get(Capability::Reasoning), Some(false));

        let auto = &models[2];
        assert_eq!(auto.model_id.as_str(), "openrouter/auto");
        assert_eq!(auto.title.as_deref(), Some("Auto Router"));
        assert_eq!(auto.costs.input, None);
        assert_eq!(auto.costs.output, None);
        assert_eq!(auto.limits.context_window, Some(2_000_000));
        assert_eq!(auto.limits.max_output_tokens, None);
        assert_eq!(auto.capabilities.get(Capability::Vision), Some(true));
    }

    #[test]
    fn everything_but_the_id_is_optional() {
        let body = br#"{"data":[
            {"id":"x/minimal"},
            {"id":""},
            {"name":"no id"},
            {"id":"x/odd","pricing":{"prompt":"abc","completion":null},"architecture":null,
             "supported_parameters":null,"context_length":null,"top_provider":{"context_length":4096}},
            {"id":"x/old","architecture":{"modality":"text+image->text+image"}}
        ]}"#;
        let models = parse_models(ProviderId::Deco, body).unwrap();
        let ids: Vec<_> = models.iter().map(|m| m.model_id.as_str()).collect();
        assert_eq!(ids, ["x/minimal", "x/odd", "x/old"]);
        let minimal = &models[0];
        assert_eq!(minimal.provider_id, ProviderId::Deco);
        assert_eq!(minimal.capabilities, Default::default());
        assert_eq!(minimal.title, None);
        assert_eq!(minimal.costs, Default::default());
        let odd = &models[1];
        assert_eq!(odd.costs.input, None);
        assert_eq!(odd.capabilities.get(Capability::Tools), None);
        assert_eq!(odd.limits.context_window, Some(4096));
        let old = &models[2];
        assert_eq!(old.capabilities.get(Capability::Vision), Some(true));
        assert_eq!(old.capabilities.get(Capability::Image), Some(true));
        assert_eq!(old.capabilities.get(Capability::File), Some(false));
    }

    #[test]
    fn the_list_is_required() {
        for body in [&b"{}"[..], b"{\"data\":null}", b"[]", b"{\"data\":[", b""] {
            let err = parse_models(ProviderId::OpenRouter, body).unwrap_err();
            assert!(matches!(err, UpstreamError::Unavailable { .. }));
        }
    }
}
