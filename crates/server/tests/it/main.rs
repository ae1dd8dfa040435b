//! Integration tests: the real binary, a real database, a real MCP client.

mod harness;

mod bad_input;
mod cli;
mod dedupe;
mod http;
mod isolation;
mod leak;
mod model_cache;
mod models;
mod replicas;
mod shutdown;
mod stdio;
mod tools;
mod upstreams;
