//! Access tokens: `aip_` and 43 base64url characters (32 random bytes). Only the SHA-256 of
//! a token is stored; the token is shown once, when it is made.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

pub const PREFIX: &str = "aip_";
const ENCODED_LEN: usize = 43;

pub fn generate() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// The stored form of a token, or `None` when the text cannot be one of ours (so no
/// database lookup is made for it).
pub fn hash(token: &str) -> Option<[u8; 32]> {
    let body = token.strip_prefix(PREFIX)?;
    if body.len() != ENCODED_LEN
        || !body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    Some(Sha256::digest(token.as_bytes()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_well_formed_and_hash_stably() {
        let t = generate().unwrap();
        assert!(t.starts_with("aip_") && t.len() == 47);
        assert_eq!(hash(&t), hash(&t));
        assert_ne!(hash(&t), hash(&generate().unwrap()));
        assert!(hash("aip_short").is_none());
        assert!(hash("Bearer x").is_none());
    }
}
