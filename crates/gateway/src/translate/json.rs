//! Walking a caller's JSON by hand, so that every error names the field's path.

use serde_json::{Map, Value};

use super::TranslateError;

pub(crate) type Obj = Map<String, Value>;
type Result<T> = std::result::Result<T, TranslateError>;

/// `parent.key` (or `key` at the top level).
pub(crate) fn at(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// `parent[i]`.
pub(crate) fn nth(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

pub(crate) fn parse_body(body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body).map_err(|e| TranslateError::InvalidJson(e.to_string()))
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expected(field: &str, what: &str, v: &Value) -> TranslateError {
    TranslateError::invalid(field, format!("expected {what}, got {}", type_name(v)))
}

pub(crate) fn object<'a>(v: &'a Value, field: &str) -> Result<&'a Obj> {
    v.as_object().ok_or_else(|| expected(field, "an object", v))
}

pub(crate) fn array<'a>(v: &'a Value, field: &str) -> Result<&'a [Value]> {
    v.as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| expected(field, "an array", v))
}

pub(crate) fn string<'a>(v: &'a Value, field: &str) -> Result<&'a str> {
    v.as_str().ok_or_else(|| expected(field, "a string", v))
}

/// The value of `key`, treating null as absent.
pub(crate) fn opt<'a>(obj: &'a Obj, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

pub(crate) fn req<'a>(obj: &'a Obj, key: &str, parent: &str) -> Result<&'a Value> {
    opt(obj, key).ok_or_else(|| TranslateError::MissingField {
        field: at(parent, key),
    })
}

pub(crate) fn req_str<'a>(obj: &'a Obj, key: &str, parent: &str) -> Result<&'a str> {
    string(req(obj, key, parent)?, &at(parent, key))
}

pub(crate) fn opt_str<'a>(obj: &'a Obj, key: &str, parent: &str) -> Result<Option<&'a str>> {
    opt(obj, key)
        .map(|v| string(v, &at(parent, key)))
        .transpose()
}

pub(crate) fn opt_array<'a>(obj: &'a Obj, key: &str, parent: &str) -> Result<&'a [Value]> {
    Ok(match opt(obj, key) {
        Some(v) => array(v, &at(parent, key))?,
        None => &[],
    })
}

pub(crate) fn opt_bool(obj: &Obj, key: &str, parent: &str) -> Result<Option<bool>> {
    opt(obj, key)
        .map(|v| {
            v.as_bool()
                .ok_or_else(|| expected(&at(parent, key), "a boolean", v))
        })
        .transpose()
}

/// A number within `min..=max`.
pub(crate) fn opt_f64_in(
    obj: &Obj,
    key: &str,
    parent: &str,
    min: f64,
    max: f64,
) -> Result<Option<f64>> {
    let Some(v) = opt(obj, key) else {
        return Ok(None);
    };
    let field = at(parent, key);
    let n = v.as_f64().ok_or_else(|| expected(&field, "a number", v))?;
    if !(min..=max).contains(&n) {
        return Err(TranslateError::invalid(
            field,
            format!("must be between {min} and {max}"),
        ));
    }
    Ok(Some(n))
}

/// A positive integer that fits in a `u32`.
pub(crate) fn opt_positive(obj: &Obj, key: &str, parent: &str) -> Result<Option<u32>> {
    let Some(v) = opt(obj, key) else {
        return Ok(None);
    };
    let field = at(parent, key);
    match v.as_i64() {
        Some(n) if n > 0 => u32::try_from(n)
            .map(Some)
            .map_err(|_| TranslateError::invalid(field, "is too large")),
        Some(_) => Err(TranslateError::invalid(field, "must be a positive integer")),
        None if v.is_number() => Err(TranslateError::invalid(field, "must be a positive integer")),
        None => Err(expected(&field, "a positive integer", v)),
    }
}

/// A list of strings (`stop`, `stop_sequences`); a lone string counts as a list of one when
/// `allow_single`.
pub(crate) fn strings(v: &Value, field: &str, allow_single: bool) -> Result<Vec<String>> {
    match v {
        Value::String(s) if allow_single => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, s)| string(s, &nth(field, i)).map(str::to_owned))
            .collect(),
        other => {
            let what = if allow_single {
                "a string or an array of strings"
            } else {
                "an array of strings"
            };
            Err(expected(field, what, other))
        }
    }
}

/// Tool-call arguments (a JSON string) as the object other formats want: `{}` when the
/// string is not a JSON object (models do produce malformed arguments; the history is kept
/// rather than refused).
pub(crate) fn arguments_object(arguments: &str) -> Value {
    match serde_json::from_str::<Value>(arguments) {
        Ok(v @ Value::Object(_)) => v,
        _ => Value::Object(Obj::new()),
    }
}

/// `#[serde(deserialize_with)]` for upstream fields some providers send as `null`.
pub(crate) fn null_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An upstream JSON body as type `T`.
pub(crate) fn upstream<T: serde::de::DeserializeOwned>(
    format: &'static str,
    body: &[u8],
) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| TranslateError::InvalidUpstream {
        format,
        reason: e.to_string(),
    })
}

/// A client tool definition as both caller formats give it: `name` (non-empty), an
/// optional `description` and a JSON-schema object under `schema_field` (`parameters` for
/// OpenAI, `input_schema` for Anthropic; an empty object schema when absent).
pub(crate) fn tool(obj: &Obj, path: &str, schema_field: &str) -> Result<super::Tool> {
    let name = req_str(obj, "name", path)?;
    if name.is_empty() {
        return Err(TranslateError::invalid(
            at(path, "name"),
            "must not be empty",
        ));
    }
    let parameters = match opt(obj, schema_field) {
        Some(schema @ Value::Object(_)) => schema.clone(),
        Some(other) => {
            return Err(TranslateError::invalid(
                at(path, schema_field),
                format!("expected a JSON schema object, got {}", type_name(other)),
            ));
        }
        None => serde_json::json!({"type": "object", "properties": {}}),
    };
    Ok(super::Tool {
        name: name.to_owned(),
        description: opt_str(obj, "description", path)?.map(str::to_owned),
        parameters,
    })
}
