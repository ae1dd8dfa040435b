//! What each tool does: parse its arguments, call the service, render the output.

use aiproviders_domain::{ExposeSecret, SecretString};
use aiproviders_service::{Caller, KeyList, ModelListing};
use serde_json::{Value, json};

use crate::args::Args;
use crate::render_cache::RenderCache;
use crate::result::{Output, ToolError};

#[derive(serde::Serialize)]
struct KeysOutput<'a> {
    keys: &'a KeyList,
}

/// Runs a known tool for a caller.
pub async fn run(
    caller: &Caller<'_>,
    renders: &RenderCache,
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
            let api_key = SecretString::from(args.string("apiKey")?);
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
            if let Some(output) = renders.key_list(org, keys.snapshot()) {
                return Ok(output);
            }
            let output = Output::of(&KeysOutput { keys: &keys })?;
            renders.put_key_list(org, keys.snapshot().clone(), output.clone());
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
        "AI_PROVIDERS_LIST_MODELS" => {
            let key_id = args.string_or_alias("keyId", "provider_key_id")?;
            args.finish()?;
            rendered_listing(renders, caller.list_models(&key_id).await?)
        }
        "AI_PROVIDERS_REFRESH_MODELS" => {
            let key_id = args.string_or_alias("keyId", "provider_key_id")?;
            args.finish()?;
            rendered_listing(renders, caller.refresh_models(&key_id).await?)
        }
        "AI_PROVIDER_KEY_CHECK" => {
            let key_id = args.string_or_alias("keyId", "provider_key_id")?;
            args.finish()?;
            Output::of(&caller.check_key(&key_id).await?)
        }
        "AI_PROVIDER_MODEL_POLICY_GET" => {
            args.finish()?;
            let policy = caller.policy().await?;
            Output::of(&json!({"policy": &*policy}))
        }
        "AI_PROVIDER_MODEL_POLICY_SET" => {
            let policy = args.value("policy")?;
            args.finish()?;
            let policy = caller.set_policy(&policy).await?;
            Output::of(&json!({"policy": &*policy}))
        }
        "AI_PROVIDER_OAUTH_URL" => {
            let provider_id = args.string("providerId")?;
            let callback_url = args.string("callbackUrl")?;
            args.finish()?;
            let start = caller.oauth_url(&provider_id, &callback_url).await?;
            Output::of(&json!({
                "url": start.url,
                "stateToken": start.state_token.expose_secret(),
                "expiresAt": start.expires_at,
            }))
        }
        "AI_PROVIDER_OAUTH_EXCHANGE" => {
            let provider_id = args.string("providerId")?;
            let code = args.string("code")?;
            let state_token = SecretString::from(args.string("stateToken")?);
            let label = args.optional_string("label")?;
            args.finish()?;
            let created = caller
                .oauth_exchange(&provider_id, &code, state_token, label.as_deref())
                .await?;
            let mut value = json!(created.key);
            value["created"] = json!(created.created);
            Output::of(&value)
        }
        "AI_PROVIDER_CLI_ACTIVATE" => {
            args.finish()?;
            Output::of(&caller.cli_activate().await?)
        }
        "AI_PROVIDER_CREDITS" => {
            let provider_id = args.string("providerId")?;
            let key_id = args.optional_string("keyId")?;
            args.finish()?;
            Output::of(&caller.credits(&provider_id, key_id.as_deref()).await?)
        }
        "AI_PROVIDER_TOPUP_URL" => {
            let provider_id = args.string("providerId")?;
            let amount_cents = args.optional_integer("amountCents")?;
            let currency = args.optional_string("currency")?;
            args.finish()?;
            let url = caller
                .top_up_url(&provider_id, amount_cents, currency.as_deref())
                .await?;
            Output::of(&json!({"url": url}))
        }
        "AI_PROVIDER_USAGE" => {
            let since = args.optional_string("since")?;
            let until = args.optional_string("until")?;
            let group_by = args.string("groupBy")?;
            args.finish()?;
            let rows: Vec<Value> = caller
                .usage(since.as_deref(), until.as_deref(), &group_by)
                .await?
                .into_iter()
                .map(|row| {
                    json!({
                        "group": row.group,
                        "requests": row.requests,
                        "inputTokens": row.input_tokens,
                        "outputTokens": row.output_tokens,
                        "cachedTokens": row.cached_tokens,
                        "costUsd": row.cost_usd,
                    })
                })
                .collect();
            Output::of(&json!({"rows": rows}))
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

/// A model listing, rendered once per view (list, policy, role, staleness).
fn rendered_listing(renders: &RenderCache, listing: ModelListing) -> Result<Output, ToolError> {
    if let Some(output) = renders.model_list(&listing) {
        return Ok(output);
    }
    let output = Output::of(&listing)?;
    renders.put_model_list(listing, output.clone());
    Ok(output)
}
