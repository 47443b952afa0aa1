use std::sync::Arc;

use diesel::Connection;
use oneprotect_actors::{DispatchError, RuntimeConfig, TenantHandler, TenantRegistry, UnitOfWork, on_blocking_pool};

use super::group_commit::GroupCommit;
use super::{Command, CommandError, Outcome, Reply, Request, Tx, ingest, tickets, transaction, triage};
use crate::db::Database;

/// Applies a tenant's commands to the database; the tenant actor calls it from a blocking
/// thread, one unit of work at a time.
pub struct TenantWriter {
    db: Database,
    group: Option<GroupCommit>,
}

impl TenantWriter {
    /// `group` routes ingest events through a cross-tenant group commit; `None` commits each
    /// tenant's batch in its own transaction.
    pub fn new(db: Database, group: Option<GroupCommit>) -> Self {
        Self { db, group }
    }

    /// Commits consecutive ingest events in one transaction: one fsync for the lot. If that
    /// transaction fails, each event is retried alone so one bad event cannot sink the others.
    fn apply_batch(&self, tenant_id: &str, requests: Vec<Request>) -> Vec<Reply> {
        let unit = ingest::TenantBatch { tenant_id, requests: &requests };
        let batched =
            self.db.get().map_err(CommandError::from).and_then(|mut conn| {
                conn.transaction(|conn| ingest::commit_batches(conn, std::slice::from_ref(&unit)))
            });
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

/// Each request in its own transaction: the fallback when a shared one rolled back.
pub(super) fn apply_each_alone(db: &Database, tenant_id: &str, requests: Vec<Request>) -> Vec<Reply> {
    requests.into_iter().map(|request| apply_one(db, tenant_id, request)).collect()
}

fn dispatch(tx: &mut Tx<'_>, request: Request) -> Result<Outcome, CommandError> {
    let ctx = &request.ctx;
    match request.command {
        Command::Ingest { .. } => ingest::apply(tx, &request),
        Command::Acknowledge { alert_id } => triage::acknowledge(tx, ctx, &alert_id),
        Command::Assign { alert_id, assignee_id } => triage::assign(tx, ctx, &alert_id, &assignee_id),
        Command::Resolve { alert_id } => triage::resolve(tx, ctx, &alert_id),
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

    fn batchable(&self, request: &Request) -> bool {
        matches!(request.command, Command::Ingest { .. })
    }

    fn apply(&self, tenant: &String, requests: Vec<Request>) -> Vec<Reply> {
        let ingest = requests.first().is_some_and(|r| self.batchable(r));
        match (ingest, requests.len()) {
            (true, n) if n > 1 => self.apply_batch(tenant, requests),
            _ => apply_each_alone(&self.db, tenant, requests),
        }
    }

    /// Ingest units go to the group commit, whose threads answer the actor directly; the rest
    /// run on the blocking pool.
    fn submit(self: Arc<Self>, tenant: String, requests: Vec<Request>) -> UnitOfWork<Reply> {
        let ingest = requests.first().is_some_and(|r| self.batchable(r));
        if ingest {
            metrics::histogram!("oneprotect_ingest_batch_size").record(requests.len() as f64);
        }
        match &self.group {
            Some(group) if ingest => {
                let committed = group.submit(&tenant, requests);
                Box::pin(async move { Ok(committed.await) })
            }
            _ => on_blocking_pool(self, tenant, requests),
        }
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
        match self.registry.send(tenant_id.to_owned(), request).await {
            Ok(reply) => reply,
            Err(DispatchError::MailboxFull) => {
                Err(CommandError::Unavailable("too many pending commands for this tenant".into()))
            }
            Err(error) => Err(CommandError::Unavailable(format!("tenant worker failed: {error:?}"))),
        }
    }

    pub fn mailbox_depth(&self) -> usize {
        self.registry.mailbox_depth()
    }

    pub fn active_tenants(&self) -> usize {
        self.registry.active_tenants()
    }
}
