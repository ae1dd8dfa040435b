//! A streamed gateway prompt through the local Claude Code CLI: the same run as
//! `claude_run` plus `--include-partial-messages`, whose `stream_event` lines carry the
//! model's raw Anthropic stream events. They are passed on as Anthropic SSE as they come, so
//! the gateway streams the CLI's answer with the same translator and the same failover rule
//! as an HTTP upstream: until its first event reaches the caller, a failure (the CLI not
//! logged in, a timeout, an error result) moves on to the next candidate; after it, the
//! stream ends with an error event.
//!
//! A task drives the run (`claude_run::drive`, the same loop as for whole answers: prompt
//! on stdin, lines read and parsed, events sent as they come, the time limit) and at the end
//! sends the run's failure if it failed (a success needs nothing more: the events ended with
//! `message_stop`). A run that succeeds without printing any stream event (a CLI that
//! ignores the flag) has its whole answer sent as one Anthropic event sequence. The process
//! is killed when the run overruns its time limit or the caller goes away (the receiver is
//! dropped).

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use serde_json::json;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

use crate::chat::{ChatAnswer, ChatFailure};
use crate::claude_cli::ClaudeCli;
use crate::claude_run::{CliRun, Stopped, drive};

/// Pieces in flight between the CLI's task and the gateway.
const BUFFER: usize = 64;

/// One SSE event on the wire.
pub(crate) fn sse(name: &str, data: &str) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

/// A whole answer as the Anthropic stream events of one message.
pub(crate) fn whole_answer_events(run: &CliRun) -> Bytes {
    let uncached = run.input_tokens.saturating_sub(run.cached_input_tokens);
    let events = [
        (
            "message_start",
            json!({"type": "message_start", "message": {
                "id": "msg_claude_code", "type": "message", "role": "assistant",
                "model": run.model.as_deref().unwrap_or("claude-code"), "content": [],
                "stop_reason": null, "stop_sequence": null,
                "usage": {"input_tokens": uncached, "cache_read_input_tokens": run.cached_input_tokens,
                          "cache_creation_input_tokens": 0, "output_tokens": 0}}}),
        ),
        (
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ),
        (
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": run.text}}),
        ),
        (
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        ),
        (
            "message_delta",
            json!({"type": "message_delta",
                "delta": {"stop_reason": run.stop_reason.as_deref().unwrap_or("end_turn"), "stop_sequence": null},
                "usage": {"output_tokens": run.output_tokens}}),
        ),
        ("message_stop", json!({"type": "message_stop"})),
    ];
    let mut out = Vec::new();
    for (name, data) in events {
        out.extend_from_slice(&sse(name, &data.to_string()));
    }
    Bytes::from(out)
}

impl ClaudeCli {
    /// Starts `prompt` streaming (see the module docs); `permit` is one of the CLI's
    /// concurrency slots, held until the process is gone.
    pub(crate) fn stream_prompt(
        &self,
        model_alias: &str,
        system: Option<&str>,
        prompt: String,
        timeout: Duration,
        workdir: &Path,
        permit: OwnedSemaphorePermit,
    ) -> Result<ChatAnswer, ChatFailure> {
        let started = self.start(model_alias, system, workdir, true)?;
        let (sender, receiver) = mpsc::channel(BUFFER);
        tokio::spawn(async move {
            let ended = drive(started, &prompt, timeout, Some(&sender)).await;
            // The process is gone: its slot is free before the caller can see the end of
            // the answer.
            drop(permit);
            let end = match ended {
                Err(Stopped::Gone) => return,
                Err(Stopped::Failed(failure)) => Err(failure),
                Ok(ended) => match ended.stream.outcome(Some(ended.status)) {
                    // The events ended with `message_stop`: nothing more to say.
                    Ok(_) if ended.sent_events => return,
                    Ok(run) => Ok(whole_answer_events(&run)),
                    Err(failure) => Err(failure),
                },
            };
            let _ = sender.send(end).await;
        });
        Ok(ChatAnswer::from_channel(receiver))
    }
}
