//! Structured logs on stderr: `RUST_LOG` filters (default `info`), JSON when
//! `AIPROVIDERS_LOG_FORMAT=json`.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,rmcp=warn"));
    let json =
        std::env::var("AIPROVIDERS_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true);
    if json {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
}
