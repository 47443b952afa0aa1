//! The JSON API under `/api/v1` (docs/SPEC.md §3).

pub(crate) mod alert_bulk;
pub(crate) mod alert_stream;
pub(crate) mod alert_triage;
pub(crate) mod alerts;
pub(crate) mod audit;
pub(crate) mod events;
pub(crate) mod integration_keys;
pub(crate) mod me;
pub(crate) mod ticket_relations;
pub(crate) mod tickets;
pub(crate) mod tokens;
pub(crate) mod users;
pub(crate) mod webhook_admin;
pub(crate) mod webhooks;

use actix_web::web;

use super::auth::Caller;
use super::error::ApiError;
use crate::commands::CommandContext;
use crate::db::queries::AssigneeFilter;
use crate::domain::ids::parse_id;
use crate::domain::role::Permission;
use crate::domain::validation::FieldErrors;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .configure(me::routes)
            .configure(users::routes)
            .configure(tokens::routes)
            .configure(integration_keys::routes)
            .configure(alert_bulk::routes)
            .configure(alert_stream::routes)
            .configure(alerts::routes)
            .configure(alert_triage::routes)
            .configure(tickets::routes)
            .configure(ticket_relations::routes)
            .configure(audit::routes)
            .configure(events::routes)
            .configure(webhooks::routes)
            .configure(webhook_admin::routes),
    );
}

/// The caller as the author of a command that needs `permission`.
fn author(caller: &Caller, permission: Permission) -> Result<CommandContext, ApiError> {
    caller.require(permission)?;
    Ok(caller.context())
}

/// `me`, `none`, or a user id; used by the alert and ticket lists alike.
fn assignee_filter(raw: Option<&str>, caller: &Caller, errors: &mut FieldErrors) -> Option<AssigneeFilter> {
    match raw? {
        "me" => Some(AssigneeFilter::User(caller.user.id.clone())),
        "none" => Some(AssigneeFilter::Unassigned),
        other => match parse_id(other) {
            Some(id) => Some(AssigneeFilter::User(id)),
            None => {
                errors.add("assignee", "must be a user id, `me` or `none`");
                None
            }
        },
    }
}

/// A path id in canonical form; anything that cannot be an id is simply not found.
fn id_of(raw: &str, what: &str) -> Result<String, ApiError> {
    parse_id(raw).ok_or_else(|| ApiError::not_found(what))
}
