//! Tool outcomes as MCP results. Errors are mapped here, once.

use aiproviders_domain::{ErrorCode, InvalidInput};
use aiproviders_service::ServiceError;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Value, json};

/// Why a tool call failed, before it becomes a result.
#[derive(Debug)]
pub enum ToolError {
    Service(ServiceError),
    Unauthenticated,
}

impl From<ServiceError> for ToolError {
    fn from(error: ServiceError) -> Self {
        ToolError::Service(error)
    }
}

impl From<InvalidInput> for ToolError {
    fn from(error: InvalidInput) -> Self {
        ToolError::Service(error.into())
    }
}

impl ToolError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ToolError::Service(e) => e.code(),
            ToolError::Unauthenticated => ErrorCode::Unauthenticated,
        }
    }

    fn message(&self) -> String {
        match self {
            ToolError::Service(e) => e.public_message(),
            ToolError::Unauthenticated => "missing or unknown access token".to_owned(),
        }
    }
}

pub fn success(value: Value) -> CallToolResult {
    CallToolResult::structured(value)
}

pub fn failure(error: &ToolError) -> CallToolResult {
    let message = error.message();
    let mut result = CallToolResult::structured_error(json!({
        "error": {"code": error.code().as_str(), "message": message}
    }));
    result.content = vec![ContentBlock::text(message)];
    result
}
