//! JSON Schemas (2020-12) of the tools' inputs and outputs, written next to each other so a
//! reviewer can hold them against CONTRACT §3.

use serde_json::{Value, json};

pub fn object(properties: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

pub fn no_arguments() -> Value {
    json!({"type": "object", "properties": {}, "additionalProperties": false})
}

pub fn key_id() -> Value {
    json!({"type": "string", "pattern": "^aik_[0-9a-f]{32}$", "description": "A key id (aik_…)."})
}

pub fn provider_id() -> Value {
    json!({
        "type": "string",
        "enum": ["deco", "anthropic", "google", "openrouter", "claude-code"],
        "description": "A provider id; it must be enabled on this server."
    })
}

pub fn label() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 100, "description": "A name for the key, 1-100 characters."})
}

fn time() -> Value {
    json!({"type": "string", "format": "date-time"})
}

fn nullable_time() -> Value {
    json!({"type": ["string", "null"], "format": "date-time"})
}

pub fn key_record_properties() -> serde_json::Map<String, Value> {
    let value = json!({
        "id": key_id(),
        "providerId": {"type": "string"},
        "label": {"type": "string"},
        "maskedKey": {"type": "string", "description": "At most the last 4 characters of the secret, e.g. …f3a9."},
        "createdBy": {"type": "string"},
        "createdAt": time(),
        "updatedAt": time(),
        "status": {"type": "string", "enum": ["unverified", "valid", "invalid", "unknown"]},
        "lastCheckedAt": nullable_time(),
    });
    match value {
        Value::Object(map) => map,
        _ => unreachable!("a json object literal"),
    }
}

const KEY_RECORD_REQUIRED: [&str; 9] = [
    "id",
    "providerId",
    "label",
    "maskedKey",
    "createdBy",
    "createdAt",
    "updatedAt",
    "status",
    "lastCheckedAt",
];

pub fn key_record() -> Value {
    json!({
        "type": "object",
        "properties": key_record_properties(),
        "required": KEY_RECORD_REQUIRED,
    })
}

pub fn key_record_with_created() -> Value {
    let mut properties = key_record_properties();
    properties.insert(
        "created".into(),
        json!({"type": "boolean", "description": "false when the same secret was already stored: the existing record was updated and returned."}),
    );
    let mut required = KEY_RECORD_REQUIRED.to_vec();
    required.push("created");
    json!({"type": "object", "properties": properties, "required": required})
}

pub fn providers_list() -> Value {
    json!({
        "type": "object",
        "properties": {"providers": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "description": {"type": "string"},
                "supportedMethods": {"type": "array", "items": {"type": "string", "enum": ["api-key", "oauth-pkce", "cli-activate"]}},
                "supportsCredits": {"type": "boolean"},
                "supportsTopUp": {"type": "boolean"}
            },
            "required": ["id", "name", "description", "supportedMethods", "supportsCredits", "supportsTopUp"]
        }}},
        "required": ["providers"]
    })
}

pub fn active_providers() -> Value {
    json!({
        "type": "object",
        "properties": {"providers": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "description": {"type": "string"},
                "keyCount": {"type": "integer", "minimum": 1}
            },
            "required": ["id", "name", "description", "keyCount"]
        }}},
        "required": ["providers"]
    })
}

pub fn key_list() -> Value {
    json!({
        "type": "object",
        "properties": {"keys": {"type": "array", "items": key_record()}},
        "required": ["keys"]
    })
}

pub fn success_flag() -> Value {
    json!({
        "type": "object",
        "properties": {"success": {"type": "boolean", "const": true}},
        "required": ["success"]
    })
}

pub fn audit_events() -> Value {
    json!({
        "type": "object",
        "properties": {"events": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "at": time(),
                "actorUserId": {"type": "string"},
                "action": {"type": "string"},
                "target": {"type": "string"},
                "outcome": {"type": "string", "description": "success, denied, or the error code that stopped the operation"}
            },
            "required": ["id", "at", "actorUserId", "action", "target", "outcome"]
        }}},
        "required": ["events"]
    })
}

pub fn key_id_argument() -> Value {
    json!({
        "type": "object",
        "properties": {
            "keyId": key_id(),
            "provider_key_id": {"type": "string", "pattern": "^aik_[0-9a-f]{32}$", "description": "Alias of keyId."}
        },
        "anyOf": [{"required": ["keyId"]}, {"required": ["provider_key_id"]}],
        "additionalProperties": false
    })
}

fn nullable(kind: &str) -> Value {
    json!({"type": [kind, "null"]})
}

pub fn model() -> Value {
    json!({
        "type": "object",
        "properties": {
            "providerId": {"type": "string"},
            "modelId": {"type": "string"},
            "title": nullable("string"),
            "description": nullable("string"),
            "capabilities": {"type": "array", "items": {"type": "string", "enum": CAPABILITIES}},
            "limits": {
                "type": "object",
                "properties": {"contextWindow": nullable("integer"), "maxOutputTokens": nullable("integer")},
                "required": ["contextWindow", "maxOutputTokens"]
            },
            "costs": {
                "type": "object",
                "description": "US dollars per token; null when unknown.",
                "properties": {"input": nullable("number"), "output": nullable("number")},
                "required": ["input", "output"]
            }
        },
        "required": ["providerId", "modelId", "title", "description", "capabilities", "limits", "costs"]
    })
}

pub fn model_listing() -> Value {
    json!({
        "type": "object",
        "properties": {
            "models": {"type": "array", "items": model()},
            "fetchedAt": time(),
            "stale": {"type": "boolean", "description": "true when the list is older than the cache TTL: a refresh is running, or the provider is failing and this is the last good list."}
        },
        "required": ["models", "fetchedAt", "stale"]
    })
}

const CAPABILITIES: [&str; 7] = [
    "text",
    "vision",
    "tools",
    "reasoning",
    "image",
    "audio",
    "file",
];

fn string_list(items: Value) -> Value {
    json!({"type": "array", "minItems": 1, "maxItems": 100, "items": items})
}

pub fn policy() -> Value {
    json!({
        "type": "object",
        "description": "Rules are evaluated in order; the first rule whose every given condition matches decides; otherwise `default` decides.",
        "properties": {
            "default": {"type": "string", "enum": ["allow", "deny"], "default": "allow"},
            "rules": {"type": "array", "maxItems": 200, "items": {
                "type": "object",
                "properties": {
                    "effect": {"type": "string", "enum": ["allow", "deny"]},
                    "roles": string_list(json!({"type": "string", "enum": ["owner", "admin", "member"]})),
                    "providers": string_list(json!({"type": "string", "enum": ["deco", "anthropic", "google", "openrouter", "claude-code"]})),
                    "keys": string_list(key_id()),
                    "models": string_list(json!({"type": "string", "minLength": 1, "maxLength": 256, "description": "A glob over modelId; * matches any run of characters."})),
                    "capabilitiesMissing": string_list(json!({"type": "string", "enum": CAPABILITIES})),
                    "maxInputCostPerMillion": {"type": "number", "minimum": 0, "description": "Matches models whose input price per million tokens is above this, or unknown."}
                },
                "required": ["effect"],
                "additionalProperties": false
            }}
        },
        "additionalProperties": false
    })
}

pub fn policy_document() -> Value {
    object(json!({"policy": policy()}), &["policy"])
}

pub fn oauth_start() -> Value {
    json!({
        "type": "object",
        "properties": {
            "url": {"type": "string", "format": "uri", "description": "The provider's consent page."},
            "stateToken": {"type": "string", "description": "Single use; pass it to AI_PROVIDER_OAUTH_EXCHANGE."},
            "expiresAt": time()
        },
        "required": ["url", "stateToken", "expiresAt"]
    })
}

pub fn cli_activation() -> Value {
    json!({
        "type": "object",
        "properties": {
            "activated": {"type": "boolean"},
            "installed": {"type": "boolean"},
            "version": {"type": "string"},
            "authenticated": {"type": "boolean"},
            "email": {"type": "string"},
            "subscriptionType": {"type": "string"},
            "authMethod": {"type": "string"},
            "error": {"type": "string"}
        },
        "required": ["activated", "installed", "authenticated"]
    })
}

pub fn credits() -> Value {
    json!({
        "type": "object",
        "properties": {
            "providerId": {"type": "string"},
            "balanceCents": {"type": ["integer", "null"], "description": "null when the key has no spending limit"},
            "currency": {"type": "string", "const": "USD"},
            "fetchedAt": time()
        },
        "required": ["providerId", "balanceCents", "currency", "fetchedAt"]
    })
}

pub fn usage() -> Value {
    json!({
        "type": "object",
        "properties": {"rows": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "group": {"type": ["string", "null"], "description": "the model id, key id, provider id or user id"},
                "requests": {"type": "integer"},
                "inputTokens": {"type": "integer"},
                "outputTokens": {"type": "integer"},
                "cachedTokens": {"type": "integer"},
                "costUsd": {"type": ["number", "null"]}
            },
            "required": ["group", "requests", "inputTokens", "outputTokens", "cachedTokens", "costUsd"]
        }}},
        "required": ["rows"]
    })
}
