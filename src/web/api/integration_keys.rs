//! The tenant's integrations and their keys: every signed-in user sees the list and what each
//! integration has sent; admins create, rotate and revoke. A key is shown only in the answer
//! that creates or rotates it.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{author, id_of};
use crate::commands::integrations::{self, DEFAULT_ROTATION_GRACE, MAX_ROTATION_GRACE};
use crate::commands::provisioning;
use crate::db::DbError;
use crate::db::queries::credentials;
use crate::domain::role::Permission;
use crate::domain::validation::FieldErrors;
use crate::views::{IntegrationView, NewIntegrationView};
use crate::web::auth::Caller;
use crate::web::body::{Mutation, MutationBody};
use crate::web::error::ApiError;
use crate::web::error::Problem;
use crate::web::pagination::Page;
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/integrations", web::get().to(list))
        .route("/integrations", web::post().to(create))
        .route("/integrations/{id}", web::delete().to(revoke))
        .route("/integrations/{id}/rotate", web::post().to(rotate));
}

/// The tenant's integrations by name, revoked ones too, with their activity. Not paginated.
#[utoipa::path(
    get,
    path = "/api/v1/integrations",
    tag = "integrations",
    responses((status = 200, description = "Never a key", body = Page<IntegrationView>)),
    security(("bearer" = []))
)]
async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant.id.clone();
    let (rows, activity) = state
        .db
        .run(move |conn| {
            let rows = credentials::integrations_of_tenant(conn, &tenant_id)?;
            Ok::<_, DbError>((rows, credentials::integration_activity(conn, &tenant_id)?))
        })
        .await?;
    let items = rows.into_iter().map(|integration| {
        let sent = activity.get(&integration.id).copied().unwrap_or_default();
        IntegrationView::new(integration, sent)
    });
    Ok(HttpResponse::Ok().json(Page::<IntegrationView>::whole(items)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewIntegrationBody {
    /// Shown on alerts as their source; at most 100 characters.
    name: String,
}

impl MutationBody for NewIntegrationBody {
    const PERMISSION: Permission = Permission::AdministerTenant;
}

/// A new integration (admins only): 201 with `key`, shown only in this answer
#[utoipa::path(
    post,
    path = "/api/v1/integrations",
    tag = "integrations",
    request_body = NewIntegrationBody,
    responses((status = 201, body = NewIntegrationView), (status = 403, description = "Only admins manage integrations", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn create(state: web::Data<AppState>, mutation: Mutation<NewIntegrationBody>) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let ctx = author(&caller, Permission::AdministerTenant)?;
    let tenant = caller.tenant.clone();
    let (integration, key) = state
        .db
        .run(move |conn| provisioning::create_integration(conn, &ctx, &tenant, &body.name))
        .await
        .map_err(ApiError::from)?;
    Ok(HttpResponse::Created()
        .json(NewIntegrationView { view: IntegrationView::new(integration, Default::default()), key }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RotateBody {
    /// Seconds the replaced key keeps working: 86400 (24 h) when absent, 0 to stop it at once,
    /// at most 30 days.
    grace_secs: Option<u64>,
}

impl MutationBody for RotateBody {
    const PERMISSION: Permission = Permission::AdministerTenant;
    const EMPTY_IS_DEFAULT: bool = true;
}

/// A new key for an integration (admins only): 200 with `key`; the old key keeps working for the grace period
#[utoipa::path(
    post,
    path = "/api/v1/integrations/{id}/rotate",
    tag = "integrations",
    params(("id" = String, Path, description = "Integration id")),
    request_body(content = RotateBody, description = "Optional; an empty body keeps the default grace"),
    responses((status = 200, body = NewIntegrationView), (status = 403, description = "Only admins manage integrations", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such integration in the caller's tenant", body = Problem, content_type = "application/problem+json"), (status = 409, description = "The integration is revoked", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn rotate(
    state: web::Data<AppState>,
    mutation: Mutation<RotateBody>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let id = id_of(&path, "integration")?;
    let grace = grace(body.grace_secs, DEFAULT_ROTATION_GRACE)?;
    let ctx = author(&caller, Permission::AdministerTenant)?;
    let tenant = caller.tenant.clone();
    let (integration, key) = state
        .db
        .run(move |conn| integrations::rotate(conn, &ctx, &tenant, &id, grace))
        .await
        .map_err(ApiError::from)?;
    // The old key stops at once here when there is no grace; other instances within the TTL.
    state.integration_keys.evict(&integration.id);
    let tenant_id = caller.tenant.id.clone();
    let activity = state
        .db
        .run(move |conn| credentials::integration_activity(conn, &tenant_id).map_err(ApiError::from_query))
        .await?;
    let sent = activity.get(&integration.id).copied().unwrap_or_default();
    Ok(HttpResponse::Ok().json(NewIntegrationView { view: IntegrationView::new(integration, sent), key }))
}

/// A rotation's grace period: `grace_secs` if given (at most 30 days), else `default`.
pub(super) fn grace(grace_secs: Option<u64>, default: Duration) -> Result<Duration, ApiError> {
    let grace = grace_secs.map_or(default, Duration::from_secs);
    if grace > MAX_ROTATION_GRACE {
        let most = MAX_ROTATION_GRACE.as_secs();
        return Err(FieldErrors::single("grace_secs", format!("must be at most {most} (30 days)")).into());
    }
    Ok(grace)
}

/// Revoke an integration (admins only): 204; its keys stop working
#[utoipa::path(
    delete,
    path = "/api/v1/integrations/{id}",
    tag = "integrations",
    params(("id" = String, Path, description = "Integration id")),
    responses((status = 204, description = "Revoked (also when it already was)"), (status = 403, description = "Only admins manage integrations", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such integration in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn revoke(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = id_of(&path, "integration")?;
    let ctx = author(&caller, Permission::AdministerTenant)?;
    let (tenant, evicted) = (caller.tenant.clone(), id.clone());
    state.db.run(move |conn| integrations::revoke(conn, &ctx, &tenant, &id)).await.map_err(ApiError::from)?;
    state.integration_keys.evict(&evicted);
    Ok(HttpResponse::NoContent().finish())
}
