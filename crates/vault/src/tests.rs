use aiproviders_domain::{ApiKey, KeyId, OrgId, ProviderId};

use super::*;

fn vault() -> Vault {
    Vault::new(MasterKey::generate().unwrap())
}

fn secret(text: &str) -> ApiKey {
    ApiKey::parse(text.to_owned(), "apiKey").unwrap()
}

#[test]
fn sealed_secret_opens_only_in_its_own_place() {
    let vault = vault();
    let org = OrgId::generate();
    let other_org = OrgId::generate();
    let (data_key, wrapped) = vault.new_data_key(&org).unwrap();
    let key_id = KeyId::generate();
    let binding = SecretBinding {
        org: &org,
        provider: ProviderId::Anthropic,
        key: &key_id,
    };
    let sealed = data_key
        .seal_secret(binding, &secret("sk-ant-api03-secret-value"))
        .unwrap();
    assert!(!sealed.as_bytes().windows(12).any(|w| w == b"secret-value"));

    let reopened = vault.unwrap_data_key(&org, &wrapped).unwrap();
    let opened = reopened.open_secret(binding, &sealed).unwrap();
    assert_eq!(opened.expose_secret(), "sk-ant-api03-secret-value");

    let other_key = KeyId::generate();
    for moved in [
        SecretBinding {
            key: &other_key,
            ..binding
        },
        SecretBinding {
            provider: ProviderId::OpenRouter,
            ..binding
        },
        SecretBinding {
            org: &other_org,
            ..binding
        },
    ] {
        assert!(matches!(
            reopened.open_secret(moved, &sealed),
            Err(VaultError::DoesNotOpen)
        ));
    }
    // The wrapped data key is bound to its organization too.
    assert!(vault.unwrap_data_key(&other_org, &wrapped).is_err());
}

#[test]
fn any_changed_byte_is_detected() {
    let vault = vault();
    let org = OrgId::generate();
    let (data_key, _) = vault.new_data_key(&org).unwrap();
    let key_id = KeyId::generate();
    let binding = SecretBinding {
        org: &org,
        provider: ProviderId::Google,
        key: &key_id,
    };
    let sealed = data_key
        .seal_secret(binding, &secret("AIzaSyExampleKey"))
        .unwrap();
    for i in 0..sealed.as_bytes().len() {
        let mut bytes = sealed.as_bytes().to_vec();
        bytes[i] ^= 0x01;
        let tampered = SealedSecret::from_stored(bytes);
        assert!(
            data_key.open_secret(binding, &tampered).is_err(),
            "byte {i}"
        );
    }
    assert!(matches!(
        data_key.open_secret(binding, &SealedSecret::from_stored(vec![1, 1, 0])),
        Err(VaultError::Malformed)
    ));
}

#[test]
fn a_different_master_key_cannot_open_data_keys_or_the_check() {
    let first = vault();
    let second = vault();
    let org = OrgId::generate();
    let (_, wrapped) = first.new_data_key(&org).unwrap();
    assert!(second.unwrap_data_key(&org, &wrapped).is_err());
    let check = first.master_key_check().unwrap();
    assert!(first.verify_master_key_check(&check).is_ok());
    assert!(second.verify_master_key_check(&check).is_err());
}

#[test]
fn blob_header_carries_format_algorithm_and_key_version() {
    let vault = vault();
    let check = vault.master_key_check().unwrap();
    assert_eq!(check[0], blob::FORMAT_V1);
    assert_eq!(check[1], blob::ALG_XCHACHA20_POLY1305);
    assert_eq!(&check[2..6], &MasterKey::CURRENT_VERSION.to_be_bytes());
    let mut other_version = check.clone();
    other_version[5] = 9;
    assert!(matches!(
        vault.verify_master_key_check(&other_version),
        Err(VaultError::KeyVersion { found: 9, .. })
    ));
}

#[test]
fn fingerprints_are_keyed_and_provider_specific() {
    let vault = vault();
    let org = OrgId::generate();
    let (a, _) = vault.new_data_key(&org).unwrap();
    let (b, _) = vault.new_data_key(&OrgId::generate()).unwrap();
    let s = secret("sk-or-v1-same-secret");
    assert_eq!(
        a.fingerprint(ProviderId::OpenRouter, &s),
        a.fingerprint(ProviderId::OpenRouter, &s)
    );
    assert_ne!(
        a.fingerprint(ProviderId::OpenRouter, &s),
        a.fingerprint(ProviderId::Deco, &s)
    );
    assert_ne!(
        a.fingerprint(ProviderId::OpenRouter, &s),
        b.fingerprint(ProviderId::OpenRouter, &s)
    );
    assert_ne!(
        a.fingerprint(ProviderId::OpenRouter, &s)
            .as_bytes()
            .as_slice(),
        <sha2::Sha256 as sha2::Digest>::digest(s.expose_secret().as_bytes()).as_slice()
    );
}

#[test]
fn master_keys_are_validated() {
    use base64::Engine;
    let ok = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    assert!(MasterKey::from_base64(&ok, "env").is_ok());
    assert!(MasterKey::from_base64(&format!("{ok}\n"), "env").is_ok());
    assert!(matches!(
        MasterKey::from_base64("", "env"),
        Err(MasterKeyError::Empty { .. })
    ));
    assert!(matches!(
        MasterKey::from_base64("not base64!", "env"),
        Err(MasterKeyError::NotBase64 { .. })
    ));
    let short = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
    assert!(matches!(
        MasterKey::from_base64(&short, "env"),
        Err(MasterKeyError::WrongLength { len: 16, .. })
    ));
    let err = MasterKey::from_base64(&short, "AIPROVIDERS_MASTER_KEY").unwrap_err();
    assert!(!err.to_string().contains(&short));
}

#[test]
fn key_file_is_generated_once_with_mode_0600() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/master.key");
    assert!(matches!(
        load_master_key(None, &path, false),
        Err(MasterKeyError::Missing { .. })
    ));
    let (_, source) = load_master_key(None, &path, true).unwrap();
    assert_eq!(source, MasterKeySource::Generated(path.clone()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (_, source) = load_master_key(None, &path, true).unwrap();
    assert_eq!(source, MasterKeySource::File(path.clone()));
    std::fs::write(&path, "garbage").unwrap();
    assert!(load_master_key(None, &path, true).is_err());
}
