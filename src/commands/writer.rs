//! The tenant actors' handler: how a unit of one tenant's commands reaches the database.

use std::sync::Arc;

use oneprotect_actors::{TenantHandler, UnitOfWork, on_blocking_pool};

use super::group_commit::GroupCommit;
use super::kind::Batch;
use super::screen::Screened;
use super::single_request::apply_each_alone;
use super::{Reply, Request};
use crate::db::Database;

/// Applies a tenant's commands to the database, one unit of work at a time per tenant.
pub struct TenantWriter {
    db: Database,
    group: GroupCommit,
}

impl TenantWriter {
    /// Ingest events and triage commands go through `group`, a commit shared across tenants.
    pub fn new(db: Database, group: GroupCommit) -> Self {
        Self { db, group }
    }
}

impl TenantHandler for TenantWriter {
    type Key = String;
    type Command = Request;
    type Reply = Reply;
    type Batch = Batch;

    fn batch(&self, request: &Request) -> Option<Batch> {
        request.command.kind().batch()
    }

    /// Units that are not batches (batches go to the group commit in `submit`).
    fn apply(&self, tenant: &String, requests: Vec<Request>) -> Vec<Reply> {
        apply_each_alone(&self.db, tenant, requests)
    }

    /// Ingest and triage units go to the group commit, whose threads answer the actor directly;
    /// the rest run on the blocking pool.
    fn submit(self: Arc<Self>, tenant: String, requests: Vec<Request>) -> UnitOfWork<Reply> {
        let batch = requests.first().and_then(|r| self.batch(r));
        if batch == Some(Batch::Ingest) {
            metrics::histogram!("oneprotect_ingest_batch_size").record(requests.len() as f64);
        }
        for request in &requests {
            tracing::debug!(parent: &request.span, units = requests.len(), "handed to the writer");
        }
        let (screened, requests) = Screened::screen(requests);
        if screened.nothing_kept() {
            return Box::pin(async move { screened.merge(Ok(Vec::new())) });
        }
        let unit = if batch.is_some() {
            let committed = self.group.submit(&tenant, requests);
            Box::pin(async move { Ok(committed.await) })
        } else {
            on_blocking_pool(self, tenant, requests)
        };
        // The fences trip before the actor hears back and starts the tenant's next unit.
        Box::pin(async move { screened.merge(unit.await) })
    }
}
