//! Ids are UUIDv7 strings: unique without coordination between instances, and ordered by
//! creation time, which is what keyset pagination ("newest first") sorts on.

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The canonical form of a client-supplied id, or `None` when it cannot be an id at all.
pub fn parse_id(raw: &str) -> Option<String> {
    uuid::Uuid::parse_str(raw).ok().map(|u| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_sort_by_creation() {
        let a = new_id();
        let b = new_id();
        assert!(a < b, "{a} should sort before {b}");
    }

    #[test]
    fn parse_id_normalises_and_rejects() {
        let id = new_id();
        assert_eq!(parse_id(&id.to_uppercase()), Some(id));
        assert_eq!(parse_id("not-an-id"), None);
        assert_eq!(parse_id("1 OR 1=1"), None);
    }
}
