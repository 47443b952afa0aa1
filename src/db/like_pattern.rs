//! `LIKE` patterns, the same on both databases.

/// A `LIKE` pattern matching `needle` anywhere, with the wildcards in it taken literally.
pub fn contains_pattern(needle: &str) -> String {
    let escaped = needle.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(super::contains_pattern("50%_A"), "%50\\%\\_a%");
    }
}
