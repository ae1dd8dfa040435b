//! Tolerant reading of upstream JSON: a field of an unexpected type is unknown, not an
//! error, so one odd entry never costs the whole list.

use serde_json::Value;

/// A non-empty string field.
pub(crate) fn string(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A non-negative integer field (an integral float such as `8192.0` counts).
pub(crate) fn uint(value: &Value, key: &str) -> Option<u64> {
    let field = value.get(key)?;
    field.as_u64().or_else(|| {
        field
            .as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f < u64::MAX as f64)
            .map(|f| f as u64)
    })
}

pub(crate) fn boolean(value: &Value, key: &str) -> Option<bool> {
    value.get(key).and_then(Value::as_bool)
}

/// A list of strings; non-string elements are ignored. `None` when the field is absent or
/// not a list.
pub(crate) fn strings<'v>(value: &'v Value, key: &str) -> Option<Vec<&'v str>> {
    let list = value.get(key)?.as_array()?;
    Some(list.iter().filter_map(Value::as_str).collect())
}

/// A decimal number given as a string (OpenRouter prices) or as a number.
pub(crate) fn decimal(value: &Value, key: &str) -> Option<f64> {
    match value.get(key)? {
        Value::String(text) => text.trim().parse().ok(),
        Value::Number(number) => number.as_f64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn odd_types_are_unknown() {
        let v = json!({"s": " x ", "e": "", "n": 5, "f": 8192.0, "h": 1.5, "neg": -1,
                       "b": true, "l": ["a", 1, "b"], "p": "0.000003", "q": 2, "bad": "abc"});
        assert_eq!(string(&v, "s").as_deref(), Some("x"));
        assert_eq!(string(&v, "e"), None);
        assert_eq!(string(&v, "n"), None);
        assert_eq!(uint(&v, "n"), Some(5));
        assert_eq!(uint(&v, "f"), Some(8192));
        assert_eq!(uint(&v, "h"), None);
        assert_eq!(uint(&v, "neg"), None);
        assert_eq!(uint(&v, "s"), None);
        assert_eq!(boolean(&v, "b"), Some(true));
        assert_eq!(boolean(&v, "n"), None);
        assert_eq!(strings(&v, "l"), Some(vec!["a", "b"]));
        assert_eq!(strings(&v, "s"), None);
        assert_eq!(strings(&v, "missing"), None);
        assert_eq!(decimal(&v, "p"), Some(0.000003));
        assert_eq!(decimal(&v, "q"), Some(2.0));
        assert_eq!(decimal(&v, "bad"), None);
    }
}
