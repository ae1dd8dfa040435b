use crate::{EventId, Timestamp, UserId};

/// What was attempted. Stored and shown as the dotted string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    KeyCreate,
    KeyUpdate,
    KeyDelete,
    /// Replacing the organization's model permission policy.
    PolicySet,
    /// Starting an OAuth consent (`AI_PROVIDER_OAUTH_URL`).
    OAuthStart,
    /// Completing one (the exchange tool or the callback route).
    OAuthExchange,
    /// Activating the local Claude Code CLI.
    CliActivate,
    /// Creating a top-up checkout link.
    TopUp,
    /// The gateway marked a key `invalid` after its provider refused it.
    KeyInvalidated,
    /// Reading the audit log (audited only when refused).
    AuditList,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::KeyCreate => "provider_key.create",
            AuditAction::KeyUpdate => "provider_key.update",
            AuditAction::KeyDelete => "provider_key.delete",
            AuditAction::PolicySet => "model_policy.set",
            AuditAction::OAuthStart => "provider_oauth.start",
            AuditAction::OAuthExchange => "provider_oauth.exchange",
            AuditAction::CliActivate => "provider_cli.activate",
            AuditAction::TopUp => "credits.topup",
            AuditAction::KeyInvalidated => "provider_key.invalidated",
            AuditAction::AuditList => "audit.list",
        }
    }
}

/// How it ended: `success`, `denied`, or the error code that stopped it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditOutcome {
    Success,
    Denied,
    Failed(&'static str),
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Denied => "denied",
            AuditOutcome::Failed(code) => code,
        }
    }
}

/// One entry of the append-only audit log, as shown to callers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub id: EventId,
    pub at: Timestamp,
    pub actor_user_id: UserId,
    pub action: String,
    pub target: String,
    pub outcome: String,
}
