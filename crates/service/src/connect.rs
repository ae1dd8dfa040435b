//! Connecting providers without pasting keys: OAuth PKCE (`AI_PROVIDER_OAUTH_URL`,
//! `AI_PROVIDER_OAUTH_EXCHANGE`, the callback route) and Claude Code CLI activation.
//!
//! A consent: the verifier (32 random bytes) and its S256 challenge are made here, the state
//! token (256 random bits) is returned to the caller and appended to the callback URL as
//! `state` (OpenRouter does not echo `state`); the database keeps only the state's hash and the
//! verifier sealed under the organization's data key, bound to that hash. The exchange
//! consumes the state atomically (once; same organization, user and provider; not expired),
//! opens the verifier, trades the code for a key at the provider, and stores the key as
//! `AI_PROVIDER_KEY_CREATE` does.

use std::time::Duration;

use aiproviders_domain::{
    AuditAction, AuthMethod, ExposeSecret, InvalidInput, KeyStatus, Label, Principal, ProviderId,
    SecretString, Timestamp,
};
use aiproviders_providers::CliStatus;
use aiproviders_store::{NewOAuthState, OAuthState};
use aiproviders_vault::pkce::{self, Pkce};
use aiproviders_vault::{SealedSecret, VerifierBinding};

use crate::caller::{method_names, provider_target};
use crate::{Caller, KeyCreated, ServiceError, Services};

/// How long a consent may take.
pub const OAUTH_STATE_TTL: Duration = Duration::from_secs(600);
const MAX_CALLBACK_URL_LEN: usize = 2048;
const MAX_CODE_LEN: usize = 2048;

/// A consent the caller should open.
#[derive(Debug)]
pub struct OAuthStart {
    pub url: String,
    /// Returned once; only its hash is stored.
    pub state_token: SecretString,
    pub expires_at: Timestamp,
}

/// What CLI activation found, and whether a credential was recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CliActivation {
    pub activated: bool,
    #[serde(flatten)]
    pub status: CliStatus,
}

/// The outcome of an OAuth callback, for the page the browser shows.
#[derive(Debug)]
pub enum CallbackOutcome {
    Connected {
        provider: ProviderId,
        key: KeyCreated,
    },
    Failed {
        message: String,
    },
}

impl Caller<'_> {
    /// Starts an OAuth PKCE consent for `provider_id`, returning where to send the user.
    pub async fn oauth_url(
        &self,
        provider_id: &str,
        callback_url: &str,
    ) -> Result<OAuthStart, ServiceError> {
        let action = AuditAction::OAuthStart;
        let target = provider_target(provider_id);
        self.require_write(action, &target).await?;
        let parsed = self
            .oauth_provider(provider_id)
            .and_then(|provider| Ok((provider, self.services.callback_url(callback_url)?)));
        let (provider, callback) = self.audited(action, &target, parsed).await?;

        let pkce = Pkce::generate()?;
        let state_token = pkce::state_token()?;
        let state_hash = pkce::state_hash(state_token.expose_secret());
        // The state goes to the provider in the callback URL, never into the database.
        let callback_with_state = with_query(&callback, "state", state_token.expose_secret());
        let url = self.services.upstream.oauth_consent_url(
            provider,
            &callback_with_state,
            &pkce.challenge,
            self.org.org_id().as_str(),
        );
        let url = self.audited(action, &target, url).await?;
        let data_key = self.services.data_key(&self.org).await?;
        let binding = VerifierBinding {
            org: self.org.org_id(),
            provider,
            state_hash: &state_hash,
        };
        let now = Timestamp::now();
        let expires_at =
            Timestamp::from_unix_millis(now.unix_millis() + OAUTH_STATE_TTL.as_millis() as i64);
        let state = NewOAuthState {
            state_hash,
            provider,
            sealed_verifier: data_key
                .seal_verifier(binding, &pkce.verifier)?
                .into_bytes(),
            callback_url: callback,
            created_at: now,
            expires_at,
        };
        self.org.create_oauth_state(self.principal, &state).await?;
        self.record(action, &target, aiproviders_domain::AuditOutcome::Success)
            .await?;
        Ok(OAuthStart {
            url,
            state_token,
            expires_at,
        })
    }

    /// Completes a consent: consumes the state, trades the code for a key, stores it.
    pub async fn oauth_exchange(
        &self,
        provider_id: &str,
        code: &str,
        state_token: SecretString,
        label: Option<&str>,
    ) -> Result<KeyCreated, ServiceError> {
        let action = AuditAction::OAuthExchange;
        let target = provider_target(provider_id);
        self.require_write(action, &target).await?;
        let parsed = self.oauth_provider(provider_id).and_then(|provider| {
            let code = oauth_code(code)?;
            let label = match label {
                Some(label) => Label::parse(label, "label")?,
                None => default_label(provider),
            };
            if state_token.expose_secret().is_empty() {
                return Err(InvalidInput::new("stateToken", "is required"));
            }
            Ok((provider, code, label))
        });
        let (provider, code, label) = self.audited(action, &target, parsed).await?;
        let state_hash = pkce::state_hash(state_token.expose_secret());
        drop(state_token);
        let state = self
            .org
            .take_oauth_state(&state_hash, self.principal.user_id(), provider, Timestamp::now())
            .await?
            .ok_or_else(|| {
                ServiceError::from(InvalidInput::new(
                    "stateToken",
                    "is unknown, already used, expired, or was issued to someone else; start again with AI_PROVIDER_OAUTH_URL",
                ))
            });
        let state = self.audited(action, &target, state).await?;
        let result = self.finish_exchange(&state, &state_hash, code, label).await;
        self.audited(action, &target, result).await
    }

    async fn finish_exchange(
        &self,
        state: &OAuthState,
        state_hash: &[u8; 32],
        code: &str,
        label: Label,
    ) -> Result<KeyCreated, ServiceError> {
        let data_key = self.services.data_key(&self.org).await?;
        let binding = VerifierBinding {
            org: self.org.org_id(),
            provider: state.provider,
            state_hash,
        };
        let verifier = data_key.open_verifier(
            binding,
            &SealedSecret::from_stored(state.sealed_verifier.clone()),
        )?;
        let key = self
            .services
            .upstream
            .oauth_exchange(state.provider, code, &verifier)
            .await?;
        drop(verifier);
        let created = self
            .store_credential(state.provider, AuthMethod::OauthPkce, label, Some(key))
            .await?;
        self.record(
            AuditAction::OAuthExchange,
            &created.key.id.to_string(),
            aiproviders_domain::AuditOutcome::Success,
        )
        .await?;
        Ok(created)
    }

    fn oauth_provider(&self, provider_id: &str) -> Result<ProviderId, InvalidInput> {
        let provider = self.enabled_provider(provider_id, "providerId")?;
        if !provider.supported_methods.contains(&AuthMethod::OauthPkce) {
            return Err(InvalidInput::new(
                "providerId",
                format!(
                    "{} is not connected through OAuth (it uses {})",
                    provider.id,
                    method_names(provider.supported_methods)
                ),
            ));
        }
        Ok(provider.id)
    }

    /// Detects the local Claude Code CLI and, when it is logged in, records a `claude-code`
    /// credential without a secret (once per organization). Local mode only.
    pub async fn cli_activate(&self) -> Result<CliActivation, ServiceError> {
        let action = AuditAction::CliActivate;
        let target = "provider:claude-code";
        self.require_write(action, target).await?;
        if self.services.registry.get(ProviderId::ClaudeCode).is_none() {
            let refused: Result<(), ServiceError> = Err(ServiceError::Unsupported(
                "the Claude Code CLI is available in local mode only (AIPROVIDERS_LOCAL_MODE)"
                    .to_owned(),
            ));
            self.audited(action, target, refused).await?;
        }
        let status = self.services.upstream.claude_cli().status().await;
        if !(status.installed && status.authenticated) {
            self.record(
                action,
                target,
                aiproviders_domain::AuditOutcome::Failed("not_activated"),
            )
            .await?;
            return Ok(CliActivation {
                activated: false,
                status,
            });
        }
        let label = match &status.email {
            Some(email) => Label::parse(&format!("Claude Code CLI ({email})"), "label")
                .unwrap_or_else(|_| default_label(ProviderId::ClaudeCode)),
            None => default_label(ProviderId::ClaudeCode),
        };
        let created = self
            .store_credential(ProviderId::ClaudeCode, AuthMethod::CliActivate, label, None)
            .await?;
        self.org
            .set_key_status(&created.key.id, KeyStatus::Valid, Timestamp::now())
            .await?;
        self.record(
            action,
            &created.key.id.to_string(),
            aiproviders_domain::AuditOutcome::Success,
        )
        .await?;
        Ok(CliActivation {
            activated: true,
            status,
        })
    }
}

impl Services {
    /// A callback URL of this service's public origin, at most 2 KiB.
    fn callback_url(&self, raw: &str) -> Result<String, InvalidInput> {
        const FIELD: &str = "callbackUrl";
        let raw = raw.trim();
        if raw.len() > MAX_CALLBACK_URL_LEN || raw.chars().any(|c| c.is_control() || c == ' ') {
            return Err(InvalidInput::new(
                FIELD,
                "must be a URL of at most 2048 characters",
            ));
        }
        let origin = &self.settings.public_origin;
        let rest = raw.strip_prefix(origin.as_str()).ok_or_else(|| {
            InvalidInput::new(
                FIELD,
                format!(
                    "must be on this service's public origin ({origin}, AIPROVIDERS_PUBLIC_URL)"
                ),
            )
        })?;
        if !(rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')) {
            return Err(InvalidInput::new(
                FIELD,
                format!(
                    "must be on this service's public origin ({origin}, AIPROVIDERS_PUBLIC_URL)"
                ),
            ));
        }
        if rest.contains('#') {
            return Err(InvalidInput::new(FIELD, "must not have a fragment"));
        }
        Ok(raw.to_owned())
    }

    /// The OAuth callback route: the state (its only credential) says whose consent it is.
    /// Acts as the access token that started it, if that token is still live.
    pub async fn oauth_callback(&self, code: Option<&str>, state: Option<&str>) -> CallbackOutcome {
        match self.complete_callback(code, state).await {
            Ok((provider, key)) => CallbackOutcome::Connected { provider, key },
            Err(error) => {
                if error.code() == aiproviders_domain::ErrorCode::Internal {
                    tracing::error!(%error, "OAuth callback failed");
                }
                CallbackOutcome::Failed {
                    message: error.public_message(),
                }
            }
        }
    }

    async fn complete_callback(
        &self,
        code: Option<&str>,
        state: Option<&str>,
    ) -> Result<(ProviderId, KeyCreated), ServiceError> {
        let unusable = || {
            ServiceError::from(InvalidInput::new(
                "state",
                "this sign-in link is unknown, already used or expired; start again",
            ))
        };
        let state = state
            .filter(|s| !s.is_empty() && s.len() <= 256)
            .ok_or_else(unusable)?;
        let code = oauth_code(code.unwrap_or_default()).map_err(ServiceError::from)?;
        let state_hash = pkce::state_hash(state);
        let taken = self
            .store
            .take_oauth_state_by_hash(&state_hash, Timestamp::now())
            .await?
            .ok_or_else(unusable)?;
        let principal: Principal = self
            .store
            .principal_of_token(&taken.token)
            .await?
            .filter(|p| p.org_id() == &taken.org && p.user_id() == &taken.user)
            .ok_or_else(|| {
                ServiceError::from(InvalidInput::new(
                    "state",
                    "the access token that started this sign-in was revoked",
                ))
            })?;
        let caller = self.caller(&principal);
        let action = AuditAction::OAuthExchange;
        let target = format!("provider:{}", taken.provider);
        caller.require_write(action, &target).await?;
        let result = caller
            .finish_exchange(&taken, &state_hash, code, default_label(taken.provider))
            .await;
        let created = caller.audited(action, &target, result).await?;
        Ok((taken.provider, created))
    }
}

fn oauth_code(code: &str) -> Result<&str, InvalidInput> {
    if code.is_empty() || code.len() > MAX_CODE_LEN || code.chars().any(|c| c.is_control()) {
        return Err(InvalidInput::new(
            "code",
            "must be the authorization code the provider returned",
        ));
    }
    Ok(code)
}

fn default_label(provider: ProviderId) -> Label {
    Label::from_trusted(match provider {
        ProviderId::OpenRouter => "OpenRouter (OAuth)".to_owned(),
        ProviderId::Deco => "Deco AI Gateway (OAuth)".to_owned(),
        ProviderId::ClaudeCode => "Claude Code CLI".to_owned(),
        other => format!("{other} (OAuth)"),
    })
}

/// `url` with `name=value` appended to its query (value percent-encoded).
fn with_query(url: &str, name: &str, value: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    let encoded: String = value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("{url}{separator}{name}={encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_is_appended_to_the_callback_query() {
        assert_eq!(
            with_query("https://a.example/cb", "state", "x y"),
            "https://a.example/cb?state=x%20y"
        );
        assert_eq!(
            with_query("https://a.example/cb?tab=1", "state", "abc-_"),
            "https://a.example/cb?tab=1&state=abc-_"
        );
    }
}
