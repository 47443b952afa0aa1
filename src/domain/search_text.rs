//! What text search looks in: one lowercased text per alert, computed here once so that both
//! databases index exactly the same characters and answer the same.

use serde_json::Value;

/// The alert's summary, dedup key, resource and the string values of its details (not their
/// keys, numbers or booleans), lowercased, one per line.
pub fn alert_search_text(summary: &str, dedup_key: &str, resource: Option<&str>, details: &str) -> String {
    let mut parts: Vec<&str> = vec![summary, dedup_key];
    parts.extend(resource);
    let details: Value = serde_json::from_str(details).unwrap_or(Value::Null);
    let mut strings = Vec::new();
    string_values(&details, &mut strings);
    parts.extend(strings);
    // PostgreSQL's text cannot hold NUL, which a JSON string may (`\u0000`); no search can
    // look for one either (see `search_needle`).
    parts.join("\n").replace('\0', "").to_lowercase()
}

/// What a search for `needle` looks for in [`alert_search_text`]; `None` for a needle with a
/// NUL, which no search text contains.
pub fn search_needle(needle: &str) -> Option<String> {
    (!needle.contains('\0')).then(|| needle.to_lowercase())
}

fn string_values<'a>(value: &'a Value, into: &mut Vec<&'a str>) {
    match value {
        Value::String(text) => into.push(text),
        Value::Array(items) => items.iter().for_each(|item| string_values(item, into)),
        Value::Object(fields) => fields.values().for_each(|field| string_values(field, into)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_string_values_are_searched_and_keys_are_not() {
        let details = r#"{"Owner": "Team-Blue", "tags": ["PCI", {"zone": "EU-West"}], "count": 3, "ok": true}"#;
        let text = alert_search_text("Disk FULL", "host-1/disk", Some("Host-1"), details);
        assert_eq!(text, "disk full\nhost-1/disk\nhost-1\nteam-blue\npci\neu-west");
        assert!(!text.contains("owner") && !text.contains('3') && !text.contains("true"));
    }

    #[test]
    fn a_nul_is_left_out_and_never_searched_for() {
        assert_eq!(alert_search_text("a", "k", None, r#"{"x": "b\u0000c"}"#), "a\nk\nbc");
        assert_eq!(search_needle("b\0c"), None);
        assert_eq!(search_needle("BC").as_deref(), Some("bc"));
    }

    #[test]
    fn no_resource_and_broken_details_leave_the_rest() {
        assert_eq!(alert_search_text("S", "k", None, "not json"), "s\nk");
    }
}
