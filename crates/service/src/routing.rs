//! Which key and model serve a gateway request (CONTRACT §6).
//!
//! The caller's universe is every model of every one of the organization's keys
//! ([`Caller::offers`]), each marked allowed or not by the policy for the caller's role.
//! A request's `model` names one or more of them:
//!
//! - `<providerId>/<modelId>`: that model at that provider's keys first, then the same model
//!   offered through other providers (matched by vendor and the enrichment's id
//!   normalization: `anthropic/claude-sonnet-4-5` ≡ `openrouter/anthropic/claude-sonnet-4.5`
//!   ≡ `deco/anthropic/claude-sonnet-4.5`);
//! - `<keyId>:<modelId>`: that model through that key only;
//! - `<modelId>`: the keys that offer that id, then the same model elsewhere;
//! - `auto`: every model that can serve the request (tools if it has tools, vision if it
//!   has images, a context window that fits), cheapest first (unknown prices last).
//!
//! Within one tier candidates are ordered by input price (cheapest first, unknown last),
//! then by key (newest first). The policy is applied to every candidate, so a fallback
//! never reaches a model the caller may not use.

use std::collections::HashMap;

use aiproviders_catalog::enrich::normalize;
use aiproviders_domain::{Capability, InvalidInput, KeyId, Model, ProviderId};

/// How a request names its model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelRef {
    Auto,
    Provider(ProviderId, String),
    Key(KeyId, String),
    Bare(String),
}

impl ModelRef {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        const FIELD: &str = "model";
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 512 || raw.chars().any(char::is_control) {
            return Err(InvalidInput::new(FIELD, "must name a model"));
        }
        if raw == "auto" {
            return Ok(ModelRef::Auto);
        }
        if let Some((key, model)) = raw.split_once(':')
            && key.starts_with(KeyId::PREFIX)
        {
            let key = KeyId::parse(key, FIELD)?;
            if model.is_empty() {
                return Err(InvalidInput::new(
                    FIELD,
                    "names a key but no model after `:`",
                ));
            }
            return Ok(ModelRef::Key(key, model.to_owned()));
        }
        if let Some((provider, model)) = raw.split_once('/')
            && let Ok(provider) = ProviderId::parse(provider, FIELD)
        {
            if model.is_empty() {
                return Err(InvalidInput::new(
                    FIELD,
                    "names a provider but no model after `/`",
                ));
            }
            return Ok(ModelRef::Provider(provider, model.to_owned()));
        }
        Ok(ModelRef::Bare(raw.to_owned()))
    }
}

/// A model one of the organization's keys offers.
#[derive(Debug, Clone)]
pub struct Offer {
    pub key_id: KeyId,
    pub model: Model,
    /// Whether the policy lets the caller use it.
    pub allowed: bool,
    /// Its vendor and normalized id, computed once (see [`Offer::new`]).
    identity: Option<(String, String)>,
}

impl Offer {
    pub fn new(key_id: KeyId, model: Model, allowed: bool) -> Self {
        let identity = identity(model.provider_id, model.model_id.as_str());
        Self {
            key_id,
            model,
            allowed,
            identity,
        }
    }

    pub fn provider(&self) -> ProviderId {
        self.model.provider_id
    }

    /// The same model wherever it is offered: its vendor and normalized id.
    fn identity(&self) -> Option<&(String, String)> {
        self.identity.as_ref()
    }

    /// The form of `model` that names exactly this offer's model at its provider.
    pub fn model_ref(&self) -> String {
        format!("{}/{}", self.model.provider_id, self.model.model_id)
    }
}

fn identity(provider: ProviderId, model_id: &str) -> Option<(String, String)> {
    let (vendor, id) = match provider {
        ProviderId::Anthropic => ("anthropic", model_id),
        ProviderId::Google => (
            "google",
            model_id.strip_prefix("models/").unwrap_or(model_id),
        ),
        ProviderId::OpenRouter | ProviderId::Deco => {
            let (vendor, id) = model_id.split_once('/')?;
            (vendor, id.split(':').next().unwrap_or(id))
        }
        ProviderId::ClaudeCode => return None,
    };
    Some((vendor.to_ascii_lowercase(), normalize(id)))
}

/// What a request needs of a model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub tools: bool,
    pub vision: bool,
    /// Prompt tokens (estimated) plus the requested output.
    pub tokens: u64,
}

impl Needs {
    fn served_by(&self, model: &Model) -> bool {
        (!self.tools || model.capabilities.has(Capability::Tools))
            && (!self.vision || model.capabilities.has(Capability::Vision))
            && model
                .limits
                .context_window
                .is_none_or(|window| window >= self.tokens)
    }
}

/// Why no candidate is left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoCandidate {
    /// No key of the organization offers the model.
    Unknown,
    /// Some do, but the policy allows the caller none of them.
    Forbidden,
    /// `auto`: nothing the caller may use can serve this request.
    NothingFits,
}

/// The offers of an organization for a role (every model of every usable key, in key order),
/// indexed by model id and by identity so that a named model is found without a scan.
#[derive(Debug, Default)]
pub struct Offers {
    list: Vec<Offer>,
    by_model_id: HashMap<String, Vec<usize>>,
    by_identity: HashMap<(String, String), Vec<usize>>,
}

impl Offers {
    pub fn new(list: Vec<Offer>) -> Self {
        let mut by_model_id: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_identity: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, offer) in list.iter().enumerate() {
            by_model_id
                .entry(offer.model.model_id.as_str().to_owned())
                .or_default()
                .push(i);
            if let Some(identity) = offer.identity() {
                by_identity.entry(identity.clone()).or_default().push(i);
            }
        }
        Self {
            list,
            by_model_id,
            by_identity,
        }
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Offer> {
        self.list.iter()
    }

    /// Positions (ascending, once each) of the offers with this model id or this identity.
    fn named(&self, model_id: &str, identity: Option<&(String, String)>) -> Vec<usize> {
        let mut found: Vec<usize> = self
            .by_model_id
            .get(model_id)
            .into_iter()
            .chain(identity.and_then(|w| self.by_identity.get(w)))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// The ordered candidates for a request, policy applied.
pub fn candidates<'a>(
    offers: &'a Offers,
    wanted: &ModelRef,
    needs: &Needs,
) -> Result<Vec<&'a Offer>, NoCandidate> {
    let mut tiers: Vec<(u8, &Offer)> = match wanted {
        ModelRef::Auto => offers
            .iter()
            .filter(|o| needs.served_by(&o.model))
            .map(|o| (0, o))
            .collect(),
        ModelRef::Key(key, model) => {
            let wanted = identity_of_key_model(offers, key, model);
            ranked(offers, model, wanted.as_ref(), |o| {
                if &o.key_id != key {
                    None
                } else if o.model.model_id.as_str() == model {
                    Some(0)
                } else if wanted.is_some() && o.identity() == wanted.as_ref() {
                    Some(1)
                } else {
                    None
                }
            })
        }
        ModelRef::Provider(provider, model) => {
            let wanted = identity(*provider, model);
            ranked(offers, model, wanted.as_ref(), |o| {
                if o.provider() == *provider && o.model.model_id.as_str() == model {
                    Some(0)
                } else {
                    same_model_tier(o, wanted.as_ref(), Some(*provider))
                }
            })
        }
        ModelRef::Bare(model) => {
            let wanted = offers
                .by_model_id
                .get(model.as_str())
                .and_then(|found| found.first())
                .and_then(|&i| offers.list[i].identity().cloned());
            ranked(offers, model, wanted.as_ref(), |o| {
                if o.model.model_id.as_str() == model {
                    Some(0)
                } else {
                    same_model_tier(o, wanted.as_ref(), None)
                }
            })
        }
    };
    if tiers.is_empty() {
        return Err(if matches!(wanted, ModelRef::Auto) {
            NoCandidate::NothingFits
        } else {
            NoCandidate::Unknown
        });
    }
    tiers.retain(|(_, o)| o.allowed);
    if tiers.is_empty() {
        return Err(if matches!(wanted, ModelRef::Auto) {
            NoCandidate::NothingFits
        } else {
            NoCandidate::Forbidden
        });
    }
    // Stable: within a tier, cheapest first, unknown prices last; ties keep key order.
    tiers.sort_by(|(ta, a), (tb, b)| {
        ta.cmp(tb).then_with(|| {
            let price = |o: &Offer| o.model.costs.input.unwrap_or(f64::INFINITY);
            price(a).total_cmp(&price(b))
        })
    });
    Ok(tiers.into_iter().map(|(_, o)| o).collect())
}

fn identity_of_key_model(offers: &Offers, key: &KeyId, model: &str) -> Option<(String, String)> {
    offers
        .iter()
        .find(|o| &o.key_id == key)
        .and_then(|o| identity(o.provider(), model))
}

/// The same model at the preferred provider (tier 1), or through other offers (tier 2).
fn same_model_tier(
    offer: &Offer,
    wanted: Option<&(String, String)>,
    preferred: Option<ProviderId>,
) -> Option<u8> {
    (wanted.is_some() && offer.identity() == wanted).then(|| {
        if preferred == Some(offer.provider()) {
            1
        } else {
            2
        }
    })
}

/// The offers with `model_id` or the `wanted` identity, in key order, with the tier `tier`
/// gives them (those it gives none are left out).
fn ranked<'a>(
    offers: &'a Offers,
    model_id: &str,
    wanted: Option<&(String, String)>,
    tier: impl Fn(&Offer) -> Option<u8>,
) -> Vec<(u8, &'a Offer)> {
    offers
        .named(model_id, wanted)
        .into_iter()
        .filter_map(|i| {
            let offer = &offers.list[i];
            tier(offer).map(|t| (t, offer))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use aiproviders_domain::{ModelCosts, ModelId};

    use super::*;

    fn offer(
        key: &str,
        provider: ProviderId,
        id: &str,
        price: Option<f64>,
        allowed: bool,
    ) -> Offer {
        let mut model = Model::new(provider, ModelId::from_upstream(id).unwrap());
        model.costs = ModelCosts {
            input: price,
            output: price,
        };
        model.capabilities.set(Capability::Tools, true);
        model.limits.context_window = Some(200_000);
        Offer::new(
            KeyId::parse(&format!("aik_{key:0>32}"), "k").unwrap(),
            model,
            allowed,
        )
    }

    /// [`candidates`] over a fresh index of `offers`, as owned offers.
    fn candidates_in(
        offers: &[Offer],
        wanted: &ModelRef,
        needs: &Needs,
    ) -> Result<Vec<Offer>, NoCandidate> {
        let offers = Offers::new(offers.to_vec());
        candidates(&offers, wanted, needs).map(|c| c.into_iter().cloned().collect())
    }

    fn refs(candidates: &[Offer]) -> Vec<String> {
        candidates.iter().map(Offer::model_ref).collect()
    }

    fn universe() -> Vec<Offer> {
        vec![
            offer(
                "a1",
                ProviderId::Anthropic,
                "claude-sonnet-4-5-20250929",
                None,
                true,
            ),
            offer(
                "a1",
                ProviderId::Anthropic,
                "claude-opus-4-1-20250805",
                None,
                true,
            ),
            offer(
                "0b",
                ProviderId::OpenRouter,
                "anthropic/claude-sonnet-4.5",
                Some(3e-6),
                true,
            ),
            offer(
                "0b",
                ProviderId::OpenRouter,
                "openai/gpt-4o",
                Some(2.5e-6),
                true,
            ),
            offer(
                "0c",
                ProviderId::Deco,
                "anthropic/claude-sonnet-4.5",
                Some(3.3e-6),
                true,
            ),
            offer(
                "0c",
                ProviderId::Deco,
                "anthropic/claude-opus-4.1",
                Some(15e-6),
                false,
            ),
            offer(
                "0d",
                ProviderId::Google,
                "gemini-2.5-flash",
                Some(0.3e-6),
                true,
            ),
        ]
    }

    #[test]
    fn model_refs_parse() {
        assert_eq!(ModelRef::parse("auto").unwrap(), ModelRef::Auto);
        assert_eq!(
            ModelRef::parse("openrouter/anthropic/claude-sonnet-4.5").unwrap(),
            ModelRef::Provider(ProviderId::OpenRouter, "anthropic/claude-sonnet-4.5".into())
        );
        assert_eq!(
            ModelRef::parse("anthropic/claude-sonnet-4-5").unwrap(),
            ModelRef::Provider(ProviderId::Anthropic, "claude-sonnet-4-5".into())
        );
        assert_eq!(
            ModelRef::parse("meta-llama/llama-3.3-70b-instruct").unwrap(),
            ModelRef::Bare("meta-llama/llama-3.3-70b-instruct".into())
        );
        let key = format!("aik_{:0>32}:gpt-4o", "1");
        assert!(matches!(ModelRef::parse(&key).unwrap(), ModelRef::Key(_, m) if m == "gpt-4o"));
        assert!(ModelRef::parse("").is_err());
        assert!(ModelRef::parse("aik_zz:gpt-4o").is_err());
        assert!(ModelRef::parse("anthropic/").is_err());
    }

    #[test]
    fn the_named_provider_comes_first_then_the_same_model_elsewhere_by_price() {
        let offers = universe();
        let named = candidates_in(
            &offers,
            &ModelRef::parse("anthropic/claude-sonnet-4-5").unwrap(),
            &Needs::default(),
        )
        .unwrap();
        assert_eq!(
            refs(&named),
            [
                "anthropic/claude-sonnet-4-5-20250929",
                "openrouter/anthropic/claude-sonnet-4.5",
                "deco/anthropic/claude-sonnet-4.5"
            ]
        );
        let via_deco = candidates_in(
            &offers,
            &ModelRef::parse("deco/anthropic/claude-sonnet-4.5").unwrap(),
            &Needs::default(),
        )
        .unwrap();
        assert_eq!(via_deco[0].model_ref(), "deco/anthropic/claude-sonnet-4.5");
        assert_eq!(via_deco.len(), 3);
    }

    #[test]
    fn the_policy_applies_to_every_candidate() {
        let offers = universe();
        let opus = candidates_in(
            &offers,
            &ModelRef::parse("anthropic/claude-opus-4-1").unwrap(),
            &Needs::default(),
        )
        .unwrap();
        assert_eq!(
            refs(&opus),
            ["anthropic/claude-opus-4-1-20250805"],
            "deco's is forbidden"
        );
        let only_forbidden = candidates_in(
            &offers,
            &ModelRef::parse("deco/anthropic/claude-opus-4.1").unwrap(),
            &Needs::default(),
        )
        .unwrap();
        assert_eq!(
            refs(&only_forbidden),
            ["anthropic/claude-opus-4-1-20250805"]
        );
        let mut all_forbidden = universe();
        all_forbidden.iter_mut().for_each(|o| o.allowed = false);
        assert_eq!(
            candidates_in(
                &all_forbidden,
                &ModelRef::Bare("gpt-4o".into()),
                &Needs::default()
            )
            .unwrap_err(),
            NoCandidate::Unknown,
            "gpt-4o is not offered under that id"
        );
        assert_eq!(
            candidates_in(
                &all_forbidden,
                &ModelRef::Bare("openai/gpt-4o".into()),
                &Needs::default()
            )
            .unwrap_err(),
            NoCandidate::Forbidden
        );
    }

    #[test]
    fn auto_picks_the_cheapest_that_fits() {
        let mut offers = universe();
        offers[6].model.capabilities.set(Capability::Vision, false);
        offers[3].model.capabilities.set(Capability::Vision, true);
        let cheapest = candidates_in(&offers, &ModelRef::Auto, &Needs::default()).unwrap();
        assert_eq!(cheapest[0].model_ref(), "google/gemini-2.5-flash");
        let vision = candidates_in(
            &offers,
            &ModelRef::Auto,
            &Needs {
                vision: true,
                ..Needs::default()
            },
        )
        .unwrap();
        assert_eq!(refs(&vision), ["openrouter/openai/gpt-4o"]);
        let huge = Needs {
            tokens: 10_000_000,
            ..Needs::default()
        };
        assert_eq!(
            candidates_in(&offers, &ModelRef::Auto, &huge).unwrap_err(),
            NoCandidate::NothingFits
        );
    }

    #[test]
    fn a_key_names_its_own_models_only() {
        let offers = universe();
        let key = offers[2].key_id.clone();
        let via_key = candidates_in(
            &offers,
            &ModelRef::Key(key, "anthropic/claude-sonnet-4.5".into()),
            &Needs::default(),
        )
        .unwrap();
        assert_eq!(refs(&via_key), ["openrouter/anthropic/claude-sonnet-4.5"]);
    }
}
