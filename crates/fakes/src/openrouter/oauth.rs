//! OpenRouter OAuth PKCE (reference §3.4): the consent page `GET /auth`, simulated as a user
//! who agrees at once, and the exchange `POST /api/v1/auth/keys`.

use axum::http::Method;
use serde_json::{Value, json};

use super::error;
use crate::account::Account;
use crate::oauth::{ChallengeMethod, Refusal, random_hex, usable_callback, with_param};
use crate::server::{Incoming, Reply};

/// The OAuth routes, or `None` for any other path.
pub(super) fn respond(account: &Account, req: &Incoming) -> Option<Reply> {
    let reply = match (req.path.as_str(), &req.method) {
        ("/auth", &Method::GET) => consent(account, req),
        ("/api/v1/auth/keys", &Method::POST) => exchange(account, req),
        ("/auth" | "/api/v1/auth/keys", _) => error(405, "Method Not Allowed"),
        _ => return None,
    };
    Some(reply)
}

/// `?callback_url=…&code_challenge=…&code_challenge_method=S256` → 302 to
/// `callback_url` plus `code`. Without a challenge the code needs no verifier; `plain` is
/// accepted as at OpenRouter; a challenge without a method is refused (no silent `plain`).
fn consent(account: &Account, req: &Incoming) -> Reply {
    let Some(callback) = req.param("callback_url").filter(|c| !c.is_empty()) else {
        return error(400, "Missing callback_url");
    };
    if !usable_callback(callback) {
        return error(400, "Invalid callback_url");
    }
    let challenge = match (
        req.param("code_challenge"),
        req.param("code_challenge_method"),
    ) {
        (None | Some(""), None | Some("")) => None,
        (Some(challenge), Some(method)) if !challenge.is_empty() => {
            match ChallengeMethod::parse(method) {
                Some(m) => Some((m, challenge.to_owned())),
                None => return error(400, "Invalid code_challenge_method"),
            }
        }
        (Some(_), _) => return error(400, "Invalid code_challenge_method"),
        (None, Some(_)) => return error(400, "Missing code_challenge"),
    };
    let code = account.codes.issue(challenge);
    Reply::redirect(302, &with_param(callback, "code", &code))
}

/// `{code, code_verifier?, code_challenge_method?}` → `{key, user_id}`.
fn exchange(account: &Account, req: &Incoming) -> Reply {
    let Some(body) = req.json_object() else {
        return error(400, "Invalid request body");
    };
    let Some(code) = body.get("code").and_then(Value::as_str) else {
        return error(400, "Invalid request body");
    };
    let method = match body.get("code_challenge_method") {
        None | Some(Value::Null) => None,
        Some(Value::String(m)) => match ChallengeMethod::parse(m) {
            Some(m) => Some(m),
            None => return error(400, "Invalid code_challenge_method"),
        },
        Some(_) => return error(400, "Invalid code_challenge_method"),
    };
    let verifier = body.get("code_verifier").and_then(Value::as_str);
    match account.codes.redeem(code, method, verifier) {
        Ok(_) => {
            let key = format!("sk-or-v1-{}", random_hex(64));
            account.issued(&key);
            let user_id = format!("user_{}", random_hex(27));
            Reply::json(200, json!({"key": key, "user_id": user_id}).to_string())
        }
        Err(Refusal::Expired) => error(403, "Authorization code expired"),
        Err(Refusal::UnknownCode | Refusal::BadVerifier) => {
            error(403, "Invalid code or code_verifier")
        }
    }
}
