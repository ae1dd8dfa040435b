use std::fmt;

/// The error codes of the contract (CONTRACT §3). Every error of every part maps to one of
/// these, in one place per transport (MCP results, HTTP statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    InvalidInput,
    Unsupported,
    UpstreamAuth,
    UpstreamRateLimited,
    UpstreamUnavailable,
    InsufficientCredits,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::UpstreamAuth => "upstream_auth",
            ErrorCode::UpstreamRateLimited => "upstream_rate_limited",
            ErrorCode::UpstreamUnavailable => "upstream_unavailable",
            ErrorCode::InsufficientCredits => "insufficient_credits",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status that goes with the code on HTTP routes.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::InvalidInput => 400,
            ErrorCode::Unsupported => 400,
            ErrorCode::UpstreamAuth => 502,
            ErrorCode::UpstreamRateLimited => 429,
            ErrorCode::UpstreamUnavailable => 503,
            ErrorCode::InsufficientCredits => 402,
            ErrorCode::Internal => 500,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
