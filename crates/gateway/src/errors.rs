//! Gateway errors in the caller's format: the OpenAI error body on `/v1/chat/completions`,
//! the Anthropic one on `/v1/messages`, with the HTTP status of the contract's error code.

use aiproviders_domain::ErrorCode;
use aiproviders_providers::{ChatFailure, FailureKind};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::translate::CallerFormat;

/// An error for the caller.
#[derive(Debug, Clone)]
pub struct GatewayError {
    pub code: ErrorCode,
    pub message: String,
    pub retry_after_seconds: Option<u64>,
}

impl GatewayError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after_seconds: None,
        }
    }

    /// The caller-facing error for the last failed attempt.
    pub fn from_failure(failure: &ChatFailure) -> Self {
        let code = match failure.kind {
            FailureKind::Auth => ErrorCode::UpstreamAuth,
            FailureKind::RateLimited => ErrorCode::UpstreamRateLimited,
            FailureKind::InsufficientCredits => ErrorCode::InsufficientCredits,
            FailureKind::BadRequest | FailureKind::ContextLength => ErrorCode::InvalidInput,
            FailureKind::ModelNotFound => ErrorCode::NotFound,
            FailureKind::Connect
            | FailureKind::Timeout
            | FailureKind::Server
            | FailureKind::Misconfigured => ErrorCode::UpstreamUnavailable,
        };
        Self {
            code,
            message: failure.to_string(),
            retry_after_seconds: failure.retry_after_seconds,
        }
    }

    pub fn into_response(self, format: CallerFormat, route: &str) -> Response {
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = match format {
            CallerFormat::OpenAi => json!({"error": {
                "message": self.message,
                "type": openai_type(self.code),
                "code": self.code.as_str(),
                "param": null,
            }}),
            CallerFormat::Anthropic => json!({"type": "error", "error": {
                "type": anthropic_type(self.code),
                "message": self.message,
            }}),
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after_seconds {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        crate::engine::set_route(&mut response, route);
        response
    }
}

fn openai_type(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::InvalidInput => "invalid_request_error",
        ErrorCode::Unauthenticated => "authentication_error",
        ErrorCode::Forbidden => "permission_error",
        ErrorCode::NotFound => "not_found_error",
        ErrorCode::UpstreamRateLimited => "rate_limit_error",
        ErrorCode::InsufficientCredits => "insufficient_quota",
        _ => "api_error",
    }
}

fn anthropic_type(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::InvalidInput | ErrorCode::Unsupported => "invalid_request_error",
        ErrorCode::Unauthenticated => "authentication_error",
        ErrorCode::Forbidden => "permission_error",
        ErrorCode::NotFound => "not_found_error",
        ErrorCode::UpstreamRateLimited => "rate_limit_error",
        ErrorCode::InsufficientCredits => "billing_error",
        ErrorCode::UpstreamUnavailable => "overloaded_error",
        _ => "api_error",
    }
}
