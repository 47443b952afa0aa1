//! Ingest repeats for the feed. A repeat of an open alert (dedup) writes no audit entry
//! (SPEC §2.2), so the feed finds repeats in the alerts themselves: seen again, an alert has a
//! later `last_seen_at` and a higher `event_count`. That time is taken before the commit, on
//! whichever instance applied the event, so commits can land a little out of its order: each
//! read looks back [`OVERLAP`] before the latest time seen, and skips what it already sent.

use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDateTime;

use crate::db::queries::alerts::AlertWithSource;

/// How far out of `last_seen_at` order a repeat may commit and still be sent.
const OVERLAP: Duration = Duration::from_secs(2);

/// What one tenant's feed has sent of the repeats: the latest `last_seen_at`, and within
/// [`OVERLAP`] of it, each alert's `event_count` sent.
pub(super) struct Repeats {
    /// Repeats seen at or before this are not news (the feed started after them).
    start: NaiveDateTime,
    latest: NaiveDateTime,
    sent: HashMap<String, (i64, NaiveDateTime)>,
}

impl Repeats {
    /// Repeats seen after `at` are new.
    pub(super) fn after(at: NaiveDateTime) -> Self {
        Self { start: at, latest: at, sent: HashMap::new() }
    }

    /// Where the next read starts.
    pub(super) fn read_from(&self) -> NaiveDateTime {
        self.start.max(self.latest - OVERLAP)
    }

    /// The alerts among `seen` (read from [`Repeats::read_from`]) not sent yet at this count.
    pub(super) fn fresh(&mut self, seen: Vec<AlertWithSource>) -> Vec<AlertWithSource> {
        let mut fresh = Vec::new();
        for (alert, source) in seen {
            let sent = self.sent.get(&alert.id).is_some_and(|(count, _)| *count >= alert.event_count);
            if sent || alert.last_seen_at <= self.read_from() {
                continue;
            }
            self.latest = self.latest.max(alert.last_seen_at);
            self.sent.insert(alert.id.clone(), (alert.event_count, alert.last_seen_at));
            fresh.push((alert, source));
        }
        let horizon = self.read_from();
        self.sent.retain(|_, (_, at)| *at > horizon);
        fresh
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::db::models::Alert;

    fn at(second: i64) -> NaiveDateTime {
        DateTime::from_timestamp(1_800_000_000 + second, 0).map(|t| t.naive_utc()).unwrap_or_default()
    }

    fn seen(id: &str, count: i64, second: i64) -> AlertWithSource {
        let alert = Alert {
            id: id.into(),
            tenant_id: "t".into(),
            integration_id: "i".into(),
            dedup_key: id.into(),
            status: "triggered".into(),
            severity: "high".into(),
            summary: "s".into(),
            resource: None,
            details: "{}".into(),
            event_count: count,
            first_seen_at: at(0),
            last_seen_at: at(second),
            assignee_id: None,
            acknowledged_at: None,
            resolved_at: None,
            ticket_id: None,
        };
        (alert, "source".into())
    }

    fn ids(fresh: &[AlertWithSource]) -> Vec<(String, i64)> {
        fresh.iter().map(|(a, _)| (a.id.clone(), a.event_count)).collect()
    }

    #[test]
    fn each_count_is_sent_once_and_a_late_commit_within_the_overlap_still_is() {
        let mut repeats = Repeats::after(at(10));
        assert_eq!(ids(&repeats.fresh(vec![seen("a", 2, 11), seen("b", 2, 12)])), [("a".into(), 2), ("b".into(), 2)]);
        // Read again from the overlap: the same rows are not sent twice, a new count is, and a
        // repeat stamped before the latest time but committed after the last read still is.
        let again = repeats.fresh(vec![seen("c", 3, 11), seen("a", 2, 11), seen("b", 3, 13)]);
        assert_eq!(ids(&again), [("c".into(), 3), ("b".into(), 3)]);
        assert_eq!(repeats.read_from(), at(13) - OVERLAP);
        assert_eq!(Repeats::after(at(10)).read_from(), at(10), "never before the start");
    }

    #[test]
    fn repeats_from_before_the_start_are_not_news() {
        let mut repeats = Repeats::after(at(100));
        assert!(repeats.fresh(vec![seen("old", 5, 90)]).is_empty());
        assert_eq!(ids(&repeats.fresh(vec![seen("old", 6, 101)])), [("old".into(), 6)]);
    }
}
