//! The Gemini fake (reference §2.1–2.2): `GET /v1beta/models` (`pageSize`, `pageToken`),
//! `GET /v1beta/models/{id}` and `POST /v1beta/models/{id}:generateContent` /
//! `:streamGenerateContent` ([`crate::chat::gemini`]), keyed by `x-goog-api-key` or `?key=`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::http::Method;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::account::Account;
use crate::chat;
use crate::chat::gemini::Mode;
use crate::server::{Incoming, Provider, Reply, is_revoked, padded};

const LIST: &str = "/v1beta/models";

pub(crate) struct Google {
    /// Each model serialized once, in listing order.
    items: Vec<String>,
    /// Model names (`models/<id>`), in listing order.
    names: Vec<String>,
    index: HashMap<String, usize>,
    first: Value,
    page_cap: usize,
    /// The ids (without `models/`) that support `generateContent`.
    generative: HashSet<String>,
    account: Arc<Account>,
}

/// `{"error":{code,message,status}}`.
fn error(code: u16, status: &str, message: &str) -> Reply {
    Reply::json(
        code,
        json!({"error": {"code": code, "message": message, "status": status}}).to_string(),
    )
}

/// The page token continuing after `name`: like the real ones, base64 of a small protobuf
/// holding the last name of the previous page.
fn page_token(name: &str) -> String {
    let mut bytes = vec![0x0a, name.len().min(127) as u8];
    bytes.extend_from_slice(name.as_bytes());
    STANDARD.encode(bytes)
}

impl Google {
    pub fn new(account: Arc<Account>, catalog: &[Value], page_cap: usize) -> Self {
        let generative = catalog
            .iter()
            .filter(|m| {
                m["supportedGenerationMethods"]
                    .as_array()
                    .is_some_and(|methods| methods.iter().any(|x| x == "generateContent"))
            })
            .filter_map(|m| m["name"].as_str()?.strip_prefix("models/"))
            .map(str::to_owned)
            .collect();
        let names: Vec<String> = catalog
            .iter()
            .map(|m| m["name"].as_str().unwrap_or_default().to_owned())
            .collect();
        Self {
            items: catalog.iter().map(Value::to_string).collect(),
            index: names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect(),
            names,
            first: catalog.first().cloned().unwrap_or_else(|| json!({"name": "models/gemini-test-000", "displayName": "Gemini Test 000", "supportedGenerationMethods": ["generateContent"]})),
            page_cap: page_cap.max(1),
            generative,
            account,
        }
    }

    /// The offset a page token continues at.
    fn offset(&self, token: &str) -> Option<usize> {
        let bytes = STANDARD.decode(token).ok()?;
        let name = bytes.strip_prefix(&[0x0a])?.split_first().map(|(_, n)| n)?;
        self.index
            .get(std::str::from_utf8(name).ok()?)
            .map(|i| i + 1)
    }

    fn list(&self, req: &Incoming) -> Reply {
        let size = match req.param("pageSize").map(str::parse::<i64>) {
            None => 50,
            Some(Ok(n)) if n <= 0 => 50,
            Some(Ok(n)) => n.min(1000) as usize,
            Some(Err(_)) => {
                let value = req.param("pageSize").unwrap_or_default();
                return error(
                    400,
                    "INVALID_ARGUMENT",
                    &format!("Invalid value at 'page_size' (TYPE_INT32), \"{value}\""),
                );
            }
        }
        .min(self.page_cap);
        let start = match req.param("pageToken").filter(|t| !t.is_empty()) {
            None => 0,
            Some(token) => match self.offset(token) {
                Some(offset) => offset,
                None => return error(400, "INVALID_ARGUMENT", "Invalid page token."),
            },
        };
        let end = (start + size).min(self.items.len());
        let page = &self.items[start.min(end)..end];
        let mut body = String::with_capacity(page.iter().map(|s| s.len() + 1).sum::<usize>() + 100);
        body.push_str("{\"models\":[");
        for (k, item) in page.iter().enumerate() {
            if k > 0 {
                body.push(',');
            }
            body.push_str(item);
        }
        body.push(']');
        if end < self.items.len() {
            body.push_str(&format!(
                ",\"nextPageToken\":\"{}\"",
                page_token(&self.names[end - 1])
            ));
        }
        body.push('}');
        Reply::json(200, body)
    }
}

fn not_found(id: &str) -> Reply {
    error(
        404,
        "NOT_FOUND",
        &format!(
            "models/{id} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."
        ),
    )
}

impl Provider for Google {
    fn respond(&self, req: &Incoming) -> Reply {
        let no_method = || error(404, "NOT_FOUND", &format!("Method not found: {}", req.path));
        let one = req
            .path
            .strip_prefix("/v1beta/models/")
            .filter(|id| !id.is_empty() && !id.contains('/'));
        // `{id}:{method}`: generation.
        let generate = match one.and_then(|rest| rest.split_once(':')) {
            None => None,
            Some((id, "generateContent")) => Some((id, Mode::Whole)),
            Some((id, "streamGenerateContent")) if req.param("alt") == Some("sse") => {
                Some((id, Mode::Sse))
            }
            Some((id, "streamGenerateContent")) => Some((id, Mode::Array)),
            Some(_) => return no_method(),
        };
        if req.path != LIST && one.is_none() {
            return no_method();
        }
        let allowed = if generate.is_some() {
            Method::POST
        } else {
            Method::GET
        };
        if req.method != allowed {
            return error(405, "INVALID_ARGUMENT", "Method Not Allowed");
        }
        let key = req
            .header("x-goog-api-key")
            .filter(|k| !k.is_empty())
            .or_else(|| req.param("key").filter(|k| !k.is_empty()));
        match key {
            None => {
                return error(
                    403,
                    "PERMISSION_DENIED",
                    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
                );
            }
            Some(k) if is_revoked(k) => return self.unauthorized(),
            Some(_) => {}
        }
        if let Some((id, mode)) = generate {
            if !self.generative.contains(id) {
                return not_found(id);
            }
            return chat::gemini::generate(req.json_object(), id, mode, &self.account)
                .unwrap_or_else(|(code, status, message)| error(code, status, &message));
        }
        match one {
            None => self.list(req),
            Some(id) => match self.index.get(&format!("models/{id}")) {
                Some(&i) => Reply::json(200, self.items[i].clone()),
                None => not_found(id),
            },
        }
    }

    fn unauthorized(&self) -> Reply {
        let message = "API key not valid. Please pass a valid API key.";
        let body = json!({"error": {
            "code": 400,
            "message": message,
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                    "metadata": {"service": "generativelanguage.googleapis.com"}
                },
                {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": message}
            ]
        }});
        Reply::json(400, body.to_string())
    }

    fn rate_limited(&self, retry_after_seconds: u64) -> Reply {
        let body = json!({"error": {
            "code": 429,
            "message": "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.Help",
                    "links": [{"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]
                },
                {
                    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                    "violations": [{
                        "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                        "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                        "quotaDimensions": {"location": "global", "model": "gemini-2.5-flash"},
                        "quotaValue": "10"
                    }]
                },
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": format!("{retry_after_seconds}s")}
            ]
        }});
        Reply::json(429, body.to_string())
    }

    fn server_error(&self, status: u16) -> Reply {
        let (code, message) = match status {
            400 => ("INVALID_ARGUMENT", "Request contains an invalid argument."),
            401 => (
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials.",
            ),
            403 => ("PERMISSION_DENIED", "The caller does not have permission"),
            404 => ("NOT_FOUND", "Requested entity was not found."),
            429 => (
                "RESOURCE_EXHAUSTED",
                "Resource has been exhausted (e.g. check quota).",
            ),
            502 | 503 => (
                "UNAVAILABLE",
                "The model is overloaded. Please try again later.",
            ),
            504 => (
                "DEADLINE_EXCEEDED",
                "Deadline expired before operation could complete.",
            ),
            _ => (
                "INTERNAL",
                "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
            ),
        };
        error(status, code, message)
    }

    fn huge(&self, bytes: usize) -> Reply {
        let body = padded(bytes, |pad| {
            let mut model = self.first.clone();
            model["description"] = json!(pad);
            json!({"models": [model]})
        });
        Reply::json(200, body)
    }
}
