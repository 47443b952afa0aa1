//! Webhook rules: which events exist, which a subscription receives, and when to retry.

use std::time::Duration;

use super::audit::AuditAction;

/// The audit actions that become webhook events, under the same names (docs/SPEC.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    AlertCreated,
    AlertAcknowledged,
    AlertUnacknowledged,
    AlertAssigned,
    AlertUnassigned,
    AlertResolved,
    TicketCreated,
    TicketUpdated,
    TicketCommented,
    TicketLinked,
}

impl EventType {
    pub const ALL: [EventType; 10] = [
        Self::AlertCreated,
        Self::AlertAcknowledged,
        Self::AlertUnacknowledged,
        Self::AlertAssigned,
        Self::AlertUnassigned,
        Self::AlertResolved,
        Self::TicketCreated,
        Self::TicketUpdated,
        Self::TicketCommented,
        Self::TicketLinked,
    ];

    /// The audit action it is, under the same name.
    pub const fn action(self) -> AuditAction {
        match self {
            Self::AlertCreated => AuditAction::AlertCreated,
            Self::AlertAcknowledged => AuditAction::AlertAcknowledged,
            Self::AlertUnacknowledged => AuditAction::AlertUnacknowledged,
            Self::AlertAssigned => AuditAction::AlertAssigned,
            Self::AlertUnassigned => AuditAction::AlertUnassigned,
            Self::AlertResolved => AuditAction::AlertResolved,
            Self::TicketCreated => AuditAction::TicketCreated,
            Self::TicketUpdated => AuditAction::TicketUpdated,
            Self::TicketCommented => AuditAction::TicketCommented,
            Self::TicketLinked => AuditAction::TicketLinked,
        }
    }

    pub const fn as_str(self) -> &'static str {
        self.action().as_str()
    }
}

/// The names of [`EventType::ALL`], in that order.
pub const EVENT_TYPES: [&str; EventType::ALL.len()] = {
    let mut names = [""; EventType::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = EventType::ALL[i].as_str();
        i += 1;
    }
    names
};

/// The patterns that match a whole family of events.
pub const WILDCARDS: [&str; 2] = ["alert.*", "ticket.*"];

pub fn is_event_type(action: &str) -> bool {
    EVENT_TYPES.contains(&action)
}

/// A subscription pattern: an event type, or `alert.*` / `ticket.*`.
pub fn valid_pattern(pattern: &str) -> bool {
    is_event_type(pattern) || WILDCARDS.contains(&pattern)
}

pub fn pattern_matches(pattern: &str, event_type: &str) -> bool {
    match pattern.strip_suffix(".*") {
        Some(prefix) => event_type.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.')),
        None => pattern == event_type,
    }
}

pub fn any_matches(patterns: &[String], event_type: &str) -> bool {
    patterns.iter().any(|p| pattern_matches(p, event_type))
}

/// What an endpoint's answer (or its silence) means for a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Worth trying again later: timeouts, connection errors, 408, 429, 5xx.
    Retry,
    /// The endpoint refused this delivery; retrying will not help.
    Reject,
    /// 410 Gone: the endpoint asks us to stop sending altogether.
    Gone,
}

/// `None` when no HTTP answer came at all.
pub fn verdict(status: Option<u16>) -> Verdict {
    match status {
        None => Verdict::Retry,
        Some(s) if (200..300).contains(&s) => Verdict::Delivered,
        Some(410) => Verdict::Gone,
        Some(408 | 429) => Verdict::Retry,
        Some(s) if s >= 500 => Verdict::Retry,
        Some(_) => Verdict::Reject,
    }
}

/// The delay before retry number `attempts` (1 after the first failure): doubling from
/// `base`, capped at `max`, with "equal jitter" (a random point in the upper half) so that
/// endpoints recovering from an outage are not hit by every sender at once. `unit` is a random
/// number in [0, 1).
pub fn backoff(attempts: i64, base: Duration, max: Duration, unit: f64) -> Duration {
    let exponent = attempts.saturating_sub(1).clamp(0, 30) as u32;
    let full = base.saturating_mul(2u32.saturating_pow(exponent)).min(max);
    let half = full / 2;
    half + half.mul_f64(unit.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_their_family_only() {
        assert!(pattern_matches("alert.*", "alert.created"));
        assert!(!pattern_matches("alert.*", "ticket.created"));
        assert!(pattern_matches("ticket.linked", "ticket.linked"));
        assert!(!pattern_matches("ticket.linked", "ticket.unlinked"));
        assert!(valid_pattern("ticket.*") && !valid_pattern("*") && !valid_pattern("ticket.unlinked"));
    }

    #[test]
    fn every_event_type_has_its_own_name_in_its_family() {
        assert_eq!(EVENT_TYPES[0], "alert.created");
        for (i, name) in EVENT_TYPES.iter().enumerate() {
            assert!(!EVENT_TYPES[..i].contains(name), "{name} twice");
            assert!(WILDCARDS.iter().any(|w| pattern_matches(w, name)), "{name} in no family");
        }
    }

    #[test]
    fn statuses_map_to_verdicts() {
        assert_eq!(verdict(Some(204)), Verdict::Delivered);
        assert_eq!(verdict(Some(500)), Verdict::Retry);
        assert_eq!(verdict(Some(429)), Verdict::Retry);
        assert_eq!(verdict(Some(408)), Verdict::Retry);
        assert_eq!(verdict(None), Verdict::Retry);
        assert_eq!(verdict(Some(400)), Verdict::Reject);
        assert_eq!(verdict(Some(301)), Verdict::Reject);
        assert_eq!(verdict(Some(410)), Verdict::Gone);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        let (base, max) = (Duration::from_secs(5), Duration::from_secs(3600));
        assert_eq!(backoff(1, base, max, 0.999_999).as_secs(), 4);
        assert_eq!(backoff(3, base, max, 0.0), Duration::from_secs(10));
        assert!(backoff(3, base, max, 0.5) > Duration::from_secs(10));
        assert_eq!(backoff(40, base, max, 0.0), Duration::from_secs(1800));
    }
}
