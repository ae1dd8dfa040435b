//! Integration tests of the fakes, driven with a plain HTTP client.

mod anthropic;
mod behaviors;
mod chat_anthropic;
mod chat_failures;
mod chat_gemini;
mod chat_openai;
mod deco;
mod google;
mod oauth;
mod openrouter;

use std::time::Duration;

use serde_json::Value;

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Status, headers and body parsed as JSON.
pub async fn get_json(req: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.expect("body");
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, headers, json)
}

/// Reads a streamed body to its end: the text received and whether the body failed.
pub async fn read_stream(mut resp: reqwest::Response) -> (String, bool) {
    let mut body = Vec::new();
    let failed = loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break false,
            Err(_) => break true,
        }
    };
    (String::from_utf8(body).expect("UTF-8 body"), failed)
}

/// One server-sent event: its `event:` name, if any, and its `data:`.
#[derive(Debug)]
pub struct Event {
    pub name: Option<String>,
    pub data: String,
}

impl Event {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {}", self.data))
    }
}

/// The complete events of an SSE body (blocks ended by a blank line, `\n` or `\r\n` line
/// ends); asserts nothing follows the last complete event.
pub fn sse(body: &str) -> Vec<Event> {
    let body = body.replace("\r\n", "\n");
    let mut blocks: Vec<&str> = body.split("\n\n").collect();
    assert_eq!(
        blocks.pop(),
        Some(""),
        "a partial event at the end: {body:?}"
    );
    blocks
        .into_iter()
        .map(|block| {
            let mut event = Event {
                name: None,
                data: String::new(),
            };
            for line in block.lines() {
                if let Some(name) = line.strip_prefix("event: ") {
                    event.name = Some(name.to_owned());
                } else if let Some(data) = line.strip_prefix("data: ") {
                    event.data.push_str(data);
                } else {
                    panic!("unexpected SSE line {line:?}");
                }
            }
            event
        })
        .collect()
}
