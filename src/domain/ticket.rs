//! Ticket vocabulary: statuses, priorities, link relations and per-tenant keys.

use super::alert::{Severity, string_enum};

string_enum!(TicketStatus {
    Open => "open",
    InProgress => "in_progress",
    OnHold => "on_hold",
    Resolved => "resolved",
    Closed => "closed",
});

string_enum!(Priority {
    Critical => "critical",
    High => "high",
    Medium => "medium",
    Low => "low",
});

string_enum!(LinkRelation {
    CreatedFrom => "created_from",
    RelatesTo => "relates_to",
    Duplicates => "duplicates",
    Blocks => "blocks",
});

string_enum!(LinkTarget {
    Alert => "alert",
    Ticket => "ticket",
});

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const COMMENT_MAX: usize = 20_000;

/// A ticket opened from an alert is as urgent as the alert was severe.
pub fn priority_for(severity: Severity) -> Priority {
    match severity {
        Severity::Critical => Priority::Critical,
        Severity::High => Priority::High,
        Severity::Medium => Priority::Medium,
        Severity::Low | Severity::Info => Priority::Low,
    }
}

/// The human key of a ticket, e.g. `ACME-42`.
pub fn ticket_key(prefix: &str, number: i64) -> String {
    format!("{prefix}-{number}")
}

/// Ticket prefixes are short upper-case words so keys read well and never collide with ids.
pub fn valid_prefix(prefix: &str) -> bool {
    (1..=10).contains(&prefix.len())
        && prefix.starts_with(|c: char| c.is_ascii_uppercase())
        && prefix.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_prefixes() {
        assert_eq!(ticket_key("ACME", 42), "ACME-42");
        assert!(valid_prefix("ACME"));
        assert!(valid_prefix("SOC2"));
        assert!(!valid_prefix("acme"));
        assert!(!valid_prefix("2SOC"));
        assert!(!valid_prefix(""));
        assert!(!valid_prefix("ABCDEFGHIJK"));
    }

    #[test]
    fn priority_follows_severity() {
        assert_eq!(priority_for(Severity::Critical), Priority::Critical);
        assert_eq!(priority_for(Severity::Info), Priority::Low);
    }

    #[test]
    fn vocabularies_parse() {
        assert_eq!(TicketStatus::parse("in_progress"), Some(TicketStatus::InProgress));
        assert_eq!(LinkRelation::parse("blocks"), Some(LinkRelation::Blocks));
        assert_eq!(Priority::parse("urgent"), None);
    }
}
