//! The vault: the one place where ciphertext becomes plaintext.
//!
//! Envelope encryption. A 32-byte **master key** (from `AIPROVIDERS_MASTER_KEY` or the key
//! file) wraps one random **data key** per organization; each data key seals that
//! organization's provider secrets. Every seal uses XChaCha20-Poly1305 with a random 192-bit
//! nonce, and its associated data binds the ciphertext to where it belongs (organization,
//! provider, key id), so a blob copied to another row or organization fails to open.
//!
//! Blobs are versioned (see [`blob`]): a format byte, an algorithm byte and the version of
//! the key that sealed it, so the master key can later be rotated by re-wrapping data keys
//! without touching the format or the sealed secrets.
//!
//! Fingerprints for deduplication are HMAC-SHA256 under a key derived from the
//! organization's data key, never a bare hash that anyone could compute.

mod blob;
mod data_key;
mod error;
mod master_key;
pub mod pkce;

pub use data_key::{
    DataKey, Fingerprint, SealedSecret, SecretBinding, VerifierBinding, WrappedDataKey,
};
pub use error::{MasterKeyError, VaultError};
pub use master_key::{MasterKey, MasterKeySource, load_master_key};

/// Holds the master key and performs every operation that needs it.
pub struct Vault {
    master: MasterKey,
}

const MASTER_CHECK_CONTEXT: &str = "aiproviders:master-key-check:v1";
const MASTER_CHECK_PLAINTEXT: &[u8] = b"aiproviders master key check";

impl Vault {
    pub fn new(master: MasterKey) -> Self {
        Self { master }
    }

    /// A fresh data key for an organization, and the same key wrapped for storage.
    pub fn new_data_key(
        &self,
        org: &aiproviders_domain::OrgId,
    ) -> Result<(DataKey, WrappedDataKey), VaultError> {
        let key = DataKey::generate()?;
        let wrapped = blob::seal(
            self.master.bytes(),
            self.master.version(),
            &data_key_context(org),
            key.bytes(),
        )?;
        Ok((key, WrappedDataKey::from_stored(wrapped)))
    }

    /// Opens an organization's stored data key.
    pub fn unwrap_data_key(
        &self,
        org: &aiproviders_domain::OrgId,
        wrapped: &WrappedDataKey,
    ) -> Result<DataKey, VaultError> {
        let plain = blob::open(
            self.master.bytes(),
            self.master.version(),
            &data_key_context(org),
            wrapped.as_bytes(),
        )?;
        DataKey::from_plaintext(&plain)
    }

    /// A small blob sealed under the master key, stored once per database, that lets start-up
    /// tell a wrong master key apart from a corrupt row.
    pub fn master_key_check(&self) -> Result<Vec<u8>, VaultError> {
        blob::seal(
            self.master.bytes(),
            self.master.version(),
            MASTER_CHECK_CONTEXT,
            MASTER_CHECK_PLAINTEXT,
        )
    }

    /// Whether `check` (from [`Vault::master_key_check`]) was made with this master key.
    pub fn verify_master_key_check(&self, check: &[u8]) -> Result<(), VaultError> {
        let plain = blob::open(
            self.master.bytes(),
            self.master.version(),
            MASTER_CHECK_CONTEXT,
            check,
        )?;
        if plain.as_slice() == MASTER_CHECK_PLAINTEXT {
            Ok(())
        } else {
            Err(VaultError::DoesNotOpen)
        }
    }
}

fn data_key_context(org: &aiproviders_domain::OrgId) -> String {
    format!("aiproviders:data-key:v1:{org}")
}

#[cfg(test)]
mod tests;
