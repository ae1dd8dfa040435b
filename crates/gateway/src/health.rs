//! Per-key health for the gateway: a circuit breaker (closed → open after repeated
//! failures → half-open with one probe) and rests (a rate-limited or out-of-credits key is
//! skipped for a while). In memory, per replica: each replica learns for itself, which is
//! enough for skipping keys that keep failing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aiproviders_domain::KeyId;

/// Consecutive failures that open the breaker.
pub const FAILURES_TO_OPEN: u32 = 3;
/// How long an open breaker skips the key before one probe is let through.
pub const OPEN_FOR: Duration = Duration::from_secs(30);
/// A rate-limited key without `Retry-After` rests this long.
pub const DEFAULT_RATE_LIMIT_REST: Duration = Duration::from_secs(30);
/// A key out of credits rests this long.
pub const CREDITS_REST: Duration = Duration::from_secs(300);
/// More keys than this and the map is cleared (health is relearned).
const MAX_KEYS: usize = 100_000;

/// Whether a key may be tried now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Closed breaker: try it.
    Go,
    /// Half-open: this attempt is the one probe.
    Probe,
    /// Skip it: the breaker is open, a probe is in flight, or the key rests.
    Skip(SkipReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    BreakerOpen,
    Resting,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::BreakerOpen => "breaker_open",
            SkipReason::Resting => "resting",
        }
    }
}

#[derive(Debug, Default)]
struct KeyHealth {
    consecutive_failures: u32,
    open_until: Option<Instant>,
    probe_in_flight: bool,
    resting_until: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct Health {
    keys: Mutex<HashMap<KeyId, KeyHealth>>,
}

impl Health {
    fn with<T>(&self, key: &KeyId, f: impl FnOnce(&mut KeyHealth) -> T) -> T {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if keys.len() >= MAX_KEYS && !keys.contains_key(key) {
            keys.clear();
        }
        f(keys.entry(key.clone()).or_default())
    }

    /// Decides whether `key` may be tried at `now` (and claims the probe of a half-open
    /// breaker).
    pub fn admit(&self, key: &KeyId, now: Instant) -> Admission {
        self.with(key, |h| {
            if h.resting_until.is_some_and(|until| now < until) {
                return Admission::Skip(SkipReason::Resting);
            }
            match h.open_until {
                None => Admission::Go,
                Some(until) if now < until => Admission::Skip(SkipReason::BreakerOpen),
                Some(_) if h.probe_in_flight => Admission::Skip(SkipReason::BreakerOpen),
                Some(_) => {
                    h.probe_in_flight = true;
                    Admission::Probe
                }
            }
        })
    }

    /// The attempt succeeded: the breaker closes.
    pub fn succeeded(&self, key: &KeyId) {
        self.with(key, |h| *h = KeyHealth::default());
    }

    /// The attempt failed in a way that counts against the key (connection, timeout,
    /// server error): after [`FAILURES_TO_OPEN`] in a row, or a failed probe, the breaker
    /// opens for [`OPEN_FOR`].
    pub fn failed(&self, key: &KeyId, now: Instant) {
        self.with(key, |h| {
            h.consecutive_failures += 1;
            let probing = h.probe_in_flight;
            h.probe_in_flight = false;
            if probing || h.consecutive_failures >= FAILURES_TO_OPEN {
                h.open_until = Some(now + OPEN_FOR);
            }
        });
    }

    /// The key rests until `now + rest` (rate limited, out of credits).
    pub fn rest(&self, key: &KeyId, now: Instant, rest: Duration) {
        self.with(key, |h| {
            h.probe_in_flight = false;
            h.resting_until = Some(now + rest);
        });
    }

    /// An attempt ended without saying anything about the key (the request was bad, the
    /// model is not there): a claimed probe is released.
    pub fn neutral(&self, key: &KeyId) {
        self.with(key, |h| h.probe_in_flight = false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> KeyId {
        KeyId::parse(&format!("aik_{:0>32}", "1"), "k").unwrap()
    }

    #[test]
    fn opens_after_repeated_failures_then_lets_one_probe_through() {
        let health = Health::default();
        let key = key();
        let t0 = Instant::now();
        for _ in 0..FAILURES_TO_OPEN - 1 {
            assert_eq!(health.admit(&key, t0), Admission::Go);
            health.failed(&key, t0);
        }
        assert_eq!(health.admit(&key, t0), Admission::Go);
        health.failed(&key, t0);
        assert_eq!(
            health.admit(&key, t0),
            Admission::Skip(SkipReason::BreakerOpen)
        );
        let later = t0 + OPEN_FOR;
        assert_eq!(health.admit(&key, later), Admission::Probe);
        assert_eq!(
            health.admit(&key, later),
            Admission::Skip(SkipReason::BreakerOpen),
            "one probe at a time"
        );
        health.failed(&key, later);
        assert_eq!(
            health.admit(&key, later),
            Admission::Skip(SkipReason::BreakerOpen)
        );
        let again = later + OPEN_FOR;
        assert_eq!(health.admit(&key, again), Admission::Probe);
        health.succeeded(&key);
        assert_eq!(health.admit(&key, again), Admission::Go);
    }

    #[test]
    fn rests_expire() {
        let health = Health::default();
        let key = key();
        let t0 = Instant::now();
        health.rest(&key, t0, Duration::from_secs(17));
        assert_eq!(health.admit(&key, t0), Admission::Skip(SkipReason::Resting));
        assert_eq!(
            health.admit(&key, t0 + Duration::from_secs(17)),
            Admission::Go
        );
    }
}
