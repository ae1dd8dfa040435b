//! Credits and top-ups: `AI_PROVIDER_CREDITS` and `AI_PROVIDER_TOPUP_URL`.
//!
//! `deco` reports the gateway balance of the organization and creates checkout links;
//! `openrouter` reports a key's remaining limit; other providers have neither. Without
//! `keyId`, the organization's newest key of the provider is used. Balances are cached per
//! key for 60 s.

use std::time::Duration;

use aiproviders_domain::{
    AuditAction, AuditOutcome, InvalidInput, KeyId, KeyRecord, ProviderId, Timestamp,
};

use crate::caller::provider_target;
use crate::{Caller, ServiceError};

pub const BALANCE_TTL: Duration = Duration::from_secs(60);
pub const MIN_TOP_UP_CENTS: i64 = 100;
pub const MAX_TOP_UP_CENTS: i64 = 100_000_000;

/// A provider's balance as `AI_PROVIDER_CREDITS` reports it.
#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Credits {
    pub provider_id: ProviderId,
    /// `None`: the key has no spending limit (OpenRouter).
    pub balance_cents: Option<i64>,
    pub currency: &'static str,
    pub fetched_at: Timestamp,
}

/// Currencies a top-up can be paid in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Currency {
    Usd,
    Brl,
}

impl Currency {
    pub fn parse(value: Option<&str>) -> Result<Self, InvalidInput> {
        match value {
            None | Some("usd") => Ok(Currency::Usd),
            Some("brl") => Ok(Currency::Brl),
            Some(_) => Err(InvalidInput::new("currency", "must be usd or brl")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Currency::Usd => "usd",
            Currency::Brl => "brl",
        }
    }
}

impl Caller<'_> {
    /// The provider's balance (cached for 60 s per key).
    pub async fn credits(
        &self,
        provider_id: &str,
        key_id: Option<&str>,
    ) -> Result<Credits, ServiceError> {
        let provider = self.credits_provider(provider_id, "report credits")?;
        let key = self.credits_key(provider, key_id).await?;
        let now = Timestamp::now();
        if let Some(cached) = self.services.caches.balance(&key.id, key.updated_at)
            && cached.fetched_at.is_within(BALANCE_TTL, now)
        {
            return Ok(cached);
        }
        let (_, secret) = self.services.open_credential(&self.org, &key.id).await?;
        let secret = secret.ok_or_else(|| {
            ServiceError::Unsupported(format!(
                "{provider} credentials without a secret have no balance"
            ))
        })?;
        let balance = self
            .services
            .upstream
            .balance_cents(provider, &secret, self.org.org_id().as_str())
            .await?;
        drop(secret);
        let credits = Credits {
            provider_id: provider,
            balance_cents: balance,
            currency: "USD",
            fetched_at: Timestamp::now(),
        };
        self.services
            .caches
            .put_balance(&key.id, key.updated_at, credits);
        Ok(credits)
    }

    /// A checkout link to buy credits. Owners and admins only; audited.
    pub async fn top_up_url(
        &self,
        provider_id: &str,
        amount_cents: Option<i64>,
        currency: Option<&str>,
    ) -> Result<String, ServiceError> {
        let action = AuditAction::TopUp;
        let target = provider_target(provider_id);
        self.require_write(action, &target).await?;
        let parsed = (|| {
            let amount = match amount_cents {
                Some(n) if (MIN_TOP_UP_CENTS..=MAX_TOP_UP_CENTS).contains(&n) => n as u64,
                Some(_) => {
                    return Err(ServiceError::from(InvalidInput::new(
                        "amountCents",
                        format!("must be an integer from {MIN_TOP_UP_CENTS} to {MAX_TOP_UP_CENTS}"),
                    )));
                }
                None => return Err(InvalidInput::new("amountCents", "is required").into()),
            };
            let currency = Currency::parse(currency)?;
            let provider = self.credits_provider(provider_id, "create top-ups")?;
            if !self
                .services
                .registry
                .get(provider)
                .is_some_and(|p| p.supports_top_up)
            {
                return Err(ServiceError::Unsupported(format!(
                    "{provider} does not support top-ups"
                )));
            }
            Ok((provider, amount, currency))
        })();
        let (provider, amount, currency) = self.audited(action, &target, parsed).await?;
        let result = async {
            let key = self.credits_key(provider, None).await?;
            let (_, secret) = self.services.open_credential(&self.org, &key.id).await?;
            let secret = secret.ok_or_else(|| {
                ServiceError::Unsupported(format!(
                    "{provider} credentials without a secret cannot top up"
                ))
            })?;
            let url = self
                .services
                .upstream
                .top_up_url(provider, &secret, amount, currency.as_str())
                .await?;
            Ok::<_, ServiceError>(url)
        }
        .await;
        let url = self.audited(action, &target, result).await?;
        self.record(action, &target, AuditOutcome::Success).await?;
        Ok(url)
    }

    /// An enabled provider that reports credits.
    fn credits_provider(&self, provider_id: &str, what: &str) -> Result<ProviderId, ServiceError> {
        let provider = self.enabled_provider(provider_id, "providerId")?;
        if !provider.supports_credits {
            return Err(ServiceError::Unsupported(format!(
                "{} does not {what}",
                provider.id
            )));
        }
        Ok(provider.id)
    }

    /// The named key (which must be of `provider`), or the newest key of `provider`.
    async fn credits_key(
        &self,
        provider: ProviderId,
        key_id: Option<&str>,
    ) -> Result<KeyRecord, ServiceError> {
        let id = key_id.map(|k| KeyId::parse(k, "keyId")).transpose()?;
        let version = self.org.keys_version().await?;
        let snapshot = self.key_snapshot(version).await?;
        match id {
            Some(id) => {
                let key = snapshot.find(&id).ok_or(ServiceError::NotFound("key"))?;
                if key.provider_id != provider {
                    return Err(InvalidInput::new(
                        "keyId",
                        format!("is a {} key, not a {provider} key", key.provider_id),
                    )
                    .into());
                }
                Ok(key.clone())
            }
            None => snapshot
                .keys
                .iter()
                .find(|k| k.provider_id == provider)
                .cloned()
                .ok_or_else(|| {
                    ServiceError::NotFoundWithHint(format!(
                        "no {provider} key is stored; add one with AI_PROVIDER_KEY_CREATE or AI_PROVIDER_OAUTH_URL"
                    ))
                }),
        }
    }
}
