//! The stored form of a model list (the `model_lists.models` and `catalog_snapshots.body`
//! columns): compact JSON that keeps what the camelCase output loses, namely which
//! capabilities are *unknown* (so enrichment can still fill them after a restart).

use aiproviders_domain::{Capabilities, Model, ModelCosts, ModelId, ModelLimits, ProviderId};

/// Bumped when the stored form changes incompatibly; rows of another version are ignored
/// (and refetched), never misread.
const FORMAT_VERSION: u32 = 1;

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredList {
    v: u32,
    models: Vec<StoredModel>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredModel {
    p: ProviderId,
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// Capability bits: known, has.
    caps: (u8, u8),
    #[serde(default, skip_serializing_if = "Option::is_none")]
    context: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_output: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cost_in: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cost_out: Option<f64>,
}

/// Why a stored list could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum StoredFormatError {
    #[error("stored model list is not valid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("stored model list has format version {0}, this build reads {FORMAT_VERSION}")]
    Version(u32),
}

pub fn encode(models: &[Model]) -> String {
    let list = StoredList {
        v: FORMAT_VERSION,
        models: models
            .iter()
            .map(|m| StoredModel {
                p: m.provider_id,
                id: m.model_id.as_str().to_owned(),
                title: m.title.clone(),
                description: m.description.clone(),
                caps: m.capabilities.to_bits(),
                context: m.limits.context_window,
                max_output: m.limits.max_output_tokens,
                cost_in: m.costs.input,
                cost_out: m.costs.output,
            })
            .collect(),
    };
    serde_json::to_string(&list).expect("a model list always serializes")
}

pub fn decode(json: &str) -> Result<Vec<Model>, StoredFormatError> {
    let list: StoredList = serde_json::from_str(json)?;
    if list.v != FORMAT_VERSION {
        return Err(StoredFormatError::Version(list.v));
    }
    Ok(list
        .models
        .into_iter()
        .filter_map(|m| {
            Some(Model {
                provider_id: m.p,
                model_id: ModelId::from_upstream(&m.id)?,
                title: m.title,
                description: m.description,
                capabilities: Capabilities::from_bits(m.caps.0, m.caps.1),
                limits: ModelLimits {
                    context_window: m.context,
                    max_output_tokens: m.max_output,
                },
                costs: ModelCosts {
                    input: m.cost_in,
                    output: m.cost_out,
                },
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use aiproviders_domain::Capability;

    use super::*;

    #[test]
    fn round_trip_keeps_unknown_capabilities_unknown() {
        let mut model = Model::new(
            ProviderId::Anthropic,
            ModelId::from_upstream("claude-x").unwrap(),
        );
        model.capabilities.set(Capability::Vision, false);
        model.capabilities.set(Capability::Text, true);
        model.costs.input = Some(3e-6);
        model.title = Some("Claude \"X\"".into());
        let back = decode(&encode(std::slice::from_ref(&model))).unwrap();
        assert_eq!(back, vec![model]);
        assert_eq!(back[0].capabilities.get(Capability::Tools), None);
    }

    #[test]
    fn other_versions_and_garbage_are_refused() {
        assert!(matches!(
            decode(r#"{"v":99,"models":[]}"#),
            Err(StoredFormatError::Version(99))
        ));
        assert!(decode("not json").is_err());
    }
}
