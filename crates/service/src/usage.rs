//! Gateway usage: recorded off the request path (into a shared buffer that one writer task
//! stores in batches: when 256 records wait, and at least every second), and totals for
//! `AI_PROVIDER_USAGE`.
//!
//! Recording is a push under a mutex; the writer is woken only when a batch is full (or by
//! its timer), not once per request: a wake-up per request was a measurable part of the
//! gateway's CPU.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use aiproviders_domain::{InvalidInput, Timestamp};
use aiproviders_store::{Store, UsageGroup, UsageRecord, UsageTotals};
use tokio::sync::Notify;

use crate::{Caller, ServiceError};

const BATCH: usize = 256;
const EVERY: Duration = Duration::from_secs(1);
/// Records waiting beyond this are dropped (and logged): the gateway never waits for them.
const QUEUE: usize = 65_536;

struct Shared {
    store: Store,
    waiting: Mutex<Vec<UsageRecord>>,
    /// Rung when a batch is full.
    batch_full: Notify,
    /// Held while a batch is being stored, so that `flush` also waits for a batch taken
    /// just before it.
    writing: tokio::sync::Mutex<()>,
}

impl Shared {
    fn waiting(&self) -> MutexGuard<'_, Vec<UsageRecord>> {
        // A push or a take cannot leave the vector half-changed.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores everything waiting now.
    async fn write(&self) {
        let _writing = self.writing.lock().await;
        let batch = std::mem::take(&mut *self.waiting());
        if batch.is_empty() {
            return;
        }
        if let Err(error) = self.store.insert_usage(&batch).await {
            tracing::warn!(%error, records = batch.len(), "could not store usage records; dropped");
        }
    }
}

/// The handle the gateway records through.
#[derive(Clone)]
pub struct UsageRecorder {
    shared: Arc<Shared>,
}

impl UsageRecorder {
    pub(crate) fn start(store: Store) -> Self {
        let shared = Arc::new(Shared {
            store,
            waiting: Mutex::new(Vec::with_capacity(BATCH)),
            batch_full: Notify::new(),
            writing: tokio::sync::Mutex::new(()),
        });
        tokio::spawn(write_batches(shared.clone()));
        Self { shared }
    }

    /// Queues a record; never waits.
    pub fn record(&self, record: UsageRecord) {
        let waiting = {
            let mut waiting = self.shared.waiting();
            if waiting.len() >= QUEUE {
                drop(waiting);
                tracing::warn!("usage queue full; a usage record was dropped");
                return;
            }
            waiting.push(record);
            waiting.len()
        };
        if waiting == BATCH {
            self.shared.batch_full.notify_one();
        }
    }

    /// Waits until every record queued before this call is stored.
    pub async fn flush(&self) {
        self.shared.write().await;
    }
}

/// Stores a batch when one is full, and whatever waits every [`EVERY`], for as long as the
/// runtime runs (the server flushes what is left when it stops).
async fn write_batches(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shared.batch_full.notified() => {}
            _ = tick.tick() => {}
        }
        shared.write().await;
    }
}

impl Caller<'_> {
    /// Usage totals grouped by model, key, provider or user. Owners and admins see the
    /// organization's; members their own requests.
    pub async fn usage(
        &self,
        since: Option<&str>,
        until: Option<&str>,
        group_by: &str,
    ) -> Result<Vec<UsageTotals>, ServiceError> {
        let group = match group_by {
            "model" => UsageGroup::Model,
            "key" => UsageGroup::Key,
            "provider" => UsageGroup::Provider,
            "user" => UsageGroup::User,
            _ => {
                return Err(
                    InvalidInput::new("groupBy", "must be model, key, provider or user").into(),
                );
            }
        };
        let time = |value: Option<&str>, field: &str| {
            value
                .map(|v| Timestamp::parse_rfc3339(v, field))
                .transpose()
        };
        let since = time(since, "since")?;
        let until = time(until, "until")?;
        // Requests this replica answered a moment ago are stored first.
        self.services.usage.flush().await;
        let user = (!self.principal.role().may_write()).then(|| self.principal.user_id());
        Ok(self.org.usage_totals(group, since, until, user).await?)
    }
}
