//! `claude-code` candidates: served by the local Claude Code CLI, one process per request
//! (`Upstream::claude_code_chat`, or `claude_code_stream` for streaming callers).
//!
//! - The CLI cannot take the caller's tools (it runs with none) nor images (the prompt is
//!   text on stdin): a request that needs either is refused for this candidate
//!   ([`refusal`]), which the route lists as `unsupported`, and the next candidate is tried.
//! - The conversation becomes one prompt ([`flatten`]): system messages, joined with blank
//!   lines, are appended to the CLI's system prompt; a single user message is the prompt as
//!   it is; a longer conversation is a transcript of its turns in order, `User: …` and
//!   `Assistant: …` separated by blank lines (the last message last). Messages without text
//!   are left out.
//! - Sampling settings (`max_tokens`, `temperature`, `top_p`, `stop`) cannot be passed to
//!   the CLI and are ignored. The finish reason is `Length` when the CLI reports
//!   `max_tokens`, `Stop` otherwise; usage is the CLI's (cache reads and writes counted as
//!   input).
//! - Streaming callers get the answer as the model writes it: the CLI runs with
//!   `--include-partial-messages` and its raw Anthropic stream events go through the same
//!   translator and failover rule as an HTTP upstream's ([`open_stream`]): a failure before
//!   the first event reaches the caller (timeout, login, …) falls back to the next
//!   candidate, one after it ends the stream with an error event.
//! - At most `AIPROVIDERS_CLAUDE_MAX_CONCURRENT` CLI processes run at once (4 by default);
//!   beyond that the candidate fails at once as rate limited (its key rests 1 s) and the next
//!   one is tried.

use aiproviders_providers::{ChatAnswer, ChatFailure};
use aiproviders_service::routing::Offer;
use axum::response::Response;

use crate::engine::{UsageContext, render_whole};
use crate::translate::{CallerFormat, ChatRequest, ChatResponse, FinishReason, Role, Usage};

/// Why the CLI cannot serve `request`, if it cannot.
pub(crate) fn refusal(request: &ChatRequest) -> Option<&'static str> {
    if request.needs_tools() {
        Some("tools")
    } else if request.needs_vision() {
        Some("images")
    } else {
        None
    }
}

/// What the CLI is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prompt {
    /// For `--append-system-prompt` (`None` without system messages).
    pub system: Option<String>,
    /// For stdin.
    pub prompt: String,
}

/// The conversation as one prompt (see the module docs).
pub(crate) fn flatten(request: &ChatRequest) -> Prompt {
    let texts = |role: Role| {
        request
            .messages
            .iter()
            .filter(move |m| m.role == role)
            .map(|m| m.text("\n"))
            .filter(|t| !t.trim().is_empty())
    };
    let system: Vec<String> = texts(Role::System).collect();
    let turns: Vec<(Role, String)> = request
        .messages
        .iter()
        .filter(|m| matches!(m.role, Role::User | Role::Assistant))
        .map(|m| (m.role, m.text("\n")))
        .filter(|(_, text)| !text.trim().is_empty())
        .collect();
    let prompt = match turns.as_slice() {
        [(Role::User, text)] => text.clone(),
        turns => turns
            .iter()
            .map(|(role, text)| {
                let speaker = if *role == Role::User {
                    "User"
                } else {
                    "Assistant"
                };
                format!("{speaker}: {text}")
            })
            .collect::<Vec<_>>()
            .join("\n\n"),
    };
    Prompt {
        system: (!system.is_empty()).then(|| system.join("\n\n")),
        prompt,
    }
}

/// The prompt of `request`, or the failure of a conversation without text.
fn prompt_of(request: &ChatRequest, offer: &Offer) -> Result<Prompt, ChatFailure> {
    let prompt = flatten(request);
    if prompt.prompt.trim().is_empty() {
        return Err(ChatFailure {
            provider: offer.provider(),
            kind: aiproviders_providers::FailureKind::BadRequest,
            status: None,
            retry_after_seconds: None,
            message: "the conversation has no text to send".to_owned(),
        });
    }
    Ok(prompt)
}

/// A streaming attempt: the CLI started with its events coming as Anthropic SSE (read by
/// the engine like an HTTP upstream's stream), or the failure for the fallback.
pub(crate) async fn open_stream(
    upstream: &aiproviders_providers::Upstream,
    request: &ChatRequest,
    offer: &Offer,
) -> Result<ChatAnswer, ChatFailure> {
    let Prompt { system, prompt } = prompt_of(request, offer)?;
    upstream
        .claude_code_stream(offer.model.model_id.as_str(), system.as_deref(), prompt)
        .await
}

/// A non-streaming attempt: runs the CLI and answers in the caller's format (usage
/// recorded), or the failure for the fallback.
pub(crate) async fn attempt(
    upstream: &aiproviders_providers::Upstream,
    format: CallerFormat,
    request: &ChatRequest,
    offer: &Offer,
    usage: &UsageContext,
    attempts: usize,
) -> Result<Response, ChatFailure> {
    let Prompt { system, prompt } = prompt_of(request, offer)?;
    let run = upstream
        .claude_code_chat(offer.model.model_id.as_str(), system.as_deref(), &prompt)
        .await?;
    let response = ChatResponse {
        id: None,
        model: run.model,
        text: run.text,
        tool_calls: Vec::new(),
        finish_reason: match run.stop_reason.as_deref() {
            Some("max_tokens" | "model_context_window_exceeded") => FinishReason::Length,
            _ => FinishReason::Stop,
        },
        usage: Usage {
            input_tokens: run.input_tokens,
            output_tokens: run.output_tokens,
            cached_input_tokens: run.cached_input_tokens,
        },
    };
    usage.record(Some(offer), response.usage, attempts, "ok");
    Ok(render_whole(format, request, &response))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::{Image, Message, Part, Tool, ToolCall};

    fn request(messages: Vec<Message>) -> ChatRequest {
        ChatRequest {
            model: "claude-code/claude-code:sonnet".into(),
            messages,
            tools: vec![],
            tool_choice: None,
            max_output_tokens: None,
            temperature: None,
            top_p: None,
            stop: vec![],
            stream: false,
            include_usage: false,
        }
    }

    fn text(role: Role, text: &str) -> Message {
        Message::new(role, vec![Part::Text(text.into())])
    }

    #[test]
    fn a_single_message_is_the_prompt_and_systems_are_appended() {
        let flat = flatten(&request(vec![
            text(Role::System, "Be brief."),
            text(Role::User, "What is 2+2?\nAnswer in digits."),
            text(Role::System, "No emoji."),
        ]));
        assert_eq!(
            flat,
            Prompt {
                system: Some("Be brief.\n\nNo emoji.".into()),
                prompt: "What is 2+2?\nAnswer in digits.".into(),
            }
        );
        assert_eq!(flatten(&request(vec![text(Role::User, "hi")])).system, None);
    }

    #[test]
    fn a_conversation_is_a_transcript_with_the_last_message_last() {
        let flat = flatten(&request(vec![
            text(Role::System, "Be brief."),
            text(Role::User, "Hi, I am Ann."),
            text(Role::Assistant, "Hello Ann!"),
            text(Role::User, "   "),
            Message::new(
                Role::User,
                vec![Part::Text("What is".into()), Part::Text("my name?".into())],
            ),
        ]));
        assert_eq!(
            flat.prompt,
            "User: Hi, I am Ann.\n\nAssistant: Hello Ann!\n\nUser: What is\nmy name?"
        );
        assert_eq!(flat.system.as_deref(), Some("Be brief."));
    }

    #[test]
    fn tools_and_images_are_refused() {
        let plain = request(vec![text(Role::User, "hi")]);
        assert_eq!(refusal(&plain), None);
        let mut tools = plain.clone();
        tools.tools.push(Tool {
            name: "get_weather".into(),
            description: None,
            parameters: serde_json::json!({"type": "object"}),
        });
        assert_eq!(refusal(&tools), Some("tools"));
        let history = request(vec![
            text(Role::User, "weather?"),
            Message::new(
                Role::Assistant,
                vec![Part::ToolCall(ToolCall {
                    id: "call_1".into(),
                    name: "get_weather".into(),
                    arguments: "{}".into(),
                })],
            ),
        ]);
        assert_eq!(refusal(&history), Some("tools"));
        let image = request(vec![Message::new(
            Role::User,
            vec![
                Part::Text("what is this?".into()),
                Part::Image(Image::Url("https://example.com/a.png".into())),
            ],
        )]);
        assert_eq!(refusal(&image), Some("images"));
    }
}
