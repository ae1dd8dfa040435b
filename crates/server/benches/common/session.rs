//! A minimal MCP client for the benchmarks: one session over raw JSON-RPC on Streamable
//! HTTP (reqwest), so the client adds as little as possible to what is measured.

use serde_json::{Value, json};

/// One MCP session over raw HTTP.
pub struct Session {
    http: reqwest::Client,
    url: String,
    token: String,
    id: String,
    next: u64,
}

impl Session {
    pub async fn open(base_url: &str, token: &str) -> Self {
        let http = reqwest::Client::new();
        let url = format!("{base_url}/mcp");
        let response = http
            .post(&url)
            .bearer_auth(token)
            .header("accept", "application/json, text/event-stream")
            .json(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}))
            .send()
            .await
            .unwrap();
        // Absent when the server runs without sessions.
        let id = response
            .headers()
            .get("mcp-session-id")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        response.text().await.unwrap();
        let session = Self {
            http,
            url,
            token: token.to_owned(),
            id,
            next: 1,
        };
        session
            .post(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        session
    }

    async fn post(&self, body: Value) -> String {
        let mut request = self.http.post(&self.url);
        if !self.id.is_empty() {
            request = request.header("mcp-session-id", &self.id);
        }
        let response = request
            .bearer_auth(&self.token)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-11-25")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        response.text().await.unwrap()
    }

    /// Calls a tool and returns the raw response body (an SSE event or plain JSON);
    /// panics when the tool reports an error.
    pub async fn call(&mut self, tool: &str, arguments: Value) -> String {
        self.next += 1;
        let text = self
            .post(
                json!({"jsonrpc": "2.0", "id": self.next, "method": "tools/call",
                "params": {"name": tool, "arguments": arguments}}),
            )
            .await;
        assert!(
            !text.contains("\"isError\":true"),
            "{tool} failed: {}",
            &text[..text.len().min(400)]
        );
        text
    }
}

/// The `structuredContent` of a tool call's response body (SSE `data:` lines or plain JSON).
pub fn structured(body: &str) -> Value {
    let json = if body.trim_start().starts_with('{') {
        body.trim()
    } else {
        body.lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .map(str::trim)
            .find(|data| data.contains("\"result\""))
            .expect("a JSON-RPC result event")
    };
    let message: Value = serde_json::from_str(json).expect("JSON-RPC response");
    message["result"]["structuredContent"].clone()
}
