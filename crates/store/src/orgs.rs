//! Organizations and access tokens: administration (the CLI) and authentication.

use aiproviders_domain::{OrgId, OrgSlug, Principal, Role, Timestamp, TokenId, UserId};

use crate::changes::OrgCounters;
use crate::{OrgStore, OrgVersions, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: OrgId,
    pub slug: OrgSlug,
    pub name: String,
    pub created_at: Timestamp,
}

/// An access token as the CLI lists it: never the token or its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: TokenId,
    pub user_id: UserId,
    pub role: Role,
    pub label: Option<String>,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: String,
    slug: String,
    name: String,
    created_at: i64,
}

impl From<OrgRow> for Organization {
    fn from(row: OrgRow) -> Self {
        Self {
            id: OrgId::from_trusted(row.id),
            slug: OrgSlug::from_trusted(row.slug),
            name: row.name,
            created_at: Timestamp::from_unix_millis(row.created_at),
        }
    }
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: String,
    user_id: String,
    role: String,
    label: Option<String>,
    created_at: i64,
    revoked_at: Option<i64>,
}

pub(crate) fn stored_role(value: &str) -> Result<Role, StoreError> {
    Role::parse(value, "role")
        .map_err(|_| StoreError::Corrupt("unknown role in access_tokens".into()))
}

impl Store {
    pub async fn create_org(
        &self,
        slug: &OrgSlug,
        name: &str,
        now: Timestamp,
    ) -> Result<Organization, StoreError> {
        let id = OrgId::generate();
        let result = on_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO organizations (id, slug, name, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id.as_str())
            .bind(slug.as_str())
            .bind(name)
            .bind(now.unix_millis())
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        });
        match result {
            Ok(_) => Ok(Organization {
                id,
                slug: slug.clone(),
                name: name.to_owned(),
                created_at: now,
            }),
            Err(e) if StoreError::is_unique_violation(&e) => {
                Err(StoreError::AlreadyExists("an organization with this slug"))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Finds an organization by id (`org_…`) or slug.
    pub async fn find_org(&self, slug_or_id: &str) -> Result<Option<Organization>, StoreError> {
        let row: Option<OrgRow> = on_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, slug, name, created_at FROM organizations WHERE id = $1 OR slug = $1",
            )
            .bind(slug_or_id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(Organization::from))
    }

    /// Stores a new token's hash; the token itself is made and shown by the caller.
    pub async fn create_token(
        &self,
        org: &OrgId,
        user: &UserId,
        role: Role,
        label: Option<&str>,
        token_hash: &[u8; 32],
        now: Timestamp,
    ) -> Result<TokenId, StoreError> {
        let id = TokenId::generate();
        on_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO access_tokens (id, org_id, user_id, role, label, token_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id.as_str())
            .bind(org.as_str())
            .bind(user.as_str())
            .bind(role.as_str())
            .bind(label)
            .bind(token_hash.to_vec())
            .bind(now.unix_millis())
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(id)
    }

    pub async fn list_tokens(&self, org: &OrgId) -> Result<Vec<TokenInfo>, StoreError> {
        let rows: Vec<TokenRow> = on_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, role, label, created_at, revoked_at FROM access_tokens \
                 WHERE org_id = $1 ORDER BY id",
            )
            .bind(org.as_str())
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(|row| {
                Ok(TokenInfo {
                    id: TokenId::from_trusted(row.id),
                    user_id: UserId::from_trusted(row.user_id),
                    role: stored_role(&row.role)?,
                    label: row.label,
                    created_at: Timestamp::from_unix_millis(row.created_at),
                    revoked_at: row.revoked_at.map(Timestamp::from_unix_millis),
                })
            })
            .collect()
    }

    /// Revokes a token; `false` when no live token has this id.
    pub async fn revoke_token(&self, id: &TokenId, now: Timestamp) -> Result<bool, StoreError> {
        let done = on_writer!(self, |pool| {
            sqlx::query(
                "UPDATE access_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            )
            .bind(now.unix_millis())
            .bind(id.as_str())
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        });
        self.changes.forget_all();
        Ok(done? == 1)
    }

    /// The principal a live token stands for: from this process's change board when it is
    /// current (see `changes.rs`), else from the database (one query that also reads the
    /// organization's counters, which the board keeps).
    pub async fn authenticate(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<Principal>, StoreError> {
        if let Some(principal) = self.changes.principal(token_hash) {
            return Ok(Some(principal));
        }
        let began = self.changes.generation();
        let row: Option<AuthRow> = on_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id, t.org_id, t.user_id, t.role, \
                 o.keys_version, o.policy_version, o.tokens_version \
                 FROM access_tokens t JOIN organizations o ON o.id = t.org_id \
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
            )
            .bind(token_hash.to_vec())
            .fetch_optional(pool)
            .await
        })?;
        let Some(row) = row else { return Ok(None) };
        let principal = Principal::from_token(
            OrgId::from_trusted(row.org_id),
            UserId::from_trusted(row.user_id),
            stored_role(&row.role)?,
            TokenId::from_trusted(row.id),
        );
        let counters = OrgCounters {
            versions: OrgVersions {
                keys: row.keys_version,
                policy: row.policy_version,
            },
            tokens: row.tokens_version,
        };
        self.changes
            .learn_token(*token_hash, &principal, counters, began);
        Ok(Some(principal))
    }
}

#[derive(sqlx::FromRow)]
struct AuthRow {
    id: String,
    org_id: String,
    user_id: String,
    role: String,
    keys_version: i64,
    policy_version: i64,
    tokens_version: i64,
}

impl OrgStore<'_> {
    /// The organization's wrapped data key, if one was made.
    pub async fn wrapped_data_key(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(Option<Vec<u8>>,)> = on_reader!(self.store, |pool| {
            sqlx::query_as("SELECT wrapped_data_key FROM organizations WHERE id = $1")
                .bind(self.org.as_str())
                .fetch_optional(pool)
                .await
        })?;
        match row {
            Some((key,)) => Ok(key),
            None => Err(StoreError::Corrupt(
                "the principal's organization is gone".into(),
            )),
        }
    }

    /// Stores a wrapped data key unless the organization has one already; returns the one
    /// that is stored (ours, or the one a concurrent request stored first).
    pub async fn init_wrapped_data_key(&self, wrapped: &[u8]) -> Result<Vec<u8>, StoreError> {
        on_writer!(self.store, |pool| {
            sqlx::query(
                "UPDATE organizations SET wrapped_data_key = $1 WHERE id = $2 AND wrapped_data_key IS NULL",
            )
            .bind(wrapped.to_vec())
            .bind(self.org.as_str())
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        let stored = on_writer!(self.store, |pool| {
            sqlx::query_as::<_, (Option<Vec<u8>>,)>(
                "SELECT wrapped_data_key FROM organizations WHERE id = $1",
            )
            .bind(self.org.as_str())
            .fetch_optional(pool)
            .await
        })?;
        stored
            .and_then(|(key,)| key)
            .ok_or_else(|| StoreError::Corrupt("data key missing after it was stored".into()))
    }
}
