use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::MasterKeyError;

/// The 32-byte key that wraps every organization's data key. Zeroized on drop; its `Debug`
/// shows nothing of it.
pub struct MasterKey {
    bytes: Zeroizing<[u8; 32]>,
    version: u32,
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey(version {}, [REDACTED])", self.version)
    }
}

/// Where the master key came from (for the start-up log line; never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterKeySource {
    Environment,
    File(PathBuf),
    Generated(PathBuf),
}

impl MasterKey {
    /// The only master key version so far. Rotation will add the previous key with its
    /// version, so blobs sealed under it still open while data keys are re-wrapped.
    pub const CURRENT_VERSION: u32 = 1;

    /// Parses the base64 of exactly 32 bytes (standard alphabet, padding optional;
    /// surrounding whitespace such as a trailing newline in a file is ignored).
    pub fn from_base64(text: &str, source_name: &str) -> Result<Self, MasterKeyError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(MasterKeyError::Empty {
                source_name: source_name.to_owned(),
            });
        }
        let unpadded = trimmed.trim_end_matches('=');
        let decoded = Zeroizing::new(
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(unpadded)
                .map_err(|_| MasterKeyError::NotBase64 {
                    source_name: source_name.to_owned(),
                })?,
        );
        let bytes: [u8; 32] =
            decoded
                .as_slice()
                .try_into()
                .map_err(|_| MasterKeyError::WrongLength {
                    source_name: source_name.to_owned(),
                    len: decoded.len(),
                })?;
        Ok(Self {
            bytes: Zeroizing::new(bytes),
            version: Self::CURRENT_VERSION,
        })
    }

    pub fn generate() -> Result<Self, MasterKeyError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut_slice()).map_err(|_| MasterKeyError::Random)?;
        Ok(Self {
            bytes,
            version: Self::CURRENT_VERSION,
        })
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    pub(crate) fn version(&self) -> u32 {
        self.version
    }

    fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.bytes.as_slice()))
    }
}

/// Loads the master key: `env_value` (from `AIPROVIDERS_MASTER_KEY`) wins over the file.
/// When neither is present and `may_generate` is set, 32 random bytes are written to the
/// file (mode 0600, created exclusively so two starting processes cannot both write one).
pub fn load_master_key(
    env_value: Option<&str>,
    file: &Path,
    may_generate: bool,
) -> Result<(MasterKey, MasterKeySource), MasterKeyError> {
    if let Some(value) = env_value {
        let key = MasterKey::from_base64(value, "AIPROVIDERS_MASTER_KEY")?;
        return Ok((key, MasterKeySource::Environment));
    }
    let source_name = format!("the master key file {}", file.display());
    match std::fs::read_to_string(file) {
        Ok(text) => {
            let text = Zeroizing::new(text);
            let key = MasterKey::from_base64(&text, &source_name)?;
            Ok((key, MasterKeySource::File(file.to_owned())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && may_generate => {
            let key = MasterKey::generate()?;
            match write_new_key_file(file, &key) {
                Ok(()) => Ok((key, MasterKeySource::Generated(file.to_owned()))),
                // Another process created it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    load_master_key(None, file, false)
                }
                Err(source) => Err(MasterKeyError::Io {
                    path: file.display().to_string(),
                    source,
                }),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(MasterKeyError::Missing {
            path: file.display().to_string(),
        }),
        Err(source) => Err(MasterKeyError::Io {
            path: file.display().to_string(),
            source,
        }),
    }
}

fn write_new_key_file(path: &Path, key: &MasterKey) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    let encoded = key.to_base64();
    file.write_all(encoded.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}
