//! The OpenRouter fake (reference §3.1–3.5) and the Deco AI Gateway fake, which serves the
//! same `GET /api/v1/models` shape but requires a Bearer key (its other routes: [`crate::deco`]).
//! Both serve `POST /api/v1/chat/completions` ([`crate::chat::openai`]) for their catalog.

mod oauth;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::Method;
use serde_json::{Value, json};

use crate::account::Account;
use crate::chat;
use crate::deco;
use crate::server::{Incoming, Provider, Reply, is_revoked, padded};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `/api/v1/models` (public), `/api/v1/key`, `/api/v1/auth/key`, `/api/v1/credits`,
    /// `/auth`, `/api/v1/auth/keys`.
    OpenRouter,
    /// `/api/v1/models` (Bearer required) and the routes of [`crate::deco`].
    Deco,
}

pub(crate) struct OpenRouter {
    flavor: Flavor,
    account: Arc<Account>,
    /// The whole `/api/v1/models` body, serialized once.
    models: Bytes,
    first: Value,
    /// Each model id and its `context_length`.
    contexts: HashMap<String, Option<u64>>,
}

const CHAT: &str = "/api/v1/chat/completions";

/// `{"error":{"code","message"}}`.
fn error(code: u16, message: &str) -> Reply {
    Reply::json(
        code,
        json!({"error": {"code": code, "message": message}}).to_string(),
    )
}

fn no_credentials() -> Reply {
    error(401, "No auth credentials found")
}

/// `sk-or-v1-0e6...1c96`: the first 12 and last 4 characters.
fn label(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 16 {
        return key.to_owned();
    }
    let head: String = chars[..12].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}...{tail}")
}

/// `limit_remaining: None` → `limit` and `limit_remaining` both `null`.
fn key_body(key: &str, limit_remaining: Option<f64>) -> String {
    json!({"data": {
        "label": label(key),
        "limit": limit_remaining.map(|_| 100),
        "limit_remaining": limit_remaining,
        "limit_reset": "monthly",
        "include_byok_in_limit": false,
        "usage": 25.5,
        "usage_daily": 1.25,
        "usage_weekly": 6.5,
        "usage_monthly": 25.5,
        "byok_usage": 0,
        "byok_usage_daily": 0,
        "byok_usage_weekly": 0,
        "byok_usage_monthly": 0,
        "is_free_tier": false,
        "is_management_key": key.contains("mgmt"),
        "is_provisioning_key": false,
        "creator_user_id": "user_2dHFtVWx2n56w6HkM0000000000",
        "expires_at": null,
        "rate_limit": {"requests": -1, "interval": "10s", "note": "This field is deprecated and safe to ignore."}
    }})
    .to_string()
}

impl OpenRouter {
    pub fn new(flavor: Flavor, account: Arc<Account>, catalog: &[Value]) -> Self {
        let body = json!({"data": catalog, "total_count": catalog.len(), "links": {"next": null}});
        Self {
            flavor,
            account,
            models: Bytes::from(body.to_string()),
            contexts: catalog
                .iter()
                .filter_map(|m| Some((m["id"].as_str()?.to_owned(), m["context_length"].as_u64())))
                .collect(),
            first: catalog.first().cloned().unwrap_or_else(|| json!({"id": "openrouter/auto", "name": "Auto Router", "pricing": {"prompt": "-1", "completion": "-1"}})),
        }
    }
}

impl OpenRouter {
    fn chat(&self, req: &Incoming) -> Reply {
        if req.method != Method::POST {
            return error(405, "Method Not Allowed");
        }
        match req.bearer() {
            None => return no_credentials(),
            Some(k) if is_revoked(k) => return self.unauthorized(),
            Some(_) => {}
        }
        let context = |id: &str| self.contexts.get(id).copied();
        chat::openai::completions(req.json_object(), context, &self.account)
            .unwrap_or_else(|(code, message)| error(code, &message))
    }
}

impl Provider for OpenRouter {
    fn respond(&self, req: &Incoming) -> Reply {
        let extra = match self.flavor {
            Flavor::OpenRouter => oauth::respond(&self.account, req),
            Flavor::Deco => deco::respond(&self.account, req),
        };
        if let Some(reply) = extra {
            return reply;
        }
        let path = req.path.as_str();
        if path == CHAT {
            return self.chat(req);
        }
        let known = match self.flavor {
            Flavor::OpenRouter => matches!(
                path,
                "/api/v1/models" | "/api/v1/key" | "/api/v1/auth/key" | "/api/v1/credits"
            ),
            Flavor::Deco => path == "/api/v1/models",
        };
        if !known {
            return error(404, "Not Found");
        }
        if req.method != Method::GET {
            return error(405, "Method Not Allowed");
        }
        let key = req.bearer();
        if key.is_some_and(is_revoked) {
            return self.unauthorized();
        }
        match (path, key) {
            ("/api/v1/models", None) if self.flavor == Flavor::Deco => no_credentials(),
            ("/api/v1/models", _) => Reply::json(200, self.models.clone()),
            (_, None) => no_credentials(),
            ("/api/v1/credits", Some(k)) if k.contains("mgmt") => Reply::json(
                200,
                r#"{"data":{"total_credits":100.5,"total_usage":25.75}}"#,
            ),
            ("/api/v1/credits", Some(_)) => {
                error(403, "Only management keys can perform this operation")
            }
            (_, Some(k)) => Reply::json(200, key_body(k, self.account.limit_remaining())),
        }
    }

    fn unauthorized(&self) -> Reply {
        error(401, "User not found.")
    }

    fn rate_limited(&self, retry_after_seconds: u64) -> Reply {
        let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() as u64 * 1000;
        let body = r#"{"error":{"code":429,"message":"Rate limit exceeded","metadata":{"error_type":"rate_limit_exceeded"}}}"#;
        Reply::json(429, body)
            .with_header("retry-after", retry_after_seconds.to_string())
            .with_header("x-ratelimit-limit", "20")
            .with_header("x-ratelimit-remaining", "0")
            .with_header(
                "x-ratelimit-reset",
                (now_ms + retry_after_seconds.saturating_mul(1000)).to_string(),
            )
    }

    fn server_error(&self, status: u16) -> Reply {
        if status == 402 {
            return error(402, "Insufficient credits");
        }
        let reason = axum::http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error");
        error(status, reason)
    }

    fn huge(&self, bytes: usize) -> Reply {
        let body = padded(bytes, |pad| {
            let mut model = self.first.clone();
            model["description"] = json!(pad);
            json!({"data": [model], "total_count": 1, "links": {"next": null}})
        });
        Reply::json(200, body)
    }
}
