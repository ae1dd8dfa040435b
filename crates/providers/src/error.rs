//! What can go wrong talking to a provider, and which contract error code it is.
//!
//! Messages name the provider and the HTTP status or the kind of failure. They never carry
//! a credential, a request URL or upstream body text.

use aiproviders_domain::{ErrorCode, ProviderId};

#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// The provider refused the credential (HTTP 401 or 403, Gemini's 400 `API_KEY_INVALID`).
    #[error("{provider} refused the credential (HTTP {status})")]
    Auth { provider: ProviderId, status: u16 },
    /// The provider refused an authorization code (OAuth exchange: HTTP 400, 401 or 403).
    /// The code is the caller's input, so this is `invalid_input`, not `upstream_auth`.
    #[error("{provider} refused the authorization code (HTTP {status})")]
    Refused { provider: ProviderId, status: u16 },
    /// HTTP 429. `retry_after_seconds` comes from `retry-after-ms`, `Retry-After` or Gemini's
    /// `RetryInfo.retryDelay`, when one of them was given.
    #[error("{provider} is rate limiting requests (HTTP 429){}", retry_hint(*.retry_after_seconds))]
    RateLimited {
        provider: ProviderId,
        retry_after_seconds: Option<u64>,
    },
    /// HTTP 402.
    #[error("{provider} reports insufficient credits (HTTP 402)")]
    InsufficientCredits { provider: ProviderId },
    /// Anything else: 5xx and other statuses, redirects, timeouts, connection failures,
    /// malformed, truncated or oversized bodies. `reason` is a short phrase without secrets.
    #[error("{provider} is unavailable: {reason}")]
    Unavailable {
        provider: ProviderId,
        reason: String,
    },
    /// The call makes no sense for this provider (e.g. a provider that needs a key called
    /// without one).
    #[error("{provider} does not support {what}")]
    Unsupported {
        provider: ProviderId,
        what: &'static str,
    },
}

fn retry_hint(seconds: Option<u64>) -> String {
    seconds
        .map(|s| format!("; retry after {s} s"))
        .unwrap_or_default()
}

impl UpstreamError {
    pub(crate) fn unavailable(provider: ProviderId, reason: impl Into<String>) -> Self {
        Self::Unavailable {
            provider,
            reason: reason.into(),
        }
    }

    /// The contract error code (CONTRACT §3).
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Auth { .. } => ErrorCode::UpstreamAuth,
            Self::Refused { .. } => ErrorCode::InvalidInput,
            Self::RateLimited { .. } => ErrorCode::UpstreamRateLimited,
            Self::InsufficientCredits { .. } => ErrorCode::InsufficientCredits,
            Self::Unavailable { .. } => ErrorCode::UpstreamUnavailable,
            Self::Unsupported { .. } => ErrorCode::Unsupported,
        }
    }

    pub fn provider(&self) -> ProviderId {
        match self {
            Self::Auth { provider, .. }
            | Self::Refused { provider, .. }
            | Self::RateLimited { provider, .. }
            | Self::InsufficientCredits { provider }
            | Self::Unavailable { provider, .. }
            | Self::Unsupported { provider, .. } => *provider,
        }
    }

    /// The provider's retry hint, for `upstream_rate_limited` errors.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            Self::RateLimited {
                retry_after_seconds,
                ..
            } => *retry_after_seconds,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages() {
        let auth = UpstreamError::Auth {
            provider: ProviderId::Anthropic,
            status: 401,
        };
        assert_eq!(auth.code(), ErrorCode::UpstreamAuth);
        assert_eq!(
            auth.to_string(),
            "anthropic refused the credential (HTTP 401)"
        );
        let limited = UpstreamError::RateLimited {
            provider: ProviderId::Google,
            retry_after_seconds: Some(59),
        };
        assert_eq!(limited.code(), ErrorCode::UpstreamRateLimited);
        assert_eq!(limited.retry_after_seconds(), Some(59));
        assert_eq!(
            limited.to_string(),
            "google is rate limiting requests (HTTP 429); retry after 59 s"
        );
        let down = UpstreamError::unavailable(ProviderId::Google, "timed out after 30 s");
        assert_eq!(
            down.to_string(),
            "google is unavailable: timed out after 30 s"
        );
        assert_eq!(down.code(), ErrorCode::UpstreamUnavailable);
        assert_eq!(down.provider(), ProviderId::Google);
        assert_eq!(down.retry_after_seconds(), None);
        let credits = UpstreamError::InsufficientCredits {
            provider: ProviderId::OpenRouter,
        };
        assert_eq!(credits.code(), ErrorCode::InsufficientCredits);
        let unsupported = UpstreamError::Unsupported {
            provider: ProviderId::Deco,
            what: "listing models without a credential",
        };
        assert_eq!(unsupported.code(), ErrorCode::Unsupported);
        let refused = UpstreamError::Refused {
            provider: ProviderId::Deco,
            status: 400,
        };
        assert_eq!(refused.code(), ErrorCode::InvalidInput);
        assert_eq!(refused.provider(), ProviderId::Deco);
        assert_eq!(
            refused.to_string(),
            "deco refused the authorization code (HTTP 400)"
        );
    }
}
