//! Credits: the balance a key can still spend, and deco's top-up checkout.
//!
//! - deco: `GET {base}/api/teams/{organization}/balance` → `{balance_cents}` (an integer);
//!   `POST {base}/api/credits/topup` `{amountCents, currency}` → `{url}`.
//! - OpenRouter: `GET {base}/api/v1/key` → `data.limit_remaining` (US dollars, `null` when
//!   the key has no limit), reported in cents (reference §3.2).
//!
//! All with `Authorization: Bearer <key>`. Statuses map as usual: 401/403 `upstream_auth`,
//! 402 `insufficient_credits`, 429 rate limited, anything else unavailable.

use aiproviders_domain::{ApiKey, ProviderId};
use reqwest::Url;
use serde::Serialize;
use serde_json::Value;

use crate::http::{self, Credential, Get, JsonBody, Post};
use crate::{Upstream, UpstreamError};

const DECO_TEAMS_PATH: &str = "/api/teams";
const DECO_TOPUP_PATH: &str = "/api/credits/topup";
const OPENROUTER_KEY_PATH: &str = "/api/v1/key";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TopUp<'a> {
    amount_cents: u64,
    currency: &'a str,
}

impl Upstream {
    /// What the key can still spend, in cents: deco's balance for `organization_id`, or
    /// OpenRouter's remaining key limit (`None` when the key has no limit). Other providers
    /// answer [`UpstreamError::Unsupported`].
    pub async fn balance_cents(
        &self,
        provider: ProviderId,
        key: &ApiKey,
        organization_id: &str,
    ) -> Result<Option<i64>, UpstreamError> {
        let base = self
            .account_base(provider)
            .ok_or(UpstreamError::Unsupported {
                provider,
                what: "credits",
            })?;
        let deco_segments = [organization_id, "balance"];
        let (path, segments): (&'static str, &[&str]) = if provider == ProviderId::Deco {
            (DECO_TEAMS_PATH, &deco_segments)
        } else {
            (OPENROUTER_KEY_PATH, &[])
        };
        let get = Get {
            provider,
            base,
            path,
            query: Vec::new(),
            credential: Credential::Bearer(key),
            headers: &[],
        };
        let reply = self.http().get_with_segments(get, segments).await?;
        http::check(provider, &reply)?;
        let body: Value = http::parse_json(provider, &reply.body)?;
        if provider == ProviderId::Deco {
            deco_balance(provider, &body).map(Some)
        } else {
            openrouter_remaining(provider, &body)
        }
    }

    /// A checkout URL adding `amount_cents` (in `currency`, e.g. `usd`) to the balance.
    /// Only deco has one; other providers answer [`UpstreamError::Unsupported`].
    pub async fn top_up_url(
        &self,
        provider: ProviderId,
        key: &ApiKey,
        amount_cents: u64,
        currency: &str,
    ) -> Result<String, UpstreamError> {
        let unsupported = UpstreamError::Unsupported {
            provider,
            what: "top-ups",
        };
        if provider != ProviderId::Deco {
            return Err(unsupported);
        }
        let base = self.account_base(provider).ok_or(unsupported)?;
        let body = JsonBody::new(
            provider,
            &TopUp {
                amount_cents,
                currency,
            },
        )?;
        let reply = self
            .http()
            .post(Post {
                provider,
                base,
                path: DECO_TOPUP_PATH,
                credential: Credential::Bearer(key),
                body,
            })
            .await?;
        http::check(provider, &reply)?;
        let body: Value = http::parse_json(provider, &reply.body)?;
        body.get("url")
            .and_then(Value::as_str)
            .and_then(checkout_url)
            .ok_or_else(|| UpstreamError::unavailable(provider, "returned no usable top-up URL"))
    }
}

/// `{balance_cents: <integer>}`.
fn deco_balance(provider: ProviderId, body: &Value) -> Result<i64, UpstreamError> {
    body.get("balance_cents")
        .and_then(Value::as_i64)
        .ok_or_else(|| UpstreamError::unavailable(provider, "malformed balance in the response"))
}

/// `{data: {limit_remaining: <dollars> | null, …}}`, in cents; `None` without a limit.
fn openrouter_remaining(provider: ProviderId, body: &Value) -> Result<Option<i64>, UpstreamError> {
    let data = body.get("data").filter(|d| d.is_object()).ok_or_else(|| {
        UpstreamError::unavailable(provider, "unexpected JSON shape in the response")
    })?;
    match data.get("limit_remaining") {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_f64()
            .map(|dollars| Some(dollars_to_cents(dollars)))
            .ok_or_else(|| UpstreamError::unavailable(provider, "malformed limit in the response")),
    }
}

/// Rounded to the nearest cent (half away from zero); `as` saturates far out of range.
fn dollars_to_cents(dollars: f64) -> i64 {
    (dollars * 100.0).round() as i64
}

/// An absolute http(s) URL with a host, normalized.
fn checkout_url(text: &str) -> Option<String> {
    let url = Url::parse(text).ok()?;
    let plausible =
        matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty());
    plausible.then(|| url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents() {
        assert_eq!(dollars_to_cents(74.5), 7450);
        assert_eq!(dollars_to_cents(0.015), 2);
        assert_eq!(dollars_to_cents(0.0), 0);
        assert_eq!(dollars_to_cents(-1.234), -123);
        assert_eq!(dollars_to_cents(1e30), i64::MAX);
    }

    #[test]
    fn checkout_urls() {
        assert_eq!(
            checkout_url("https://pay.test/c/1?s=2").as_deref(),
            Some("https://pay.test/c/1?s=2")
        );
        for bad in [
            "",
            "pay.test/x",
            "javascript:alert(1)",
            "ftp://x.test/",
            "/relative",
        ] {
            assert_eq!(checkout_url(bad), None, "{bad}");
        }
    }
}
