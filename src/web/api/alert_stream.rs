//! `GET /alerts/stream`: the caller's tenant's alert changes as server-sent events.

use std::rc::Rc;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::web::auth::{Caller, bearer};
use crate::web::error::ApiError;
use crate::web::event_stream::{StillAllowed, last_event_id, respond};
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/alerts/stream", web::get().to(stream));
}

/// Live alert changes (text/event-stream). Each event is named like its audit action
/// (`alert.created`, `alert.acknowledged`, …), carries the alert as `GET /alerts/{id}` answers
/// it and the audit `seq` as its id; `Last-Event-ID` (or `?last_event_id=`) replays what was
/// missed, up to 10,000 audit entries back (further back: a `reset` event). A `counts` event
/// with the open counts follows each batch; a comment every 15 s when quiet.
#[utoipa::path(
    get,
    path = "/api/v1/alerts/stream",
    tag = "alerts",
    params(
        ("Last-Event-ID" = Option<i64>, Header, description = "The id of the last event received"),
        ("last_event_id" = Option<i64>, Query, description = "The same, for clients that cannot set headers"),
    ),
    responses((status = 200, description = "An endless event stream (text/event-stream)")),
    security(("bearer" = []))
)]
async fn stream(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let (tokens, token) = (state.api_tokens.clone(), bearer(&req).unwrap_or_default());
    let allowed: StillAllowed = Rc::new(move || {
        let (tokens, token) = (tokens.clone(), token.clone());
        // Only a definite refusal ends the stream; a database hiccup does not.
        Box::pin(async move { !matches!(tokens.resolve(&token).await, Ok(None)) })
    });
    Ok(respond(&state.feed, &caller.tenant.id, last_event_id(&req), allowed).await?)
}
