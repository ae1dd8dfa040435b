use std::sync::Arc;
use std::time::Instant;

use aiproviders_domain::Principal;
use aiproviders_service::Services;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};

use crate::args::Args;
use crate::metrics::ToolCallLabels;
use crate::result::{ToolError, failure, success};

use crate::render_cache::RenderCache;
use crate::{ToolMetrics, handlers, tools};

/// Where a call's principal comes from.
#[derive(Clone)]
pub enum PrincipalSource {
    /// Streamable HTTP: the authentication middleware put it in the request's extensions.
    HttpRequest,
    /// stdio: the principal of `AIPROVIDERS_TOKEN`, resolved at start.
    Fixed(Principal),
}

/// What every session of the MCP server shares: the services, the metrics and the
/// rendered key lists. Cheap to clone.
#[derive(Clone)]
pub struct McpState {
    services: Arc<Services>,
    metrics: ToolMetrics,
    renders: RenderCache,
}

impl McpState {
    pub fn new(services: Arc<Services>, metrics: ToolMetrics) -> Self {
        Self {
            services,
            metrics,
            renders: RenderCache::default(),
        }
    }
}

/// The MCP server: one per session (cheap to make; the state is shared).
#[derive(Clone)]
pub struct McpServer {
    state: McpState,
    principal: PrincipalSource,
}

impl McpServer {
    pub fn new(state: McpState, principal: PrincipalSource) -> Self {
        Self { state, principal }
    }

    fn principal<'a>(&'a self, context: &'a RequestContext<RoleServer>) -> Option<&'a Principal> {
        match &self.principal {
            PrincipalSource::Fixed(principal) => Some(principal),
            PrincipalSource::HttpRequest => context
                .extensions
                .get::<http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<Principal>()),
        }
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("aiproviders", env!("CARGO_PKG_VERSION"))
                    .with_title("aiproviders"),
            )
            .with_instructions(
                "Manage the organization's AI provider credentials: list providers, store, list, \
                 rename, check and delete provider keys, list the models each key can use, \
                 read and set the model permission policy, see connected providers and the \
                 audit log.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(tools::TOOLS.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let Some(tool) = tools::known_name(&request.name) else {
            return Err(McpError::invalid_params(
                format!(
                    "Unknown tool: {}",
                    request.name.chars().take(128).collect::<String>()
                ),
                None,
            ));
        };
        let started = Instant::now();
        let outcome = match self.principal(&context) {
            None => Err(ToolError::Unauthenticated),
            Some(principal) => {
                let caller = self.state.services.caller(principal);
                handlers::run(
                    &caller,
                    &self.state.renders,
                    tool,
                    Args::new(request.arguments),
                )
                .await
            }
        };
        let (result, outcome_label) = match outcome {
            Ok(value) => (success(value), "ok"),
            Err(error) => {
                if error.code() == aiproviders_domain::ErrorCode::Internal {
                    tracing::error!(tool, %error, "tool call failed");
                }
                (failure(&error), error.code().as_str())
            }
        };
        self.state.metrics.observe(
            ToolCallLabels {
                tool,
                outcome: outcome_label,
            },
            started.elapsed().as_secs_f64(),
        );
        tracing::debug!(tool, outcome = outcome_label, "tool call");
        Ok(result.into())
    }
}
