//! Times that senders give us (`occurred_at`, PagerDuty's `payload.timestamp`, Alertmanager's
//! `startsAt`): read, normalised to UTC and kept within years 1–9999, because a time outside
//! them (e.g. `9999-12-31T23:59:59-23:59`) would be written back as `+10000-…`, which RFC 3339
//! cannot express and common parsers reject.

use chrono::{Datelike, NaiveDateTime};

pub const FORMAT_HINT: &str = "must be an RFC 3339 timestamp, e.g. 2026-11-27T12:00:00Z";
pub const RANGE_HINT: &str = "must be between years 1 and 9999 once converted to UTC";

/// Why a sent time was refused, so each caller can report it under its own field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeError {
    Unreadable,
    OutOfRange,
}

impl TimeError {
    pub fn message(self) -> &'static str {
        match self {
            TimeError::Unreadable => FORMAT_HINT,
            TimeError::OutOfRange => RANGE_HINT,
        }
    }
}

/// An RFC 3339 time, or (with `lenient_offset`) ISO 8601 with a `+0000` offset as PagerDuty's
/// documentation writes it; in UTC, truncated to microseconds like every stored time.
pub fn parse(raw: &str, lenient_offset: bool) -> Result<NaiveDateTime, TimeError> {
    let parsed = chrono::DateTime::parse_from_rfc3339(raw).or_else(|e| {
        if lenient_offset { chrono::DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f%z") } else { Err(e) }
    });
    let utc = parsed.map_err(|_| TimeError::Unreadable)?.naive_utc();
    if !(1..=9999).contains(&utc.year()) {
        return Err(TimeError::OutOfRange);
    }
    Ok(truncate_to_micros(utc))
}

/// Now, truncated to microseconds: PostgreSQL keeps microseconds and SQLite nanoseconds, and a
/// value must read back exactly as it was hashed into the audit chain.
pub fn now() -> chrono::NaiveDateTime {
    truncate_to_micros(chrono::Utc::now().naive_utc())
}

pub fn truncate_to_micros(t: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(micros).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_times_that_leave_years_1_to_9999_in_utc() {
        assert_eq!(parse("9999-12-31T23:59:59-23:59", false), Err(TimeError::OutOfRange));
        assert_eq!(parse("0001-01-01T00:00:00+00:01", false), Err(TimeError::OutOfRange));
        assert_eq!(parse("0000-06-01T00:00:00Z", false), Err(TimeError::OutOfRange));
        assert!(parse("9999-12-31T23:59:59Z", false).is_ok());
        assert!(parse("0001-01-01T00:00:00Z", false).is_ok());
    }

    #[test]
    fn only_the_lenient_form_reads_a_colonless_offset() {
        assert!(parse("2015-07-17T08:42:58.315+0000", true).is_ok());
        assert_eq!(parse("2015-07-17T08:42:58.315+0000", false), Err(TimeError::Unreadable));
        assert_eq!(parse("noon", true), Err(TimeError::Unreadable));
    }
}
