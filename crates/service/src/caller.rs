use std::sync::Arc;

use aiproviders_domain::{
    ApiKey, AuditAction, AuditEvent, AuditOutcome, AuthMethod, EventId, InvalidInput, KeyId,
    KeyRecord, Label, MaskedKey, Principal, ProviderId, SecretString, Timestamp,
};
use aiproviders_providers::ProviderInfo;
use aiproviders_store::{AuditCursor, NewAuditEvent, NewKey, OrgStore};
use aiproviders_vault::SecretBinding;

use crate::{KeyList, KeyListSnapshot, ServiceError, Services};

pub const AUDIT_LIST_DEFAULT_LIMIT: u32 = 50;
pub const AUDIT_LIST_MAX_LIMIT: u32 = 500;

/// A request's view of the service: one principal, one organization.
pub struct Caller<'a> {
    pub(crate) services: &'a Services,
    pub(crate) principal: &'a Principal,
    pub(crate) org: OrgStore<'a>,
}

/// A stored key and whether this call created it (`false`: the same secret was already
/// stored and its record was updated).
#[derive(Debug, Clone)]
pub struct KeyCreated {
    pub key: KeyRecord,
    pub created: bool,
}

#[derive(Debug, Clone)]
pub struct ActiveProvider {
    pub provider: ProviderInfo,
    pub key_count: u64,
}

impl<'a> Caller<'a> {
    pub(crate) fn new(services: &'a Services, principal: &'a Principal) -> Self {
        Self {
            services,
            principal,
            org: services.store.scoped(principal),
        }
    }

    pub fn principal(&self) -> &Principal {
        self.principal
    }

    /// The providers this deployment offers.
    pub fn list_providers(&self) -> &'a [ProviderInfo] {
        self.services.registry.enabled()
    }

    /// Stores an API key (or finds the same secret already stored and relabels it).
    pub async fn create_key(
        &self,
        provider_id: &str,
        label: &str,
        api_key: SecretString,
    ) -> Result<KeyCreated, ServiceError> {
        let action = AuditAction::KeyCreate;
        let target = provider_target(provider_id);
        self.require_write(action, &target).await?;
        let parsed = (|| {
            let provider = self.enabled_provider(provider_id, "providerId")?;
            if !provider.supported_methods.contains(&AuthMethod::ApiKey) {
                return Err(InvalidInput::new(
                    "providerId",
                    format!(
                        "{} is not connected with an API key (it uses {})",
                        provider.id,
                        method_names(provider.supported_methods)
                    ),
                ));
            }
            Ok((
                provider.id,
                Label::parse(label, "label")?,
                ApiKey::parse(api_key, "apiKey")?,
            ))
        })();
        let (provider, label, secret) = self.audited(action, &target, parsed).await?;
        self.store_credential(provider, AuthMethod::ApiKey, label, Some(secret))
            .await
    }

    /// Seals and stores a credential (deduplicated by its keyed fingerprint), audited as
    /// `provider_key.create` in the same transaction, then probes it in the background.
    /// `None` is a credential without a secret (the Claude Code CLI): one per organization
    /// and provider, since its fingerprint is that of a fixed marker.
    pub(crate) async fn store_credential(
        &self,
        provider: ProviderId,
        method: AuthMethod,
        label: Label,
        secret: Option<ApiKey>,
    ) -> Result<KeyCreated, ServiceError> {
        let now = Timestamp::now();
        let data_key = self.services.data_key(&self.org).await?;
        let id = KeyId::generate();
        let (fingerprint, sealed_secret, masked_key) = match &secret {
            Some(secret) => {
                let binding = SecretBinding {
                    org: self.org.org_id(),
                    provider,
                    key: &id,
                };
                (
                    data_key.fingerprint(provider, secret),
                    Some(data_key.seal_secret(binding, secret)?.into_bytes()),
                    secret.masked(),
                )
            }
            None => {
                let marker = ApiKey::from_vault(format!("no-secret:{}", method.as_str()));
                (
                    data_key.fingerprint(provider, &marker),
                    None,
                    MaskedKey::of(""),
                )
            }
        };
        let new_key = NewKey {
            fingerprint: *fingerprint.as_bytes(),
            sealed_secret,
            masked_key,
            id,
            provider,
            auth_method: method,
            label,
            created_by: self.principal.user_id().clone(),
            now,
        };
        drop(secret);
        let (key, created) = self.org.upsert_key(new_key).await?;
        // A stored-again secret is a new version of the key: its old model list goes.
        self.services.models.forget(&key.id);
        self.services.probe_in_background(self.principal, &key.id);
        Ok(KeyCreated { key, created })
    }

    /// The organization's keys, newest first, optionally of one provider. Served from the
    /// cached snapshot when the organization's keys have not changed since it was taken.
    pub async fn list_keys(&self, provider_id: Option<&str>) -> Result<KeyList, ServiceError> {
        let provider = provider_id
            .map(|p| ProviderId::parse(p, "providerId"))
            .transpose()?;
        let version = self.org.keys_version().await?;
        let snapshot = self.key_snapshot(version).await?;
        Ok(KeyList::new(snapshot, provider))
    }

    /// The organization's keys as of `version` (from the cache when it has that version).
    pub(crate) async fn key_snapshot(
        &self,
        version: i64,
    ) -> Result<Arc<KeyListSnapshot>, ServiceError> {
        let org = self.org.org_id();
        let caches = &self.services.caches;
        if let Some(snapshot) = caches.key_list(org, version) {
            return Ok(snapshot);
        }
        // Read after the version: the list is at least as new as `version`.
        let keys = self.org.list_keys().await?;
        let snapshot = Arc::new(KeyListSnapshot { version, keys });
        caches.put_key_list(org, snapshot.clone());
        Ok(snapshot)
    }

    pub async fn update_key(&self, key_id: &str, label: &str) -> Result<KeyRecord, ServiceError> {
        let action = AuditAction::KeyUpdate;
        let target = key_target(key_id);
        self.require_write(action, &target).await?;
        let parsed =
            KeyId::parse(key_id, "keyId").and_then(|id| Ok((id, Label::parse(label, "label")?)));
        let (id, label) = self.audited(action, &target, parsed).await?;
        let updated = self
            .org
            .update_key_label(&id, &label, self.principal.user_id(), Timestamp::now())
            .await?;
        self.services.models.forget(&id);
        let found = updated.ok_or(ServiceError::NotFound("key"));
        self.audited(action, &target, found).await
    }

    pub async fn delete_key(&self, key_id: &str) -> Result<(), ServiceError> {
        let action = AuditAction::KeyDelete;
        let target = key_target(key_id);
        self.require_write(action, &target).await?;
        let id = self
            .audited(action, &target, KeyId::parse(key_id, "keyId"))
            .await?;
        let deleted = self
            .org
            .delete_key(&id, self.principal.user_id(), Timestamp::now())
            .await?;
        self.services.models.forget(&id);
        self.services.caches.forget_credential(&id);
        self.services.opened_secrets.forget(&id);
        let found = if deleted {
            Ok(())
        } else {
            Err(ServiceError::NotFound("key"))
        };
        self.audited(action, &target, found).await
    }

    /// Enabled providers for which the organization has at least one key.
    pub async fn active_providers(&self) -> Result<Vec<ActiveProvider>, ServiceError> {
        let counts = self.org.key_counts().await?;
        Ok(self
            .services
            .registry
            .enabled()
            .iter()
            .filter_map(|provider| {
                let (_, count) = counts.iter().find(|(id, _)| *id == provider.id)?;
                Some(ActiveProvider {
                    provider: provider.clone(),
                    key_count: *count,
                })
            })
            .collect())
    }

    /// The audit log, newest first. Owners and admins only.
    pub async fn audit_list(
        &self,
        limit: Option<i64>,
        before: Option<&str>,
    ) -> Result<Vec<AuditEvent>, ServiceError> {
        self.require_write(AuditAction::AuditList, "audit_log")
            .await?;
        let limit = match limit {
            None => AUDIT_LIST_DEFAULT_LIMIT,
            Some(n) if (1..=i64::from(AUDIT_LIST_MAX_LIMIT)).contains(&n) => n as u32,
            Some(_) => {
                return Err(InvalidInput::new(
                    "limit",
                    format!("must be an integer from 1 to {AUDIT_LIST_MAX_LIMIT}"),
                )
                .into());
            }
        };
        let cursor = before
            .map(|b| {
                if b.starts_with(EventId::PREFIX) {
                    EventId::parse(b, "before").map(AuditCursor::BeforeEvent)
                } else {
                    Timestamp::parse_rfc3339(b, "before")
                        .map(AuditCursor::BeforeTime)
                        .map_err(|_| {
                            InvalidInput::new(
                                "before",
                                "must be an event id (evt_…) or an RFC 3339 time",
                            )
                        })
                }
            })
            .transpose()?;
        Ok(self.org.list_audit(limit, cursor.as_ref()).await?)
    }

    pub(crate) fn enabled_provider(
        &self,
        provider_id: &str,
        field: &str,
    ) -> Result<&'a ProviderInfo, InvalidInput> {
        let id = ProviderId::parse(provider_id, field)?;
        self.services.registry.get(id).ok_or_else(|| {
            InvalidInput::new(
                field,
                format!("the provider {id} is not enabled on this server"),
            )
        })
    }

    /// Refuses (and audits) an owner/admin operation for a member.
    pub(crate) async fn require_write(
        &self,
        action: AuditAction,
        target: &str,
    ) -> Result<(), ServiceError> {
        let role = self.principal.role();
        if role.may_write() {
            return Ok(());
        }
        self.record(action, target, AuditOutcome::Denied).await?;
        Err(ServiceError::Forbidden {
            role: role.as_str(),
            action: action_phrase(action),
        })
    }

    /// Passes `result` through, recording a failed attempt in the audit log first.
    pub(crate) async fn audited<T, E: Into<ServiceError>>(
        &self,
        action: AuditAction,
        target: &str,
        result: Result<T, E>,
    ) -> Result<T, ServiceError> {
        match result {
            Ok(value) => Ok(value),
            Err(error) => {
                let error = error.into();
                self.record(action, target, AuditOutcome::Failed(error.code().as_str()))
                    .await?;
                Err(error)
            }
        }
    }

    pub(crate) async fn record(
        &self,
        action: AuditAction,
        target: &str,
        outcome: AuditOutcome,
    ) -> Result<(), ServiceError> {
        let event = NewAuditEvent {
            at: Timestamp::now(),
            actor: self.principal.user_id().clone(),
            action,
            target: target.to_owned(),
            outcome,
        };
        Ok(self.org.append_audit(&event).await?)
    }
}

/// The audit target of a key operation: the key id when the input is one. Arbitrary
/// caller text never reaches the audit log (it could be a misplaced secret).
pub(crate) fn key_target(raw: &str) -> String {
    KeyId::parse(raw, "keyId")
        .map(|id| id.to_string())
        .unwrap_or_else(|_| "(invalid keyId)".to_owned())
}

/// The audit target of a create: the provider id when the input is one.
pub(crate) fn provider_target(raw: &str) -> String {
    ProviderId::parse(raw, "providerId")
        .map(|p| format!("provider:{p}"))
        .unwrap_or_else(|_| "(invalid providerId)".to_owned())
}

fn action_phrase(action: AuditAction) -> &'static str {
    match action {
        AuditAction::KeyCreate => "create provider keys",
        AuditAction::KeyUpdate => "update provider keys",
        AuditAction::KeyDelete => "delete provider keys",
        AuditAction::PolicySet => "set the model policy",
        AuditAction::OAuthStart | AuditAction::OAuthExchange => "connect providers through OAuth",
        AuditAction::CliActivate => "activate the Claude Code CLI",
        AuditAction::TopUp => "create top-ups",
        AuditAction::KeyInvalidated => "invalidate provider keys",
        AuditAction::AuditList => "read the audit log",
    }
}

pub(crate) fn method_names(methods: &[AuthMethod]) -> String {
    methods
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
