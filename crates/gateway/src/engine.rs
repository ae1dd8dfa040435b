//! One gateway request: parse, pick candidates, try them in order with the credential opened
//! per attempt, fall back by failure class, and answer in the caller's format.
//!
//! Fallback (also in the README): connection errors, timeouts, 5xx and 529 → next
//! candidate (and the key's breaker counts a failure); 429 → next, the key rests for
//! `Retry-After` (30 s without one); 401/403 → next, the key is marked `invalid` and the
//! event audited; 402 or "insufficient credits" → next, the key rests 5 minutes; 404 (the
//! provider does not serve the model) → next; a context-length error → only candidates with a
//! larger window; any other 400 (the request itself) → returned to the caller, no fallback.
//! A stream fails over only until its first event reached the caller; a failure after that
//! ends the stream with an error event.
//!
//! `claude-code` candidates are not reached over HTTP: [`crate::claude_code`] runs the local
//! Claude Code CLI (refused, as `unsupported`, for requests with tools or images).

use std::sync::Arc;
use std::time::{Duration, Instant};

use aiproviders_domain::{ErrorCode, OrgId, Principal, ProviderId, Timestamp, UserId};
use aiproviders_providers::{ChatAnswer, ChatFailure, ChatWire, FailureKind};
use aiproviders_service::Services;
use aiproviders_service::UsageRecorder;
use aiproviders_service::routing::{self, ModelRef, Needs, NoCandidate, Offer};
use aiproviders_store::UsageRecord;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::claude_code;
use crate::errors::GatewayError;
use crate::health::{Admission, CREDITS_REST, DEFAULT_RATE_LIMIT_REST, Health};
use crate::sse::SseParser;
use crate::translate::{
    self, CallerFormat, ChatRequest, ChatResponse, StreamOptions, StreamTranslator, UpstreamFormat,
    Usage,
};

/// The response header listing every attempt.
pub const ROUTE_HEADER: &str = "x-aiproviders-route";
/// The largest non-streaming upstream body read.
const MAX_UPSTREAM_BODY: usize = 32 << 20;
/// Anthropic requires `max_tokens`; this is sent when the caller gave none.
const DEFAULT_MAX_TOKENS: u32 = 4096;

pub struct Gateway {
    services: Arc<Services>,
    health: Health,
}

pub(crate) fn set_route(response: &mut Response, route: &str) {
    if let Ok(value) = HeaderValue::from_str(route) {
        response.headers_mut().insert(ROUTE_HEADER, value);
    }
}

/// What a usage record of one request needs besides its outcome.
#[derive(Clone)]
pub(crate) struct UsageContext {
    recorder: UsageRecorder,
    org: OrgId,
    user: UserId,
    requested_model: String,
    started: Instant,
}

impl UsageContext {
    /// Records the request. `offer` is the candidate that answered (or the last one tried).
    pub(crate) fn record(
        &self,
        offer: Option<&Offer>,
        usage: Usage,
        attempts: usize,
        outcome: &'static str,
    ) {
        let cost = offer.and_then(|o| {
            let costs = o.model.costs;
            let input = if usage.input_tokens == 0 {
                Some(0.0)
            } else {
                costs.input
            };
            let output = if usage.output_tokens == 0 {
                Some(0.0)
            } else {
                costs.output
            };
            Some(input? * usage.input_tokens as f64 + output? * usage.output_tokens as f64)
        });
        self.recorder.record(UsageRecord {
            org: self.org.clone(),
            user: self.user.clone(),
            key: offer.map(|o| o.key_id.clone()),
            provider: offer.map(Offer::provider),
            model: offer.map_or_else(
                || self.requested_model.clone(),
                |o| o.model.model_id.to_string(),
            ),
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            cached_tokens: usage.cached_input_tokens,
            cost_usd: cost,
            latency_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            outcome,
            at: Timestamp::now(),
        });
    }
}

/// One attempt that got an answer: what rendering it needs.
struct Attempt<'a> {
    format: CallerFormat,
    request: &'a ChatRequest,
    wire: ChatWire,
    offer: &'a Offer,
    usage: &'a UsageContext,
    /// How many attempts were made, this one included.
    number: usize,
}

/// The attempts of one request, for the route header: `model@key=outcome, …`.
#[derive(Default)]
struct Route(String);

impl Route {
    fn push(&mut self, offer: &Offer, outcome: &str) {
        use std::fmt::Write as _;
        if !self.0.is_empty() {
            self.0.push_str(", ");
        }
        let _ = write!(
            self.0,
            "{}/{}@{}={outcome}",
            offer.model.provider_id, offer.model.model_id, offer.key_id
        );
    }

    fn header(&self) -> &str {
        &self.0
    }
}

fn outcome(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Connect => "connect_error",
        FailureKind::Timeout => "timeout",
        FailureKind::Server => "server_error",
        FailureKind::RateLimited => "rate_limited",
        FailureKind::Auth => "auth_refused",
        FailureKind::InsufficientCredits => "insufficient_credits",
        FailureKind::ModelNotFound => "model_not_found",
        FailureKind::ContextLength => "context_length",
        FailureKind::BadRequest => "bad_request",
        FailureKind::Misconfigured => "misconfigured",
    }
}

fn upstream_format(wire: ChatWire) -> UpstreamFormat {
    match wire {
        ChatWire::OpenAi => UpstreamFormat::OpenAi,
        ChatWire::Anthropic => UpstreamFormat::Anthropic,
        ChatWire::Gemini => UpstreamFormat::Gemini,
    }
}

impl Gateway {
    pub fn new(services: Arc<Services>) -> Self {
        Self {
            services,
            health: Health::default(),
        }
    }

    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// `POST /v1/chat/completions` (OpenAI) or `POST /v1/messages` (Anthropic).
    pub async fn chat(&self, principal: &Principal, format: CallerFormat, body: &[u8]) -> Response {
        let started = Instant::now();
        let parsed = match format {
            CallerFormat::OpenAi => translate::openai::parse_request(body),
            CallerFormat::Anthropic => translate::anthropic::parse_request(body),
        };
        let request = match parsed {
            Ok(request) => request,
            Err(error) => {
                return GatewayError::new(ErrorCode::InvalidInput, error.to_string())
                    .into_response(format, "");
            }
        };
        let wanted = match ModelRef::parse(&request.model) {
            Ok(wanted) => wanted,
            Err(error) => {
                return GatewayError::new(ErrorCode::InvalidInput, error.to_string())
                    .into_response(format, "");
            }
        };
        let caller = self.services.caller(principal);
        let offers = match caller.offers().await {
            Ok(offers) => offers,
            Err(error) => {
                return GatewayError::new(error.code(), error.public_message())
                    .into_response(format, "");
            }
        };
        let needs = Needs {
            tools: request.needs_tools(),
            vision: request.needs_vision(),
            tokens: request.estimated_input_tokens()
                + u64::from(request.max_output_tokens().unwrap_or(0)),
        };
        let candidates = match routing::candidates(&offers, &wanted, &needs) {
            Ok(candidates) => candidates,
            Err(NoCandidate::Unknown) => {
                return GatewayError::new(
                    ErrorCode::NotFound,
                    format!("model `{}` is not offered by any of the organization's keys; GET /v1/models lists them", request.model),
                )
                .into_response(format, "");
            }
            Err(NoCandidate::Forbidden) => {
                return GatewayError::new(
                    ErrorCode::Forbidden,
                    format!(
                        "the organization's model policy does not allow you `{}`",
                        request.model
                    ),
                )
                .into_response(format, "");
            }
            Err(NoCandidate::NothingFits) => {
                return GatewayError::new(
                    ErrorCode::InvalidInput,
                    "no model you may use can serve this request (tools, images or context size)",
                )
                .into_response(format, "");
            }
        };
        let usage = UsageContext {
            recorder: self.services.usage_recorder().clone(),
            org: principal.org_id().clone(),
            user: principal.user_id().clone(),
            requested_model: request.model.clone(),
            started,
        };
        self.attempt_all(&caller, format, &request, candidates, usage)
            .await
    }

    async fn attempt_all(
        &self,
        caller: &aiproviders_service::Caller<'_>,
        format: CallerFormat,
        request: &ChatRequest,
        candidates: Vec<&Offer>,
        usage: UsageContext,
    ) -> Response {
        let mut route = Route::default();
        let mut attempts = 0;
        let mut last_tried: Option<&Offer> = None;
        let mut last: Option<ChatFailure> = None;
        let mut larger_than: Option<u64> = None;
        // Candidates the Claude Code CLI could not serve (tools, images), and why.
        let mut refused = 0;
        let mut refusal = None;
        for &offer in &candidates {
            if let Some(min) = larger_than
                && offer.model.limits.context_window.is_none_or(|w| w <= min)
            {
                route.push(offer, "skipped_context");
                continue;
            }
            let admission = self.health.admit(&offer.key_id, Instant::now());
            if let Admission::Skip(reason) = admission {
                route.push(offer, reason.as_str());
                continue;
            }
            let answered = if offer.provider() == ProviderId::ClaudeCode {
                if let Some(reason) = claude_code::refusal(request) {
                    self.health.neutral(&offer.key_id);
                    route.push(offer, "unsupported");
                    refused += 1;
                    refusal = Some(reason);
                    continue;
                }
                attempts += 1;
                last_tried = Some(offer);
                let upstream = self.services.upstream();
                if request.stream {
                    match claude_code::open_stream(upstream, request, offer).await {
                        Ok(answer) => {
                            let attempt = Attempt {
                                format,
                                request,
                                wire: ChatWire::Anthropic,
                                offer,
                                usage: &usage,
                                number: attempts,
                            };
                            self.stream(attempt, answer).await
                        }
                        Err(failure) => Err(failure),
                    }
                } else {
                    claude_code::attempt(upstream, format, request, offer, &usage, attempts).await
                }
            } else {
                let Some(wire) = ChatWire::of(offer.provider()) else {
                    self.health.neutral(&offer.key_id);
                    route.push(offer, "unsupported");
                    continue;
                };
                let upstream_body = match build_body(wire, request, offer.model.model_id.as_str()) {
                    Ok(body) => body,
                    Err(error) => {
                        self.health.neutral(&offer.key_id);
                        route.push(offer, "bad_request");
                        return GatewayError::new(ErrorCode::InvalidInput, error.to_string())
                            .into_response(format, route.header());
                    }
                };
                let secret = match caller.secret_for_attempt(&offer.key_id).await {
                    Ok(secret) => secret,
                    Err(error) => {
                        self.health.neutral(&offer.key_id);
                        tracing::warn!(key = %offer.key_id, %error, "gateway could not open a key");
                        route.push(offer, "internal");
                        continue;
                    }
                };
                let sent = self
                    .services
                    .upstream()
                    .chat(
                        offer.provider(),
                        &secret,
                        offer.model.model_id.as_str(),
                        upstream_body,
                        request.stream,
                    )
                    .await;
                drop(secret);
                attempts += 1;
                last_tried = Some(offer);
                match sent {
                    Ok(answer) => {
                        let attempt = Attempt {
                            format,
                            request,
                            wire,
                            offer,
                            usage: &usage,
                            number: attempts,
                        };
                        if request.stream {
                            self.stream(attempt, answer).await
                        } else {
                            self.complete(attempt, answer).await
                        }
                    }
                    Err(failure) => Err(failure),
                }
            };
            let failure = match answered {
                Ok(mut response) => {
                    self.health.succeeded(&offer.key_id);
                    route.push(offer, "ok");
                    set_route(&mut response, route.header());
                    return response;
                }
                Err(failure) => failure,
            };
            route.push(offer, outcome(failure.kind));
            match failure.kind {
                FailureKind::BadRequest => {
                    self.health.neutral(&offer.key_id);
                    return GatewayError::from_failure(&failure)
                        .into_response(format, route.header());
                }
                FailureKind::ContextLength => {
                    self.health.neutral(&offer.key_id);
                    let window = offer.model.limits.context_window.unwrap_or(0);
                    larger_than = Some(larger_than.map_or(window, |w| w.max(window)));
                }
                FailureKind::Auth => {
                    self.health.neutral(&offer.key_id);
                    if let Err(error) = caller.key_refused(&offer.key_id).await {
                        tracing::warn!(key = %offer.key_id, %error, "could not mark a refused key");
                    }
                }
                FailureKind::RateLimited => {
                    let rest = failure
                        .retry_after_seconds
                        .map_or(DEFAULT_RATE_LIMIT_REST, Duration::from_secs);
                    self.health.rest(&offer.key_id, Instant::now(), rest);
                }
                FailureKind::InsufficientCredits => {
                    self.health
                        .rest(&offer.key_id, Instant::now(), CREDITS_REST);
                }
                FailureKind::ModelNotFound | FailureKind::Misconfigured => {
                    self.health.neutral(&offer.key_id);
                }
                FailureKind::Connect | FailureKind::Timeout | FailureKind::Server => {
                    self.health.failed(&offer.key_id, Instant::now());
                }
            }
            last = Some(failure);
        }
        let error = match (&last, refusal) {
            (Some(failure), _) => GatewayError::from_failure(failure),
            (None, Some(needs)) if refused == candidates.len() => GatewayError::new(
                ErrorCode::InvalidInput,
                format!(
                    "claude-code models run through the local Claude Code CLI, which cannot \
                     take {needs}; choose another model"
                ),
            ),
            (None, _) => GatewayError::new(
                ErrorCode::UpstreamUnavailable,
                "every candidate is resting or failing; try again shortly",
            ),
        };
        usage.record(last_tried, Usage::default(), attempts, error.code.as_str());
        error.into_response(format, route.header())
    }

    /// A non-streaming answer: read, parse, render in the caller's format.
    async fn complete(
        &self,
        attempt: Attempt<'_>,
        mut answer: ChatAnswer,
    ) -> Result<Response, ChatFailure> {
        let Attempt {
            format,
            request,
            wire,
            offer,
            usage,
            number: attempts,
        } = attempt;
        let provider = offer.provider();
        let mut body = Vec::new();
        while let Some(chunk) = answer.chunk(provider).await? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_UPSTREAM_BODY {
                return Err(malformed(provider, "the response is too large"));
            }
        }
        let parsed: Result<ChatResponse, _> = match wire {
            ChatWire::OpenAi => translate::openai::parse_response(&body),
            ChatWire::Anthropic => translate::anthropic::parse_response(&body),
            ChatWire::Gemini => translate::gemini::parse_response(&body),
        };
        let response = parsed.map_err(|_| malformed(provider, "the response could not be read"))?;
        usage.record(Some(offer), response.usage, attempts, "ok");
        Ok(render_whole(format, request, &response))
    }

    /// A streaming answer: fails over (returns `Err`) until the first caller event is
    /// ready; from then on the stream is the caller's, and a failure ends it with an error
    /// event.
    async fn stream(
        &self,
        attempt: Attempt<'_>,
        mut answer: ChatAnswer,
    ) -> Result<Response, ChatFailure> {
        let Attempt {
            format,
            request,
            wire,
            offer,
            usage,
            number: attempts,
        } = attempt;
        let provider = offer.provider();
        let usage = usage.clone();
        let offer_owned = offer.clone();
        let options = stream_options(format, request);
        let mut translator = StreamTranslator::new(upstream_format(wire), format, options);
        let mut parser = SseParser::default();
        let mut first = Vec::new();
        let mut ended = false;
        while first.is_empty() {
            let Some(chunk) = answer.chunk(provider).await? else {
                ended = true;
                break;
            };
            let events = parser
                .push(&chunk)
                .map_err(|reason| malformed(provider, reason))?;
            for event in events {
                if event.data.trim() == "[DONE]" {
                    continue;
                }
                let out = translator
                    .feed(event.event.as_deref(), &event.data)
                    .map_err(|_| malformed(provider, "the stream could not be read"))?;
                first.extend(out);
            }
        }
        if ended {
            for event in parser.finish() {
                if event.data.trim() != "[DONE]" {
                    first.extend(
                        translator
                            .feed(event.event.as_deref(), &event.data)
                            .map_err(|_| malformed(provider, "the stream could not be read"))?,
                    );
                }
            }
            if !translator.has_emitted() {
                return Err(malformed(provider, "the stream ended before any content"));
            }
        }
        let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(32);
        let head: String = first.iter().map(|e| e.to_wire()).collect();
        tokio::spawn(async move {
            let send = |text: String| {
                let sender = sender.clone();
                async move { sender.send(Ok(Bytes::from(text))).await.is_ok() }
            };
            if !send(head).await {
                return;
            }
            if !ended {
                loop {
                    let chunk = match answer.chunk(provider).await {
                        Ok(Some(chunk)) => chunk,
                        Ok(None) => break,
                        Err(failure) => {
                            let _ =
                                send(translator.error_event(&failure.to_string()).to_wire()).await;
                            return;
                        }
                    };
                    let events = match parser.push(&chunk) {
                        Ok(events) => events,
                        Err(reason) => {
                            let _ = send(translator.error_event(reason).to_wire()).await;
                            return;
                        }
                    };
                    let mut out = String::new();
                    for event in events {
                        if event.data.trim() == "[DONE]" {
                            continue;
                        }
                        match translator.feed(event.event.as_deref(), &event.data) {
                            Ok(events) => out.extend(events.iter().map(|e| e.to_wire())),
                            Err(error) => {
                                out.push_str(&translator.error_event(&error.to_string()).to_wire());
                                let _ = send(out).await;
                                usage.record(
                                    Some(&offer_owned),
                                    translator.usage(),
                                    attempts,
                                    "stream_error",
                                );
                                return;
                            }
                        }
                    }
                    if !out.is_empty() && !send(out).await {
                        return;
                    }
                }
                for event in parser.finish() {
                    if event.data.trim() != "[DONE]"
                        && let Ok(events) = translator.feed(event.event.as_deref(), &event.data)
                    {
                        let _ = send(events.iter().map(|e| e.to_wire()).collect()).await;
                    }
                }
            }
            let end = translator.finish();
            usage.record(Some(&offer_owned), end.usage, attempts, "ok");
            let _ = send(end.events.iter().map(|e| e.to_wire()).collect()).await;
        });
        Ok(event_stream(Body::from_stream(tokio_stream_from(receiver))))
    }
}

/// A response id for the caller: `chatcmpl-…` (OpenAI) or `msg_…` (Anthropic).
fn response_id(format: CallerFormat) -> String {
    match format {
        CallerFormat::OpenAi => format!("chatcmpl-{}", uuid::Uuid::now_v7().simple()),
        CallerFormat::Anthropic => format!("msg_{}", uuid::Uuid::now_v7().simple()),
    }
}

/// A complete answer as the caller's JSON body, serialized straight from typed views of the
/// answer (no intermediate JSON tree).
pub(crate) fn render_whole(
    format: CallerFormat,
    request: &ChatRequest,
    response: &ChatResponse,
) -> Response {
    let id = response_id(format);
    // Room for the fixed fields, so that the buffer is not regrown field by field.
    let mut body = Vec::with_capacity(
        384 + response.text.len()
            + request.model.len()
            + response
                .tool_calls
                .iter()
                .map(|c| 64 + c.id.len() + c.name.len() + c.arguments.len())
                .sum::<usize>(),
    );
    let written = match format {
        CallerFormat::OpenAi => serde_json::to_writer(
            &mut body,
            &translate::openai::render_response(response, &id, &request.model, unix_now()),
        ),
        CallerFormat::Anthropic => serde_json::to_writer(
            &mut body,
            &translate::anthropic::render_response(response, &id, &request.model),
        ),
    };
    match written {
        Ok(()) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "could not serialize a gateway answer");
            GatewayError::new(ErrorCode::Internal, "the answer could not be rendered")
                .into_response(format, "")
        }
    }
}

/// What the caller's stream is made of: a fresh id, the model the caller asked for.
pub(crate) fn stream_options(format: CallerFormat, request: &ChatRequest) -> StreamOptions {
    StreamOptions {
        id: response_id(format),
        model: request.model.clone(),
        created: unix_now(),
        include_usage: request.include_usage,
    }
}

/// An SSE response with `body`.
pub(crate) fn event_stream(body: Body) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn tokio_stream_from(
    mut receiver: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> {
    futures::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

fn malformed(provider: aiproviders_domain::ProviderId, reason: &str) -> ChatFailure {
    ChatFailure {
        provider,
        kind: FailureKind::Server,
        status: None,
        retry_after_seconds: None,
        message: reason.to_owned(),
    }
}

fn build_body(
    wire: ChatWire,
    request: &ChatRequest,
    model: &str,
) -> Result<Bytes, translate::TranslateError> {
    let value = match wire {
        ChatWire::OpenAi => translate::openai::build_request(request, model),
        ChatWire::Anthropic => {
            translate::anthropic::build_request(request, model, DEFAULT_MAX_TOKENS)
        }
        ChatWire::Gemini => translate::gemini::build_request(request)?,
    };
    Ok(Bytes::from(
        serde_json::to_vec(&value).expect("a JSON value always serializes"),
    ))
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
