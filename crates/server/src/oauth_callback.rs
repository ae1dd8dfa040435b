//! `GET /oauth/callback/ai-provider?code=…&state=…`: where a provider's consent page sends
//! the browser. The state (the only credential here) says whose consent it was; the service
//! completes the exchange and this module shows a small page saying what happened. Opened as
//! a popup, the page tells its opener (`postMessage`, no secrets in it) and closes.

use std::collections::HashMap;

use aiproviders_service::CallbackOutcome;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::http::AppState;

pub async fn callback(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let code = params.get("code").map(String::as_str);
    let oauth_state = params.get("state").map(String::as_str);
    // A provider reports a refused consent with `error` (RFC 6749 §4.1.2.1).
    if params.contains_key("error") && code.is_none() {
        return page(
            StatusCode::BAD_REQUEST,
            &Message::failed("the provider did not grant access; nothing was stored"),
        );
    }
    match state.services.oauth_callback(code, oauth_state).await {
        CallbackOutcome::Connected { provider, key } => page(
            StatusCode::OK,
            &Message {
                ok: true,
                title: "Connected",
                text: format!(
                    "{provider} is connected: the key {} is stored as \u{201c}{}\u{201d}. You can close this window.",
                    key.key.masked_key.as_str(),
                    key.key.label.as_str()
                ),
                provider: Some(provider.as_str()),
                key_id: Some(key.key.id.to_string()),
            },
        ),
        CallbackOutcome::Failed { message } => {
            page(StatusCode::BAD_REQUEST, &Message::failed(&message))
        }
    }
}

struct Message {
    ok: bool,
    title: &'static str,
    text: String,
    provider: Option<&'static str>,
    key_id: Option<String>,
}

impl Message {
    fn failed(text: &str) -> Self {
        Self {
            ok: false,
            title: "Not connected",
            text: format!("{text}. Nothing was stored."),
            provider: None,
            key_id: None,
        }
    }
}

fn page(status: StatusCode, message: &Message) -> Response {
    // The message to the opener: JSON, with `<` escaped so it cannot close the script tag.
    let payload = serde_json::json!({
        "type": "aiproviders:oauth",
        "ok": message.ok,
        "providerId": message.provider,
        "keyId": message.key_id,
    })
    .to_string()
    .replace('<', "\\u003c");
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} \u{2014} aiproviders</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}}</style>\
         </head><body><h1>{title}</h1><p>{text}</p>\
         <script>(function(){{var m={payload};if(window.opener){{try{{window.opener.postMessage(m,\"*\");}}catch(e){{}}window.close();}}}})();</script>\
         </body></html>\n",
        title = message.title,
        text = escape_html(&message.text),
    );
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The URL carries the code and the state: never send it on.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_html("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }
}
