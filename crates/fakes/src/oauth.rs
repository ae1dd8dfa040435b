//! What the OpenRouter and Deco OAuth fakes share: the authorization codes handed out on
//! consent, PKCE checking (reference §6), random tokens and callback URLs.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::server::lock;

/// How long a code stays redeemable unless a test says otherwise (OpenRouter: 10 minutes).
pub(crate) const DEFAULT_CODE_TTL: Duration = Duration::from_secs(600);

/// `code_challenge_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChallengeMethod {
    S256,
    Plain,
}

impl ChallengeMethod {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "S256" => Some(Self::S256),
            "plain" => Some(Self::Plain),
            _ => None,
        }
    }
}

/// What the consent recorded for one code.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub challenge: Option<(ChallengeMethod, String)>,
    issued: Instant,
}

/// Why a code was refused. Every refusal burns the code, as real OAuth servers do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Unknown or already used.
    UnknownCode,
    Expired,
    /// Missing or wrong `code_verifier` (or a method other than the consent's).
    BadVerifier,
}

/// Pending authorization codes.
pub(crate) struct Codes {
    ttl: Mutex<Duration>,
    pending: Mutex<HashMap<String, Grant>>,
}

impl Default for Codes {
    fn default() -> Self {
        Self {
            ttl: Mutex::new(DEFAULT_CODE_TTL),
            pending: Mutex::default(),
        }
    }
}

impl Codes {
    pub fn set_ttl(&self, ttl: Duration) {
        *lock(&self.ttl) = ttl;
    }

    pub fn reset(&self) {
        *lock(&self.ttl) = DEFAULT_CODE_TTL;
        lock(&self.pending).clear();
    }

    /// A fresh single-use code bound to this challenge.
    pub fn issue(&self, challenge: Option<(ChallengeMethod, String)>) -> String {
        let code = format!("auth_code_{}", random_hex(32));
        let grant = Grant {
            challenge,
            issued: Instant::now(),
        };
        lock(&self.pending).insert(code.clone(), grant);
        code
    }

    /// Consumes `code` whatever the outcome. With a challenge at consent, `method` must be
    /// the consent's and `verifier` a well-formed verifier whose transform is the challenge; a
    /// code issued without a challenge needs neither. A code is expired once `ttl` has passed
    /// (at once with a zero ttl).
    pub fn redeem(
        &self,
        code: &str,
        method: Option<ChallengeMethod>,
        verifier: Option<&str>,
    ) -> Result<Grant, Refusal> {
        let grant = lock(&self.pending)
            .remove(code)
            .ok_or(Refusal::UnknownCode)?;
        if grant.issued.elapsed() >= *lock(&self.ttl) {
            return Err(Refusal::Expired);
        }
        match &grant.challenge {
            None => Ok(grant),
            Some((expected, challenge)) => {
                let ok = method == Some(*expected)
                    && verifier.is_some_and(|v| {
                        well_formed_verifier(v) && transform(*expected, v) == *challenge
                    });
                if ok {
                    Ok(grant)
                } else {
                    Err(Refusal::BadVerifier)
                }
            }
        }
    }
}

/// `43*128unreserved` (RFC 7636 §4.1).
fn well_formed_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn transform(method: ChallengeMethod, verifier: &str) -> String {
    match method {
        ChallengeMethod::S256 => s256(verifier),
        ChallengeMethod::Plain => verifier.to_owned(),
    }
}

/// `base64url(sha256(verifier))` without padding.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `len` unpredictable lowercase hex digits (SHA-256 of a per-process random seed, a counter
/// and the clock: unique and unguessable enough for a fake).
pub(crate) fn random_hex(len: usize) -> String {
    static SEED: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = *SEED.get_or_init(|| RandomState::new().hash_one(std::process::id()));
    let mut out = String::with_capacity(len + 64);
    while out.len() < len {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let digest = Sha256::new()
            .chain_update(seed.to_le_bytes())
            .chain_update(n.to_le_bytes())
            .chain_update(nanos.to_le_bytes())
            .finalize();
        for b in digest.iter() {
            let _ = write!(out, "{b:02x}");
        }
    }
    out.truncate(len);
    out
}

/// Percent-encodes a query value (everything but the unreserved characters).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `url` with `name=value` appended to its query (`?` or `&` as needed), before any fragment.
pub(crate) fn with_param(url: &str, name: &str, value: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let sep = match base.split_once('?') {
        None => "?",
        Some((_, "")) => "",
        Some((_, q)) if q.ends_with('&') => "",
        Some(_) => "&",
    };
    let mut out = format!("{base}{sep}{}={}", encode(name), encode(value));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Whether `url` is an absolute http(s) URL usable in a `Location` header.
pub(crate) fn usable_callback(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && axum::http::HeaderValue::from_str(url).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn params_are_appended_properly() {
        assert_eq!(
            with_param("http://h/cb", "code", "a b"),
            "http://h/cb?code=a%20b"
        );
        assert_eq!(
            with_param("http://h/cb?state=s", "code", "c"),
            "http://h/cb?state=s&code=c"
        );
        assert_eq!(
            with_param("http://h/cb?", "code", "c"),
            "http://h/cb?code=c"
        );
        assert_eq!(
            with_param("http://h/cb?x=1#frag", "code", "c"),
            "http://h/cb?x=1&code=c#frag"
        );
    }

    #[test]
    fn random_hex_is_fresh() {
        let (a, b) = (random_hex(64), random_hex(64));
        assert_eq!((a.len(), b.len()), (64, 64));
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(random_hex(100).len(), 100);
    }
}
