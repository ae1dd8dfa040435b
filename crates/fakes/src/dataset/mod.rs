//! What the fakes serve: the model catalogs, built deterministically from a [`Dataset`].
//!
//! Every catalog starts with models that exist at the real provider (with their real ids) and
//! is then filled up with generated ones. Everything is derived from the id or the index, so a
//! test can compute the value it expects (see [`openrouter_catalog_entry`]).

mod anthropic;
mod google;
mod openrouter;

use serde_json::Value;

pub use anthropic::{ANTHROPIC_REAL_MODELS, anthropic_test_model_id};
pub use google::{GOOGLE_EMBEDDING_ONLY_MODELS, GOOGLE_REAL_MODELS, google_test_model_id};
pub use openrouter::usd_per_token;

/// Sizes of the fake catalogs and the page caps of the paginated providers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    /// Models listed by the Anthropic fake: the real ones first, then `claude-test-NNN-20250101`.
    pub anthropic_models: usize,
    /// Models listed by the Gemini fake: the real ones first, then `gemini-test-NNN`.
    pub google_models: usize,
    /// Total OpenRouter catalog size; never less than the named entries plus one entry per
    /// generated Anthropic/Gemini test model.
    pub openrouter_models: usize,
    /// Models listed by the Deco gateway fake.
    pub deco_models: usize,
    /// Largest Anthropic page, whatever `limit` the client asks for (0 is treated as 1).
    pub anthropic_page_cap: usize,
    /// Largest Gemini page, whatever `pageSize` the client asks for (0 is treated as 1).
    pub google_page_cap: usize,
}

impl Default for Dataset {
    fn default() -> Self {
        Self {
            anthropic_models: 45,
            google_models: 40,
            openrouter_models: 320,
            deco_models: 60,
            anthropic_page_cap: 20,
            google_page_cap: 15,
        }
    }
}

impl Dataset {
    /// The `ModelInfo` objects of `GET /v1/models`, in listing order.
    pub fn anthropic_catalog(&self) -> Vec<Value> {
        anthropic::catalog(self.anthropic_models)
    }

    /// The `Model` objects of `GET /v1beta/models`, in listing order.
    pub fn google_catalog(&self) -> Vec<Value> {
        google::catalog(self.google_models)
    }

    /// The OpenRouter `GET /api/v1/models` `data` entries, in listing order.
    pub fn openrouter_catalog(&self) -> Vec<Value> {
        openrouter::catalog(self)
    }

    /// The Deco gateway `GET /api/v1/models` `data` entries, in listing order.
    pub fn deco_catalog(&self) -> Vec<Value> {
        openrouter::deco_catalog(self.deco_models)
    }

    /// The OpenRouter entry with this id, if this dataset lists it.
    pub fn openrouter_entry(&self, id: &str) -> Option<Value> {
        self.openrouter_catalog()
            .into_iter()
            .find(|m| m["id"] == id)
    }

    /// The Deco gateway entry with this id, if this dataset lists it.
    pub fn deco_entry(&self, id: &str) -> Option<Value> {
        self.deco_catalog().into_iter().find(|m| m["id"] == id)
    }
}

/// The OpenRouter entry with this id in the default [`Dataset`], e.g.
/// `openrouter_catalog_entry("anthropic/claude-sonnet-4.5")`.
pub fn openrouter_catalog_entry(id: &str) -> Option<Value> {
    Dataset::default().openrouter_entry(id)
}

/// The number of generated models after `real` real ones to reach `total`.
fn generated(total: usize, real: usize) -> usize {
    total.saturating_sub(real)
}
