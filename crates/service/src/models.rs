//! Model discovery for a caller: `AI_PROVIDERS_LIST_MODELS`, `AI_PROVIDERS_REFRESH_MODELS`
//! and `AI_PROVIDER_KEY_CHECK`.
//!
//! A key's model list is looked up in this order: memory (fresh within the TTL: served;
//! older: served as `stale` while one background refresh runs), the database (another
//! replica's or an earlier run's fetch, same rules), the provider. Concurrent lookups of
//! one key wait on the key's fetch lock, so they cause one upstream call. When the provider
//! fails, the last good list is served with `stale: true`; without one, the upstream error
//! is returned.

use std::sync::Arc;
use std::time::Duration;

use aiproviders_catalog::cache::{CachedList, Slot};
use aiproviders_catalog::stored;
use aiproviders_domain::{
    ApiKey, KeyId, KeyRecord, KeyStatus, Model, Policy, PolicySubject, Principal, ProviderId, Role,
    Timestamp,
};
use aiproviders_providers::UpstreamError;
use aiproviders_store::{OrgStore, StoredModelList};
use aiproviders_vault::{SealedSecret, SecretBinding};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::{Caller, ServiceError, Services};

/// How long a first fetch waits for the enrichment catalog after the provider answered.
const CATALOG_GRACE: Duration = Duration::from_secs(2);
/// No background refresh of a key this long after one failed (unless the provider asked
/// for longer with `Retry-After`).
const REFRESH_PAUSE: Duration = Duration::from_secs(30);

/// The version of a key a list belongs to (and its status as last read).
#[derive(Debug, Clone)]
pub(crate) struct KeyVersion {
    pub(crate) id: KeyId,
    provider: ProviderId,
    updated_at: Timestamp,
    status: KeyStatus,
}

impl From<&KeyRecord> for KeyVersion {
    fn from(key: &KeyRecord) -> Self {
        Self {
            id: key.id.clone(),
            provider: key.provider_id,
            updated_at: key.updated_at,
            status: key.status,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Serve from the caches when possible.
    Cached,
    /// Fetch from the provider now.
    Refresh,
}

/// A key's models as one caller may see them: the list, filtered by the policy for the
/// caller's role. Serializes as `{models, fetchedAt, stale}`.
#[derive(Debug, Clone)]
pub struct ModelListing {
    key_id: KeyId,
    role: Role,
    list: Arc<CachedList>,
    policy: Arc<Policy>,
    stale: bool,
}

impl ModelListing {
    /// The models the policy allows the caller, in the provider's order.
    pub fn models(&self) -> impl Iterator<Item = &Model> {
        self.list.models.iter().filter(|model| {
            self.policy.allows(&PolicySubject {
                role: self.role,
                key_id: &self.key_id,
                model,
            })
        })
    }

    pub fn fetched_at(&self) -> Timestamp {
        self.list.fetched_at
    }

    /// Older than the TTL (being refreshed, or the provider is failing).
    pub fn stale(&self) -> bool {
        self.stale
    }

    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// Whether `other` shows exactly what this listing shows (same list, same policy, same
    /// role, same staleness), so a rendering of one serves for the other.
    pub fn same_view(&self, other: &ModelListing) -> bool {
        Arc::ptr_eq(&self.list, &other.list)
            && Arc::ptr_eq(&self.policy, &other.policy)
            && self.role == other.role
            && self.stale == other.stale
            && self.key_id == other.key_id
    }
}

struct AllowedModels<'a>(&'a ModelListing);

impl Serialize for AllowedModels<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.models())
    }
}

impl Serialize for ModelListing {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("models", &AllowedModels(self))?;
        map.serialize_entry("fetchedAt", &self.list.fetched_at)?;
        map.serialize_entry("stale", &self.stale)?;
        map.end()
    }
}

impl Caller<'_> {
    /// The models a key can use that the caller may use (cached; see the module doc).
    pub async fn list_models(&self, key_id: &str) -> Result<ModelListing, ServiceError> {
        self.models_of(key_id, Mode::Cached).await
    }

    /// Like [`Caller::list_models`], fetched from the provider now. Concurrent refreshes of
    /// one key share one fetch.
    pub async fn refresh_models(&self, key_id: &str) -> Result<ModelListing, ServiceError> {
        self.models_of(key_id, Mode::Refresh).await
    }

    /// Probes the provider with the key now and records the outcome in its status.
    pub async fn check_key(&self, key_id: &str) -> Result<KeyRecord, ServiceError> {
        let id = KeyId::parse(key_id, "keyId")?;
        self.services.probe(self.principal, &id).await
    }

    async fn models_of(&self, key_id: &str, mode: Mode) -> Result<ModelListing, ServiceError> {
        let id = KeyId::parse(key_id, "keyId")?;
        let versions = self.org.versions().await?;
        let snapshot = self.key_snapshot(versions.keys).await?;
        let key = KeyVersion::from(snapshot.find(&id).ok_or(ServiceError::NotFound("key"))?);
        let policy = self.policy_at(versions.policy).await?;
        let (list, stale) = self.services.model_list(self.principal, &key, mode).await?;
        Ok(ModelListing {
            key_id: id,
            role: self.principal.role(),
            list,
            policy,
            stale,
        })
    }
}

impl Services {
    /// A key's list and whether it is stale.
    pub(crate) async fn model_list(
        &self,
        principal: &Principal,
        key: &KeyVersion,
        mode: Mode,
    ) -> Result<(Arc<CachedList>, bool), ServiceError> {
        let slot = self.models.slot(&key.id);
        if mode == Mode::Cached
            && let Some(list) = slot.current(key.updated_at)
        {
            return Ok(self.serve(principal, key, &slot, list));
        }
        let asked_at = Timestamp::now();
        let _fetching = slot.fetch_lock.lock().await;
        if let Some(list) = slot.current(key.updated_at) {
            match mode {
                Mode::Cached => return Ok(self.serve(principal, key, &slot, list)),
                // Someone fetched while this call waited: that is a fetch made "now".
                Mode::Refresh if list.fetched_at >= asked_at => {
                    return Ok((self.reenriched(&slot, list), false));
                }
                Mode::Refresh => {}
            }
        }
        if mode == Mode::Cached
            && let Some(list) = self.load_stored(principal, key).await?
        {
            slot.store(list.clone());
            return Ok(self.serve(principal, key, &slot, list));
        }
        let list = self.fetch_models(principal, key).await?;
        slot.store(list.clone());
        Ok((list, false))
    }

    /// Serves a cached list: as is when fresh, else as stale with a background refresh.
    fn serve(
        &self,
        principal: &Principal,
        key: &KeyVersion,
        slot: &Arc<Slot>,
        list: Arc<CachedList>,
    ) -> (Arc<CachedList>, bool) {
        let list = self.reenriched(slot, list);
        if self.models.is_fresh(list.fetched_at, Timestamp::now()) {
            return (list, false);
        }
        self.refresh_in_background(principal, key, slot);
        (list, true)
    }

    /// The list enriched with the current index (again, if the index changed since).
    fn reenriched(&self, slot: &Slot, list: Arc<CachedList>) -> Arc<CachedList> {
        let (index, generation) = self.enrichment.index();
        if list.index_generation == generation {
            return list;
        }
        let mut models = list.raw.to_vec();
        index.enrich(&mut models);
        let list = Arc::new(CachedList {
            raw: list.raw.clone(),
            models: Arc::new(models),
            index_generation: generation,
            fetched_at: list.fetched_at,
            key_updated_at: list.key_updated_at,
        });
        slot.store(list.clone());
        list
    }

    /// The list the database holds for this version of the key, if any.
    async fn load_stored(
        &self,
        principal: &Principal,
        key: &KeyVersion,
    ) -> Result<Option<Arc<CachedList>>, ServiceError> {
        let org = self.store.scoped(principal);
        let Some(row) = org.model_list(&key.id).await? else {
            return Ok(None);
        };
        let raw = match stored::decode(&row.json) {
            Ok(raw) => raw,
            Err(error) => {
                tracing::warn!(key = %key.id, %error, "ignoring a stored model list");
                return Ok(None);
            }
        };
        self.enrichment.load_snapshot(&self.store).await;
        Ok(Some(self.cached_list(raw, row.fetched_at, key)))
    }

    fn cached_list(
        &self,
        raw: Vec<Model>,
        fetched_at: Timestamp,
        key: &KeyVersion,
    ) -> Arc<CachedList> {
        let (models, index_generation) = self.enrichment.enrich(&raw);
        Arc::new(CachedList {
            raw: Arc::new(raw),
            models: Arc::new(models),
            index_generation,
            fetched_at,
            key_updated_at: key.updated_at,
        })
    }

    /// Fetches the list from the provider, stores it for every replica and records what
    /// the fetch said about the key.
    async fn fetch_models(
        &self,
        principal: &Principal,
        key: &KeyVersion,
    ) -> Result<Arc<CachedList>, ServiceError> {
        let org = self.store.scoped(principal);
        let catalog = self.refresh_catalog_in_background();
        let fetched = {
            let (provider, secret) = self.open_credential(&org, &key.id).await?;
            debug_assert_eq!(provider, key.provider);
            self.upstream.list_models(provider, secret.as_ref()).await
        };
        let now = Timestamp::now();
        // A fetch records what it learned about the key only when that changes the status
        // (a write bumps the key-list version, which every key listing would pay for);
        // `AI_PROVIDER_KEY_CHECK` always records.
        let status = status_after(&fetched).filter(|status| *status != key.status);
        self.record_status(&org, &key.id, status, now).await;
        let raw = fetched?;
        if let Some(catalog) = catalog {
            let _ = tokio::time::timeout(CATALOG_GRACE, catalog).await;
        }
        let list = self.cached_list(raw, now, key);
        let row = StoredModelList {
            json: stored::encode(&list.raw),
            fetched_at: now,
        };
        if let Err(error) = org.save_model_list(&key.id, key.updated_at, &row).await {
            tracing::warn!(key = %key.id, %error, "could not store a model list");
        }
        Ok(list)
    }

    fn refresh_catalog_in_background(&self) -> Option<tokio::task::JoinHandle<()>> {
        let services = self.me.upgrade()?;
        Some(tokio::spawn(async move {
            services
                .enrichment
                .refresh_if_due(&services.store, &services.upstream)
                .await;
        }))
    }

    fn refresh_in_background(&self, principal: &Principal, key: &KeyVersion, slot: &Arc<Slot>) {
        let Some(claim) = slot.begin_refresh() else {
            return;
        };
        let principal = principal.clone();
        let key = key.clone();
        let slot = slot.clone();
        self.spawn(move |services| async move {
            let _fetching = slot.fetch_lock.lock().await;
            // Another replica may have refreshed it meanwhile.
            if let Ok(Some(list)) = services.load_stored(&principal, &key).await
                && services.models.is_fresh(list.fetched_at, Timestamp::now())
            {
                slot.store(list);
                return;
            }
            match services.fetch_models(&principal, &key).await {
                Ok(list) => slot.store(list),
                Err(error) => {
                    let pause = match &error {
                        ServiceError::Upstream(e) => e
                            .retry_after_seconds()
                            .map(Duration::from_secs)
                            .unwrap_or(REFRESH_PAUSE),
                        _ => REFRESH_PAUSE,
                    };
                    claim.failed(pause.min(services.models.ttl()));
                    tracing::warn!(key = %key.id, %error, "model list refresh failed; serving the last good list");
                }
            }
        });
    }

    /// Probes a new key in the background (its status shows the outcome).
    pub(crate) fn probe_in_background(&self, principal: &Principal, key: &KeyId) {
        let principal = principal.clone();
        let key = key.clone();
        self.spawn(move |services| async move {
            if let Err(error) = services.probe(&principal, &key).await {
                tracing::debug!(key = %key, %error, "key probe did not complete");
            }
        });
    }

    async fn probe(&self, principal: &Principal, key: &KeyId) -> Result<KeyRecord, ServiceError> {
        let org = self.store.scoped(principal);
        let (provider, secret) = self.open_credential(&org, key).await?;
        let status = match secret {
            Some(secret) => {
                let probed = self.upstream.probe_key(provider, &secret).await;
                drop(secret);
                status_after(&probed).unwrap_or(KeyStatus::Unknown)
            }
            // A credential without a secret is the local CLI's login: ask the CLI.
            None if provider == ProviderId::ClaudeCode => {
                let cli = self.upstream.claude_cli().status().await;
                match (cli.installed, cli.authenticated) {
                    (true, true) => KeyStatus::Valid,
                    (true, false) => KeyStatus::Invalid,
                    (false, _) => KeyStatus::Unknown,
                }
            }
            None => {
                return Err(ServiceError::Unsupported(format!(
                    "{provider} credentials without a secret cannot be probed"
                )));
            }
        };
        let record = org.set_key_status(key, status, Timestamp::now()).await?;
        record.ok_or(ServiceError::NotFound("key"))
    }

    async fn record_status(
        &self,
        org: &OrgStore<'_>,
        key: &KeyId,
        status: Option<KeyStatus>,
        at: Timestamp,
    ) {
        let Some(status) = status else { return };
        if let Err(error) = org.set_key_status(key, status, at).await {
            tracing::warn!(key = %key, %error, "could not record a key status");
        }
    }

    /// The key's secret for one gateway attempt: decrypted at most once per
    /// [`opened::OPENED_SECRET_TTL`](crate::opened::OPENED_SECRET_TTL) per key and shared
    /// from memory in between (see [`crate::opened`]).
    pub(crate) async fn secret_for_attempt(
        &self,
        org: &OrgStore<'_>,
        key: &KeyId,
    ) -> Result<Arc<ApiKey>, ServiceError> {
        let now = std::time::Instant::now();
        if let Some(secret) = self.opened_secrets.get(org.org_id(), key, now) {
            return Ok(secret);
        }
        let (provider, secret) = self.open_credential(org, key).await?;
        let secret = Arc::new(secret.ok_or_else(|| {
            ServiceError::Unsupported(format!("{provider} credentials have no secret to send"))
        })?);
        self.opened_secrets
            .put(org.org_id(), key, secret.clone(), now);
        Ok(secret)
    }

    /// The key's provider and its secret, opened for one upstream call (`None` for a
    /// credential without a secret, such as the Claude Code CLI).
    pub(crate) async fn open_credential(
        &self,
        org: &OrgStore<'_>,
        key: &KeyId,
    ) -> Result<(ProviderId, Option<ApiKey>), ServiceError> {
        // A key's provider and sealed secret never change once stored (storing the same
        // secret again only relabels the row), so they are kept in memory, per organization.
        let credential = match self.caches.credential(org.org_id(), key) {
            Some(credential) => credential,
            None => {
                let credential = org
                    .credential(key)
                    .await?
                    .ok_or(ServiceError::NotFound("key"))?;
                let credential = Arc::new(credential);
                self.caches
                    .put_credential(org.org_id(), key, credential.clone());
                credential
            }
        };
        let provider = credential.provider;
        let Some(sealed) = &credential.sealed_secret else {
            return Ok((provider, None));
        };
        let data_key = self.data_key(org).await?;
        let binding = SecretBinding {
            org: org.org_id(),
            provider,
            key,
        };
        let secret = data_key.open_secret(binding, &SealedSecret::from_stored(sealed.clone()))?;
        Ok((provider, Some(secret)))
    }
}

/// What an upstream answer says about the credential: accepted (`valid`, also when only
/// rate limited or out of credits), refused (`invalid`), or nothing learned (`unknown`).
fn status_after<T>(result: &Result<T, UpstreamError>) -> Option<KeyStatus> {
    match result {
        Ok(_) => Some(KeyStatus::Valid),
        Err(UpstreamError::Auth { .. }) => Some(KeyStatus::Invalid),
        Err(UpstreamError::RateLimited { .. } | UpstreamError::InsufficientCredits { .. }) => {
            Some(KeyStatus::Valid)
        }
        Err(UpstreamError::Unavailable { .. }) => Some(KeyStatus::Unknown),
        // Refused OAuth codes say nothing about a stored key.
        Err(UpstreamError::Unsupported { .. } | UpstreamError::Refused { .. }) => None,
    }
}
