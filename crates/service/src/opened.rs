//! Decrypted provider keys, kept for a short time so that the gateway does not decrypt a key
//! on every attempt.
//!
//! A key is opened (decrypted) at most once per [`OPENED_SECRET_TTL`] while it is in use;
//! every attempt in between shares the same [`ApiKey`] through an `Arc`. An entry is dropped
//! when it expires: on the next lookup of that key, or by [`OpenedSecrets::sweep`], which a
//! task started with the services (`Services::start`) runs every [`OPENED_SECRET_TTL`], so
//! no decrypted key outlives twice the TTL, traffic or not. `ApiKey` zeroizes its memory when
//! the last holder (the cache, or an attempt still in flight) drops it. Entries are per key
//! and organization: a lookup by another organization finds nothing.
//!
//! Correctness: a key's secret never changes once stored (a new secret is a new key id), so
//! the only staleness is a deleted key, which [`OpenedSecrets::forget`] drops at once on this
//! process; on other replicas the deleted key is no longer offered, so no attempt uses it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aiproviders_domain::{ApiKey, KeyId, OrgId};

/// How long a decrypted key is kept after it was opened.
pub const OPENED_SECRET_TTL: Duration = Duration::from_secs(60);

/// Past this many keys the map is cleared (cheap, and rare).
const MAX_KEYS: usize = 4096;

#[derive(Default)]
pub(crate) struct OpenedSecrets {
    keys: Mutex<HashMap<KeyId, Opened>>,
}

struct Opened {
    org: OrgId,
    secret: Arc<ApiKey>,
    until: Instant,
}

impl OpenedSecrets {
    /// The key's decrypted secret, if this organization's and opened less than the TTL ago.
    pub(crate) fn get(&self, org: &OrgId, key: &KeyId, now: Instant) -> Option<Arc<ApiKey>> {
        let mut keys = self.lock();
        let opened = keys.get(key)?;
        if opened.until <= now {
            keys.remove(key);
            return None;
        }
        (opened.org == *org).then(|| opened.secret.clone())
    }

    pub(crate) fn put(&self, org: &OrgId, key: &KeyId, secret: Arc<ApiKey>, now: Instant) {
        let mut keys = self.lock();
        if keys.len() >= MAX_KEYS && !keys.contains_key(key) {
            keys.clear();
        }
        keys.insert(
            key.clone(),
            Opened {
                org: org.clone(),
                secret,
                until: now + OPENED_SECRET_TTL,
            },
        );
    }

    /// Drops a key's decrypted secret (the key was deleted).
    pub(crate) fn forget(&self, key: &KeyId) {
        self.lock().remove(key);
    }

    /// Drops every expired entry; returns how many decrypted keys are still held.
    pub(crate) fn sweep(&self, now: Instant) -> usize {
        let mut keys = self.lock();
        keys.retain(|_, opened| opened.until > now);
        keys.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<KeyId, Opened>> {
        self.keys.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (OrgId, OrgId, KeyId) {
        (
            OrgId::parse(&format!("org_{:0>32}", "a"), "o").unwrap(),
            OrgId::parse(&format!("org_{:0>32}", "b"), "o").unwrap(),
            KeyId::parse(&format!("aik_{:0>32}", "1"), "k").unwrap(),
        )
    }

    fn secret() -> Arc<ApiKey> {
        Arc::new(ApiKey::parse("sk-test-secret-value".to_owned(), "apiKey").unwrap())
    }

    #[test]
    fn shared_until_it_expires_and_only_with_its_organization() {
        let (org, other, key) = ids();
        let opened = OpenedSecrets::default();
        let start = Instant::now();
        let secret = secret();
        opened.put(&org, &key, secret.clone(), start);
        let again = opened
            .get(&org, &key, start + Duration::from_secs(1))
            .unwrap();
        assert!(Arc::ptr_eq(&again, &secret));
        assert!(opened.get(&other, &key, start).is_none());
        drop(again);
        // Expired: gone, and the cache no longer holds it.
        assert!(opened.get(&org, &key, start + OPENED_SECRET_TTL).is_none());
        assert_eq!(Arc::strong_count(&secret), 1);
    }

    #[test]
    fn a_sweep_drops_what_expired_and_forget_drops_at_once() {
        let (org, _, key) = ids();
        let other_key = KeyId::parse(&format!("aik_{:0>32}", "2"), "k").unwrap();
        let opened = OpenedSecrets::default();
        let start = Instant::now();
        let old = secret();
        opened.put(&org, &key, old.clone(), start);
        opened.put(&org, &other_key, secret(), start + Duration::from_secs(30));
        assert_eq!(opened.sweep(start + OPENED_SECRET_TTL), 1);
        assert_eq!(Arc::strong_count(&old), 1);
        opened.forget(&other_key);
        assert_eq!(opened.sweep(start + OPENED_SECRET_TTL), 0);
    }
}
