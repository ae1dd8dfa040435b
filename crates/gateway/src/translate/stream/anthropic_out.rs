//! Neutral deltas → Messages stream events for an Anthropic caller.

use serde_json::{Value, json};

use super::{Delta, SseEvent, State};
use crate::translate::anthropic::usage_json;

#[derive(Debug, Default)]
pub(crate) struct AnthropicEncoder {
    started: bool,
    next_block: u32,
    /// The open content block: its index and whether it is text.
    open: Option<(u32, bool)>,
    /// Upstream tool-call key → content block index.
    tools: Vec<(u32, u32)>,
}

pub(crate) fn event(name: &'static str, data: Value) -> SseEvent {
    SseEvent::named(name, data.to_string())
}

/// `message_start` with the caller's id and model and the usage known so far.
pub(crate) fn message_start(state: &State) -> SseEvent {
    let mut usage = usage_json(&state.usage);
    usage["output_tokens"] = 0.into();
    event(
        "message_start",
        json!({
            "type": "message_start",
            "message": {
                "id": state.opts.id,
                "type": "message",
                "role": "assistant",
                "model": state.opts.model,
                "content": [],
                "stop_reason": null,
                "stop_sequence": null,
                "usage": usage,
            },
        }),
    )
}

/// `message_delta` (finish reason, usage) and `message_stop`.
pub(crate) fn message_end(state: &State, delta: bool, stop: bool, out: &mut Vec<SseEvent>) {
    if delta {
        out.push(event(
            "message_delta",
            json!({
                "type": "message_delta",
                "delta": {"stop_reason": state.finish_reason().as_anthropic(), "stop_sequence": null},
                "usage": usage_json(&state.usage),
            }),
        ));
    }
    if stop {
        out.push(event("message_stop", json!({"type": "message_stop"})));
    }
}

pub(crate) fn block_stop(index: u32) -> SseEvent {
    event(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": index}),
    )
}

impl AnthropicEncoder {
    fn start(&mut self, state: &State, out: &mut Vec<SseEvent>) {
        if !self.started {
            self.started = true;
            out.push(message_start(state));
        }
    }

    fn close_block(&mut self, out: &mut Vec<SseEvent>) {
        if let Some((index, _)) = self.open.take() {
            out.push(block_stop(index));
        }
    }

    fn open_block(&mut self, block: Value, is_text: bool, out: &mut Vec<SseEvent>) -> u32 {
        self.close_block(out);
        let index = self.next_block;
        self.next_block += 1;
        self.open = Some((index, is_text));
        out.push(event(
            "content_block_start",
            json!({"type": "content_block_start", "index": index, "content_block": block}),
        ));
        index
    }

    pub(crate) fn encode(&mut self, state: &State, delta: Delta, out: &mut Vec<SseEvent>) {
        match delta {
            Delta::Text(text) => {
                self.start(state, out);
                let index = match self.open {
                    Some((index, true)) => index,
                    _ => self.open_block(json!({"type": "text", "text": ""}), true, out),
                };
                out.push(delta_event(
                    index,
                    json!({"type": "text_delta", "text": text}),
                ));
            }
            Delta::ToolStart { key, id, name } => {
                self.start(state, out);
                let block = json!({"type": "tool_use", "id": id, "name": name, "input": {}});
                let index = self.open_block(block, false, out);
                self.tools.push((key, index));
            }
            Delta::ToolArgs { key, json } => {
                // Fragments of an earlier call (interleaved parallel calls, which compatible
                // upstreams do not send in practice) still go to that call's block.
                let Some(&(_, index)) = self.tools.iter().find(|(k, _)| *k == key) else {
                    return;
                };
                out.push(delta_event(
                    index,
                    json!({"type": "input_json_delta", "partial_json": json}),
                ));
            }
            Delta::Finish(_) | Delta::Usage(_) => {}
        }
    }

    pub(crate) fn finish(&mut self, state: &State, out: &mut Vec<SseEvent>) {
        self.start(state, out);
        self.close_block(out);
        message_end(state, true, true, out);
    }
}

fn delta_event(index: u32, delta: Value) -> SseEvent {
    event(
        "content_block_delta",
        json!({"type": "content_block_delta", "index": index, "delta": delta}),
    )
}
