use crate::web::openapi_schemas::ProblemDetails;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{assignee_filter, author, id_of};
use crate::commands::TriagedAlert;
use crate::db::queries::alerts::{self, AlertFilter};
use crate::domain::alert::{AlertStatus, Severity};
use crate::domain::role::Permission;
use crate::domain::ticket::Priority;
use crate::domain::validation::{FieldErrors, parse_enum};
use crate::views::AlertView;
use crate::views::TicketView;
use crate::web::auth::Caller;
use crate::web::body::{Mutation, MutationBody, read_json, typed};
use crate::web::error::ApiError;
use crate::web::pagination::{Page, PageRequest};
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/alerts", web::get().to(list))
        .route("/alerts/{id}", web::get().to(get))
        .route("/alerts/{id}/acknowledge", web::post().to(acknowledge))
        .route("/alerts/{id}/assign", web::post().to(assign))
        .route("/alerts/{id}/resolve", web::post().to(resolve))
        .route("/alerts/{id}/ticket", web::post().to(ticket));
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    status: Option<String>,
    severity: Option<String>,
    /// A user id, `me`, or `none` for unassigned alerts.
    assignee: Option<String>,
    text: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/alerts",
    tag = "alerts",
    params(ListQuery),
    responses((status = 200, description = "Alerts, newest first", body = Page<AlertView>), (status = 422, description = "Invalid fields", body = ProblemDetails, content_type = "application/problem+json"), (status = 401, description = "Missing, unknown or revoked token", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest { limit: query.limit, cursor: query.cursor };
    let (limit, before) = (page.limit()?, page.position()?);
    let mut errors = FieldErrors::default();
    let filter = AlertFilter {
        status: query.status.and_then(|s| parse_enum(&mut errors, "status", &s, AlertStatus::parse, AlertStatus::ALL)),
        severity: query.severity.and_then(|s| parse_enum(&mut errors, "severity", &s, Severity::parse, Severity::ALL)),
        assignee: assignee_filter(query.assignee.as_deref(), &caller, &mut errors),
        text: query.text.filter(|t| !t.trim().is_empty()),
    };
    errors.into_result(())?;
    let tenant_id = caller.tenant.id.clone();
    let rows = state
        .db
        .run(move |conn| {
            alerts::list(conn, &tenant_id, &filter, before.as_deref(), limit + 1).map_err(ApiError::from_query)
        })
        .await?;
    let page = Page::from_rows(rows, limit, |(a, _)| a.id.clone(), |(a, name)| AlertView::new(a, name));
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(
    get,
    path = "/api/v1/alerts/{id}",
    tag = "alerts",
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 200, body = AlertView), (status = 404, description = "No such id in the caller's tenant", body = ProblemDetails, content_type = "application/problem+json"), (status = 401, description = "Missing, unknown or revoked token", body = ProblemDetails, content_type = "application/problem+json")),
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

/// Acknowledge (200 no-op if already acknowledged; 409 if resolved)
#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/acknowledge",
    tag = "alerts",
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 200, body = AlertView), (status = 409, description = "Impossible transition", body = ProblemDetails, content_type = "application/problem+json"), (status = 403, description = "Auditors are read-only", body = ProblemDetails, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = ProblemDetails, content_type = "application/problem+json"), (status = 401, description = "Missing, unknown or revoked token", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn acknowledge(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let alert_id = id_of(&path, "alert")?;
    let triaged =
        state.tenants.acknowledge(&caller.tenant.id, author(&caller, Permission::TriageAlerts)?, alert_id).await?;
    Ok(answer(triaged))
}

/// Resolve (200 no-op if already resolved)
#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/resolve",
    tag = "alerts",
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 200, body = AlertView), (status = 409, description = "Impossible transition", body = ProblemDetails, content_type = "application/problem+json"), (status = 403, description = "Auditors are read-only", body = ProblemDetails, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = ProblemDetails, content_type = "application/problem+json"), (status = 401, description = "Missing, unknown or revoked token", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn resolve(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let alert_id = id_of(&path, "alert")?;
    let triaged =
        state.tenants.resolve(&caller.tenant.id, author(&caller, Permission::TriageAlerts)?, alert_id).await?;
    Ok(answer(triaged))
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AssignBody {
    assignee_id: Option<String>,
}

impl MutationBody for AssignBody {
    const PERMISSION: Permission = Permission::TriageAlerts;
}

/// Assign to yourself (operators may assign alerts only to themselves)
#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/assign",
    tag = "alerts",
    request_body = AssignBody,
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 200, body = AlertView), (status = 409, description = "Impossible transition", body = ProblemDetails, content_type = "application/problem+json"), (status = 403, description = "Auditors are read-only", body = ProblemDetails, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = ProblemDetails, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = ProblemDetails, content_type = "application/problem+json"), (status = 401, description = "Missing, unknown or revoked token", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn assign(
    state: web::Data<AppState>,
    path: web::Path<String>,
    mutation: Mutation<AssignBody>,
) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let alert_id = id_of(&path, "alert")?;
    let raw = body.assignee_id.ok_or_else(|| FieldErrors::single("assignee_id", "is required"))?;
    let assignee_id =
        crate::domain::ids::parse_id(&raw).ok_or_else(|| FieldErrors::single("assignee_id", "must be a user id"))?;
    if assignee_id != caller.user.id {
        // Someone else is refused by the command (403), but only once we know they are of
        // this tenant: another tenant's user id is not found, like every other foreign id.
        let (tenant_id, user_id) = (caller.tenant.id.clone(), assignee_id.clone());
        let found = state
            .db
            .run(move |conn| crate::db::queries::users::by_id(conn, &tenant_id, &user_id).map_err(ApiError::from_query))
            .await?;
        found.ok_or_else(|| ApiError::not_found("user"))?;
    }
    let triaged = state
        .tenants
        .assign(&caller.tenant.id, author(&caller, Permission::TriageAlerts)?, alert_id, assignee_id)
        .await?;
    Ok(answer(triaged))
}

/// The alert as committed, with its integration's name.
fn answer(triaged: TriagedAlert) -> HttpResponse {
    HttpResponse::Ok().json(AlertView::new(triaged.alert, triaged.integration))
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
    responses((status = 201, description = "Ticket created from the alert", body = TicketView), (status = 200, description = "The alert already has this ticket", body = TicketView), (status = 403, description = "Auditors are read-only", body = ProblemDetails, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = ProblemDetails, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = ProblemDetails, content_type = "application/problem+json"), (status = 401, description = "Missing, unknown or revoked token", body = ProblemDetails, content_type = "application/problem+json")),
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
