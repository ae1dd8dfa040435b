//! Tolerant reading of upstream JSON, straight from the body into small typed structs: a
//! field of an unexpected type is unknown, not an error, so one odd entry never costs the
//! whole list.
//!
//! A field is a [`Lenient<T>`]: `Some` when the JSON value is of a kind `T` [`Accept`]s,
//! `None` when it is absent, `null` or of any other kind (that value is then skipped, without
//! building it). Objects are read by [`Fields`]: only the keys a struct names are looked at,
//! the others skipped, and a repeated key keeps its last value (as a `serde_json::Value`
//! would). Strings are borrowed from the body unless they contain escapes.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A value that is `None` when absent, `null` or of a kind `T` does not accept.
pub(crate) struct Lenient<T>(Option<T>);

impl<T> Lenient<T> {
    pub fn get(self) -> Option<T> {
        self.0
    }

    pub fn as_ref(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Self(None)
    }
}

/// The JSON kinds a type is read from, one method each; by default a kind is refused (the
/// value is unknown). Refused arrays and objects are skipped to their end.
pub(crate) trait Accept<'de>: Sized {
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
    fn from_u64(_: u64) -> Option<Self> {
        None
    }
    fn from_i64(_: i64) -> Option<Self> {
        None
    }
    fn from_f64(_: f64) -> Option<Self> {
        None
    }
    fn from_str(_: Cow<'de, str>) -> Option<Self> {
        None
    }
    fn from_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(None)
    }
    fn from_map<A: MapAccess<'de>>(mut map: A) -> Result<Option<Self>, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(None)
    }
}

impl<'de, T: Accept<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(LenientVisitor(PhantomData))
            .map(Lenient)
    }
}

struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Accept<'de>> Visitor<'de> for LenientVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(T::from_bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(T::from_u64(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(T::from_i64(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(T::from_f64(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(T::from_str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(T::from_str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(T::from_str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::from_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::from_map(map)
    }
}

/// A value that is not wanted: read through without building anything, yet checked the way
/// parsing it into a `serde_json::Value` would check it (strings are valid UTF-8 with valid
/// escapes, numbers fit an `f64`, nesting stays within serde_json's limit), so a body is
/// refused exactly when a `Value` parse of it would be. (`IgnoredAny` skips such defects.)
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

/// A struct read from a JSON object: `field` stores the value of a key it knows (typically a
/// `Lenient`) and leaves the others to be skipped.
pub(crate) trait Fields<'de>: Default {
    /// Reads the value of `key` with `map.next_value()` when it is a known key; returns
    /// `false` (without reading) otherwise.
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error>;
}

impl<'de, T: Fields<'de>> Accept<'de> for T {
    fn from_map<A: MapAccess<'de>>(mut map: A) -> Result<Option<Self>, A::Error> {
        let mut fields = T::default();
        while let Some(Key(key)) = map.next_key()? {
            if !fields.field(&key, &mut map)? {
                map.next_value::<Skip>()?;
            }
        }
        Ok(Some(fields))
    }
}

/// An object key, borrowed unless it contains escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_str(LenientVisitor::<Cow<'de, str>>(PhantomData))?
            .map(Key)
            .ok_or_else(|| de::Error::custom("an object key that is not a string"))
    }
}

impl Accept<'_> for bool {
    fn from_bool(v: bool) -> Option<Self> {
        Some(v)
    }
}

/// A non-negative integer; an integral float such as `8192.0` counts.
impl Accept<'_> for u64 {
    fn from_u64(v: u64) -> Option<Self> {
        Some(v)
    }
    fn from_i64(v: i64) -> Option<Self> {
        u64::try_from(v).ok()
    }
    fn from_f64(v: f64) -> Option<Self> {
        let integral = v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < u64::MAX as f64;
        integral.then_some(v as u64)
    }
}

/// A string as sent (not trimmed, possibly empty).
impl<'de: 'a, 'a> Accept<'de> for Cow<'a, str> {
    fn from_str(v: Cow<'de, str>) -> Option<Self> {
        Some(v)
    }
}

/// A non-empty string, trimmed.
pub(crate) struct Text(pub String);

impl Accept<'_> for Text {
    fn from_str(v: Cow<'_, str>) -> Option<Self> {
        let trimmed = v.trim();
        (!trimmed.is_empty()).then(|| Text(trimmed.to_owned()))
    }
}

/// A list of strings; its elements of other kinds are left out.
pub(crate) struct Strings<'a>(pub Vec<Cow<'a, str>>);

impl Strings<'_> {
    pub fn contains(&self, wanted: &str) -> bool {
        self.0.iter().any(|s| s == wanted)
    }
}

impl<'de: 'a, 'a> Accept<'de> for Strings<'a> {
    fn from_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(element) = seq.next_element::<Lenient<Cow<'a, str>>>()? {
            list.extend(element.get());
        }
        Ok(Some(Strings(list)))
    }
}

/// A decimal number given as a string (OpenRouter prices, trimmed) or as a number.
pub(crate) struct Decimal(pub f64);

impl Accept<'_> for Decimal {
    fn from_u64(v: u64) -> Option<Self> {
        Some(Decimal(v as f64))
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(Decimal(v as f64))
    }
    fn from_f64(v: f64) -> Option<Self> {
        Some(Decimal(v))
    }
    fn from_str(v: Cow<'_, str>) -> Option<Self> {
        v.trim().parse().ok().map(Decimal)
    }
}

/// A non-empty string field of a small `serde_json::Value` (error bodies).
pub(crate) fn string(value: &serde_json::Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const BODY: &str = r#"{"s": " x ", "e": "", "n": 5, "f": 8192.0, "h": 1.5, "neg": -1,
        "b": true, "l": ["a", 1, "b"], "p": "0.000003", "q": 2, "bad": "abc",
        "o": {"b": true, "x": [{"deep": [1]}], "b": 3}}"#;

    /// `key` of BODY read as a `T`.
    fn read<T: Accept<'static>>(key: &str) -> Option<T> {
        let mut all: HashMap<&str, Lenient<T>> = serde_json::from_str(BODY).unwrap();
        all.remove(key).and_then(Lenient::get)
    }

    fn string(key: &str) -> Option<String> {
        read::<Text>(key).map(|t| t.0)
    }
    fn uint(key: &str) -> Option<u64> {
        read(key)
    }
    fn boolean(key: &str) -> Option<bool> {
        read(key)
    }
    fn strings(key: &str) -> Option<Vec<Cow<'static, str>>> {
        read::<Strings>(key).map(|s| s.0)
    }
    fn decimal(key: &str) -> Option<f64> {
        read::<Decimal>(key).map(|d| d.0)
    }

    #[test]
    fn odd_types_are_unknown() {
        assert_eq!(string("s").as_deref(), Some("x"));
        assert_eq!(string("e"), None);
        assert_eq!(string("n"), None);
        assert_eq!(uint("n"), Some(5));
        assert_eq!(uint("f"), Some(8192));
        assert_eq!(uint("h"), None);
        assert_eq!(uint("neg"), None);
        assert_eq!(uint("s"), None);
        assert_eq!(boolean("b"), Some(true));
        assert_eq!(boolean("n"), None);
        assert_eq!(strings("l"), Some(vec!["a".into(), "b".into()]));
        assert_eq!(strings("s"), None);
        assert_eq!(strings("missing"), None);
        assert_eq!(decimal("p"), Some(0.000003));
        assert_eq!(decimal("q"), Some(2.0));
        assert_eq!(decimal("bad"), None);
        // Arrays and objects of the wrong kind are skipped whole.
        assert_eq!(uint("l"), None);
        assert_eq!(string("o"), None);
    }

    #[derive(Default)]
    struct Flag {
        b: Lenient<bool>,
    }

    impl<'de> Fields<'de> for Flag {
        fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
            match key {
                "b" => self.b = map.next_value()?,
                _ => return Ok(false),
            }
            Ok(true)
        }
    }

    #[test]
    fn objects_keep_the_last_of_a_repeated_key() {
        let flag = read::<Flag>("o").unwrap();
        assert_eq!(flag.b.get(), None);
        let flag: Lenient<Flag> = serde_json::from_str(r#"{"b": 1, "\u0062": false}"#).unwrap();
        assert_eq!(flag.get().unwrap().b.get(), Some(false));
        assert!(read::<Flag>("l").is_none());
    }

    #[test]
    fn malformed_json_is_still_an_error() {
        // Defects in a skipped value fail as they do when parsing into a `Value`.
        let deep = format!("{{\"x\": {}1{}}}", "[".repeat(200), "]".repeat(200));
        let skipped = [
            deep.as_str(),
            r#"{"x": 1e400}"#,
            r#"{"x": ["\ud800"]}"#,
            r#"{"x": {"\q": 1}}"#,
        ];
        let syntax = [
            "{\"b\": tru}",
            "{\"b\": [1, }",
            "{\"x\": {\"y\": 1}",
            "[1 2]",
        ];
        for body in syntax.into_iter().chain(skipped) {
            let parsed = serde_json::from_str::<Lenient<Flag>>(body);
            assert!(parsed.is_err(), "{body}");
            assert!(
                serde_json::from_str::<serde_json::Value>(body).is_err(),
                "{body}"
            );
        }
        let not_utf8 = b"{\"b\": true, \"x\": \"\xff\"}";
        assert!(serde_json::from_slice::<Lenient<Flag>>(not_utf8).is_err());
    }
}
