//! AI providers: the registry of which ones exist and are enabled, and (in later work) one
//! adapter per provider behind one trait, each calling only its own configured base URL.

mod registry;

pub use registry::{ProviderInfo, ProviderRegistry, ProviderSettings};
