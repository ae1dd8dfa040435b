//! Anthropic: `GET {base}/v1/models` with `x-api-key` and `anthropic-version`, pages
//! followed through `has_more` / `last_id` → `after_id`.

use std::borrow::Cow;

use aiproviders_domain::{ApiKey, Capability, Model, ModelId, ProviderId};
use serde::de::MapAccess;

use crate::UpstreamError;
use crate::http::{self, Credential, Get, Http};
use crate::source::{self, BoxFuture, ModelSource, Page};
use crate::wire::{Fields, Lenient, Text};

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
struct Envelope<'a> {
    /// An entry that is not an object is skipped (`None`), like one without a usable id.
    #[serde(borrow)]
    data: Vec<Lenient<Item<'a>>>,
    #[serde(default)]
    has_more: Option<bool>,
    #[serde(default, borrow)]
    last_id: Lenient<Cow<'a, str>>,
}

/// The fields of one entry that are read; any other key is skipped.
#[derive(Default)]
struct Item<'a> {
    id: Lenient<Cow<'a, str>>,
    display_name: Lenient<Text>,
    max_input_tokens: Lenient<u64>,
    max_tokens: Lenient<u64>,
    capabilities: Lenient<Capabilities>,
}

impl<'de: 'a, 'a> Fields<'de> for Item<'a> {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "id" => self.id = map.next_value()?,
            "display_name" => self.display_name = map.next_value()?,
            "max_input_tokens" => self.max_input_tokens = map.next_value()?,
            "max_tokens" => self.max_tokens = map.next_value()?,
            "capabilities" => self.capabilities = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// The capabilities a model reports, each `{"supported": bool, ...}`; of the many listed,
/// only these three map to ours.
#[derive(Default)]
struct Capabilities {
    image_input: Lenient<Supported>,
    pdf_input: Lenient<Supported>,
    thinking: Lenient<Supported>,
}

impl<'de> Fields<'de> for Capabilities {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "image_input" => self.image_input = map.next_value()?,
            "pdf_input" => self.pdf_input = map.next_value()?,
            "thinking" => self.thinking = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[derive(Default)]
struct Supported {
    supported: Lenient<bool>,
}

impl<'de> Fields<'de> for Supported {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "supported" => self.supported = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

pub(crate) fn parse_page(body: &[u8]) -> Result<Page, UpstreamError> {
    let envelope: Envelope = http::parse_json(PROVIDER, body)?;
    let next = match envelope.has_more {
        Some(true) => envelope
            .last_id
            .get()
            .filter(|id| !id.is_empty())
            .map(Cow::into_owned),
        _ => None,
    };
    let models = envelope
        .data
        .into_iter()
        .filter_map(|item| parse_model(item.get()?))
        .collect();
    Ok(Page { models, next })
}

fn parse_model(item: Item) -> Option<Model> {
    let id = ModelId::from_upstream(&item.id.get()?)?;
    let mut model = Model::new(PROVIDER, id);
    model.title = item.display_name.get().map(|t| t.0);
    model.limits.context_window = item.max_input_tokens.get();
    model.limits.max_output_tokens = item.max_tokens.get();
    let caps = &mut model.capabilities;
    caps.set(Capability::Text, true);
    if let Some(listed) = item.capabilities.get() {
        for (listed, capability) in [
            (listed.image_input, Capability::Vision),
            (listed.pdf_input, Capability::File),
            (listed.thinking, Capability::Reasoning),
        ] {
            if let Some(has) = listed.get().and_then(|c| c.supported.get()) {
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

    #[test]
    fn entries_that_are_not_objects_are_skipped_and_a_repeated_key_keeps_its_last_value() {
        let body = br#"{"data":[1,"a",null,[{"id":"x"}],
            {"id":"a","id":"b","max_tokens":5,"max_tokens":"many",
             "capabilities":{"thinking":{"supported":true},"thinking":[]}}
        ],"has_more":true,"last_id":"b"}"#;
        let page = parse_page(body).unwrap();
        assert_eq!(page.next.as_deref(), Some("b"));
        assert_eq!(page.models.len(), 1);
        let b = &page.models[0];
        assert_eq!(b.model_id.as_str(), "b");
        assert_eq!(b.limits.max_output_tokens, None);
        assert_eq!(b.capabilities.get(Capability::Reasoning), None);
    }

    #[test]
    fn a_defect_in_a_skipped_part_of_an_entry_is_still_malformed() {
        let bodies: [&[u8]; 3] = [
            b"{\"data\":[{\"id\":\"a\",\"created_at\":\"\xff\"}]}",
            br#"{"data":[{"id":"a","capabilities":{"batch":{"supported":1e400}}}]}"#,
            br#"{"data":[{"id":"a","type":"\ud800"}]}"#,
        ];
        for body in bodies {
            let err = parse_page(body).err().unwrap();
            assert_eq!(
                err.to_string(),
                "anthropic is unavailable: malformed JSON in the response"
            );
        }
    }
}
