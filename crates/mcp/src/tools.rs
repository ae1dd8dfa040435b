//! The tool table: names, descriptions, schemas, and what each tool does.

use std::sync::{Arc, LazyLock};

use aiproviders_service::Caller;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use crate::args::Args;
use crate::render_cache::KeyListRenderCache;
use crate::result::{Output, ToolError};
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
pub const TOOL_NAMES: [&str; 7] = [
    "AI_PROVIDERS_LIST",
    "AI_PROVIDER_KEY_CREATE",
    "AI_PROVIDER_KEY_LIST",
    "AI_PROVIDER_KEY_UPDATE",
    "AI_PROVIDER_KEY_DELETE",
    "AI_PROVIDERS_ACTIVE",
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

/// Runs a known tool for a caller.
#[derive(serde::Serialize)]
struct KeysOutput<'a> {
    keys: &'a aiproviders_service::KeyList,
}

pub async fn run(
    caller: &Caller<'_>,
    renders: &KeyListRenderCache,
    name: &str,
    mut args: Args,
) -> Result<Output, ToolError> {
    match name {
        "AI_PROVIDERS_LIST" => {
            args.finish()?;
            Output::of(&json!({"providers": caller.list_providers()}))
        }
        "AI_PROVIDER_KEY_CREATE" => {
            let provider_id = args.string("providerId")?;
            let label = args.string("label")?;
            // Zeroized on drop from here on, whatever happens to the call.
            let api_key = aiproviders_domain::SecretString::from(args.string("apiKey")?);
            args.finish()?;
            let created = caller.create_key(&provider_id, &label, api_key).await?;
            let mut value = json!(created.key);
            value["created"] = json!(created.created);
            Output::of(&value)
        }
        "AI_PROVIDER_KEY_LIST" => {
            let provider_id = args.optional_string("providerId")?;
            args.finish()?;
            let keys = caller.list_keys(provider_id.as_deref()).await?;
            if !keys.is_whole() {
                return Output::of(&KeysOutput { keys: &keys });
            }
            let org = caller.principal().org_id();
            if let Some(output) = renders.get(org, keys.snapshot()) {
                return Ok(output);
            }
            let output = Output::of(&KeysOutput { keys: &keys })?;
            renders.put(org, keys.snapshot().clone(), output.clone());
            Ok(output)
        }
        "AI_PROVIDER_KEY_UPDATE" => {
            let key_id = args.string("keyId")?;
            let label = args.string("label")?;
            args.finish()?;
            Output::of(&caller.update_key(&key_id, &label).await?)
        }
        "AI_PROVIDER_KEY_DELETE" => {
            let key_id = args.string("keyId")?;
            args.finish()?;
            caller.delete_key(&key_id).await?;
            Output::of(&json!({"success": true}))
        }
        "AI_PROVIDERS_ACTIVE" => {
            args.finish()?;
            let providers: Vec<Value> = caller
                .active_providers()
                .await?
                .into_iter()
                .map(|active| {
                    json!({
                        "id": active.provider.id,
                        "name": active.provider.name,
                        "description": active.provider.description,
                        "keyCount": active.key_count,
                    })
                })
                .collect();
            Output::of(&json!({"providers": providers}))
        }
        "AI_PROVIDER_AUDIT_LIST" => {
            let limit = args.optional_integer("limit")?;
            let before = args.optional_string("before")?;
            args.finish()?;
            let events = caller.audit_list(limit, before.as_deref()).await?;
            Output::of(&json!({"events": events}))
        }
        _ => unreachable!("run is only called with known tool names"),
    }
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
