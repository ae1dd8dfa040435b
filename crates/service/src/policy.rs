//! The organization's model permission policy: reading (cached per organization and
//! checked against its `policy_version` on every use) and replacing it.

use std::sync::Arc;

use aiproviders_domain::{AuditAction, Policy, Timestamp};

use crate::{Caller, ServiceError};

impl Caller<'_> {
    /// The policy in force (allow-all when none was set).
    pub async fn policy(&self) -> Result<Arc<Policy>, ServiceError> {
        let versions = self.org.versions().await?;
        self.policy_at(versions.policy).await
    }

    /// The policy as of `version` (read with the keys version in one query by callers
    /// that need both).
    pub(crate) async fn policy_at(&self, version: i64) -> Result<Arc<Policy>, ServiceError> {
        let org = self.org.org_id();
        let caches = &self.services.caches;
        if let Some(policy) = caches.policy(org, version) {
            return Ok(policy);
        }
        let policy = match self.org.policy().await? {
            None => Policy::allow_all(),
            Some(json) => {
                let value: serde_json::Value = serde_json::from_str(&json)
                    .map_err(|e| ServiceError::Corrupt(format!("stored policy: {e}")))?;
                Policy::parse(&value, "policy")
                    .map_err(|e| ServiceError::Corrupt(format!("stored policy: {e}")))?
            }
        };
        let policy = Arc::new(policy);
        caches.put_policy(org, version, policy.clone());
        Ok(policy)
    }

    /// Replaces the policy. Owners and admins only; audited (refusals and invalid policies
    /// too).
    pub async fn set_policy(&self, input: &serde_json::Value) -> Result<Arc<Policy>, ServiceError> {
        let action = AuditAction::PolicySet;
        let target = "model_policy";
        self.require_write(action, target).await?;
        let policy = self
            .audited(action, target, Policy::parse(input, "policy"))
            .await?;
        let json = serde_json::to_string(&policy)
            .map_err(|e| ServiceError::Corrupt(format!("policy encoding: {e}")))?;
        let version = self
            .org
            .set_policy(&json, self.principal.user_id(), Timestamp::now())
            .await?;
        let policy = Arc::new(policy);
        self.services
            .caches
            .put_policy(self.org.org_id(), version, policy.clone());
        Ok(policy)
    }
}
