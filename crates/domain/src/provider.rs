use std::fmt;

use crate::InvalidInput;

/// The AI providers aiproviders knows. Whether one is *enabled* is a matter of settings
/// (see the providers crate's registry), not of this type.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum ProviderId {
    #[serde(rename = "deco")]
    Deco,
    #[serde(rename = "anthropic")]
    Anthropic,
    #[serde(rename = "google")]
    Google,
    #[serde(rename = "openrouter")]
    OpenRouter,
    #[serde(rename = "claude-code")]
    ClaudeCode,
}

impl ProviderId {
    pub const ALL: [ProviderId; 5] = [
        ProviderId::Deco,
        ProviderId::Anthropic,
        ProviderId::Google,
        ProviderId::OpenRouter,
        ProviderId::ClaudeCode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Deco => "deco",
            ProviderId::Anthropic => "anthropic",
            ProviderId::Google => "google",
            ProviderId::OpenRouter => "openrouter",
            ProviderId::ClaudeCode => "claude-code",
        }
    }

    /// Parses a provider id; `field` names the input in the error.
    pub fn parse(value: &str, field: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == value)
            .ok_or_else(|| {
                InvalidInput::new(
                    field,
                    "unknown provider; expected one of deco, anthropic, google, openrouter, claude-code",
                )
            })
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a credential for a provider is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AuthMethod {
    #[serde(rename = "api-key")]
    ApiKey,
    #[serde(rename = "oauth-pkce")]
    OauthPkce,
    #[serde(rename = "cli-activate")]
    CliActivate,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ApiKey => "api-key",
            AuthMethod::OauthPkce => "oauth-pkce",
            AuthMethod::CliActivate => "cli-activate",
        }
    }

    pub fn from_stored(value: &str) -> Option<Self> {
        [
            AuthMethod::ApiKey,
            AuthMethod::OauthPkce,
            AuthMethod::CliActivate,
        ]
        .into_iter()
        .find(|m| m.as_str() == value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_ids_round_trip() {
        for p in ProviderId::ALL {
            assert_eq!(ProviderId::parse(p.as_str(), "providerId").unwrap(), p);
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
        }
        assert!(ProviderId::parse("Anthropic", "providerId").is_err());
        assert!(ProviderId::parse("openai", "providerId").is_err());
    }
}
