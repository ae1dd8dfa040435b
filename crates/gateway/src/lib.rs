//! The inference gateway (CONTRACT §6): an OpenAI- and Anthropic-compatible front door that
//! routes each request to one of the organization's provider keys.
//!
//! - [`routes`]: `GET /v1/models`, `POST /v1/chat/completions`, `POST /v1/messages`;
//! - [`engine`]: one request — candidates, attempts with the credential opened per attempt,
//!   fallback by failure class, streaming with failover before the first byte;
//! - `claude_code`: `claude-code` candidates, served by the local Claude Code CLI;
//! - [`health`]: per-key circuit breakers and rests;
//! - [`translate`]: the pure translation layer between the callers' formats (OpenAI Chat
//!   Completions, Anthropic Messages) and the upstream formats (OpenAI-compatible,
//!   Anthropic Messages, Gemini generateContent), through one neutral representation.

mod claude_code;
pub mod engine;
mod errors;
pub mod health;
pub mod routes;
mod sse;
pub mod translate;

pub use engine::{Gateway, ROUTE_HEADER};
pub use routes::router;
