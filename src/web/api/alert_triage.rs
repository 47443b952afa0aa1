//! Triage of one alert: acknowledge, assign to oneself, resolve, and take either back. A state
//! already in effect answers 200 and changes nothing; an impossible transition answers 409.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{author, id_of};
use crate::commands::TriagedAlert;
use crate::domain::alert::TriageAction;
use crate::domain::role::Permission;
use crate::domain::validation::FieldErrors;
use crate::views::AlertView;
use crate::web::auth::Caller;
use crate::web::body::{Mutation, MutationBody};
use crate::web::error::ApiError;
use crate::web::error::Problem;
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/alerts/{id}/acknowledge", web::post().to(acknowledge))
        .route("/alerts/{id}/unacknowledge", web::post().to(unacknowledge))
        .route("/alerts/{id}/assign", web::post().to(assign))
        .route("/alerts/{id}/unassign", web::post().to(unassign))
        .route("/alerts/{id}/resolve", web::post().to(resolve));
}

/// Acknowledge (200 no-op if already acknowledged; 409 if resolved)
#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/acknowledge",
    tag = "alerts",
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 200, body = AlertView), (status = 409, description = "Impossible transition", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn acknowledge(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    triage(&state, &caller, &path, TriageAction::Acknowledge).await
}

/// Back to triggered (200 no-op if triggered; 409 if resolved)
#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/unacknowledge",
    tag = "alerts",
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 200, body = AlertView), (status = 409, description = "Impossible transition", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn unacknowledge(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    triage(&state, &caller, &path, TriageAction::Unacknowledge).await
}

/// Resolve (200 no-op if already resolved)
#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/resolve",
    tag = "alerts",
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 200, body = AlertView), (status = 409, description = "Impossible transition", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn resolve(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    triage(&state, &caller, &path, TriageAction::Resolve).await
}

/// Unassign (200 no-op if unassigned; 409 if resolved)
#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/unassign",
    tag = "alerts",
    params(("id" = String, Path, description = "Alert id")),
    responses((status = 200, body = AlertView), (status = 409, description = "Impossible transition", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn unassign(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    triage(&state, &caller, &path, TriageAction::Unassign).await
}

async fn triage(state: &AppState, caller: &Caller, path: &str, action: TriageAction) -> Result<HttpResponse, ApiError> {
    let alert_id = id_of(path, "alert")?;
    let ctx = author(caller, Permission::TriageAlerts)?;
    Ok(answer(state.tenants.triage(&caller.tenant.id, ctx, alert_id, action).await?))
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
    responses((status = 200, body = AlertView), (status = 409, description = "Impossible transition", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn assign(
    state: web::Data<AppState>,
    path: web::Path<String>,
    mutation: Mutation<AssignBody>,
) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let alert_id = id_of(&path, "alert")?;
    let assignee_id = assignee_of(&state, &caller, body.assignee_id).await?;
    let ctx = author(&caller, Permission::TriageAlerts)?;
    let triaged = state.tenants.triage(&caller.tenant.id, ctx, alert_id, TriageAction::Assign(assignee_id)).await?;
    Ok(answer(triaged))
}

/// The user an `assign` names, known to be of the caller's tenant. Someone else than the
/// caller is refused by the command (403), but only once we know they are of this tenant:
/// another tenant's user id is not found, like every other foreign id.
pub(super) async fn assignee_of(state: &AppState, caller: &Caller, raw: Option<String>) -> Result<String, ApiError> {
    let raw = raw.ok_or_else(|| FieldErrors::single("assignee_id", "is required"))?;
    let assignee_id =
        crate::domain::ids::parse_id(&raw).ok_or_else(|| FieldErrors::single("assignee_id", "must be a user id"))?;
    if assignee_id != caller.user.id {
        let (tenant_id, user_id) = (caller.tenant.id.clone(), assignee_id.clone());
        let found = state
            .db
            .run(move |conn| crate::db::queries::users::by_id(conn, &tenant_id, &user_id).map_err(ApiError::from_query))
            .await?;
        found.ok_or_else(|| ApiError::not_found("user"))?;
    }
    Ok(assignee_id)
}

/// The alert as committed, with its integration's name.
fn answer(triaged: TriagedAlert) -> HttpResponse {
    HttpResponse::Ok().json(AlertView::new(triaged.alert, triaged.integration))
}
