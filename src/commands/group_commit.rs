//! Group commit across tenants.
//!
//! A tenant actor batches its own consecutive ingest events, but when load is spread over
//! hundreds of tenants each actor rarely has more than one event waiting, and one transaction per
//! event (or per triage command) would cap throughput at the database's fsync rate and cost a
//! dozen statements each. Ingest and triage units from all tenants are therefore queued here,
//! and each worker commits everything queued so far in one transaction. While one commit is in
//! flight the next group gathers, so latency at low load is unchanged.
//!
//! A group is applied set-wise (`multi_tenant::commit_units`): one statement locks all its
//! tenants, and a few more look up and write the alerts, message ids and audit entries of every
//! request, so a group of 64 requests costs about as many statements as one. A tenant's actor
//! has at most one unit in flight, so its order is preserved.

use std::future::Future;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use diesel::Connection;
use tokio::sync::oneshot;

use super::multi_tenant::{TenantUnit, commit_units};
use super::single_request::apply_each_alone;
use super::{CommandError, Reply, Request};
use crate::db::Database;

struct Queued {
    tenant_id: String,
    requests: Vec<Request>,
    reply: oneshot::Sender<Vec<Reply>>,
}

pub struct GroupCommit {
    queue: SyncSender<Queued>,
}

impl GroupCommit {
    /// Starts `workers` committer threads; each commits at most `max_events`
    /// events at once. At most `capacity` units wait: beyond that a unit is refused at once
    /// (503 with Retry-After for HTTP callers, a retry in order for AMQP) rather than held in
    /// memory that grows with the load.
    pub fn start(db: Database, workers: usize, max_events: usize, capacity: usize) -> std::io::Result<Self> {
        let (group, receiver) = Self::queue(capacity);
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..workers {
            let (db, receiver) = (db.clone(), receiver.clone());
            std::thread::Builder::new()
                .name(format!("group-commit-{n}"))
                .spawn(move || run_worker(&db, &receiver, max_events.max(1)))?;
        }
        Ok(group)
    }

    fn queue(capacity: usize) -> (Self, Receiver<Queued>) {
        let (queue, receiver) = mpsc::sync_channel(capacity.max(1));
        (Self { queue }, receiver)
    }

    /// Queues a tenant's unit; the future resolves once it is committed (or refused), with one
    /// reply per request, in order. Nothing blocks while it waits: the committer thread answers
    /// the waiting actor directly.
    pub fn submit(&self, tenant_id: &str, requests: Vec<Request>) -> impl Future<Output = Vec<Reply>> + Send + 'static {
        let count = requests.len();
        let (reply, answer) = oneshot::channel();
        let refused = match self.queue.try_send(Queued { tenant_id: tenant_id.to_owned(), requests, reply }) {
            Ok(()) => None,
            Err(TrySendError::Full(_)) => {
                metrics::counter!("oneprotect_group_commit_refused_total").increment(1);
                Some("the commit queue is full")
            }
            Err(TrySendError::Disconnected(_)) => Some("the commit worker stopped"),
        };
        async move {
            match refused {
                Some(why) => unavailable(count, why),
                None => answer.await.unwrap_or_else(|_| unavailable(count, "the commit worker stopped")),
            }
        }
    }
}

fn unavailable(count: usize, why: &str) -> Vec<Reply> {
    (0..count).map(|_| Err(CommandError::Unavailable(why.into()))).collect()
}

fn run_worker(db: &Database, receiver: &Mutex<Receiver<Queued>>, max_events: usize) {
    loop {
        let group = {
            let receiver = receiver.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let Ok(first) = receiver.recv() else { return };
            let mut events = first.requests.len();
            let mut group = vec![first];
            while events < max_events {
                match receiver.try_recv() {
                    Ok(unit) => {
                        events += unit.requests.len();
                        group.push(unit);
                    }
                    Err(_) => break,
                }
            }
            group
        };
        metrics::histogram!("oneprotect_group_commit_batches").record(group.len() as f64);
        commit_group(db, group);
    }
}

fn commit_group(db: &Database, mut group: Vec<Queued>) {
    group.sort_by(|a, b| a.tenant_id.cmp(&b.tenant_id));
    let units: Vec<TenantUnit<'_>> =
        group.iter().map(|u| TenantUnit { tenant_id: &u.tenant_id, requests: &u.requests }).collect();
    let committed =
        db.get().map_err(CommandError::from).and_then(|mut conn| conn.transaction(|conn| commit_units(conn, &units)));
    drop(units);
    match committed {
        Ok(replies) => {
            let units = group.len();
            for (unit, replies) in group.into_iter().zip(replies) {
                for request in &unit.requests {
                    tracing::debug!(parent: &request.span, units, "committed in a group");
                }
                let _ = unit.reply.send(replies);
            }
        }
        Err(error) => {
            tracing::warn!(%error, units = group.len(), "group commit rolled back; committing its requests one by one");
            for unit in group {
                let _ = unit.reply.send(apply_each_alone(db, &unit.tenant_id, unit.requests));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{Command, CommandContext};
    use crate::domain::actor::{Actor, Channel};
    use crate::domain::alert::TriageAction;

    fn resolve(alert_id: &str) -> Request {
        let ctx = CommandContext { actor: Actor::System, channel: Channel::Cli, request_id: None };
        Request::new(ctx, Command::Triage { alert_id: alert_id.into(), action: TriageAction::Resolve })
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_instead_of_growing() {
        // No worker drains the queue, so after `capacity` units every submission is refused.
        let (group, _undrained) = GroupCommit::queue(2);
        let _waiting = [group.submit("t", vec![resolve("a")]), group.submit("t", vec![resolve("b")])];
        let refused = group.submit("t", vec![resolve("c"), resolve("d")]).await;
        assert_eq!(refused.len(), 2, "one reply per request");
        for reply in refused {
            match reply {
                Err(CommandError::Unavailable(why)) => assert_eq!(why, "the commit queue is full"),
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    }
}
