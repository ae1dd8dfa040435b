//! The model permission policy (CONTRACT §4): which models a caller may list and use.
//!
//! An organization has at most one [`Policy`]; with none set, [`Policy::allow_all`] applies.
//! A policy is a `default` effect and an ordered list of [`PolicyRule`]s. Rules are evaluated
//! in order; the first rule whose *every* given condition matches decides, otherwise the
//! default decides. A rule with no conditions matches everything.
//!
//! [`Policy::allows`] is the one evaluation: model listings, `/v1/models` and every gateway
//! request all go through it.
//!
//! A policy comes from outside as JSON and is parsed by hand ([`Policy::parse`]) so that every
//! error names the exact path of the offending value (`policy.rules[2].roles[0]`) and never
//! echoes it. It serializes to the same canonical camelCase JSON, with absent conditions
//! left out, and `parse(serialize(p)) == p`.

use std::fmt;

use serde_json::{Map, Value};

use crate::{Capability, InvalidInput, KeyId, Model, ProviderId, Role};

/// What a rule (or a policy's default) decides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// The model may be listed and used. Also the default of a policy that names none.
    #[default]
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "allow",
            Effect::Deny => "deny",
        }
    }

    /// Parses `"allow"` or `"deny"`; `field` names the input in the error.
    pub fn parse(value: &str, field: &str) -> Result<Self, InvalidInput> {
        match value {
            "allow" => Ok(Effect::Allow),
            "deny" => Ok(Effect::Deny),
            _ => Err(InvalidInput::new(
                field,
                "unknown effect; expected allow or deny",
            )),
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pattern over model ids: `*` matches any run of characters (including none); every other
/// character matches itself, case-sensitively. `claude-opus-*` matches `claude-opus-4-1`;
/// `*flash*` matches every id containing `flash`; `*` matches every id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct ModelGlob(String);

impl ModelGlob {
    /// The longest glob accepted, in characters (model ids are at most 256 bytes).
    pub const MAX_CHARS: usize = 256;

    /// A glob from outside: non-empty, at most [`ModelGlob::MAX_CHARS`] characters, no
    /// control characters.
    pub fn parse(value: &str, field: &str) -> Result<Self, InvalidInput> {
        if value.is_empty() {
            return Err(InvalidInput::new(field, "must not be empty"));
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(InvalidInput::new(
                field,
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(InvalidInput::new(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the glob matches all of `text`.
    ///
    /// The classic two-pointer wildcard match: on a mismatch it retries from the most recent
    /// `*` only, so it runs in O(len(glob) × len(text)) at worst, never exponentially.
    /// It works on bytes, which is exact for UTF-8: `*` is ASCII and a literal character can
    /// only match the same character starting at a character boundary.
    pub fn matches(&self, text: &str) -> bool {
        let (glob, text) = (self.0.as_bytes(), text.as_bytes());
        let (mut g, mut t) = (0, 0);
        // After the latest `*`: where the glob resumes, and where in the text that `*`'s
        // match currently ends.
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            if g < glob.len() && glob[g] == b'*' {
                g += 1;
                star = Some((g, t));
            } else if g < glob.len() && glob[g] == text[t] {
                g += 1;
                t += 1;
            } else if let Some((resume, end)) = star {
                // Let the `*` swallow one more character and try again from there.
                g = resume;
                t = end + 1;
                star = Some((resume, end + 1));
            } else {
                return false;
            }
        }
        glob[g..].iter().all(|&b| b == b'*')
    }
}

impl fmt::Display for ModelGlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a policy is asked about: a caller with `role`, using the credential `key_id`, wants
/// `model` (whose `provider_id` is the provider the `providers` condition looks at).
#[derive(Debug, Clone, Copy)]
pub struct PolicySubject<'a> {
    pub role: Role,
    pub key_id: &'a KeyId,
    pub model: &'a Model,
}

/// One rule: an effect and conditions. `None` means the condition is absent (matches
/// anything); a present list is never empty. The rule matches when every present condition
/// does:
///
/// - `roles`: the caller's role is in the list;
/// - `providers`: the model's provider is in the list;
/// - `keys`: the credential's key id is in the list;
/// - `models`: any of the globs matches the model id;
/// - `capabilities_missing`: the model lacks **any** of these capabilities. A capability
///   nobody knows about counts as lacking, so a deny rule cannot be dodged by missing data;
/// - `max_input_cost_per_million`: the model's input price per million tokens
///   ([`Model::input_cost_per_million`]) is **above** this number, or unknown — again so
///   that a deny rule cannot be dodged by a missing price.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    pub effect: Effect,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<Role>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub providers: Option<Vec<ProviderId>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<KeyId>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<ModelGlob>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities_missing: Option<Vec<Capability>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_input_cost_per_million: Option<f64>,
}

impl PolicyRule {
    /// A rule with no conditions: it matches everything.
    pub fn new(effect: Effect) -> Self {
        Self {
            effect,
            ..Self::default()
        }
    }

    /// Whether the rule has no conditions and so matches every subject.
    pub fn is_unconditional(&self) -> bool {
        self.roles.is_none()
            && self.providers.is_none()
            && self.keys.is_none()
            && self.models.is_none()
            && self.capabilities_missing.is_none()
            && self.max_input_cost_per_million.is_none()
    }

    /// Whether every condition this rule gives matches `subject` (see [`PolicyRule`]).
    pub fn matches(&self, subject: &PolicySubject<'_>) -> bool {
        fn holds<T>(condition: &Option<Vec<T>>, test: impl Fn(&T) -> bool) -> bool {
            condition.as_ref().is_none_or(|list| list.iter().any(test))
        }
        let model = subject.model;
        holds(&self.roles, |r| *r == subject.role)
            && holds(&self.providers, |p| *p == model.provider_id)
            && holds(&self.keys, |k| k == subject.key_id)
            && holds(&self.models, |g| g.matches(model.model_id.as_str()))
            && holds(&self.capabilities_missing, |c| !model.capabilities.has(*c))
            && self.max_input_cost_per_million.is_none_or(|max| {
                // `c <= max` is false for an unknown (or NaN) price: the condition matches.
                !matches!(model.input_cost_per_million(), Some(c) if c <= max)
            })
    }
}

/// The outcome of evaluating a policy, with what decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub effect: Effect,
    /// The index of the rule that decided, or `None` when no rule matched and the policy's
    /// default decided.
    pub rule: Option<usize>,
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        self.effect == Effect::Allow
    }
}

/// An organization's model permission policy (CONTRACT §4).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Policy {
    /// Decides when no rule matches.
    pub default: Effect,
    /// Evaluated in order; the first match decides.
    pub rules: Vec<PolicyRule>,
}

impl Default for Policy {
    fn default() -> Self {
        Self::allow_all()
    }
}

impl Policy {
    /// The most rules a policy may have.
    pub const MAX_RULES: usize = 200;
    /// The most entries one condition list may have.
    pub const MAX_ENTRIES: usize = 100;

    /// `{"default":"allow","rules":[]}`: the policy of an organization that has set none.
    pub fn allow_all() -> Self {
        Self {
            default: Effect::Allow,
            rules: Vec::new(),
        }
    }

    /// Evaluates the policy: the first matching rule decides, else the default.
    pub fn decide(&self, subject: &PolicySubject<'_>) -> Decision {
        match self.rules.iter().position(|r| r.matches(subject)) {
            Some(i) => Decision {
                effect: self.rules[i].effect,
                rule: Some(i),
            },
            None => Decision {
                effect: self.default,
                rule: None,
            },
        }
    }

    /// Whether `subject` may list and use its model: [`Policy::decide`] says allow.
    pub fn allows(&self, subject: &PolicySubject<'_>) -> bool {
        self.decide(subject).is_allowed()
    }

    /// Parses a policy from untrusted JSON; `path` names the value in errors (`"policy"`
    /// gives `policy.rules[2].roles[0]`).
    ///
    /// `{"default": "allow"|"deny", "rules": [rule, …]}`. Both fields are optional: `default`
    /// defaults to `allow` and `rules` to none, so `{}` is [`Policy::allow_all`]. A rule is
    /// `{"effect": "allow"|"deny", "roles"?, "providers"?, "keys"?, "models"?,
    /// "capabilitiesMissing"?, "maxInputCostPerMillion"?}`; `effect` is required.
    ///
    /// Refused, as [`InvalidInput`] naming the path: unknown fields, effects, roles, providers
    /// (any of the known ids is accepted, enabled on this server or not) and capabilities;
    /// malformed key ids; wrong JSON types, `null` included; an empty condition list (leave
    /// the field out to match anything); a glob that is empty, longer than
    /// [`ModelGlob::MAX_CHARS`] or has control characters; a cost that is not a finite
    /// number ≥ 0; more than [`Policy::MAX_RULES`] rules or more than
    /// [`Policy::MAX_ENTRIES`] entries in a list. Duplicate entries are allowed.
    pub fn parse(value: &Value, path: &str) -> Result<Self, InvalidInput> {
        let object = value
            .as_object()
            .ok_or_else(|| InvalidInput::new(path, "must be an object with default and rules"))?;
        let mut policy = Self::allow_all();
        for (name, value) in object {
            let field = join(path, name);
            match name.as_str() {
                "default" => policy.default = parse_effect(value, &field)?,
                "rules" => {
                    let rules = value
                        .as_array()
                        .ok_or_else(|| InvalidInput::new(&field, "must be an array of rules"))?;
                    if rules.len() > Self::MAX_RULES {
                        return Err(InvalidInput::new(
                            &field,
                            format!("must have at most {} rules", Self::MAX_RULES),
                        ));
                    }
                    policy.rules = rules
                        .iter()
                        .enumerate()
                        .map(|(i, rule)| parse_rule(rule, &format!("{field}[{i}]")))
                        .collect::<Result<_, _>>()?;
                }
                _ => return Err(InvalidInput::new(field, "is not a field of a policy")),
            }
        }
        Ok(policy)
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn parse_effect(value: &Value, field: &str) -> Result<Effect, InvalidInput> {
    let name = value
        .as_str()
        .ok_or_else(|| InvalidInput::new(field, "must be a string: allow or deny"))?;
    Effect::parse(name, field)
}

fn parse_rule(value: &Value, path: &str) -> Result<PolicyRule, InvalidInput> {
    let object: &Map<String, Value> = value
        .as_object()
        .ok_or_else(|| InvalidInput::new(path, "must be an object"))?;
    let mut effect = None;
    let mut rule = PolicyRule::default();
    for (name, value) in object {
        let field = join(path, name);
        match name.as_str() {
            "effect" => effect = Some(parse_effect(value, &field)?),
            "roles" => rule.roles = Some(parse_list(value, &field, Role::parse)?),
            "providers" => rule.providers = Some(parse_list(value, &field, ProviderId::parse)?),
            "keys" => rule.keys = Some(parse_list(value, &field, KeyId::parse)?),
            "models" => rule.models = Some(parse_list(value, &field, ModelGlob::parse)?),
            "capabilitiesMissing" => {
                rule.capabilities_missing = Some(parse_list(value, &field, parse_capability)?);
            }
            "maxInputCostPerMillion" => {
                let max = value
                    .as_f64()
                    .filter(|n| n.is_finite() && *n >= 0.0)
                    .ok_or_else(|| InvalidInput::new(&field, "must be a finite number ≥ 0"))?;
                rule.max_input_cost_per_million = Some(max);
            }
            _ => return Err(InvalidInput::new(field, "is not a field of a policy rule")),
        }
    }
    rule.effect = effect
        .ok_or_else(|| InvalidInput::new(join(path, "effect"), "is required: allow or deny"))?;
    Ok(rule)
}

/// A non-empty array of at most [`Policy::MAX_ENTRIES`] strings, each parsed by `item`.
fn parse_list<T>(
    value: &Value,
    field: &str,
    item: impl Fn(&str, &str) -> Result<T, InvalidInput>,
) -> Result<Vec<T>, InvalidInput> {
    let entries = value
        .as_array()
        .ok_or_else(|| InvalidInput::new(field, "must be an array of strings"))?;
    if entries.is_empty() {
        return Err(InvalidInput::new(
            field,
            "must not be empty; leave the field out to match any",
        ));
    }
    if entries.len() > Policy::MAX_ENTRIES {
        return Err(InvalidInput::new(
            field,
            format!("must have at most {} entries", Policy::MAX_ENTRIES),
        ));
    }
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let field = format!("{field}[{i}]");
            let text = entry
                .as_str()
                .ok_or_else(|| InvalidInput::new(&field, "must be a string"))?;
            item(text, &field)
        })
        .collect()
}

fn parse_capability(name: &str, field: &str) -> Result<Capability, InvalidInput> {
    Capability::from_name(name).ok_or_else(|| {
        let known: Vec<_> = Capability::ALL.iter().map(|c| c.as_str()).collect();
        InvalidInput::new(
            field,
            format!("unknown capability; expected one of {}", known.join(", ")),
        )
    })
}

#[cfg(test)]
mod tests;
