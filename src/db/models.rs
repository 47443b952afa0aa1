//! Rows as stored. API views live in `web::api`, apart from these.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, QueryableByName)]
#[diesel(table_name = tenants)]
pub struct Tenant {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub ticket_prefix: String,
    pub next_ticket_number: i64,
    pub write_seq: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub tenant_id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub created_at: NaiveDateTime,
    /// A disabled user neither signs in nor calls the API; its sessions ended when it was.
    pub disabled_at: Option<NaiveDateTime>,
    /// The hash of a one-time set-password link's token, for a user created without one.
    pub password_setup_hash: Option<String>,
    pub password_setup_expires_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: String,
    pub tenant_id: String,
    pub user_id: String,
    pub name: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// `read` or `write` ([`crate::domain::role::TokenScope`]).
    pub scope: String,
    pub expires_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = integrations)]
pub struct Integration {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub key_hash: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// The key before the last rotation, still accepted until `previous_key_expires_at`.
    pub previous_key_hash: Option<String>,
    pub previous_key_expires_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = alerts)]
pub struct Alert {
    pub id: String,
    pub tenant_id: String,
    pub integration_id: String,
    pub dedup_key: String,
    pub status: String,
    pub severity: String,
    pub summary: String,
    pub resource: Option<String>,
    pub details: String,
    pub event_count: i64,
    pub first_seen_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub assignee_id: Option<String>,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
    pub ticket_id: Option<String>,
}

impl Alert {
    /// What text search looks in; stored beside the alert by every write.
    pub fn search_text(&self) -> String {
        crate::domain::search_text::alert_search_text(
            &self.summary,
            &self.dedup_key,
            self.resource.as_deref(),
            &self.details,
        )
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = tickets)]
pub struct Ticket {
    pub id: String,
    pub tenant_id: String,
    pub number: i64,
    pub key: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub priority: String,
    pub assignee_id: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
    pub source_alert_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ticket_comments)]
pub struct Comment {
    pub id: String,
    pub tenant_id: String,
    pub ticket_id: String,
    pub author_id: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ticket_links)]
pub struct Link {
    pub id: String,
    pub tenant_id: String,
    pub ticket_id: String,
    pub target_type: String,
    pub target_id: String,
    pub relation: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_entries)]
pub struct AuditEntry {
    pub id: String,
    pub tenant_id: String,
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor_type: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub actor_role: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub changes: String,
    pub request_id: Option<String>,
    pub channel: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_subscriptions)]
pub struct WebhookSubscription {
    pub id: String,
    pub tenant_id: String,
    pub url: String,
    pub event_types: String,
    pub secret_ciphertext: String,
    pub previous_secret_ciphertext: Option<String>,
    pub previous_secret_expires_at: Option<NaiveDateTime>,
    pub enabled: i64,
    pub disabled_reason: Option<String>,
    pub consecutive_failures: i64,
    pub failing_since: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct WebhookDelivery {
    pub id: String,
    pub tenant_id: String,
    pub subscription_id: String,
    pub event_id: String,
    pub event_type: String,
    pub ordering_key: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub cycle_started_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub last_response: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct WebhookAttempt {
    pub id: String,
    pub tenant_id: String,
    pub delivery_id: String,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub latency_ms: i64,
    pub response_excerpt: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = portal_sessions)]
pub struct PortalSession {
    pub id: String,
    pub tenant_id: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

/// What an applied AMQP message did: the alert it touched and the result it reported.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = amqp_messages)]
pub struct AppliedMessage {
    pub tenant_id: String,
    pub message_id: String,
    pub alert_id: Option<String>,
    pub result: String,
    pub received_at: NaiveDateTime,
}
