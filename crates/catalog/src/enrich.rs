//! Enrichment from OpenRouter's public catalog.
//!
//! Providers other than OpenRouter say little about their models (Anthropic gives no prices,
//! Gemini no prices either). The facts they leave out are filled in from the matching entry
//! of OpenRouter's public catalog (`GET /api/v1/models`), with
//! [`Model::fill_missing_from`]: a fact the provider gave is never overwritten, and a model
//! without a match is left as it is.
//!
//! # Which provider models are enriched
//!
//! | provider | catalog vendor | id looked up |
//! |---|---|---|
//! | `anthropic` | `anthropic` | the model id (`claude-sonnet-4-5-20250929`) |
//! | `google` | `google` | the model id, without a leading `models/` (`gemini-2.5-flash`) |
//! | `deco` | the part before the first `/` (`anthropic/claude-sonnet-4.5` → `anthropic`) | the rest (`claude-sonnet-4.5`); an id without `/` is not enriched |
//! | `openrouter` | — | never enriched: it *is* the catalog |
//! | `claude-code` | — | never enriched |
//!
//! # Id matching
//!
//! A catalog entry's id is `vendor/slug[:variant]` (`anthropic/claude-sonnet-4.5`,
//! `google/gemma-3-27b-it:free`). A provider model only ever matches entries of **its own
//! vendor** (compared ASCII-case-insensitively: `Anthropic` is `anthropic`, but an
//! `anthropic` model never matches `openai/…` or `google/…`, whatever the slug). Among
//! them, the first tier that matches wins:
//!
//! 1. **exact** — the slug, variant included, equals the model id (case-sensitive).
//! 2. **loose** — equal after case folding and turning `.` and `_` into `-`
//!    (`Claude-Sonnet-4.5` ≡ `claude-sonnet-4-5` ≡ `claude_sonnet_4.5`). Date suffixes
//!    are kept, so `claude-3-5-sonnet-20240620` prefers `anthropic/claude-3.5-sonnet-20240620`
//!    over `anthropic/claude-3.5-sonnet`.
//! 3. **normalized** — loose, and then every trailing stamp dropped, repeatedly from the end:
//!    `-YYYYMMDD` (`-20250514`), `-YYYY-MM-DD` (`-2024-08-06`), `@YYYYMMDD` (Vertex AI
//!    style, `@20240620`) and the word `-latest`. A date must be plausible (year 19xx or
//!    20xx, month 01–12, day 01–31), and a stamp is never dropped when nothing else would
//!    be left. This is what [`normalize`] computes.
//!
//! Entries with a `:variant` (`:free`, `:beta`, `:thinking`, `:extended`, `:nitro`, …) are
//! priced and limited differently from their base model, so they take part in tier 1 only
//! (a `deco` model `meta-llama/llama-3.3-70b-instruct:free` matches that entry; an
//! `anthropic` or `google` id never has a variant). Within a tier, the entry without a
//! variant wins, then the one with the shortest id, then the first in catalog order — so
//! the result never depends on hashing.
//!
//! Deliberately **not** equated:
//!
//! - short version stamps: `-001`, `-0613`, `-2407` name distinct snapshots, and OpenRouter
//!   lists some under their own ids (`google/gemini-2.0-flash-001`), so `gemini-2.0-flash`
//!   does not match `google/gemini-2.0-flash-001`;
//! - `-preview`, `-exp`, `-lite`, `-mini`, `-it` and other words: `gemini-2.5-pro` does not
//!   match `google/gemini-2.5-pro-preview`, `gemini-2.5-flash-lite` not
//!   `google/gemini-2.5-flash`;
//! - partial dates (`-preview-05-20`, `-09-2025`) and word order (`gemini-1.5-pro` vs
//!   `google/gemini-pro-1.5`);
//! - version numbers: `claude-opus-4-1` does not match `anthropic/claude-opus-4`, nor
//!   `claude-sonnet-4-20250514` `anthropic/claude-sonnet-4.5`.
//!
//! # Examples
//!
//! | provider model | catalog entry | tier |
//! |---|---|---|
//! | `anthropic` `claude-sonnet-4-5-20250929` | `anthropic/claude-sonnet-4.5` | normalized |
//! | `anthropic` `claude-3-5-sonnet-latest` | `anthropic/claude-3.5-sonnet` | normalized |
//! | `anthropic` `claude-3-7-sonnet-20250219` | `anthropic/claude-3.7-sonnet` (never `…:thinking`) | normalized |
//! | `anthropic` `Claude-Sonnet-4.5` | `anthropic/claude-sonnet-4.5` | loose |
//! | `google` `gemini-2.5-flash` | `google/gemini-2.5-flash` | exact |
//! | `deco` `openai/gpt-4o-2024-08-06` | `openai/gpt-4o` (when there is no `openai/gpt-4o-2024-08-06`) | normalized |
//! | `anthropic` `claude-sonnet-4-20250514` | not `anthropic/claude-sonnet-4.5` | — |
//!
//! ```
//! use aiproviders_catalog::enrich::normalize;
//!
//! assert_eq!(normalize("claude-sonnet-4-5-20250929"), "claude-sonnet-4-5");
//! assert_eq!(normalize("claude-sonnet-4.5"), "claude-sonnet-4-5");
//! assert_eq!(normalize("Claude-3-5-Sonnet-Latest"), "claude-3-5-sonnet");
//! assert_eq!(normalize("claude-3-5-sonnet@20240620"), "claude-3-5-sonnet");
//! assert_eq!(normalize("gpt-4o-2024-08-06"), "gpt-4o");
//! assert_eq!(normalize("model-20250101-latest"), "model");
//! assert_eq!(normalize("gemini-2.0-flash-001"), "gemini-2-0-flash-001");
//! assert_eq!(normalize("gpt-4-0613"), "gpt-4-0613");
//! ```
//!
//! # Cost
//!
//! The index is built once per catalog fetch (three hash maps per vendor) and shared. A
//! lookup hashes the id as given, and at most one small `String` is allocated for its
//! loose form, which is then truncated in place to the normalized form.

use std::borrow::Cow;
use std::collections::HashMap;

use aiproviders_domain::{Model, ProviderId};

mod normalize;
#[cfg(test)]
mod tests;

/// The normalized form of a model id (tier 3 of the matching rules in the
/// [module documentation](self)): case-folded, `.` and `_` turned into `-`, and trailing
/// `-YYYYMMDD`, `-YYYY-MM-DD`, `@YYYYMMDD` and `-latest` stamps dropped.
///
/// It works on any string and neither splits off a `vendor/` prefix nor removes a
/// `:variant` (`normalize("anthropic/claude-sonnet-4.5")` is
/// `"anthropic/claude-sonnet-4-5"`), so to match one model across providers compare the
/// normalized ids without their vendor prefix.
pub fn normalize(id: &str) -> String {
    let mut out = normalize::loose(id);
    normalize::strip_stamps(&mut out);
    out
}

/// OpenRouter's catalog, indexed for matching the models of other providers (see the
/// [module documentation](self)). Built once per catalog fetch and shared (it is `Send`
/// and `Sync`; wrap it in an `Arc`).
#[derive(Debug, Clone, Default)]
pub struct CatalogIndex {
    /// The indexed catalog entries, in catalog order.
    entries: Vec<Model>,
    /// By ASCII-lower-case vendor.
    vendors: HashMap<String, VendorIndex>,
}

/// One vendor's entries; values are indexes into [`CatalogIndex::entries`].
#[derive(Debug, Clone, Default)]
struct VendorIndex {
    /// Tier 1: by slug as given, variant included.
    exact: HashMap<String, usize>,
    /// Tier 2: by loose slug; entries without a variant only.
    loose: HashMap<String, usize>,
    /// Tier 3: by normalized slug; entries without a variant only.
    normalized: HashMap<String, usize>,
}

impl CatalogIndex {
    /// Indexes the catalog (OpenRouter models, ids like `anthropic/claude-sonnet-4.5`).
    /// Entries whose id has no non-empty `vendor/` prefix and slug cannot be matched and
    /// are left out.
    pub fn build(catalog: &[Model]) -> Self {
        let mut index = Self::default();
        for model in catalog {
            let Some((vendor, slug)) = split_vendor(model.model_id.as_str()) else {
                continue;
            };
            let position = index.entries.len();
            let rank = Rank::of(slug, position);
            let vendor_index = index
                .vendors
                .entry(vendor.to_ascii_lowercase())
                .or_default();
            let entries = &index.entries;
            let insert = |map: &mut HashMap<String, usize>, key: String| {
                map.entry(key)
                    .and_modify(|current| {
                        if rank < Rank::of_entry(&entries[*current], *current) {
                            *current = position;
                        }
                    })
                    .or_insert(position);
            };
            insert(&mut vendor_index.exact, slug.to_owned());
            if !has_variant(slug) {
                let loose = normalize::loose(slug);
                let mut normalized = loose.clone();
                normalize::strip_stamps(&mut normalized);
                insert(&mut vendor_index.loose, loose);
                insert(&mut vendor_index.normalized, normalized);
            }
            index.entries.push(model.clone());
        }
        index
    }

    /// Number of indexed catalog entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The catalog entry for a model named `model_id` by `vendor` (the catalog's vendor
    /// prefix, e.g. `anthropic` for an Anthropic model), if any, by the tiers of the
    /// [module documentation](self).
    pub fn find(&self, vendor: &str, model_id: &str) -> Option<&Model> {
        if model_id.is_empty() {
            return None;
        }
        let vendor: Cow<'_, str> = if vendor.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(vendor.to_ascii_lowercase())
        } else {
            Cow::Borrowed(vendor)
        };
        let index = self.vendors.get(vendor.as_ref())?;
        let found = index.exact.get(model_id).or_else(|| {
            let mut key = normalize::loose(model_id);
            index.loose.get(&key).or_else(|| {
                normalize::strip_stamps(&mut key);
                index.normalized.get(&key)
            })
        });
        found.map(|&position| &self.entries[position])
    }

    /// Fills the missing facts of every model from its catalog entry
    /// ([`Model::fill_missing_from`]); models without a match, and those of `openrouter`
    /// and `claude-code`, are left as they are. Which vendor and id are looked up for each
    /// provider is in the [module documentation](self).
    pub fn enrich(&self, models: &mut [Model]) {
        if self.is_empty() {
            return;
        }
        for model in models.iter_mut() {
            if let Some(entry) = self.entry_for(model) {
                model.fill_missing_from(entry);
            }
        }
    }

    fn entry_for(&self, model: &Model) -> Option<&Model> {
        let id = model.model_id.as_str();
        match model.provider_id {
            ProviderId::Anthropic => self.find("anthropic", id),
            ProviderId::Google => self.find("google", id.strip_prefix("models/").unwrap_or(id)),
            ProviderId::Deco => {
                let (vendor, slug) = split_vendor(id)?;
                self.find(vendor, slug)
            }
            ProviderId::OpenRouter | ProviderId::ClaudeCode => None,
        }
    }
}

/// `vendor/slug` split at the first `/`; both parts non-empty.
fn split_vendor(id: &str) -> Option<(&str, &str)> {
    id.split_once('/')
        .filter(|(vendor, slug)| !vendor.is_empty() && !slug.is_empty())
}

fn has_variant(slug: &str) -> bool {
    slug.contains(':')
}

/// Preference among catalog entries matching in the same tier: lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    variant: bool,
    len: usize,
    position: usize,
}

impl Rank {
    fn of(slug: &str, position: usize) -> Self {
        Self {
            variant: has_variant(slug),
            len: slug.len(),
            position,
        }
    }

    fn of_entry(entry: &Model, position: usize) -> Self {
        let slug = split_vendor(entry.model_id.as_str()).map_or("", |(_, slug)| slug);
        Self::of(slug, position)
    }
}
