use serde_json::{Map, Value, json};

use super::{CommandContext, CommandError, NewTicket, Outcome, TicketPatch, Tx};
use crate::db::models::{Comment, Link, Ticket};
use crate::db::queries::{alerts, tenants, tickets, users};
use crate::domain::alert::Severity;
use crate::domain::role::Permission;
use crate::domain::ticket::{LinkRelation, LinkTarget, Priority, TicketStatus, priority_for, ticket_key};
use crate::domain::validation::FieldErrors;
use crate::domain::webhook::EventType;
use crate::domain::{ids, now};

pub fn from_alert(
    tx: &mut Tx<'_>,
    ctx: &CommandContext,
    alert_id: &str,
    title: Option<String>,
    priority: Option<Priority>,
) -> Result<Outcome, CommandError> {
    ctx.require(Permission::EditTickets)?;
    let alert = alerts::by_id(tx.conn, &tx.tenant.id, alert_id)?.ok_or(CommandError::NotFound("alert"))?;
    if let Some(existing) = tickets::by_source_alert(tx.conn, &tx.tenant.id, alert_id)? {
        return Ok(Outcome::Ticket { ticket: existing, created: false });
    }
    let severity = Severity::parse(&alert.severity).unwrap_or(Severity::Medium);
    let draft = NewTicket {
        title: title.unwrap_or_else(|| alert.summary.chars().take(crate::domain::ticket::TITLE_MAX).collect()),
        description: format!("Created from alert {} ({}).", alert.id, alert.dedup_key),
        priority: priority.unwrap_or(priority_for(severity)),
        status: TicketStatus::Open,
        assignee_id: None,
    };
    let ticket = insert_ticket(tx, ctx, draft, Some(alert_id.to_owned()))?;
    let link = new_link(&ticket, LinkTarget::Alert, alert_id, LinkRelation::CreatedFrom);
    tickets::insert_link(tx.conn, &link)?;
    alerts::attach_ticket(tx.conn, alert_id, &ticket.id)?;
    Ok(Outcome::Ticket { ticket, created: true })
}

pub fn create(tx: &mut Tx<'_>, ctx: &CommandContext, draft: NewTicket) -> Result<Outcome, CommandError> {
    ctx.require(Permission::EditTickets)?;
    if let Some(assignee) = &draft.assignee_id {
        require_user(tx, assignee)?;
    }
    let ticket = insert_ticket(tx, ctx, draft, None)?;
    Ok(Outcome::Ticket { ticket, created: true })
}

fn insert_ticket(
    tx: &mut Tx<'_>,
    ctx: &CommandContext,
    draft: NewTicket,
    source_alert_id: Option<String>,
) -> Result<Ticket, CommandError> {
    let created_by = ctx.actor.id().ok_or_else(|| CommandError::Forbidden("only users create tickets".into()))?;
    let number = tenants::take_ticket_number(tx.conn, &tx.tenant)?;
    let at = now();
    let ticket = Ticket {
        id: ids::new_id(),
        tenant_id: tx.tenant.id.clone(),
        number,
        key: ticket_key(&tx.tenant.ticket_prefix, number),
        title: draft.title,
        description: draft.description,
        status: draft.status.as_str().to_owned(),
        priority: draft.priority.as_str().to_owned(),
        assignee_id: draft.assignee_id,
        created_by: created_by.to_owned(),
        created_at: at,
        updated_at: at,
        version: 1,
        source_alert_id,
    };
    tickets::insert(tx.conn, &ticket)?;
    let changes = json!({
        "key": ticket.key, "title": ticket.title, "status": ticket.status, "priority": ticket.priority,
        "assignee_id": ticket.assignee_id, "source_alert_id": ticket.source_alert_id,
    });
    tx.audit.record(ctx, EventType::TicketCreated.as_str(), "ticket", &ticket.id, changes);
    Ok(ticket)
}

pub fn update(
    tx: &mut Tx<'_>,
    ctx: &CommandContext,
    ticket_id: &str,
    patch: TicketPatch,
    if_match: Option<i64>,
) -> Result<Outcome, CommandError> {
    ctx.require(Permission::EditTickets)?;
    let current = load(tx, ticket_id)?;
    if let Some(expected) = if_match {
        if expected != current.version {
            return Err(CommandError::PreconditionFailed { expected, current: current.version });
        }
    }
    if let Some(Some(assignee)) = &patch.assignee_id {
        require_user(tx, assignee)?;
    }
    let mut next = current.clone();
    let mut changes = Map::new();
    set(&mut changes, "title", &mut next.title, patch.title);
    set(&mut changes, "description", &mut next.description, patch.description);
    set(&mut changes, "status", &mut next.status, patch.status.map(|s| s.as_str().to_owned()));
    set(&mut changes, "priority", &mut next.priority, patch.priority.map(|p| p.as_str().to_owned()));
    set(&mut changes, "assignee_id", &mut next.assignee_id, patch.assignee_id);
    if changes.is_empty() {
        return Ok(Outcome::Ticket { ticket: current, created: false });
    }
    next.version = current.version + 1;
    next.updated_at = now();
    if !tickets::update(tx.conn, &next, current.version)? {
        return Err(CommandError::PreconditionFailed { expected: current.version, current: current.version + 1 });
    }
    tx.audit.record(ctx, EventType::TicketUpdated.as_str(), "ticket", ticket_id, Value::Object(changes));
    Ok(Outcome::Ticket { ticket: next, created: false })
}

/// Applies one field of a patch, noting `{old, new}` when it really changes.
fn set<T: PartialEq + serde::Serialize>(changes: &mut Map<String, Value>, field: &str, slot: &mut T, new: Option<T>) {
    if let Some(new) = new {
        if *slot != new {
            changes.insert(field.to_owned(), json!({"old": slot, "new": new}));
            *slot = new;
        }
    }
}

pub fn comment(tx: &mut Tx<'_>, ctx: &CommandContext, ticket_id: &str, body: String) -> Result<Outcome, CommandError> {
    ctx.require(Permission::EditTickets)?;
    let ticket = load(tx, ticket_id)?;
    let author_id = ctx.actor.id().ok_or_else(|| CommandError::Forbidden("only users comment".into()))?;
    let comment = Comment {
        id: ids::new_id(),
        tenant_id: tx.tenant.id.clone(),
        ticket_id: ticket.id.clone(),
        author_id: author_id.to_owned(),
        body,
        created_at: now(),
    };
    tickets::insert_comment(tx.conn, &comment)?;
    let changes = json!({"comment_id": comment.id, "body": comment.body});
    tx.audit.record(ctx, EventType::TicketCommented.as_str(), "ticket", ticket_id, changes);
    Ok(Outcome::Comment(comment))
}

pub fn link(
    tx: &mut Tx<'_>,
    ctx: &CommandContext,
    ticket_id: &str,
    target_type: LinkTarget,
    target_id: &str,
    relation: LinkRelation,
) -> Result<Outcome, CommandError> {
    ctx.require(Permission::EditTickets)?;
    let ticket = load(tx, ticket_id)?;
    let target_exists = match target_type {
        LinkTarget::Alert => alerts::by_id(tx.conn, &tx.tenant.id, target_id)?.is_some(),
        LinkTarget::Ticket => tickets::by_id(tx.conn, &tx.tenant.id, target_id)?.is_some(),
    };
    if !target_exists {
        return Err(FieldErrors::single("target_id", format!("no {target_type} with this id")).into());
    }
    if target_type == LinkTarget::Ticket && target_id == ticket.id {
        return Err(FieldErrors::single("target_id", "a ticket cannot link to itself").into());
    }
    if let Some(link) = tickets::find_link(tx.conn, ticket_id, target_type.as_str(), target_id, relation.as_str())? {
        return Ok(Outcome::Link { link, created: false });
    }
    let link = new_link(&ticket, target_type, target_id, relation);
    tickets::insert_link(tx.conn, &link)?;
    let changes = json!({"link_id": link.id, "target_type": link.target_type, "target_id": link.target_id, "relation": link.relation});
    tx.audit.record(ctx, EventType::TicketLinked.as_str(), "ticket", ticket_id, changes);
    Ok(Outcome::Link { link, created: true })
}

pub fn unlink(tx: &mut Tx<'_>, ctx: &CommandContext, ticket_id: &str, link_id: &str) -> Result<Outcome, CommandError> {
    ctx.require(Permission::EditTickets)?;
    load(tx, ticket_id)?;
    let link = tickets::link_by_id(tx.conn, ticket_id, link_id)?.ok_or(CommandError::NotFound("link"))?;
    tickets::delete_link(tx.conn, &link.id)?;
    let changes = json!({"link_id": link.id, "target_type": link.target_type, "target_id": link.target_id, "relation": link.relation});
    tx.audit.record(ctx, "ticket.unlinked", "ticket", ticket_id, changes);
    Ok(Outcome::Unlinked)
}

fn new_link(ticket: &Ticket, target_type: LinkTarget, target_id: &str, relation: LinkRelation) -> Link {
    Link {
        id: ids::new_id(),
        tenant_id: ticket.tenant_id.clone(),
        ticket_id: ticket.id.clone(),
        target_type: target_type.as_str().to_owned(),
        target_id: target_id.to_owned(),
        relation: relation.as_str().to_owned(),
        created_at: now(),
    }
}

fn load(tx: &mut Tx<'_>, ticket_id: &str) -> Result<Ticket, CommandError> {
    tickets::by_id(tx.conn, &tx.tenant.id, ticket_id)?.ok_or(CommandError::NotFound("ticket"))
}

fn require_user(tx: &mut Tx<'_>, user_id: &str) -> Result<(), CommandError> {
    match users::by_id(tx.conn, &tx.tenant.id, user_id)? {
        Some(_) => Ok(()),
        None => Err(FieldErrors::single("assignee_id", "no user with this id in this tenant").into()),
    }
}
