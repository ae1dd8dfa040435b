//! PKCE (RFC 7636) and OAuth state tokens: the random values of an OAuth consent.
//!
//! - The code verifier is 32 random bytes, base64url without padding (43 characters, the
//!   RFC's recommendation); its `S256` challenge is `base64url(sha256(verifier))`.
//! - The state token is 32 random bytes (256 bits), base64url; only its SHA-256 is stored.

use aiproviders_domain::SecretString;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::VaultError;

/// A fresh code verifier and its S256 challenge.
pub struct Pkce {
    /// Secret until the exchange; zeroized on drop, redacted in `Debug`.
    pub verifier: SecretString,
    pub challenge: String,
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

impl Pkce {
    pub fn generate() -> Result<Self, VaultError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut_slice()).map_err(|_| VaultError::Random)?;
        let verifier = URL_SAFE_NO_PAD.encode(bytes.as_slice());
        let challenge = s256_challenge(&verifier);
        Ok(Self {
            verifier: SecretString::from(verifier),
            challenge,
        })
    }
}

/// `base64url(sha256(verifier))`, no padding.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A state token: 256 random bits, base64url (43 characters).
pub fn state_token() -> Result<SecretString, VaultError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut_slice()).map_err(|_| VaultError::Random)?;
    Ok(SecretString::from(URL_SAFE_NO_PAD.encode(bytes.as_slice())))
}

/// What is stored of a state token: its SHA-256.
pub fn state_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use aiproviders_domain::ExposeSecret;

    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_43_url_safe_characters_and_fresh() {
        let a = Pkce::generate().unwrap();
        let b = Pkce::generate().unwrap();
        let verifier = a.verifier.expose_secret();
        assert_eq!(verifier.len(), 43);
        assert!(
            verifier
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(verifier, b.verifier.expose_secret());
        assert_eq!(a.challenge, s256_challenge(verifier));
        assert!(!format!("{a:?}").contains(verifier));
        let token = state_token().unwrap();
        assert_eq!(token.expose_secret().len(), 43);
        assert_ne!(state_hash(token.expose_secret()), state_hash("other"));
    }
}
