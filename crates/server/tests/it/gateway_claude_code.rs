//! The gateway's `claude-code` candidates, served by a fake `claude` script (local mode, the
//! default on 127.0.0.1): both front doors, streaming and not, the route header, usage,
//! refused tool requests and a CLI that overruns its time limit.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{AppOptions, McpClient, TestApp, TestOrg};

const MODEL: &str = "claude-code/claude-code:sonnet";

/// Answers `--version` and `auth status --json` like a logged-in CLI 2.1.229, and `-p …` with
/// the three stream-json lines of reference §4.4, the result being `cli says: ` and the last
/// line of the prompt read from stdin. Records its arguments in `args` and its stdin in
/// `stdin`, next to it; sleeps 10 s first while a file `sleep` is there. While a file
/// `partial` is there and it is asked for `--include-partial-messages`, it first prints the
/// answer as raw stream events, in two text deltas (1 s apart while `slow` is there; with an
/// error result in between, and exit code 1, while `fail_mid` is there).
const FAKE_CLAUDE: &str = r#"#!/bin/sh
dir=$(dirname "$0")
case "$1" in
  --version) echo '2.1.229 (Claude Code)' ;;
  auth) echo '{"loggedIn": true, "authMethod": "claude.ai", "apiProvider": "firstParty", "email": "user@example.com", "subscriptionType": "max"}' ;;
  -p)
    printf '%s\n' "$@" > "$dir/args"
    prev=""
    for a in "$@"; do
      if [ "$prev" = "--append-system-prompt-file" ]; then cat "$a" > "$dir/system"; fi
      prev="$a"
    done
    cat > "$dir/stdin"
    if [ -e "$dir/sleep" ]; then sleep 10; fi
    last=$(tail -n 1 "$dir/stdin" | sed 's/\\/\\\\/g; s/"/\\"/g')
    echo 'a line that is not JSON'
    ev() { printf '{"type":"stream_event","event":%s,"session_id":"s","parent_tool_use_id":null,"uuid":"u"}\n' "$1"; }
    if [ -e "$dir/partial" ] && grep -qx -- --include-partial-messages "$dir/args"; then
      ev '{"type":"message_start","message":{"id":"msg_p","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}'
      ev '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'
      ev '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"cli says: "}}'
      if [ -e "$dir/slow" ]; then sleep 1; fi
      if [ -e "$dir/fail_mid" ]; then
        echo '{"type":"result","subtype":"error_during_execution","is_error":true,"num_turns":1,"session_id":"s","api_error_status":500}'
        exit 1
      fi
      ev "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"$last\"}}"
      ev '{"type":"content_block_stop","index":0}'
      ev '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}}'
      ev '{"type":"message_stop"}'
    fi
    echo '{"type":"system","subtype":"init","session_id":"0e639165-79b1-4bd4-bb0f-4cb4c15115d4","model":"claude-sonnet-4-5-20250929","cwd":"/home/user/project","tools":["Bash","Read","Edit"],"mcp_servers":[],"permissionMode":"default","apiKeySource":"none"}'
    echo '{"type":"assistant","message":{"id":"msg_01A","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hello CLI Test"}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":6}},"parent_tool_use_id":null,"session_id":"0e639165-79b1-4bd4-bb0f-4cb4c15115d4"}'
    printf '{"type":"result","subtype":"success","is_error":false,"duration_ms":1998,"duration_api_ms":1976,"num_turns":1,"result":"cli says: %s","session_id":"0e639165-79b1-4bd4-bb0f-4cb4c15115d4","total_cost_usd":0.0079825,"usage":{"input_tokens":3,"output_tokens":6}}\n' "$last"
    ;;
  *) exit 2 ;;
esac
"#;

struct Cli {
    dir: tempfile::TempDir,
    app: TestApp,
    org: TestOrg,
    owner: McpClient,
    key: String,
    http: reqwest::Client,
}

impl Cli {
    /// A server using the fake CLI (prompts limited to 2 s), the CLI activated by the owner.
    async fn start() -> Self {
        Self::start_with(|options| options).await
    }

    async fn start_with(configure: impl FnOnce(AppOptions) -> AppOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("claude");
        std::fs::write(&bin, FAKE_CLAUDE).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        let app = TestApp::spawn_with(configure(
            AppOptions::default()
                .env("AIPROVIDERS_CLAUDE_BIN", bin.to_str().unwrap())
                .env("AIPROVIDERS_CLAUDE_TIMEOUT_SECS", "2")
                // The CLI's working directory is made there, and goes with the test's.
                .env("TMPDIR", dir.path().to_str().unwrap()),
        ))
        .await;
        let org = app.org();
        let owner = app.client(&org.owner).await;
        let activated = owner.call("AI_PROVIDER_CLI_ACTIVATE", json!({})).await.ok();
        assert_eq!(activated["activated"], true, "{activated}");
        let keys = owner.keys().await;
        assert_eq!(keys.len(), 1);
        let key = keys[0]["id"].as_str().unwrap().to_owned();
        Self {
            dir,
            app,
            org,
            owner,
            key,
            http: reqwest::Client::new(),
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    async fn post(&self, path: &str, body: Value) -> (u16, String, String) {
        let response = self
            .http
            .post(format!("{}{path}", self.app.base_url))
            .bearer_auth(&self.org.owner)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let route = response
            .headers()
            .get("x-aiproviders-route")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, route, response.text().await.unwrap())
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The `data:` payloads of an SSE body, with their event names.
fn events(body: &str) -> Vec<(Option<String>, String)> {
    body.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut event = None;
            let mut data = String::new();
            for line in block.lines() {
                if let Some(name) = line.strip_prefix("event: ") {
                    event = Some(name.to_owned());
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data.push_str(d);
                }
            }
            (event, data)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn claude_code_models_are_served_by_the_local_cli() {
    let cli = Cli::start().await;
    let ok_route = format!("{MODEL}@{}=ok", cli.key);

    // OpenAI, not streaming: a conversation flattened into one prompt, the system message
    // appended to the CLI's system prompt.
    let (status, route, body) = cli
        .post(
            "/v1/chat/completions",
            json!({"model": MODEL, "messages": [
                {"role": "system", "content": "Answer briefly."},
                {"role": "user", "content": "Hi, I am Ann."},
                {"role": "assistant", "content": "Hello Ann!"},
                {"role": "user", "content": "What is my name?"},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(route, ok_route);
    let completion: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(completion["object"], "chat.completion");
    assert_eq!(completion["model"], MODEL);
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        "cli says: User: What is my name?"
    );
    assert_eq!(completion["choices"][0]["finish_reason"], "stop");
    assert_eq!(completion["usage"]["prompt_tokens"], 3);
    assert_eq!(completion["usage"]["completion_tokens"], 6);
    assert_eq!(
        read(&cli.file("stdin")),
        "User: Hi, I am Ann.\n\nAssistant: Hello Ann!\n\nUser: What is my name?"
    );
    let args = read(&cli.file("args"));
    let args: Vec<&str> = args.lines().collect();
    for expected in [
        "-p",
        "stream-json",
        "--verbose",
        "sonnet",
        "--append-system-prompt-file",
    ] {
        assert!(args.contains(&expected), "{args:?}");
    }
    assert_eq!(read(&cli.file("system")), "Answer briefly.");
    let system_file = args[args
        .iter()
        .position(|a| *a == "--append-system-prompt-file")
        .unwrap()
        + 1];
    assert!(
        !std::path::Path::new(system_file).exists(),
        "removed after the run"
    );
    assert!(
        !args.iter().any(|a| a.contains("Ann")),
        "the prompt goes on stdin, not in argv: {args:?}"
    );

    // OpenAI, streaming, with the usage chunk.
    let (status, route, body) = cli
        .post(
            "/v1/chat/completions",
            json!({"model": MODEL, "stream": true, "stream_options": {"include_usage": true},
                   "messages": [{"role": "user", "content": "stream this"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(route, ok_route);
    assert_eq!(read(&cli.file("stdin")), "stream this");
    let chunks: Vec<Value> = events(&body)
        .iter()
        .filter(|(_, data)| data != "[DONE]")
        .map(|(_, data)| serde_json::from_str(data).unwrap())
        .collect();
    assert!(body.trim_end().ends_with("data: [DONE]"), "{body}");
    let text: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, "cli says: stream this");
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    assert_eq!(
        chunks[chunks.len() - 2]["choices"][0]["finish_reason"],
        "stop"
    );
    assert_eq!(chunks[chunks.len() - 1]["usage"]["completion_tokens"], 6);

    // Anthropic, streaming and not.
    let request = json!({"model": MODEL, "max_tokens": 100, "system": "Be kind.",
                         "messages": [{"role": "user", "content": "from the messages api"}]});
    let (status, route, body) = cli.post("/v1/messages", request.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(route, ok_route);
    let message: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(message["type"], "message");
    assert_eq!(
        message["content"][0]["text"],
        "cli says: from the messages api"
    );
    assert_eq!(message["stop_reason"], "end_turn");
    assert_eq!(message["usage"]["output_tokens"], 6);
    assert_eq!(read(&cli.file("system")), "Be kind.");
    let mut streaming = request;
    streaming["stream"] = json!(true);
    let (status, route, body) = cli.post("/v1/messages", streaming).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(route, ok_route);
    let names: Vec<String> = events(&body).into_iter().filter_map(|(e, _)| e).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    let text: String = events(&body)
        .iter()
        .filter_map(|(_, d)| serde_json::from_str::<Value>(d).ok())
        .filter_map(|v| v["delta"]["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(text, "cli says: from the messages api");

    // Every answer is recorded with the CLI's usage.
    let usage = cli
        .owner
        .call("AI_PROVIDER_USAGE", json!({"groupBy": "provider"}))
        .await
        .ok();
    let rows = usage["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{usage}");
    assert_eq!(rows[0]["group"], "claude-code");
    assert_eq!(rows[0]["requests"], 4);
    assert_eq!(rows[0]["inputTokens"], 4 * 3);
    assert_eq!(rows[0]["outputTokens"], 4 * 6);

    // The CLI cannot take the caller's tools (nor images): refused for this candidate, and
    // with no other candidate the request is the caller's error.
    std::fs::remove_file(cli.file("args")).unwrap();
    let (status, route, body) = cli
        .post(
            "/v1/chat/completions",
            json!({"model": MODEL, "messages": [{"role": "user", "content": "weather?"}],
                   "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(route, format!("{MODEL}@{}=unsupported", cli.key));
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"]["code"], "invalid_input");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot take tools"),
        "{error}"
    );
    assert!(!cli.file("args").exists(), "the CLI was not run");
    let workdirs: Vec<_> = std::fs::read_dir(cli.dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("aiproviders-claude-code-"))
        .collect();
    assert_eq!(workdirs.len(), 1, "one working directory for every run");

    // A CLI that overruns the time limit (2 s here) is cut off: a timeout, and the caller
    // gets `upstream_unavailable`.
    std::fs::write(cli.file("sleep"), "").unwrap();
    let started = Instant::now();
    let (status, route, body) = cli
        .post(
            "/v1/messages",
            json!({"model": MODEL, "max_tokens": 10, "messages": [{"role": "user", "content": "slow"}]}),
        )
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(status, 503, "{body}");
    assert_eq!(route, format!("{MODEL}@{}=timeout", cli.key));
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"]["type"], "overloaded_error");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did not answer within 2 s"),
        "{error}"
    );
    let usage = cli
        .owner
        .call("AI_PROVIDER_USAGE", json!({"groupBy": "provider"}))
        .await
        .ok();
    let rows = usage["rows"].as_array().unwrap();
    let cli_row = rows.iter().find(|r| r["group"] == "claude-code").unwrap();
    assert_eq!(cli_row["requests"], 5, "{usage}");
}

/// With `--include-partial-messages` the CLI's answer reaches the caller as it is written:
/// the first delta long before the run ends; a failure after it ends the stream with an
/// error event; and a second prompt beyond `AIPROVIDERS_CLAUDE_MAX_CONCURRENT` is refused at
/// once as rate limited.
#[tokio::test(flavor = "multi_thread")]
async fn streamed_claude_code_answers_arrive_as_the_cli_writes_them() {
    let cli = Cli::start_with(|o| o.env("AIPROVIDERS_CLAUDE_MAX_CONCURRENT", "1")).await;
    std::fs::write(cli.file("partial"), "").unwrap();
    std::fs::write(cli.file("slow"), "").unwrap();
    let ok_route = format!("{MODEL}@{}=ok", cli.key);
    let stream_request =
        |text: &str| {
            cli.http
            .post(format!("{}/v1/chat/completions", cli.app.base_url))
            .bearer_auth(&cli.org.owner)
            .json(&json!({"model": MODEL, "stream": true, "stream_options": {"include_usage": true},
                          "messages": [{"role": "user", "content": text}]}))
            .send()
        };

    let started = Instant::now();
    let mut response = stream_request("piece by piece").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-aiproviders-route"], ok_route.as_str());
    let mut body = String::new();
    let mut first_text_at = None;
    // Meanwhile the only CLI slot is taken: another prompt is refused, not queued.
    let (status, route, refused) = cli
        .post(
            "/v1/messages",
            json!({"model": MODEL, "max_tokens": 10, "messages": [{"role": "user", "content": "too many"}]}),
        )
        .await;
    assert_eq!(status, 429, "{refused}");
    assert_eq!(route, format!("{MODEL}@{}=rate_limited", cli.key));
    assert!(
        refused.contains("AIPROVIDERS_CLAUDE_MAX_CONCURRENT"),
        "{refused}"
    );
    while let Some(chunk) = response.chunk().await.unwrap() {
        body.push_str(std::str::from_utf8(&chunk).unwrap());
        if first_text_at.is_none() && body.contains("cli says: ") {
            first_text_at = Some(started.elapsed());
        }
    }
    let ended = started.elapsed();
    let first = first_text_at.expect("the first delta");
    assert!(
        ended >= first + Duration::from_millis(700),
        "the first delta came at {first:?}, the end at {ended:?}: not streamed"
    );
    let chunks: Vec<Value> = events(&body)
        .iter()
        .filter(|(_, data)| data != "[DONE]")
        .map(|(_, data)| serde_json::from_str(data).unwrap())
        .collect();
    let text: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, "cli says: piece by piece");
    assert_eq!(chunks[chunks.len() - 1]["usage"]["completion_tokens"], 6);
    assert!(body.trim_end().ends_with("data: [DONE]"), "{body}");
    let args = read(&cli.file("args"));
    assert!(
        args.lines().any(|a| a == "--include-partial-messages"),
        "{args}"
    );

    // A failure after the first delta: the caller has the start of the answer, then an
    // error event, and no [DONE]. (First the 1 s rest of the refused prompt's key ends.)
    tokio::time::sleep(Duration::from_millis(1100)).await;
    std::fs::write(cli.file("fail_mid"), "").unwrap();
    let response = stream_request("breaks").await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(body.contains("cli says: "), "{body}");
    assert!(body.contains("\"error\""), "{body}");
    assert!(!body.contains("[DONE]"), "{body}");
    // The slot was given back each time: a plain prompt runs.
    std::fs::remove_file(cli.file("fail_mid")).unwrap();
    std::fs::remove_file(cli.file("slow")).unwrap();
    let (status, _, body) = cli
        .post(
            "/v1/messages",
            json!({"model": MODEL, "max_tokens": 10, "messages": [{"role": "user", "content": "again"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}
