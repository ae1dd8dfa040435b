//! MCP session state in the database, so that any replica can serve a session.

use aiproviders_domain::Timestamp;
use aiproviders_store::Store;
use rmcp::transport::streamable_http_server::session::{
    SessionState, SessionStore, SessionStoreError,
};

pub struct DbSessionStore {
    store: Store,
}

impl DbSessionStore {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn load(&self, session_id: &str) -> Result<Option<SessionState>, SessionStoreError> {
        match self.store.load_session(session_id).await? {
            None => Ok(None),
            Some(json) => Ok(Some(serde_json::from_str(&json)?)),
        }
    }

    async fn store(&self, session_id: &str, state: &SessionState) -> Result<(), SessionStoreError> {
        let json = serde_json::to_string(state)?;
        Ok(self
            .store
            .store_session(session_id, &json, Timestamp::now())
            .await?)
    }

    async fn delete(&self, session_id: &str) -> Result<(), SessionStoreError> {
        Ok(self.store.delete_session(session_id).await?)
    }
}
