//! Neutral deltas → `chat.completion.chunk`s for an OpenAI caller.

use serde_json::{Map, Value, json};

use super::{Delta, SseEvent, State};
use crate::translate::openai::usage_json;

#[derive(Debug, Default)]
pub(crate) struct OpenAiEncoder {
    /// Whether the role has been sent (it goes with the first chunk).
    started: bool,
    /// Upstream tool-call keys, in the order the caller sees them (its `index`).
    tools: Vec<u32>,
}

/// A chunk of the caller's stream.
pub(crate) fn chunk(state: &State, delta: Value, finish_reason: Option<&str>) -> SseEvent {
    SseEvent::data(
        json!({
            "id": state.opts.id,
            "object": "chat.completion.chunk",
            "created": state.opts.created,
            "model": state.opts.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        })
        .to_string(),
    )
}

/// The closing chunks after the finish chunk: usage (when asked for) and `[DONE]`.
pub(crate) fn close(state: &State, out: &mut Vec<SseEvent>) {
    if state.opts.include_usage {
        out.push(SseEvent::data(
            json!({
                "id": state.opts.id,
                "object": "chat.completion.chunk",
                "created": state.opts.created,
                "model": state.opts.model,
                "choices": [],
                "usage": usage_json(&state.usage),
            })
            .to_string(),
        ));
    }
    out.push(SseEvent::data("[DONE]"));
}

impl OpenAiEncoder {
    fn delta(&mut self, mut fields: Map<String, Value>) -> Value {
        if !self.started {
            self.started = true;
            fields.insert("role".into(), "assistant".into());
        }
        Value::Object(fields)
    }

    pub(crate) fn encode(&mut self, state: &State, delta: Delta, out: &mut Vec<SseEvent>) {
        let mut fields = Map::new();
        match delta {
            Delta::Text(text) => {
                fields.insert("content".into(), text.into());
            }
            Delta::ToolStart { key, id, name } => {
                let index = self.tools.len();
                self.tools.push(key);
                fields.insert(
                    "tool_calls".into(),
                    json!([{
                        "index": index,
                        "id": id,
                        "type": "function",
                        "function": {"name": name, "arguments": ""},
                    }]),
                );
            }
            Delta::ToolArgs { key, json } => {
                let Some(index) = self.tools.iter().position(|k| *k == key) else {
                    return;
                };
                fields.insert(
                    "tool_calls".into(),
                    json!([{"index": index, "function": {"arguments": json}}]),
                );
            }
            Delta::Finish(_) | Delta::Usage(_) => return,
        }
        let delta = self.delta(fields);
        out.push(chunk(state, delta, None));
    }

    pub(crate) fn finish(&mut self, state: &State, out: &mut Vec<SseEvent>) {
        let delta = self.delta(Map::new());
        out.push(chunk(state, delta, Some(state.finish_reason().as_openai())));
        close(state, out);
    }
}
