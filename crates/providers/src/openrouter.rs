//! OpenRouter-shaped catalogs: OpenRouter itself and the deco AI gateway, both
//! `GET {base}/api/v1/models` with `Authorization: Bearer <key>`. The same parser reads
//! OpenRouter's public catalog (no credential) used for enrichment.

use std::borrow::Cow;

use aiproviders_domain::{ApiKey, Capability, Model, ModelCosts, ModelId, ProviderId};
use serde::de::MapAccess;

use crate::UpstreamError;
use crate::http::{self, Credential, Get, Http};
use crate::source::{self, BoxFuture, ModelSource};
use crate::wire::{Decimal, Fields, Lenient, Strings, Text};

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
struct Envelope<'a> {
    /// An entry that is not an object is skipped (`None`), like one without a usable id.
    #[serde(borrow)]
    data: Vec<Lenient<Item<'a>>>,
    #[serde(default)]
    links: Lenient<Links>,
}

#[derive(Default)]
struct Links {
    next: Lenient<Text>,
}

impl<'de> Fields<'de> for Links {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "next" => self.next = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// The fields of one entry that are read; any other key is skipped.
#[derive(Default)]
struct Item<'a> {
    id: Lenient<Cow<'a, str>>,
    name: Lenient<Text>,
    description: Lenient<Text>,
    context_length: Lenient<u64>,
    top_provider: Lenient<TopProvider>,
    pricing: Lenient<Pricing>,
    architecture: Lenient<Architecture<'a>>,
    supported_parameters: Lenient<Strings<'a>>,
}

impl<'de: 'a, 'a> Fields<'de> for Item<'a> {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "id" => self.id = map.next_value()?,
            "name" => self.name = map.next_value()?,
            "description" => self.description = map.next_value()?,
            "context_length" => self.context_length = map.next_value()?,
            "top_provider" => self.top_provider = map.next_value()?,
            "pricing" => self.pricing = map.next_value()?,
            "architecture" => self.architecture = map.next_value()?,
            "supported_parameters" => self.supported_parameters = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[derive(Default)]
struct TopProvider {
    context_length: Lenient<u64>,
    max_completion_tokens: Lenient<u64>,
}

impl<'de> Fields<'de> for TopProvider {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "context_length" => self.context_length = map.next_value()?,
            "max_completion_tokens" => self.max_completion_tokens = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Prices per token, decimal strings (or numbers).
#[derive(Default)]
struct Pricing {
    prompt: Lenient<Decimal>,
    completion: Lenient<Decimal>,
}

impl<'de> Fields<'de> for Pricing {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "prompt" => self.prompt = map.next_value()?,
            "completion" => self.completion = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[derive(Default)]
struct Architecture<'a> {
    /// The older summary, e.g. `"text+image->text"`.
    modality: Lenient<Text>,
    input_modalities: Lenient<Strings<'a>>,
    output_modalities: Lenient<Strings<'a>>,
}

impl<'de: 'a, 'a> Fields<'de> for Architecture<'a> {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "modality" => self.modality = map.next_value()?,
            "input_modalities" => self.input_modalities = map.next_value()?,
            "output_modalities" => self.output_modalities = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Parses `{data: [...], total_count?, links?}`. Without `offset`/`limit` the whole list
/// is returned, so `links.next` is not followed (it is only noted in the log).
pub(crate) fn parse_models(provider: ProviderId, body: &[u8]) -> Result<Vec<Model>, UpstreamError> {
    let envelope: Envelope = http::parse_json(provider, body)?;
    if envelope
        .links
        .get()
        .and_then(|links| links.next.get())
        .is_some()
    {
        tracing::warn!(%provider, "model list names a next page; it is not followed");
    }
    let listed = envelope.data.len();
    let models: Vec<Model> = envelope
        .data
        .into_iter()
        .filter_map(|item| parse_model(provider, item.get()?))
        .collect();
    if models.len() < listed {
        tracing::debug!(
            %provider,
            skipped = listed - models.len(),
            "skipped model entries without a plausible id"
        );
    }
    Ok(models)
}

fn parse_model(provider: ProviderId, item: Item) -> Option<Model> {
    let id = ModelId::from_upstream(&item.id.get()?)?;
    let mut model = Model::new(provider, id);
    model.title = item.name.get().map(|t| t.0);
    model.description = item.description.get().map(|t| t.0);
    let top = item.top_provider.get().unwrap_or_default();
    model.limits.context_window = item.context_length.get().or(top.context_length.get());
    model.limits.max_output_tokens = top.max_completion_tokens.get();
    if let Some(pricing) = item.pricing.get() {
        let price = |p: Lenient<Decimal>| p.get().and_then(|d| ModelCosts::price(d.0));
        model.costs.input = price(pricing.prompt);
        model.costs.output = price(pricing.completion);
    }
    set_modalities(&mut model, item.architecture.get());
    if let Some(params) = item.supported_parameters.get() {
        let caps = &mut model.capabilities;
        caps.set(Capability::Tools, params.contains("tools"));
        caps.set(Capability::Reasoning, params.contains("reasoning"));
    }
    Some(model)
}

/// What the entry states is known (a modality it does not list is known absent); without
/// `architecture` (or with one that is not an object) nothing is known. Falls back to the
/// older `modality` string (`"text+image->text"`) when the lists are missing.
fn set_modalities(model: &mut Model, architecture: Option<Architecture>) {
    let Some(architecture) = architecture else {
        return;
    };
    let summary = architecture.modality.get().map(|t| t.0);
    let (summary_in, summary_out) = match summary.as_deref().and_then(|m| m.split_once("->")) {
        Some((input, output)) => (Some(input), Some(output)),
        None => (None, None),
    };
    let input = modalities(architecture.input_modalities.as_ref(), summary_in);
    let output = modalities(architecture.output_modalities.as_ref(), summary_out);
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

/// The listed modalities, else those of one side of the summary (`"text+image"`).
fn modalities<'s>(listed: Option<&'s Strings>, summary: Option<&'s str>) -> Option<Vec<&'s str>> {
    match listed {
        Some(list) => Some(list.0.iter().map(AsRef::as_ref).collect()),
        None => summary.map(|side| side.split('+').map(str::trim).collect()),
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
