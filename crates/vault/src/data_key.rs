use std::fmt;

use aiproviders_domain::{ApiKey, ExposeSecret, KeyId, OrgId, ProviderId, SecretString};
use hkdf::Hkdf;
use hmac::{KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::{VaultError, blob};

/// Data keys are not rotated yet; the version is in every blob so they can be.
const DATA_KEY_VERSION: u32 = 1;
const FINGERPRINT_INFO: &[u8] = b"aiproviders:fingerprint:v1";

/// An organization's data key, in memory only while it is used. Zeroized on drop.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey([REDACTED])")
    }
}

/// Where a sealed secret belongs. Part of the associated data of its blob.
#[derive(Debug, Clone, Copy)]
pub struct SecretBinding<'a> {
    pub org: &'a OrgId,
    pub provider: ProviderId,
    pub key: &'a KeyId,
}

impl SecretBinding<'_> {
    fn context(&self) -> String {
        format!(
            "aiproviders:secret:v1:{}:{}:{}",
            self.org,
            self.provider.as_str(),
            self.key
        )
    }
}

/// Where a sealed OAuth code verifier belongs: the consent it was made for (organization,
/// provider and the hash of its state token).
#[derive(Debug, Clone, Copy)]
pub struct VerifierBinding<'a> {
    pub org: &'a OrgId,
    pub provider: ProviderId,
    pub state_hash: &'a [u8; 32],
}

impl VerifierBinding<'_> {
    fn context(&self) -> String {
        let hash: String = self.state_hash.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "aiproviders:oauth-verifier:v1:{}:{}:{hash}",
            self.org,
            self.provider.as_str()
        )
    }
}

/// A provider secret sealed under its organization's data key: safe to store.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedSecret(Vec<u8>);

/// A data key sealed under the master key: safe to store.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedDataKey(Vec<u8>);

macro_rules! stored_bytes {
    ($name:ident) => {
        impl $name {
            /// Wraps bytes read back from storage.
            pub fn from_stored(bytes: Vec<u8>) -> Self {
                Self(bytes)
            }

            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }

            pub fn into_bytes(self) -> Vec<u8> {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({} bytes)"), self.0.len())
            }
        }
    };
}
stored_bytes!(SealedSecret);
stored_bytes!(WrappedDataKey);

/// The keyed fingerprint of a secret, unique per (organization, provider, secret).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Fingerprint(..)")
    }
}

impl DataKey {
    pub(crate) fn generate() -> Result<Self, VaultError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut_slice()).map_err(|_| VaultError::Random)?;
        Ok(Self(bytes))
    }

    pub(crate) fn from_plaintext(plain: &[u8]) -> Result<Self, VaultError> {
        let array: [u8; 32] = plain.try_into().map_err(|_| VaultError::Malformed)?;
        Ok(Self(Zeroizing::new(array)))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Seals a provider secret for storage in the row `binding` names.
    pub fn seal_secret(
        &self,
        binding: SecretBinding<'_>,
        secret: &ApiKey,
    ) -> Result<SealedSecret, VaultError> {
        blob::seal(
            &self.0,
            DATA_KEY_VERSION,
            &binding.context(),
            secret.expose_secret().as_bytes(),
        )
        .map(SealedSecret)
    }

    /// Opens a stored secret. Fails if the blob was sealed for another row, provider or
    /// organization, or was changed in any way.
    pub fn open_secret(
        &self,
        binding: SecretBinding<'_>,
        sealed: &SealedSecret,
    ) -> Result<ApiKey, VaultError> {
        let plain = blob::open(&self.0, DATA_KEY_VERSION, &binding.context(), &sealed.0)?;
        let text = std::str::from_utf8(&plain).map_err(|_| VaultError::Malformed)?;
        Ok(ApiKey::from_vault(text.to_owned()))
    }

    /// Seals an OAuth code verifier for the consent `binding` names.
    pub fn seal_verifier(
        &self,
        binding: VerifierBinding<'_>,
        verifier: &SecretString,
    ) -> Result<SealedSecret, VaultError> {
        blob::seal(
            &self.0,
            DATA_KEY_VERSION,
            &binding.context(),
            verifier.expose_secret().as_bytes(),
        )
        .map(SealedSecret)
    }

    /// Opens a sealed OAuth code verifier; fails for any other consent.
    pub fn open_verifier(
        &self,
        binding: VerifierBinding<'_>,
        sealed: &SealedSecret,
    ) -> Result<SecretString, VaultError> {
        let plain = blob::open(&self.0, DATA_KEY_VERSION, &binding.context(), &sealed.0)?;
        let text = std::str::from_utf8(&plain).map_err(|_| VaultError::Malformed)?;
        Ok(SecretString::from(text.to_owned()))
    }

    /// HMAC-SHA256 of the secret under a key derived (HKDF-SHA256) from this data key.
    pub fn fingerprint(&self, provider: ProviderId, secret: &ApiKey) -> Fingerprint {
        let hkdf = Hkdf::<Sha256>::new(None, self.0.as_slice());
        let mut mac_key = Zeroizing::new([0u8; 32]);
        hkdf.expand(FINGERPRINT_INFO, mac_key.as_mut_slice())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(mac_key.as_slice())
            .expect("HMAC accepts any key length");
        mac.update(provider.as_str().as_bytes());
        mac.update(&[0]);
        mac.update(secret.expose_secret().as_bytes());
        Fingerprint(mac.finalize().into_bytes().into())
    }
}
