//! A message body turned into an alert event, or the reason it never will be.

use serde_json::Value;

use super::Poison;
use crate::domain::event::{ParsedEvent, parse_event};

/// Decodes and validates a body; the same rules as HTTP ingest, plus a size limit.
pub fn decode(body: &[u8], max_bytes: usize) -> Result<ParsedEvent, Poison> {
    if body.len() > max_bytes {
        return Err(Poison::new(
            "too_large",
            format!("the body is {} bytes; at most {max_bytes} are accepted", body.len()),
        ));
    }
    let text =
        std::str::from_utf8(body).map_err(|e| Poison::new("not_utf8", format!("the body is not UTF-8 text: {e}")))?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| Poison::new("not_json", format!("the body is not JSON: {e}")))?;
    parse_event(&value).map_err(|errors| {
        let details_too_large =
            errors.0.iter().any(|e| e.field == "details") && value.get("details").is_some_and(Value::is_object);
        let reason = if details_too_large { "details_too_large" } else { "invalid_fields" };
        Poison::new(reason, errors.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(body: &[u8]) -> Option<&'static str> {
        decode(body, 1024 * 1024).err().map(|p| p.reason)
    }

    #[test]
    fn each_kind_of_bad_body_has_its_own_reason() {
        assert_eq!(decode(&[b'x'; 11], 10).err().map(|p| p.reason), Some("too_large"));
        assert_eq!(reason(&[0xff, 0xfe]), Some("not_utf8"));
        assert_eq!(reason(b"{not json"), Some("not_json"));
        assert_eq!(reason(br#"{"integration_key": "k", "severity": "loud", "summary": "s"}"#), Some("invalid_fields"));
        let big = serde_json::json!({"integration_key": "k", "summary": "s", "details": {"x": "y".repeat(70_000)}});
        assert_eq!(reason(big.to_string().as_bytes()), Some("details_too_large"));
        assert_eq!(reason(br#"{"integration_key": "k", "summary": "s"}"#), None);
    }
}
