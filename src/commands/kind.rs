//! What kind of command a request carries: one match, so batching, grouping and tracing agree.

use super::Command;
use crate::domain::alert::TriageAction;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    Ingest,
    Acknowledge,
    Unacknowledge,
    Assign,
    Unassign,
    Resolve,
    TicketFromAlert,
    CreateTicket,
    UpdateTicket,
    Comment,
    Link,
    Unlink,
}

/// The commands a tenant's actor may hand over together, each kind in units of its own: the
/// group commit applies ingest events before triage commands, so a unit must not mix them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batch {
    Ingest,
    Triage,
}

impl CommandKind {
    /// The name logs and spans carry.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandKind::Ingest => "ingest",
            CommandKind::Acknowledge => "acknowledge",
            CommandKind::Unacknowledge => "unacknowledge",
            CommandKind::Assign => "assign",
            CommandKind::Unassign => "unassign",
            CommandKind::Resolve => "resolve",
            CommandKind::TicketFromAlert => "ticket_from_alert",
            CommandKind::CreateTicket => "create_ticket",
            CommandKind::UpdateTicket => "update_ticket",
            CommandKind::Comment => "comment",
            CommandKind::Link => "link",
            CommandKind::Unlink => "unlink",
        }
    }

    /// Consecutive commands of one batch kind share a transaction (and the group commit);
    /// the others are applied one at a time.
    pub fn batch(self) -> Option<Batch> {
        match self {
            CommandKind::Ingest => Some(Batch::Ingest),
            CommandKind::Acknowledge
            | CommandKind::Unacknowledge
            | CommandKind::Assign
            | CommandKind::Unassign
            | CommandKind::Resolve => Some(Batch::Triage),
            _ => None,
        }
    }
}

impl Command {
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::Ingest { .. } => CommandKind::Ingest,
            Command::Triage { action, .. } => match action {
                TriageAction::Acknowledge => CommandKind::Acknowledge,
                TriageAction::Unacknowledge => CommandKind::Unacknowledge,
                TriageAction::Assign(_) => CommandKind::Assign,
                TriageAction::Unassign => CommandKind::Unassign,
                TriageAction::Resolve => CommandKind::Resolve,
            },
            Command::TicketFromAlert { .. } => CommandKind::TicketFromAlert,
            Command::CreateTicket(_) => CommandKind::CreateTicket,
            Command::UpdateTicket { .. } => CommandKind::UpdateTicket,
            Command::Comment { .. } => CommandKind::Comment,
            Command::Link { .. } => CommandKind::Link,
            Command::Unlink { .. } => CommandKind::Unlink,
        }
    }
}
