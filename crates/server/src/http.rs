//! The HTTP surface: `/mcp` (authenticated), `/healthz`, `/metrics`.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use aiproviders_domain::ErrorCode;
use aiproviders_mcp::{McpServer, McpState, PrincipalSource, ToolMetrics};
use aiproviders_service::Services;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::registry::Registry;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::in_flight::{self, InFlight};
use crate::session_store::DbSessionStore;
use crate::settings::Settings;
use crate::token;

/// Largest request body accepted on /mcp. Tool arguments are small (an API key is at most
/// 4 KiB); anything larger is refused with 413 before it is parsed.
pub const MCP_BODY_LIMIT: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub registry: Arc<Registry>,
    pub auth_failures: Counter,
}

pub struct Telemetry {
    pub registry: Registry,
    pub tool_metrics: ToolMetrics,
    pub auth_failures: Counter,
    /// Polls of the organizations' change counters: done, and failed.
    pub change_polls: Counter,
    pub change_poll_failures: Counter,
}

impl Telemetry {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let tool_metrics = ToolMetrics::default();
        tool_metrics.register(&mut registry);
        let auth_failures = Counter::default();
        registry.register(
            "aiproviders_http_unauthenticated_requests",
            "Requests refused for a missing or unknown access token",
            auth_failures.clone(),
        );
        let change_polls = Counter::default();
        registry.register(
            "aiproviders_change_polls",
            "Polls of the organizations' change counters that succeeded",
            change_polls.clone(),
        );
        let change_poll_failures = Counter::default();
        registry.register(
            "aiproviders_change_poll_failures",
            "Polls of the organizations' change counters that failed (every request then reads the database)",
            change_poll_failures.clone(),
        );
        Self {
            registry,
            tool_metrics,
            auth_failures,
            change_polls,
            change_poll_failures,
        }
    }
}

pub fn router(
    settings: &Settings,
    services: Arc<Services>,
    telemetry: Telemetry,
    in_flight: InFlight,
    sessions_closed: CancellationToken,
) -> Router {
    let mut config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(settings.allowed_hosts.clone())
        .with_allowed_origins(settings.allowed_origins())
        .with_max_request_body_bytes(MCP_BODY_LIMIT)
        .with_cancellation_token(sessions_closed);
    config.session_store = Some(Arc::new(DbSessionStore::new(services.store().clone())));
    let mcp = {
        let state = McpState::new(services.clone(), telemetry.tool_metrics.clone());
        StreamableHttpService::new(
            move || Ok(McpServer::new(state.clone(), PrincipalSource::HttpRequest)),
            Arc::new(LocalSessionManager::default()),
            config,
        )
    };
    let state = AppState {
        services,
        registry: Arc::new(telemetry.registry),
        auth_failures: telemetry.auth_failures,
    };
    let gateway = aiproviders_gateway::router(Arc::new(aiproviders_gateway::Gateway::new(
        state.services.clone(),
    )));
    let authenticated = Router::new()
        .nest_service("/mcp", mcp)
        .layer(DefaultBodyLimit::max(MCP_BODY_LIMIT))
        .merge(gateway)
        .layer(FrontDoorLayer(Arc::new(FrontDoor {
            app: state.clone(),
            in_flight,
        })));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route(
            "/oauth/callback/ai-provider",
            get(crate::oauth_callback::callback),
        )
        .with_state(state)
        .merge(authenticated)
}

/// What the front door of the authenticated routes needs.
struct FrontDoor {
    app: AppState,
    in_flight: InFlight,
}

/// The one layer in front of `/mcp` and the gateway: counts a POST in flight from its
/// arrival until its response body has been sent, then authenticates it. Written as a
/// plain tower service (one boxed future per request) rather than two `from_fn` layers,
/// each of which costs a boxed `Next`, a boxed future and a clone of its state per request.
#[derive(Clone)]
struct FrontDoorLayer(Arc<FrontDoor>);

impl<S> tower_layer::Layer<S> for FrontDoorLayer {
    type Service = FrontDoorService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FrontDoorService {
            door: self.0.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
struct FrontDoorService<S> {
    door: Arc<FrontDoor>,
    inner: S,
}

impl<S> tower_service::Service<Request> for FrontDoorService<S>
where
    S: tower_service::Service<Request, Response = Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The service that was polled ready serves this request; a clone stays for the next.
        let fresh = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, fresh);
        let door = self.door.clone();
        Box::pin(front_door(door, ready, request))
    }
}

async fn front_door<S>(
    door: Arc<FrontDoor>,
    mut inner: S,
    request: Request,
) -> Result<Response, Infallible>
where
    S: tower_service::Service<Request, Response = Response, Error = Infallible>,
{
    let guard = (request.method() == Method::POST).then(|| door.in_flight.enter());
    let response = match authenticate(&door.app, request).await {
        Ok(request) => inner.call(request).await?,
        Err(refused) => refused,
    };
    Ok(match guard {
        Some(guard) => in_flight::hold_until_sent(response, guard),
        None => response,
    })
}

/// Resolves `Authorization: Bearer <token>` to a principal and puts it in the request's
/// extensions, where the MCP tools and the gateway find it. Anything else is 401.
async fn authenticate(state: &AppState, mut request: Request) -> Result<Request, Response> {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        // The Anthropic SDKs send their key as `x-api-key`: accepted on the gateway's routes.
        .or_else(|| {
            request
                .uri()
                .path()
                .starts_with("/v1/")
                .then(|| request.headers().get("x-api-key"))
                .flatten()
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        });
    let Some(presented) = presented else {
        state.auth_failures.inc();
        return Err(unauthenticated(false));
    };
    let Some(hash) = token::hash(presented) else {
        state.auth_failures.inc();
        return Err(unauthenticated(true));
    };
    match state.services.store().authenticate(&hash).await {
        Ok(Some(principal)) => {
            request.extensions_mut().insert(principal);
            Ok(request)
        }
        Ok(None) => {
            state.auth_failures.inc();
            Err(unauthenticated(true))
        }
        Err(error) => {
            tracing::error!(%error, "authentication lookup failed");
            // Not the usual 500 of `internal`: the server is fine, its database is not.
            let mut response = error_response(
                ErrorCode::Internal,
                "the database is unavailable; try again",
            );
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            Err(response)
        }
    }
}

fn unauthenticated(token_presented: bool) -> Response {
    let mut response = error_response(
        ErrorCode::Unauthenticated,
        "missing or unknown access token; send Authorization: Bearer <token>",
    );
    let challenge = if token_presented {
        r#"Bearer realm="aiproviders", error="invalid_token""#
    } else {
        r#"Bearer realm="aiproviders""#
    };
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}

/// The error body of HTTP routes, with the status that goes with the code.
fn error_response(code: ErrorCode, message: &str) -> Response {
    let status =
        StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({"error": {"code": code.as_str(), "message": message}});
    (status, axum::Json(body)).into_response()
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.services.store().ping().await {
        Ok(()) => (StatusCode::OK, axum::Json(json!({"status": "ok"}))).into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let mut text = String::new();
    if encode(&mut text, &state.registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    Response::builder()
        .header(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )
        .body(Body::from(text))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
