//! The one HTTP client policy every adapter goes through.
//!
//! - Base URL pinning: a URL is always `{configured base of this provider}{fixed path}`, with
//!   query values encoded by the URL library (never pasted into the string).
//! - Redirects are not followed (a credential is only ever sent to its own provider's base),
//!   no proxy is taken from the environment, connect and total timeouts apply.
//! - Bodies are read as a stream and refused past a size cap.
//! - Statuses map to [`UpstreamError`] in one place.
//!
//! Credentials travel only in headers marked sensitive; nothing here logs or formats them.

use std::time::Duration;

use aiproviders_domain::{ApiKey, ProviderId};
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::UpstreamError;

/// How long and how much the service waits for a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpstreamLimits {
    pub connect_timeout: Duration,
    /// For one request, body included.
    pub total_timeout: Duration,
    /// The largest successful response body read.
    pub max_body_bytes: usize,
}

impl Default for UpstreamLimits {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(30),
            max_body_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Error bodies are only read for their error details; a little is plenty.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// How a request carries the credential.
#[derive(Clone, Copy)]
pub(crate) enum Credential<'a> {
    None,
    /// `Authorization: Bearer <key>`.
    Bearer(&'a ApiKey),
    /// The key alone in a named header (`x-api-key`, `x-goog-api-key`).
    Header(&'static str, &'a ApiKey),
}

/// One GET to one provider.
pub(crate) struct Get<'a> {
    pub provider: ProviderId,
    /// The configured base URL of `provider`, e.g. `https://api.anthropic.com`.
    pub base: &'a str,
    /// A fixed path, e.g. `/v1/models`.
    pub path: &'static str,
    pub query: Vec<(&'static str, String)>,
    pub credential: Credential<'a>,
    pub headers: &'static [(&'static str, &'static str)],
}

/// One POST with a JSON body to one provider: `{base}{path}`, no query.
pub(crate) struct Post<'a> {
    pub provider: ProviderId,
    /// The configured base URL of `provider`.
    pub base: &'a str,
    /// A fixed path, e.g. `/api/v1/auth/keys`.
    pub path: &'static str,
    pub credential: Credential<'a>,
    pub body: JsonBody,
}

/// A JSON request body, serialized once into a buffer of exactly its size that is wiped
/// when the client drops it, so a secret in it (a PKCE verifier) does not linger in freed
/// memory. It is never logged or formatted.
pub(crate) struct JsonBody(Bytes);

impl JsonBody {
    pub fn new<T: Serialize>(provider: ProviderId, value: &T) -> Result<Self, UpstreamError> {
        let failed = |_| UpstreamError::unavailable(provider, "the request could not be encoded");
        // Measured first so the buffer never reallocates (leaving an unwiped copy behind).
        let mut counter = Counter(0);
        serde_json::to_writer(&mut counter, value).map_err(failed)?;
        let mut buffer = Zeroizing::new(Vec::with_capacity(counter.0));
        serde_json::to_writer(&mut *buffer, value).map_err(failed)?;
        Ok(Self(Bytes::from_owner(buffer)))
    }

    #[cfg(test)]
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }
}

struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A response, body read (capped).
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// One request, URL built and pinned.
struct Call<'a> {
    provider: ProviderId,
    method: reqwest::Method,
    url: Url,
    /// The fixed path, for the log.
    path: &'a str,
    credential: Credential<'a>,
    headers: &'static [(&'static str, &'static str)],
    body: Option<JsonBody>,
}

#[derive(Debug)]
pub(crate) struct Http {
    /// `None` when the client could not be built (no TLS backend): every call then fails
    /// as unavailable instead of the process panicking.
    client: Option<reqwest::Client>,
    limits: UpstreamLimits,
}

impl Http {
    pub fn new(limits: UpstreamLimits) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.total_timeout)
            .user_agent(concat!("aiproviders/", env!("CARGO_PKG_VERSION")))
            .build()
            .inspect_err(|err| {
                tracing::error!(error = %err, "could not build the HTTP client for providers")
            })
            .ok();
        Self { client, limits }
    }

    /// Sends the request and reads the body: up to the size cap on success, a little of it
    /// otherwise. Any status is returned; see [`check`] / [`status_error`].
    pub async fn get(&self, get: Get<'_>) -> Result<Reply, UpstreamError> {
        self.get_with_segments(get, &[]).await
    }

    /// [`Http::get`] with `segments` appended to the fixed path, each percent-encoded as one
    /// path segment (for an id inside the path). See [`endpoint_with_segments`].
    pub async fn get_with_segments(
        &self,
        get: Get<'_>,
        segments: &[&str],
    ) -> Result<Reply, UpstreamError> {
        let url = endpoint_with_segments(get.provider, get.base, get.path, segments, &get.query)?;
        self.send(Call {
            provider: get.provider,
            method: reqwest::Method::GET,
            url,
            path: get.path,
            credential: get.credential,
            headers: get.headers,
            body: None,
        })
        .await
    }

    /// Sends a JSON body (`Content-Type: application/json`); the reply is read like
    /// [`Http::get`]'s.
    pub async fn post(&self, post: Post<'_>) -> Result<Reply, UpstreamError> {
        let url = endpoint(post.provider, post.base, post.path, &[])?;
        self.send(Call {
            provider: post.provider,
            method: reqwest::Method::POST,
            url,
            path: post.path,
            credential: post.credential,
            headers: &[],
            body: Some(post.body),
        })
        .await
    }

    async fn send(&self, call: Call<'_>) -> Result<Reply, UpstreamError> {
        let provider = call.provider;
        let client = self.client.as_ref().ok_or_else(|| {
            UpstreamError::unavailable(provider, "the HTTP client could not be initialised")
        })?;
        let mut request = client
            .request(call.method, call.url)
            .header(reqwest::header::ACCEPT, "application/json");
        for (name, value) in call.headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = call.body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.0);
        }
        request = match call.credential {
            Credential::None => request,
            Credential::Bearer(key) => request.header(
                reqwest::header::AUTHORIZATION,
                secret_header(provider, "Bearer ", key)?,
            ),
            Credential::Header(name, key) => request.header(
                HeaderName::from_static(name),
                secret_header(provider, "", key)?,
            ),
        };
        tracing::debug!(%provider, path = call.path, "calling provider");
        let mut response = request
            .send()
            .await
            .map_err(|err| self.transport_error(provider, err))?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = if status.is_success() {
            self.read_capped(provider, response, self.limits.max_body_bytes)
                .await?
        } else {
            // Only error details are wanted from it; an unreadable one is no body.
            self.read_capped(provider, response, ERROR_BODY_LIMIT)
                .await
                .unwrap_or_default()
        };
        tracing::debug!(%provider, path = call.path, status = status.as_u16(), "provider answered");
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    async fn read_capped(
        &self,
        provider: ProviderId,
        mut response: reqwest::Response,
        cap: usize,
    ) -> Result<Vec<u8>, UpstreamError> {
        let too_large = || {
            UpstreamError::unavailable(
                provider,
                format!("response too large (over {})", fmt_bytes(cap)),
            )
        };
        let declared = response.content_length();
        if declared.is_some_and(|len| len > cap as u64) {
            return Err(too_large());
        }
        let initial = declared.map_or(0, |len| len as usize).min(1024 * 1024);
        let mut body = Vec::with_capacity(initial);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| self.transport_error(provider, err))?
        {
            if body.len() + chunk.len() > cap {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn transport_error(&self, provider: ProviderId, err: reqwest::Error) -> UpstreamError {
        let err = err.without_url();
        tracing::debug!(%provider, error = %err, "provider request failed");
        let reason = if err.is_connect() {
            if err.is_timeout() {
                format!(
                    "could not connect: timed out after {}",
                    fmt_duration(self.limits.connect_timeout)
                )
            } else {
                "could not connect".to_owned()
            }
        } else if err.is_timeout() {
            format!(
                "timed out after {}",
                fmt_duration(self.limits.total_timeout)
            )
        } else if err.is_body() || err.is_decode() {
            "the response was cut off".to_owned()
        } else {
            "the request failed".to_owned()
        };
        UpstreamError::unavailable(provider, reason)
    }
}

/// `{base}{path}` plus query parameters. The base must be an absolute http(s) URL without
/// query or fragment; a trailing `/` on it is ignored.
pub(crate) fn endpoint(
    provider: ProviderId,
    base: &str,
    path: &str,
    query: &[(&str, String)],
) -> Result<Url, UpstreamError> {
    let invalid =
        || UpstreamError::unavailable(provider, "its configured base URL is not a valid URL");
    let base = base.trim().trim_end_matches('/');
    let parsed = Url::parse(base).map_err(|_| invalid())?;
    let plausible = matches!(parsed.scheme(), "http" | "https")
        && parsed.host_str().is_some_and(|h| !h.is_empty())
        && !base.contains(['?', '#']);
    if !plausible {
        return Err(invalid());
    }
    let mut url = Url::parse(&format!("{base}{path}")).map_err(|_| invalid())?;
    if url.host_str() != parsed.host_str() || url.port() != parsed.port() {
        return Err(invalid());
    }
    if !query.is_empty() {
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
    }
    Ok(url)
}

/// [`endpoint`] with `segments` appended to the path, each percent-encoded as one segment
/// (`/` included). An empty, `.` or `..` segment is refused: it would change the path's
/// meaning.
pub(crate) fn endpoint_with_segments(
    provider: ProviderId,
    base: &str,
    path: &str,
    segments: &[&str],
    query: &[(&str, String)],
) -> Result<Url, UpstreamError> {
    let mut url = endpoint(provider, base, path, query)?;
    if segments.is_empty() {
        return Ok(url);
    }
    if segments.iter().any(|s| matches!(*s, "" | "." | "..")) {
        return Err(UpstreamError::unavailable(
            provider,
            "a path segment of the request is not usable",
        ));
    }
    url.path_segments_mut()
        .map_err(|()| {
            UpstreamError::unavailable(provider, "its configured base URL is not a valid URL")
        })?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

fn secret_header(
    provider: ProviderId,
    prefix: &str,
    key: &ApiKey,
) -> Result<HeaderValue, UpstreamError> {
    let mut value =
        HeaderValue::from_str(&format!("{prefix}{}", key.expose_secret())).map_err(|_| {
            UpstreamError::Unsupported {
                provider,
                what: "credentials with characters other than visible ASCII",
            }
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// `Ok` for a 2xx reply, else the generic mapping of [`status_error`].
pub(crate) fn check(provider: ProviderId, reply: &Reply) -> Result<(), UpstreamError> {
    if reply.status.is_success() {
        Ok(())
    } else {
        Err(status_error(provider, reply.status, &reply.headers))
    }
}

/// The generic status mapping (non-2xx).
pub(crate) fn status_error(
    provider: ProviderId,
    status: StatusCode,
    headers: &HeaderMap,
) -> UpstreamError {
    let code = status.as_u16();
    match code {
        300..=399 => UpstreamError::unavailable(
            provider,
            format!("redirected (HTTP {code}); redirects are not followed"),
        ),
        401 | 403 => UpstreamError::Auth {
            provider,
            status: code,
        },
        402 => UpstreamError::InsufficientCredits { provider },
        429 => UpstreamError::RateLimited {
            provider,
            retry_after_seconds: retry_after(headers),
        },
        _ => UpstreamError::unavailable(provider, format!("answered HTTP {code}")),
    }
}

/// `retry-after-ms` (Anthropic; takes precedence, rounded up to seconds) or `Retry-After`
/// in seconds. An HTTP-date `Retry-After` is not used.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<u64> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(ms) = header("retry-after-ms").and_then(parse_non_negative) {
        return Some(ceil_u64(ms / 1000.0));
    }
    header("retry-after")
        .and_then(parse_non_negative)
        .map(ceil_u64)
}

pub(crate) fn parse_non_negative(text: &str) -> Option<f64> {
    let value: f64 = text.trim().parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value)
}

pub(crate) fn ceil_u64(value: f64) -> u64 {
    // `as` saturates; the value is finite and not negative.
    value.ceil() as u64
}

/// Parses a successful body; a syntax error or a wrong shape is the provider being
/// unavailable (a proxy's error page, a truncated body, an API change).
pub(crate) fn parse_json<'de, T: Deserialize<'de>>(
    provider: ProviderId,
    body: &'de [u8],
) -> Result<T, UpstreamError> {
    // A UTF-8 body is read as text, whose strings then need no UTF-8 check of their own;
    // any other is read as bytes, to fail where and as it always did.
    let parsed = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    };
    parsed.map_err(|err| {
        let reason = match err.classify() {
            serde_json::error::Category::Data => "unexpected JSON shape in the response",
            _ => "malformed JSON in the response",
        };
        UpstreamError::unavailable(provider, reason)
    })
}

fn fmt_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

fn fmt_bytes(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_pinned_to_the_base() {
        let url = endpoint(
            ProviderId::Google,
            "https://example.test/",
            "/v1beta/models",
            &[("pageToken", "a&key=b c".into())],
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://example.test/v1beta/models?pageToken=a%26key%3Db+c"
        );
        let prefixed = endpoint(ProviderId::Deco, "http://gw.test/x", "/api/v1/models", &[]);
        assert_eq!(prefixed.unwrap().as_str(), "http://gw.test/x/api/v1/models");
        for bad in [
            "",
            "example.test",
            "ftp://x.test",
            "https://x.test/?a=1",
            "http://",
        ] {
            assert!(
                endpoint(ProviderId::Anthropic, bad, "/v1/models", &[]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn segments_are_encoded_one_each() {
        let url = endpoint_with_segments(
            ProviderId::Deco,
            "http://gw.test/x/",
            "/api/teams",
            &["a b/c?d#e%f", "balance"],
            &[],
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "http://gw.test/x/api/teams/a%20b%2Fc%3Fd%23e%25f/balance"
        );
        assert_eq!(url.path_segments().unwrap().count(), 5);
        for bad in ["", ".", ".."] {
            assert!(
                endpoint_with_segments(ProviderId::Deco, "http://gw.test", "/t", &[bad], &[])
                    .is_err(),
                "{bad:?}"
            );
        }
        let plain = endpoint_with_segments(ProviderId::Deco, "http://gw.test", "/t", &[], &[]);
        assert_eq!(plain.unwrap().as_str(), "http://gw.test/t");
    }

    #[test]
    fn json_bodies_are_exact() {
        let value = serde_json::json!({"code": "c", "code_verifier": "v".repeat(100)});
        let body = JsonBody::new(ProviderId::OpenRouter, &value).unwrap();
        assert_eq!(body.as_slice(), serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn statuses_map_to_errors() {
        let none = HeaderMap::new();
        let map = |code: u16| {
            status_error(
                ProviderId::OpenRouter,
                StatusCode::from_u16(code).unwrap(),
                &none,
            )
        };
        assert!(matches!(map(401), UpstreamError::Auth { status: 401, .. }));
        assert!(matches!(map(403), UpstreamError::Auth { status: 403, .. }));
        assert!(matches!(
            map(402),
            UpstreamError::InsufficientCredits { .. }
        ));
        assert!(matches!(
            map(429),
            UpstreamError::RateLimited {
                retry_after_seconds: None,
                ..
            }
        ));
        for code in [302, 400, 404, 500, 503, 529] {
            assert!(
                matches!(map(code), UpstreamError::Unavailable { .. }),
                "{code}"
            );
        }
        assert!(map(302).to_string().contains("redirects are not followed"));
        assert_eq!(
            map(529).to_string(),
            "openrouter is unavailable: answered HTTP 529"
        );
    }

    #[test]
    fn retry_after_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("17"));
        assert_eq!(retry_after(&headers), Some(17));
        headers.insert("retry-after-ms", HeaderValue::from_static("1500"));
        assert_eq!(retry_after(&headers), Some(2));
        let mut date = HeaderMap::new();
        date.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&date), None);
        date.insert("retry-after", HeaderValue::from_static("-3"));
        assert_eq!(retry_after(&date), None);
    }

    #[test]
    fn json_failures_are_unavailable() {
        let truncated = parse_json::<serde_json::Value>(ProviderId::OpenRouter, b"{\"data\":[");
        assert_eq!(
            truncated.unwrap_err().to_string(),
            "openrouter is unavailable: malformed JSON in the response"
        );
        #[derive(serde::Deserialize, Debug)]
        struct Envelope {
            #[allow(dead_code)]
            data: Vec<serde_json::Value>,
        }
        let shape = parse_json::<Envelope>(ProviderId::OpenRouter, b"{\"models\":[]}");
        assert!(
            shape
                .unwrap_err()
                .to_string()
                .contains("unexpected JSON shape")
        );
    }

    #[test]
    fn formatting() {
        assert_eq!(fmt_duration(Duration::from_secs(30)), "30 s");
        assert_eq!(fmt_duration(Duration::from_millis(300)), "300 ms");
        assert_eq!(fmt_bytes(16 * 1024 * 1024), "16 MiB");
        assert_eq!(fmt_bytes(1000), "1000 bytes");
    }
}
