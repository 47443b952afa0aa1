//! Field helpers shared by the mappings of foreign alert formats (PagerDuty, Alertmanager):
//! they report problems under the foreign field names and fit values into our limits.

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use super::event::DETAILS_MAX_BYTES;
use super::validation::FieldErrors;

/// An optional string at `key`, reported as `label` when it has another JSON type.
pub fn text(obj: &Map<String, Value>, key: &str, label: &str, errors: &mut FieldErrors) -> Option<String> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.add(label, "must be a string");
            None
        }
    }
}

/// An optional JSON object at `key`; anything else but null is reported.
pub fn object<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    label: &str,
    errors: &mut FieldErrors,
) -> Option<&'a Map<String, Value>> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => {
            errors.add(label, "must be a JSON object");
            None
        }
    }
}

/// A sent time (see `super::timestamp`, PagerDuty's `+0000` offsets included); reported when
/// unreadable or outside years 1–9999.
pub fn time(raw: Option<String>, label: &str, errors: &mut FieldErrors) -> Option<NaiveDateTime> {
    match super::timestamp::parse(&raw?, true) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.add(label, e.message());
            None
        }
    }
}

/// Foreign senders do not know our limits and cannot fix their text: a long summary or
/// resource is cut (as PagerDuty itself does) rather than refused.
pub fn truncate_chars(value: &str, max: usize) -> String {
    match value.char_indices().nth(max) {
        Some((end, _)) => value[..end].to_owned(),
        None => value.to_owned(),
    }
}

/// Details are kept whole or refused: cutting JSON would lose meaning silently.
pub fn check_details(details: &Map<String, Value>, label: &str, errors: &mut FieldErrors) {
    let size = serde_json::to_vec(details).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > DETAILS_MAX_BYTES {
        errors.add(label, format!("must be at most {} KiB of JSON", DETAILS_MAX_BYTES / 1024));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_character_boundaries() {
        assert_eq!(truncate_chars("ééé", 2), "éé");
        assert_eq!(truncate_chars("abc", 5), "abc");
    }

    #[test]
    fn reads_times_and_reports_bad_ones() {
        let mut errors = FieldErrors::default();
        assert!(time(Some("2026-11-27T12:00:00.123456789+01:00".into()), "t", &mut errors).is_some());
        assert!(time(Some("2015-07-17T08:42:58.315+0000".into()), "t", &mut errors).is_some());
        assert!(time(Some("yesterday".into()), "t", &mut errors).is_none());
        assert_eq!(errors.0.len(), 1);
    }
}
