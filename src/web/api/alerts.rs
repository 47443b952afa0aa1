use crate::web::error::Problem;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{assignee_filter, author, id_of};
use crate::db::queries::alerts::{self, AlertFilter, AlertSort, StatusFilter};
use crate::domain::alert::Severity;
use crate::domain::role::Permission;
use crate::domain::ticket::Priority;
use crate::domain::validation::{FieldErrors, parse_enum};
use crate::views::AlertView;
use crate::views::TicketView;
use crate::web::auth::Caller;
use crate::web::body::{read_json, typed};
use crate::web::error::ApiError;
use crate::web::pagination::{Page, PageRequest};
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/alerts", web::get().to(list))
        .route("/alerts/{id}", web::get().to(get))
        .route("/alerts/{id}/ticket", web::post().to(ticket));
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// `open` (triggered or acknowledged), `triggered`, `acknowledged` or `resolved`.
    status: Option<String>,
    severity: Option<String>,
    /// A user id, `me`, or `none` for unassigned alerts.
    assignee: Option<String>,
    /// Matches summary, resource and dedup key, ignoring case.
    text: Option<String>,
    /// `newest` (the default), `severity` (critical first, then the longest waiting),
    /// `last_seen` (most recently seen first) or `first_seen` (the longest waiting first).
    sort: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The list filters, as a bulk request's `filter` names them (the list's query has the same).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilterFields {
    /// `open` (triggered or acknowledged), `triggered`, `acknowledged` or `resolved`.
    status: Option<String>,
    severity: Option<String>,
    /// A user id, `me`, or `none` for unassigned alerts.
    assignee: Option<String>,
    /// Matches summary, resource and dedup key, ignoring case.
    text: Option<String>,
}

impl FilterFields {
    pub(super) fn parse(self, caller: &Caller, errors: &mut FieldErrors) -> AlertFilter {
        AlertFilter {
            status: self
                .status
                .and_then(|s| parse_enum(errors, "status", &s, StatusFilter::parse, StatusFilter::NAMES)),
            severity: self.severity.and_then(|s| parse_enum(errors, "severity", &s, Severity::parse, Severity::ALL)),
            assignee: assignee_filter(self.assignee.as_deref(), caller, errors),
            text: self.text.filter(|t| !t.trim().is_empty()),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/alerts",
    tag = "alerts",
    params(ListQuery),
    responses((status = 200, description = "Alerts in the order asked for, newest first by default", body = Page<AlertView>), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest { limit: query.limit, cursor: query.cursor };
    let (limit, position) = (page.limit()?, page.position()?);
    let mut errors = FieldErrors::default();
    let fields =
        FilterFields { status: query.status, severity: query.severity, assignee: query.assignee, text: query.text };
    let filter = fields.parse(&caller, &mut errors);
    let sort = match query.sort {
        Some(raw) => parse_enum(&mut errors, "sort", &raw, AlertSort::parse, AlertSort::NAMES).unwrap_or_default(),
        None => AlertSort::Newest,
    };
    errors.into_result(())?;
    let after = match position {
        Some(raw) => Some(sort.parse_position(&raw).ok_or_else(|| {
            FieldErrors::single("cursor", format!("is not a cursor of the `{}` order", sort.as_str()))
        })?),
        None => None,
    };
    let tenant_id = caller.tenant.id.clone();
    let rows = state
        .db
        .run(move |conn| {
            alerts::list(conn, &tenant_id, &filter, sort, after.as_ref(), limit + 1).map_err(ApiError::from_query)
        })
        .await?;
    let page = Page::from_rows(rows, limit, |(a, _)| sort.position(a), |(a, name)| AlertView::new(a, name));
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(
    get,
    path = "/api/v1/alerts/{id}",
    tag = "alerts",
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 200, body = AlertView), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn get(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = id_of(&path, "alert")?;
    Ok(HttpResponse::Ok().json(load(&state, &caller, id).await?))
}

pub(super) async fn load(state: &AppState, caller: &Caller, id: String) -> Result<AlertView, ApiError> {
    let tenant_id = caller.tenant.id.clone();
    let found =
        state.db.run(move |conn| alerts::with_source(conn, &tenant_id, &id).map_err(ApiError::from_query)).await?;
    found.map(|(alert, name)| AlertView::new(alert, name)).ok_or_else(|| ApiError::not_found("alert"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TicketFromAlertBody {
    title: Option<String>,
    priority: Option<String>,
}

/// 201 with the new ticket the first time; 200 with the same ticket on every later call.
#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/ticket",
    tag = "alerts",
    request_body = Option<TicketFromAlertBody>,
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 201, description = "Ticket created from the alert", body = TicketView), (status = 200, description = "The alert already has this ticket", body = TicketView), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let alert_id = id_of(&path, "alert")?;
    caller.require(Permission::EditTickets)?;
    let body: Option<TicketFromAlertBody> =
        read_json(&req, payload, state.max_body_bytes).await?.map(typed).transpose()?;
    let mut errors = FieldErrors::default();
    let (title, priority) = match body {
        None => (None, None),
        Some(b) => {
            if let Some(title) = &b.title {
                errors.required_text("title", title, crate::domain::ticket::TITLE_MAX);
            }
            let priority =
                b.priority.and_then(|p| parse_enum(&mut errors, "priority", &p, Priority::parse, Priority::ALL));
            (b.title.map(|t| t.trim().to_owned()), priority)
        }
    };
    errors.into_result(())?;
    let change = state
        .tenants
        .ticket_from_alert(&caller.tenant.id, author(&caller, Permission::EditTickets)?, alert_id, title, priority)
        .await?;
    super::tickets::respond(&state, change.ticket, change.created).await
}
