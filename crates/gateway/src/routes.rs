//! The gateway's HTTP routes (CONTRACT §6), mounted by the server behind the same bearer
//! authentication as `/mcp` (the `Principal` is in the request's extensions).

use std::collections::BTreeMap;
use std::sync::Arc;

use aiproviders_domain::Principal;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::engine::Gateway;
use crate::errors::GatewayError;
use crate::translate::CallerFormat;

/// The largest request body (images travel inline).
pub const MAX_REQUEST_BYTES: usize = 32 << 20;

pub fn router(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(chat_completions))
        .route("/v1/messages", post(messages))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .with_state(gateway)
}

async fn chat_completions(
    State(gateway): State<Arc<Gateway>>,
    Extension(principal): Extension<Principal>,
    body: Bytes,
) -> Response {
    gateway.chat(&principal, CallerFormat::OpenAi, &body).await
}

async fn messages(
    State(gateway): State<Arc<Gateway>>,
    Extension(principal): Extension<Principal>,
    body: Bytes,
) -> Response {
    gateway
        .chat(&principal, CallerFormat::Anthropic, &body)
        .await
}

/// Every model the caller may use, as `<providerId>/<modelId>`, once each.
async fn models(
    State(gateway): State<Arc<Gateway>>,
    Extension(principal): Extension<Principal>,
) -> Response {
    let offers = match gateway.services().caller(&principal).offers().await {
        Ok(offers) => offers,
        Err(error) => {
            return GatewayError::new(error.code(), error.public_message())
                .into_response(CallerFormat::OpenAi, "");
        }
    };
    let mut models = BTreeMap::new();
    for offer in offers.iter().filter(|o| o.allowed) {
        models
            .entry(offer.model_ref())
            .or_insert_with(|| offer.provider().as_str());
    }
    let data: Vec<_> = models
        .into_iter()
        .map(|(id, owner)| json!({"id": id, "object": "model", "created": 0, "owned_by": owner}))
        .collect();
    Json(json!({"object": "list", "data": data})).into_response()
}
