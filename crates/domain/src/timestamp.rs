use std::fmt;

use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use crate::InvalidInput;

/// Always three fractional digits and `Z`, so the strings sort like the times they show.
const RFC3339_MILLIS_UTC: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// A point in time with millisecond precision, stored as Unix milliseconds and shown as an
/// RFC 3339 string in UTC (`2026-01-31T12:00:00.000Z`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn now() -> Self {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        Self((nanos / 1_000_000) as i64)
    }

    pub fn from_unix_millis(millis: i64) -> Self {
        Self(millis)
    }

    pub fn unix_millis(self) -> i64 {
        self.0
    }

    /// Whether this time is less than `ttl` before `now`. A time after `now` (another
    /// replica's clock a little ahead) counts as fresh.
    pub fn is_within(self, ttl: std::time::Duration, now: Timestamp) -> bool {
        let age_ms = now.0.saturating_sub(self.0).max(0) as u128;
        age_ms < ttl.as_millis()
    }

    pub fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds.saturating_mul(1000)))
    }

    /// Parses an RFC 3339 time received from outside.
    pub fn parse_rfc3339(value: &str, field: &str) -> Result<Self, InvalidInput> {
        let parsed = OffsetDateTime::parse(value, &Rfc3339).map_err(|_| {
            InvalidInput::new(
                field,
                "must be an RFC 3339 time such as 2026-01-31T12:00:00Z",
            )
        })?;
        Ok(Self((parsed.unix_timestamp_nanos() / 1_000_000) as i64))
    }

    pub fn to_rfc3339(self) -> String {
        let nanos = i128::from(self.0) * 1_000_000;
        match OffsetDateTime::from_unix_timestamp_nanos(nanos) {
            Ok(t) => t
                .format(RFC3339_MILLIS_UTC)
                .unwrap_or_else(|_| self.0.to_string()),
            Err(_) => self.0.to_string(),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date-time"})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_within_a_ttl() {
        let ttl = std::time::Duration::from_secs(60);
        let t = Timestamp::from_unix_millis(1_000_000);
        assert!(t.is_within(ttl, Timestamp::from_unix_millis(1_059_999)));
        assert!(!t.is_within(ttl, Timestamp::from_unix_millis(1_060_000)));
        assert!(
            t.is_within(ttl, Timestamp::from_unix_millis(999_000)),
            "a clock ahead"
        );
    }

    #[test]
    fn formats_utc_rfc3339_and_parses_back() {
        let t = Timestamp::from_unix_millis(1_764_763_200_123);
        assert_eq!(t.to_rfc3339(), "2025-12-03T12:00:00.123Z");
        assert_eq!(
            Timestamp::from_unix_millis(1_764_763_200_000).to_rfc3339(),
            "2025-12-03T12:00:00.000Z"
        );
        assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339(), "at").unwrap(), t);
        let offset = Timestamp::parse_rfc3339("2025-12-03T14:00:00.123+02:00", "at").unwrap();
        assert_eq!(offset, t);
        assert!(Timestamp::parse_rfc3339("yesterday", "before").is_err());
    }
}
