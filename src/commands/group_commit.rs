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
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use diesel::Connection;
use tokio::sync::oneshot;

use super::multi_tenant::{TenantUnit, commit_units};
use super::writer::apply_each_alone;
use super::{CommandError, Reply, Request};
use crate::db::Database;

struct Queued {
    tenant_id: String,
    requests: Vec<Request>,
    reply: oneshot::Sender<Vec<Reply>>,
}

pub struct GroupCommit {
    queue: Sender<Queued>,
}

impl GroupCommit {
    /// Starts `workers` committer threads; each commits at most `max_events` events at once.
    pub fn start(db: Database, workers: usize, max_events: usize) -> std::io::Result<Self> {
        let (queue, receiver) = mpsc::channel();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..workers {
            let (db, receiver) = (db.clone(), receiver.clone());
            std::thread::Builder::new()
                .name(format!("group-commit-{n}"))
                .spawn(move || run_worker(&db, &receiver, max_events.max(1)))?;
        }
        Ok(Self { queue })
    }

    /// Queues a tenant's unit; the future resolves once it is committed (or refused), with one
    /// reply per request, in order. Nothing blocks while it waits: the committer thread answers
    /// the waiting actor directly.
    pub fn submit(&self, tenant_id: &str, requests: Vec<Request>) -> impl Future<Output = Vec<Reply>> + Send + 'static {
        let count = requests.len();
        let (reply, answer) = oneshot::channel();
        // If the workers are gone the unit is dropped with its reply channel, which answers.
        let _ = self.queue.send(Queued { tenant_id: tenant_id.to_owned(), requests, reply });
        async move { answer.await.unwrap_or_else(|_| unavailable(count)) }
    }
}

fn unavailable(count: usize) -> Vec<Reply> {
    (0..count).map(|_| Err(CommandError::Unavailable("the commit worker stopped".into()))).collect()
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
            for (unit, replies) in group.into_iter().zip(replies) {
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
