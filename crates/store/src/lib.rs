//! Storage of aiproviders: one interface, two backends (SQLite and PostgreSQL), chosen by
//! `DATABASE_URL`.
//!
//! Both backends run the same SQL (placeholders are `$1…`, times are Unix milliseconds,
//! ids are text), so every query is written once and dispatched to the backend's pool by
//! the `on_reader!`/`on_writer!` macros. Migrations live in `migrations/<backend>/`.
//!
//! Organization scoping has one door: everything an organization owns is reached through
//! [`OrgStore`], which is built only from an authenticated [`Principal`] and puts its
//! organization id into every query. The administrative functions on [`Store`] (creating
//! organizations and tokens) are for the CLI, not for request handlers.

/// Runs the same query text on whichever backend the store has, with a reading connection.
/// `$body` is compiled once per backend, with `$pool` bound to that backend's pool.
macro_rules! on_reader {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.backend {
            $crate::backend::Backend::Sqlite { read: $pool, .. } => $body,
            $crate::backend::Backend::Postgres($pool) => $body,
        }
    };
}

/// Like [`on_reader!`], with the connection that may write.
macro_rules! on_writer {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.backend {
            $crate::backend::Backend::Sqlite { write: $pool, .. } => $body,
            $crate::backend::Backend::Postgres($pool) => $body,
        }
    };
}

mod audit;
mod backend;
mod changes;
mod error;
mod keys;
mod models;
mod oauth;
mod orgs;
mod sessions;
mod usage;

pub use audit::{AuditCursor, NewAuditEvent};
pub use backend::{DatabaseKind, DatabaseUrl};
pub use error::StoreError;
pub use keys::NewKey;
pub use models::{OrgVersions, StoredCredential, StoredModelList};
pub use oauth::{NewOAuthState, OAuthState};
pub use orgs::{Organization, TokenInfo};
pub use usage::{UsageGroup, UsageRecord, UsageTotals};

use std::sync::Arc;
use std::time::{Duration, Instant};

use aiproviders_domain::{OrgId, Principal};
use backend::Backend;
use changes::{ChangeBoard, OrgCounters};

/// How often a server polls the organizations' change counters by default.
pub const DEFAULT_CHANGE_POLL: Duration = Duration::from_millis(100);

/// The database, shared by every request.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// What this process knows of the organizations' change counters (see `changes.rs`).
    changes: Arc<ChangeBoard>,
}

/// The part of the store that belongs to one organization. Every method filters on the
/// organization of the principal it was made for.
#[derive(Clone, Copy)]
pub struct OrgStore<'a> {
    store: &'a Store,
    org: &'a OrgId,
}

impl Store {
    /// Opens (and for SQLite creates) the database. Does not migrate.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, StoreError> {
        Ok(Self {
            backend: Backend::connect(url).await?,
            changes: Arc::new(ChangeBoard::new(DEFAULT_CHANGE_POLL)),
        })
    }

    /// Sets how often [`Store::poll_changes`] is meant to run; zero turns the in-memory
    /// board off (every authentication and version read goes to the database). Nothing on
    /// the board is trusted until a poll has succeeded, so a store that is never polled (the
    /// CLI's) always reads the database.
    pub fn with_change_poll(mut self, interval: Duration) -> Self {
        self.changes = Arc::new(ChangeBoard::new(interval));
        self
    }

    /// Reads the change counters of every organization on the board and applies them: a
    /// revoked token, or a key or policy changed by another process, is seen here after
    /// this. A failure distrusts the board until a poll succeeds. Run every poll interval by
    /// the server.
    pub async fn poll_changes(&self) -> Result<(), StoreError> {
        if !self.changes.enabled() {
            return Ok(());
        }
        let began = Instant::now();
        let orgs = self.changes.orgs_to_poll();
        let rows = if orgs.is_empty() {
            Ok(Vec::new())
        } else {
            self.read_counters(&orgs).await
        };
        match rows {
            Ok(rows) => {
                self.changes.polled(began, &orgs, rows);
                Ok(())
            }
            Err(error) => {
                self.changes.poll_failed();
                Err(error)
            }
        }
    }

    async fn read_counters(&self, orgs: &[OrgId]) -> Result<Vec<(OrgId, OrgCounters)>, StoreError> {
        type Row = (String, i64, i64, i64);
        macro_rules! counters_where {
            ($filter:literal) => {
                concat!(
                    "SELECT id, keys_version, policy_version, tokens_version FROM organizations WHERE ",
                    $filter
                )
            };
        }
        let ids: Vec<&str> = orgs.iter().map(OrgId::as_str).collect();
        let rows: Vec<Row> = match &self.backend {
            Backend::Sqlite { read, .. } => {
                let ids =
                    serde_json::to_string(&ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                sqlx::query_as(counters_where!("id IN (SELECT value FROM json_each($1))"))
                    .bind(ids)
                    .fetch_all(read)
                    .await?
            }
            Backend::Postgres(pool) => {
                sqlx::query_as(counters_where!("id = ANY($1)"))
                    .bind(ids)
                    .fetch_all(pool)
                    .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(id, keys, policy, tokens)| {
                (
                    OrgId::from_trusted(id),
                    OrgCounters {
                        versions: OrgVersions { keys, policy },
                        tokens,
                    },
                )
            })
            .collect())
    }

    pub fn kind(&self) -> DatabaseKind {
        self.backend.kind()
    }

    /// Applies pending migrations (serialized across processes by the backend's lock).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.backend.migrate().await
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_reader!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The handle for the principal's organization.
    pub fn scoped<'a>(&'a self, principal: &'a Principal) -> OrgStore<'a> {
        OrgStore {
            store: self,
            org: principal.org_id(),
        }
    }

    /// Closes the pools, waiting for checked-out connections to return.
    pub async fn close(&self) {
        self.backend.close().await
    }

    /// The master-key check blob, if one was stored.
    pub async fn master_key_check(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(Vec<u8>,)> = on_reader!(self, |pool| {
            sqlx::query_as("SELECT master_check FROM vault_meta WHERE id = 1")
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(|(check,)| check))
    }

    /// Stores the master-key check unless one exists; returns the one that is stored.
    pub async fn init_master_key_check(
        &self,
        check: &[u8],
        now: aiproviders_domain::Timestamp,
    ) -> Result<Vec<u8>, StoreError> {
        on_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO vault_meta (id, master_check, created_at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(check.to_vec())
            .bind(now.unix_millis())
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        self.master_key_check()
            .await?
            .ok_or_else(|| StoreError::Corrupt("vault_meta row vanished".into()))
    }
}

impl<'a> OrgStore<'a> {
    pub fn org_id(&self) -> &OrgId {
        self.org
    }

    /// Called after every write that moves the organization's keys or policy version,
    /// committed or not: this process reads its counters again on their next use.
    fn changed(&self) {
        self.store.changes.forget_org(self.org);
    }
}
