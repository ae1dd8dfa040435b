use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Labels of a tool call: the tool (one of the fixed names, or `unknown`) and the outcome
/// (`ok` or an error code). Never a key, organization or user.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ToolCallLabels {
    pub tool: &'static str,
    pub outcome: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new([
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

/// Tool-call counts and latencies.
#[derive(Clone)]
pub struct ToolMetrics {
    calls: Family<ToolCallLabels, Counter>,
    latency: Family<ToolCallLabels, Histogram, fn() -> Histogram>,
}

impl Default for ToolMetrics {
    fn default() -> Self {
        Self {
            calls: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
        }
    }
}

impl ToolMetrics {
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "aiproviders_mcp_tool_calls",
            "MCP tool calls by tool and outcome",
            self.calls.clone(),
        );
        registry.register(
            "aiproviders_mcp_tool_call_duration_seconds",
            "MCP tool call latency by tool and outcome",
            self.latency.clone(),
        );
    }

    pub(crate) fn observe(&self, labels: ToolCallLabels, seconds: f64) {
        self.calls.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(seconds);
    }
}
