//! Alerts, tickets, comments, links, users, tenants and audit entries, with the field names
//! docs/SPEC.md §3.3 keeps stable.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::db::models::{Alert, AuditEntry, Comment, Link, Tenant, Ticket, User};

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    pub id: String,
    pub status: String,
    pub severity: String,
    pub summary: String,
    pub resource: Option<String>,
    pub dedup_key: String,
    pub integration: String,
    pub event_count: i64,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub assignee_id: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub ticket_id: Option<String>,
    #[schema(value_type = Object)]
    pub details: Value,
}

impl AlertView {
    pub fn new(alert: Alert, integration: String) -> Self {
        Self {
            details: serde_json::from_str(&alert.details).unwrap_or(Value::Null),
            id: alert.id,
            status: alert.status,
            severity: alert.severity,
            summary: alert.summary,
            resource: alert.resource,
            dedup_key: alert.dedup_key,
            integration,
            event_count: alert.event_count,
            first_seen_at: utc(alert.first_seen_at),
            last_seen_at: utc(alert.last_seen_at),
            assignee_id: alert.assignee_id,
            acknowledged_at: alert.acknowledged_at.map(utc),
            resolved_at: alert.resolved_at.map(utc),
            ticket_id: alert.ticket_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    pub id: String,
    pub target_type: String,
    pub target_id: String,
    pub relation: String,
}

impl From<Link> for LinkView {
    fn from(link: Link) -> Self {
        Self { id: link.id, target_type: link.target_type, target_id: link.target_id, relation: link.relation }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub id: String,
    pub key: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub priority: String,
    pub assignee_id: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub source_alert_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<LinkView>>,
}

impl TicketView {
    /// `links` is `None` in lists, where loading every ticket's links would cost a query each.
    pub fn new(ticket: Ticket, links: Option<Vec<Link>>) -> Self {
        Self {
            id: ticket.id,
            key: ticket.key,
            title: ticket.title,
            description: ticket.description,
            status: ticket.status,
            priority: ticket.priority,
            assignee_id: ticket.assignee_id,
            created_by: ticket.created_by,
            created_at: utc(ticket.created_at),
            updated_at: utc(ticket.updated_at),
            version: ticket.version,
            source_alert_id: ticket.source_alert_id,
            links: links.map(|links| links.into_iter().map(LinkView::from).collect()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentView {
    pub id: String,
    pub author_id: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<Comment> for CommentView {
    fn from(c: Comment) -> Self {
        Self { id: c.id, author_id: c.author_id, body: c.body, created_at: utc(c.created_at) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// A disabled user neither signs in nor calls the API.
    pub disabled: bool,
    /// Whether the user can sign in to the portal with a password.
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            disabled: u.disabled_at.is_some(),
            has_password: u.password_hash.is_some(),
            created_at: u.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantView {
    pub id: String,
    pub slug: String,
    pub name: String,
}

impl From<Tenant> for TenantView {
    fn from(t: Tenant) -> Self {
        Self { id: t.id, slug: t.slug, name: t.name }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: String,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_type: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub actor_role: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    #[schema(value_type = Object)]
    pub changes: Value,
    pub request_id: Option<String>,
    pub channel: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        Self {
            changes: serde_json::from_str(&e.changes).unwrap_or(Value::Null),
            id: e.id,
            seq: e.seq,
            at: utc(e.at),
            actor_type: e.actor_type,
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            actor_role: e.actor_role,
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            request_id: e.request_id,
            channel: e.channel,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// `GET /me`: the user, with their tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    #[serde(flatten)]
    pub user: UserView,
    pub tenant: TenantView,
}
