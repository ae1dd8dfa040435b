//! Settings resolved from flags and the environment (CONTRACT §1).

use std::net::SocketAddr;
use std::path::PathBuf;

use std::time::Duration;

use aiproviders_providers::{ProviderSettings, UpstreamLimits};
use aiproviders_service::ServiceSettings;
use aiproviders_store::DatabaseUrl;

use crate::cli::SettingsArgs;

/// Not `Debug`: nothing here should be printed whole (the database URL may hold a password;
/// `DatabaseUrl`'s own `Debug` redacts it).
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: DatabaseUrl,
    pub master_key_file: PathBuf,
    pub public_url: String,
    /// Whether `public_url` was derived from `listen` (and so follows the bound port).
    public_url_from_listen: bool,
    pub allowed_hosts: Vec<String>,
    pub providers: ProviderSettings,
    pub upstream: UpstreamLimits,
    pub service: ServiceSettings,
    /// How often the organizations' change counters are polled (`AIPROVIDERS_CHANGE_POLL_MS`,
    /// 100 ms): the most a token revoked or a key or policy changed by another process may
    /// go unseen here. Zero reads the database on every request instead.
    pub change_poll: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{name} must be true/1 or false/0")]
    NotBoolean { name: &'static str },
    #[error("DATABASE_URL: {0}")]
    DatabaseUrl(#[from] aiproviders_store::StoreError),
    #[error("AIPROVIDERS_PUBLIC_URL must be an http(s) origin such as https://ai.example.com")]
    PublicUrl,
    #[error("{name} must be a whole number")]
    NotNumber { name: &'static str },
    #[error("{name} must be an http:// or https:// URL")]
    BaseUrl { name: &'static str },
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_bool(name: &'static str) -> Result<Option<bool>, SettingsError> {
    match env(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(None),
        Some(v) if matches!(v.as_str(), "true" | "1" | "yes" | "on") => Ok(Some(true)),
        Some(v) if matches!(v.as_str(), "false" | "0" | "no" | "off") => Ok(Some(false)),
        Some(_) => Err(SettingsError::NotBoolean { name }),
    }
}

fn env_u64(name: &'static str, default: u64) -> Result<u64, SettingsError> {
    match env(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| SettingsError::NotNumber { name }),
    }
}

/// A provider base URL from the environment, without a trailing slash.
fn base_url(name: &'static str, default: &str) -> Result<String, SettingsError> {
    let Some(value) = env(name) else {
        return Ok(default.to_owned());
    };
    let value = value.trim().trim_end_matches('/');
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.contains(['?', '#', '@', ' ']) => {
            Ok(value.to_owned())
        }
        _ => Err(SettingsError::BaseUrl { name }),
    }
}

impl Settings {
    pub fn resolve(args: &SettingsArgs) -> Result<Self, SettingsError> {
        let database_url = match &args.database_url {
            Some(url) => DatabaseUrl::parse(url)?,
            None => DatabaseUrl::sqlite_file(&args.data_dir.join("aiproviders.db")),
        };
        let master_key_file = args
            .master_key_file
            .clone()
            .unwrap_or_else(|| args.data_dir.join("master.key"));
        let public_url = match &args.public_url {
            Some(url) => normalize_origin(url)?,
            None => format!("http://{}", args.listen),
        };
        let local_mode =
            env_bool("AIPROVIDERS_LOCAL_MODE")?.unwrap_or(args.listen.ip().is_loopback());
        let mut allowed_hosts: Vec<String> =
            vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
        if let Some(host) = origin_host(&public_url) {
            allowed_hosts.push(host);
        }
        if let Some(extra) = env("AIPROVIDERS_ALLOWED_HOSTS") {
            allowed_hosts.extend(
                extra
                    .split(',')
                    .map(|h| h.trim().to_owned())
                    .filter(|h| !h.is_empty()),
            );
        }
        let defaults = UpstreamLimits::default();
        let upstream = UpstreamLimits {
            connect_timeout: Duration::from_millis(env_u64(
                "AIPROVIDERS_UPSTREAM_CONNECT_TIMEOUT_MS",
                defaults.connect_timeout.as_millis() as u64,
            )?),
            total_timeout: Duration::from_millis(env_u64(
                "AIPROVIDERS_UPSTREAM_TIMEOUT_MS",
                defaults.total_timeout.as_millis() as u64,
            )?),
            ..defaults
        };
        let service = ServiceSettings {
            model_cache_ttl: Duration::from_secs(env_u64(
                "AIPROVIDERS_MODEL_CACHE_TTL_SECS",
                ServiceSettings::default().model_cache_ttl.as_secs(),
            )?),
            catalog_ttl: Duration::from_secs(env_u64(
                "AIPROVIDERS_CATALOG_TTL_SECS",
                ServiceSettings::default().catalog_ttl.as_secs(),
            )?),
            public_origin: public_url.clone(),
            claude_bin: env("AIPROVIDERS_CLAUDE_BIN").map(PathBuf::from),
            claude_timeout: Duration::from_secs(
                env_u64(
                    "AIPROVIDERS_CLAUDE_TIMEOUT_SECS",
                    ServiceSettings::default().claude_timeout.as_secs(),
                )?
                .max(1),
            ),
            claude_max_concurrent: usize::try_from(
                env_u64(
                    "AIPROVIDERS_CLAUDE_MAX_CONCURRENT",
                    ServiceSettings::default().claude_max_concurrent as u64,
                )?
                .max(1),
            )
            .unwrap_or(usize::MAX),
        };
        Ok(Self {
            listen: args.listen,
            database_url,
            master_key_file,
            public_url_from_listen: args.public_url.is_none(),
            public_url,
            allowed_hosts,
            providers: ProviderSettings {
                deco_enabled: env_bool("DECO_AI_GATEWAY_ENABLED")?.unwrap_or(false),
                local_mode,
                deco_url: base_url("DECO_AI_GATEWAY_URL", ProviderSettings::DEFAULT_DECO_URL)?,
                anthropic_base_url: base_url(
                    "AIPROVIDERS_ANTHROPIC_BASE_URL",
                    ProviderSettings::DEFAULT_ANTHROPIC_BASE_URL,
                )?,
                google_base_url: base_url(
                    "AIPROVIDERS_GOOGLE_BASE_URL",
                    ProviderSettings::DEFAULT_GOOGLE_BASE_URL,
                )?,
                openrouter_base_url: base_url(
                    "AIPROVIDERS_OPENROUTER_BASE_URL",
                    ProviderSettings::DEFAULT_OPENROUTER_BASE_URL,
                )?,
            },
            upstream,
            service,
            change_poll: Duration::from_millis(env_u64(
                "AIPROVIDERS_CHANGE_POLL_MS",
                aiproviders_store::DEFAULT_CHANGE_POLL.as_millis() as u64,
            )?),
        })
    }

    /// Records the address actually bound (the port of `--listen …:0` is known only then):
    /// a public URL derived from the listen address follows it.
    pub fn bound_to(&mut self, addr: SocketAddr) {
        if self.public_url_from_listen {
            self.public_url = format!("http://{addr}");
            self.service.public_origin = self.public_url.clone();
        }
    }

    /// `AIPROVIDERS_MASTER_KEY`, read only here and only by commands that need the key.
    pub fn master_key_env() -> Option<String> {
        std::env::var("AIPROVIDERS_MASTER_KEY").ok()
    }

    /// The browser origins allowed to call /mcp: the public URL's and loopback ones.
    pub fn allowed_origins(&self) -> Vec<String> {
        let mut origins = vec![
            "http://localhost:*".to_owned(),
            "http://127.0.0.1:*".to_owned(),
            "http://[::1]:*".to_owned(),
        ];
        let public = if self.public_url.matches(':').count() >= 2 {
            self.public_url.clone()
        } else if self.public_url.starts_with("https://") {
            format!("{}:443", self.public_url)
        } else {
            format!("{}:80", self.public_url)
        };
        origins.push(public);
        origins
    }
}

/// `https://host[:port]` without a path or trailing slash.
fn normalize_origin(url: &str) -> Result<String, SettingsError> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or(SettingsError::PublicUrl)?;
    if rest.is_empty() || rest.contains('/') || rest.contains('@') || rest.contains('?') {
        return Err(SettingsError::PublicUrl);
    }
    Ok(url.to_owned())
}

fn origin_host(origin: &str) -> Option<String> {
    let rest = origin.split("://").nth(1)?;
    if let Some(v6) = rest.strip_prefix('[') {
        return v6.split(']').next().map(str::to_owned);
    }
    rest.split(':').next().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_origins() {
        assert_eq!(
            normalize_origin("https://ai.example.com/").unwrap(),
            "https://ai.example.com"
        );
        assert!(normalize_origin("ai.example.com").is_err());
        assert!(normalize_origin("https://ai.example.com/path").is_err());
        assert_eq!(origin_host("http://127.0.0.1:8080").unwrap(), "127.0.0.1");
        assert_eq!(
            origin_host("https://ai.example.com").unwrap(),
            "ai.example.com"
        );
        assert_eq!(origin_host("http://[::1]:80").unwrap(), "::1");
    }
}
