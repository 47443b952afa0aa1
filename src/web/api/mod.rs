//! The JSON API under `/api/v1` (docs/SPEC.md §3).

pub(crate) mod alerts;
pub(crate) mod audit;
pub(crate) mod events;
pub(crate) mod me;
pub(crate) mod ticket_relations;
pub(crate) mod tickets;
pub(crate) mod webhooks;

use actix_web::web;

use super::auth::Caller;
use super::error::ApiError;
use super::state::AppState;
use crate::commands::{Command, Outcome, Request};
use crate::domain::ids::parse_id;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .configure(me::routes)
            .configure(alerts::routes)
            .configure(tickets::routes)
            .configure(ticket_relations::routes)
            .configure(audit::routes)
            .configure(events::routes)
            .configure(webhooks::routes),
    );
}

/// Sends a caller's command to their tenant's actor and waits for the commit.
async fn send(state: &AppState, caller: &Caller, command: Command) -> Result<Outcome, ApiError> {
    caller.require_operator()?;
    let request = Request::new(caller.context(), command);
    Ok(state.tenants.send(&caller.tenant.id, request).await?)
}

/// A path id in canonical form; anything that cannot be an id is simply not found.
fn id_of(raw: &str, what: &str) -> Result<String, ApiError> {
    parse_id(raw).ok_or_else(|| ApiError::not_found(what))
}

fn unexpected(outcome: Outcome) -> ApiError {
    ApiError::Internal(format!("unexpected command outcome: {outcome:?}"))
}
