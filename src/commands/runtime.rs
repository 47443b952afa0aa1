//! The per-tenant actors and the writer behind them: where every mutation is sent, with one
//! typed method per command so callers never match on another command's outcome.

use std::sync::Arc;

use oneprotect_actors::{DispatchError, RuntimeConfig, TenantRegistry};

use super::group_commit::GroupCommit;
use super::writer::TenantWriter;
use super::{Command, CommandContext, CommandError, IngestResult, NewTicket, Outcome, Reply, Request, TicketPatch};
use crate::db::Database;
use crate::db::models::{Alert, Comment, Link, Ticket};
use crate::domain::alert::TriageAction;
use crate::domain::event::AlertEvent;
use crate::domain::ticket::{LinkRelation, LinkTarget, Priority};

/// The reply to an enqueued command, once it is committed (or refused).
pub type PendingReply = std::pin::Pin<Box<dyn std::future::Future<Output = Reply> + Send>>;

/// An alert after a triage command; `changed` is false when it asked for a state already in
/// effect.
#[derive(Debug)]
pub struct TriagedAlert {
    pub alert: Alert,
    /// The name of the integration that raised it, as views show it.
    pub integration: String,
    pub changed: bool,
}

/// A ticket after a command; `created` is false when an existing one was answered (the ticket
/// of an alert that already has one) or changed.
#[derive(Debug)]
pub struct TicketChange {
    pub ticket: Ticket,
    pub created: bool,
}

/// A link after `link`; `created` is false when the same link already existed.
#[derive(Debug)]
pub struct LinkChange {
    pub link: Link,
    pub created: bool,
}

/// What an alert event did.
#[derive(Debug)]
pub struct Ingested {
    pub alert_id: Option<String>,
    pub result: IngestResult,
}

pub(super) fn dispatch_failed(error: DispatchError) -> CommandError {
    match error {
        DispatchError::MailboxFull => CommandError::Unavailable("too many pending commands for this tenant".into()),
        error => CommandError::Unavailable(format!("tenant worker failed: {error:?}")),
    }
}

fn unexpected(outcome: Outcome) -> CommandError {
    CommandError::Internal(format!("unexpected command outcome: {outcome:?}"))
}

pub(super) fn triaged(outcome: Outcome) -> Result<TriagedAlert, CommandError> {
    match outcome {
        Outcome::Alert { alert, integration, changed } => Ok(TriagedAlert { alert, integration, changed }),
        other => Err(unexpected(other)),
    }
}

fn ticket(outcome: Outcome) -> Result<TicketChange, CommandError> {
    match outcome {
        Outcome::Ticket { ticket, created } => Ok(TicketChange { ticket, created }),
        other => Err(unexpected(other)),
    }
}

#[derive(Clone)]
pub struct TenantRuntime {
    registry: TenantRegistry<TenantWriter>,
}

impl TenantRuntime {
    pub fn new(db: Database, config: RuntimeConfig, group: GroupCommit) -> Self {
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
    /// The command's span (kind, tenant, request id; a child of the caller's) goes with it
    /// through the actor and the commit threads.
    pub async fn enqueue(&self, tenant_id: &str, mut request: Request) -> Result<PendingReply, DispatchError> {
        request.span = tracing::info_span!(
            "command",
            kind = request.command.kind().as_str(),
            tenant_id,
            request_id = request.ctx.request_id.as_deref(),
        );
        let pending = self.registry.enqueue(tenant_id.to_owned(), request).await?;
        Ok(Box::pin(async move { pending.await.unwrap_or_else(|error| Err(dispatch_failed(error))) }))
    }

    async fn run(&self, tenant_id: &str, ctx: CommandContext, command: Command) -> Reply {
        self.send(tenant_id, Request::new(ctx, command)).await
    }

    pub async fn ingest(
        &self,
        tenant_id: &str,
        ctx: CommandContext,
        integration_id: String,
        event: AlertEvent,
    ) -> Result<Ingested, CommandError> {
        match self.run(tenant_id, ctx, Command::Ingest { integration_id, event, message_id: None }).await? {
            Outcome::Ingested { alert_id, result } => Ok(Ingested { alert_id, result }),
            other => Err(unexpected(other)),
        }
    }

    pub async fn triage(
        &self,
        tenant_id: &str,
        ctx: CommandContext,
        alert_id: String,
        action: TriageAction,
    ) -> Result<TriagedAlert, CommandError> {
        triaged(self.run(tenant_id, ctx, Command::Triage { alert_id, action }).await?)
    }

    /// The alert's ticket: created now, or the one it already has (`created` false).
    pub async fn ticket_from_alert(
        &self,
        tenant_id: &str,
        ctx: CommandContext,
        alert_id: String,
        title: Option<String>,
        priority: Option<Priority>,
    ) -> Result<TicketChange, CommandError> {
        ticket(self.run(tenant_id, ctx, Command::TicketFromAlert { alert_id, title, priority }).await?)
    }

    pub async fn create_ticket(
        &self,
        tenant_id: &str,
        ctx: CommandContext,
        draft: NewTicket,
    ) -> Result<TicketChange, CommandError> {
        ticket(self.run(tenant_id, ctx, Command::CreateTicket(draft)).await?)
    }

    pub async fn update_ticket(
        &self,
        tenant_id: &str,
        ctx: CommandContext,
        ticket_id: String,
        patch: TicketPatch,
        if_match: Option<i64>,
    ) -> Result<TicketChange, CommandError> {
        ticket(self.run(tenant_id, ctx, Command::UpdateTicket { ticket_id, patch, if_match }).await?)
    }

    pub async fn comment(
        &self,
        tenant_id: &str,
        ctx: CommandContext,
        ticket_id: String,
        body: String,
    ) -> Result<Comment, CommandError> {
        match self.run(tenant_id, ctx, Command::Comment { ticket_id, body }).await? {
            Outcome::Comment(comment) => Ok(comment),
            other => Err(unexpected(other)),
        }
    }

    pub async fn link(
        &self,
        tenant_id: &str,
        ctx: CommandContext,
        ticket_id: String,
        (target_type, target_id): (LinkTarget, String),
        relation: LinkRelation,
    ) -> Result<LinkChange, CommandError> {
        match self.run(tenant_id, ctx, Command::Link { ticket_id, target_type, target_id, relation }).await? {
            Outcome::Link { link, created } => Ok(LinkChange { link, created }),
            other => Err(unexpected(other)),
        }
    }

    pub async fn unlink(
        &self,
        tenant_id: &str,
        ctx: CommandContext,
        ticket_id: String,
        link_id: String,
    ) -> Result<(), CommandError> {
        match self.run(tenant_id, ctx, Command::Unlink { ticket_id, link_id }).await? {
            Outcome::Unlinked => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    pub fn mailbox_depth(&self) -> usize {
        self.registry.mailbox_depth()
    }

    pub fn active_tenants(&self) -> usize {
        self.registry.active_tenants()
    }
}
