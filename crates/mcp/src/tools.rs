//! The tool table: names, descriptions, schemas and annotations. What each tool does is in
//! `handlers`.

use std::sync::{Arc, LazyLock};

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use crate::schemas;

struct ToolSpec {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    /// Reads only; members may call it.
    read_only: bool,
    destructive: bool,
    idempotent: bool,
    input: fn() -> Value,
    output: fn() -> Value,
}

const SPECS: &[ToolSpec] = &[
    ToolSpec {
        name: "AI_PROVIDERS_LIST",
        title: "List AI providers",
        description: "Lists the AI providers this server offers, with the ways to connect each (api-key, oauth-pkce, cli-activate) and whether it reports credits and supports top-ups.",
        read_only: true,
        destructive: false,
        idempotent: true,
        input: schemas::no_arguments,
        output: schemas::providers_list,
    },
    ToolSpec {
        name: "AI_PROVIDER_KEY_CREATE",
        title: "Store a provider API key",
        description: "Stores an API key for a provider in the caller's organization, encrypted at rest. Storing a secret that is already stored for that provider updates the existing record (created: false) instead of adding a second one. Owners and admins only.",
        read_only: false,
        destructive: false,
        idempotent: true,
        input: || {
            schemas::object(
                json!({
                    "providerId": schemas::provider_id(),
                    "label": schemas::label(),
                    "apiKey": {"type": "string", "minLength": 1, "maxLength": 4096, "description": "The provider secret. It is never returned."}
                }),
                &["providerId", "label", "apiKey"],
            )
        },
        output: schemas::key_record_with_created,
    },
    ToolSpec {
        name: "AI_PROVIDER_KEY_LIST",
        title: "List stored provider keys",
        description: "Lists the organization's stored provider keys, newest first, optionally of one provider. Secrets are never returned, only their last characters (maskedKey).",
        read_only: true,
        destructive: false,
        idempotent: true,
        input: || schemas::object(json!({"providerId": schemas::provider_id()}), &[]),
        output: schemas::key_list,
    },
    ToolSpec {
        name: "AI_PROVIDER_KEY_UPDATE",
        title: "Rename a provider key",
        description: "Changes the label of a stored provider key. Owners and admins only.",
        read_only: false,
        destructive: false,
        idempotent: true,
        input: || {
            schemas::object(
                json!({"keyId": schemas::key_id(), "label": schemas::label()}),
                &["keyId", "label"],
            )
        },
        output: schemas::key_record,
    },
    ToolSpec {
        name: "AI_PROVIDER_KEY_DELETE",
        title: "Delete a provider key",
        description: "Deletes a stored provider key and its encrypted secret. Owners and admins only.",
        read_only: false,
        destructive: true,
        idempotent: false,
        input: || schemas::object(json!({"keyId": schemas::key_id()}), &["keyId"]),
        output: schemas::success_flag,
    },
    ToolSpec {
        name: "AI_PROVIDERS_ACTIVE",
        title: "List connected providers",
        description: "Lists the providers for which the organization has at least one stored key, with the number of keys.",
        read_only: true,
        destructive: false,
        idempotent: true,
        input: schemas::no_arguments,
        output: schemas::active_providers,
    },
    ToolSpec {
        name: "AI_PROVIDERS_LIST_MODELS",
        title: "List a key's models",
        description: "Lists the models a stored key can use that the organization's policy allows the caller, with capabilities, limits and prices (USD per token; null when unknown). Served from a cache (see fetchedAt); stale is true when the list is older than the cache TTL, e.g. while the provider is failing. `provider_key_id` is accepted as an alias of keyId.",
        read_only: true,
        destructive: false,
        idempotent: true,
        input: schemas::key_id_argument,
        output: schemas::model_listing,
    },
    ToolSpec {
        name: "AI_PROVIDERS_REFRESH_MODELS",
        title: "Refresh a key's models",
        description: "Fetches the models of a stored key from its provider now (instead of the cache) and lists those the policy allows the caller. Fails with the provider's error when the provider cannot be reached or refuses the key.",
        read_only: true,
        destructive: false,
        idempotent: true,
        input: schemas::key_id_argument,
        output: schemas::model_listing,
    },
    ToolSpec {
        name: "AI_PROVIDER_KEY_CHECK",
        title: "Check a provider key",
        description: "Probes the provider with a stored key now (a cheap call) and returns the key record with its new status: valid, invalid (the provider refused it) or unknown (the provider could not be reached).",
        read_only: false,
        destructive: false,
        idempotent: true,
        input: schemas::key_id_argument,
        output: schemas::key_record,
    },
    ToolSpec {
        name: "AI_PROVIDER_MODEL_POLICY_GET",
        title: "Read the model policy",
        description: "Returns the organization's model permission policy ({\"default\":\"allow\",\"rules\":[]} when none was set).",
        read_only: true,
        destructive: false,
        idempotent: true,
        input: schemas::no_arguments,
        output: schemas::policy_document,
    },
    ToolSpec {
        name: "AI_PROVIDER_MODEL_POLICY_SET",
        title: "Replace the model policy",
        description: "Replaces the organization's model permission policy. Rules are evaluated in order; the first rule whose every condition matches decides, otherwise `default`. Conditions: roles, providers, keys, models (globs over modelId), capabilitiesMissing, maxInputCostPerMillion (matches models priced above it, or of unknown price). Owners and admins only; audited.",
        read_only: false,
        destructive: true,
        idempotent: true,
        input: schemas::policy_document,
        output: schemas::policy_document,
    },
    ToolSpec {
        name: "AI_PROVIDER_OAUTH_URL",
        title: "Start connecting a provider through OAuth",
        description: "Starts an OAuth PKCE consent for openrouter or deco. Returns the consent page URL to open, a single-use stateToken and when it expires (10 minutes). callbackUrl must be on this service's public origin; the provider sends the browser there with ?state=…&code=…. Finish with AI_PROVIDER_OAUTH_EXCHANGE, or use this service's /oauth/callback/ai-provider as the callbackUrl. Owners and admins only.",
        read_only: false,
        destructive: false,
        idempotent: false,
        input: || {
            schemas::object(
                json!({
                    "providerId": schemas::provider_id(),
                    "callbackUrl": {"type": "string", "format": "uri", "maxLength": 2048, "description": "Where the provider sends the browser back; must be on AIPROVIDERS_PUBLIC_URL's origin."}
                }),
                &["providerId", "callbackUrl"],
            )
        },
        output: schemas::oauth_start,
    },
    ToolSpec {
        name: "AI_PROVIDER_OAUTH_EXCHANGE",
        title: "Finish connecting a provider through OAuth",
        description: "Trades the authorization code of a consent started with AI_PROVIDER_OAUTH_URL for a key and stores it like AI_PROVIDER_KEY_CREATE (created: false when the same key was already stored). The stateToken works once, for the same user, organization and provider, within 10 minutes. Owners and admins only.",
        read_only: false,
        destructive: false,
        idempotent: false,
        input: || {
            schemas::object(
                json!({
                    "providerId": schemas::provider_id(),
                    "code": {"type": "string", "minLength": 1, "maxLength": 2048},
                    "stateToken": {"type": "string", "minLength": 1, "maxLength": 256},
                    "label": schemas::label()
                }),
                &["providerId", "code", "stateToken"],
            )
        },
        output: schemas::key_record_with_created,
    },
    ToolSpec {
        name: "AI_PROVIDER_CLI_ACTIVATE",
        title: "Use the local Claude Code CLI",
        description: "Looks for the Claude Code CLI on this machine (AIPROVIDERS_CLAUDE_BIN, PATH, the usual install places), reads its version and login state, and when it is logged in records a claude-code credential (no secret is read or stored; activating again keeps one record). Local mode only. Owners and admins only.",
        read_only: false,
        destructive: false,
        idempotent: true,
        input: schemas::no_arguments,
        output: schemas::cli_activation,
    },
    ToolSpec {
        name: "AI_PROVIDER_CREDITS",
        title: "Read a provider's credit balance",
        description: "The credit balance in US cents: deco's gateway balance, or an OpenRouter key's remaining limit (null when the key has no limit). Without keyId the organization's newest key of the provider is used. Cached for 60 seconds.",
        read_only: true,
        destructive: false,
        idempotent: true,
        input: || {
            schemas::object(
                json!({"providerId": schemas::provider_id(), "keyId": schemas::key_id()}),
                &["providerId"],
            )
        },
        output: schemas::credits,
    },
    ToolSpec {
        name: "AI_PROVIDER_TOPUP_URL",
        title: "Create a top-up checkout link",
        description: "Creates a checkout link to buy credits (deco), for amountCents (100 to 100,000,000) in usd or brl. Owners and admins only; audited.",
        read_only: false,
        destructive: false,
        idempotent: false,
        input: || {
            schemas::object(
                json!({
                    "providerId": schemas::provider_id(),
                    "amountCents": {"type": "integer", "minimum": 100, "maximum": 100000000},
                    "currency": {"type": "string", "enum": ["usd", "brl"], "default": "usd"}
                }),
                &["providerId", "amountCents"],
            )
        },
        output: || {
            schemas::object(
                json!({"url": {"type": "string", "format": "uri"}}),
                &["url"],
            )
        },
    },
    ToolSpec {
        name: "AI_PROVIDER_USAGE",
        title: "Gateway usage totals",
        description: "Totals of the inference gateway's requests (requests, input, output and cached tokens, cost in US dollars — null when a price is unknown) grouped by model, key, provider or user, optionally between since and until (RFC 3339). Owners and admins see the organization's usage, members their own.",
        read_only: true,
        destructive: false,
        idempotent: true,
        input: || {
            schemas::object(
                json!({
                    "since": {"type": "string", "format": "date-time"},
                    "until": {"type": "string", "format": "date-time"},
                    "groupBy": {"type": "string", "enum": ["model", "key", "provider", "user"]}
                }),
                &["groupBy"],
            )
        },
        output: schemas::usage,
    },
    ToolSpec {
        name: "AI_PROVIDER_AUDIT_LIST",
        title: "Read the audit log",
        description: "Lists the organization's audit events (key changes and refused calls), newest first. `before` takes an event id or an RFC 3339 time to page back. Owners and admins only.",
        read_only: true,
        destructive: false,
        idempotent: true,
        input: || {
            schemas::object(
                json!({
                    "limit": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
                    "before": {"type": "string", "description": "An event id (evt_…) or an RFC 3339 time; only older events are listed."}
                }),
                &[],
            )
        },
        output: schemas::audit_events,
    },
];

/// Every tool name, in listing order.
pub const TOOL_NAMES: [&str; 18] = [
    "AI_PROVIDERS_LIST",
    "AI_PROVIDER_KEY_CREATE",
    "AI_PROVIDER_KEY_LIST",
    "AI_PROVIDER_KEY_UPDATE",
    "AI_PROVIDER_KEY_DELETE",
    "AI_PROVIDERS_ACTIVE",
    "AI_PROVIDERS_LIST_MODELS",
    "AI_PROVIDERS_REFRESH_MODELS",
    "AI_PROVIDER_KEY_CHECK",
    "AI_PROVIDER_MODEL_POLICY_GET",
    "AI_PROVIDER_MODEL_POLICY_SET",
    "AI_PROVIDER_OAUTH_URL",
    "AI_PROVIDER_OAUTH_EXCHANGE",
    "AI_PROVIDER_CLI_ACTIVATE",
    "AI_PROVIDER_CREDITS",
    "AI_PROVIDER_TOPUP_URL",
    "AI_PROVIDER_USAGE",
    "AI_PROVIDER_AUDIT_LIST",
];

fn as_object(value: Value) -> Arc<JsonObject> {
    match value {
        Value::Object(map) => Arc::new(map),
        _ => unreachable!("schemas are objects"),
    }
}

pub static TOOLS: LazyLock<Vec<Tool>> = LazyLock::new(|| {
    SPECS
        .iter()
        .map(|spec| {
            Tool::new(spec.name, spec.description, as_object((spec.input)()))
                .with_title(spec.title)
                .with_raw_output_schema(as_object((spec.output)()))
                .with_annotations(
                    ToolAnnotations::new()
                        .read_only(spec.read_only)
                        .destructive(spec.destructive)
                        .idempotent(spec.idempotent)
                        .open_world(false),
                )
        })
        .collect()
});

/// The static name of a known tool (for metric labels).
pub fn known_name(name: &str) -> Option<&'static str> {
    TOOL_NAMES.iter().copied().find(|n| *n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_is_listed_with_a_description_and_object_schemas() {
        assert_eq!(TOOLS.len(), TOOL_NAMES.len());
        for (tool, name) in TOOLS.iter().zip(TOOL_NAMES) {
            assert_eq!(tool.name, name);
            assert!(tool.description.as_deref().is_some_and(|d| !d.is_empty()));
            assert_eq!(tool.input_schema["type"], "object");
            assert_eq!(tool.output_schema.as_ref().unwrap()["type"], "object");
        }
    }
}
