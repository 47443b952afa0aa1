use crate::web::error::Problem;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDateTime};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::audit_trail;
use crate::db::queries::audit::{self, AuditFilter};
use crate::domain::validation::FieldErrors;
use crate::views::AuditEntryView;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::pagination::{Page, PageRequest};
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(list)).route("/audit/verify", web::get().to(verify));
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    action: Option<String>,
    /// The acting user's or integration's id.
    actor: Option<String>,
    /// The id of the alert, ticket, user… the entry is about.
    target: Option<String>,
    /// RFC 3339; entries at or after this time.
    since: Option<String>,
    /// RFC 3339; entries before this time.
    until: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    params(ListQuery),
    responses((status = 200, description = "Entries, newest first", body = Page<AuditEntryView>), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest { limit: query.limit, cursor: query.cursor };
    let limit = page.limit()?;
    let before = match page.position()? {
        Some(raw) => {
            Some(raw.parse::<i64>().map_err(|_| FieldErrors::single("cursor", "is not a cursor this API handed out"))?)
        }
        None => None,
    };
    let mut errors = FieldErrors::default();
    let filter = AuditFilter {
        action: query.action.filter(|a| !a.is_empty()),
        actor_id: query.actor.filter(|a| !a.is_empty()),
        target_id: query.target.filter(|t| !t.is_empty()),
        since: time_field(&mut errors, "since", query.since),
        until: time_field(&mut errors, "until", query.until),
    };
    errors.into_result(())?;
    let tenant_id = caller.tenant.id.clone();
    let rows = state
        .db
        .run(move |conn| audit::list(conn, &tenant_id, &filter, before, limit + 1).map_err(ApiError::from_query))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |e| e.seq.to_string(), AuditEntryView::from)))
}

fn time_field(errors: &mut FieldErrors, field: &str, raw: Option<String>) -> Option<NaiveDateTime> {
    let raw = raw.filter(|r| !r.is_empty())?;
    match DateTime::parse_from_rfc3339(&raw) {
        Ok(t) => Some(t.naive_utc()),
        Err(_) => {
            errors.add(field, "must be an RFC 3339 timestamp, e.g. 2026-11-27T12:00:00Z");
            None
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/audit/verify",
    tag = "audit",
    responses((status = 200, body = crate::audit_trail::VerifyReport)),
    security(("bearer" = []))
)]
async fn verify(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant.id.clone();
    let report = state.db.run(move |conn| audit_trail::verify(conn, &tenant_id).map_err(ApiError::from_query)).await?;
    Ok(HttpResponse::Ok().json(report))
}
