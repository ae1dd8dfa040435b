//! Integration tests: the real binary, a real database, a real MCP client.

mod harness;

mod bad_input;
mod claude_cli;
mod cli;
mod credits;
mod dedupe;
mod gateway;
mod gateway_claude_code;
mod http;
mod isolation;
mod key_check;
mod leak;
mod model_cache;
mod models;
mod oauth;
mod policy;
mod replicas;
mod sdk;
mod shutdown;
mod stdio;
mod tools;
mod upstream_failures;
mod upstreams;
