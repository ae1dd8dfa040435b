//! AI providers: the registry of which ones exist and are enabled here, and [`Upstream`],
//! which lists the models a credential can use and probes whether a provider accepts it.
//!
//! One adapter per provider (`anthropic`, `google`, `openrouter` — also serving deco's
//! OpenRouter-shaped gateway —, and a static `claude_code` list), all behind one trait and
//! one HTTP policy (`http`): every request goes to `{configured base of that provider}{fixed
//! path}`, credentials only in headers, redirects never followed, no proxy from the
//! environment, connect and total timeouts, bodies capped in size. Failures become an
//! [`UpstreamError`] that maps to the contract's error codes and never carries a secret.

mod anthropic;
mod claude_code;
mod error;
mod google;
mod http;
mod openrouter;
mod registry;
mod source;
mod upstream;
mod wire;

pub use error::UpstreamError;
pub use http::UpstreamLimits;
pub use registry::{ProviderInfo, ProviderRegistry, ProviderSettings};
pub use upstream::Upstream;
