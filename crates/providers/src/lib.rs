//! AI providers: the registry of which ones exist and are enabled here, and [`Upstream`],
//! which lists the models a credential can use and probes whether a provider accepts it.
//!
//! One adapter per provider (`anthropic`, `google`, `openrouter` — also serving deco's
//! OpenRouter-shaped gateway —, and a static `claude_code` list), all behind one trait and
//! one HTTP policy (`http`): every request goes to `{configured base of that provider}{fixed
//! path}`, credentials only in headers, redirects never followed, no proxy from the
//! environment, connect and total timeouts, bodies capped in size. Failures become an
//! [`UpstreamError`] that maps to the contract's error codes and never carries a secret.
//!
//! The same policy serves the account calls of `openrouter` and `deco`: OAuth PKCE consent
//! URLs and code exchange (`oauth`), balances and top-ups (`credits`). [`ClaudeCli`] finds
//! the local Claude Code CLI and asks it for its version and login state; the gateway's
//! `claude-code` prompts run through it ([`Upstream::claude_code_chat`], `claude_run`).

mod anthropic;
mod chat;
mod claude_cli;
mod claude_code;
mod claude_run;
mod claude_stream;
mod credits;
mod error;
mod google;
mod http;
mod oauth;
mod openrouter;
mod registry;
mod source;
mod upstream;
mod wire;

pub use chat::{ChatAnswer, ChatClient, ChatFailure, ChatLimits, ChatWire, FailureKind, classify};
pub use claude_cli::{ClaudeCli, CliStatus};
pub use claude_run::{CliRun, DEFAULT_PROMPT_TIMEOUT};
pub use error::UpstreamError;
pub use http::UpstreamLimits;
pub use registry::{ProviderInfo, ProviderRegistry, ProviderSettings};
pub use upstream::{DEFAULT_CLAUDE_MAX_CONCURRENT, Upstream};

/// Entry points for `benches/parse.rs` only: not part of the API, may change at any time.
#[doc(hidden)]
pub mod bench {
    use aiproviders_domain::{Model, ProviderId};

    use crate::UpstreamError;

    /// One Anthropic `GET /v1/models` page.
    pub fn anthropic_page(body: &[u8]) -> Result<Vec<Model>, UpstreamError> {
        crate::anthropic::parse_page(body).map(|page| page.models)
    }

    /// One Gemini `GET /v1beta/models` page (the first of a listing).
    pub fn google_page(body: &[u8]) -> Result<Vec<Model>, UpstreamError> {
        crate::google::parse_page(body, true).map(|page| page.models)
    }

    /// An OpenRouter-shaped `GET /api/v1/models` catalog.
    pub fn openrouter_models(body: &[u8]) -> Result<Vec<Model>, UpstreamError> {
        crate::openrouter::parse_models(ProviderId::OpenRouter, body)
    }
}
