//! The machinery every fake shares: the listener, recording, behaviours, and the
//! [`Provider`] trait each provider module implements.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use axum::serve::ListenerExt;
use futures::{StreamExt as _, stream};
use serde_json::Value;
use tokio::task::AbortHandle;

use crate::account::Account;
use crate::behavior::{Behavior, RecordedRequest, parse_query};

/// The largest request body a fake reads; a larger one gets the provider's 413.
const MAX_BODY: usize = 4 << 20;
/// How much of a request body [`RecordedRequest::body`] keeps.
const RECORDED_BODY: usize = 64 << 10;

/// A request as a provider sees it.
pub(crate) struct Incoming {
    pub method: Method,
    pub path: String,
    pub params: Vec<(String, String)>,
    pub headers: HeaderMap,
    /// The whole request body (empty for a GET).
    pub body: Bytes,
}

impl Incoming {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A non-empty `Authorization: Bearer <token>`.
    pub fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    }

    /// The body as a JSON object, if it is one and `content-type` says JSON.
    pub fn json_object(&self) -> Option<serde_json::Map<String, Value>> {
        let is_json = self
            .header("content-type")
            .is_some_and(|t| t.trim_start().starts_with("application/json"));
        match serde_json::from_slice(&self.body) {
            Ok(Value::Object(map)) if is_json => Some(map),
            _ => None,
        }
    }
}

/// Whether a credential is one the fakes refuse.
pub(crate) fn is_revoked(credential: &str) -> bool {
    credential.contains("revoked")
}

/// A response before it becomes an HTTP response.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Bytes,
    /// A streamed body, one chunk per SSE event; `body` is then unused.
    pub events: Option<Vec<Bytes>>,
    /// The `(input, output)` tokens this answer reports ([`FakeServer::reported_usage`]).
    pub usage: Option<(u64, u64)>,
}

impl Reply {
    /// A JSON response.
    pub fn json(status: u16, body: impl Into<Bytes>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: vec![(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body: body.into(),
            events: None,
            usage: None,
        }
    }

    /// A 200 `text/event-stream` answer sent as these events, reporting `usage`.
    pub fn sse(events: Vec<Bytes>, usage: (u64, u64)) -> Self {
        let mut reply = Self::json(200, Bytes::new());
        reply.headers.clear();
        reply.events = Some(events);
        reply.usage = Some(usage);
        reply
            .with_header("content-type", "text/event-stream")
            .with_header("cache-control", "no-cache")
    }

    /// A 200 JSON answer reporting `usage`.
    pub fn answer(body: impl Into<Bytes>, usage: (u64, u64)) -> Self {
        let mut reply = Self::json(200, body);
        reply.usage = Some(usage);
        reply
    }

    /// The whole body, streamed events joined.
    fn full_body(self) -> Bytes {
        match self.events {
            None => self.body,
            Some(events) => events.concat().into(),
        }
    }

    /// Adds a header (invalid names or values are dropped).
    pub fn with_header(mut self, name: &str, value: impl AsRef<str>) -> Self {
        if let (Ok(n), Ok(v)) = (
            HeaderName::try_from(name),
            HeaderValue::try_from(value.as_ref()),
        ) {
            self.headers.push((n, v));
        }
        self
    }

    /// `status` with a `Location` header and an empty body (no content type).
    pub fn redirect(status: u16, location: &str) -> Self {
        let mut reply = Self::json(status, "");
        reply.headers.clear();
        reply.with_header("location", location)
    }

    pub fn has_header(&self, name: &HeaderName) -> bool {
        self.headers.iter().any(|(n, _)| n == name)
    }

    /// The HTTP response. Usage is recorded in `shared` once the answer is complete (a stream:
    /// once its last event is handed to the connection); with `fail_after`, a stream stops
    /// with an error after that many events and records nothing.
    fn into_response(self, shared: &Arc<Shared>, fail_after: Option<usize>) -> Response {
        let body = match (self.events, fail_after) {
            (None, _) => {
                if let Some(usage) = self.usage {
                    shared.record_usage(usage);
                }
                Body::from(self.body)
            }
            (Some(events), None) => {
                let (shared, usage) = (shared.clone(), self.usage);
                let done = stream::once(async move {
                    if let Some(usage) = usage {
                        shared.record_usage(usage);
                    }
                })
                .filter_map(|()| std::future::ready(None));
                let events = stream::iter(events.into_iter().map(Ok::<_, io::Error>));
                Body::from_stream(events.chain(done))
            }
            (Some(events), Some(n)) => {
                let fail = stream::once(async {
                    // Lets the connection flush what was sent before it is dropped.
                    tokio::task::yield_now().await;
                    Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "fake provider: failing mid-stream",
                    ))
                });
                Body::from_stream(stream::iter(events.into_iter().take(n).map(Ok)).chain(fail))
            }
        };
        let mut response = Response::new(body);
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        for (name, value) in self.headers {
            headers.append(name, value);
        }
        response
    }
}

/// One provider's routes and error shapes.
pub(crate) trait Provider: Send + Sync + 'static {
    /// The real behaviour for this request.
    fn respond(&self, req: &Incoming) -> Reply;
    /// The provider's "bad key" answer.
    fn unauthorized(&self) -> Reply;
    fn rate_limited(&self, retry_after_seconds: u64) -> Reply;
    fn server_error(&self, status: u16) -> Reply;
    /// A valid one-model list of about `bytes` bytes.
    fn huge(&self, bytes: usize) -> Reply;
    /// Last touch on every response (Anthropic adds `request-id`).
    fn finish(&self, reply: Reply) -> Reply {
        reply
    }
}

/// Serializes `build(padding)` with a padding string that brings it to about `bytes` bytes.
pub(crate) fn padded(bytes: usize, build: impl Fn(&str) -> Value) -> String {
    let base = build("").to_string().len();
    let pad: String = "Lorem ipsum dolor sit amet. "
        .chars()
        .cycle()
        .take(bytes.saturating_sub(base))
        .collect();
    build(&pad).to_string()
}

#[derive(Default)]
struct Behaviors {
    all: Behavior,
    routes: HashMap<String, Behavior>,
}

struct Shared {
    provider: Box<dyn Provider>,
    account: Arc<Account>,
    behaviors: Mutex<Behaviors>,
    requests: Mutex<Vec<RecordedRequest>>,
    recording: std::sync::atomic::AtomicBool,
    usage: Mutex<Usage>,
}

/// What the inference answers reported.
#[derive(Default)]
struct Usage {
    /// One `(input, output)` per complete answer, while recording.
    each: Vec<(u64, u64)>,
    /// Sums over every complete answer, recording or not.
    total: (u64, u64),
    answers: u64,
}

impl Shared {
    fn record_usage(&self, (input, output): (u64, u64)) {
        let recording = self.recording.load(std::sync::atomic::Ordering::Relaxed);
        let mut usage = lock(&self.usage);
        if recording {
            usage.each.push((input, output));
        }
        usage.total.0 += input;
        usage.total.1 += output;
        usage.answers += 1;
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One fake provider listening on its own `127.0.0.1` port. Clones share the same server and
/// state; the server stops when the last clone is dropped.
#[derive(Clone)]
pub struct FakeServer {
    inner: Arc<Inner>,
}

struct Inner {
    url: String,
    shared: Arc<Shared>,
    task: AbortHandle,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeServer")
            .field("url", &self.inner.url)
            .finish_non_exhaustive()
    }
}

impl FakeServer {
    /// Binds `127.0.0.1:0` and serves the provider `make` builds on the current tokio runtime;
    /// the provider gets this fake's [`Account`].
    pub(crate) async fn spawn<P: Provider>(make: impl FnOnce(Arc<Account>) -> P) -> Self {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("fake provider: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake provider: local address");
        let account = Arc::new(Account::default());
        let shared = Arc::new(Shared {
            provider: Box::new(make(account.clone())),
            account,
            behaviors: Mutex::default(),
            requests: Mutex::default(),
            recording: true.into(),
            usage: Mutex::default(),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            inner: Arc::new(Inner {
                url: format!("http://{addr}"),
                shared,
                task: task.abort_handle(),
            }),
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        self.inner.url.clone()
    }

    /// Applies to every route of this fake from now on (route overrides still win).
    pub fn set_behavior(&self, b: Behavior) {
        lock(&self.inner.shared.behaviors).all = b;
    }

    /// Overrides the behaviour for one exact path (no query), e.g. `/api/v1/models`.
    pub fn set_route_behavior(&self, path: &str, b: Behavior) {
        lock(&self.inner.shared.behaviors)
            .routes
            .insert(path.to_owned(), b);
    }

    pub fn clear_route_behaviors(&self) {
        lock(&self.inner.shared.behaviors).routes.clear();
    }

    /// Back to [`Behavior::Normal`] everywhere and to the default account settings (code
    /// lifetime, key limit, balance, cached tokens); forgets the recorded requests, the
    /// reported usage, the pending authorization codes, the issued keys and the organizations
    /// seen; response numbers start again at 1.
    pub fn reset(&self) {
        *lock(&self.inner.shared.behaviors) = Behaviors::default();
        self.inner.shared.account.reset();
        self.clear_requests();
        self.clear_reported_usage();
    }

    /// The simulated account behind this fake (OAuth codes, balance, …).
    pub(crate) fn account(&self) -> &Account {
        &self.inner.shared.account
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.shared.requests).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.inner.shared.requests).clear();
    }

    /// The `(input, output)` token counts each complete inference answer reported, in order
    /// of completion (a stream completes when its last event is sent; a stream cut by
    /// [`Behavior::FailMidStream`], a [`Behavior::Truncated`] answer and error answers report
    /// nothing). Input is Anthropic `input_tokens`, Gemini `promptTokenCount`, OpenAI
    /// `prompt_tokens`; output is `output_tokens` / `candidatesTokenCount` /
    /// `completion_tokens`. Kept only while recording is on ([`FakeServer::set_recording`]).
    pub fn reported_usage(&self) -> Vec<(u64, u64)> {
        lock(&self.inner.shared.usage).each.clone()
    }

    /// `(answers, input, output)` summed over every complete inference answer since the
    /// start or the last reset, recording on or off.
    pub fn reported_usage_totals(&self) -> (u64, u64, u64) {
        let usage = lock(&self.inner.shared.usage);
        (usage.answers, usage.total.0, usage.total.1)
    }

    /// Forgets the reported usage ([`FakeServer::reported_usage`] and the totals).
    pub fn clear_reported_usage(&self) {
        *lock(&self.inner.shared.usage) = Usage::default();
    }

    /// Turns recording off (long benchmarks) or back on.
    pub fn set_recording(&self, on: bool) {
        self.inner
            .shared
            .recording
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// How many requests to `path` carried no pagination cursor (`after_id`, `before_id`,
    /// `pageToken`): how many full list fetches started.
    pub fn list_fetches(&self, path: &str) -> usize {
        lock(&self.inner.shared.requests)
            .iter()
            .filter(|r| r.path == path && !r.has_page_cursor())
            .count()
    }
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (body, too_large) = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => (bytes, false),
        Err(_) => (Bytes::new(), true),
    };
    let incoming = Incoming {
        params: parse_query(parts.uri.query().unwrap_or("")),
        path: parts.uri.path().to_owned(),
        method: parts.method,
        headers: parts.headers,
        body,
    };
    if shared.recording.load(std::sync::atomic::Ordering::Relaxed) {
        let recorded = RecordedRequest {
            method: incoming.method.to_string(),
            path: incoming.path.clone(),
            query: parts.uri.query().unwrap_or("").to_owned(),
            headers: incoming
                .headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: String::from_utf8_lossy(&incoming.body[..incoming.body.len().min(RECORDED_BODY)])
                .into_owned(),
        };
        lock(&shared.requests).push(recorded);
    }
    if too_large {
        return shared
            .provider
            .server_error(413)
            .into_response(&shared, None);
    }
    let behavior = {
        let behaviors = lock(&shared.behaviors);
        behaviors
            .routes
            .get(&incoming.path)
            .unwrap_or(&behaviors.all)
            .clone()
    };
    let provider = &*shared.provider;
    let mut fail_after = None;
    let reply = match behavior {
        Behavior::Normal => provider.respond(&incoming),
        Behavior::Delay(d) => {
            tokio::time::sleep(d).await;
            provider.respond(&incoming)
        }
        Behavior::Hang => std::future::pending().await,
        Behavior::Status {
            status,
            headers,
            body,
        } => {
            let mut reply = Reply::json(status, body);
            if headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                reply.headers.clear();
            }
            headers.iter().fold(reply, |r, (n, v)| r.with_header(n, v))
        }
        Behavior::Unauthorized => provider.unauthorized(),
        Behavior::RateLimited {
            retry_after_seconds,
        } => provider.rate_limited(retry_after_seconds),
        Behavior::ServerError(status) => provider.server_error(status),
        Behavior::Malformed => Reply::json(200, "<html><body>upstream hiccup</body></html>"),
        Behavior::Truncated => {
            let body = provider.respond(&incoming).full_body();
            Reply::json(200, body.slice(..body.len() / 2))
        }
        Behavior::Redirect(location) => Reply::redirect(302, &location),
        Behavior::Huge(bytes) => provider.huge(bytes),
        Behavior::FailMidStream { after_events } => {
            fail_after = Some(after_events);
            provider.respond(&incoming)
        }
    };
    provider.finish(reply).into_response(&shared, fail_after)
}
