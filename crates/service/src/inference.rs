//! What the gateway needs from the service: the caller's offers (every model of every key,
//! with the policy's verdict), a key's secret for one attempt, and recording a key the
//! provider refused.

use std::sync::Arc;

use aiproviders_catalog::cache::CachedList;
use aiproviders_domain::{
    ApiKey, AuditAction, AuditOutcome, KeyId, KeyStatus, PolicySubject, Timestamp,
};

use crate::models::{KeyVersion, Mode};
use crate::routing::{Offer, Offers};
use crate::{Caller, ServiceError};

impl Caller<'_> {
    /// Every model of every one of the organization's keys, each marked allowed or not by
    /// the policy for the caller. Keys known to be refused (`invalid`) are left out; so are
    /// keys whose models cannot be listed (no list yet and the provider failing). Built once
    /// per (organization, role) and reused while the keys, the policy and every key's list
    /// are the very same.
    ///
    /// The versions come from the store's change board (no database round trip while it is
    /// current): a key or policy change made by another replica reaches the gateway within
    /// the poll interval, one made by this process at once.
    pub async fn offers(&self) -> Result<Arc<Offers>, ServiceError> {
        let versions = self.org.recent_versions().await?;
        let snapshot = self.key_snapshot(versions.keys).await?;
        let policy = self.policy_at(versions.policy).await?;
        let usable: Vec<KeyVersion> = snapshot
            .keys
            .iter()
            .filter(|k| k.status != KeyStatus::Invalid)
            .map(KeyVersion::from)
            .collect();
        let lists = futures::future::join_all(
            usable
                .iter()
                .map(|key| self.services.model_list(self.principal, key, Mode::Cached)),
        )
        .await;
        let lists: Vec<Option<Arc<CachedList>>> = usable
            .iter()
            .zip(lists)
            .map(|(key, list)| match list {
                Ok((list, _stale)) => Some(list),
                Err(error) => {
                    tracing::debug!(key = %key.id, %error, "a key's models are unavailable");
                    None
                }
            })
            .collect();
        // The same versions, policy and lists as last time: the same offers.
        let cache_key = (self.org.org_id().clone(), self.principal.role());
        if let Some(offers) = self
            .services
            .caches
            .offers(&cache_key, &versions, &policy, &lists)
        {
            return Ok(offers);
        }
        let mut offers = Vec::new();
        for (key, list) in usable.iter().zip(&lists) {
            let Some(list) = list else { continue };
            for model in list.models.iter() {
                let allowed = policy.allows(&PolicySubject {
                    role: self.principal.role(),
                    key_id: &key.id,
                    model,
                });
                offers.push(Offer::new(key.id.clone(), model.clone(), allowed));
            }
        }
        let offers = Arc::new(Offers::new(offers));
        self.services
            .caches
            .put_offers(cache_key, versions, policy, lists, offers.clone());
        Ok(offers)
    }

    /// The key's secret, for one upstream attempt (decrypted at most once a minute per key;
    /// see `opened`).
    pub async fn secret_for_attempt(&self, key: &KeyId) -> Result<Arc<ApiKey>, ServiceError> {
        self.services.secret_for_attempt(&self.org, key).await
    }

    /// The provider refused the key during a gateway attempt: it is marked `invalid` (and
    /// so skipped by later requests) and the event is audited.
    pub async fn key_refused(&self, key: &KeyId) -> Result<(), ServiceError> {
        self.org
            .set_key_status(key, KeyStatus::Invalid, Timestamp::now())
            .await?;
        self.record(
            AuditAction::KeyInvalidated,
            &key.to_string(),
            AuditOutcome::Success,
        )
        .await
    }
}
