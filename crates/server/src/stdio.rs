//! `aiproviders mcp`: the MCP tools over stdin/stdout, as the principal of
//! `AIPROVIDERS_TOKEN`. Logs go to stderr, never stdout.

use aiproviders_mcp::{McpServer, McpState, PrincipalSource, ToolMetrics};
use rmcp::ServiceExt;

use crate::settings::Settings;
use crate::startup::{AppError, open_services};
use crate::token;

pub async fn run(settings: Settings) -> Result<(), AppError> {
    let presented = std::env::var("AIPROVIDERS_TOKEN").unwrap_or_default();
    let services = open_services(&settings, false).await?;
    let principal = match token::hash(presented.trim()) {
        Some(hash) => services.store().authenticate(&hash).await?,
        None => None,
    }
    .ok_or_else(|| {
        AppError::Usage("AIPROVIDERS_TOKEN is missing or not a valid access token".into())
    })?;
    tracing::info!(org = %principal.org_id(), user = %principal.user_id(), role = %principal.role(), "serving MCP on stdio");
    let server = McpServer::new(
        McpState::new(services.clone(), ToolMetrics::default()),
        PrincipalSource::Fixed(principal),
    );
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| AppError::Usage(format!("MCP session did not start: {e}")))?;
    let _ = running.waiting().await;
    services.store().close().await;
    Ok(())
}
