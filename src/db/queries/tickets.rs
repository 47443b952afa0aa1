use diesel::prelude::*;

use super::{AssigneeFilter, contains_pattern, lower};
use crate::db::DbConnection;
use crate::db::models::{Comment, Link, Ticket};
use crate::db::schema::{ticket_comments, ticket_links, tickets};
use crate::domain::ticket::{Priority, TicketStatus};

#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub assignee: Option<AssigneeFilter>,
    pub text: Option<String>,
}

pub fn insert(conn: &mut DbConnection, ticket: &Ticket) -> QueryResult<()> {
    diesel::insert_into(tickets::table).values(ticket).execute(conn).map(drop)
}

pub fn by_id(conn: &mut DbConnection, tenant_id: &str, id: &str) -> QueryResult<Option<Ticket>> {
    tickets::table
        .filter(tickets::tenant_id.eq(tenant_id).and(tickets::id.eq(id)))
        .select(Ticket::as_select())
        .first(conn)
        .optional()
}

pub fn by_key(conn: &mut DbConnection, tenant_id: &str, key: &str) -> QueryResult<Option<Ticket>> {
    tickets::table
        .filter(tickets::tenant_id.eq(tenant_id).and(tickets::key.eq(key)))
        .select(Ticket::as_select())
        .first(conn)
        .optional()
}

pub fn by_source_alert(conn: &mut DbConnection, tenant_id: &str, alert_id: &str) -> QueryResult<Option<Ticket>> {
    tickets::table
        .filter(tickets::tenant_id.eq(tenant_id).and(tickets::source_alert_id.eq(alert_id)))
        .select(Ticket::as_select())
        .first(conn)
        .optional()
}

/// Writes the ticket's editable fields if it is still at `expected_version`; returns false when
/// someone else changed it first.
pub fn update(conn: &mut DbConnection, updated: &Ticket, expected_version: i64) -> QueryResult<bool> {
    diesel::update(tickets::table.filter(tickets::id.eq(&updated.id).and(tickets::version.eq(expected_version))))
        .set((
            tickets::title.eq(&updated.title),
            tickets::description.eq(&updated.description),
            tickets::status.eq(&updated.status),
            tickets::priority.eq(&updated.priority),
            tickets::assignee_id.eq(&updated.assignee_id),
            tickets::updated_at.eq(updated.updated_at),
            tickets::version.eq(updated.version),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Newest first, keyset-paginated on the time-ordered id.
pub fn list(
    conn: &mut DbConnection,
    tenant_id: &str,
    filter: &TicketFilter,
    before: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Ticket>> {
    let mut query = tickets::table
        .filter(tickets::tenant_id.eq(tenant_id))
        .select(Ticket::as_select())
        .order(tickets::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(tickets::status.eq(status.as_str()));
    }
    if let Some(priority) = filter.priority {
        query = query.filter(tickets::priority.eq(priority.as_str()));
    }
    match &filter.assignee {
        Some(AssigneeFilter::User(user)) => query = query.filter(tickets::assignee_id.eq(user.clone())),
        Some(AssigneeFilter::Unassigned) => query = query.filter(tickets::assignee_id.is_null()),
        None => {}
    }
    if let Some(text) = &filter.text {
        let pattern = contains_pattern(text);
        query = query.filter(
            lower(tickets::title).like(pattern.clone()).escape('\\').or(lower(tickets::key).like(pattern).escape('\\')),
        );
    }
    if let Some(before) = before {
        query = query.filter(tickets::id.lt(before.to_owned()));
    }
    query.load(conn)
}

pub fn insert_comment(conn: &mut DbConnection, comment: &Comment) -> QueryResult<()> {
    diesel::insert_into(ticket_comments::table).values(comment).execute(conn).map(drop)
}

/// Oldest first, as a conversation reads.
pub fn comments(
    conn: &mut DbConnection,
    ticket_id: &str,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Comment>> {
    let mut query = ticket_comments::table
        .filter(ticket_comments::ticket_id.eq(ticket_id))
        .select(Comment::as_select())
        .order(ticket_comments::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(ticket_comments::id.gt(after.to_owned()));
    }
    query.load(conn)
}

pub fn insert_link(conn: &mut DbConnection, link: &Link) -> QueryResult<()> {
    diesel::insert_into(ticket_links::table).values(link).execute(conn).map(drop)
}

pub fn links(conn: &mut DbConnection, ticket_id: &str) -> QueryResult<Vec<Link>> {
    ticket_links::table
        .filter(ticket_links::ticket_id.eq(ticket_id))
        .order(ticket_links::id.asc())
        .select(Link::as_select())
        .load(conn)
}

pub fn find_link(
    conn: &mut DbConnection,
    ticket_id: &str,
    target_type: &str,
    target_id: &str,
    relation: &str,
) -> QueryResult<Option<Link>> {
    ticket_links::table
        .filter(ticket_links::ticket_id.eq(ticket_id))
        .filter(ticket_links::target_type.eq(target_type))
        .filter(ticket_links::target_id.eq(target_id))
        .filter(ticket_links::relation.eq(relation))
        .select(Link::as_select())
        .first(conn)
        .optional()
}

pub fn link_by_id(conn: &mut DbConnection, ticket_id: &str, link_id: &str) -> QueryResult<Option<Link>> {
    ticket_links::table
        .filter(ticket_links::ticket_id.eq(ticket_id).and(ticket_links::id.eq(link_id)))
        .select(Link::as_select())
        .first(conn)
        .optional()
}

pub fn delete_link(conn: &mut DbConnection, link_id: &str) -> QueryResult<usize> {
    diesel::delete(ticket_links::table.find(link_id)).execute(conn)
}
