//! Stored provider credentials of one organization.

use aiproviders_domain::{
    AuditAction, AuditOutcome, AuthMethod, KeyId, KeyRecord, KeyStatus, Label, MaskedKey,
    ProviderId, Timestamp, UserId,
};

use crate::audit::{NewAuditEvent, insert_audit_event};
use crate::{OrgStore, StoreError};

/// The columns of a [`KeyRow`], for `concat!` into queries.
macro_rules! key_columns {
    () => {
        "id, provider_id, label, masked_key, created_by, created_at, updated_at, status, last_checked_at"
    };
}
pub(crate) use key_columns;

/// A credential to store. The secret arrives sealed and fingerprinted by the vault.
#[derive(Debug)]
pub struct NewKey {
    pub id: KeyId,
    pub provider: ProviderId,
    pub auth_method: AuthMethod,
    pub label: Label,
    pub fingerprint: [u8; 32],
    pub sealed_secret: Option<Vec<u8>>,
    pub masked_key: MaskedKey,
    pub created_by: UserId,
    pub now: Timestamp,
}

#[derive(sqlx::FromRow)]
pub(crate) struct KeyRow {
    id: String,
    provider_id: String,
    label: String,
    masked_key: String,
    created_by: String,
    created_at: i64,
    updated_at: i64,
    status: String,
    last_checked_at: Option<i64>,
}

impl TryFrom<KeyRow> for KeyRecord {
    type Error = StoreError;

    fn try_from(row: KeyRow) -> Result<Self, StoreError> {
        Ok(KeyRecord {
            provider_id: stored_provider(&row.provider_id)?,
            status: KeyStatus::from_stored(&row.status)
                .ok_or_else(|| StoreError::Corrupt("unknown key status".into()))?,
            id: KeyId::from_trusted(row.id),
            label: Label::from_trusted(row.label),
            masked_key: MaskedKey::from_trusted(row.masked_key),
            created_by: UserId::from_trusted(row.created_by),
            created_at: Timestamp::from_unix_millis(row.created_at),
            updated_at: Timestamp::from_unix_millis(row.updated_at),
            last_checked_at: row.last_checked_at.map(Timestamp::from_unix_millis),
        })
    }
}

pub(crate) fn stored_provider(value: &str) -> Result<ProviderId, StoreError> {
    ProviderId::parse(value, "provider_id")
        .map_err(|_| StoreError::Corrupt("unknown provider in provider_keys".into()))
}

fn audit(actor: &UserId, action: AuditAction, target: &KeyId, now: Timestamp) -> NewAuditEvent {
    NewAuditEvent {
        at: now,
        actor: actor.clone(),
        action,
        target: target.to_string(),
        outcome: AuditOutcome::Success,
    }
}

impl OrgStore<'_> {
    /// Stores a credential, or, when the organization already has one with the same
    /// fingerprint for this provider, updates that one's label and `updatedAt`. Returns the
    /// record and whether it was created. Audited in the same transaction.
    pub async fn upsert_key(&self, key: NewKey) -> Result<(KeyRecord, bool), StoreError> {
        let row = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let row: KeyRow = sqlx::query_as(
                concat!(
                "INSERT INTO provider_keys (id, org_id, provider_id, auth_method, label, fingerprint, \
                 sealed_secret, masked_key, status, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'unverified', $9, $10, $10) \
                 ON CONFLICT (org_id, provider_id, fingerprint) \
                 DO UPDATE SET label = excluded.label, updated_at = excluded.updated_at \
                 RETURNING ",
                key_columns!()
            ),
            )
            .bind(key.id.as_str())
            .bind(self.org.as_str())
            .bind(key.provider.as_str())
            .bind(key.auth_method.as_str())
            .bind(key.label.as_str())
            .bind(key.fingerprint.to_vec())
            .bind(key.sealed_secret.clone())
            .bind(key.masked_key.as_str())
            .bind(key.created_by.as_str())
            .bind(key.now.unix_millis())
            .fetch_one(&mut *tx)
            .await?;
            let event = audit(
                &key.created_by,
                AuditAction::KeyCreate,
                &KeyId::from_trusted(row.id.clone()),
                key.now,
            );
            insert_audit_event!(self.org, event)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(row)
        });
        self.changed();
        let row = row?;
        let created = row.id == key.id.as_str();
        Ok((row.try_into()?, created))
    }

    /// All of the organization's keys, newest first.
    pub async fn list_keys(&self) -> Result<Vec<KeyRecord>, StoreError> {
        let rows: Vec<KeyRow> = on_reader!(self.store, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                key_columns!(),
                " FROM provider_keys WHERE org_id = $1 ORDER BY created_at DESC, id DESC"
            ))
            .bind(self.org.as_str())
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(KeyRecord::try_from).collect()
    }

    /// Renames a key; `None` when the organization has no such key. Audited.
    pub async fn update_key_label(
        &self,
        id: &KeyId,
        label: &Label,
        actor: &UserId,
        now: Timestamp,
    ) -> Result<Option<KeyRecord>, StoreError> {
        let row = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let row: Option<KeyRow> = sqlx::query_as(
                concat!(
                "UPDATE provider_keys SET label = $1, updated_at = $2 WHERE org_id = $3 AND id = $4 \
                 RETURNING ",
                key_columns!()
            ),
            )
            .bind(label.as_str())
            .bind(now.unix_millis())
            .bind(self.org.as_str())
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if row.is_some() {
                let event = audit(actor, AuditAction::KeyUpdate, id, now);
                insert_audit_event!(self.org, event)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(row)
        });
        self.changed();
        row?.map(KeyRecord::try_from).transpose()
    }

    /// Deletes a key; `false` when the organization has no such key. Audited.
    pub async fn delete_key(
        &self,
        id: &KeyId,
        actor: &UserId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let deleted = on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("DELETE FROM provider_keys WHERE org_id = $1 AND id = $2")
                .bind(self.org.as_str())
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
            let deleted = done.rows_affected() == 1;
            if deleted {
                let event = audit(actor, AuditAction::KeyDelete, id, now);
                insert_audit_event!(self.org, event)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(deleted)
        });
        self.changed();
        Ok(deleted?)
    }

    /// The organization's key-list version: it changes whenever any of its keys changes.
    pub async fn keys_version(&self) -> Result<i64, StoreError> {
        let row: Option<(i64,)> = on_reader!(self.store, |pool| {
            sqlx::query_as("SELECT keys_version FROM organizations WHERE id = $1")
                .bind(self.org.as_str())
                .fetch_optional(pool)
                .await
        })?;
        row.map(|(version,)| version)
            .ok_or_else(|| StoreError::Corrupt("the principal's organization is gone".into()))
    }

    /// How many keys the organization has per provider (providers without keys absent).
    pub async fn key_counts(&self) -> Result<Vec<(ProviderId, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = on_reader!(self.store, |pool| {
            sqlx::query_as(
                "SELECT provider_id, COUNT(*) FROM provider_keys WHERE org_id = $1 GROUP BY provider_id",
            )
            .bind(self.org.as_str())
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(|(provider, count)| Ok((stored_provider(&provider)?, count.max(0) as u64)))
            .collect()
    }
}
