//! Domain types of aiproviders.
//!
//! Everything here is pure: no IO, no HTTP, no SQL. Untrusted input is parsed into these
//! types once, at the edge (`Label::parse`, `ApiKey::parse`, `KeyId::parse`, …), so the rest
//! of the code cannot hold an invalid value.

mod audit;
mod error;
mod error_code;
mod ids;
mod input;
mod key;
mod model;
mod policy;
mod principal;
mod provider;
mod timestamp;

pub use audit::{AuditAction, AuditEvent, AuditOutcome};
pub use error::InvalidInput;
pub use error_code::ErrorCode;
pub use ids::{EventId, KeyId, OrgId, TokenId};
pub use input::{ApiKey, Label, OrgSlug, UserId};
pub use key::{KeyRecord, KeyStatus, MaskedKey};
pub use model::{Capabilities, Capability, Model, ModelCosts, ModelId, ModelLimits};
pub use policy::{Decision, Effect, ModelGlob, Policy, PolicyRule, PolicySubject};
pub use principal::{Principal, Role};
pub use provider::{AuthMethod, ProviderId};
pub use timestamp::Timestamp;

/// A secret string that is zeroized on drop and shows `[REDACTED]`; callers wrap a secret
/// in it the moment it is read from a request.
pub use secrecy::{ExposeSecret, SecretString};
