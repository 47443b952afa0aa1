//! One poller per tenant that has open streams on this instance, broadcasting to all of them:
//! a hundred streams of one tenant cost one small indexed query per change, not a hundred.
//! On PostgreSQL the poller reads when the database announces a change of its tenant (see
//! `listener`), and once a second in case a notice was missed; on SQLite, or while the
//! listening connection is down, every `tick`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::QueryResult;
use tokio::sync::{Notify, broadcast};

use super::channels::{Channel, Channels, lock};
use super::listener::{self, Listening};
use super::repeats::Repeats;
use super::{FeedEvent, StreamPosition};
use crate::db::queries::alerts::AlertWithSource;
use crate::db::queries::{alerts, audit};
use crate::db::{Database, DbConnection, DbError};
use crate::domain::now;
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
    /// The last event id sent or replayed, and the repeats replayed: live events already
    /// covered are duplicates.
    pub position: StreamPosition,
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
        let latest = self.db.run(move |conn| audit::last_seq(conn, &tenant).map_err(DbError::from)).await?;
        let start = match last_event_id {
            Some(id) if (0..=latest).contains(&id) && latest - id <= REPLAY_WINDOW => id,
            Some(_) => {
                // Too far back (or from the future): say so, and go on from now.
                let live = self.channel(tenant_id, latest);
                let position = StreamPosition::after(latest, &[]);
                return Ok(Subscription { missed: vec![FeedEvent::Reset { seq: latest }], live, position });
            }
            None => latest,
        };
        // Subscribed before reading the backlog, so nothing falls between the two.
        let live = self.channel(tenant_id, start);
        let mut missed = Vec::new();
        let mut position = start;
        while position < latest {
            let (read_to, batch) = load(&self.db, tenant_id, position).await?;
            let Some(read_to) = read_to else { break };
            position = read_to;
            missed.extend(batch);
        }
        if last_event_id.is_some() {
            missed.extend(repeats_since_entry(&self.db, tenant_id, start).await?);
        }
        let position = StreamPosition::after(position, &missed);
        Ok(Subscription { missed, live, position })
    }

    fn channel(&self, tenant_id: &str, from: i64) -> broadcast::Receiver<Arc<FeedEvent>> {
        let mut channels = lock(&self.channels);
        if let Some(channel) = channels.get(tenant_id) {
            return channel.sender.subscribe();
        }
        let (sender, receiver) = broadcast::channel(4096);
        let wake = Arc::new(Notify::new());
        channels.insert(tenant_id.to_owned(), Channel { sender: sender.clone(), wake: Arc::clone(&wake) });
        let feed = self.clone();
        let tenant = tenant_id.to_owned();
        actix_web::rt::spawn(async move { feed.poll(tenant, sender, wake, from).await });
        receiver
    }

    /// Broadcasts the tenant's new changes until its last stream closes.
    async fn poll(
        self,
        tenant_id: String,
        sender: broadcast::Sender<Arc<FeedEvent>>,
        wake: Arc<Notify>,
        mut position: i64,
    ) {
        let mut repeats = Repeats::after(now());
        loop {
            let tick = if self.listening.is_up() { TICK_WHEN_LISTENING } else { self.tick };
            // A notice that came while the last batch was read is kept by `Notify`, not lost.
            let _ = tokio::time::timeout(tick, wake.notified()).await;
            if self.close_if_unused(&tenant_id, &sender) {
                return;
            }
            let ((read_to, batch), seen_again) = match read(&self.db, &tenant_id, position, repeats.read_from()).await {
                Ok(read) => read,
                Err(error) => {
                    tracing::warn!(%error, tenant_id, "live feed could not read the audit trail; retrying");
                    continue;
                }
            };
            let backlog = batch.len() as i64 >= BATCH || seen_again.len() as i64 >= BATCH;
            let again = repeats.fresh(seen_again);
            for event in batch {
                let _ = sender.send(Arc::new(event));
            }
            for (alert, name) in again {
                let _ = sender.send(Arc::new(FeedEvent::Repeated { alert: Box::new(AlertView::new(alert, name)) }));
            }
            let Some(read_to) = read_to else { continue };
            position = read_to;
            // Repeats change no status, so only audited changes move the counts.
            if let Ok(counts) = open_counts(&self.db, &tenant_id).await {
                let _ = sender.send(Arc::new(counts));
            }
            if !backlog {
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

/// The tenant's alert changes after `after`, each with the alert as it is now, and the last
/// audit `seq` read (`None` when there was nothing new).
async fn load(db: &Database, tenant_id: &str, after: i64) -> Result<(Option<i64>, Vec<FeedEvent>), DbError> {
    let tenant_id = tenant_id.to_owned();
    db.run(move |conn| Ok(changes_after(conn, &tenant_id, after)?)).await
}

fn changes_after(conn: &mut DbConnection, tenant_id: &str, after: i64) -> QueryResult<(Option<i64>, Vec<FeedEvent>)> {
    let changes = audit::alert_changes_after(conn, tenant_id, after, BATCH)?;
    let read_to = changes.last().map(|(seq, _, _)| *seq);
    let ids: Vec<&str> = changes.iter().map(|(_, _, id)| id.as_str()).collect();
    let alerts: HashMap<String, AlertView> = alerts::with_source_many(conn, &ids)?
        .into_iter()
        .filter(|(alert, _)| alert.tenant_id == tenant_id)
        .map(|(alert, name)| (alert.id.clone(), AlertView::new(alert, name)))
        .collect();
    let events = changes
        .into_iter()
        .filter_map(|(seq, action, id)| {
            alerts.get(&id).map(|alert| FeedEvent::Alert { seq, action, alert: Box::new(alert.clone()) })
        })
        .collect();
    Ok((read_to, events))
}

/// The tenant's alert changes after `after` (as [`load`]), and its open alerts seen again
/// after `repeats_from`, in one trip to the database.
async fn read(
    db: &Database,
    tenant_id: &str,
    after: i64,
    repeats_from: NaiveDateTime,
) -> Result<((Option<i64>, Vec<FeedEvent>), Vec<AlertWithSource>), DbError> {
    let tenant_id = tenant_id.to_owned();
    db.run(move |conn| {
        let changes = changes_after(conn, &tenant_id, after)?;
        let seen_again = alerts::seen_again_after(conn, &tenant_id, repeats_from, BATCH)?;
        Ok((changes, seen_again))
    })
    .await
}

/// A resuming client missed the repeats since its last event: each alert seen again since
/// that audit entry was written, once, as it is now.
async fn repeats_since_entry(db: &Database, tenant_id: &str, seq: i64) -> Result<Vec<FeedEvent>, DbError> {
    let tenant_id = tenant_id.to_owned();
    db.run(move |conn| {
        let Some(at) = audit::written_at(conn, &tenant_id, seq)? else { return Ok(Vec::new()) };
        let seen_again = alerts::seen_again_after(conn, &tenant_id, at, BATCH)?;
        let repeated = |(alert, name)| FeedEvent::Repeated { alert: Box::new(AlertView::new(alert, name)) };
        Ok(seen_again.into_iter().map(repeated).collect())
    })
    .await
}

async fn open_counts(db: &Database, tenant_id: &str) -> Result<FeedEvent, DbError> {
    let tenant_id = tenant_id.to_owned();
    let counts = db.run(move |conn| alerts::count_open(conn, &tenant_id).map_err(DbError::from)).await?;
    Ok(FeedEvent::Counts { triggered: counts.triggered, acknowledged: counts.acknowledged })
}
