use std::sync::Arc;

use diesel::Connection;
use oneprotect_actors::{DispatchError, RuntimeConfig, TenantHandler, TenantRegistry, UnitOfWork, on_blocking_pool};

use super::group_commit::GroupCommit;
use super::multi_tenant::{TenantUnit, commit_units};
use super::order_fence::{Screened, is_transient};
use super::{Command, CommandError, Outcome, Reply, Request, Tx, ingest, tickets, transaction, triage};
use crate::db::Database;

/// Applies a tenant's commands to the database; the tenant actor calls it from a blocking
/// thread, one unit of work at a time.
pub struct TenantWriter {
    db: Database,
    group: Option<GroupCommit>,
}

impl TenantWriter {
    /// `group` routes ingest events and triage commands through a cross-tenant group commit;
    /// `None` commits each tenant's unit in its own transaction.
    pub fn new(db: Database, group: Option<GroupCommit>) -> Self {
        Self { db, group }
    }

    /// Commits consecutive ingest events (or triage commands) in one transaction: one fsync for
    /// the lot. If that transaction fails, each is retried alone so one bad request cannot sink
    /// the others.
    fn apply_batch(&self, tenant_id: &str, requests: Vec<Request>) -> Vec<Reply> {
        let unit = TenantUnit { tenant_id, requests: &requests };
        let batched = self
            .db
            .get()
            .map_err(CommandError::from)
            .and_then(|mut conn| conn.transaction(|conn| commit_units(conn, std::slice::from_ref(&unit))));
        match batched {
            Ok(mut replies) => replies.pop().unwrap_or_default(),
            Err(error) => {
                tracing::warn!(tenant_id, %error, "batch rolled back; applying its events one by one");
                apply_each_alone(&self.db, tenant_id, requests)
            }
        }
    }
}

fn apply_one(db: &Database, tenant_id: &str, request: Request) -> Reply {
    let mut conn = db.get()?;
    transaction(&mut conn, tenant_id, |tx| dispatch(tx, request))
}

/// Each request in its own transaction: the fallback when a shared one rolled back. After a
/// failure that may go away (the database is away), the requests behind it are not tried:
/// applying a later one before the earlier one succeeds would reorder the tenant's stream.
pub(super) fn apply_each_alone(db: &Database, tenant_id: &str, requests: Vec<Request>) -> Vec<Reply> {
    let mut replies = Vec::with_capacity(requests.len());
    let mut failed: Option<String> = None;
    for request in requests {
        let reply = match &failed {
            Some(why) => Err(CommandError::Unavailable(format!("not tried after an earlier failure: {why}"))),
            None => apply_one(db, tenant_id, request),
        };
        if failed.is_none() && is_transient(&reply) {
            failed = reply.as_ref().err().map(ToString::to_string);
        }
        replies.push(reply);
    }
    replies
}

fn dispatch(tx: &mut Tx<'_>, request: Request) -> Result<Outcome, CommandError> {
    let ctx = &request.ctx;
    match request.command {
        Command::Ingest { .. } => ingest::apply(tx, &request),
        Command::Acknowledge { .. } | Command::Assign { .. } | Command::Resolve { .. } => triage::apply(tx, &request),
        Command::TicketFromAlert { alert_id, title, priority } => {
            tickets::from_alert(tx, ctx, &alert_id, title, priority)
        }
        Command::CreateTicket(draft) => tickets::create(tx, ctx, draft),
        Command::UpdateTicket { ticket_id, patch, if_match } => tickets::update(tx, ctx, &ticket_id, patch, if_match),
        Command::Comment { ticket_id, body } => tickets::comment(tx, ctx, &ticket_id, body),
        Command::Link { ticket_id, target_type, target_id, relation } => {
            tickets::link(tx, ctx, &ticket_id, target_type, &target_id, relation)
        }
        Command::Unlink { ticket_id, link_id } => tickets::unlink(tx, ctx, &ticket_id, &link_id),
    }
}

impl TenantHandler for TenantWriter {
    type Key = String;
    type Command = Request;
    type Reply = Reply;
    type Batch = Batch;

    fn batch(&self, request: &Request) -> Option<Batch> {
        match request.command {
            Command::Ingest { .. } => Some(Batch::Ingest),
            _ if triage::is_triage(request) => Some(Batch::Triage),
            _ => None,
        }
    }

    fn apply(&self, tenant: &String, requests: Vec<Request>) -> Vec<Reply> {
        let batched = requests.first().and_then(|r| self.batch(r)).is_some();
        match (batched, requests.len()) {
            (true, n) if n > 1 => self.apply_batch(tenant, requests),
            _ => apply_each_alone(&self.db, tenant, requests),
        }
    }

    /// Ingest and triage units go to the group commit, whose threads answer the actor directly;
    /// the rest run on the blocking pool.
    fn submit(self: Arc<Self>, tenant: String, requests: Vec<Request>) -> UnitOfWork<Reply> {
        let batch = requests.first().and_then(|r| self.batch(r));
        if batch == Some(Batch::Ingest) {
            metrics::histogram!("oneprotect_ingest_batch_size").record(requests.len() as f64);
        }
        let (screened, requests) = Screened::screen(requests);
        if screened.nothing_kept() {
            return Box::pin(async move { screened.merge(Ok(Vec::new())) });
        }
        let unit = match &self.group {
            Some(group) if batch.is_some() => {
                let committed = group.submit(&tenant, requests);
                Box::pin(async move { Ok(committed.await) })
            }
            _ => on_blocking_pool(self, tenant, requests),
        };
        // The fences trip before the actor hears back and starts the tenant's next unit.
        Box::pin(async move { screened.merge(unit.await) })
    }
}

/// The commands a tenant's actor may hand over together, each kind in units of its own: the
/// group commit applies ingest events before triage commands, so a unit must not mix them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batch {
    Ingest,
    Triage,
}

/// The reply to an enqueued command, once it is committed (or refused).
pub type PendingReply = std::pin::Pin<Box<dyn std::future::Future<Output = Reply> + Send>>;

fn dispatch_failed(error: DispatchError) -> CommandError {
    match error {
        DispatchError::MailboxFull => CommandError::Unavailable("too many pending commands for this tenant".into()),
        error => CommandError::Unavailable(format!("tenant worker failed: {error:?}")),
    }
}

/// The per-tenant actors and the writer behind them: where every mutation is sent.
#[derive(Clone)]
pub struct TenantRuntime {
    registry: TenantRegistry<TenantWriter>,
}

impl TenantRuntime {
    pub fn new(db: Database, config: RuntimeConfig, group: Option<GroupCommit>) -> Self {
        Self { registry: TenantRegistry::new(Arc::new(TenantWriter::new(db, group)), config) }
    }

    /// Sends a command to its tenant's actor and waits until it is committed (or refused).
    pub async fn send(&self, tenant_id: &str, request: Request) -> Reply {
        match self.enqueue(tenant_id, request).await {
            Ok(reply) => reply.await,
            Err(error) => Err(dispatch_failed(error)),
        }
    }

    /// Puts a command in its tenant's queue and returns once it holds its place there, with
    /// the future of its reply: commands enqueued one after the other apply in that order.
    pub async fn enqueue(&self, tenant_id: &str, request: Request) -> Result<PendingReply, DispatchError> {
        let pending = self.registry.enqueue(tenant_id.to_owned(), request).await?;
        Ok(Box::pin(async move { pending.await.unwrap_or_else(|error| Err(dispatch_failed(error))) }))
    }

    pub fn mailbox_depth(&self) -> usize {
        self.registry.mailbox_depth()
    }

    pub fn active_tenants(&self) -> usize {
        self.registry.active_tenants()
    }
}
