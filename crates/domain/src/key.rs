use crate::{KeyId, Label, ProviderId, Timestamp, UserId};

/// What we last learned about whether a provider accepts a stored key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// Never probed.
    Unverified,
    Valid,
    /// The provider refused it.
    Invalid,
    /// The provider could not be reached.
    Unknown,
}

impl KeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Unverified => "unverified",
            KeyStatus::Valid => "valid",
            KeyStatus::Invalid => "invalid",
            KeyStatus::Unknown => "unknown",
        }
    }

    pub fn from_stored(value: &str) -> Option<Self> {
        [
            KeyStatus::Unverified,
            KeyStatus::Valid,
            KeyStatus::Invalid,
            KeyStatus::Unknown,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// The visible tail of a secret: `…` and at most its last four characters. Secrets shorter
/// than twelve characters show no characters at all.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct MaskedKey(String);

impl MaskedKey {
    pub const MIN_SECRET_CHARS_TO_SHOW_TAIL: usize = 12;

    pub fn of(secret: &str) -> Self {
        let count = secret.chars().count();
        if count < Self::MIN_SECRET_CHARS_TO_SHOW_TAIL {
            return Self("…".to_owned());
        }
        let tail: String = secret.chars().skip(count - 4).collect();
        Self(format!("…{tail}"))
    }

    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored credential as callers see it. Never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRecord {
    pub id: KeyId,
    pub provider_id: ProviderId,
    pub label: Label,
    pub masked_key: MaskedKey,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub status: KeyStatus,
    pub last_checked_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_never_shows_more_than_four_characters() {
        assert_eq!(MaskedKey::of("sk-or-v1-0123456789abcdef").as_str(), "…cdef");
        assert_eq!(MaskedKey::of("short").as_str(), "…");
        assert_eq!(MaskedKey::of("elevenchars").as_str(), "…");
        assert_eq!(MaskedKey::of("twelve-chars").as_str(), "…hars");
    }
}
