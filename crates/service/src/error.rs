use aiproviders_domain::{ErrorCode, InvalidInput};
use aiproviders_providers::UpstreamError;
use aiproviders_store::StoreError;
use aiproviders_vault::VaultError;

/// Why an operation failed. Every variant maps to one contract error code; messages never
/// contain a secret.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("your role ({role}) may not {action}; ask an owner or admin")]
    Forbidden {
        role: &'static str,
        action: &'static str,
    },
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Not found, with what to do about it.
    #[error("{0}")]
    NotFoundWithHint(String),
    #[error("invalid input: {0}")]
    InvalidInput(#[from] InvalidInput),
    #[error("{0}")]
    Unsupported(String),
    #[error("the master key does not match the one this database was first used with")]
    WrongMasterKey,
    #[error("{0}")]
    Upstream(#[from] UpstreamError),
    #[error("internal error: stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("internal error: {0}")]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Vault(#[from] VaultError),
}

impl ServiceError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::Forbidden { .. } => ErrorCode::Forbidden,
            ServiceError::NotFound(_) | ServiceError::NotFoundWithHint(_) => ErrorCode::NotFound,
            ServiceError::InvalidInput(_) => ErrorCode::InvalidInput,
            ServiceError::Unsupported(_) => ErrorCode::Unsupported,
            ServiceError::Upstream(e) => e.code(),
            ServiceError::WrongMasterKey
            | ServiceError::Corrupt(_)
            | ServiceError::Store(_)
            | ServiceError::Vault(_) => ErrorCode::Internal,
        }
    }

    /// Seconds the provider asked us to wait, for `upstream_rate_limited`.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            ServiceError::Upstream(e) => e.retry_after_seconds(),
            _ => None,
        }
    }

    /// The message for the caller. Internal errors are reported in full to the log and only
    /// in outline to the caller.
    pub fn public_message(&self) -> String {
        match self {
            ServiceError::Store(StoreError::Unavailable(_)) => {
                "internal error: the database is unavailable; try again".to_owned()
            }
            ServiceError::Store(_) => {
                "internal error: a database operation failed; the server log has the details"
                    .to_owned()
            }
            ServiceError::Vault(_) | ServiceError::Corrupt(_) => {
                "internal error; the server log has the details".to_owned()
            }
            other => other.to_string(),
        }
    }
}
