//! The rendered `AI_PROVIDER_KEY_LIST` output of each organization's current key-list
//! snapshot. Rendering a thousand key records (structured value and text) costs more than
//! the rest of the call; the snapshot only changes when a key does, so the rendering is
//! kept with it. An entry is used only for the very snapshot it was made from (the entry
//! holds that snapshot, so the identity check cannot be fooled by a reused address).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aiproviders_domain::OrgId;
use aiproviders_service::KeyListSnapshot;

use crate::result::Output;

const MAX_ORGS: usize = 1024;

/// A rendering and the snapshot it was made from.
type Entry = (Arc<KeyListSnapshot>, Output);

#[derive(Clone, Default)]
pub struct KeyListRenderCache {
    entries: Arc<Mutex<HashMap<OrgId, Entry>>>,
}

impl KeyListRenderCache {
    pub fn get(&self, org: &OrgId, snapshot: &Arc<KeyListSnapshot>) -> Option<Output> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(org)
            .filter(|(cached, _)| Arc::ptr_eq(cached, snapshot))
            .map(|(_, output)| output.clone())
    }

    pub fn put(&self, org: &OrgId, snapshot: Arc<KeyListSnapshot>, output: Output) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ORGS && !entries.contains_key(org) {
            entries.clear();
        }
        entries.insert(org.clone(), (snapshot, output));
    }
}
