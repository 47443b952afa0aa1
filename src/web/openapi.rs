//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::api::{
    alert_bulk, alert_stream, alert_triage, alerts, audit, events, integration_keys, me, ticket_relations, tickets,
    tokens, users, webhook_admin, webhooks,
};
use super::integrations::{alertmanager, pagerduty};
use super::openapi_problems::CommonProblems;

#[derive(OpenApi)]
#[openapi(
    info(title = "OneProtect Triage API", description = "Multi-tenant alert triage and ticketing. Errors are RFC 9457 problem+json."),
    paths(
        me::me, users::list, users::create, users::update, users::reset_password,
        tokens::list_own, tokens::create, tokens::revoke, tokens::list_of_user,
        alerts::list, alerts::get, alerts::ticket,
        alert_bulk::bulk, alert_stream::stream, alert_triage::acknowledge, alert_triage::unacknowledge, alert_triage::assign, alert_triage::unassign, alert_triage::resolve,
        tickets::list, tickets::create, tickets::get, tickets::update,
        ticket_relations::comments, ticket_relations::add_comment, ticket_relations::links, ticket_relations::add_link, ticket_relations::remove_link,
        audit::list, audit::verify,
        events::ingest, pagerduty::enqueue, alertmanager::receive,
        integration_keys::list, integration_keys::create, integration_keys::rotate, integration_keys::revoke,
        webhook_admin::create, webhook_admin::update, webhook_admin::delete, webhook_admin::rotate_secret, webhook_admin::test,
        webhooks::list, webhooks::get, webhooks::deliveries, webhooks::delivery, webhooks::resend_one, webhooks::resend_failed,
    ),
    modifiers(&BearerAuth, &CommonProblems),
    tags(
        (name = "alerts", description = "Alert triage"),
        (name = "tickets", description = "Tickets, comments and links"),
        (name = "audit", description = "The hash-chained audit trail"),
        (name = "ingest", description = "Alert events from integrations (authenticated by integration key)"),
        (name = "users", description = "The caller and the tenant's users"),
        (name = "integrations", description = "The tenant's integrations and their keys"),
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
