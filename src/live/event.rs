//! One feed event and its `text/event-stream` framing.

use crate::views::AlertView;

/// A change to one alert: the audit action that recorded it (`alert.created`, …) and the
/// alert as `GET /alerts/{id}` answers it now; or the tenant's open counts after a batch.
#[derive(Debug, Clone)]
pub enum FeedEvent {
    Alert {
        seq: i64,
        action: String,
        alert: Box<AlertView>,
    },
    Counts {
        triggered: i64,
        acknowledged: i64,
    },
    /// An open alert seen again by ingest (dedup), which has no audit entry and so no id of its
    /// own: `alert.deduplicated` with the alert as it is now.
    Repeated {
        alert: Box<AlertView>,
    },
    /// The client's `Last-Event-ID` is further back than the feed replays: reload.
    Reset {
        seq: i64,
    },
}

impl FeedEvent {
    pub fn seq(&self) -> Option<i64> {
        match self {
            FeedEvent::Alert { seq, .. } | FeedEvent::Reset { seq } => Some(*seq),
            FeedEvent::Counts { .. } | FeedEvent::Repeated { .. } => None,
        }
    }
}

/// The event as SSE lines. Names and ids never contain line breaks; JSON data has none.
pub fn frame(event: &FeedEvent) -> String {
    match event {
        FeedEvent::Alert { seq, action, alert } => {
            let data = serde_json::to_string(alert).unwrap_or_else(|_| "null".into());
            format!("id: {seq}\nevent: {action}\ndata: {data}\n\n")
        }
        // No `id:` line: a client's last event id stays the audit entry it last saw.
        FeedEvent::Repeated { alert } => {
            let data = serde_json::to_string(alert).unwrap_or_else(|_| "null".into());
            format!("event: alert.deduplicated\ndata: {data}\n\n")
        }
        FeedEvent::Counts { triggered, acknowledged } => {
            format!("event: counts\ndata: {{\"triggered\":{triggered},\"acknowledged\":{acknowledged}}}\n\n")
        }
        FeedEvent::Reset { seq } => {
            format!(
                "id: {seq}\nevent: reset\ndata: {{\"reason\":\"missed more events than are replayed; reload\"}}\n\n"
            )
        }
    }
}

/// A comment line: keeps proxies from closing an idle stream and tells the client it lives.
pub fn heartbeat() -> &'static str {
    ": heartbeat\n\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_resets_are_well_formed_events() {
        let counts = frame(&FeedEvent::Counts { triggered: 3, acknowledged: 1 });
        assert_eq!(counts, "event: counts\ndata: {\"triggered\":3,\"acknowledged\":1}\n\n");
        let reset = frame(&FeedEvent::Reset { seq: 42 });
        assert!(reset.starts_with("id: 42\nevent: reset\ndata: {"));
        assert!(reset.ends_with("}\n\n") && reset.matches('\n').count() == 4);
    }
}
