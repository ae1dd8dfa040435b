//! In-memory caches that stay correct across replicas.
//!
//! - Key lists: a snapshot per organization, tagged with the organization's `keys_version`
//!   (bumped by a database trigger on every key change). A reader first reads the version
//!   (one indexed row) and uses the snapshot only if it carries that version, so a change
//!   made through any replica is seen at once.
//! - Data keys: an organization's data key never changes once made (rotation will re-wrap
//!   it, not replace it), so the unwrapped key is kept. It is zeroized when dropped.
//!
//! - Policies: the parsed policy per organization, tagged with its `policy_version`.
//!
//! All are bounded: past `MAX_ORGS` entries the map is cleared (cheap, and rare).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aiproviders_catalog::cache::CachedList;
use aiproviders_domain::{KeyId, KeyRecord, OrgId, Policy, ProviderId, Role, Timestamp};
use aiproviders_store::{OrgVersions, StoredCredential};

use crate::routing::Offers;
use aiproviders_vault::DataKey;

use crate::credits::Credits;
use serde::ser::{Serialize, SerializeSeq, Serializer};

const MAX_ORGS: usize = 1024;

/// An organization's keys (newest first) as of a `keys_version`.
#[derive(Debug)]
pub struct KeyListSnapshot {
    pub version: i64,
    pub keys: Vec<KeyRecord>,
}

/// The keys a caller asked for: a snapshot, optionally narrowed to one provider.
/// Serializes as a JSON array of key records.
#[derive(Debug, Clone)]
pub struct KeyList {
    snapshot: Arc<KeyListSnapshot>,
    provider: Option<ProviderId>,
}

impl KeyListSnapshot {
    /// One key of the snapshot.
    pub fn find(&self, id: &KeyId) -> Option<&KeyRecord> {
        self.keys.iter().find(|k| &k.id == id)
    }
}

impl KeyList {
    pub fn iter(&self) -> impl Iterator<Item = &KeyRecord> {
        self.snapshot
            .keys
            .iter()
            .filter(move |k| self.provider.is_none_or(|p| k.provider_id == p))
    }

    /// The snapshot behind this list (shared by every caller that saw the same version).
    pub fn snapshot(&self) -> &Arc<KeyListSnapshot> {
        &self.snapshot
    }

    /// Whether this is the whole snapshot, not narrowed to one provider.
    pub fn is_whole(&self) -> bool {
        self.provider.is_none()
    }
}

impl Serialize for KeyList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for key in self.iter() {
            seq.serialize_element(key)?;
        }
        seq.end()
    }
}

#[derive(Default)]
pub(crate) struct Caches {
    key_lists: Mutex<HashMap<OrgId, Arc<KeyListSnapshot>>>,
    data_keys: Mutex<HashMap<OrgId, Arc<DataKey>>>,
    policies: Mutex<HashMap<OrgId, (i64, Arc<Policy>)>>,
    balances: Mutex<HashMap<KeyId, (Timestamp, Credits)>>,
    offers: Mutex<HashMap<OffersKey, OffersEntry>>,
    credentials: Mutex<HashMap<KeyId, (OrgId, SealedCredential)>>,
}

/// A key's provider and sealed secret, as stored (they never change for a key id).
pub(crate) type SealedCredential = Arc<StoredCredential>;

type OffersKey = (OrgId, Role);

/// The offers of an organization for a role, and everything they were built from.
struct OffersEntry {
    versions: OrgVersions,
    policy: Arc<Policy>,
    lists: Vec<Option<Arc<CachedList>>>,
    offers: Arc<Offers>,
}

fn insert_bounded<K: Clone + Eq + std::hash::Hash, V>(
    map: &Mutex<HashMap<K, V>>,
    org: &K,
    value: V,
) {
    let mut map = map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if map.len() >= MAX_ORGS && !map.contains_key(org) {
        map.clear();
    }
    map.insert(org.clone(), value);
}

impl Caches {
    pub(crate) fn key_list(&self, org: &OrgId, version: i64) -> Option<Arc<KeyListSnapshot>> {
        let map = self.key_lists.lock().unwrap_or_else(|p| p.into_inner());
        map.get(org).filter(|s| s.version == version).cloned()
    }

    pub(crate) fn put_key_list(&self, org: &OrgId, snapshot: Arc<KeyListSnapshot>) {
        insert_bounded(&self.key_lists, org, snapshot);
    }

    pub(crate) fn data_key(&self, org: &OrgId) -> Option<Arc<DataKey>> {
        let map = self.data_keys.lock().unwrap_or_else(|p| p.into_inner());
        map.get(org).cloned()
    }

    pub(crate) fn put_data_key(&self, org: &OrgId, key: Arc<DataKey>) {
        insert_bounded(&self.data_keys, org, key);
    }

    pub(crate) fn policy(&self, org: &OrgId, version: i64) -> Option<Arc<Policy>> {
        let map = self.policies.lock().unwrap_or_else(|p| p.into_inner());
        map.get(org)
            .filter(|(v, _)| *v == version)
            .map(|(_, p)| p.clone())
    }

    /// A key's sealed credential, if this organization's and seen before.
    pub(crate) fn credential(&self, org: &OrgId, key: &KeyId) -> Option<SealedCredential> {
        let map = self.credentials.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(owner, _)| owner == org)
            .map(|(_, c)| c.clone())
    }

    pub(crate) fn put_credential(&self, org: &OrgId, key: &KeyId, credential: SealedCredential) {
        insert_bounded(&self.credentials, key, (org.clone(), credential));
    }

    pub(crate) fn forget_credential(&self, key: &KeyId) {
        let mut map = self.credentials.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(key);
    }

    /// The offers built from exactly these versions, policy and lists, if any.
    pub(crate) fn offers(
        &self,
        key: &OffersKey,
        versions: &OrgVersions,
        policy: &Arc<Policy>,
        lists: &[Option<Arc<CachedList>>],
    ) -> Option<Arc<Offers>> {
        let map = self.offers.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.get(key)?;
        let same_lists = entry.lists.len() == lists.len()
            && entry.lists.iter().zip(lists).all(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            });
        (entry.versions == *versions && Arc::ptr_eq(&entry.policy, policy) && same_lists)
            .then(|| entry.offers.clone())
    }

    pub(crate) fn put_offers(
        &self,
        key: OffersKey,
        versions: OrgVersions,
        policy: Arc<Policy>,
        lists: Vec<Option<Arc<CachedList>>>,
        offers: Arc<Offers>,
    ) {
        let entry = OffersEntry {
            versions,
            policy,
            lists,
            offers,
        };
        insert_bounded(&self.offers, &key, entry);
    }

    /// A key's cached balance, if it was fetched with this version of the key.
    pub(crate) fn balance(&self, key: &KeyId, key_updated_at: Timestamp) -> Option<Credits> {
        let map = self.balances.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(at, _)| *at == key_updated_at)
            .map(|(_, c)| *c)
    }

    pub(crate) fn put_balance(&self, key: &KeyId, key_updated_at: Timestamp, credits: Credits) {
        insert_bounded(&self.balances, key, (key_updated_at, credits));
    }

    pub(crate) fn put_policy(&self, org: &OrgId, version: i64, policy: Arc<Policy>) {
        insert_bounded(&self.policies, org, (version, policy));
    }
}

impl KeyList {
    pub(crate) fn new(snapshot: Arc<KeyListSnapshot>, provider: Option<ProviderId>) -> Self {
        Self { snapshot, provider }
    }
}
