//! Model discovery state: stored secrets for upstream calls, key status, model lists per
//! key, the global catalog snapshot, and the organization's model policy.

use aiproviders_domain::{
    AuditAction, AuditOutcome, KeyId, KeyRecord, KeyStatus, ProviderId, Timestamp, UserId,
};

use crate::audit::{NewAuditEvent, insert_audit_event};
use crate::changes::OrgCounters;
use crate::keys::{KeyRow, key_columns, stored_provider};
use crate::{OrgStore, Store, StoreError};

/// What an upstream call needs to know about a stored credential (both never change for a
/// key id). The secret is still sealed; only the vault opens it.
#[derive(Debug)]
pub struct StoredCredential {
    pub provider: ProviderId,
    /// `None` for a credential without a secret (the Claude Code CLI).
    pub sealed_secret: Option<Vec<u8>>,
}

/// The organization's change counters, read together in one query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgVersions {
    /// Bumped by every change to the organization's keys.
    pub keys: i64,
    /// Bumped by every policy change.
    pub policy: i64,
}

/// A stored model list: the catalog crate's JSON and when it was fetched.
#[derive(Debug, Clone)]
pub struct StoredModelList {
    pub json: String,
    pub fetched_at: Timestamp,
}

impl OrgStore<'_> {
    /// Both change counters of the organization, read from the database.
    pub async fn versions(&self) -> Result<OrgVersions, StoreError> {
        let began = self.store.changes.generation();
        let row: Option<(i64, i64, i64)> = on_reader!(self.store, |pool| {
            sqlx::query_as(
                "SELECT keys_version, policy_version, tokens_version FROM organizations WHERE id = $1",
            )
            .bind(self.org.as_str())
            .fetch_optional(pool)
            .await
        })?;
        let Some((keys, policy, tokens)) = row else {
            return Err(StoreError::Corrupt(
                "the principal's organization is gone".into(),
            ));
        };
        let versions = OrgVersions { keys, policy };
        self.store
            .changes
            .learn_org(self.org, OrgCounters { versions, tokens }, began);
        Ok(versions)
    }

    /// Both change counters, from this process's change board when it is current (a change
    /// made by another process shows here within the poll interval; see `changes.rs`), else
    /// from the database. For the gateway's hot path; tools read [`Self::versions`].
    pub async fn recent_versions(&self) -> Result<OrgVersions, StoreError> {
        match self.store.changes.versions(self.org) {
            Some(versions) => Ok(versions),
            None => self.versions().await,
        }
    }

    /// The sealed secret and provider of one of the organization's keys.
    pub async fn credential(&self, id: &KeyId) -> Result<Option<StoredCredential>, StoreError> {
        let row: Option<(String, Option<Vec<u8>>)> = on_reader!(self.store, |pool| {
            sqlx::query_as(
                "SELECT provider_id, sealed_secret FROM provider_keys WHERE org_id = $1 AND id = $2",
            )
            .bind(self.org.as_str())
            .bind(id.as_str())
            .fetch_optional(pool)
            .await
        })?;
        row.map(|(provider, sealed_secret)| {
            Ok(StoredCredential {
                provider: stored_provider(&provider)?,
                sealed_secret,
            })
        })
        .transpose()
    }

    /// Records the outcome of probing a key; `None` when the key is gone.
    pub async fn set_key_status(
        &self,
        id: &KeyId,
        status: KeyStatus,
        checked_at: Timestamp,
    ) -> Result<Option<KeyRecord>, StoreError> {
        let row: Result<Option<KeyRow>, sqlx::Error> = on_writer!(self.store, |pool| {
            sqlx::query_as(concat!(
                "UPDATE provider_keys SET status = $1, last_checked_at = $2 \
                 WHERE org_id = $3 AND id = $4 RETURNING ",
                key_columns!()
            ))
            .bind(status.as_str())
            .bind(checked_at.unix_millis())
            .bind(self.org.as_str())
            .bind(id.as_str())
            .fetch_optional(pool)
            .await
        });
        self.changed();
        row?.map(KeyRecord::try_from).transpose()
    }

    /// The last model list stored for a key.
    pub async fn model_list(&self, id: &KeyId) -> Result<Option<StoredModelList>, StoreError> {
        let row: Option<(String, i64)> = on_reader!(self.store, |pool| {
            sqlx::query_as(
                "SELECT models, fetched_at FROM model_lists WHERE org_id = $1 AND key_id = $2",
            )
            .bind(self.org.as_str())
            .bind(id.as_str())
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(json, fetched_at)| StoredModelList {
            json,
            fetched_at: Timestamp::from_unix_millis(fetched_at),
        }))
    }

    /// Stores a key's model list, unless the key is gone (or was updated after
    /// `key_updated_at`: the list may belong to a replaced secret). Returns whether it was
    /// stored.
    pub async fn save_model_list(
        &self,
        id: &KeyId,
        key_updated_at: Timestamp,
        list: &StoredModelList,
    ) -> Result<bool, StoreError> {
        let done = on_writer!(self.store, |pool| {
            sqlx::query(
                "INSERT INTO model_lists (key_id, org_id, models, fetched_at) \
                 SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM provider_keys \
                 WHERE id = $1 AND org_id = $2 AND updated_at = $5) \
                 ON CONFLICT (key_id) DO UPDATE SET models = excluded.models, \
                 fetched_at = excluded.fetched_at",
            )
            .bind(id.as_str())
            .bind(self.org.as_str())
            .bind(list.json.as_str())
            .bind(list.fetched_at.unix_millis())
            .bind(key_updated_at.unix_millis())
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(done == 1)
    }

    /// The organization's policy document, if one was set.
    pub async fn policy(&self) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_reader!(self.store, |pool| {
            sqlx::query_as("SELECT policy FROM model_policies WHERE org_id = $1")
                .bind(self.org.as_str())
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(|(policy,)| policy))
    }

    /// Replaces the organization's policy, bumps its policy version and audits the change,
    /// in one transaction. Returns the new policy version.
    pub async fn set_policy(
        &self,
        policy_json: &str,
        actor: &UserId,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let version = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO model_policies (org_id, policy, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (org_id) DO UPDATE SET \
                 policy = excluded.policy, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
            )
            .bind(self.org.as_str())
            .bind(policy_json)
            .bind(actor.as_str())
            .bind(now.unix_millis())
            .execute(&mut *tx)
            .await?;
            let (version,): (i64,) = sqlx::query_as(
                "UPDATE organizations SET policy_version = policy_version + 1 WHERE id = $1 \
                 RETURNING policy_version",
            )
            .bind(self.org.as_str())
            .fetch_one(&mut *tx)
            .await?;
            let event = NewAuditEvent {
                at: now,
                actor: actor.clone(),
                action: AuditAction::PolicySet,
                target: "model_policy".to_owned(),
                outcome: AuditOutcome::Success,
            };
            insert_audit_event!(self.org, event)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(version)
        });
        self.changed();
        Ok(version?)
    }
}

impl Store {
    /// The last good copy of a global catalog (`name` e.g. `openrouter`).
    pub async fn catalog_snapshot(
        &self,
        name: &str,
    ) -> Result<Option<(String, Timestamp)>, StoreError> {
        let row: Option<(String, i64)> = on_reader!(self, |pool| {
            sqlx::query_as("SELECT body, fetched_at FROM catalog_snapshots WHERE name = $1")
                .bind(name)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(|(body, at)| (body, Timestamp::from_unix_millis(at))))
    }

    /// Replaces the last good copy of a global catalog.
    pub async fn save_catalog_snapshot(
        &self,
        name: &str,
        body: &str,
        fetched_at: Timestamp,
    ) -> Result<(), StoreError> {
        on_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO catalog_snapshots (name, body, fetched_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET body = excluded.body, \
                 fetched_at = excluded.fetched_at",
            )
            .bind(name)
            .bind(body)
            .bind(fetched_at.unix_millis())
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }
}
