use aiproviders_domain::{AuthMethod, ProviderId};

/// What a provider is and what it supports. Static facts, not settings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderInfo {
    pub id: ProviderId,
    pub name: &'static str,
    pub description: &'static str,
    pub supported_methods: &'static [AuthMethod],
    pub supports_credits: bool,
    pub supports_top_up: bool,
}

/// The settings that decide which providers are enabled and where they are reached.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    /// `DECO_AI_GATEWAY_ENABLED`: registers `deco`.
    pub deco_enabled: bool,
    /// `AIPROVIDERS_LOCAL_MODE`: registers `claude-code`.
    pub local_mode: bool,
    pub deco_url: String,
    pub anthropic_base_url: String,
    pub google_base_url: String,
    pub openrouter_base_url: String,
}

impl ProviderSettings {
    pub const DEFAULT_DECO_URL: &'static str = "https://ai-site.decocache.com";
    pub const DEFAULT_ANTHROPIC_BASE_URL: &'static str = "https://api.anthropic.com";
    pub const DEFAULT_GOOGLE_BASE_URL: &'static str = "https://generativelanguage.googleapis.com";
    pub const DEFAULT_OPENROUTER_BASE_URL: &'static str = "https://openrouter.ai";
}

const PROVIDERS: [ProviderInfo; 5] = [
    ProviderInfo {
        id: ProviderId::Deco,
        name: "Deco AI Gateway",
        description: "deco's AI gateway: many vendors' models behind one key, with prepaid credits.",
        supported_methods: &[AuthMethod::ApiKey, AuthMethod::OauthPkce],
        supports_credits: true,
        supports_top_up: true,
    },
    ProviderInfo {
        id: ProviderId::Anthropic,
        name: "Anthropic",
        description: "Claude models through the Anthropic API.",
        supported_methods: &[AuthMethod::ApiKey],
        supports_credits: false,
        supports_top_up: false,
    },
    ProviderInfo {
        id: ProviderId::Google,
        name: "Google",
        description: "Gemini models through the Gemini API (Google AI Studio keys).",
        supported_methods: &[AuthMethod::ApiKey],
        supports_credits: false,
        supports_top_up: false,
    },
    ProviderInfo {
        id: ProviderId::OpenRouter,
        name: "OpenRouter",
        description: "Hundreds of models from many vendors through one OpenRouter key.",
        supported_methods: &[AuthMethod::ApiKey, AuthMethod::OauthPkce],
        supports_credits: true,
        supports_top_up: false,
    },
    ProviderInfo {
        id: ProviderId::ClaudeCode,
        name: "Claude Code",
        description: "The Claude Code CLI logged in on this machine (local mode only).",
        supported_methods: &[AuthMethod::CliActivate],
        supports_credits: false,
        supports_top_up: false,
    },
];

/// The providers this deployment offers, in a stable order.
#[derive(Debug, Clone)]
pub struct ProviderRegistry {
    enabled: Vec<ProviderInfo>,
    settings: ProviderSettings,
}

impl ProviderRegistry {
    pub fn new(settings: ProviderSettings) -> Self {
        let enabled = PROVIDERS
            .iter()
            .filter(|p| match p.id {
                ProviderId::Deco => settings.deco_enabled,
                ProviderId::ClaudeCode => settings.local_mode,
                _ => true,
            })
            .cloned()
            .collect();
        Self { enabled, settings }
    }

    pub fn enabled(&self) -> &[ProviderInfo] {
        &self.enabled
    }

    /// The provider, if it is enabled here.
    pub fn get(&self, id: ProviderId) -> Option<&ProviderInfo> {
        self.enabled.iter().find(|p| p.id == id)
    }

    pub fn settings(&self) -> &ProviderSettings {
        &self.settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(deco_enabled: bool, local_mode: bool) -> ProviderSettings {
        ProviderSettings {
            deco_enabled,
            local_mode,
            deco_url: ProviderSettings::DEFAULT_DECO_URL.into(),
            anthropic_base_url: ProviderSettings::DEFAULT_ANTHROPIC_BASE_URL.into(),
            google_base_url: ProviderSettings::DEFAULT_GOOGLE_BASE_URL.into(),
            openrouter_base_url: ProviderSettings::DEFAULT_OPENROUTER_BASE_URL.into(),
        }
    }

    fn ids(registry: &ProviderRegistry) -> Vec<&'static str> {
        registry.enabled().iter().map(|p| p.id.as_str()).collect()
    }

    #[test]
    fn deco_and_claude_code_follow_their_switches() {
        assert_eq!(
            ids(&ProviderRegistry::new(settings(false, false))),
            ["anthropic", "google", "openrouter"]
        );
        assert_eq!(
            ids(&ProviderRegistry::new(settings(true, true))),
            ["deco", "anthropic", "google", "openrouter", "claude-code"]
        );
        assert!(
            ProviderRegistry::new(settings(false, true))
                .get(ProviderId::Deco)
                .is_none()
        );
    }
}
