//! The OpenAPI document, generated from the handlers' annotations.

use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use super::api::{alerts, audit, events, me, ticket_relations, tickets, webhooks};
use super::integrations::{alertmanager, pagerduty};
use super::openapi_problems::CommonProblems;

#[derive(OpenApi)]
#[openapi(
    info(title = "OneProtect Triage API", description = "Multi-tenant alert triage and ticketing. Errors are RFC 9457 problem+json."),
    paths(
        me::me, me::list_users,
        alerts::list, alerts::get, alerts::acknowledge, alerts::assign, alerts::resolve, alerts::ticket,
        tickets::list, tickets::create, tickets::get, tickets::update,
        ticket_relations::comments, ticket_relations::add_comment, ticket_relations::links, ticket_relations::add_link, ticket_relations::remove_link,
        audit::list, audit::verify,
        events::ingest, pagerduty::enqueue, alertmanager::receive,
        webhooks::list, webhooks::get, webhooks::deliveries, webhooks::delivery, webhooks::resend_one, webhooks::resend_failed,
    ),
    modifiers(&BearerAuth, &CommonProblems),
    tags(
        (name = "alerts", description = "Alert triage"),
        (name = "tickets", description = "Tickets, comments and links"),
        (name = "audit", description = "The hash-chained audit trail"),
        (name = "ingest", description = "Alert events from integrations (authenticated by integration key)"),
        (name = "users", description = "The caller and the tenant's users"),
        (name = "webhooks", description = "Outbound webhook subscriptions and their delivery log"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// RFC 9457 problem details, as every error is answered.
#[derive(Serialize, ToSchema)]
pub struct ProblemDetails {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Field-level messages for invalid input.
    pub errors: Option<Vec<FieldProblem>>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// An alert event (docs/SPEC.md §2.1); the same JSON arrives over AMQP.
#[derive(Serialize, ToSchema)]
pub struct AlertEventDoc {
    /// Secret issued per tenant integration; decides tenant and source.
    pub integration_key: String,
    /// `trigger` (default) or `resolve`.
    pub event_action: Option<String>,
    /// Dedup scope is (tenant, integration, dedup_key); required to resolve.
    pub dedup_key: Option<String>,
    /// Required on trigger; at most 1024 characters.
    pub summary: Option<String>,
    /// `critical`, `high`, `medium` (default), `low` or `info`.
    pub severity: Option<String>,
    /// At most 255 characters.
    pub resource: Option<String>,
    /// RFC 3339; defaults to receipt time.
    pub occurred_at: Option<String>,
    /// A JSON object of at most 64 KiB.
    #[schema(value_type = Object)]
    pub details: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct IngestAnswer {
    /// The alert the event created, updated or resolved; null when a resolve matched nothing.
    pub alert_id: Option<String>,
    /// `created`, `deduplicated`, `resolved` or `ignored`.
    pub result: String,
}
