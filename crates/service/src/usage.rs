//! Gateway usage: recorded off the request path (a channel to one writer task that stores
//! batches of up to 256 records, at least every second), and totals for
//! `AI_PROVIDER_USAGE`.

use std::time::Duration;

use aiproviders_domain::{InvalidInput, Timestamp};
use aiproviders_store::{Store, UsageGroup, UsageRecord, UsageTotals};
use tokio::sync::{mpsc, oneshot};

use crate::{Caller, ServiceError};

const BATCH: usize = 256;
const EVERY: Duration = Duration::from_secs(1);
/// Records waiting beyond this are dropped (and logged): the gateway never waits for them.
const QUEUE: usize = 65_536;

enum Command {
    Record(Box<UsageRecord>),
    Flush(oneshot::Sender<()>),
}

/// The handle the gateway records through.
#[derive(Clone)]
pub struct UsageRecorder {
    sender: mpsc::Sender<Command>,
}

impl UsageRecorder {
    pub(crate) fn start(store: Store) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(store, receiver));
        Self { sender }
    }

    /// Queues a record; never waits.
    pub fn record(&self, record: UsageRecord) {
        if self
            .sender
            .try_send(Command::Record(Box::new(record)))
            .is_err()
        {
            tracing::warn!("usage queue full or closed; a usage record was dropped");
        }
    }

    /// Waits until every record queued before this call is stored.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.sender.send(Command::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

async fn write_batches(store: Store, mut receiver: mpsc::Receiver<Command>) {
    let mut batch: Vec<UsageRecord> = Vec::with_capacity(BATCH);
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tokio::select! {
            command = receiver.recv() => match command {
                Some(Command::Record(record)) => {
                    batch.push(*record);
                    if batch.len() >= BATCH {
                        write(&store, &mut batch).await;
                    }
                }
                Some(Command::Flush(done)) => {
                    write(&store, &mut batch).await;
                    let _ = done.send(());
                }
                None => {
                    write(&store, &mut batch).await;
                    return;
                }
            },
            _ = tick.tick() => write(&store, &mut batch).await,
        }
    }
}

async fn write(store: &Store, batch: &mut Vec<UsageRecord>) {
    if batch.is_empty() {
        return;
    }
    if let Err(error) = store.insert_usage(batch).await {
        tracing::warn!(%error, records = batch.len(), "could not store usage records; dropped");
    }
    batch.clear();
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
