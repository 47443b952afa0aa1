//! One poller per tenant that has open streams on this instance, broadcasting to all of them:
//! a hundred streams of one tenant cost one small indexed query per change, not a hundred.
//! On PostgreSQL the poller reads when the database announces a change of its tenant (see
//! `listener`), and once a second in case a notice was missed; on SQLite, or while the
//! listening connection is down, every `tick`.

use std::sync::Arc;
use std::time::Duration;

use diesel::QueryResult;
use tokio::sync::{Notify, broadcast};

use super::FeedEvent;
use super::channels::{Channel, Channels, lock};
use super::listener::{self, Listening};
use crate::db::models::Alert;
use crate::db::queries::alerts::{AlertWithSource, RepeatCursor};
use crate::db::queries::{alerts, audit, tenants};
use crate::db::{Database, DbConnection, DbError};
use crate::views::AlertView;

/// How far back `Last-Event-ID` is replayed, in audit entries of the tenant.
pub const REPLAY_WINDOW: i64 = 10_000;
/// Events read per query; a bigger backlog takes several ticks.
const BATCH: i64 = 500;
/// The least time between two reads of a tenant's changes (unless a backlog is being read):
/// the first change after a quiet spell arrives at once, a storm's in batches of this period.
const MIN_GAP: Duration = Duration::from_millis(500);
/// How often a woken poller reads anyway, in case a notification was lost with its connection.
const TICK_WHEN_LISTENING: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct AlertFeed {
    db: Database,
    tick: Duration,
    channels: Arc<Channels>,
    listening: Listening,
}

/// A stream's place in the feed: what it missed, then what comes.
pub struct Subscription {
    pub missed: Vec<FeedEvent>,
    pub live: broadcast::Receiver<Arc<FeedEvent>>,
    /// The last event id sent or replayed: live events at or before it are duplicates.
    pub position: i64,
}

impl AlertFeed {
    /// Reads the audit trail for tenants with open streams: when PostgreSQL announces a
    /// change, or every `tick` where it cannot.
    pub fn new(db: Database, tick: Duration) -> Self {
        let feed = Self { db, tick, channels: Arc::default(), listening: Listening::default() };
        listener::spawn(feed.db.url().clone(), Arc::downgrade(&feed.channels), feed.listening.clone());
        feed
    }

    /// Subscribes to the tenant's changes after `last_event_id` (or from now), replaying what
    /// came since, within [`REPLAY_WINDOW`].
    pub async fn subscribe(&self, tenant_id: &str, last_event_id: Option<i64>) -> Result<Subscription, DbError> {
        let tenant = tenant_id.to_owned();
        // Where the audit trail and the repeats stand now; a new poller starts there.
        let (latest, written) = self
            .db
            .run(move |conn| Ok::<_, DbError>((audit::last_seq(conn, &tenant)?, tenants::write_seq(conn, &tenant)?)))
            .await?;
        let start = match last_event_id {
            Some(id) if (0..=latest).contains(&id) && latest - id <= REPLAY_WINDOW => id,
            Some(_) => {
                // Too far back (or from the future): say so, and go on from now.
                let live = self.channel(tenant_id, latest, written);
                return Ok(Subscription { missed: vec![FeedEvent::Reset { seq: latest }], live, position: latest });
            }
            None => latest,
        };
        // Subscribed before reading the backlog, so nothing falls between the two.
        let live = self.channel(tenant_id, start, written);
        let mut missed = Vec::new();
        let mut position = start;
        while position < latest {
            let (read_to, batch) = load(&self.db, tenant_id, position).await?;
            let Some(read_to) = read_to else { break };
            position = read_to;
            missed.extend(batch);
        }
        Ok(Subscription { missed, live, position })
    }

    fn channel(&self, tenant_id: &str, from: i64, written: i64) -> broadcast::Receiver<Arc<FeedEvent>> {
        let mut channels = lock(&self.channels);
        if let Some(channel) = channels.get(tenant_id) {
            return channel.sender.subscribe();
        }
        let (sender, receiver) = broadcast::channel(4096);
        let wake = Arc::new(Notify::new());
        // Read at once: a change may have committed since the caller read the trail's head,
        // announced before this channel could hear it.
        wake.notify_one();
        channels.insert(tenant_id.to_owned(), Channel { sender: sender.clone(), wake: Arc::clone(&wake) });
        let feed = self.clone();
        let tenant = tenant_id.to_owned();
        actix_web::rt::spawn(async move { feed.poll(tenant, sender, wake, from, (written, None)).await });
        receiver
    }

    /// Broadcasts the tenant's new changes until its last stream closes.
    async fn poll(
        self,
        tenant_id: String,
        sender: broadcast::Sender<Arc<FeedEvent>>,
        wake: Arc<Notify>,
        mut position: i64,
        mut repeats: RepeatCursor,
    ) {
        let mut backlog = false;
        loop {
            if !backlog {
                let tick = if self.listening.is_up() { TICK_WHEN_LISTENING } else { self.tick };
                // A notice that came while the last batch was read is kept by `Notify`, not lost.
                let _ = tokio::time::timeout(tick, wake.notified()).await;
            }
            if self.close_if_unused(&tenant_id, &sender) {
                return;
            }
            backlog = false;
            let Read { read_to, changes, counts, repeated } =
                match read(&self.db, &tenant_id, position, repeats.clone()).await {
                    Ok(read) => read,
                    Err(error) => {
                        tracing::warn!(%error, tenant_id, "live feed could not read the audit trail; retrying");
                        continue;
                    }
                };
            if read_to.is_none() && repeated.is_empty() {
                continue;
            }
            // A full batch means more is waiting: read on at once.
            backlog = changes.len() as i64 >= BATCH || repeated.len() as i64 >= BATCH;
            position = read_to.unwrap_or(position);
            let mut events = changes;
            for (cursor, (alert, name)) in repeated {
                repeats = cursor;
                events.push(FeedEvent::Repeated { alert: alert_view(alert, name) });
            }
            for event in events.into_iter().chain(counts) {
                let _ = sender.send(Arc::new(event));
            }
            if !backlog && self.listening.is_up() {
                // In a storm every commit rings: what comes meanwhile is read as one batch.
                tokio::time::sleep(MIN_GAP).await;
            }
        }
    }

    fn close_if_unused(&self, tenant_id: &str, sender: &broadcast::Sender<Arc<FeedEvent>>) -> bool {
        let mut channels = lock(&self.channels);
        if sender.receiver_count() > 0 {
            return false;
        }
        channels.remove(tenant_id);
        true
    }
}

/// What one read of a tenant's feed found.
struct Read {
    /// The last audit `seq` read, `None` when there was nothing new.
    read_to: Option<i64>,
    changes: Vec<FeedEvent>,
    /// The open counts, read when something audited changed (repeats change no status).
    counts: Option<FeedEvent>,
    /// The alerts repeated after the repeats read so far, each with where it leaves the cursor.
    repeated: Vec<(RepeatCursor, AlertWithSource)>,
}

/// The tenant's alert changes after `after`, its open counts if there were any, and its
/// repeats after `repeats`: one trip to the database.
async fn read(db: &Database, tenant_id: &str, after: i64, repeats: RepeatCursor) -> Result<Read, DbError> {
    let tenant_id = tenant_id.to_owned();
    db.run(move |conn| {
        let (read_to, changes) = changes_after(conn, &tenant_id, after)?;
        let counts = match read_to {
            Some(_) => Some(alerts::count_open(conn, &tenant_id)?),
            None => None,
        };
        let counts = counts.map(|c| FeedEvent::Counts { triggered: c.triggered, acknowledged: c.acknowledged });
        let repeated = alerts::repeated_after(conn, &tenant_id, &repeats, BATCH)?;
        Ok(Read { read_to, changes, counts, repeated })
    })
    .await
}

/// The tenant's alert changes after `after`, each with the alert as it is now, and the last
/// audit `seq` read (`None` when there was nothing new).
async fn load(db: &Database, tenant_id: &str, after: i64) -> Result<(Option<i64>, Vec<FeedEvent>), DbError> {
    let tenant_id = tenant_id.to_owned();
    db.run(move |conn| Ok(changes_after(conn, &tenant_id, after)?)).await
}

fn changes_after(conn: &mut DbConnection, tenant_id: &str, after: i64) -> QueryResult<(Option<i64>, Vec<FeedEvent>)> {
    let changes = audit::alert_changes_after(conn, tenant_id, after, BATCH)?;
    let read_to = changes.last().map(|(seq, _, _)| *seq);
    let events = changes
        .into_iter()
        .map(|(seq, action, (alert, name))| FeedEvent::Alert { seq, action, alert: alert_view(alert, name) })
        .collect();
    Ok((read_to, events))
}

fn alert_view(alert: Alert, integration: String) -> Box<AlertView> {
    Box::new(AlertView::new(alert, integration))
}
