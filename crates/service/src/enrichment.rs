//! The OpenRouter enrichment index, shared by every organization.
//!
//! The index is built from OpenRouter's public catalog. It is fetched when a model list is
//! fetched and the index is older than its TTL (concurrently with that fetch, so it adds no
//! latency of its own), its last good copy is kept in the database (so a restart, or a
//! replica, works while openrouter.ai is unreachable), and a failed fetch is not retried
//! for a minute. Every rebuilt index gets a new generation number; model lists enriched
//! with an older generation are enriched again on their next read (cheap: see
//! docs/PERFORMANCE.md).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aiproviders_catalog::enrich::CatalogIndex;
use aiproviders_catalog::stored;
use aiproviders_domain::{Model, Timestamp};
use aiproviders_providers::Upstream;
use aiproviders_store::Store;

/// The name of OpenRouter's catalog in `catalog_snapshots`.
const SNAPSHOT: &str = "openrouter";
/// No new fetch this long after a failed one.
const RETRY_PAUSE: Duration = Duration::from_secs(60);

pub(crate) struct Enrichment {
    ttl: Duration,
    current: Mutex<Current>,
    fetch_lock: tokio::sync::Mutex<()>,
}

struct Current {
    index: Arc<CatalogIndex>,
    generation: u64,
    fetched_at: Option<Timestamp>,
    loaded_snapshot: bool,
    quiet_until: Option<Instant>,
}

impl Enrichment {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            current: Mutex::new(Current {
                index: Arc::new(CatalogIndex::build(&[])),
                generation: 0,
                fetched_at: None,
                loaded_snapshot: false,
                quiet_until: None,
            }),
            fetch_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The index in use and its generation.
    pub(crate) fn index(&self) -> (Arc<CatalogIndex>, u64) {
        let current = self.lock();
        (current.index.clone(), current.generation)
    }

    /// Enriches a freshly fetched list with the current index.
    pub(crate) fn enrich(&self, raw: &[Model]) -> (Vec<Model>, u64) {
        let (index, generation) = self.index();
        let mut models = raw.to_vec();
        index.enrich(&mut models);
        (models, generation)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn needs_work(&self) -> bool {
        let current = self.lock();
        let fresh = current
            .fetched_at
            .is_some_and(|at| at.is_within(self.ttl, Timestamp::now()));
        let quiet = current.quiet_until.is_some_and(|t| Instant::now() < t);
        !(fresh || (quiet && current.loaded_snapshot))
    }

    fn install(&self, catalog: &[Model], fetched_at: Timestamp) {
        let index = Arc::new(CatalogIndex::build(catalog));
        let mut current = self.lock();
        current.index = index;
        current.generation += 1;
        current.fetched_at = Some(fetched_at);
    }

    /// Loads the database's last good copy once (after a restart, before the first use).
    pub(crate) async fn load_snapshot(&self, store: &Store) {
        if self.lock().loaded_snapshot {
            return;
        }
        let _fetching = self.fetch_lock.lock().await;
        if !self.lock().loaded_snapshot {
            self.load_snapshot_locked(store).await;
        }
    }

    async fn load_snapshot_locked(&self, store: &Store) {
        match store.catalog_snapshot(SNAPSHOT).await {
            Ok(Some((body, fetched_at))) => match stored::decode(&body) {
                Ok(catalog) => self.install(&catalog, fetched_at),
                Err(error) => tracing::warn!(%error, "ignoring the stored enrichment catalog"),
            },
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "could not read the stored enrichment catalog"),
        }
        self.lock().loaded_snapshot = true;
    }

    /// Makes the index current: from the database's last good copy first, then from
    /// OpenRouter when that copy is older than the TTL. Failures leave the index as it is
    /// (enrichment then fills less, and nothing else breaks).
    pub(crate) async fn refresh_if_due(&self, store: &Store, upstream: &Upstream) {
        if !self.needs_work() {
            return;
        }
        let _fetching = self.fetch_lock.lock().await;
        if !self.needs_work() {
            return;
        }
        if !self.lock().loaded_snapshot {
            self.load_snapshot_locked(store).await;
            if !self.needs_work() {
                return;
            }
        }
        match upstream.public_catalog().await {
            Ok(catalog) => {
                let now = Timestamp::now();
                self.install(&catalog, now);
                if let Err(error) = store
                    .save_catalog_snapshot(SNAPSHOT, &stored::encode(&catalog), now)
                    .await
                {
                    tracing::warn!(%error, "could not store the enrichment catalog");
                }
                tracing::info!(models = catalog.len(), "enrichment catalog updated");
            }
            Err(error) => {
                self.lock().quiet_until = Some(Instant::now() + RETRY_PAUSE);
                tracing::warn!(%error, "enrichment catalog unavailable; using the last good copy");
            }
        }
    }
}
