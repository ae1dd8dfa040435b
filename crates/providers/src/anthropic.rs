//! Anthropic: `GET {base}/v1/models` with `x-api-key` and `anthropic-version`, pages
//! followed through `has_more` / `last_id` → `after_id`.

use aiproviders_domain::{ApiKey, Capability, Model, ModelId, ProviderId};
use serde_json::Value;

use crate::UpstreamError;
use crate::http::{self, Credential, Get, Http};
use crate::source::{self, BoxFuture, ModelSource, Page};
use crate::wire;

const PROVIDER: ProviderId = ProviderId::Anthropic;
const MODELS_PATH: &str = "/v1/models";
const HEADERS: &[(&str, &str)] = &[("anthropic-version", "2023-06-01")];

pub(crate) struct Anthropic {
    base: String,
}

impl Anthropic {
    pub fn new(base: String) -> Self {
        Self { base }
    }

    async fn page(
        &self,
        http: &Http,
        key: &ApiKey,
        after_id: Option<String>,
    ) -> Result<Page, UpstreamError> {
        let mut query = vec![("limit", "1000".to_owned())];
        if let Some(after_id) = after_id {
            query.push(("after_id", after_id));
        }
        let reply = http
            .get(Get {
                provider: PROVIDER,
                base: &self.base,
                path: MODELS_PATH,
                query,
                credential: Credential::Header("x-api-key", key),
                headers: HEADERS,
            })
            .await?;
        http::check(PROVIDER, &reply)?;
        parse_page(&reply.body)
    }
}

impl ModelSource for Anthropic {
    fn list_models<'a>(
        &'a self,
        http: &'a Http,
        credential: Option<&'a ApiKey>,
    ) -> BoxFuture<'a, Result<Vec<Model>, UpstreamError>> {
        Box::pin(async move {
            let key = credential.ok_or_else(|| source::needs_credential(PROVIDER))?;
            source::follow_pages(PROVIDER, |cursor| self.page(http, key, cursor)).await
        })
    }

    fn probe_key<'a>(
        &'a self,
        http: &'a Http,
        credential: &'a ApiKey,
    ) -> BoxFuture<'a, Result<(), UpstreamError>> {
        Box::pin(async move { self.page(http, credential, None).await.map(drop) })
    }
}

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
        let supported = |name: &str| listed.get(name).and_then(|c| wire::boolean(c, "supported"));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_fixture() {
        let page = parse_page(include_bytes!("../tests/fixtures/anthropic_models.json")).unwrap();
        assert_eq!(page.next.as_deref(), Some("claude-opus-4-1-20250805"));
        assert_eq!(page.models.len(), 3);

        let sonnet = &page.models[0];
        assert_eq!(sonnet.provider_id, ProviderId::Anthropic);
        assert_eq!(sonnet.model_id.as_str(), "claude-sonnet-4-5-20250929");
        assert_eq!(sonnet.title.as_deref(), Some("Claude Sonnet 4.5"));
        assert_eq!(sonnet.description, None);
        assert_eq!(sonnet.limits.context_window, Some(200000));
        assert_eq!(sonnet.limits.max_output_tokens, Some(64000));
        let caps = sonnet.capabilities;
        assert_eq!(caps.get(Capability::Text), Some(true));
        assert_eq!(caps.get(Capability::Vision), Some(true));
        assert_eq!(caps.get(Capability::File), Some(true));
        assert_eq!(caps.get(Capability::Reasoning), Some(true));
        for unknown in [Capability::Tools, Capability::Image, Capability::Audio] {
            assert_eq!(caps.get(unknown), None, "{unknown}");
        }
        assert_eq!(sonnet.costs.input, None);
        assert_eq!(sonnet.costs.output, None);

        let haiku = &page.models[1];
        assert_eq!(haiku.model_id.as_str(), "claude-haiku-4-5-20251001");
        assert_eq!(haiku.title.as_deref(), Some("Claude Haiku 4.5"));
        assert_eq!(haiku.limits.context_window, Some(200000));
        assert_eq!(haiku.limits.max_output_tokens, Some(64000));
        assert_eq!(haiku.capabilities.get(Capability::Text), Some(true));
        assert_eq!(haiku.capabilities.get(Capability::Vision), None);

        let opus = &page.models[2];
        assert_eq!(opus.model_id.as_str(), "claude-opus-4-1-20250805");
        assert_eq!(opus.title.as_deref(), Some("Claude Opus 4.1"));
        assert_eq!(opus.limits.context_window, None);
        assert_eq!(opus.limits.max_output_tokens, None);
        assert_eq!(
            opus.capabilities.iter().collect::<Vec<_>>(),
            [Capability::Text]
        );
    }

    #[test]
    fn tolerates_odd_entries_and_new_capability_keys() {
        let body = br#"{"data":[
            {"id":"a","capabilities":{"image_input":{"supported":false},"teleport":{"supported":true}},"max_tokens":"lots"},
            {"id":""},
            {"display_name":"no id"},
            {"id":"b","capabilities":null,"future_field":[1,2]}
        ],"has_more":false,"last_id":"b"}"#;
        let page = parse_page(body).unwrap();
        assert_eq!(page.next, None);
        let ids: Vec<_> = page.models.iter().map(|m| m.model_id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        let a = &page.models[0];
        assert_eq!(a.capabilities.get(Capability::Vision), Some(false));
        assert_eq!(a.capabilities.get(Capability::File), None);
        assert_eq!(a.limits.max_output_tokens, None);
    }

    #[test]
    fn a_body_without_the_list_is_unavailable() {
        let err = parse_page(br#"{"type":"error"}"#).err().unwrap();
        assert!(matches!(err, UpstreamError::Unavailable { .. }));
    }
}
