/// Why a sealed blob could not be made or opened. Never carries key material or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(
        "sealed data does not open with this key and binding (wrong key, tampered or moved ciphertext)"
    )]
    DoesNotOpen,
    #[error("sealed data is malformed")]
    Malformed,
    #[error(
        "sealed data uses format {format}, algorithm {algorithm}, which this build does not know"
    )]
    UnsupportedFormat { format: u8, algorithm: u8 },
    #[error("sealed data was made with key version {found}; this vault holds version {expected}")]
    KeyVersion { found: u32, expected: u32 },
    #[error("the operating system's random source failed")]
    Random,
}

/// Why the master key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error("{source_name} is empty; it must be the base64 of exactly 32 random bytes")]
    Empty { source_name: String },
    #[error("{source_name} is not valid base64; it must be the base64 of exactly 32 random bytes")]
    NotBase64 { source_name: String },
    #[error("{source_name} decodes to {len} bytes; it must be exactly 32 bytes")]
    WrongLength { source_name: String, len: usize },
    #[error(
        "no master key: set AIPROVIDERS_MASTER_KEY (base64 of 32 bytes) or create the key file {path}"
    )]
    Missing { path: String },
    #[error("cannot read or write the master key file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the operating system's random source failed")]
    Random,
}
