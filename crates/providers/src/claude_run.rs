//! One gateway prompt through the local Claude Code CLI (reference §4.4): one process per
//! request, the binary found by [`ClaudeCli`], run as
//!
//! ```text
//! claude -p --output-format stream-json --verbose --model <haiku|sonnet|opus>
//!        --tools "" --strict-mcp-config --no-session-persistence --disable-slash-commands
//!        [--append-system-prompt-file <file>]
//! ```
//!
//! with the prompt on stdin and the system prompt in a file of mode 0600 in the working
//! directory, removed after the run (neither in argv, where it would be visible in `ps` and
//! limited in size), in an empty working directory (no project `CLAUDE.md` or settings), with the same
//! quiet environment as the other CLI runs, stderr discarded, and killed when the whole run
//! overruns its time limit. No built-in tool, MCP server or slash command is available to the
//! model: a gateway caller cannot make the CLI act on this machine.
//!
//! stdout is NDJSON (at most [`MAX_OUTPUT`] in all); lines that are not JSON objects are
//! skipped, as the Agent SDK does. The `result` line decides: `is_error: false` is the answer
//! (`result` the text, `usage` the tokens, `stop_reason`); otherwise, or without a result, the
//! run is a [`ChatFailure`] whose message is a short description of ours, never the CLI's
//! output.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aiproviders_domain::ProviderId;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

use crate::chat::{ChatFailure, FailureKind};
use crate::claude_cli::{ClaudeCli, QUIET_ENV};

/// The time limit of one prompt when none is configured (`AIPROVIDERS_CLAUDE_TIMEOUT_SECS`).
pub const DEFAULT_PROMPT_TIMEOUT: Duration = Duration::from_secs(300);

/// stdout read from one run at most.
const MAX_OUTPUT: u64 = 16 << 20;

/// The model aliases the CLI takes for `--model`.
pub(crate) const MODEL_ALIASES: [&str; 3] = ["haiku", "sonnet", "opus"];

/// Phrases (lowercase) by which the CLI says that nobody is logged in or that its
/// credential was refused.
const AUTH_HINTS: [&str; 6] = [
    "not logged in",
    "invalid api key",
    "please run /login",
    "authentication_error",
    "authentication_failed",
    "oauth token has expired",
];

/// A successful run.
#[derive(Debug, Clone, PartialEq)]
pub struct CliRun {
    /// The answer (the result line's `result`).
    pub text: String,
    /// The model the CLI reports having used (its `init` line or assistant messages).
    pub model: Option<String>,
    /// Anthropic's `stop_reason` (`end_turn`, `max_tokens`, …), when reported.
    pub stop_reason: Option<String>,
    /// Every prompt token: `input_tokens` + `cache_read_input_tokens` +
    /// `cache_creation_input_tokens`.
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// The part of `input_tokens` read from the prompt cache.
    pub cached_input_tokens: u64,
    /// What the CLI says the run cost (API prices; notional for a subscription).
    pub cost_usd: Option<f64>,
}

pub(crate) fn failure(
    kind: FailureKind,
    status: Option<u16>,
    message: impl Into<String>,
) -> ChatFailure {
    ChatFailure {
        provider: ProviderId::ClaudeCode,
        kind,
        status,
        retry_after_seconds: None,
        message: message.into(),
    }
}

/// A started CLI process, with the system prompt file that must outlive it.
pub(crate) struct Started {
    pub child: tokio::process::Child,
    pub _system_file: Option<SystemPromptFile>,
}

impl ClaudeCli {
    /// Starts the CLI for one prompt (see the module docs); with `partial_messages`, it also
    /// prints the model's raw stream events (`--include-partial-messages`).
    pub(crate) fn start(
        &self,
        model_alias: &str,
        system: Option<&str>,
        workdir: &Path,
        partial_messages: bool,
    ) -> Result<Started, ChatFailure> {
        if !MODEL_ALIASES.contains(&model_alias) {
            return Err(failure(
                FailureKind::ModelNotFound,
                None,
                "the Claude Code CLI has no such model",
            ));
        }
        let bin = self.find().ok_or_else(|| {
            failure(
                FailureKind::Misconfigured,
                None,
                "the Claude Code CLI was not found (AIPROVIDERS_CLAUDE_BIN, PATH or the usual \
                 install locations)",
            )
        })?;
        let mut command = Command::new(&bin);
        command
            .args(["-p", "--output-format", "stream-json", "--verbose"])
            .args(["--model", model_alias])
            .args(["--tools", "", "--strict-mcp-config"])
            .args(["--no-session-persistence", "--disable-slash-commands"]);
        if partial_messages {
            command.arg("--include-partial-messages");
        }
        let system_file = match system.filter(|s| !s.is_empty()) {
            Some(system) => Some(SystemPromptFile::write(workdir, system)?),
            None => None,
        };
        if let Some(file) = &system_file {
            command.arg("--append-system-prompt-file").arg(&file.path);
        }
        let child = command
            .current_dir(workdir)
            .envs(QUIET_ENV)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| {
                tracing::warn!(bin = %bin.display(), %error, "could not start the Claude Code CLI");
                failure(
                    FailureKind::Misconfigured,
                    None,
                    "the Claude Code CLI could not be started",
                )
            })?;
        Ok(Started {
            child,
            _system_file: system_file,
        })
    }

    /// Runs `prompt` (sent on stdin) with `--model <model_alias>` (one of `haiku`, `sonnet`,
    /// `opus`) and `system` appended to the CLI's system prompt, in `workdir`, killing the
    /// CLI past `timeout`. Failures: `Misconfigured` (no binary, or it cannot be started),
    /// `Timeout`, `Auth` (not logged in, credential refused), `RateLimited` (429), `Server`
    /// (anything else the CLI reports, output it cannot make sense of).
    pub async fn run_prompt(
        &self,
        model_alias: &str,
        system: Option<&str>,
        prompt: &str,
        timeout: Duration,
        workdir: &Path,
    ) -> Result<CliRun, ChatFailure> {
        let started = self.start(model_alias, system, workdir, false)?;
        match drive(started, prompt, timeout, None).await {
            Ok(ended) => ended.stream.outcome(Some(ended.status)),
            Err(Stopped::Failed(failure)) => Err(failure),
            // Only a run that sends its events can lose their receiver.
            Err(Stopped::Gone) => Err(failure(
                FailureKind::Server,
                None,
                "the Claude Code CLI's run was abandoned",
            )),
        }
    }
}

/// Where the events of a streamed run go.
pub(crate) type EventSender = tokio::sync::mpsc::Sender<Result<bytes::Bytes, ChatFailure>>;

/// A run whose process ended.
pub(crate) struct Ended {
    pub stream: StreamJson,
    pub status: ExitStatus,
    /// Whether any stream event was sent.
    pub sent_events: bool,
}

/// A run that did not get to its end.
pub(crate) enum Stopped {
    /// Over the time limit, unreadable output, or not waitable.
    Failed(ChatFailure),
    /// The receiver of its events went away.
    Gone,
}

/// Drives one started run: writes `prompt` to stdin, reads stdout line by line (at most
/// [`MAX_OUTPUT`]), sends each stream event to `events` as Anthropic SSE when given, and waits
/// for the process. Past `timeout`, or when it stops early, the process is dropped, which
/// kills it; when this returns, the process is gone either way.
pub(crate) async fn drive(
    started: Started,
    prompt: &str,
    timeout: Duration,
    events: Option<&EventSender>,
) -> Result<Ended, Stopped> {
    let Started {
        mut child,
        _system_file,
    } = started;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let write = async move {
        if let Some(mut stdin) = stdin {
            // A CLI that exits early closes the pipe; its result says why.
            let _ = stdin.write_all(prompt.as_bytes()).await;
            let _ = stdin.shutdown().await;
        }
    };
    let unreadable = || {
        Stopped::Failed(failure(
            FailureKind::Server,
            None,
            "the Claude Code CLI's output could not be read (or was too large)",
        ))
    };
    let read = async {
        let mut stream = StreamJson::default();
        let mut sent_events = false;
        let Some(stdout) = stdout else {
            return Ok((stream, sent_events));
        };
        let mut reader = BufReader::new(stdout.take(MAX_OUTPUT));
        let mut line = Vec::new();
        let mut total = 0u64;
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line).await.map_err(|error| {
                tracing::debug!(%error, "could not read the Claude Code CLI's output");
                unreadable()
            })?;
            if read == 0 {
                break;
            }
            total += read as u64;
            if let (Some(event), Some(events)) = (stream.line(&line), events) {
                let sse = crate::claude_stream::sse(&event.name, &event.data);
                events.send(Ok(sse)).await.map_err(|_| Stopped::Gone)?;
                sent_events = true;
            }
        }
        if total >= MAX_OUTPUT {
            return Err(unreadable());
        }
        Ok((stream, sent_events))
    };
    let work = async {
        let ((), read) = tokio::join!(write, read);
        let (stream, sent_events) = read?;
        let status = child.wait().await.map_err(|_| {
            Stopped::Failed(failure(
                FailureKind::Server,
                None,
                "the Claude Code CLI could not be waited for",
            ))
        })?;
        Ok(Ended {
            stream,
            status,
            sent_events,
        })
    };
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| {
            Err(Stopped::Failed(failure(
                FailureKind::Timeout,
                None,
                format!(
                    "the Claude Code CLI did not answer within {}",
                    fmt_duration(timeout)
                ),
            )))
        })
}

/// One raw Anthropic stream event the CLI passed on: its type and its JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PartialEvent {
    pub name: String,
    pub data: String,
}

/// What the NDJSON lines of one run said.
#[derive(Debug, Default)]
pub(crate) struct StreamJson {
    /// The last `result` line.
    result: Option<serde_json::Map<String, Value>>,
    /// The model of the `init` line, or of an assistant message (`<synthetic>` skipped).
    model: Option<String>,
    /// The text of the last assistant message (used when the result has no `result`).
    last_assistant_text: Option<String>,
    /// Whether anything said that nobody is logged in or the credential was refused.
    auth_hint: bool,
}

impl StreamJson {
    /// Takes one line (its `\n` included or not); anything that is not a JSON object is
    /// skipped (only looked at for a login hint). Returns the raw Anthropic event of a
    /// `stream_event` line of the main conversation (`--include-partial-messages`).
    pub(crate) fn line(&mut self, line: &[u8]) -> Option<PartialEvent> {
        let line = line.trim_ascii();
        if line.is_empty() {
            return None;
        }
        let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(line) else {
            self.auth_hint |= mentions_auth(&String::from_utf8_lossy(line));
            return None;
        };
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        match object.get("type").and_then(Value::as_str) {
            Some("system") => {
                if object.get("subtype").and_then(Value::as_str) == Some("init")
                    && let Some(model) = text(object.get("model"))
                {
                    self.model = Some(model);
                }
            }
            Some("assistant") => {
                if let Some(error) = object.get("error").and_then(Value::as_str) {
                    self.auth_hint |= mentions_auth(error);
                }
                let message = object.get("message")?;
                if let Some(model) = text(message.get("model")).filter(|m| !m.starts_with('<')) {
                    self.model = Some(model);
                }
                if let Some(content) = message.get("content").and_then(Value::as_array) {
                    let texts: Vec<&str> = content
                        .iter()
                        .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
                        .filter_map(|b| b.get("text").and_then(Value::as_str))
                        .collect();
                    self.last_assistant_text = Some(texts.concat());
                }
            }
            Some("result") => self.result = Some(object),
            Some("stream_event") if object.get("parent_tool_use_id").is_none_or(Value::is_null) => {
                let event = object.remove("event")?;
                let name = event.get("type").and_then(Value::as_str)?.to_owned();
                return Some(PartialEvent {
                    name,
                    data: event.to_string(),
                });
            }
            _ => {}
        }
        None
    }

    /// The run's answer or failure, given how the process ended (`None`: unknown).
    pub(crate) fn outcome(self, exit: Option<ExitStatus>) -> Result<CliRun, ChatFailure> {
        let exited = |status: Option<ExitStatus>| match status.and_then(|s| s.code()) {
            Some(code) => format!("exit code {code}"),
            None => "a signal".to_owned(),
        };
        let Some(result) = self.result else {
            if self.auth_hint {
                return Err(auth_failure(None));
            }
            return Err(failure(
                FailureKind::Server,
                None,
                match exit {
                    Some(status) if status.success() => {
                        "the Claude Code CLI ended without a result".to_owned()
                    }
                    _ => format!(
                        "the Claude Code CLI ended with {} before a result",
                        exited(exit)
                    ),
                },
            ));
        };
        let subtype = result.get("subtype").and_then(Value::as_str).unwrap_or("");
        let is_error = result
            .get("is_error")
            .and_then(Value::as_bool)
            .unwrap_or(subtype != "success");
        let answer = result.get("result").and_then(Value::as_str);
        if !is_error {
            let usage = result.get("usage");
            let count = |name: &str| {
                usage
                    .and_then(|u| u.get(name))
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            };
            let cache_read = count("cache_read_input_tokens");
            return Ok(CliRun {
                text: answer
                    .map(str::to_owned)
                    .or(self.last_assistant_text)
                    .unwrap_or_default(),
                model: self.model,
                stop_reason: result
                    .get("stop_reason")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                input_tokens: count("input_tokens")
                    + cache_read
                    + count("cache_creation_input_tokens"),
                output_tokens: count("output_tokens"),
                cached_input_tokens: cache_read,
                cost_usd: result.get("total_cost_usd").and_then(Value::as_f64),
            });
        }
        let status = result
            .get("api_error_status")
            .and_then(|s| match s {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| (100..600).contains(s));
        let errors = result
            .get("errors")
            .map(Value::to_string)
            .unwrap_or_default();
        let says_auth =
            self.auth_hint || answer.is_some_and(mentions_auth) || mentions_auth(&errors);
        match status {
            Some(401 | 403) => Err(auth_failure(status)),
            _ if says_auth => Err(auth_failure(status)),
            Some(429) => Err(failure(
                FailureKind::RateLimited,
                status,
                "the Claude Code CLI's account is rate limited (status 429)",
            )),
            _ => {
                let mut message = "the Claude Code CLI reported an error".to_owned();
                let subtype = sanitized(subtype);
                match (subtype.is_empty(), status) {
                    (false, Some(status)) => {
                        message.push_str(&format!(" ({subtype}, status {status})"))
                    }
                    (false, None) => message.push_str(&format!(" ({subtype})")),
                    (true, Some(status)) => message.push_str(&format!(" (status {status})")),
                    (true, None) => {}
                }
                Err(failure(FailureKind::Server, status, message))
            }
        }
    }
}

fn auth_failure(status: Option<u16>) -> ChatFailure {
    failure(
        FailureKind::Auth,
        status,
        "the Claude Code CLI is not logged in or its login was refused (run `claude auth login`)",
    )
}

fn mentions_auth(text: &str) -> bool {
    let text = text.to_lowercase();
    AUTH_HINTS.iter().any(|hint| text.contains(hint))
}

/// A `subtype` as it may appear in a message: `[a-z0-9_]`, at most 40 characters, else
/// nothing.
fn sanitized(subtype: &str) -> String {
    if subtype.len() <= 40
        && subtype
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        subtype.to_owned()
    } else {
        String::new()
    }
}

fn fmt_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// A system prompt written for one run (mode 0600, in the run's private working directory),
/// removed when dropped.
pub(crate) struct SystemPromptFile {
    path: PathBuf,
}

impl SystemPromptFile {
    fn write(workdir: &Path, system: &str) -> Result<Self, ChatFailure> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = workdir.join(format!(
            "system-prompt-{}-{}.txt",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut file| file.write_all(system.as_bytes()));
        match written {
            Ok(()) => Ok(Self { path }),
            Err(error) => {
                let _ = std::fs::remove_file(&path);
                tracing::warn!(%error, "could not write the system prompt for the Claude Code CLI");
                Err(failure(
                    FailureKind::Misconfigured,
                    None,
                    "the system prompt could not be handed to the Claude Code CLI",
                ))
            }
        }
    }
}

impl Drop for SystemPromptFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::ExitStatusExt;
    use std::path::PathBuf;
    use std::time::Instant;

    use super::*;

    /// The three lines of reference §4.4.
    const INIT: &str = r#"{"type":"system","subtype":"init","session_id":"0e639165-79b1-4bd4-bb0f-4cb4c15115d4","model":"claude-sonnet-4-5-20250929","cwd":"/home/user/project","tools":["Bash","Read","Edit"],"mcp_servers":[],"permissionMode":"default","apiKeySource":"none"}"#;
    const ASSISTANT: &str = r#"{"type":"assistant","message":{"id":"msg_01A","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hello CLI Test"}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":6}},"parent_tool_use_id":null,"session_id":"0e639165-79b1-4bd4-bb0f-4cb4c15115d4"}"#;
    const RESULT: &str = r#"{"type":"result","subtype":"success","is_error":false,"duration_ms":1998,"duration_api_ms":1976,"num_turns":1,"result":"Hello CLI Test","session_id":"0e639165-79b1-4bd4-bb0f-4cb4c15115d4","total_cost_usd":0.0079825,"usage":{"input_tokens":3,"output_tokens":6}}"#;

    /// What CLI 2.1.332 prints without a login (trimmed).
    const NOT_LOGGED_IN: [&str; 3] = [
        r#"{"type":"system","subtype":"init","cwd":"/tmp/x","session_id":"e87d","tools":[],"mcp_servers":[],"model":"claude-sonnet-4-5","apiKeySource":"none"}"#,
        r#"{"type":"assistant","message":{"id":"b6ca","model":"<synthetic>","role":"assistant","stop_reason":"stop_sequence","type":"message","usage":{"input_tokens":0,"output_tokens":0},"content":[{"type":"text","text":"Not logged in · Please run /login"}]},"parent_tool_use_id":null,"session_id":"e87d","error":"authentication_failed","is_api_error_message":true}"#,
        r#"{"duration_api_ms":0,"stop_reason":"stop_sequence","session_id":"e87d","total_cost_usd":0,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0},"terminal_reason":"api_error","is_error":true,"num_turns":1,"subtype":"success","api_error_status":null,"result":"Not logged in · Please run /login","type":"result"}"#,
    ];

    fn parse(lines: &[&str]) -> StreamJson {
        let mut stream = StreamJson::default();
        for line in lines {
            stream.line(format!("{line}\n").as_bytes());
        }
        stream
    }

    fn exit(code: i32) -> Option<ExitStatus> {
        Some(ExitStatus::from_raw(code << 8))
    }

    #[test]
    fn the_reference_example_is_an_answer() {
        let run = parse(&[INIT, ASSISTANT, RESULT]).outcome(exit(0)).unwrap();
        assert_eq!(
            run,
            CliRun {
                text: "Hello CLI Test".into(),
                model: Some("claude-sonnet-4-5-20250929".into()),
                stop_reason: None,
                input_tokens: 3,
                output_tokens: 6,
                cached_input_tokens: 0,
                cost_usd: Some(0.0079825),
            }
        );
    }

    #[test]
    fn cache_tokens_count_as_input_and_garbage_lines_are_skipped() {
        let result = r#"{"type":"result","subtype":"success","is_error":false,"result":"Hi","stop_reason":"max_tokens","usage":{"input_tokens":3,"cache_creation_input_tokens":10,"cache_read_input_tokens":15635,"output_tokens":6}}"#;
        let stream = parse(&[
            "npm WARN something",
            "",
            "[1,2,3]",
            "{not json",
            INIT,
            "\u{1b}[2K progress",
            result,
        ]);
        let run = stream.outcome(exit(0)).unwrap();
        assert_eq!(run.text, "Hi");
        assert_eq!(run.stop_reason.as_deref(), Some("max_tokens"));
        assert_eq!(run.input_tokens, 3 + 10 + 15635);
        assert_eq!(run.cached_input_tokens, 15635);
        assert_eq!(run.output_tokens, 6);
        assert_eq!(run.cost_usd, None);
        // CRLF line endings and a result without `result` (the assistant's text is used).
        let mut stream = StreamJson::default();
        stream.line(format!("{ASSISTANT}\r\n").as_bytes());
        stream.line(br#"{"type":"result","subtype":"success","is_error":false}"#);
        assert_eq!(stream.outcome(exit(0)).unwrap().text, "Hello CLI Test");
    }

    #[test]
    fn a_missing_login_is_an_auth_failure_without_the_cli_text() {
        let failure = parse(&NOT_LOGGED_IN).outcome(exit(1)).unwrap_err();
        assert_eq!(failure.kind, FailureKind::Auth);
        assert_eq!(failure.provider, ProviderId::ClaudeCode);
        assert!(failure.message.contains("claude auth login"), "{failure}");
        // A 401 status alone says the same; so does an "Invalid API key" result.
        let status = r#"{"type":"result","subtype":"error_during_execution","is_error":true,"api_error_status":401,"result":"request failed"}"#;
        assert_eq!(
            parse(&[status]).outcome(exit(1)).unwrap_err().kind,
            FailureKind::Auth
        );
        let key = r#"{"type":"result","subtype":"success","is_error":true,"result":"Invalid API key · Fix external API key"}"#;
        let failure = parse(&[key]).outcome(exit(1)).unwrap_err();
        assert_eq!(failure.kind, FailureKind::Auth);
        assert!(!failure.message.contains("Fix external"));
        // Or a plain-text line when there is no result at all.
        assert_eq!(
            parse(&["Not logged in"]).outcome(exit(1)).unwrap_err().kind,
            FailureKind::Auth
        );
    }

    #[test]
    fn other_errors_are_server_failures_with_a_sanitized_reason() {
        let secret = "sk-ant-api03-SECRET";
        let result = format!(
            r#"{{"type":"result","subtype":"error_during_execution","is_error":true,"api_error_status":529,"result":"overloaded {secret}","errors":["{secret}"]}}"#
        );
        let failure = parse(&[INIT, &result]).outcome(exit(1)).unwrap_err();
        assert_eq!(failure.kind, FailureKind::Server);
        assert_eq!(failure.status, Some(529));
        assert_eq!(
            failure.message,
            "the Claude Code CLI reported an error (error_during_execution, status 529)"
        );
        let odd = r#"{"type":"result","subtype":"Weird <script>","is_error":true}"#;
        let failure = parse(&[odd]).outcome(exit(0)).unwrap_err();
        assert_eq!(failure.message, "the Claude Code CLI reported an error");
        // `is_error` missing: only `success` is an answer.
        let max_turns = r#"{"type":"result","subtype":"error_max_turns"}"#;
        assert_eq!(
            parse(&[max_turns]).outcome(exit(0)).unwrap_err().message,
            "the Claude Code CLI reported an error (error_max_turns)"
        );
        let limited = r#"{"type":"result","is_error":true,"api_error_status":"429"}"#;
        assert_eq!(
            parse(&[limited]).outcome(exit(1)).unwrap_err().kind,
            FailureKind::RateLimited
        );
    }

    #[test]
    fn no_result_is_a_server_failure() {
        let failure = parse(&[INIT, ASSISTANT, "{\"type\":\"resu"])
            .outcome(exit(3))
            .unwrap_err();
        assert_eq!(failure.kind, FailureKind::Server);
        assert_eq!(
            failure.message,
            "the Claude Code CLI ended with exit code 3 before a result"
        );
        assert_eq!(
            parse(&[]).outcome(exit(0)).unwrap_err().message,
            "the Claude Code CLI ended without a result"
        );
        assert_eq!(
            parse(&[])
                .outcome(Some(ExitStatus::from_raw(9)))
                .unwrap_err()
                .message,
            "the Claude Code CLI ended with a signal before a result"
        );
    }

    /// Scripts are written and run in turns with `claude_cli`'s tests (`ETXTBSY`).
    use crate::claude_cli::tests::TURN;

    fn script(dir: &Path, body: &str) -> PathBuf {
        let path = dir.join("claude");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn cli(bin: PathBuf) -> ClaudeCli {
        ClaudeCli::with_env(Some(bin), None, None)
    }

    #[tokio::test]
    async fn runs_the_cli_with_the_prompt_on_stdin() {
        let _turn = TURN.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        // Answers with its arguments, switches, working directory and stdin.
        let bin = script(
            dir.path(),
            r#"input=$(tr '\n' '~')
out=""; next=""; sys=""
for a in "$@"; do
  if [ "$next" = file ]; then sys="$(cat "$a") $(stat -c %a "$a")"; out="$out FILE"; next=""; continue; fi
  [ "$a" = "--append-system-prompt-file" ] && next=file
  out="$out $a"
done
args="${out# }"
env="$DISABLE_AUTOUPDATER$DISABLE_TELEMETRY$DISABLE_ERROR_REPORTING$CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"
echo 'not json'
printf '{"type":"result","subtype":"success","is_error":false,"result":"%s|%s|%s|%s|%s","usage":{"input_tokens":1,"output_tokens":2}}\n' "$args" "$sys" "$env" "$(pwd)" "$input""#,
        );
        let run = cli(bin)
            .run_prompt(
                "sonnet",
                Some("-be brief"),
                "line one\nline two",
                Duration::from_secs(10),
                work.path(),
            )
            .await
            .unwrap();
        let work = work.path().canonicalize().unwrap();
        assert_eq!(
            run.text,
            format!(
                "-p --output-format stream-json --verbose --model sonnet --tools  \
                 --strict-mcp-config --no-session-persistence --disable-slash-commands \
                 --append-system-prompt-file FILE|-be brief 600|1111|{}|line one~line two",
                work.display()
            )
        );
        let left: Vec<_> = std::fs::read_dir(&work).unwrap().collect();
        assert!(
            left.is_empty(),
            "the system prompt file is removed after the run"
        );
        assert_eq!((run.input_tokens, run.output_tokens), (1, 2));
    }

    #[tokio::test]
    async fn unknown_models_missing_binaries_and_timeouts() {
        let _turn = TURN.lock().await;
        let dir = tempfile::tempdir().unwrap();
        let limit = Duration::from_secs(10);
        let missing = cli(dir.path().join("nothing"));
        let failure = missing
            .run_prompt("sonnet", None, "hi", limit, dir.path())
            .await
            .unwrap_err();
        assert_eq!(failure.kind, FailureKind::Misconfigured);
        let failure = missing
            .run_prompt("gpt-4o", None, "hi", limit, dir.path())
            .await
            .unwrap_err();
        assert_eq!(failure.kind, FailureKind::ModelNotFound);

        // A shell that keeps its child (and so stdout) alive is cut off too.
        let bin = script(dir.path(), "cat >/dev/null; sleep 5; echo '{}'");
        let started = Instant::now();
        let failure = cli(bin)
            .run_prompt("haiku", None, "hi", Duration::from_millis(300), dir.path())
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(4));
        assert_eq!(failure.kind, FailureKind::Timeout);
        assert_eq!(
            failure.message,
            "the Claude Code CLI did not answer within 300 ms"
        );

        // A CLI that ignores stdin and fails.
        let bin = script(dir.path(), "exit 1");
        let failure = cli(bin)
            .run_prompt("opus", None, &"x".repeat(1 << 20), limit, dir.path())
            .await
            .unwrap_err();
        assert_eq!(failure.kind, FailureKind::Server);
        assert_eq!(
            failure.message,
            "the Claude Code CLI ended with exit code 1 before a result"
        );
    }
}
