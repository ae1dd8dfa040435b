//! Tool arguments, taken field by field from the JSON object with errors that name the
//! field and the expected type but never echo a value (it could be a secret).

use aiproviders_domain::InvalidInput;
use serde_json::{Map, Value};

pub struct Args(Map<String, Value>);

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Args {
    pub fn new(arguments: Option<Map<String, Value>>) -> Self {
        Self(arguments.unwrap_or_default())
    }

    /// A required string.
    pub fn string(&mut self, name: &str) -> Result<String, InvalidInput> {
        self.optional_string(name)?
            .ok_or_else(|| InvalidInput::new(name, "is required"))
    }

    /// An optional string (`null` counts as absent).
    pub fn optional_string(&mut self, name: &str) -> Result<Option<String>, InvalidInput> {
        match self.0.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(InvalidInput::new(
                name,
                format!("must be a string, not {}", type_name(&other)),
            )),
        }
    }

    /// An optional integer.
    pub fn optional_integer(&mut self, name: &str) -> Result<Option<i64>, InvalidInput> {
        match self.0.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| InvalidInput::new(name, "must be an integer")),
            Some(other) => Err(InvalidInput::new(
                name,
                format!("must be an integer, not {}", type_name(&other)),
            )),
        }
    }

    /// A required string that may also be given under an alias (`keyId` /
    /// `provider_key_id`). Giving both with different values is an error.
    pub fn string_or_alias(&mut self, name: &str, alias: &str) -> Result<String, InvalidInput> {
        let primary = self.optional_string(name)?;
        let aliased = self.optional_string(alias)?;
        match (primary, aliased) {
            (Some(a), Some(b)) if a != b => Err(InvalidInput::new(
                name,
                format!("give {name} or {alias}, not two different values"),
            )),
            (Some(value), _) | (None, Some(value)) => Ok(value),
            (None, None) => Err(InvalidInput::new(name, "is required")),
        }
    }

    /// A required value of any JSON type (the callee parses it).
    pub fn value(&mut self, name: &str) -> Result<Value, InvalidInput> {
        match self.0.remove(name) {
            None | Some(Value::Null) => Err(InvalidInput::new(name, "is required")),
            Some(value) => Ok(value),
        }
    }

    /// Fails on any argument the tool does not take.
    pub fn finish(self) -> Result<(), InvalidInput> {
        match self.0.keys().next() {
            None => Ok(()),
            Some(unknown) => Err(InvalidInput::new(
                truncate(unknown),
                "is not an argument of this tool",
            )),
        }
    }
}

fn truncate(name: &str) -> String {
    name.chars().take(64).filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn args(value: Value) -> Args {
        Args::new(value.as_object().cloned())
    }

    #[test]
    fn types_are_checked_without_echoing_values() {
        let mut a = args(json!({"label": 5, "apiKey": ["sk-secret"]}));
        let err = a.string("label").unwrap_err();
        assert_eq!(err.reason, "must be a string, not a number");
        let err = a.string("apiKey").unwrap_err();
        assert!(!err.to_string().contains("sk-secret"));
    }

    #[test]
    fn aliases() {
        let mut a = args(json!({"provider_key_id": "aik_1"}));
        assert_eq!(
            a.string_or_alias("keyId", "provider_key_id").unwrap(),
            "aik_1"
        );
        let mut a = args(json!({"keyId": "aik_1", "provider_key_id": "aik_1"}));
        assert_eq!(
            a.string_or_alias("keyId", "provider_key_id").unwrap(),
            "aik_1"
        );
        let mut a = args(json!({"keyId": "aik_1", "provider_key_id": "aik_2"}));
        assert!(a.string_or_alias("keyId", "provider_key_id").is_err());
        let mut a = args(json!({}));
        assert_eq!(
            a.string_or_alias("keyId", "provider_key_id")
                .unwrap_err()
                .field,
            "keyId"
        );
    }

    #[test]
    fn unknown_and_missing_arguments() {
        let mut a = args(json!({"keyId": "aik_x", "extra": true}));
        assert_eq!(a.string("keyId").unwrap(), "aik_x");
        assert!(a.string("label").is_err());
        assert_eq!(a.finish().unwrap_err().field, "extra");
    }
}
