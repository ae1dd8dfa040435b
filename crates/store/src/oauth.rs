//! OAuth PKCE consents in flight (`oauth_states`). A state is consumed by one atomic
//! `DELETE … RETURNING`, so of two concurrent exchanges exactly one gets it.

use aiproviders_domain::{OrgId, Principal, ProviderId, Timestamp, TokenId, UserId};

use crate::keys::stored_provider;
use crate::orgs::stored_role;
use crate::{OrgStore, Store, StoreError};

/// A consent to remember until its exchange.
#[derive(Debug)]
pub struct NewOAuthState {
    pub state_hash: [u8; 32],
    pub provider: ProviderId,
    pub sealed_verifier: Vec<u8>,
    pub callback_url: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A consumed consent.
#[derive(Debug)]
pub struct OAuthState {
    pub org: OrgId,
    pub user: UserId,
    pub token: TokenId,
    pub provider: ProviderId,
    pub sealed_verifier: Vec<u8>,
    pub callback_url: String,
}

type StateRow = (String, String, String, String, Vec<u8>, String);

fn state_from_row(row: StateRow) -> Result<OAuthState, StoreError> {
    let (org, user, token, provider, sealed_verifier, callback_url) = row;
    Ok(OAuthState {
        org: OrgId::from_trusted(org),
        user: UserId::from_trusted(user),
        token: TokenId::from_trusted(token),
        provider: stored_provider(&provider)?,
        sealed_verifier,
        callback_url,
    })
}

/// The columns a consumed consent returns, for `concat!` into queries.
macro_rules! returning {
    () => {
        " RETURNING org_id, user_id, token_id, provider_id, sealed_verifier, callback_url"
    };
}

impl OrgStore<'_> {
    /// Remembers a consent started by `principal` (whose organization this handle is for),
    /// sweeping expired ones first.
    pub async fn create_oauth_state(
        &self,
        principal: &Principal,
        state: &NewOAuthState,
    ) -> Result<(), StoreError> {
        on_writer!(self.store, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM oauth_states WHERE expires_at <= $1")
                .bind(state.created_at.unix_millis())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO oauth_states (state_hash, org_id, user_id, token_id, provider_id, \
                 sealed_verifier, callback_url, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(state.state_hash.to_vec())
            .bind(self.org.as_str())
            .bind(principal.user_id().as_str())
            .bind(principal.token_id().as_str())
            .bind(state.provider.as_str())
            .bind(state.sealed_verifier.clone())
            .bind(state.callback_url.as_str())
            .bind(state.created_at.unix_millis())
            .bind(state.expires_at.unix_millis())
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// Consumes the consent if it is this organization's, `user`'s, for `provider` and not
    /// expired at `now`; otherwise leaves it alone and answers `None`.
    pub async fn take_oauth_state(
        &self,
        state_hash: &[u8; 32],
        user: &UserId,
        provider: ProviderId,
        now: Timestamp,
    ) -> Result<Option<OAuthState>, StoreError> {
        let row: Option<StateRow> = on_writer!(self.store, |pool| {
            sqlx::query_as(concat!(
                "DELETE FROM oauth_states WHERE state_hash = $1 AND org_id = $2 AND user_id = $3 \
                 AND provider_id = $4 AND expires_at > $5",
                returning!()
            ))
            .bind(state_hash.to_vec())
            .bind(self.org.as_str())
            .bind(user.as_str())
            .bind(provider.as_str())
            .bind(now.unix_millis())
            .fetch_optional(pool)
            .await
        })?;
        row.map(state_from_row).transpose()
    }
}

impl Store {
    /// Consumes a consent by its state alone (the OAuth callback, where the state is the
    /// only credential), if it has not expired at `now`.
    pub async fn take_oauth_state_by_hash(
        &self,
        state_hash: &[u8; 32],
        now: Timestamp,
    ) -> Result<Option<OAuthState>, StoreError> {
        let row: Option<StateRow> = on_writer!(self, |pool| {
            sqlx::query_as(concat!(
                "DELETE FROM oauth_states WHERE state_hash = $1 AND expires_at > $2",
                returning!()
            ))
            .bind(state_hash.to_vec())
            .bind(now.unix_millis())
            .fetch_optional(pool)
            .await
        })?;
        row.map(state_from_row).transpose()
    }

    /// Forgets consents that expired before `now`; returns how many.
    pub async fn sweep_oauth_states(&self, now: Timestamp) -> Result<u64, StoreError> {
        let swept = on_writer!(self, |pool| {
            sqlx::query("DELETE FROM oauth_states WHERE expires_at <= $1")
                .bind(now.unix_millis())
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(swept)
    }

    /// The principal of a live (not revoked) access token, by id.
    pub async fn principal_of_token(
        &self,
        token: &TokenId,
    ) -> Result<Option<Principal>, StoreError> {
        let row: Option<(String, String, String)> = on_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT org_id, user_id, role FROM access_tokens WHERE id = $1 AND revoked_at IS NULL",
            )
            .bind(token.as_str())
            .fetch_optional(pool)
            .await
        })?;
        row.map(|(org, user, role)| {
            Ok(Principal::from_token(
                OrgId::from_trusted(org),
                UserId::from_trusted(user),
                stored_role(&role)?,
                token.clone(),
            ))
        })
        .transpose()
    }
}
