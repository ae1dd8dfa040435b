//! The operations of aiproviders, independent of transport.
//!
//! [`Services`] holds the store, the vault, the provider registry, the upstream client and
//! the model caches. A request gets a [`Caller`] for its authenticated [`Principal`]; every
//! operation on it checks the role, parses its input into domain types, works on the
//! principal's organization only (through the store's org-scoped handle) and records write
//! attempts in the audit log.
//!
//! Plaintext secrets exist only inside [`Services::open_credential`]'s caller, for the
//! length of one upstream call.

mod cache;
mod caller;
mod connect;
mod credits;
mod enrichment;
mod error;
mod inference;
mod models;
mod opened;
mod policy;
pub mod routing;
mod usage;

pub use cache::{KeyList, KeyListSnapshot};
pub use caller::{ActiveProvider, Caller, KeyCreated};
pub use connect::{CallbackOutcome, CliActivation, OAUTH_STATE_TTL, OAuthStart};
pub use credits::{Credits, Currency, MAX_TOP_UP_CENTS, MIN_TOP_UP_CENTS};
pub use error::ServiceError;
pub use models::ModelListing;
pub use usage::UsageRecorder;

use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::time::Duration;

use aiproviders_catalog::cache::ModelCache;
use aiproviders_domain::{Principal, Timestamp};
use aiproviders_providers::{ClaudeCli, ProviderRegistry, Upstream};
use aiproviders_store::{OrgStore, Store};
use aiproviders_vault::{DataKey, Vault, WrappedDataKey};

/// Tunables of model discovery.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    /// How long a fetched model list is served without refetching
    /// (`AIPROVIDERS_MODEL_CACHE_TTL_SECS`).
    pub model_cache_ttl: Duration,
    /// How long the OpenRouter enrichment catalog is used before it is fetched again.
    pub catalog_ttl: Duration,
    /// The service's public origin (`AIPROVIDERS_PUBLIC_URL`): OAuth callbacks must use it.
    pub public_origin: String,
    /// `AIPROVIDERS_CLAUDE_BIN`, when set.
    pub claude_bin: Option<PathBuf>,
    /// The time limit of one gateway prompt run through the Claude Code CLI
    /// (`AIPROVIDERS_CLAUDE_TIMEOUT_SECS`).
    pub claude_timeout: Duration,
    /// How many Claude Code CLI processes may run at once
    /// (`AIPROVIDERS_CLAUDE_MAX_CONCURRENT`).
    pub claude_max_concurrent: usize,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            model_cache_ttl: Duration::from_secs(600),
            catalog_ttl: Duration::from_secs(3600),
            public_origin: "http://127.0.0.1:8080".to_owned(),
            claude_bin: None,
            claude_timeout: aiproviders_providers::DEFAULT_PROMPT_TIMEOUT,
            claude_max_concurrent: aiproviders_providers::DEFAULT_CLAUDE_MAX_CONCURRENT,
        }
    }
}

pub struct Services {
    /// This very value, for background work that outlives a request.
    me: Weak<Services>,
    store: Store,
    vault: Vault,
    registry: ProviderRegistry,
    upstream: Upstream,
    caches: cache::Caches,
    /// Decrypted keys, for a short time (see [`opened`]).
    opened_secrets: opened::OpenedSecrets,
    models: ModelCache,
    enrichment: enrichment::Enrichment,
    usage: UsageRecorder,
    settings: ServiceSettings,
}

impl Services {
    /// Wires the parts together after checking that the master key is the one this
    /// database was first used with (a wrong key is refused here, not at the first use).
    pub async fn start(
        store: Store,
        vault: Vault,
        registry: ProviderRegistry,
        upstream: Upstream,
        settings: ServiceSettings,
    ) -> Result<Arc<Self>, ServiceError> {
        let check = match store.master_key_check().await? {
            Some(check) => check,
            None => {
                let fresh = vault.master_key_check()?;
                store
                    .init_master_key_check(&fresh, Timestamp::now())
                    .await?
            }
        };
        vault
            .verify_master_key_check(&check)
            .map_err(|_| ServiceError::WrongMasterKey)?;
        let usage = UsageRecorder::start(store.clone());
        let upstream = upstream.with_claude_cli(
            ClaudeCli::new(settings.claude_bin.clone()),
            settings.claude_timeout,
            settings.claude_max_concurrent,
        );
        let services = Arc::new_cyclic(|me| Self {
            me: me.clone(),
            store,
            vault,
            registry,
            upstream,
            caches: cache::Caches::default(),
            opened_secrets: opened::OpenedSecrets::default(),
            models: ModelCache::new(settings.model_cache_ttl),
            enrichment: enrichment::Enrichment::new(settings.catalog_ttl),
            usage,
            settings,
        });
        // Drops decrypted keys once they expire, traffic or not; ends with the services.
        let weak = Arc::downgrade(&services);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(opened::OPENED_SECRET_TTL);
            loop {
                every.tick().await;
                let Some(services) = weak.upgrade() else {
                    break;
                };
                services.opened_secrets.sweep(std::time::Instant::now());
            }
        });
        Ok(services)
    }

    pub fn caller<'a>(&'a self, principal: &'a Principal) -> Caller<'a> {
        Caller::new(self, principal)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn registry(&self) -> &ProviderRegistry {
        &self.registry
    }

    /// Where the gateway records usage.
    pub fn usage_recorder(&self) -> &UsageRecorder {
        &self.usage
    }

    /// The provider client (the gateway sends inference requests through it).
    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    /// Runs `work` in the background with a handle on the services, if they still exist.
    fn spawn<F, Fut>(&self, work: F)
    where
        F: FnOnce(Arc<Services>) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        if let Some(services) = self.me.upgrade() {
            tokio::spawn(work(services));
        }
    }

    /// The organization's data key, made and stored on first use, kept in memory after.
    async fn data_key(&self, org: &OrgStore<'_>) -> Result<Arc<DataKey>, ServiceError> {
        let org_id = org.org_id();
        if let Some(key) = self.caches.data_key(org_id) {
            return Ok(key);
        }
        let vault = &self.vault;
        let key = match org.wrapped_data_key().await? {
            Some(wrapped) => {
                vault.unwrap_data_key(org_id, &WrappedDataKey::from_stored(wrapped))?
            }
            None => {
                let (fresh, wrapped) = vault.new_data_key(org_id)?;
                let stored = org.init_wrapped_data_key(wrapped.as_bytes()).await?;
                if stored == wrapped.as_bytes() {
                    fresh
                } else {
                    vault.unwrap_data_key(org_id, &WrappedDataKey::from_stored(stored))?
                }
            }
        };
        let key = Arc::new(key);
        self.caches.put_data_key(org_id, key.clone());
        Ok(key)
    }
}
