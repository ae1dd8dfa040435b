//! Upstream stream events → neutral [`Delta`]s (for translations across formats).

use serde::de::DeserializeOwned;

use super::{Delta, UpstreamFormat};
use crate::translate::anthropic::{self, BlockDelta, ContentBlock, StreamEvent};
use crate::translate::gemini::GenerateContentResponse;
use crate::translate::ir::new_tool_call_id;
use crate::translate::openai::ChatCompletionChunk;
use crate::translate::{FinishReason, TranslateError, Usage};

type Result<T> = std::result::Result<T, TranslateError>;

pub(crate) fn parse<T: DeserializeOwned>(format: &'static str, data: &str) -> Result<T> {
    serde_json::from_str(data).map_err(|e| TranslateError::InvalidUpstream {
        format,
        reason: e.to_string(),
    })
}

#[derive(Debug)]
pub(crate) enum Decoder {
    OpenAi(OpenAiDecoder),
    Anthropic(AnthropicUsage),
    Gemini { calls: u32 },
}

impl Decoder {
    pub(crate) fn new(format: UpstreamFormat) -> Self {
        match format {
            UpstreamFormat::OpenAi => Self::OpenAi(OpenAiDecoder::default()),
            UpstreamFormat::Anthropic => Self::Anthropic(AnthropicUsage::default()),
            UpstreamFormat::Gemini => Self::Gemini { calls: 0 },
        }
    }

    pub(crate) fn decode(&mut self, data: &str, out: &mut Vec<Delta>) -> Result<()> {
        match self {
            Self::OpenAi(d) => d.decode(data, out),
            Self::Anthropic(usage) => decode_anthropic(usage, data, out),
            Self::Gemini { calls } => decode_gemini(calls, data, out),
        }
    }
}

/// Remembers which tool calls (by `index`) have begun.
#[derive(Debug, Default)]
pub(crate) struct OpenAiDecoder {
    started: Vec<u32>,
}

impl OpenAiDecoder {
    fn decode(&mut self, data: &str, out: &mut Vec<Delta>) -> Result<()> {
        if data.trim() == "[DONE]" {
            return Ok(());
        }
        let chunk: ChatCompletionChunk = parse("OpenAI", data)?;
        if let Some(err) = &chunk.error {
            return Err(TranslateError::Upstream {
                message: err.message(),
            });
        }
        if let Some(usage) = &chunk.usage {
            out.push(Delta::Usage(usage.to_usage()));
        }
        // Only the first choice (the gateway never asks for more).
        let Some(choice) = chunk.choices.into_iter().find(|c| c.index == 0) else {
            return Ok(());
        };
        if let Some(text) = choice.delta.content.filter(|t| !t.is_empty()) {
            out.push(Delta::Text(text));
        }
        for (i, call) in choice.delta.tool_calls.iter().enumerate() {
            let key = call.index.unwrap_or(i as u32);
            if !self.started.contains(&key) {
                self.started.push(key);
                out.push(Delta::ToolStart {
                    key,
                    id: call.id.clone().unwrap_or_else(new_tool_call_id),
                    name: call.function.name.clone().unwrap_or_default(),
                });
            }
            let json = call.function.arguments_string();
            if !json.is_empty() {
                out.push(Delta::ToolArgs { key, json });
            }
        }
        if let Some(reason) = choice.finish_reason {
            out.push(Delta::Finish(FinishReason::from_openai(&reason)));
        }
        Ok(())
    }
}

/// Anthropic reports usage in pieces (`message_start`, then `message_delta`); the latest
/// value of each count wins.
#[derive(Debug, Default)]
pub(crate) struct AnthropicUsage(anthropic::WireUsage);

impl AnthropicUsage {
    pub(crate) fn merge(&mut self, update: &anthropic::WireUsage) -> Usage {
        let u = &mut self.0;
        u.input_tokens = update.input_tokens.or(u.input_tokens);
        u.output_tokens = update.output_tokens.or(u.output_tokens);
        u.cache_read_input_tokens = update.cache_read_input_tokens.or(u.cache_read_input_tokens);
        u.cache_creation_input_tokens = update
            .cache_creation_input_tokens
            .or(u.cache_creation_input_tokens);
        u.to_usage()
    }
}

/// Parses an Anthropic event; an `error` event is the upstream's failure.
pub(crate) fn anthropic_event(data: &str) -> Result<StreamEvent> {
    let event: StreamEvent = parse("Anthropic", data)?;
    if let StreamEvent::Error { error } = &event {
        return Err(TranslateError::Upstream {
            message: error.message(),
        });
    }
    Ok(event)
}

fn decode_anthropic(usage: &mut AnthropicUsage, data: &str, out: &mut Vec<Delta>) -> Result<()> {
    match anthropic_event(data)? {
        StreamEvent::MessageStart { message } => {
            if let Some(u) = &message.usage {
                out.push(Delta::Usage(usage.merge(u)));
            }
        }
        StreamEvent::ContentBlockStart {
            index,
            content_block,
        } => match content_block {
            ContentBlock::Text { text } if !text.is_empty() => out.push(Delta::Text(text)),
            ContentBlock::ToolUse { id, name, input } => {
                out.push(Delta::ToolStart {
                    key: index,
                    id,
                    name,
                });
                if input.as_object().is_some_and(|o| !o.is_empty()) {
                    out.push(Delta::ToolArgs {
                        key: index,
                        json: input.to_string(),
                    });
                }
            }
            _ => {}
        },
        StreamEvent::ContentBlockDelta { index, delta } => match delta {
            BlockDelta::TextDelta { text } if !text.is_empty() => out.push(Delta::Text(text)),
            BlockDelta::InputJsonDelta { partial_json } if !partial_json.is_empty() => {
                out.push(Delta::ToolArgs {
                    key: index,
                    json: partial_json,
                });
            }
            _ => {}
        },
        StreamEvent::MessageDelta {
            delta,
            usage: update,
        } => {
            if let Some(u) = &update {
                out.push(Delta::Usage(usage.merge(u)));
            }
            if let Some(reason) = delta.stop_reason {
                out.push(Delta::Finish(FinishReason::from_anthropic(&reason)));
            }
        }
        _ => {}
    }
    Ok(())
}

fn decode_gemini(calls: &mut u32, data: &str, out: &mut Vec<Delta>) -> Result<()> {
    let resp: GenerateContentResponse = parse("Gemini", data)?;
    if let Some(err) = &resp.error {
        return Err(TranslateError::Upstream {
            message: err.message(),
        });
    }
    if let Some(usage) = &resp.usage_metadata {
        out.push(Delta::Usage(usage.to_usage()));
    }
    let (text, tool_calls) = resp.content();
    if !text.is_empty() {
        out.push(Delta::Text(text));
    }
    for call in tool_calls {
        let key = *calls;
        *calls += 1;
        out.push(Delta::ToolStart {
            key,
            id: call.id,
            name: call.name,
        });
        out.push(Delta::ToolArgs {
            key,
            json: call.arguments,
        });
    }
    if let Some(reason) = resp.finish_reason(*calls > 0) {
        out.push(Delta::Finish(reason));
    }
    Ok(())
}
