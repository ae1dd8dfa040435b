//! The sealed-blob format, version 1:
//!
//! ```text
//! byte 0      format version (1)
//! byte 1      algorithm (1 = XChaCha20-Poly1305)
//! bytes 2..6  version of the key that sealed it (u32, big-endian)
//! bytes 6..30 nonce (24 random bytes)
//! bytes 30..  ciphertext followed by the 16-byte tag
//! ```
//!
//! The associated data is the 6-byte header followed by a context string naming where the
//! blob belongs, so neither the header nor the blob's place can be changed undetected.

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::VaultError;

pub const FORMAT_V1: u8 = 1;
pub const ALG_XCHACHA20_POLY1305: u8 = 1;
const HEADER_LEN: usize = 6;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

fn associated_data(header: &[u8], context: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(header.len() + context.len());
    aad.extend_from_slice(header);
    aad.extend_from_slice(context.as_bytes());
    aad
}

pub fn seal(
    key: &[u8; 32],
    key_version: u32,
    context: &str,
    plaintext: &[u8],
) -> Result<Vec<u8>, VaultError> {
    let mut header = [0u8; HEADER_LEN];
    header[0] = FORMAT_V1;
    header[1] = ALG_XCHACHA20_POLY1305;
    header[2..6].copy_from_slice(&key_version.to_be_bytes());
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| VaultError::Random)?;

    let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| VaultError::Malformed)?;
    let mut buffer = Vec::with_capacity(HEADER_LEN + NONCE_LEN + plaintext.len() + TAG_LEN);
    buffer.extend_from_slice(plaintext);
    cipher
        .encrypt_in_place(
            &XNonce::from(nonce),
            &associated_data(&header, context),
            &mut buffer,
        )
        .map_err(|_| VaultError::Malformed)?;

    let mut blob = Vec::with_capacity(HEADER_LEN + NONCE_LEN + buffer.len());
    blob.extend_from_slice(&header);
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&buffer);
    Ok(blob)
}

pub fn open(
    key: &[u8; 32],
    key_version: u32,
    context: &str,
    blob: &[u8],
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    if blob.len() < HEADER_LEN + NONCE_LEN + TAG_LEN {
        return Err(VaultError::Malformed);
    }
    let (header, rest) = blob.split_at(HEADER_LEN);
    if header[0] != FORMAT_V1 || header[1] != ALG_XCHACHA20_POLY1305 {
        return Err(VaultError::UnsupportedFormat {
            format: header[0],
            algorithm: header[1],
        });
    }
    let found = u32::from_be_bytes([header[2], header[3], header[4], header[5]]);
    if found != key_version {
        return Err(VaultError::KeyVersion {
            found,
            expected: key_version,
        });
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce = XNonce::try_from(nonce).map_err(|_| VaultError::Malformed)?;
    let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| VaultError::Malformed)?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_in_place(&nonce, &associated_data(header, context), &mut *buffer)
        .map_err(|_| VaultError::DoesNotOpen)?;
    Ok(buffer)
}
