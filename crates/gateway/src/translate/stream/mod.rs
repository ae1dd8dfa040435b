//! Streaming: one [`StreamTranslator`] per streamed answer turns the upstream's SSE events
//! into the caller's.
//!
//! The gateway parses the upstream SSE (event name + `data`), feeds each event to
//! [`StreamTranslator::feed`] and writes what comes back; when the upstream ends it writes
//! what [`StreamTranslator::finish`] returns. An `Err` from `feed` is an upstream failure:
//! before [`StreamTranslator::has_emitted`] the gateway may still fail over to another key;
//! after it, it ends the answer with [`StreamTranslator::error_event`].
//!
//! Translation decisions:
//! - Same format both ways (OpenAI → OpenAI, Anthropic → Anthropic) passes the upstream
//!   events through, with the caller's `id` and `model` (and `created`) written over the
//!   upstream's. OpenAI: `usage` is taken out of every chunk and the usage-only chunk is
//!   dropped (the caller gets one at the end if it asked); `[DONE]` is held for `finish`.
//!   Anthropic: event types this module does not know are dropped.
//! - Across formats the events go through neutral deltas (text, tool-call start, tool-call
//!   argument fragment, finish reason, usage); thinking/reasoning deltas are dropped.
//!   OpenAI chunks to an Anthropic caller become one content block per text run and per
//!   tool call; tool-call ids are the upstream's, or fresh ones where it gave none (always
//!   for Gemini).
//! - Nothing is sent before there is something to say: the opening events (OpenAI role
//!   chunk, Anthropic `message_start`, `content_block_start`, `ping`) are held until the
//!   first content delta (or `finish`), so that a failure right after the upstream's
//!   opening can still fail over.
//! - Without an upstream finish reason the answer ends as `ToolCalls` if it made tool
//!   calls, `Stop` otherwise. Anthropic callers get the usage in `message_start` (as known
//!   then; 0 when the upstream reports it only at the end) and in the final
//!   `message_delta`.
//! - An answer that only comes whole ([`render_stream`]) becomes the same events at once.

mod anthropic_out;
mod decode;
mod openai_out;
mod passthrough;
mod whole;

use super::{FinishReason, TranslateError, Usage, anthropic, openai};

pub use whole::render_stream;

/// The format of the upstream's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamFormat {
    /// Chat Completions chunks (`data: {...}` … `data: [DONE]`).
    OpenAi,
    /// Messages events (`event: <type>` + `data: {...}`).
    Anthropic,
    /// `streamGenerateContent?alt=sse` (`data: <GenerateContentResponse>`).
    Gemini,
}

/// The format the caller speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerFormat {
    OpenAi,
    Anthropic,
}

impl CallerFormat {
    /// The event that ends a stream after a mid-stream failure: OpenAI
    /// `data: {"error":{"message","type":"upstream_error"}}`; Anthropic `event: error` with
    /// `{"type":"error","error":{"type":"api_error","message"}}`.
    pub fn error_event(self, message: &str) -> SseEvent {
        match self {
            Self::OpenAi => SseEvent::data(openai::error_chunk(message).to_string()),
            Self::Anthropic => {
                SseEvent::named("error", anthropic::error_event(message).to_string())
            }
        }
    }
}

/// One SSE event for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` line, if any.
    pub event: Option<&'static str>,
    /// The `data:` payload (one line of JSON, or `[DONE]`).
    pub data: String,
}

impl SseEvent {
    pub fn data(data: impl Into<String>) -> Self {
        Self {
            event: None,
            data: data.into(),
        }
    }

    pub fn named(event: &'static str, data: impl Into<String>) -> Self {
        Self {
            event: Some(event),
            data: data.into(),
        }
    }

    /// The event as written on the wire, blank line included.
    pub fn to_wire(&self) -> String {
        match self.event {
            Some(event) => format!("event: {event}\ndata: {}\n\n", self.data),
            None => format!("data: {}\n\n", self.data),
        }
    }
}

/// What the caller's stream is made of, chosen by the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamOptions {
    /// The response id the caller sees (`chatcmpl-…` / `msg_…`).
    pub id: String,
    /// The model string the caller asked for.
    pub model: String,
    /// Unix seconds (OpenAI `created`).
    pub created: u64,
    /// OpenAI `stream_options.include_usage`: end with a usage chunk.
    pub include_usage: bool,
}

/// What [`StreamTranslator::finish`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEnd {
    /// The closing events for the caller.
    pub events: Vec<SseEvent>,
    /// The usage the upstream reported (zeros where it reported nothing).
    pub usage: Usage,
    pub finish_reason: FinishReason,
}

/// What the translators share: the caller's identity of the answer and what is known of it.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) opts: StreamOptions,
    pub(crate) usage: Usage,
    pub(crate) finish: Option<FinishReason>,
    pub(crate) saw_tool_calls: bool,
}

impl State {
    pub(crate) fn finish_reason(&self) -> FinishReason {
        match &self.finish {
            Some(reason) => reason.clone(),
            None if self.saw_tool_calls => FinishReason::ToolCalls,
            None => FinishReason::Stop,
        }
    }
}

/// A neutral piece of a streamed answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Delta {
    Text(String),
    /// A tool call begins; `key` identifies it among the upstream's calls.
    ToolStart {
        key: u32,
        id: String,
        name: String,
    },
    /// A fragment of a tool call's JSON arguments.
    ToolArgs {
        key: u32,
        json: String,
    },
    Finish(FinishReason),
    /// The usage so far (absolute, replaces what was known).
    Usage(Usage),
}

#[derive(Debug)]
enum Mode {
    OpenAiPass(passthrough::OpenAiPass),
    AnthropicPass(passthrough::AnthropicPass),
    Cross {
        decoder: decode::Decoder,
        encoder: Encoder,
    },
}

#[derive(Debug)]
enum Encoder {
    OpenAi(openai_out::OpenAiEncoder),
    Anthropic(anthropic_out::AnthropicEncoder),
}

/// Translates one upstream stream into the caller's format (see the module docs).
#[derive(Debug)]
pub struct StreamTranslator {
    caller: CallerFormat,
    mode: Mode,
    state: State,
    emitted: bool,
    finished: bool,
}

impl StreamTranslator {
    pub fn new(upstream: UpstreamFormat, caller: CallerFormat, opts: StreamOptions) -> Self {
        let mode = match (upstream, caller) {
            (UpstreamFormat::OpenAi, CallerFormat::OpenAi) => Mode::OpenAiPass(Default::default()),
            (UpstreamFormat::Anthropic, CallerFormat::Anthropic) => {
                Mode::AnthropicPass(Default::default())
            }
            (upstream, caller) => Mode::Cross {
                decoder: decode::Decoder::new(upstream),
                encoder: match caller {
                    CallerFormat::OpenAi => Encoder::OpenAi(Default::default()),
                    CallerFormat::Anthropic => Encoder::Anthropic(Default::default()),
                },
            },
        };
        let state = State {
            opts,
            usage: Usage::default(),
            finish: None,
            saw_tool_calls: false,
        };
        Self {
            caller,
            mode,
            state,
            emitted: false,
            finished: false,
        }
    }

    /// Feeds one upstream SSE event (`event` is its `event:` name, if any; `data` its
    /// payload) and returns the caller's events. `Err` means the upstream failed (an error
    /// event, or data that is not the format's JSON).
    pub fn feed(
        &mut self,
        event: Option<&str>,
        data: &str,
    ) -> Result<Vec<SseEvent>, TranslateError> {
        let _ = event; // every format names the event inside `data` (or has no names)
        let mut out = Vec::new();
        if self.finished || data.trim().is_empty() {
            return Ok(out);
        }
        let state = &mut self.state;
        match &mut self.mode {
            Mode::OpenAiPass(pass) => pass.feed(state, data, &mut out)?,
            Mode::AnthropicPass(pass) => pass.feed(state, data, &mut out)?,
            Mode::Cross { decoder, encoder } => {
                let mut deltas = Vec::new();
                decoder.decode(data, &mut deltas)?;
                for delta in deltas {
                    match delta {
                        Delta::Finish(reason) => state.finish = Some(reason),
                        Delta::Usage(usage) => state.usage = usage,
                        delta => {
                            if matches!(delta, Delta::ToolStart { .. }) {
                                state.saw_tool_calls = true;
                            }
                            match encoder {
                                Encoder::OpenAi(e) => e.encode(state, delta, &mut out),
                                Encoder::Anthropic(e) => e.encode(state, delta, &mut out),
                            }
                        }
                    }
                }
            }
        }
        self.emitted |= !out.is_empty();
        Ok(out)
    }

    /// Ends the stream: the closing events (nothing more after a first call), the usage and
    /// the finish reason.
    pub fn finish(&mut self) -> StreamEnd {
        let mut events = Vec::new();
        if !self.finished {
            self.finished = true;
            let state = &self.state;
            match &mut self.mode {
                Mode::OpenAiPass(pass) => pass.finish(state, &mut events),
                Mode::AnthropicPass(pass) => pass.finish(state, &mut events),
                Mode::Cross {
                    encoder: Encoder::OpenAi(e),
                    ..
                } => e.finish(state, &mut events),
                Mode::Cross {
                    encoder: Encoder::Anthropic(e),
                    ..
                } => e.finish(state, &mut events),
            }
        }
        self.emitted |= !events.is_empty();
        StreamEnd {
            events,
            usage: self.state.usage,
            finish_reason: self.state.finish_reason(),
        }
    }

    /// Whether any event has been returned for the caller (after which failing over is no
    /// longer possible).
    pub fn has_emitted(&self) -> bool {
        self.emitted
    }

    /// The usage reported so far.
    pub fn usage(&self) -> Usage {
        self.state.usage
    }

    /// The caller's event for a mid-stream failure (see [`CallerFormat::error_event`]).
    pub fn error_event(&self, message: &str) -> SseEvent {
        self.caller.error_event(message)
    }
}
