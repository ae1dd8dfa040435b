//! The Claude Code CLI on this machine: where it is, which version, and whether someone is
//! logged in (reference §4). It is only ever asked `claude --version` and
//! `claude auth status --json`; its credential files are never read. The CLI runs with the
//! service's environment (`HOME`, `PATH`, `ANTHROPIC_API_KEY` apply), stdin closed, stderr
//! discarded, auto-update and telemetry switched off, and is killed when it overruns its
//! time limit. Its output never reaches a message: only the exit status does. (Prompts for the
//! gateway are run by `claude_run`, with the binary found here.)

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command;

/// `AIPROVIDERS_CLAUDE_BIN` (a path); else `claude` on `PATH`; else these (reference §4.1),
/// `~` being `$HOME`.
const USUAL_LOCATIONS: [&str; 6] = [
    "~/.npm-global/bin/claude",
    "/usr/local/bin/claude",
    "~/.local/bin/claude",
    "~/node_modules/.bin/claude",
    "~/.yarn/bin/claude",
    "~/.claude/local/claude",
];

/// Set on every run: no auto-update, telemetry, error reports or other non-essential traffic.
pub(crate) const QUIET_ENV: [(&str, &str); 4] = [
    ("DISABLE_AUTOUPDATER", "1"),
    ("DISABLE_TELEMETRY", "1"),
    ("DISABLE_ERROR_REPORTING", "1"),
    ("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"),
];

const VERSION_TIMEOUT: Duration = Duration::from_secs(5);
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);

/// Output read from one run at most; a status JSON is far smaller.
const MAX_OUTPUT: u64 = 64 * 1024;

/// Text taken from the status JSON at most per field.
const MAX_FIELD_CHARS: usize = 320;

/// What `AI_PROVIDER_CLI_ACTIVATE` reports about the CLI. `error` says what is missing
/// when it is not installed, not runnable or not logged in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CliStatus {
    pub installed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub authenticated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CliStatus {
    fn failed(installed: bool, version: Option<String>, error: String) -> Self {
        Self {
            installed,
            version,
            authenticated: false,
            email: None,
            subscription_type: None,
            auth_method: None,
            error: Some(error),
        }
    }
}

/// Finds and asks the Claude Code CLI.
#[derive(Debug, Clone)]
pub struct ClaudeCli {
    /// `AIPROVIDERS_CLAUDE_BIN`: when set, the only candidate.
    explicit: Option<PathBuf>,
    /// The `PATH` searched for `claude`.
    path_var: Option<OsString>,
    /// The fixed locations, `~` expanded.
    usual: Vec<PathBuf>,
    version_timeout: Duration,
    auth_timeout: Duration,
}

/// Why no binary was found.
enum NotFound {
    /// `AIPROVIDERS_CLAUDE_BIN` names something that is not an executable file.
    Explicit(PathBuf),
    Nowhere,
}

/// How one run went wrong.
enum RunError {
    Spawn(std::io::Error),
    Io(std::io::Error),
    TimedOut(Duration),
}

struct Output {
    status: ExitStatus,
    stdout: Vec<u8>,
}

impl ClaudeCli {
    /// `explicit_bin` is `AIPROVIDERS_CLAUDE_BIN` (an empty path counts as unset); `PATH`
    /// and `HOME` are this process's.
    pub fn new(explicit_bin: Option<PathBuf>) -> Self {
        Self::with_env(
            explicit_bin,
            std::env::var_os("PATH"),
            std::env::var_os("HOME").map(PathBuf::from),
        )
    }

    /// [`ClaudeCli::new`] with the `PATH` and `HOME` to search given (for tests). The CLI
    /// itself still runs with this process's environment.
    pub fn with_env(
        explicit_bin: Option<PathBuf>,
        path_var: Option<OsString>,
        home: Option<PathBuf>,
    ) -> Self {
        let home = home.filter(|h| h.is_absolute());
        let usual = USUAL_LOCATIONS
            .iter()
            .filter_map(|location| match location.strip_prefix("~/") {
                Some(rest) => home.as_ref().map(|h| h.join(rest)),
                None => Some(PathBuf::from(location)),
            })
            .collect();
        Self {
            explicit: explicit_bin.filter(|p| !p.as_os_str().is_empty()),
            path_var,
            usual,
            version_timeout: VERSION_TIMEOUT,
            auth_timeout: AUTH_TIMEOUT,
        }
    }

    /// Replaces the time limits of `claude --version` (5 s) and
    /// `claude auth status --json` (10 s).
    pub fn with_timeouts(mut self, version: Duration, auth_status: Duration) -> Self {
        self.version_timeout = version;
        self.auth_timeout = auth_status;
        self
    }

    /// The binary to run: `AIPROVIDERS_CLAUDE_BIN` when set (and then nothing else, so
    /// `None` when it is not an executable file), else the first executable `claude` in a
    /// `PATH` directory (absolute ones only), else the first of the usual install locations.
    pub fn find(&self) -> Option<PathBuf> {
        self.locate().ok()
    }

    fn locate(&self) -> Result<PathBuf, NotFound> {
        if let Some(explicit) = &self.explicit {
            return if is_executable_file(explicit) {
                Ok(explicit.clone())
            } else {
                Err(NotFound::Explicit(explicit.clone()))
            };
        }
        let on_path = self
            .path_var
            .iter()
            .flat_map(std::env::split_paths)
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join("claude"));
        on_path
            .chain(self.usual.iter().cloned())
            .find(|candidate| is_executable_file(candidate))
            .ok_or(NotFound::Nowhere)
    }

    /// Finds the CLI, reads its version and asks it who is logged in. Never fails: what
    /// went wrong is in `error`.
    pub async fn status(&self) -> CliStatus {
        let bin = match self.locate() {
            Ok(bin) => bin,
            Err(NotFound::Explicit(path)) => {
                return CliStatus::failed(
                    false,
                    None,
                    format!(
                        "not installed: AIPROVIDERS_CLAUDE_BIN ({}) is not an executable file",
                        path.display()
                    ),
                );
            }
            Err(NotFound::Nowhere) => {
                return CliStatus::failed(
                    false,
                    None,
                    format!(
                        "not installed: no `claude` found in AIPROVIDERS_CLAUDE_BIN, PATH or \
                         the usual install locations ({})",
                        USUAL_LOCATIONS
                            .map(|l| l.strip_suffix("/claude").unwrap_or(l))
                            .join(", ")
                    ),
                );
            }
        };
        tracing::debug!(bin = %bin.display(), "asking the Claude Code CLI for its state");

        let version = match run(&bin, &["--version"], self.version_timeout).await {
            Ok(out) if out.status.success() => parse_version(&String::from_utf8_lossy(&out.stdout)),
            Ok(out) => {
                return not_runnable(format!("`claude --version` exited with {}", out.status));
            }
            Err(err) => return not_runnable(err.describe("`claude --version`")),
        };
        let Some(version) = version else {
            return not_runnable("`claude --version` printed no version number".to_owned());
        };

        let unreadable = |why: String| {
            CliStatus::failed(
                true,
                Some(version.clone()),
                format!("could not read the login state: {why}"),
            )
        };
        let out = match run(&bin, &["auth", "status", "--json"], self.auth_timeout).await {
            Ok(out) => out,
            Err(err) => return unreadable(err.describe("`claude auth status --json`")),
        };
        let Some(state) = find_json_object(&out.stdout) else {
            tracing::debug!(status = %out.status, "`claude auth status --json` printed no JSON");
            return unreadable(if out.status.success() {
                "`claude auth status --json` printed no JSON".to_owned()
            } else {
                format!(
                    "`claude auth status --json` exited with {} and printed no JSON \
                     (CLIs before 2.1 have no `auth status`: update it)",
                    out.status
                )
            });
        };
        let field = |name: &str| {
            state
                .get(name)
                .and_then(serde_json::Value::as_str)
                .map(str::trim)
                .filter(|s| {
                    !s.is_empty()
                        && s.chars().count() <= MAX_FIELD_CHARS
                        && !s.chars().any(char::is_control)
                })
                .map(str::to_owned)
        };
        match state.get("loggedIn").and_then(serde_json::Value::as_bool) {
            Some(true) => CliStatus {
                installed: true,
                version: Some(version),
                authenticated: true,
                email: field("email"),
                subscription_type: field("subscriptionType"),
                auth_method: field("authMethod"),
                error: None,
            },
            Some(false) => CliStatus::failed(
                true,
                Some(version),
                "not logged in: run `claude auth login`".to_owned(),
            ),
            None => unreadable("`claude auth status --json` printed unexpected JSON".to_owned()),
        }
    }
}

fn not_runnable(why: String) -> CliStatus {
    CliStatus::failed(true, None, format!("not runnable: {why}"))
}

impl RunError {
    fn describe(&self, what: &str) -> String {
        match self {
            Self::Spawn(err) => format!("could not start {what}: {err}"),
            Self::Io(err) => format!("could not read the output of {what}: {err}"),
            Self::TimedOut(limit) => {
                format!("{what} did not answer within {}", fmt_duration(*limit))
            }
        }
    }
}

/// Runs the CLI and collects its stdout (capped), killing it past `limit`.
async fn run(bin: &Path, args: &[&str], limit: Duration) -> Result<Output, RunError> {
    let mut child = Command::new(bin)
        .args(args)
        .envs(QUIET_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(RunError::Spawn)?;
    let stdout = child.stdout.take();
    let work = async {
        let mut buffer = Vec::new();
        if let Some(stdout) = stdout {
            stdout
                .take(MAX_OUTPUT)
                .read_to_end(&mut buffer)
                .await
                .map_err(RunError::Io)?;
            // Dropped here: a CLI writing more than the cap gets a broken pipe.
        }
        let status = child.wait().await.map_err(RunError::Io)?;
        Ok(Output {
            status,
            stdout: buffer,
        })
    };
    let result = tokio::time::timeout(limit, work).await;
    match result {
        Ok(result) => result,
        Err(_) => {
            let _ = child.start_kill();
            Err(RunError::TimedOut(limit))
        }
    }
}

/// The whole output as a JSON object, else the last line that is one (a CLI may print a
/// notice before it).
fn find_json_object(stdout: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    let object = |text: &[u8]| match serde_json::from_slice(text) {
        Ok(serde_json::Value::Object(map)) => Some(map),
        _ => None,
    };
    object(stdout.trim_ascii()).or_else(|| {
        stdout
            .split(|b| *b == b'\n')
            .rev()
            .map(<[u8]>::trim_ascii)
            .filter(|line| line.starts_with(b"{"))
            .find_map(object)
    })
}

/// The leading `x.y.z` of `2.1.229 (Claude Code)` (an optional `v` before it is skipped).
fn parse_version(output: &str) -> Option<String> {
    let text = output.trim_start();
    let text = text.strip_prefix('v').unwrap_or(text);
    let mut end = 0;
    for part in 0..3 {
        if part > 0 {
            if text.as_bytes().get(end) != Some(&b'.') {
                return None;
            }
            end += 1;
        }
        let digits = text[end..].bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        end += digits;
    }
    Some(text[..end].to_owned())
}

#[cfg(unix)]
fn is_executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

fn fmt_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::sync::LazyLock;
    use std::time::Instant;

    use super::*;

    /// Writing a script while another test thread spawns a process can leave the script
    /// open in that child for a moment (`ETXTBSY` on exec): tests writing or running
    /// scripts take turns.
    pub(crate) static TURN: LazyLock<tokio::sync::Mutex<()>> = LazyLock::new(Default::default);

    const LOGGED_IN: &str = r#"{"loggedIn": true, "authMethod": "claude.ai", "apiProvider": "firstParty", "email": "user@example.com", "orgId": "00000000-0000-0000-0000-000000000000", "orgName": "user@example.com's Organization", "subscriptionType": "max"}"#;

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// A fake `claude`: `--version` and `auth status --json` run the given shell snippets.
    fn fake(dir: &Path, version: &str, auth: &str) -> PathBuf {
        script(
            dir,
            "claude",
            &format!(
                "case \"$1\" in\n  --version) {version} ;;\n  auth) {auth} ;;\n  *) exit 2 ;;\nesac"
            ),
        )
    }

    fn echo(text: &str) -> String {
        format!("printf '%s\\n' '{}'", text.replace('\'', r"'\''"))
    }

    /// Nothing from the machine: no PATH, no HOME, no system locations.
    fn isolated(
        explicit: Option<PathBuf>,
        path_var: Option<&Path>,
        home: Option<&Path>,
    ) -> ClaudeCli {
        let mut cli = ClaudeCli::with_env(
            explicit,
            path_var.map(|p| p.as_os_str().to_owned()),
            home.map(Path::to_path_buf),
        );
        cli.usual.retain(|p| home.is_some_and(|h| p.starts_with(h)));
        cli
    }

    #[tokio::test]
    async fn explicit_path_wins_and_reports_the_login() {
        let _turn = TURN.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let bin = fake(
            &dir.path().join("custom"),
            &echo("2.1.229 (Claude Code)"),
            &echo(LOGGED_IN),
        );
        // Another one on PATH is ignored.
        let other = dir.path().join("path");
        fake(&other, &echo("9.9.9"), &echo(LOGGED_IN));
        let cli = isolated(Some(bin.clone()), Some(&other), None);
        assert_eq!(cli.find(), Some(bin));
        let status = cli.status().await;
        assert_eq!(
            status,
            CliStatus {
                installed: true,
                version: Some("2.1.229".into()),
                authenticated: true,
                email: Some("user@example.com".into()),
                subscription_type: Some("max".into()),
                auth_method: Some("claude.ai".into()),
                error: None,
            }
        );
        assert_eq!(
            serde_json::to_value(&status).unwrap(),
            serde_json::json!({
                "installed": true, "version": "2.1.229", "authenticated": true,
                "email": "user@example.com", "subscriptionType": "max", "authMethod": "claude.ai"
            })
        );
    }

    #[tokio::test]
    async fn explicit_path_that_is_not_executable_does_not_fall_back() {
        let _turn = TURN.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("claude.txt");
        std::fs::write(&plain, "#!/bin/sh\n").unwrap();
        let on_path = dir.path().join("bin");
        fake(&on_path, &echo("2.1.229"), &echo(LOGGED_IN));
        for explicit in [plain, dir.path().join("missing"), dir.path().to_path_buf()] {
            let cli = isolated(Some(explicit.clone()), Some(&on_path), None);
            assert_eq!(cli.find(), None);
            let status = cli.status().await;
            assert!(!status.installed && !status.authenticated);
            let error = status.error.unwrap();
            assert!(
                error.starts_with("not installed: AIPROVIDERS_CLAUDE_BIN ("),
                "{error}"
            );
            assert!(error.contains(&explicit.display().to_string()), "{error}");
        }
        // An empty value is no value.
        let cli = isolated(Some(PathBuf::new()), Some(&on_path), None);
        assert_eq!(cli.find(), Some(on_path.join("claude")));
    }

    #[tokio::test]
    async fn found_on_path_skipping_what_is_not_executable() {
        let _turn = TURN.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first");
        std::fs::create_dir_all(first.join("claude")).unwrap(); // a directory
        let second = dir.path().join("second");
        std::fs::create_dir_all(&second).unwrap();
        std::fs::write(second.join("claude"), "not executable").unwrap();
        let third = dir.path().join("third");
        let bin = fake(&third, &echo("2.1.229"), &echo(LOGGED_IN));
        let path_var = std::env::join_paths([
            PathBuf::from("relative/dir"),
            dir.path().join("missing"),
            first,
            second,
            third,
        ])
        .unwrap();
        let cli = isolated(None, Some(Path::new(&path_var)), None);
        assert_eq!(cli.find(), Some(bin));
        assert!(cli.status().await.authenticated);
    }

    #[tokio::test]
    async fn found_in_a_usual_location_under_home() {
        let _turn = TURN.lock().await;
        let home = tempfile::tempdir().unwrap();
        let bin = fake(
            &home.path().join(".claude/local"),
            &echo("2.0.1"),
            &echo(LOGGED_IN),
        );
        let cli = isolated(None, None, Some(home.path()));
        assert_eq!(cli.find(), Some(bin));
        let earlier = fake(
            &home.path().join(".local/bin"),
            &echo("2.0.2"),
            &echo(LOGGED_IN),
        );
        assert_eq!(cli.find(), Some(earlier));
        assert_eq!(cli.status().await.version.as_deref(), Some("2.0.2"));
    }

    #[test]
    fn usual_locations_expand_home() {
        let cli = ClaudeCli::with_env(None, None, Some(PathBuf::from("/home/u")));
        assert_eq!(
            cli.usual,
            [
                "/home/u/.npm-global/bin/claude",
                "/usr/local/bin/claude",
                "/home/u/.local/bin/claude",
                "/home/u/node_modules/.bin/claude",
                "/home/u/.yarn/bin/claude",
                "/home/u/.claude/local/claude",
            ]
            .map(PathBuf::from)
        );
        let homeless = ClaudeCli::with_env(None, None, None);
        assert_eq!(homeless.usual, [PathBuf::from("/usr/local/bin/claude")]);
    }

    #[tokio::test]
    async fn not_found() {
        let dir = tempfile::tempdir().unwrap();
        let cli = isolated(None, Some(dir.path()), Some(dir.path()));
        assert_eq!(cli.find(), None);
        let status = cli.status().await;
        assert!(!status.installed && !status.authenticated && status.version.is_none());
        assert_eq!(
            status.error.as_deref(),
            Some(
                "not installed: no `claude` found in AIPROVIDERS_CLAUDE_BIN, PATH or the usual \
                 install locations (~/.npm-global/bin, /usr/local/bin, ~/.local/bin, \
                 ~/node_modules/.bin, ~/.yarn/bin, ~/.claude/local)"
            )
        );
        assert_eq!(
            serde_json::to_value(&status).unwrap(),
            serde_json::json!({"installed": false, "authenticated": false, "error": status.error})
        );
    }

    #[test]
    fn versions() {
        assert_eq!(
            parse_version("2.1.229 (Claude Code)\n").as_deref(),
            Some("2.1.229")
        );
        assert_eq!(parse_version("  v1.0.3-beta.1").as_deref(), Some("1.0.3"));
        assert_eq!(parse_version("10.20.30"), Some("10.20.30".into()));
        for bad in [
            "",
            "Claude Code 2.1.0",
            "2.1",
            "2..1",
            "2.1.",
            "a.b.c",
            "1234567890.1.1",
        ] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn not_logged_in() {
        let _turn = TURN.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let bin = fake(
            dir.path(),
            &echo("2.1.229 (Claude Code)"),
            &format!(
                "{}; exit 1",
                echo(r#"{"loggedIn": false, "authMethod": "none", "apiProvider": "firstParty"}"#)
            ),
        );
        let status = isolated(Some(bin), None, None).status().await;
        assert_eq!(
            status,
            CliStatus {
                installed: true,
                version: Some("2.1.229".into()),
                authenticated: false,
                email: None,
                subscription_type: None,
                auth_method: None,
                error: Some("not logged in: run `claude auth login`".into()),
            }
        );
    }

    #[tokio::test]
    async fn a_notice_before_the_json_is_skipped() {
        let _turn = TURN.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let auth = format!(
            "echo 'Update available!'; {}",
            echo(
                r#"{"loggedIn": true, "authMethod": "api_key", "apiKeySource": "ANTHROPIC_API_KEY", "email": null}"#
            )
        );
        let bin = fake(dir.path(), &echo("2.1.229"), &auth);
        let status = isolated(Some(bin), None, None).status().await;
        assert!(status.authenticated);
        assert_eq!(status.auth_method.as_deref(), Some("api_key"));
        assert_eq!(status.email, None);
        assert_eq!(status.subscription_type, None);
    }

    #[tokio::test]
    async fn garbage_never_reaches_the_message() {
        let _turn = TURN.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let secret = "sk-ant-oat01-SECRET";
        for (auth, expected) in [
            (
                format!("echo 'error: unknown command auth {secret}'; echo {secret} >&2; exit 1"),
                "could not read the login state: `claude auth status --json` exited with exit status: 1 and printed no JSON (CLIs before 2.1 have no `auth status`: update it)",
            ),
            (
                format!("echo '{secret} not json'"),
                "could not read the login state: `claude auth status --json` printed no JSON",
            ),
            (
                format!("echo '{{\"token\": \"{secret}\"}}'"),
                "could not read the login state: `claude auth status --json` printed unexpected JSON",
            ),
        ] {
            let bin = fake(dir.path(), &echo("2.1.229 (Claude Code)"), &auth);
            let status = isolated(Some(bin), None, None).status().await;
            assert!(status.installed && !status.authenticated);
            assert_eq!(status.version.as_deref(), Some("2.1.229"));
            assert_eq!(status.error.as_deref(), Some(expected));
            assert!(!format!("{status:?}").contains("SECRET"));
        }
    }

    #[tokio::test]
    async fn not_runnable() {
        let _turn = TURN.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                "exit 3",
                "not runnable: `claude --version` exited with exit status: 3",
            ),
            (
                "echo 'Claude Code'",
                "not runnable: `claude --version` printed no version number",
            ),
        ];
        for (version, expected) in cases {
            let bin = fake(dir.path(), version, &echo(LOGGED_IN));
            let status = isolated(Some(bin), None, None).status().await;
            assert!(status.installed && !status.authenticated && status.version.is_none());
            assert_eq!(status.error.as_deref(), Some(expected));
        }
        // Executable, but not a program the system can start.
        let junk = dir.path().join("junk");
        std::fs::write(&junk, [0x7f, b'E', b'L', b'F', 0, 0, 0]).unwrap();
        std::fs::set_permissions(&junk, std::fs::Permissions::from_mode(0o755)).unwrap();
        let status = isolated(Some(junk), None, None).status().await;
        assert!(status.installed);
        let error = status.error.unwrap();
        assert!(
            error.starts_with("not runnable: could not start `claude --version`: "),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_hanging_cli_is_cut_off() {
        let _turn = TURN.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let limit = Duration::from_millis(300);

        let bin = fake(dir.path(), &echo("2.1.229"), "exec sleep 3");
        let cli = isolated(Some(bin), None, None).with_timeouts(limit, limit);
        let started = Instant::now();
        let status = cli.status().await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            status.error.as_deref(),
            Some(
                "could not read the login state: `claude auth status --json` did not answer within 300 ms"
            )
        );
        assert_eq!(status.version.as_deref(), Some("2.1.229"));

        // A shell that keeps its child (and so stdout) alive is cut off too.
        let bin = fake(dir.path(), "sleep 3; echo 2.1.229", &echo(LOGGED_IN));
        let cli = isolated(Some(bin), None, None).with_timeouts(limit, limit);
        let started = Instant::now();
        let status = cli.status().await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            status.error.as_deref(),
            Some("not runnable: `claude --version` did not answer within 300 ms")
        );
    }

    #[tokio::test]
    async fn runs_quietly_without_stdin() {
        let _turn = TURN.lock().await;
        let dir = tempfile::tempdir().unwrap();
        // Reports what it was given as its "email": the switches, and that stdin is empty.
        let auth = r#"input=$(cat); printf '{"loggedIn":true,"email":"%s%s%s%s[%s]"}\n' "$DISABLE_AUTOUPDATER" "$DISABLE_TELEMETRY" "$DISABLE_ERROR_REPORTING" "$CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC" "$input""#;
        let bin = fake(dir.path(), &echo("2.1.229"), auth);
        let status = isolated(Some(bin), None, None).status().await;
        assert_eq!(status.email.as_deref(), Some("1111[]"));
    }

    #[test]
    fn json_objects_in_output() {
        assert!(find_json_object(b" {\"a\":1} \n").is_some());
        assert!(find_json_object(b"notice\n{\"a\":1}\n").is_some());
        assert!(find_json_object(b"[1]").is_none());
        assert!(find_json_object(b"").is_none());
        assert!(find_json_object(b"{\"a\":").is_none());
    }
}
