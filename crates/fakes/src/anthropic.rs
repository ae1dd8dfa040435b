//! The Anthropic fake (reference §1.1–1.5): `GET /v1/models` (`limit`, `after_id`,
//! `before_id`), `GET /v1/models/{id}` and `POST /v1/messages` ([`crate::chat::anthropic`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderName, Method};
use serde_json::{Value, json};

use crate::account::Account;
use crate::chat;
use crate::server::{Incoming, Provider, Reply, is_revoked, padded};

const LIST: &str = "/v1/models";
const MESSAGES: &str = "/v1/messages";

pub(crate) struct Anthropic {
    /// Each model serialized once, in listing order.
    items: Vec<String>,
    /// Each id as a JSON string literal.
    quoted_ids: Vec<String>,
    index: HashMap<String, usize>,
    first: Value,
    page_cap: usize,
    seq: AtomicU64,
    account: Arc<Account>,
}

impl Anthropic {
    pub fn new(account: Arc<Account>, catalog: &[Value], page_cap: usize) -> Self {
        let ids: Vec<String> = catalog
            .iter()
            .map(|m| m["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        Self {
            items: catalog.iter().map(Value::to_string).collect(),
            quoted_ids: ids.iter().map(|id| Value::from(id.as_str()).to_string()).collect(),
            index: ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect(),
            first: catalog.first().cloned().unwrap_or_else(|| json!({"type": "model", "id": "claude-test-000-20250101", "display_name": "Claude Test 000", "created_at": "2025-01-01T00:00:00Z"})),
            page_cap: page_cap.max(1),
            seq: AtomicU64::new(1),
            account,
        }
    }

    fn request_id(&self) -> String {
        format!(
            "req_011CFake{:016}",
            self.seq.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// `{"type":"error","error":{type,message},"request_id"}` with the same `request-id` header.
    fn error(&self, status: u16, kind: &str, message: &str) -> Reply {
        let id = self.request_id();
        let body =
            json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": id});
        Reply::json(status, body.to_string()).with_header("request-id", id)
    }

    fn invalid(&self, message: &str) -> Reply {
        self.error(400, "invalid_request_error", message)
    }

    fn list(&self, req: &Incoming) -> Reply {
        let limit = match req.param("limit").map(str::parse::<usize>) {
            None => 20,
            Some(Ok(n)) if (1..=1000).contains(&n) => n,
            Some(_) => return self.invalid("limit: Input should be an integer between 1 and 1000"),
        }
        .min(self.page_cap);
        let cursor = |name| req.param(name).filter(|v| !v.is_empty());
        let (start, end) = match (cursor("after_id"), cursor("before_id")) {
            (Some(_), Some(_)) => {
                return self.invalid("Only one of after_id and before_id may be given");
            }
            (Some(after), None) => match self.index.get(after) {
                Some(&i) => (i + 1, (i + 1 + limit).min(self.items.len())),
                None => return self.invalid(&format!("after_id: unknown model id {after:?}")),
            },
            (None, Some(before)) => match self.index.get(before) {
                Some(&i) => (i.saturating_sub(limit), i),
                None => return self.invalid(&format!("before_id: unknown model id {before:?}")),
            },
            (None, None) => (0, limit.min(self.items.len())),
        };
        // Paging backwards, "more" means more before the page.
        let has_more = if cursor("before_id").is_some() {
            start > 0
        } else {
            end < self.items.len()
        };
        let page = &self.items[start..end];
        let mut body = String::with_capacity(page.iter().map(|s| s.len() + 1).sum::<usize>() + 160);
        body.push_str("{\"data\":[");
        for (k, item) in page.iter().enumerate() {
            if k > 0 {
                body.push(',');
            }
            body.push_str(item);
        }
        let id_or_null = |i: usize| {
            if start < end {
                self.quoted_ids[i].as_str()
            } else {
                "null"
            }
        };
        body.push_str(&format!(
            "],\"has_more\":{has_more},\"first_id\":{},\"last_id\":{}}}",
            id_or_null(start),
            id_or_null(end.saturating_sub(1))
        ));
        Reply::json(200, body)
    }
}

impl Provider for Anthropic {
    fn respond(&self, req: &Incoming) -> Reply {
        let one = req
            .path
            .strip_prefix("/v1/models/")
            .filter(|id| !id.is_empty() && !id.contains('/'));
        let allowed = match req.path.as_str() {
            MESSAGES => Method::POST,
            LIST => Method::GET,
            _ if one.is_some() => Method::GET,
            _ => return self.error(404, "not_found_error", "Not Found"),
        };
        if req.method != allowed {
            return self.error(405, "invalid_request_error", "Method Not Allowed");
        }
        let key = req
            .header("x-api-key")
            .filter(|k| !k.is_empty())
            .or_else(|| req.bearer());
        match key {
            None => return self.error(401, "authentication_error", "x-api-key header is required"),
            Some(k) if is_revoked(k) => return self.unauthorized(),
            Some(_) => {}
        }
        if req.header("anthropic-version").is_none_or(str::is_empty) {
            return self.invalid("anthropic-version: header is required");
        }
        if req.path == MESSAGES {
            let is_model = |id: &str| self.index.contains_key(id);
            return chat::anthropic::messages(req.json_object(), is_model, &self.account)
                .unwrap_or_else(|(status, kind, message)| self.error(status, kind, &message));
        }
        match one {
            None => self.list(req),
            Some(id) => match self.index.get(id) {
                Some(&i) => Reply::json(200, self.items[i].clone()),
                None => self.error(404, "not_found_error", &format!("model: {id}")),
            },
        }
    }

    fn unauthorized(&self) -> Reply {
        self.error(401, "authentication_error", "invalid x-api-key")
    }

    fn rate_limited(&self, retry_after_seconds: u64) -> Reply {
        let reset = time::OffsetDateTime::now_utc()
            + time::Duration::seconds(retry_after_seconds.min(i64::MAX as u64) as i64);
        let reset = reset
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        self.error(429, "rate_limit_error", "This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.")
            .with_header("retry-after", retry_after_seconds.to_string())
            .with_header("anthropic-ratelimit-requests-limit", "50")
            .with_header("anthropic-ratelimit-requests-remaining", "0")
            .with_header("anthropic-ratelimit-requests-reset", reset)
    }

    fn server_error(&self, status: u16) -> Reply {
        let (kind, message) = match status {
            400 => ("invalid_request_error", "Invalid request"),
            401 => ("authentication_error", "invalid x-api-key"),
            402 => (
                "billing_error",
                "Your credit balance is too low to access the Anthropic API.",
            ),
            403 => (
                "permission_error",
                "Your API key does not have permission to use the specified resource.",
            ),
            404 => ("not_found_error", "Not Found"),
            413 => (
                "request_too_large",
                "Request exceeds the maximum allowed number of bytes.",
            ),
            429 => ("rate_limit_error", "Rate limited"),
            503 | 529 => ("overloaded_error", "Overloaded"),
            504 => ("timeout_error", "Request timed out"),
            _ => ("api_error", "Internal server error"),
        };
        self.error(status, kind, message)
    }

    fn huge(&self, bytes: usize) -> Reply {
        let id = self.first["id"].clone();
        let body = padded(bytes, |pad| {
            let mut model = self.first.clone();
            model["description"] = json!(pad);
            json!({"data": [model], "has_more": false, "first_id": id, "last_id": id})
        });
        Reply::json(200, body)
    }

    fn finish(&self, reply: Reply) -> Reply {
        if reply.has_header(&HeaderName::from_static("request-id")) {
            return reply;
        }
        let id = self.request_id();
        reply.with_header("request-id", id)
    }
}
