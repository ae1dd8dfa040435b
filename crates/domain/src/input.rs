//! Values that come from outside and are validated once, here.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::{InvalidInput, MaskedKey};

/// The largest provider secret we accept (bytes). Real keys are well under 300 bytes.
pub const MAX_API_KEY_BYTES: usize = 4096;
pub const MAX_LABEL_CHARS: usize = 100;
pub const MAX_USER_ID_CHARS: usize = 128;

/// A human label for a stored key: 1–100 characters, not blank, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Label(String);

impl Label {
    pub fn parse(value: &str, field: &str) -> Result<Self, InvalidInput> {
        let chars = value.chars().count();
        if chars == 0 || value.trim().is_empty() {
            return Err(InvalidInput::new(field, "must not be empty"));
        }
        if chars > MAX_LABEL_CHARS {
            return Err(InvalidInput::new(
                field,
                format!("must be at most {MAX_LABEL_CHARS} characters (got {chars})"),
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(InvalidInput::new(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who acts: the user id an access token was issued for. Free-form (an email, a UUID, …),
/// 1–128 characters, no control characters, no surrounding whitespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    pub fn parse(value: &str, field: &str) -> Result<Self, InvalidInput> {
        let chars = value.chars().count();
        if chars == 0 {
            return Err(InvalidInput::new(field, "must not be empty"));
        }
        if chars > MAX_USER_ID_CHARS {
            return Err(InvalidInput::new(
                field,
                format!("must be at most {MAX_USER_ID_CHARS} characters"),
            ));
        }
        if value.trim() != value || value.chars().any(char::is_control) {
            return Err(InvalidInput::new(
                field,
                "must not contain control characters or surrounding whitespace",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An organization's short name: lowercase letters, digits and inner dashes, 1–63 long.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct OrgSlug(String);

impl OrgSlug {
    pub fn parse(value: &str, field: &str) -> Result<Self, InvalidInput> {
        let ok_chars = value
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'));
        if value.is_empty()
            || value.len() > 63
            || !ok_chars
            || value.starts_with('-')
            || value.ends_with('-')
        {
            return Err(InvalidInput::new(
                field,
                "must be 1-63 lowercase letters, digits or inner dashes",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A provider secret (API key) in memory: zeroized on drop, `Debug` shows `[REDACTED]`, and
/// it cannot be serialized. Only the vault reads it (`expose_secret`) to seal or fingerprint
/// it, and only a provider adapter reads it to call its provider.
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Validates a secret received from a caller. Surrounding spaces (a common paste
    /// mistake) are removed; anything else is kept exactly. The value is never echoed in
    /// the error.
    pub fn parse(value: impl Into<SecretString>, field: &str) -> Result<Self, InvalidInput> {
        let secret: SecretString = value.into();
        let raw = secret.expose_secret();
        let trimmed = raw.trim_matches(' ');
        if trimmed.is_empty() {
            return Err(InvalidInput::new(
                field,
                "must not be empty or only whitespace",
            ));
        }
        if raw.len() > MAX_API_KEY_BYTES {
            return Err(InvalidInput::new(
                field,
                format!("must be at most {MAX_API_KEY_BYTES} bytes"),
            ));
        }
        if trimmed.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(InvalidInput::new(
                field,
                "must not contain control characters or inner whitespace",
            ));
        }
        if trimmed.len() == raw.len() {
            return Ok(Self(secret));
        }
        Ok(Self(SecretString::from(trimmed.to_owned())))
    }

    /// A secret the vault opened: it was validated when it was stored.
    pub fn from_vault(value: String) -> Self {
        Self(SecretString::from(value))
    }

    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// At most the last four characters, and none of a short secret.
    pub fn masked(&self) -> MaskedKey {
        MaskedKey::of(self.expose_secret())
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(Label::parse("prod key", "label").is_ok());
        assert!(Label::parse(&"é".repeat(100), "label").is_ok());
        assert!(Label::parse(&"a".repeat(101), "label").is_err());
        assert!(Label::parse("", "label").is_err());
        assert!(Label::parse("   ", "label").is_err());
        assert!(Label::parse("a\nb", "label").is_err());
    }

    #[test]
    fn api_keys() {
        let key = ApiKey::parse(String::from("  sk-ant-api03-abcdefghijkl  "), "apiKey").unwrap();
        assert_eq!(key.expose_secret(), "sk-ant-api03-abcdefghijkl");
        assert_eq!(key.masked().as_str(), "…ijkl");
        assert_eq!(format!("{key:?}"), "ApiKey([REDACTED])");
        for bad in [
            "",
            "   ",
            "sk-secret\u{0}x",
            "sk-secret\tx",
            "sk secret",
            "secret\n",
        ] {
            let err = ApiKey::parse(String::from(bad), "apiKey").unwrap_err();
            assert_eq!(err.field, "apiKey");
            assert!(
                !err.to_string().contains("secret"),
                "error echoes the value: {err}"
            );
        }
        assert!(ApiKey::parse("k".repeat(4096), "apiKey").is_ok());
        assert!(ApiKey::parse("k".repeat(4097), "apiKey").is_err());
    }

    #[test]
    fn user_ids_and_slugs() {
        assert!(UserId::parse("alice@example.com", "user").is_ok());
        assert!(UserId::parse(" alice", "user").is_err());
        assert!(UserId::parse("", "user").is_err());
        assert!(OrgSlug::parse("acme-inc", "slug").is_ok());
        assert!(OrgSlug::parse("Acme", "slug").is_err());
        assert!(OrgSlug::parse("-acme", "slug").is_err());
        assert!(OrgSlug::parse("org_1", "slug").is_err());
    }
}
