//! The id normalization of the enrichment index; the rules are documented on the parent
//! module ([`crate::enrich`]).

/// The *loose* form of a model id (tier 2), appended to `out`: case-folded, with `.` and
/// `_` turned into `-`. Nothing is dropped.
pub(super) fn push_loose(id: &str, out: &mut String) {
    out.reserve(id.len());
    for c in id.chars() {
        match c {
            '.' | '_' => out.push('-'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// The loose form of `id` (see [`push_loose`]).
pub(super) fn loose(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    push_loose(id, &mut out);
    out
}

/// Drops every trailing date or `-latest` stamp from a loose id (tier 3), in place: the
/// normalized form is always a prefix of the loose form. A stamp is never dropped when
/// nothing would be left of the id.
pub(super) fn strip_stamps(id: &mut String) {
    loop {
        let stamp = trailing_stamp_len(id.as_bytes());
        if stamp == 0 || stamp >= id.len() {
            return;
        }
        id.truncate(id.len() - stamp);
    }
}

/// Length in bytes of the stamp `id` ends with, or 0. Recognized (on the loose form, so
/// already lower-case and with `_`/`.` turned into `-`): `-latest`, `-YYYYMMDD`,
/// `@YYYYMMDD` and `-YYYY-MM-DD`, where the date must be plausible (year 19xx or 20xx,
/// month 01–12, day 01–31).
fn trailing_stamp_len(id: &[u8]) -> usize {
    const LATEST: &[u8] = b"-latest";
    if id.ends_with(LATEST) {
        return LATEST.len();
    }
    // `-YYYY-MM-DD`
    if let [.., b'-', y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = id
        && plausible_date(&[*y1, *y2, *y3, *y4], &[*m1, *m2], &[*d1, *d2])
    {
        return 11;
    }
    // `-YYYYMMDD` and `@YYYYMMDD`
    if let [.., b'-' | b'@', y1, y2, y3, y4, m1, m2, d1, d2] = id
        && plausible_date(&[*y1, *y2, *y3, *y4], &[*m1, *m2], &[*d1, *d2])
    {
        return 9;
    }
    0
}

fn plausible_date(year: &[u8], month: &[u8], day: &[u8]) -> bool {
    fn number(digits: &[u8]) -> Option<u32> {
        digits.iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    }
    matches!(
        (number(year), number(month), number(day)),
        (Some(1900..=2099), Some(1..=12), Some(1..=31))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(id: &str) -> String {
        let mut out = loose(id);
        strip_stamps(&mut out);
        out
    }

    #[test]
    fn loose_folds_case_and_separators_only() {
        assert_eq!(loose("Claude-Sonnet-4.5"), "claude-sonnet-4-5");
        assert_eq!(loose("gpt_4o.MINI"), "gpt-4o-mini");
        assert_eq!(
            loose("claude-3-5-sonnet-20241022"),
            "claude-3-5-sonnet-20241022"
        );
        assert_eq!(loose("ÉTÉ-1"), "été-1");
    }

    #[test]
    fn stamps_are_dropped_from_the_end_repeatedly() {
        let cases = [
            ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
            ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
            ("gpt-4o-2024-08-06", "gpt-4o"),
            ("gpt_4o_2024_08_06", "gpt-4o"),
            ("claude-3-5-sonnet@20240620", "claude-3-5-sonnet"),
            ("model-20240101-latest", "model"),
            ("model-latest-20240101", "model"),
            ("model-2024-01-01-20240101", "model"),
            // Not dates, or not at the end: kept.
            ("gemini-2.0-flash-001", "gemini-2-0-flash-001"),
            ("gpt-4-0613", "gpt-4-0613"),
            ("mistral-large-2407", "mistral-large-2407"),
            (
                "gemini-2.5-flash-preview-05-20",
                "gemini-2-5-flash-preview-05-20",
            ),
            ("model-12345678", "model-12345678"),
            ("model-20241322", "model-20241322"),
            ("model-20240100", "model-20240100"),
            ("model20240101", "model20240101"),
            (
                "claude-3-5-sonnet-20241022:beta",
                "claude-3-5-sonnet-20241022:beta",
            ),
            ("model-latestx", "model-latestx"),
            // Never emptied.
            ("-latest", "-latest"),
            ("-20240101", "-20240101"),
            ("", ""),
        ];
        for (id, expected) in cases {
            assert_eq!(normalized(id), expected, "normalizing {id:?}");
        }
    }
}
