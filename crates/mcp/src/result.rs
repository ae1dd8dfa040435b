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
    Render(serde_json::Error),
}

/// A tool's successful output: the structured value and the same JSON as text, both made
/// straight from the typed output (no second pass over a JSON tree).
#[derive(Clone)]
pub struct Output {
    structured: Value,
    text: String,
}

impl Output {
    pub fn of<T: serde::Serialize>(output: &T) -> Result<Self, ToolError> {
        Ok(Self {
            text: serde_json::to_string(output).map_err(ToolError::Render)?,
            structured: serde_json::to_value(output).map_err(ToolError::Render)?,
        })
    }
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

impl std::fmt::Display for ToolError {
    /// The full error, for the server log (never shown to callers as is).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ToolError::Service(e) => write!(f, "{e}"),
            ToolError::Unauthenticated => f.write_str("unauthenticated"),
            ToolError::Render(e) => write!(f, "encoding the result failed: {e}"),
        }
    }
}

impl ToolError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ToolError::Service(e) => e.code(),
            ToolError::Unauthenticated => ErrorCode::Unauthenticated,
            ToolError::Render(_) => ErrorCode::Internal,
        }
    }

    fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            ToolError::Service(e) => e.retry_after_seconds(),
            _ => None,
        }
    }

    fn message(&self) -> String {
        match self {
            ToolError::Service(e) => e.public_message(),
            ToolError::Unauthenticated => "missing or unknown access token".to_owned(),
            ToolError::Render(_) => "internal error: the result could not be encoded".to_owned(),
        }
    }
}

pub fn success(output: Output) -> CallToolResult {
    let mut result = CallToolResult::success(vec![ContentBlock::text(output.text)]);
    result.structured_content = Some(output.structured);
    result
}

pub fn failure(error: &ToolError) -> CallToolResult {
    let message = error.message();
    let mut body = json!({"code": error.code().as_str(), "message": message});
    if let Some(seconds) = error.retry_after_seconds() {
        body["retryAfterSeconds"] = json!(seconds);
    }
    let mut result = CallToolResult::structured_error(json!({ "error": body }));
    result.content = vec![ContentBlock::text(message)];
    result
}
