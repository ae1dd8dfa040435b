//! Playing the user's browser in an OAuth consent.

use std::time::Duration;

use crate::behavior::parse_query;

/// GETs `consent_url` (a fake's `/auth` or `/oauth/authorize` URL, as the service built it)
/// without following redirects, and returns the `Location` of its redirect: the callback URL
/// with the `code` appended after its own query (e.g. the service's `state`). `Err` describes
/// any other answer (status and body) or a transport failure.
pub async fn consent(consent_url: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| format!("consent: client: {e}"))?;
    let resp = client
        .get(consent_url)
        .send()
        .await
        .map_err(|e| format!("consent: GET {consent_url}: {e}"))?;
    let status = resp.status();
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match location {
        Some(location) if status.is_redirection() => Ok(location),
        _ => {
            let body = resp.text().await.unwrap_or_default();
            Err(format!("consent: GET {consent_url}: {status}: {body}"))
        }
    }
}

/// The first value of query parameter `name` in `url` (percent-decoded; the fragment is
/// ignored), e.g. `code` or `state` of the location [`consent`] returned.
pub fn callback_param(url: &str, name: &str) -> Option<String> {
    let url = url.split_once('#').map_or(url, |(u, _)| u);
    let (_, query) = url.split_once('?')?;
    parse_query(query)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}
