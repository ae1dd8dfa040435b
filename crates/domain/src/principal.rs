use std::fmt;

use crate::{InvalidInput, OrgId, TokenId, UserId};

/// What an access token allows. See CONTRACT §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn parse(value: &str, field: &str) -> Result<Self, InvalidInput> {
        match value {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            _ => Err(InvalidInput::new(
                field,
                "unknown role; expected owner, admin or member",
            )),
        }
    }

    /// Owners and admins may change the organization's configuration; members only read
    /// and use it.
    pub fn may_write(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The authenticated caller: who they are, in which organization, with which role.
///
/// A `Principal` is produced only by authentication (a bearer token looked up in the store)
/// and is the only way to obtain an organization-scoped store handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    org_id: OrgId,
    user_id: UserId,
    role: Role,
    token_id: TokenId,
}

impl Principal {
    /// Built by the store when a token hash matches a live token.
    pub fn from_token(org_id: OrgId, user_id: UserId, role: Role, token_id: TokenId) -> Self {
        Self {
            org_id,
            user_id,
            role,
            token_id,
        }
    }

    pub fn org_id(&self) -> &OrgId {
        &self.org_id
    }

    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn token_id(&self) -> &TokenId {
        &self.token_id
    }
}
