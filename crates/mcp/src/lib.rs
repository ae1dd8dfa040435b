//! The aiproviders MCP tools.
//!
//! [`McpServer`] is an rmcp `ServerHandler`: it lists the tools of [`tools`] and runs a call
//! by resolving the caller's [`Principal`], parsing the arguments ([`args`]), calling the
//! service, and mapping the outcome to a `CallToolResult` ([`result`]): `structuredContent`
//! plus the same JSON as text on success, `isError` with `{"error": {code, message}}` on
//! failure. Transport (Streamable HTTP or stdio) and authentication are the binary's job.

mod args;
mod handlers;
mod metrics;
mod render_cache;
mod result;
mod schemas;
mod server;
mod tools;

pub use metrics::ToolMetrics;
pub use server::{McpServer, McpState, PrincipalSource};
