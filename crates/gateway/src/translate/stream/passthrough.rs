//! Same format both ways: the upstream's events, with the caller's id and model, usage and
//! finish reason noted on the way, the opening events held until there is content.

use serde_json::{Map, Value, json};

use super::decode::{AnthropicUsage, anthropic_event, parse};
use super::{SseEvent, State, anthropic_out, openai_out};
use crate::translate::anthropic::{ContentBlock, StreamEvent};
use crate::translate::openai::WireUsage;
use crate::translate::{FinishReason, TranslateError};

type Result<T> = std::result::Result<T, TranslateError>;

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[derive(Debug, Default)]
pub(crate) struct OpenAiPass {
    held: Vec<SseEvent>,
    flushed: bool,
    finish_sent: bool,
    role_sent: bool,
}

impl OpenAiPass {
    pub(crate) fn feed(
        &mut self,
        state: &mut State,
        data: &str,
        out: &mut Vec<SseEvent>,
    ) -> Result<()> {
        if data.trim() == "[DONE]" {
            return Ok(());
        }
        let mut chunk: Map<String, Value> = parse("OpenAI", data)?;
        if let Some(err) = chunk.get("error").filter(|e| !e.is_null()) {
            let message = err
                .get("message")
                .and_then(Value::as_str)
                .map_or_else(|| err.to_string(), str::to_owned);
            return Err(TranslateError::Upstream { message });
        }
        if let Some(usage) = chunk.remove("usage").filter(|u| !u.is_null()) {
            let usage: WireUsage =
                serde_json::from_value(usage).map_err(|e| TranslateError::InvalidUpstream {
                    format: "OpenAI",
                    reason: e.to_string(),
                })?;
            state.usage = usage.to_usage();
        }
        let choices = chunk
            .get("choices")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if choices.is_empty() {
            return Ok(());
        }
        let mut prelude = true;
        for choice in choices {
            if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
                state.finish = Some(FinishReason::from_openai(reason));
                self.finish_sent = true;
                prelude = false;
            }
            let Some(delta) = choice.get("delta").and_then(Value::as_object) else {
                continue;
            };
            self.role_sent |= delta.contains_key("role");
            state.saw_tool_calls |= delta.get("tool_calls").is_some_and(|c| !is_empty(c));
            prelude &= delta.iter().all(|(k, v)| k == "role" || is_empty(v));
        }
        chunk.insert("id".into(), state.opts.id.clone().into());
        chunk.insert("model".into(), state.opts.model.clone().into());
        chunk.insert("created".into(), state.opts.created.into());
        let event = SseEvent::data(Value::Object(chunk).to_string());
        if prelude && !self.flushed {
            self.held.push(event);
        } else {
            self.flush(out);
            out.push(event);
        }
        Ok(())
    }

    fn flush(&mut self, out: &mut Vec<SseEvent>) {
        self.flushed = true;
        out.append(&mut self.held);
    }

    pub(crate) fn finish(&mut self, state: &State, out: &mut Vec<SseEvent>) {
        self.flush(out);
        if !self.finish_sent {
            let delta = if self.role_sent {
                json!({})
            } else {
                json!({"role": "assistant"})
            };
            out.push(openai_out::chunk(
                state,
                delta,
                Some(state.finish_reason().as_openai()),
            ));
        }
        openai_out::close(state, out);
    }
}

#[derive(Debug, Default)]
pub(crate) struct AnthropicPass {
    usage: AnthropicUsage,
    held: Vec<SseEvent>,
    flushed: bool,
    started: bool,
    open: Vec<u32>,
    delta_sent: bool,
    stop_sent: bool,
}

impl AnthropicPass {
    pub(crate) fn feed(
        &mut self,
        state: &mut State,
        data: &str,
        out: &mut Vec<SseEvent>,
    ) -> Result<()> {
        let event = anthropic_event(data)?;
        let mut value: Value = parse("Anthropic", data)?;
        let (name, hold) = match &event {
            StreamEvent::MessageStart { message } => {
                if let Some(usage) = &message.usage {
                    state.usage = self.usage.merge(usage);
                }
                if let Some(m) = value.get_mut("message").and_then(Value::as_object_mut) {
                    m.insert("id".into(), state.opts.id.clone().into());
                    m.insert("model".into(), state.opts.model.clone().into());
                }
                self.started = true;
                ("message_start", true)
            }
            StreamEvent::ContentBlockStart {
                index,
                content_block,
            } => {
                self.open.push(*index);
                state.saw_tool_calls |= matches!(content_block, ContentBlock::ToolUse { .. });
                ("content_block_start", true)
            }
            StreamEvent::ContentBlockDelta { .. } => ("content_block_delta", false),
            StreamEvent::ContentBlockStop { index } => {
                self.open.retain(|i| i != index);
                ("content_block_stop", false)
            }
            StreamEvent::MessageDelta { delta, usage } => {
                if let Some(usage) = usage {
                    state.usage = self.usage.merge(usage);
                }
                if let Some(reason) = &delta.stop_reason {
                    state.finish = Some(FinishReason::from_anthropic(reason));
                }
                self.delta_sent = true;
                ("message_delta", false)
            }
            StreamEvent::MessageStop => {
                self.stop_sent = true;
                ("message_stop", false)
            }
            StreamEvent::Ping => ("ping", true),
            StreamEvent::Error { .. } | StreamEvent::Unknown => return Ok(()),
        };
        let event = SseEvent::named(name, value.to_string());
        if hold && !self.flushed {
            self.held.push(event);
        } else {
            self.flush(out);
            out.push(event);
        }
        Ok(())
    }

    fn flush(&mut self, out: &mut Vec<SseEvent>) {
        self.flushed = true;
        out.append(&mut self.held);
    }

    pub(crate) fn finish(&mut self, state: &State, out: &mut Vec<SseEvent>) {
        self.flush(out);
        if !self.started {
            out.push(anthropic_out::message_start(state));
        }
        for index in self.open.drain(..) {
            out.push(anthropic_out::block_stop(index));
        }
        anthropic_out::message_end(state, !self.delta_sent, !self.stop_sent, out);
    }
}
