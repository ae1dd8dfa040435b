//! The simulated account behind one fake: pending OAuth codes, keys issued by an exchange,
//! the OpenRouter key's remaining limit, the Deco balance, the inference counters (response
//! numbers, cached prompt tokens). Tests steer it through
//! [`FakeServer`] setters; [`FakeServer::reset`] puts it back to the defaults.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use crate::oauth::Codes;
use crate::server::{FakeServer, lock};

/// `limit_remaining` of `GET /api/v1/key` unless a test says otherwise.
pub(crate) const DEFAULT_LIMIT_REMAINING: f64 = 74.5;
/// `balance_cents` of the Deco balance unless a test says otherwise.
pub(crate) const DEFAULT_BALANCE_CENTS: i64 = 123_456;

pub(crate) struct Account {
    pub codes: Codes,
    limit_remaining: Mutex<Option<f64>>,
    balance_cents: AtomicI64,
    organizations: Mutex<Vec<String>>,
    issued_keys: Mutex<Vec<String>>,
    /// The number of the last inference response (ids `msg_<n>`, `toolu_<n>`, `call_<n>`).
    responses: AtomicU64,
    /// Cached prompt tokens every inference response reports.
    cached_tokens: AtomicU64,
}

impl Default for Account {
    fn default() -> Self {
        Self {
            codes: Codes::default(),
            limit_remaining: Mutex::new(Some(DEFAULT_LIMIT_REMAINING)),
            balance_cents: AtomicI64::new(DEFAULT_BALANCE_CENTS),
            organizations: Mutex::default(),
            issued_keys: Mutex::default(),
            responses: AtomicU64::new(0),
            cached_tokens: AtomicU64::new(0),
        }
    }
}

impl Account {
    pub fn reset(&self) {
        self.codes.reset();
        *lock(&self.limit_remaining) = Some(DEFAULT_LIMIT_REMAINING);
        self.balance_cents
            .store(DEFAULT_BALANCE_CENTS, Ordering::Relaxed);
        lock(&self.organizations).clear();
        lock(&self.issued_keys).clear();
        self.responses.store(0, Ordering::Relaxed);
        self.cached_tokens.store(0, Ordering::Relaxed);
    }

    /// The number of a new inference response: 1, 2, … (back to 1 after a reset).
    pub fn next_response(&self) -> u64 {
        self.responses.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn cached_tokens(&self) -> u64 {
        self.cached_tokens.load(Ordering::Relaxed)
    }

    pub fn limit_remaining(&self) -> Option<f64> {
        *lock(&self.limit_remaining)
    }

    pub fn balance_cents(&self) -> i64 {
        self.balance_cents.load(Ordering::Relaxed)
    }

    pub fn saw_organization(&self, id: &str) {
        lock(&self.organizations).push(id.to_owned());
    }

    pub fn issued(&self, key: &str) {
        lock(&self.issued_keys).push(key.to_owned());
    }
}

impl FakeServer {
    /// How long an authorization code from the consent stays redeemable (default 10 minutes,
    /// as at OpenRouter). With `Duration::ZERO` every code is already expired at exchange.
    /// Applies to codes issued before the call too.
    pub fn set_code_ttl(&self, ttl: Duration) {
        self.account().codes.set_ttl(ttl);
    }

    /// OpenRouter `GET /api/v1/key`: `limit_remaining` (default `Some(74.5)`, with `limit`
    /// 100). `None` sends both `limit` and `limit_remaining` as `null` (a key without a cap).
    pub fn set_key_limit_remaining(&self, remaining: Option<f64>) {
        *lock(&self.account().limit_remaining) = remaining;
    }

    /// Deco `GET /api/teams/{organizationId}/balance`: `balance_cents` (default 123456).
    pub fn set_balance_cents(&self, cents: i64) {
        self.account().balance_cents.store(cents, Ordering::Relaxed);
    }

    /// Cached prompt tokens reported by every inference response from now on (default 0):
    /// Anthropic `usage.cache_read_input_tokens`, Gemini `usageMetadata.cachedContentTokenCount`
    /// (sent only when non-zero), OpenRouter/Deco `usage.prompt_tokens_details.cached_tokens`.
    /// Reported as is, on top of the prompt estimate.
    pub fn set_cached_tokens(&self, tokens: u64) {
        self.account()
            .cached_tokens
            .store(tokens, Ordering::Relaxed);
    }

    /// The `organizationId`s of the Deco balance requests that were answered, in order.
    pub fn balance_organizations(&self) -> Vec<String> {
        lock(&self.account().organizations).clone()
    }

    /// The keys handed out by successful code exchanges (OpenRouter `POST /api/v1/auth/keys`,
    /// Deco `POST /oauth/token`), in order.
    pub fn issued_keys(&self) -> Vec<String> {
        lock(&self.account().issued_keys).clone()
    }
}
