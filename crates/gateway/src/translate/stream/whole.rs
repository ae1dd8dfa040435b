//! A complete answer ([`ChatResponse`]) as the caller's stream, for upstreams that only
//! answer whole (the Claude Code CLI): the same events a streamed answer ends up as, all at
//! once.
//!
//! - OpenAI: a role chunk (`{"role":"assistant","content":""}`), one content chunk (left out
//!   when the text is empty), one chunk per tool call (whole: id, name and arguments), the
//!   finish chunk, the usage chunk when the caller asked for it, `[DONE]`.
//! - Anthropic: `message_start` (usage with the input tokens), one text block (left out when
//!   the text is empty) and one `tool_use` block per tool call (its arguments in one
//!   `input_json_delta`), each `content_block_start` / `_delta` / `_stop`, then
//!   `message_delta` (stop reason, usage) and `message_stop`.

use serde_json::json;

use super::{CallerFormat, SseEvent, State, StreamOptions, anthropic_out, openai_out};
use crate::translate::ChatResponse;

/// Every event of `response` as a stream in the caller's format (see the module docs).
pub fn render_stream(
    response: &ChatResponse,
    caller: CallerFormat,
    opts: StreamOptions,
) -> Vec<SseEvent> {
    let state = State {
        opts,
        usage: response.usage,
        finish: Some(response.finish_reason.clone()),
        saw_tool_calls: !response.tool_calls.is_empty(),
    };
    let mut out = Vec::new();
    match caller {
        CallerFormat::OpenAi => openai(response, &state, &mut out),
        CallerFormat::Anthropic => anthropic(response, &state, &mut out),
    }
    out
}

fn openai(response: &ChatResponse, state: &State, out: &mut Vec<SseEvent>) {
    out.push(openai_out::chunk(
        state,
        json!({"role": "assistant", "content": ""}),
        None,
    ));
    if !response.text.is_empty() {
        out.push(openai_out::chunk(
            state,
            json!({"content": response.text}),
            None,
        ));
    }
    for (index, call) in response.tool_calls.iter().enumerate() {
        out.push(openai_out::chunk(
            state,
            json!({"tool_calls": [{
                "index": index,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }]}),
            None,
        ));
    }
    out.push(openai_out::chunk(
        state,
        json!({}),
        Some(state.finish_reason().as_openai()),
    ));
    openai_out::close(state, out);
}

fn anthropic(response: &ChatResponse, state: &State, out: &mut Vec<SseEvent>) {
    out.push(anthropic_out::message_start(state));
    let mut index = 0u32;
    let mut block = |start: serde_json::Value, delta: serde_json::Value| {
        out.push(anthropic_out::event(
            "content_block_start",
            json!({"type": "content_block_start", "index": index, "content_block": start}),
        ));
        out.push(anthropic_out::event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": index, "delta": delta}),
        ));
        out.push(anthropic_out::block_stop(index));
        index += 1;
    };
    if !response.text.is_empty() {
        block(
            json!({"type": "text", "text": ""}),
            json!({"type": "text_delta", "text": response.text}),
        );
    }
    for call in &response.tool_calls {
        block(
            json!({"type": "tool_use", "id": call.id, "name": call.name, "input": {}}),
            json!({"type": "input_json_delta", "partial_json": call.arguments}),
        );
    }
    anthropic_out::message_end(state, true, true, out);
}
