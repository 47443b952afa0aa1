//! The messages a tenant actor applies, and what it answers.

use crate::db::models::{Alert, Comment, Link, Ticket};
use crate::domain::actor::{Actor, Channel};
use crate::domain::alert::TriageAction;
use crate::domain::event::AlertEvent;
use crate::domain::role::Permission;
use crate::domain::ticket::{LinkRelation, LinkTarget, Priority, TicketStatus};

use super::CommandError;
use super::order_fence::OrderFence;

/// Who asks, through which channel, under which request id: what the audit entry records.
#[derive(Debug, Clone)]
pub struct CommandContext {
    pub actor: Actor,
    pub channel: Channel,
    pub request_id: Option<String>,
}

impl CommandContext {
    /// The command layer's own check, whatever the channel already refused.
    pub fn require(&self, permission: Permission) -> Result<(), CommandError> {
        match self.actor.role() {
            Some(role) if !role.allows(permission) => Err(CommandError::Forbidden(role.refusal(permission))),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Request {
    pub ctx: CommandContext,
    pub command: Command,
    /// Set by a caller that streams requests in order (an AMQP shard): once an earlier
    /// request carrying the same fence failed, this one is refused unapplied.
    pub fence: Option<OrderFence>,
    /// The command's span, set when it is enqueued; the actor and the commit threads log in it.
    pub span: tracing::Span,
}

impl Request {
    pub fn new(ctx: CommandContext, command: Command) -> Self {
        Self { ctx, command, fence: None, span: tracing::Span::none() }
    }
}

#[derive(Debug, Clone)]
pub enum Command {
    /// An alert event from an integration; consecutive ones share a transaction.
    Ingest {
        integration_id: String,
        event: AlertEvent,
        /// The AMQP `message_id`, when the publisher set one: an id already applied for this
        /// tenant answers `deduplicated` and changes nothing (see `amqp_messages`).
        message_id: Option<String>,
    },
    /// An operator's triage of one alert; consecutive ones share a transaction.
    Triage {
        alert_id: String,
        action: TriageAction,
    },
    TicketFromAlert {
        alert_id: String,
        title: Option<String>,
        priority: Option<Priority>,
    },
    CreateTicket(NewTicket),
    UpdateTicket {
        ticket_id: String,
        patch: TicketPatch,
        if_match: Option<i64>,
    },
    Comment {
        ticket_id: String,
        body: String,
    },
    Link {
        ticket_id: String,
        target_type: LinkTarget,
        target_id: String,
        relation: LinkRelation,
    },
    Unlink {
        ticket_id: String,
        link_id: String,
    },
}

#[derive(Debug, Clone)]
pub struct NewTicket {
    pub title: String,
    pub description: String,
    pub priority: Priority,
    pub status: TicketStatus,
    pub assignee_id: Option<String>,
}

/// Fields a PATCH may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TicketPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    /// `Some(None)` unassigns.
    pub assignee_id: Option<Option<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestResult {
    Created,
    Deduplicated,
    /// An acknowledge event found the open alert (acknowledged now or already before).
    Acknowledged,
    Resolved,
    /// An acknowledge or resolve event whose key matches no open alert: nothing to do.
    Ignored,
}

impl IngestResult {
    pub fn as_str(self) -> &'static str {
        match self {
            IngestResult::Created => "created",
            IngestResult::Deduplicated => "deduplicated",
            IngestResult::Acknowledged => "acknowledged",
            IngestResult::Resolved => "resolved",
            IngestResult::Ignored => "ignored",
        }
    }
}

#[derive(Debug)]
pub enum Outcome {
    Ingested {
        alert_id: Option<String>,
        result: IngestResult,
    },
    /// `changed` is false when the request asked for a state already in effect.
    Alert {
        alert: Alert,
        /// The name of the integration that raised it, as views show it.
        integration: String,
        changed: bool,
    },
    Ticket {
        ticket: Ticket,
        created: bool,
    },
    Comment(Comment),
    Link {
        link: Link,
        created: bool,
    },
    Unlinked,
}

pub type Reply = Result<Outcome, CommandError>;
