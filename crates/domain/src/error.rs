use std::fmt;

/// Untrusted input that does not parse into a domain type.
///
/// `field` is the path of the offending value (`label`, `policy.rules[2].effect`, …) and
/// `reason` says what is wrong with it. Neither ever contains the rejected value itself, so
/// the error is safe to show even when the value was a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InvalidInput {
    pub field: String,
    pub reason: String,
}

impl InvalidInput {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}
