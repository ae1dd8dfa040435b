//! MCP Streamable HTTP session state (the client's `initialize` parameters as JSON), so a
//! replica that did not start a session can still serve it. Not organization data: every
//! request is authenticated on its own, whatever session it names.

use aiproviders_domain::Timestamp;

use crate::{Store, StoreError};

impl Store {
    pub async fn load_session(&self, id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_reader!(self, |pool| {
            sqlx::query_as("SELECT state FROM mcp_sessions WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.map(|(state,)| state))
    }

    pub async fn store_session(
        &self,
        id: &str,
        state: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        on_writer!(self, |pool| {
            sqlx::query(
                "INSERT INTO mcp_sessions (id, state, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state",
            )
            .bind(id)
            .bind(state)
            .bind(now.unix_millis())
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    pub async fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        on_writer!(self, |pool| {
            sqlx::query("DELETE FROM mcp_sessions WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Forgets sessions older than `cutoff`; returns how many.
    pub async fn sweep_sessions(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        let done = on_writer!(self, |pool| {
            sqlx::query("DELETE FROM mcp_sessions WHERE created_at < $1")
                .bind(cutoff.unix_millis())
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(done)
    }
}
