//! Prefixed, time-ordered identifiers (`org_…`, `aik_…`, `tok_…`, `evt_…`).
//!
//! Each id is a prefix and the 32 lowercase hex digits of a UUIDv7, so ids sort by creation
//! time and a key id can never be mistaken for an organization id.

use std::fmt;

use crate::InvalidInput;

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A new id, ordered after every id made before it on this machine.
            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, uuid::Uuid::now_v7().simple()))
            }

            /// Parses an id received from outside; `field` names it in the error.
            pub fn parse(value: &str, field: &str) -> Result<Self, InvalidInput> {
                let hex = value.strip_prefix($prefix).ok_or_else(|| {
                    InvalidInput::new(field, concat!("must be an id starting with `", $prefix, "`"))
                })?;
                if hex.len() != 32 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                    return Err(InvalidInput::new(
                        field,
                        concat!("must be `", $prefix, "` followed by 32 lowercase hex digits"),
                    ));
                }
                Ok(Self(value.to_owned()))
            }

            /// Wraps an id read back from our own storage, where it was written by `generate`.
            pub fn from_trusted(value: String) -> Self {
                Self(value)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

prefixed_id!(
    /// An organization: the unit of isolation.
    OrgId, "org_"
);
prefixed_id!(
    /// A stored provider credential.
    KeyId, "aik_"
);
prefixed_id!(
    /// An access token (the id, not the secret token itself).
    TokenId, "tok_"
);
prefixed_id!(
    /// An audit log entry.
    EventId, "evt_"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_and_sort_by_creation() {
        let a = KeyId::generate();
        let b = KeyId::generate();
        assert!(a < b);
        assert_eq!(KeyId::parse(a.as_str(), "keyId").unwrap(), a);
    }

    #[test]
    fn foreign_or_malformed_ids_are_rejected() {
        let org = OrgId::generate();
        assert!(KeyId::parse(org.as_str(), "keyId").is_err());
        assert!(KeyId::parse("aik_", "keyId").is_err());
        assert!(KeyId::parse("aik_0123456789ABCDEF0123456789abcdef", "keyId").is_err());
        assert!(KeyId::parse("aik_0123456789abcdef0123456789abcde", "keyId").is_err());
        let err = KeyId::parse("nope", "keyId").unwrap_err();
        assert_eq!(err.field, "keyId");
    }
}
