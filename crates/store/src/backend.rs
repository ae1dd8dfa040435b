use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::StoreError;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a writer waits for another process's write lock (SQLite) before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

/// A parsed `DATABASE_URL`. Its `Debug`/`Display` never show a password.
#[derive(Clone)]
pub struct DatabaseUrl {
    kind: DatabaseKind,
    url: String,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let kind = if url.starts_with("sqlite:") {
            DatabaseKind::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseKind::Postgres
        } else {
            return Err(StoreError::InvalidUrl(
                "expected sqlite://<path> or postgres://…".into(),
            ));
        };
        Ok(Self {
            kind,
            url: url.to_owned(),
        })
    }

    /// `sqlite://<path>`, the embedded default.
    pub fn sqlite_file(path: &Path) -> Self {
        Self {
            kind: DatabaseKind::Sqlite,
            url: format!("sqlite://{}", path.display()),
        }
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// The SQLite file, for `sqlite:` urls.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        if self.kind != DatabaseKind::Sqlite {
            return None;
        }
        let rest = self
            .url
            .trim_start_matches("sqlite:")
            .trim_start_matches("//");
        let path = rest.split('?').next().unwrap_or(rest);
        Some(PathBuf::from(path))
    }

    /// The url with any password replaced, for logs.
    pub fn redacted(&self) -> String {
        match (self.url.find("://"), self.url.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                let userinfo = &self.url[scheme_end + 3..at];
                let user = userinfo.split(':').next().unwrap_or("");
                format!(
                    "{}{}:***{}",
                    &self.url[..scheme_end + 3],
                    user,
                    &self.url[at..]
                )
            }
            _ => self.url.clone(),
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// SQLite gets one writer connection (writes are serialized in-process instead of
/// spinning on the file lock) and several readers; PostgreSQL one pool for both.
#[derive(Clone)]
pub(crate) enum Backend {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

impl Backend {
    pub(crate) async fn connect(url: &DatabaseUrl) -> Result<Self, StoreError> {
        match url.kind {
            DatabaseKind::Sqlite => {
                let path = url
                    .sqlite_path()
                    .filter(|p| !p.as_os_str().is_empty())
                    .ok_or_else(|| StoreError::InvalidUrl("sqlite url without a path".into()))?;
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        StoreError::InvalidUrl(format!(
                            "cannot create the directory {}: {e}",
                            parent.display()
                        ))
                    })?;
                }
                let options = SqliteConnectOptions::from_str(&url.url)
                    .map_err(|e| StoreError::InvalidUrl(e.to_string()))?
                    .filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .foreign_keys(true);
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options.clone())
                    .await?;
                let read = SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await?;
                Ok(Backend::Sqlite { read, write })
            }
            DatabaseKind::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect(&url.url)
                    .await?;
                Ok(Backend::Postgres(pool))
            }
        }
    }

    pub(crate) fn kind(&self) -> DatabaseKind {
        match self {
            Backend::Sqlite { .. } => DatabaseKind::Sqlite,
            Backend::Postgres(_) => DatabaseKind::Postgres,
        }
    }

    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Backend::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await?,
            Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    pub(crate) async fn close(&self) {
        match self {
            Backend::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let pg = DatabaseUrl::parse("postgres://app:hunter2@db:5432/aip").unwrap();
        assert_eq!(pg.kind(), DatabaseKind::Postgres);
        assert_eq!(pg.redacted(), "postgres://app:***@db:5432/aip");
        assert!(!format!("{pg:?}").contains("hunter2"));
        let lite = DatabaseUrl::parse("sqlite://./data/aiproviders.db").unwrap();
        assert_eq!(
            lite.sqlite_path().unwrap(),
            PathBuf::from("./data/aiproviders.db")
        );
        assert!(DatabaseUrl::parse("mysql://x").is_err());
    }
}
