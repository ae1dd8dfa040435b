use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use super::*;
use crate::{Capabilities, ModelId};

const KEY_A: &str = "aik_0000000000000000000000000000000a";
const KEY_B: &str = "aik_0000000000000000000000000000000b";
const KEY_C: &str = "aik_0000000000000000000000000000000c";

fn key(id: &str) -> KeyId {
    KeyId::parse(id, "key").unwrap()
}

fn glob(pattern: &str) -> ModelGlob {
    ModelGlob::parse(pattern, "glob").unwrap()
}

/// A model with the given capabilities and input price in dollars per token.
fn model(provider: ProviderId, id: &str, caps: &[(Capability, bool)], input: Option<f64>) -> Model {
    let mut model = Model::new(provider, ModelId::from_upstream(id).unwrap());
    for (capability, has) in caps {
        model.capabilities.set(*capability, *has);
    }
    model.costs.input = input;
    model
}

// ---------------------------------------------------------------------------------------
// The example of CONTRACT §4.

fn sample_json() -> Value {
    json!({"default": "allow",
    "rules": [
      {"effect": "deny",  "roles": ["member"], "providers": ["anthropic"], "models": ["claude-opus-*"]},
      {"effect": "allow", "keys": [KEY_A], "models": ["*"]},
      {"effect": "deny",  "capabilitiesMissing": ["tools"]},
      {"effect": "deny",  "maxInputCostPerMillion": 10.0}
    ]})
}

#[test]
fn the_contract_example_decides_as_documented() {
    let policy = Policy::parse(&sample_json(), "policy").unwrap();
    let (key_a, other) = (key(KEY_A), key(KEY_B));
    let tools = [(Capability::Tools, true)];
    let opus = model(
        ProviderId::Anthropic,
        "claude-opus-4-1",
        &tools,
        Some(15e-6),
    );
    let no_tools = model(
        ProviderId::Anthropic,
        "claude-sonnet-4-5",
        &[(Capability::Tools, false)],
        Some(3e-6),
    );
    let tools_unknown = model(
        ProviderId::Google,
        "gemini-2.5-flash",
        &[(Capability::Text, true)],
        Some(3e-7),
    );
    let unpriced = model(ProviderId::Google, "gemini-2.5-pro", &tools, None);
    let cheap = model(
        ProviderId::Anthropic,
        "claude-sonnet-4-5",
        &tools,
        Some(3e-6),
    );
    let opus_elsewhere = model(
        ProviderId::OpenRouter,
        "claude-opus-4-1",
        &tools,
        Some(5e-6),
    );

    let decide = |role, key_id, model| {
        Policy::decide(
            &policy,
            &PolicySubject {
                role,
                key_id,
                model,
            },
        )
    };
    let deny = |rule| Decision {
        effect: Effect::Deny,
        rule: Some(rule),
    };
    let allow = |rule| Decision {
        effect: Effect::Allow,
        rule: Some(rule),
    };

    // Rule 0: members may not use Claude Opus on Anthropic, not even through the allowed key.
    assert_eq!(decide(Role::Member, &other, &opus), deny(0));
    assert_eq!(decide(Role::Member, &key_a, &opus), deny(0));
    // An admin is not caught by rule 0; Opus is too expensive for rule 3.
    assert_eq!(decide(Role::Admin, &other, &opus), deny(3));
    // Rule 1: anything goes through key A, for anyone rule 0 spares.
    assert_eq!(decide(Role::Admin, &key_a, &opus), allow(1));
    assert_eq!(decide(Role::Member, &key_a, &no_tools), allow(1));
    // Rule 2: a model lacking tools, or not known to have them, is denied.
    assert_eq!(decide(Role::Member, &other, &no_tools), deny(2));
    assert_eq!(decide(Role::Owner, &other, &tools_unknown), deny(2));
    // Rule 3: 15 per million is above 10; an unknown price counts as above.
    assert_eq!(decide(Role::Owner, &other, &unpriced), deny(3));
    // A cheap model with tools falls through to the default.
    assert_eq!(
        decide(Role::Member, &other, &cheap),
        Decision {
            effect: Effect::Allow,
            rule: None
        }
    );
    // Rule 0 names a provider: the same model id elsewhere is not caught.
    assert_eq!(
        decide(Role::Member, &other, &opus_elsewhere),
        Decision {
            effect: Effect::Allow,
            rule: None
        }
    );
    assert!(policy.allows(&PolicySubject {
        role: Role::Member,
        key_id: &other,
        model: &cheap
    }));
    assert!(!policy.allows(&PolicySubject {
        role: Role::Member,
        key_id: &other,
        model: &opus
    }));
}

#[test]
fn the_contract_example_serializes_canonically() {
    let policy = Policy::parse(&sample_json(), "policy").unwrap();
    assert_eq!(serde_json::to_value(&policy).unwrap(), sample_json());
    assert_eq!(policy.rules[1].keys, Some(vec![key(KEY_A)]));
    assert_eq!(
        policy.rules[2].capabilities_missing,
        Some(vec![Capability::Tools])
    );
}

#[test]
fn a_price_equal_to_the_limit_is_not_above_it() {
    let free = model(ProviderId::Google, "gemini-2.5-flash", &[], Some(0.0));
    let rule = PolicyRule {
        max_input_cost_per_million: Some(0.0),
        ..PolicyRule::new(Effect::Deny)
    };
    let key_id = key(KEY_A);
    assert!(!rule.matches(&PolicySubject {
        role: Role::Member,
        key_id: &key_id,
        model: &free
    }));
    let nan = model(ProviderId::Google, "gemini-2.5-flash", &[], Some(f64::NAN));
    assert!(rule.matches(&PolicySubject {
        role: Role::Member,
        key_id: &key_id,
        model: &nan
    }));
}

#[test]
fn defaults_and_optional_fields() {
    assert_eq!(
        Policy::parse(&json!({}), "policy").unwrap(),
        Policy::allow_all()
    );
    assert_eq!(Policy::default(), Policy::allow_all());
    assert_eq!(
        serde_json::to_value(Policy::allow_all()).unwrap(),
        json!({"default": "allow", "rules": []})
    );
    let deny = Policy::parse(&json!({"default": "deny"}), "policy").unwrap();
    assert_eq!(
        deny,
        Policy {
            default: Effect::Deny,
            rules: vec![]
        }
    );
    // Every known provider is accepted, and duplicates are fine.
    let all: Vec<_> = ProviderId::ALL.iter().map(|p| p.as_str()).collect();
    let value =
        json!({"rules": [{"effect": "deny", "providers": all, "roles": ["admin", "admin"]}]});
    let policy = Policy::parse(&value, "policy").unwrap();
    assert_eq!(
        policy.rules[0].providers.as_deref(),
        Some(&ProviderId::ALL[..])
    );
    assert_eq!(
        serde_json::to_value(&policy).unwrap()["rules"][0],
        value["rules"][0]
    );
}

// ---------------------------------------------------------------------------------------
// Parse errors: each names the exact path and never echoes the value.

#[test]
fn parse_errors_name_the_offending_path() {
    let rule = |extra: Value| {
        let mut rule = json!({"effect": "deny"});
        rule.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"rules": [{"effect": "allow"}, rule]})
    };
    let too_many_rules = json!({"rules": vec![json!({"effect": "allow"}); 201]});
    let too_many_roles = rule(json!({"roles": vec!["member"; 101]}));
    let cases: Vec<(Value, &str, Option<&str>)> = vec![
        (json!([]), "policy", None),
        (json!(null), "policy", None),
        (
            json!({"colour": "crimson"}),
            "policy.colour",
            Some("is not a field of a policy"),
        ),
        (
            json!({"default": "maybe"}),
            "policy.default",
            Some("unknown effect; expected allow or deny"),
        ),
        (json!({"default": true}), "policy.default", None),
        (json!({"default": null}), "policy.default", None),
        (json!({"rules": {}}), "policy.rules", None),
        (json!({"rules": [7]}), "policy.rules[0]", None),
        (json!({"rules": [{}]}), "policy.rules[0].effect", None),
        (
            json!({"rules": [{"effect": "permit"}]}),
            "policy.rules[0].effect",
            None,
        ),
        (
            rule(json!({"colour": "crimson"})),
            "policy.rules[1].colour",
            Some("is not a field of a policy rule"),
        ),
        (
            json!({"rules": [{"effect": "allow"}, {"effect": "allow"}, {"effect": "deny", "roles": ["member", "boss"]}]}),
            "policy.rules[2].roles[1]",
            Some("unknown role; expected owner, admin or member"),
        ),
        (
            rule(json!({"roles": "member"})),
            "policy.rules[1].roles",
            Some("must be an array of strings"),
        ),
        (
            rule(json!({"roles": [1]})),
            "policy.rules[1].roles[0]",
            Some("must be a string"),
        ),
        (rule(json!({"roles": null})), "policy.rules[1].roles", None),
        (
            rule(json!({"roles": []})),
            "policy.rules[1].roles",
            Some("must not be empty; leave the field out to match any"),
        ),
        (too_many_roles, "policy.rules[1].roles", None),
        (
            rule(json!({"providers": ["openai"]})),
            "policy.rules[1].providers[0]",
            None,
        ),
        (
            rule(json!({"providers": ["Anthropic"]})),
            "policy.rules[1].providers[0]",
            None,
        ),
        (
            rule(json!({"providers": []})),
            "policy.rules[1].providers",
            None,
        ),
        (
            rule(json!({"keys": ["aik_nope"]})),
            "policy.rules[1].keys[0]",
            None,
        ),
        (
            rule(json!({"keys": [KEY_A, "org_0000000000000000000000000000000a"]})),
            "policy.rules[1].keys[1]",
            None,
        ),
        (rule(json!({"keys": {}})), "policy.rules[1].keys", None),
        (
            rule(json!({"models": [""]})),
            "policy.rules[1].models[0]",
            None,
        ),
        (
            rule(json!({"models": ["claude\n*"]})),
            "policy.rules[1].models[0]",
            None,
        ),
        (
            rule(json!({"models": ["*", "x".repeat(257)]})),
            "policy.rules[1].models[1]",
            None,
        ),
        (rule(json!({"models": []})), "policy.rules[1].models", None),
        (
            rule(json!({"capabilitiesMissing": ["telepathy"]})),
            "policy.rules[1].capabilitiesMissing[0]",
            None,
        ),
        (
            rule(json!({"capabilitiesMissing": [true]})),
            "policy.rules[1].capabilitiesMissing[0]",
            None,
        ),
        (
            rule(json!({"maxInputCostPerMillion": -1})),
            "policy.rules[1].maxInputCostPerMillion",
            None,
        ),
        // serde_json has no NaN: json! turns it into null, which is refused as well.
        (
            rule(json!({"maxInputCostPerMillion": f64::NAN})),
            "policy.rules[1].maxInputCostPerMillion",
            None,
        ),
        (
            rule(json!({"maxInputCostPerMillion": "10"})),
            "policy.rules[1].maxInputCostPerMillion",
            None,
        ),
        (
            too_many_rules,
            "policy.rules",
            Some("must have at most 200 rules"),
        ),
    ];
    for (value, field, reason) in cases {
        let err = Policy::parse(&value, "policy").expect_err(&value.to_string());
        assert_eq!(err.field, field, "{value}");
        if let Some(reason) = reason {
            assert_eq!(err.reason, reason, "{value}");
        }
        for secret in [
            "boss",
            "openai",
            "nope",
            "telepathy",
            "permit",
            "maybe",
            "crimson",
        ] {
            assert!(!err.reason.contains(secret), "{err} echoes the value");
        }
    }
}

#[test]
fn limits_are_inclusive_and_the_path_prefix_is_free() {
    let rules =
        json!({"rules": vec![json!({"effect": "allow", "roles": vec!["member"; 100]}); 200]});
    assert_eq!(Policy::parse(&rules, "policy").unwrap().rules.len(), 200);
    assert!(ModelGlob::parse(&"x".repeat(256), "g").is_ok());
    let err = Policy::parse(&json!({"rules": [{}]}), "input.policy").unwrap_err();
    assert_eq!(err.field, "input.policy.rules[0].effect");
    let err = Policy::parse(&json!({"rules": [{}]}), "").unwrap_err();
    assert_eq!(err.field, "rules[0].effect");
}

// ---------------------------------------------------------------------------------------
// Globs.

/// The obvious exponential matcher, as a reference.
fn naive_match(glob: &[char], text: &[char]) -> bool {
    match glob.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|i| naive_match(rest, &text[i..])),
        Some((c, rest)) => text.first() == Some(c) && naive_match(rest, &text[1..]),
    }
}

#[test]
fn globs_match_as_documented() {
    assert!(glob("claude-opus-*").matches("claude-opus-4-1"));
    assert!(glob("claude-opus-*").matches("claude-opus-"));
    assert!(!glob("claude-opus-*").matches("Claude-opus-4-1"));
    assert!(glob("*flash*").matches("gemini-2.5-flash-lite"));
    assert!(glob("a*b*c").matches("abc") && glob("a*b*c").matches("aXbYbZc"));
    assert!(!glob("a*b*c").matches("aXbYcZ"));
    assert!(glob("é*ü").matches("éxyü") && !glob("é*ü").matches("éxyu"));
    assert!(glob("**").matches(""));
    // No exponential backtracking: this would take ages with a naive matcher.
    let text = "a".repeat(5_000);
    assert!(!glob(&format!("{}b", "*a".repeat(100))).matches(&text));
}

proptest! {
    #[test]
    fn star_matches_everything(text in "\\PC{0,20}") {
        prop_assert!(glob("*").matches(&text));
    }

    #[test]
    fn a_glob_without_star_matches_only_itself(pattern in "[ab.-]{1,6}", text in "[ab.-]{0,6}") {
        prop_assert_eq!(glob(&pattern).matches(&text), pattern == text);
        prop_assert!(glob(&pattern).matches(&pattern));
    }

    #[test]
    fn prefix_star_is_starts_with(prefix in "[abé]{1,4}", text in "[abé]{0,8}") {
        prop_assert_eq!(glob(&format!("{prefix}*")).matches(&text), text.starts_with(&prefix));
    }

    #[test]
    fn star_x_star_is_contains(infix in "[ab]{1,3}", text in "[abc]{0,10}") {
        prop_assert_eq!(glob(&format!("*{infix}*")).matches(&text), text.contains(&infix));
    }

    #[test]
    fn globs_agree_with_the_naive_matcher(pattern in "[ab*é]{1,8}", text in "[abé]{0,10}") {
        let (g, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
        prop_assert_eq!(glob(&pattern).matches(&text), naive_match(&g, &t));
    }
}

// ---------------------------------------------------------------------------------------
// Policies, against a straightforward reference evaluation.

const MODEL_IDS: [&str; 7] = [
    "claude-opus-4-1",
    "claude-sonnet-4-5",
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "gpt-4o",
    "gpt-4o-mini",
    "anthropic/claude-sonnet-4.5",
];
const GLOBS: [&str; 9] = [
    "*",
    "claude-*",
    "claude-opus-*",
    "*flash",
    "gpt-4o",
    "*-4-*",
    "*sonnet*",
    "gemini-2.5-pro",
    "*4o*",
];
const KEYS: [&str; 3] = [KEY_A, KEY_B, KEY_C];
const ROLES: [Role; 3] = [Role::Owner, Role::Admin, Role::Member];
/// Dollars per token: 0, 1, 3, 10, 15 and 75 per million.
const PRICES: [f64; 6] = [0.0, 1e-6, 3e-6, 10e-6, 15e-6, 75e-6];
const LIMITS: [f64; 5] = [0.0, 1.0, 3.0, 10.0, 15.0];

fn some_of<T: Clone + fmt::Debug + 'static>(pool: Vec<T>) -> impl Strategy<Value = Option<Vec<T>>> {
    proptest::option::of(proptest::collection::vec(select(pool), 1..4))
}

fn effect() -> impl Strategy<Value = Effect> {
    select(vec![Effect::Allow, Effect::Deny])
}

fn rule() -> impl Strategy<Value = PolicyRule> {
    (
        effect(),
        some_of(ROLES.to_vec()),
        some_of(ProviderId::ALL.to_vec()),
        some_of(KEYS.map(key).to_vec()),
        some_of(GLOBS.map(glob).to_vec()),
        some_of(Capability::ALL.to_vec()),
        proptest::option::of(select(LIMITS.to_vec())),
    )
        .prop_map(
            |(effect, roles, providers, keys, models, capabilities_missing, max)| PolicyRule {
                effect,
                roles,
                providers,
                keys,
                models,
                capabilities_missing,
                max_input_cost_per_million: max,
            },
        )
}

fn policy() -> impl Strategy<Value = Policy> {
    (effect(), proptest::collection::vec(rule(), 0..=8))
        .prop_map(|(default, rules)| Policy { default, rules })
}

/// A subject's parts, owned: role, key id, model.
fn subject() -> impl Strategy<Value = (Role, KeyId, Model)> {
    let capabilities =
        proptest::collection::vec(proptest::option::of(any::<bool>()), Capability::ALL.len())
            .prop_map(|facts| {
                let mut caps = Capabilities::default();
                for (capability, fact) in Capability::ALL.into_iter().zip(facts) {
                    if let Some(has) = fact {
                        caps.set(capability, has);
                    }
                }
                caps
            });
    (
        select(ROLES.to_vec()),
        select(KEYS.to_vec()),
        select(ProviderId::ALL.to_vec()),
        select(MODEL_IDS.to_vec()),
        capabilities,
        proptest::option::of(select(PRICES.to_vec())),
    )
        .prop_map(|(role, key_id, provider, model_id, capabilities, price)| {
            let mut model = model(provider, model_id, &[], price);
            model.capabilities = capabilities;
            (role, key(key_id), model)
        })
}

/// Whether `rule` matches, each condition checked on its own and spelled out.
fn reference_matches(rule: &PolicyRule, role: Role, key_id: &KeyId, model: &Model) -> bool {
    let roles = match &rule.roles {
        None => true,
        Some(roles) => roles.contains(&role),
    };
    let providers = match &rule.providers {
        None => true,
        Some(providers) => providers.contains(&model.provider_id),
    };
    let keys = match &rule.keys {
        None => true,
        Some(keys) => keys.contains(key_id),
    };
    let id: Vec<char> = model.model_id.as_str().chars().collect();
    let models = match &rule.models {
        None => true,
        Some(globs) => globs
            .iter()
            .any(|g| naive_match(&g.as_str().chars().collect::<Vec<_>>(), &id)),
    };
    let capabilities = match &rule.capabilities_missing {
        None => true,
        Some(wanted) => wanted
            .iter()
            .any(|c| model.capabilities.get(*c) != Some(true)),
    };
    let cost = match (
        rule.max_input_cost_per_million,
        model.input_cost_per_million(),
    ) {
        (None, _) => true,
        (Some(_), None) => true,
        (Some(max), Some(price)) => price > max,
    };
    roles && providers && keys && models && capabilities && cost
}

fn reference_decide(policy: &Policy, role: Role, key_id: &KeyId, model: &Model) -> Decision {
    for (i, rule) in policy.rules.iter().enumerate() {
        if reference_matches(rule, role, key_id, model) {
            return Decision {
                effect: rule.effect,
                rule: Some(i),
            };
        }
    }
    Decision {
        effect: policy.default,
        rule: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decisions_agree_with_the_reference(policy in policy(), (role, key_id, model) in subject()) {
        let subject = PolicySubject { role, key_id: &key_id, model: &model };
        let decision = policy.decide(&subject);
        prop_assert_eq!(decision, reference_decide(&policy, role, &key_id, &model));
        prop_assert_eq!(policy.allows(&subject), decision.effect == Effect::Allow);
        for rule in &policy.rules {
            prop_assert_eq!(rule.matches(&subject), reference_matches(rule, role, &key_id, &model));
        }
    }

    #[test]
    fn serialization_round_trips(policy in policy(), (role, key_id, model) in subject()) {
        let value = serde_json::to_value(&policy).unwrap();
        let parsed = Policy::parse(&value, "policy").unwrap();
        prop_assert_eq!(&parsed, &policy);
        let text = serde_json::to_string(&policy).unwrap();
        let reparsed = Policy::parse(&serde_json::from_str(&text).unwrap(), "policy").unwrap();
        prop_assert_eq!(&reparsed, &policy);
        let subject = PolicySubject { role, key_id: &key_id, model: &model };
        prop_assert_eq!(parsed.decide(&subject), policy.decide(&subject));
    }

    #[test]
    fn an_unconditional_first_rule_decides_everything(
        mut policy in policy(), effect in effect(), (role, key_id, model) in subject()
    ) {
        policy.rules.insert(0, PolicyRule::new(effect));
        let decision = policy.decide(&PolicySubject { role, key_id: &key_id, model: &model });
        prop_assert_eq!(decision, Decision { effect, rule: Some(0) });
    }

    #[test]
    fn rules_after_an_unconditional_rule_change_nothing(
        mut policy in policy(),
        effect in effect(),
        extra in proptest::collection::vec(rule(), 1..4),
        (role, key_id, model) in subject(),
    ) {
        policy.rules.push(PolicyRule::new(effect));
        let subject = PolicySubject { role, key_id: &key_id, model: &model };
        let before = policy.decide(&subject);
        policy.rules.extend(extra);
        prop_assert_eq!(policy.decide(&subject), before);
    }

    #[test]
    fn without_rules_the_default_decides(default in effect(), (role, key_id, model) in subject()) {
        let policy = Policy { default, rules: vec![] };
        let decision = policy.decide(&PolicySubject { role, key_id: &key_id, model: &model });
        prop_assert_eq!(decision, Decision { effect: default, rule: None });
    }
}
