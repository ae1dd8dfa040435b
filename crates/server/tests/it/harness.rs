//! Starts the real `aiproviders` binary on an ephemeral port, against a fresh SQLite file or
//! a fresh PostgreSQL database, and drives it with the rmcp client (a client this project
//! did not write).
//!
//! Backend: `AIPROVIDERS_TEST_BACKEND=sqlite` (default) or `postgres`, with
//! `AIPROVIDERS_TEST_POSTGRES_URL` pointing at a maintenance database; each test gets its own
//! database named `aip_<run id>_<random>`, dropped when the test ends (and by the test
//! script, by prefix, if a test dies first).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use sqlx::Connection;

pub const BIN: &str = env!("CARGO_BIN_EXE_aiproviders");
/// The master key of every PostgreSQL test (Postgres deployments must be given one).
pub const TEST_MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A loopback address nothing listens on (the discard port): connections are refused.
pub const CLOSED_PORT_URL: &str = "http://127.0.0.1:9";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres { admin_url: String },
}

pub fn backend() -> Backend {
    match std::env::var("AIPROVIDERS_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres {
            admin_url: std::env::var("AIPROVIDERS_TEST_POSTGRES_URL")
                .expect("AIPROVIDERS_TEST_BACKEND=postgres needs AIPROVIDERS_TEST_POSTGRES_URL"),
        },
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("unknown AIPROVIDERS_TEST_BACKEND {other:?}"),
    }
}

pub fn random_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

/// A database for one test.
pub struct TestDatabase {
    pub url: String,
    pg: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create(dir: &std::path::Path) -> Self {
        Self::create_on(dir, backend()).await
    }

    pub async fn create_on(dir: &std::path::Path, backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self {
                url: format!("sqlite://{}", dir.join("aiproviders.db").display()),
                pg: None,
            },
            Backend::Postgres { admin_url } => {
                let run =
                    std::env::var("AIPROVIDERS_TEST_RUN_ID").unwrap_or_else(|_| "local".into());
                let name = format!("aip_{run}_{}", random_suffix());
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .expect("connect to postgres");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap_or(&admin_url);
                Self {
                    url: format!("{base}/{name}"),
                    pg: Some((admin_url, name)),
                }
            }
        }
    }

    /// Another handle on the same database (the first one drops it).
    pub fn same_as(other: &TestDatabase) -> Self {
        Self {
            url: other.url.clone(),
            pg: None,
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        )))
                        .execute(&mut admin)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

#[derive(Default, Clone)]
pub struct AppOptions {
    pub env: Vec<(String, String)>,
    /// The backend, when not the one the environment selects.
    pub backend: Option<Backend>,
    /// Give the master key in the environment (always on PostgreSQL).
    pub master_key_env: bool,
}

impl AppOptions {
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }
}

pub struct TestApp {
    pub base_url: String,
    pub dir: tempfile::TempDir,
    pub db: TestDatabase,
    pub options: AppOptions,
    child: Option<Child>,
    logs: Arc<Mutex<String>>,
}

/// The tokens of one organization, one per role.
pub struct TestOrg {
    pub id: String,
    pub slug: String,
    pub owner: String,
    pub admin: String,
    pub member: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(AppOptions::default()).await
    }

    pub async fn spawn_with(options: AppOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db =
            TestDatabase::create_on(dir.path(), options.backend.clone().unwrap_or_else(backend))
                .await;
        Self::start(dir, db, options)
    }

    /// Starts the server on an existing data directory and database (a restart).
    pub fn start(dir: tempfile::TempDir, db: TestDatabase, options: AppOptions) -> Self {
        let mut app = Self {
            base_url: String::new(),
            dir,
            db,
            options,
            child: None,
            logs: Arc::new(Mutex::new(String::new())),
        };
        let mut command = app.command();
        command
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn aiproviders serve");
        let stderr = child.stderr.take().unwrap();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let logs = app.logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(event) = serde_json::from_str::<Value>(&line)
                    && event["message"] == "listening"
                {
                    let _ = addr_tx.send(event["addr"].as_str().unwrap_or_default().to_owned());
                }
                let mut logs = logs.lock().unwrap();
                logs.push_str(&line);
                logs.push('\n');
            }
        });
        let addr = match addr_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                std::thread::sleep(Duration::from_millis(200));
                panic!("server did not start; logs:\n{}", app.logs());
            }
        };
        app.base_url = format!("http://{addr}");
        app.child = Some(child);
        app
    }

    /// The binary with this app's settings; inherited settings are removed first.
    pub fn command(&self) -> Command {
        let mut command = Command::new(BIN);
        for (name, _) in std::env::vars() {
            if name.starts_with("AIPROVIDERS_")
                || name == "DATABASE_URL"
                || name.starts_with("DECO_")
                || name.starts_with("ANTHROPIC_")
                || name.starts_with("CLAUDE_")
            {
                command.env_remove(&name);
            }
        }
        command
            .env("AIPROVIDERS_DATA_DIR", self.dir.path())
            .env("DATABASE_URL", &self.db.url)
            .env("AIPROVIDERS_LISTEN", "127.0.0.1:0")
            .env("AIPROVIDERS_LOG_FORMAT", "json")
            .env("RUST_LOG", "info");
        // No test reaches the internet: providers not faked by a test are a closed port.
        for name in [
            "AIPROVIDERS_ANTHROPIC_BASE_URL",
            "AIPROVIDERS_GOOGLE_BASE_URL",
            "AIPROVIDERS_OPENROUTER_BASE_URL",
            "DECO_AI_GATEWAY_URL",
        ] {
            command.env(name, CLOSED_PORT_URL);
        }
        if self.db.is_postgres() || self.options.master_key_env {
            command.env("AIPROVIDERS_MASTER_KEY", TEST_MASTER_KEY);
        }
        for (name, value) in &self.options.env {
            command.env(name, value);
        }
        command
    }

    /// Runs a CLI command against this app's database.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run aiproviders")
    }

    pub fn cli_ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "aiproviders {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn create_org(&self, slug: &str) -> String {
        first_line(&self.cli_ok(&["org", "create", slug]))
    }

    pub fn create_token(&self, org: &str, user: &str, role: &str) -> String {
        first_line(&self.cli_ok(&[
            "token", "create", "--org", org, "--user", user, "--role", role,
        ]))
    }

    /// A new organization with an owner, an admin and a member token.
    pub fn org(&self) -> TestOrg {
        let slug = format!("org-{}", random_suffix());
        let id = self.create_org(&slug);
        TestOrg {
            owner: self.create_token(&slug, &format!("owner@{slug}"), "owner"),
            admin: self.create_token(&slug, &format!("admin@{slug}"), "admin"),
            member: self.create_token(&slug, &format!("member@{slug}"), "member"),
            id,
            slug,
        }
    }

    pub async fn client(&self, token: &str) -> McpClient {
        McpClient::connect(&format!("{}/mcp", self.base_url), token).await
    }

    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// Sends SIGTERM and waits for the process to exit; returns whether it exited cleanly.
    pub fn terminate(&mut self) -> bool {
        let mut child = self.child.take().unwrap();
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        for _ in 0..200 {
            if let Some(status) = child.try_wait().unwrap() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        false
    }

    /// Stops the server (if it still runs) and hands back its data directory and database,
    /// to start it again.
    pub fn into_parts(mut self) -> (tempfile::TempDir, TestDatabase, AppOptions) {
        if self.child.is_some() {
            assert!(
                self.terminate(),
                "server did not stop cleanly; logs:\n{}",
                self.logs()
            );
        }
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        let db = std::mem::replace(
            &mut self.db,
            TestDatabase {
                url: String::new(),
                pg: None,
            },
        );
        (dir, db, self.options.clone())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A key record without what the background probe of a new key changes (`status`,
/// `lastCheckedAt`), for comparing records across time.
pub fn without_probe(record: &Value) -> Value {
    let mut record = record.clone();
    if let Some(fields) = record.as_object_mut() {
        fields.remove("status");
        fields.remove("lastCheckedAt");
    }
    record
}

pub fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_owned()
}

/// An MCP client session over Streamable HTTP.
pub struct McpClient {
    pub service: RunningService<RoleClient, ()>,
}

/// A tool result, reduced to what the contract specifies.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub is_error: bool,
    pub structured: Value,
    pub text: String,
}

impl Outcome {
    fn from_result(result: CallToolResult) -> Self {
        let text = result
            .content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.clone()))
            .collect::<Vec<_>>()
            .join("");
        Self {
            is_error: result.is_error.unwrap_or(false),
            structured: result.structured_content.unwrap_or(Value::Null),
            text,
        }
    }

    /// The structured result of a successful call, which the text must repeat.
    #[track_caller]
    pub fn ok(self) -> Value {
        assert!(!self.is_error, "tool failed: {}", self.structured);
        let from_text: Value = serde_json::from_str(&self.text).expect("text is the JSON result");
        assert_eq!(
            from_text, self.structured,
            "text and structuredContent differ"
        );
        self.structured
    }

    /// The error code of a failed call (its message is the text).
    #[track_caller]
    pub fn code(&self) -> String {
        assert!(self.is_error, "expected an error, got {}", self.structured);
        assert_eq!(self.structured["error"]["message"], json!(self.text));
        self.structured["error"]["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

impl McpClient {
    pub async fn connect(url: &str, token: &str) -> Self {
        let transport = StreamableHttpClientTransport::from_config(
            StreamableHttpClientTransportConfig::with_uri(url.to_owned())
                .auth_header(token.to_owned()),
        );
        let service = ().serve(transport).await.expect("MCP initialize");
        Self { service }
    }

    pub async fn call(&self, tool: &str, args: Value) -> Outcome {
        let mut params = CallToolRequestParams::new(tool.to_owned());
        if let Value::Object(map) = args {
            params = params.with_arguments(map);
        }
        let result = self
            .service
            .call_tool(params)
            .await
            .expect("tools/call transport");
        Outcome::from_result(result)
    }

    pub async fn create_key(&self, provider: &str, label: &str, secret: &str) -> Outcome {
        self.call(
            "AI_PROVIDER_KEY_CREATE",
            json!({"providerId": provider, "label": label, "apiKey": secret}),
        )
        .await
    }

    pub async fn keys(&self) -> Vec<Value> {
        let listed = self.call("AI_PROVIDER_KEY_LIST", json!({})).await.ok();
        listed["keys"].as_array().unwrap().clone()
    }
}
