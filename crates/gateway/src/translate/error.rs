//! The one error type of the translation layer.

/// Why a translation failed.
///
/// The variants up to [`TranslateError::Unsupported`] are the caller's fault (HTTP 400);
/// [`TranslateError::InvalidUpstream`] and [`TranslateError::Upstream`] describe the
/// upstream's answer (the gateway fails over or answers 502).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslateError {
    /// The request body is not JSON.
    #[error("the request body is not valid JSON: {0}")]
    InvalidJson(String),
    /// `messages` is empty.
    #[error("`messages` must contain at least one message")]
    NoMessages,
    /// A required field is absent (or null).
    #[error("missing required field `{field}`")]
    MissingField { field: String },
    /// A field has the wrong type or an invalid value.
    #[error("invalid field `{field}`: {reason}")]
    InvalidField { field: String, reason: String },
    /// A message role the format does not define.
    #[error("invalid field `{field}`: unknown role `{role}`")]
    UnknownRole { field: String, role: String },
    /// Valid in the caller's format, but the gateway does not translate it.
    #[error("unsupported field `{field}`: {reason}")]
    Unsupported { field: String, reason: String },
    /// An upstream response (or stream event) the gateway could not parse.
    #[error("invalid {format} upstream response: {reason}")]
    InvalidUpstream {
        format: &'static str,
        reason: String,
    },
    /// The upstream reported an error inside a response or stream (an `error` event or
    /// body after HTTP 200).
    #[error("upstream error: {message}")]
    Upstream { message: String },
}

impl TranslateError {
    /// Whether the caller's request is at fault (an HTTP 400), as opposed to the upstream.
    pub fn is_caller_error(&self) -> bool {
        !matches!(self, Self::InvalidUpstream { .. } | Self::Upstream { .. })
    }

    /// The JSON path of the offending request field, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::MissingField { field }
            | Self::InvalidField { field, .. }
            | Self::UnknownRole { field, .. }
            | Self::Unsupported { field, .. } => Some(field),
            Self::NoMessages => Some("messages"),
            _ => None,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidField {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn unsupported(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Unsupported {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
