//! The in-memory side of the model cache: one slot per key.
//!
//! A slot holds the key's current list (raw as the provider gave it, and enriched with a
//! given generation of the enrichment index), a lock that makes concurrent fetches of the
//! same key one upstream call, and a flag that lets only one background refresh run. The
//! service does the IO (database, provider) around these; this module decides nothing
//! about where lists come from.
//!
//! A list belongs to one version of its key (`key_updated_at`): when the key is updated
//! (relabelled, or its secret stored again), a list of the older version is ignored, on
//! every replica, because every read compares it with the key record it just read.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aiproviders_domain::{KeyId, Model, Timestamp};

/// More keys than this in memory and the map is cleared (lists are reloaded from the
/// database on their next use).
const MAX_SLOTS: usize = 100_000;

/// A key's model list as fetched at one time.
#[derive(Debug)]
pub struct CachedList {
    /// As the provider gave them (this is what is stored).
    pub raw: Arc<Vec<Model>>,
    /// Enriched with `index_generation` of the enrichment index.
    pub models: Arc<Vec<Model>>,
    pub index_generation: u64,
    pub fetched_at: Timestamp,
    /// The `updatedAt` of the key the list was fetched with.
    pub key_updated_at: Timestamp,
}

/// One key's place in the cache.
#[derive(Default)]
pub struct Slot {
    current: Mutex<Option<Arc<CachedList>>>,
    /// Held while fetching from the provider (or loading from the database): whoever
    /// waits on it finds the list the holder stored.
    pub fetch_lock: tokio::sync::Mutex<()>,
    refreshing: AtomicBool,
    /// After a failed background refresh, no other is started before this time.
    quiet_until: Mutex<Option<Instant>>,
}

impl Slot {
    /// The current list, if it belongs to this version of the key.
    pub fn current(&self, key_updated_at: Timestamp) -> Option<Arc<CachedList>> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current
            .as_ref()
            .filter(|list| list.key_updated_at == key_updated_at)
            .cloned()
    }

    /// Replaces the current list, unless the one held is newer (a slower fetch finishing
    /// after a faster one must not roll the list back).
    pub fn store(&self, list: Arc<CachedList>) {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        let keep_old = current.as_ref().is_some_and(|old| {
            old.key_updated_at == list.key_updated_at && old.fetched_at > list.fetched_at
        });
        if !keep_old {
            *current = Some(list);
        }
    }

    /// Claims the right to run the one background refresh of this key. `None` when one
    /// is running, or when a refresh failed recently.
    pub fn begin_refresh(self: &Arc<Self>) -> Option<RefreshClaim> {
        let quiet = self.quiet_until.lock().unwrap_or_else(|p| p.into_inner());
        if quiet.is_some_and(|until| Instant::now() < until) {
            return None;
        }
        drop(quiet);
        self.refreshing
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .ok()
            .map(|_| RefreshClaim { slot: self.clone() })
    }
}

/// The right to refresh one key in the background; released when dropped.
pub struct RefreshClaim {
    slot: Arc<Slot>,
}

impl RefreshClaim {
    /// The refresh failed: do not start another one for `pause`.
    pub fn failed(&self, pause: Duration) {
        let mut quiet = self
            .slot
            .quiet_until
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        *quiet = Some(Instant::now() + pause);
    }
}

impl Drop for RefreshClaim {
    fn drop(&mut self) {
        self.slot.refreshing.store(false, Ordering::Release);
    }
}

/// Every key's slot.
pub struct ModelCache {
    ttl: Duration,
    slots: Mutex<HashMap<KeyId, Arc<Slot>>>,
}

impl ModelCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            slots: Mutex::new(HashMap::new()),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The key's slot, made on first use.
    pub fn slot(&self, key: &KeyId) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = slots.get(key) {
            return slot.clone();
        }
        if slots.len() >= MAX_SLOTS {
            slots.clear();
        }
        let slot = Arc::new(Slot::default());
        slots.insert(key.clone(), slot.clone());
        slot
    }

    /// Forgets a key (deleted or updated).
    pub fn forget(&self, key: &KeyId) {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.remove(key);
    }

    /// Whether a list fetched at `fetched_at` is still within the TTL at `now`.
    pub fn is_fresh(&self, fetched_at: Timestamp, now: Timestamp) -> bool {
        fetched_at.is_within(self.ttl, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(fetched_ms: i64, key_ms: i64) -> Arc<CachedList> {
        Arc::new(CachedList {
            raw: Arc::new(vec![]),
            models: Arc::new(vec![]),
            index_generation: 0,
            fetched_at: Timestamp::from_unix_millis(fetched_ms),
            key_updated_at: Timestamp::from_unix_millis(key_ms),
        })
    }

    #[test]
    fn lists_of_another_key_version_are_ignored_and_never_rolled_back() {
        let slot = Slot::default();
        slot.store(list(2_000, 1));
        assert!(slot.current(Timestamp::from_unix_millis(1)).is_some());
        assert!(slot.current(Timestamp::from_unix_millis(5)).is_none());
        slot.store(list(1_000, 1));
        let held = slot.current(Timestamp::from_unix_millis(1)).unwrap();
        assert_eq!(held.fetched_at.unix_millis(), 2_000);
        slot.store(list(500, 5));
        assert!(slot.current(Timestamp::from_unix_millis(5)).is_some());
    }

    #[test]
    fn one_refresh_at_a_time_and_a_pause_after_failure() {
        let slot = Arc::new(Slot::default());
        let claim = slot.begin_refresh().unwrap();
        assert!(slot.begin_refresh().is_none());
        drop(claim);
        let claim = slot.begin_refresh().unwrap();
        claim.failed(Duration::from_secs(60));
        drop(claim);
        assert!(slot.begin_refresh().is_none());
    }

    #[test]
    fn freshness_follows_the_ttl() {
        let cache = ModelCache::new(Duration::from_secs(600));
        let t0 = Timestamp::from_unix_millis(1_000_000);
        assert!(cache.is_fresh(t0, Timestamp::from_unix_millis(1_000_000 + 599_999)));
        assert!(!cache.is_fresh(t0, Timestamp::from_unix_millis(1_000_000 + 600_000)));
    }
}
