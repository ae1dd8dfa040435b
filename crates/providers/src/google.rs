//! Google (Gemini API): `GET {base}/v1beta/models` with the key in `x-goog-api-key` (never
//! in the query), pages followed through `nextPageToken` → `pageToken`. Only models that
//! can `generateContent` are kept.

use std::borrow::Cow;

use aiproviders_domain::{ApiKey, Capability, Model, ModelId, ProviderId};
use serde::de::MapAccess;
use serde_json::Value;

use crate::UpstreamError;
use crate::http::{self, Credential, Get, Http, Reply};
use crate::source::{self, BoxFuture, ModelSource, Page};
use crate::wire::{self, Fields, Lenient, Strings, Text};

const PROVIDER: ProviderId = ProviderId::Google;
const MODELS_PATH: &str = "/v1beta/models";

pub(crate) struct Google {
    base: String,
}

impl Google {
    pub fn new(base: String) -> Self {
        Self { base }
    }

    async fn page(
        &self,
        http: &Http,
        key: &ApiKey,
        page_token: Option<String>,
    ) -> Result<Page, UpstreamError> {
        let first = page_token.is_none();
        let mut query = vec![("pageSize", "1000".to_owned())];
        if let Some(token) = page_token {
            query.push(("pageToken", token));
        }
        let reply = http
            .get(Get {
                provider: PROVIDER,
                base: &self.base,
                path: MODELS_PATH,
                query,
                credential: Credential::Header("x-goog-api-key", key),
                headers: &[],
            })
            .await?;
        check(&reply)?;
        parse_page(&reply.body, first)
    }
}

impl ModelSource for Google {
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

/// Gemini's own error signals first (a bad key is a 400, the retry hint is in the body),
/// then the generic mapping.
pub(crate) fn check(reply: &Reply) -> Result<(), UpstreamError> {
    if reply.status.is_success() {
        return Ok(());
    }
    let error = serde_json::from_slice::<Value>(&reply.body)
        .ok()
        .and_then(|body| body.get("error").cloned())
        .unwrap_or(Value::Null);
    match reply.status.as_u16() {
        400 if is_invalid_key(&error) => Err(UpstreamError::Auth {
            provider: PROVIDER,
            status: 400,
        }),
        429 => Err(UpstreamError::RateLimited {
            provider: PROVIDER,
            retry_after_seconds: http::retry_after(&reply.headers).or_else(|| retry_delay(&error)),
        }),
        _ => Err(http::status_error(PROVIDER, reply.status, &reply.headers)),
    }
}

fn details(error: &Value) -> impl Iterator<Item = &Value> {
    error
        .get("details")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn is_invalid_key(error: &Value) -> bool {
    let reason =
        details(error).any(|d| wire::string(d, "reason").as_deref() == Some("API_KEY_INVALID"));
    let invalid_argument = wire::string(error, "status").as_deref() == Some("INVALID_ARGUMENT");
    let mentions_key =
        wire::string(error, "message").is_some_and(|m| m.to_ascii_lowercase().contains("api key"));
    reason || (invalid_argument && mentions_key)
}

/// `RetryInfo.retryDelay`, a duration string like `"59s"` or `"1.5s"`, rounded up.
fn retry_delay(error: &Value) -> Option<u64> {
    details(error)
        .filter(|d| wire::string(d, "@type").is_some_and(|t| t.ends_with("google.rpc.RetryInfo")))
        .find_map(|d| wire::string(d, "retryDelay"))
        .and_then(|delay| delay.strip_suffix('s').and_then(http::parse_non_negative))
        .map(http::ceil_u64)
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    /// An entry that is not an object is skipped (`None`), like one without a usable name.
    #[serde(default, borrow)]
    models: Option<Vec<Lenient<Item<'a>>>>,
    #[serde(default, borrow)]
    next_page_token: Lenient<Cow<'a, str>>,
}

/// The fields of one entry that are read; any other key is skipped.
#[derive(Default)]
struct Item<'a> {
    name: Lenient<Cow<'a, str>>,
    display_name: Lenient<Text>,
    description: Lenient<Text>,
    input_token_limit: Lenient<u64>,
    output_token_limit: Lenient<u64>,
    supported_generation_methods: Lenient<Strings<'a>>,
    thinking: Lenient<bool>,
}

impl<'de: 'a, 'a> Fields<'de> for Item<'a> {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "name" => self.name = map.next_value()?,
            "displayName" => self.display_name = map.next_value()?,
            "description" => self.description = map.next_value()?,
            "inputTokenLimit" => self.input_token_limit = map.next_value()?,
            "outputTokenLimit" => self.output_token_limit = map.next_value()?,
            "supportedGenerationMethods" => self.supported_generation_methods = map.next_value()?,
            "thinking" => self.thinking = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
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
        .get()
        .filter(|t| !t.is_empty())
        .map(Cow::into_owned);
    let models = items
        .into_iter()
        .filter_map(|item| parse_model(item.get()?))
        .collect();
    Ok(Page { models, next })
}

fn parse_model(item: Item) -> Option<Model> {
    let generates = item
        .supported_generation_methods
        .as_ref()
        .is_some_and(|methods| methods.contains("generateContent"));
    if !generates {
        return None;
    }
    let name = item.name.get()?;
    let id = ModelId::from_upstream(name.strip_prefix("models/").unwrap_or(&name))?;
    let mut model = Model::new(PROVIDER, id);
    model.title = item.display_name.get().map(|t| t.0);
    model.description = item.description.get().map(|t| t.0);
    model.limits.context_window = item.input_token_limit.get();
    model.limits.max_output_tokens = item.output_token_limit.get();
    model.capabilities.set(Capability::Text, true);
    if item.thinking.get() == Some(true) {
        model.capabilities.set(Capability::Reasoning, true);
    }
    Some(model)
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::*;

    #[test]
    fn parses_the_reference_fixture() {
        let page =
            parse_page(include_bytes!("../tests/fixtures/google_models.json"), true).unwrap();
        assert_eq!(
            page.next.as_deref(),
            Some("Ch5tb2RlbHMvZ2VtaW5pLWVtYmVkZGluZy0wMDE=")
        );
        // The embedding model cannot generateContent and is left out.
        let ids: Vec<_> = page.models.iter().map(|m| m.model_id.as_str()).collect();
        assert_eq!(ids, ["gemini-2.5-flash", "gemini-2.0-flash-001"]);

        let flash = &page.models[0];
        assert_eq!(flash.provider_id, ProviderId::Google);
        assert_eq!(flash.title.as_deref(), Some("Gemini 2.5 Flash"));
        assert_eq!(
            flash.description.as_deref(),
            Some(
                "Stable version of Gemini 2.5 Flash, a mid-size multimodal model that supports up to 1 million tokens."
            )
        );
        assert_eq!(flash.limits.context_window, Some(1048576));
        assert_eq!(flash.limits.max_output_tokens, Some(65536));
        assert_eq!(flash.capabilities.get(Capability::Text), Some(true));
        assert_eq!(flash.capabilities.get(Capability::Reasoning), Some(true));
        for unknown in [
            Capability::Vision,
            Capability::Tools,
            Capability::Image,
            Capability::Audio,
            Capability::File,
        ] {
            assert_eq!(flash.capabilities.get(unknown), None, "{unknown}");
        }
        assert_eq!(flash.costs.input, None);

        let older = &page.models[1];
        assert_eq!(older.title.as_deref(), Some("Gemini 2.0 Flash 001"));
        assert_eq!(older.limits.max_output_tokens, Some(8192));
        assert_eq!(older.capabilities.get(Capability::Reasoning), None);
    }

    #[test]
    fn last_and_empty_pages() {
        let last = parse_page(
            br#"{"models":[{"name":"models/x","supportedGenerationMethods":["generateContent"]}]}"#,
            false,
        )
        .unwrap();
        assert_eq!(last.next, None);
        assert_eq!(last.models[0].model_id.as_str(), "x");
        assert!(parse_page(b"{}", false).unwrap().models.is_empty());
        assert!(parse_page(b"{}", true).is_err());
    }

    fn reply(status: u16, headers: HeaderMap, body: &[u8]) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: body.to_vec(),
        }
    }

    #[test]
    fn gemini_errors() {
        let invalid = reply(
            400,
            HeaderMap::new(),
            include_bytes!("../tests/fixtures/google_error_api_key_invalid.json"),
        );
        assert!(matches!(
            check(&invalid),
            Err(UpstreamError::Auth { status: 400, .. })
        ));
        let other_400 = reply(
            400,
            HeaderMap::new(),
            br#"{"error":{"code":400,"message":"Invalid pageSize","status":"INVALID_ARGUMENT"}}"#,
        );
        assert!(matches!(
            check(&other_400),
            Err(UpstreamError::Unavailable { .. })
        ));
        let forbidden = reply(403, HeaderMap::new(), b"{}");
        assert!(matches!(
            check(&forbidden),
            Err(UpstreamError::Auth { status: 403, .. })
        ));

        let quota = include_bytes!("../tests/fixtures/google_error_rate_limited.json");
        let limited = check(&reply(429, HeaderMap::new(), quota)).unwrap_err();
        assert_eq!(limited.retry_after_seconds(), Some(59));
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        let header_wins = check(&reply(429, headers, quota)).unwrap_err();
        assert_eq!(header_wins.retry_after_seconds(), Some(7));
        let fractional = br#"{"error":{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}}"#;
        assert_eq!(
            check(&reply(429, HeaderMap::new(), fractional))
                .unwrap_err()
                .retry_after_seconds(),
            Some(2)
        );
        let bare = check(&reply(429, HeaderMap::new(), b"not json")).unwrap_err();
        assert!(matches!(
            bare,
            UpstreamError::RateLimited {
                retry_after_seconds: None,
                ..
            }
        ));
    }
}
