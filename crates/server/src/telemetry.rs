//! Structured logs on stderr: `RUST_LOG` filters (default `info`), JSON when
//! `AIPROVIDERS_LOG_FORMAT=json`.
//!
//! The MCP SDK's debug and trace events print whole JSON-RPC messages, tool arguments
//! (provider secrets) included, so events of the `rmcp` crates are capped at `info`
//! whatever `RUST_LOG` asks for.

use tracing::Level;
use tracing_subscriber::filter::{EnvFilter, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Targets whose verbose events may carry request payloads.
const PAYLOAD_LOGGING_TARGETS: [&str; 1] = ["rmcp"];

pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,rmcp=warn"));
    let no_payloads = filter_fn(|meta| {
        *meta.level() <= Level::INFO
            || !meta
                .target()
                .split("::")
                .next()
                .is_some_and(|root| PAYLOAD_LOGGING_TARGETS.contains(&root))
    });
    let json =
        std::env::var("AIPROVIDERS_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(no_payloads);
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(true);
    if json {
        registry.with(fmt.json().flatten_event(true)).init();
    } else {
        registry.with(fmt).init();
    }
}
