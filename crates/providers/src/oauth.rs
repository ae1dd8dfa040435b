//! OAuth PKCE with the providers that hand out keys through a consent page: OpenRouter
//! (reference §3.4) and deco's gateway. The service keeps the state and the verifier; this
//! module only builds the consent URL and exchanges a code for a key.
//!
//! - OpenRouter: `{base}/auth?callback_url=…&code_challenge=…&code_challenge_method=S256`,
//!   then `POST {base}/api/v1/auth/keys` `{code, code_verifier, code_challenge_method}`
//!   (no `Authorization`) → `{key, user_id}`.
//! - deco: `{base}/oauth/authorize?redirect_uri=…&code_challenge=…&code_challenge_method=S256
//!   &organization_id=…`, then `POST {base}/oauth/token`
//!   `{code, code_verifier, grant_type: "authorization_code"}` → `{key}`.
//!
//! A 400, 401 or 403 from the exchange is [`UpstreamError::Refused`]: the code (or its
//! verifier) is what was refused, and the code is the caller's input. The verifier travels
//! only in a request body that is wiped after use ([`JsonBody`]); neither it nor the
//! returned key is ever logged or put in an error.

use aiproviders_domain::{ApiKey, ExposeSecret, ProviderId, SecretString};
use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::http::{self, Credential, JsonBody, Post};
use crate::{Upstream, UpstreamError};

const OPENROUTER_CONSENT_PATH: &str = "/auth";
const OPENROUTER_EXCHANGE_PATH: &str = "/api/v1/auth/keys";
const DECO_CONSENT_PATH: &str = "/oauth/authorize";
const DECO_EXCHANGE_PATH: &str = "/oauth/token";

const S256: &str = "S256";

#[derive(Serialize)]
struct OpenRouterExchange<'a> {
    code: &'a str,
    code_verifier: &'a str,
    code_challenge_method: &'static str,
}

#[derive(Serialize)]
struct DecoExchange<'a> {
    code: &'a str,
    code_verifier: &'a str,
    grant_type: &'static str,
}

impl Upstream {
    /// The provider's consent page for a PKCE (S256) authorization, to open in the user's
    /// browser. `callback_url` is where the provider sends the browser back with `?code=…`
    /// (for deco, `organization_id` names the organization the key is for). Every value is
    /// query-encoded. Providers without OAuth answer [`UpstreamError::Unsupported`].
    pub fn oauth_consent_url(
        &self,
        provider: ProviderId,
        callback_url: &str,
        code_challenge: &str,
        organization_id: &str,
    ) -> Result<String, UpstreamError> {
        let base = self.oauth_base(provider)?;
        let (path, query) = if provider == ProviderId::Deco {
            (
                DECO_CONSENT_PATH,
                vec![
                    ("redirect_uri", callback_url.to_owned()),
                    ("code_challenge", code_challenge.to_owned()),
                    ("code_challenge_method", S256.to_owned()),
                    ("organization_id", organization_id.to_owned()),
                ],
            )
        } else {
            (
                OPENROUTER_CONSENT_PATH,
                vec![
                    ("callback_url", callback_url.to_owned()),
                    ("code_challenge", code_challenge.to_owned()),
                    ("code_challenge_method", S256.to_owned()),
                ],
            )
        };
        http::endpoint(provider, base, path, &query).map(String::from)
    }

    /// Exchanges an authorization code and its PKCE verifier for a key. A refused code
    /// (HTTP 400, 401, 403) is [`UpstreamError::Refused`]; a success without a usable key
    /// is [`UpstreamError::Unavailable`]; other statuses map as usual.
    pub async fn oauth_exchange(
        &self,
        provider: ProviderId,
        code: &str,
        code_verifier: &SecretString,
    ) -> Result<ApiKey, UpstreamError> {
        let base = self.oauth_base(provider)?;
        let verifier = code_verifier.expose_secret();
        let (path, body) = if provider == ProviderId::Deco {
            let body = DecoExchange {
                code,
                code_verifier: verifier,
                grant_type: "authorization_code",
            };
            (DECO_EXCHANGE_PATH, JsonBody::new(provider, &body)?)
        } else {
            let body = OpenRouterExchange {
                code,
                code_verifier: verifier,
                code_challenge_method: S256,
            };
            (OPENROUTER_EXCHANGE_PATH, JsonBody::new(provider, &body)?)
        };
        let reply = self
            .http()
            .post(Post {
                provider,
                base,
                path,
                credential: Credential::None,
                body,
            })
            .await?;
        let status = reply.status.as_u16();
        if matches!(status, 400 | 401 | 403) {
            return Err(UpstreamError::Refused { provider, status });
        }
        http::check(provider, &reply)?;
        // The body holds the new key: wiped once parsed.
        let body = Zeroizing::new(reply.body);
        let parsed: Value = http::parse_json(provider, &body)?;
        let no_key = || UpstreamError::unavailable(provider, "returned no usable key");
        let Value::Object(mut fields) = parsed else {
            return Err(no_key());
        };
        let Some(Value::String(key)) = fields.remove("key") else {
            return Err(no_key());
        };
        ApiKey::parse(key, "key").map_err(|_| no_key())
    }

    fn oauth_base(&self, provider: ProviderId) -> Result<&str, UpstreamError> {
        self.account_base(provider)
            .ok_or(UpstreamError::Unsupported {
                provider,
                what: "OAuth",
            })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use reqwest::Url;

    use super::*;
    use crate::{ProviderSettings, UpstreamLimits};

    fn upstream() -> Upstream {
        Upstream::new(
            ProviderSettings {
                deco_enabled: true,
                local_mode: true,
                deco_url: "https://gw.test/".into(),
                anthropic_base_url: ProviderSettings::DEFAULT_ANTHROPIC_BASE_URL.into(),
                google_base_url: ProviderSettings::DEFAULT_GOOGLE_BASE_URL.into(),
                openrouter_base_url: "https://or.test".into(),
            },
            UpstreamLimits::default(),
        )
    }

    fn query(url: &str) -> (Url, HashMap<String, String>) {
        let url = Url::parse(url).unwrap();
        let query = url.query_pairs().into_owned().collect();
        (url, query)
    }

    #[test]
    fn consent_urls() {
        let up = upstream();
        let callback = "http://localhost:8080/oauth/callback/ai-provider?state=a&b=c d";
        let url = up
            .oauth_consent_url(ProviderId::OpenRouter, callback, "chal", "org-1")
            .unwrap();
        let (parsed, q) = query(&url);
        assert_eq!(parsed.origin().ascii_serialization(), "https://or.test");
        assert_eq!(parsed.path(), "/auth");
        assert_eq!(q.len(), 3);
        assert_eq!(q["callback_url"], callback);
        assert_eq!(q["code_challenge"], "chal");
        assert_eq!(q["code_challenge_method"], "S256");

        let url = up
            .oauth_consent_url(ProviderId::Deco, callback, "chal", "org &1")
            .unwrap();
        let (parsed, q) = query(&url);
        assert_eq!(parsed.path(), "/oauth/authorize");
        assert_eq!(q.len(), 4);
        assert_eq!(q["redirect_uri"], callback);
        assert_eq!(q["organization_id"], "org &1");

        for provider in [
            ProviderId::Anthropic,
            ProviderId::Google,
            ProviderId::ClaudeCode,
        ] {
            let err = up
                .oauth_consent_url(provider, callback, "chal", "org")
                .unwrap_err();
            assert!(matches!(err, UpstreamError::Unsupported { .. }), "{err}");
        }
    }
}
