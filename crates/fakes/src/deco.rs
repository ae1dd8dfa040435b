//! The Deco AI Gateway routes besides `GET /api/v1/models`: OAuth PKCE
//! (`GET /oauth/authorize`, `POST /oauth/token`, OAuth-style errors) and credits
//! (`GET /api/teams/{organizationId}/balance`, `POST /api/credits/topup`, Bearer key).

use axum::http::Method;
use serde_json::{Value, json};

use crate::account::Account;
use crate::behavior::decode;
use crate::oauth::{ChallengeMethod, Refusal, encode, random_hex, usable_callback, with_param};
use crate::server::{Incoming, Reply, is_revoked};

/// `{"error": code, "error_description": description}` (RFC 6749 §5.2).
fn oauth_error(status: u16, code: &str, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": code, "error_description": description}).to_string(),
    )
}

fn plain_error(status: u16, code: &str) -> Reply {
    Reply::json(status, json!({"error": code}).to_string())
}

/// Deco's routes, or `None` for any other path.
pub(crate) fn respond(account: &Account, req: &Incoming) -> Option<Reply> {
    let path = req.path.as_str();
    let org = path
        .strip_prefix("/api/teams/")
        .and_then(|rest| rest.strip_suffix("/balance"))
        .filter(|org| !org.is_empty() && !org.contains('/'));
    let reply = match (path, &req.method, org) {
        (_, &Method::GET, Some(org)) => balance(account, req, &decode(org, false)),
        ("/oauth/authorize", &Method::GET, _) => authorize(account, req),
        ("/oauth/token", &Method::POST, _) => token(account, req),
        ("/api/credits/topup", &Method::POST, _) => topup(req),
        (_, _, Some(_)) | ("/oauth/authorize" | "/oauth/token" | "/api/credits/topup", _, _) => {
            plain_error(405, "method_not_allowed")
        }
        _ => return None,
    };
    Some(reply)
}

/// `?redirect_uri=…&code_challenge=…&code_challenge_method=S256&organization_id=…` → 302 to
/// `redirect_uri` plus `code` (and `state` when the consent URL carried one). PKCE with S256
/// is mandatory here.
fn authorize(account: &Account, req: &Incoming) -> Reply {
    let present = |name| req.param(name).filter(|v| !v.is_empty());
    let Some(redirect) = present("redirect_uri") else {
        return oauth_error(400, "invalid_request", "redirect_uri is required");
    };
    if !usable_callback(redirect) {
        return oauth_error(400, "invalid_request", "redirect_uri is not a valid URL");
    }
    let Some(challenge) = present("code_challenge") else {
        return oauth_error(400, "invalid_request", "code_challenge is required");
    };
    if present("code_challenge_method") != Some("S256") {
        return oauth_error(400, "invalid_request", "code_challenge_method must be S256");
    }
    if present("organization_id").is_none() {
        return oauth_error(400, "invalid_request", "organization_id is required");
    }
    let code = account
        .codes
        .issue(Some((ChallengeMethod::S256, challenge.to_owned())));
    let mut location = with_param(redirect, "code", &code);
    if let Some(state) = present("state") {
        location = with_param(&location, "state", state);
    }
    Reply::redirect(302, &location)
}

/// `{code, code_verifier, grant_type: "authorization_code"}` → `{key}`.
fn token(account: &Account, req: &Incoming) -> Reply {
    let Some(body) = req.json_object() else {
        return oauth_error(400, "invalid_request", "the body must be a JSON object");
    };
    if body.get("grant_type").and_then(Value::as_str) != Some("authorization_code") {
        return plain_error(400, "unsupported_grant_type");
    }
    let Some(code) = body.get("code").and_then(Value::as_str) else {
        return oauth_error(400, "invalid_request", "code is required");
    };
    let verifier = body.get("code_verifier").and_then(Value::as_str);
    match account
        .codes
        .redeem(code, Some(ChallengeMethod::S256), verifier)
    {
        Ok(_) => {
            let key = format!("deco-{}", random_hex(48));
            account.issued(&key);
            Reply::json(200, json!({"key": key}).to_string())
        }
        Err(Refusal::UnknownCode) => oauth_error(
            400,
            "invalid_grant",
            "authorization code is invalid or was already used",
        ),
        Err(Refusal::Expired) => oauth_error(400, "invalid_grant", "authorization code expired"),
        Err(Refusal::BadVerifier) => oauth_error(400, "invalid_grant", "code_verifier mismatch"),
    }
}

/// The Bearer key, unless missing or revoked.
fn authorized(req: &Incoming) -> bool {
    req.bearer().is_some_and(|k| !is_revoked(k))
}

fn balance(account: &Account, req: &Incoming, org: &str) -> Reply {
    if !authorized(req) {
        return plain_error(401, "unauthorized");
    }
    account.saw_organization(org);
    Reply::json(
        200,
        json!({"balance_cents": account.balance_cents()}).to_string(),
    )
}

/// `{amountCents: positive integer, currency: three letters}` → `{url}` (a checkout page).
fn topup(req: &Incoming) -> Reply {
    if !authorized(req) {
        return plain_error(401, "unauthorized");
    }
    let Some(body) = req.json_object() else {
        return oauth_error(400, "invalid_request", "the body must be a JSON object");
    };
    let Some(cents) = body
        .get("amountCents")
        .and_then(Value::as_u64)
        .filter(|c| *c > 0)
    else {
        return oauth_error(
            400,
            "invalid_request",
            "amountCents must be a positive integer",
        );
    };
    let Some(currency) = body
        .get("currency")
        .and_then(Value::as_str)
        .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()))
    else {
        return oauth_error(400, "invalid_request", "currency must be a 3-letter code");
    };
    let url = format!(
        "https://checkout.deco.example/session/{}?amount={cents}&currency={}",
        random_hex(24),
        encode(currency)
    );
    Reply::json(200, json!({"url": url}).to_string())
}
