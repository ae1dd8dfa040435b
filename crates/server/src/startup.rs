//! What every command needs before it can work: the store, and (for commands that touch
//! secrets) the vault and the services.

use std::sync::Arc;

use aiproviders_providers::{ProviderRegistry, Upstream};
use aiproviders_service::{ServiceError, Services};
use aiproviders_store::{DatabaseKind, Store, StoreError};
use aiproviders_vault::{MasterKeyError, MasterKeySource, Vault, load_master_key};

use crate::settings::{Settings, SettingsError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    MasterKey(#[from] MasterKeyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("{0}")]
    Usage(String),
    #[error("{context}: {source}")]
    Io {
        context: &'static str,
        #[source]
        source: std::io::Error,
    },
}

/// Connects to the database and applies pending migrations.
pub async fn open_store(settings: &Settings) -> Result<Store, AppError> {
    let store = Store::connect(&settings.database_url)
        .await?
        .with_change_poll(settings.change_poll);
    store.migrate().await?;
    tracing::debug!(database = ?settings.database_url, "database ready");
    Ok(store)
}

/// The store, the vault and the registry, checked against each other. Only `serve` on
/// SQLite may generate a missing master key (`may_generate`).
pub async fn open_services(
    settings: &Settings,
    may_generate: bool,
) -> Result<Arc<Services>, AppError> {
    let store = open_store(settings).await?;
    let may_generate = may_generate && store.kind() == DatabaseKind::Sqlite;
    let env_key = Settings::master_key_env();
    let (master_key, source) =
        load_master_key(env_key.as_deref(), &settings.master_key_file, may_generate)?;
    match source {
        MasterKeySource::Generated(path) => tracing::warn!(
            file = %path.display(),
            "generated a new master key; back this file up: without it the stored secrets cannot be opened"
        ),
        MasterKeySource::File(path) => {
            tracing::info!(file = %path.display(), "master key loaded from file")
        }
        MasterKeySource::Environment => {
            tracing::info!("master key loaded from AIPROVIDERS_MASTER_KEY")
        }
    }
    let registry = ProviderRegistry::new(settings.providers.clone());
    let upstream = Upstream::new(settings.providers.clone(), settings.upstream);
    let services = Services::start(
        store,
        Vault::new(master_key),
        registry,
        upstream,
        settings.service.clone(),
    )
    .await?;
    Ok(services)
}
