//! One request, one transaction: how commands outside a batch are applied, and the fallback
//! when a batch's shared transaction rolled back, so one bad request cannot sink the others.

use super::{Command, CommandError, Outcome, Reply, Request, Tx, ingest, tickets, transaction, triage};
use crate::db::Database;

fn apply_one(db: &Database, tenant_id: &str, request: Request) -> Reply {
    let span = request.span.clone();
    let _in_command = span.enter();
    let mut conn = db.get()?;
    let reply = transaction(&mut conn, tenant_id, |tx| dispatch(tx, request));
    tracing::debug!(ok = reply.is_ok(), "committed alone");
    reply
}

/// Each request in its own transaction. After a failure that may go away (the database is
/// away), the requests behind it are not tried: applying a later one before the earlier one
/// succeeds would reorder the tenant's stream.
pub(super) fn apply_each_alone(db: &Database, tenant_id: &str, requests: Vec<Request>) -> Vec<Reply> {
    let mut replies = Vec::with_capacity(requests.len());
    let mut failed: Option<String> = None;
    for request in requests {
        let reply = match &failed {
            Some(why) => Err(CommandError::Unavailable(format!("not tried after an earlier failure: {why}"))),
            None => apply_one(db, tenant_id, request),
        };
        if failed.is_none() && super::is_transient(&reply) {
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
        Command::Triage { .. } => triage::apply(tx, &request),
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
