//! The operations of aiproviders, independent of transport.
//!
//! [`Services`] holds the store, the vault and the provider registry. A request gets a
//! [`Caller`] for its authenticated [`Principal`]; every operation on it checks the role,
//! parses its input into domain types, works on the principal's organization only (through
//! the store's org-scoped handle) and records write attempts in the audit log.

mod cache;
mod caller;
mod error;

pub use cache::{KeyList, KeyListSnapshot};
pub use caller::{ActiveProvider, Caller, KeyCreated};
pub use error::ServiceError;

use aiproviders_domain::{Principal, Timestamp};
use aiproviders_providers::ProviderRegistry;
use aiproviders_store::Store;
use aiproviders_vault::Vault;

pub struct Services {
    store: Store,
    vault: Vault,
    registry: ProviderRegistry,
    caches: cache::Caches,
}

impl Services {
    /// Wires the parts together after checking that the master key is the one this
    /// database was first used with (a wrong key is refused here, not at the first use).
    pub async fn start(
        store: Store,
        vault: Vault,
        registry: ProviderRegistry,
    ) -> Result<Self, ServiceError> {
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
        Ok(Self {
            store,
            vault,
            registry,
            caches: cache::Caches::default(),
        })
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
}
