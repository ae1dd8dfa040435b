//! Rendered outputs of the big read tools, kept with what they were rendered from.
//!
//! Rendering a thousand key records or four hundred models (structured value and text)
//! costs more than the rest of the call, and both change rarely:
//!
//! - `AI_PROVIDER_KEY_LIST`: per organization, for its current key-list snapshot.
//! - `AI_PROVIDERS_LIST_MODELS`: per (key, role), for one model list, one policy and one
//!   staleness (see `ModelListing::same_view`).
//!
//! An entry is used only for the very source it was made from (the entry holds that
//! source, so the identity check cannot be fooled by a reused address).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use aiproviders_domain::{KeyId, OrgId, Role};
use aiproviders_service::{KeyListSnapshot, ModelListing};

use crate::result::Output;

const MAX_ENTRIES: usize = 4096;

/// A bounded map from a key to a rendering and the source it was made from.
struct Renders<K, S> {
    entries: Mutex<HashMap<K, (S, Output)>>,
}

impl<K: Eq + Hash, S> Default for Renders<K, S> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, S> Renders<K, S> {
    fn get(&self, key: &K, same: impl Fn(&S) -> bool) -> Option<Output> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|(source, _)| same(source))
            .map(|(_, output)| output.clone())
    }

    fn put(&self, key: K, source: S, output: Output) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (source, output));
    }
}

#[derive(Clone, Default)]
pub struct RenderCache {
    key_lists: Arc<Renders<OrgId, Arc<KeyListSnapshot>>>,
    model_lists: Arc<Renders<(KeyId, Role), ModelListing>>,
}

impl RenderCache {
    pub fn key_list(&self, org: &OrgId, snapshot: &Arc<KeyListSnapshot>) -> Option<Output> {
        self.key_lists
            .get(org, |cached| Arc::ptr_eq(cached, snapshot))
    }

    pub fn put_key_list(&self, org: &OrgId, snapshot: Arc<KeyListSnapshot>, output: Output) {
        self.key_lists.put(org.clone(), snapshot, output);
    }

    pub fn model_list(&self, listing: &ModelListing) -> Option<Output> {
        let key = (listing.key_id().clone(), listing.role());
        self.model_lists
            .get(&key, |cached| cached.same_view(listing))
    }

    pub fn put_model_list(&self, listing: ModelListing, output: Output) {
        let key = (listing.key_id().clone(), listing.role());
        self.model_lists.put(key, listing, output);
    }
}
