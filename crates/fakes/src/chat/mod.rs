//! The inference endpoints: a deterministic "model" shared by the three API shapes
//! ([`anthropic`] Messages, [`gemini`] generateContent, [`openai`] Chat Completions).
//!
//! Rules, in this order of precedence (see [`answer`]):
//! 1. the last user turn carries a tool result → text `"tool said: <its content>"`;
//! 2. the request declares tools and the last user text contains `weather` (any case) → a
//!    call of the first tool with arguments `{"city":"Paris"}`;
//! 3. any message carries an image → text `"I see an image (<media type or URL>)"`;
//! 4. otherwise → text `"echo: <text of the last user message>"`.
//!
//! A text answer is cut before the first stop sequence it contains (reason: stop sequence),
//! then to `max_tokens × 4` characters if longer than `max_tokens` tokens (reason: max tokens).
//! Tokens are characters / 4, at least 1: input counts every text of the request (system
//! prompt, messages, tool results), output the answer text or the tool arguments JSON.

pub(crate) mod anthropic;
pub(crate) mod gemini;
pub(crate) mod openai;

use axum::body::Bytes;
use serde_json::Value;

/// The arguments of every tool call.
pub(crate) const TOOL_ARGS: &str = r#"{"city":"Paris"}"#;
/// Characters per streamed text piece.
const PIECE: usize = 8;

/// What the fake model reads from a request.
#[derive(Default)]
pub(crate) struct Prompt {
    /// The text of the last user message (its text parts joined with `\n`).
    pub text: String,
    /// The content of a tool result in the last user turn.
    pub tool_result: Option<String>,
    /// The media type (or URL) of the first image anywhere in the messages.
    pub image: Option<String>,
    /// Characters of every text in the request.
    pub chars: usize,
    /// The first declared tool's name.
    pub tool: Option<String>,
    pub stop: Vec<String>,
    pub max_tokens: Option<u64>,
}

impl Prompt {
    /// Counts `text` toward the input.
    pub fn count(&mut self, text: &str) {
        self.chars += text.chars().count();
    }

    /// Remembers the first image.
    pub fn saw_image(&mut self, what: &str) {
        if self.image.is_none() {
            self.image = Some(what.to_owned());
        }
    }
}

pub(crate) enum Output {
    Text(String),
    /// A call of this tool with [`TOOL_ARGS`].
    Tool(String),
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Finish {
    End,
    MaxTokens,
    StopSequence(String),
    ToolUse,
}

pub(crate) struct Answer {
    pub output: Output,
    pub finish: Finish,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl Answer {
    pub fn usage(&self) -> (u64, u64) {
        (self.input_tokens, self.output_tokens)
    }
}

/// Characters / 4, at least 1.
pub(crate) fn tokens(chars: usize) -> u64 {
    (chars / 4).max(1) as u64
}

pub(crate) fn answer(p: &Prompt) -> Answer {
    let input_tokens = tokens(p.chars);
    if let (None, Some(tool)) = (&p.tool_result, &p.tool)
        && p.text.to_ascii_lowercase().contains("weather")
    {
        return Answer {
            output: Output::Tool(tool.clone()),
            finish: Finish::ToolUse,
            input_tokens,
            output_tokens: tokens(TOOL_ARGS.len()),
        };
    }
    let mut text = match (&p.tool_result, &p.image) {
        (Some(result), _) => format!("tool said: {result}"),
        (None, Some(image)) => format!("I see an image ({image})"),
        (None, None) => format!("echo: {}", p.text),
    };
    let mut finish = Finish::End;
    let first_stop = p
        .stop
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(s.as_str()).map(|at| (at, s)))
        .min_by_key(|(at, _)| *at);
    if let Some((at, stop)) = first_stop {
        text.truncate(at);
        finish = Finish::StopSequence(stop.clone());
    }
    let mut chars = text.chars().count();
    if let Some(max) = p.max_tokens
        && tokens(chars) > max
    {
        let keep = usize::try_from(max.saturating_mul(4)).unwrap_or(usize::MAX);
        if let Some((at, _)) = text.char_indices().nth(keep) {
            text.truncate(at);
        }
        chars = chars.min(keep);
        finish = Finish::MaxTokens;
    }
    Answer {
        output: Output::Text(text),
        finish,
        input_tokens,
        output_tokens: tokens(chars),
    }
}

/// `s` in pieces of a few characters (none for an empty `s`).
pub(crate) fn pieces(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let at = rest
            .char_indices()
            .nth(PIECE)
            .map_or(rest.len(), |(i, _)| i);
        let (piece, tail) = rest.split_at(at);
        rest = tail;
        Some(piece)
    })
}

/// The text of a tool result's content: a string, text blocks/parts (joined with `\n`), or
/// any other JSON as compact JSON.
pub(crate) fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => join_texts(parts),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The `text` of every part that has one, joined with `\n`.
pub(crate) fn join_texts(parts: &[Value]) -> String {
    let texts: Vec<&str> = parts.iter().filter_map(|p| p["text"].as_str()).collect();
    texts.join("\n")
}

/// `stop`/`stop_sequences`/`stopSequences`: a string or an array of strings.
pub(crate) fn stop_sequences(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// `event: <name>\ndata: <json>\n\n` (Anthropic).
pub(crate) fn named_event(name: &str, data: &Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

/// `data: <data>` + `end` (OpenAI: `\n\n`, Gemini: `\r\n\r\n`).
pub(crate) fn data_event(data: impl std::fmt::Display, end: &str) -> Bytes {
    Bytes::from(format!("data: {data}{end}"))
}

/// `data:image/png;base64,…` → `image/png`; any other URL as is.
pub(crate) fn image_label(url: &str) -> &str {
    url.strip_prefix("data:")
        .and_then(|rest| rest.split([';', ',']).next())
        .filter(|t| !t.is_empty())
        .unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(text: &str) -> Prompt {
        let mut p = Prompt {
            text: text.into(),
            ..Prompt::default()
        };
        p.count(text);
        p
    }

    #[test]
    fn rules() {
        let a = answer(&prompt("hello there"));
        assert!(matches!(&a.output, Output::Text(t) if t == "echo: hello there"));
        assert_eq!(
            (a.finish, a.input_tokens, a.output_tokens),
            (Finish::End, 2, 4)
        );

        let mut p = prompt("What's the WEATHER?");
        p.tool = Some("get_weather".into());
        let a = answer(&p);
        assert!(matches!(&a.output, Output::Tool(n) if n == "get_weather"));
        assert_eq!((a.finish, a.output_tokens), (Finish::ToolUse, 4));
        p.tool_result = Some("sunny".into());
        assert!(matches!(&answer(&p).output, Output::Text(t) if t == "tool said: sunny"));

        let mut p = prompt("look");
        p.saw_image("image/png");
        p.saw_image("image/jpeg");
        assert!(matches!(&answer(&p).output, Output::Text(t) if t == "I see an image (image/png)"));

        let mut p = prompt("one STOP two END three");
        p.stop = vec!["END".into(), "STOP".into(), String::new()];
        let a = answer(&p);
        assert!(matches!(&a.output, Output::Text(t) if t == "echo: one "));
        assert_eq!(a.finish, Finish::StopSequence("STOP".into()));

        let mut p = prompt("a fairly long sentence");
        p.max_tokens = Some(2);
        let a = answer(&p);
        assert!(matches!(&a.output, Output::Text(t) if t == "echo: a "));
        assert_eq!((a.finish, a.output_tokens), (Finish::MaxTokens, 2));
    }

    #[test]
    fn pieces_and_labels() {
        assert_eq!(
            pieces("héllo wörld!").collect::<Vec<_>>(),
            ["héllo wö", "rld!"]
        );
        assert_eq!(pieces("").count(), 0);
        assert_eq!(image_label("data:image/png;base64,AAA"), "image/png");
        assert_eq!(image_label("https://x.test/a.png"), "https://x.test/a.png");
    }
}
