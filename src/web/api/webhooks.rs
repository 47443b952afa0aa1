//! Webhook subscriptions and their delivery log. Every role may read; re-sending is for
//! operators and admins. Admins change subscriptions (`webhook_admin`), as does the CLI.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::id_of;
use crate::commands::webhook_subscriptions as manage;
use crate::db::queries::{webhook_deliveries, webhook_subscriptions};
use crate::domain::role::Permission;
use crate::domain::validation::FieldErrors;
use crate::views::{DeliveryView, WebhookView};
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::error::Problem;
use crate::web::pagination::{Page, PageRequest};
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/webhooks", web::get().to(list))
        .route("/webhooks/{id}", web::get().to(get))
        .route("/webhooks/{id}/deliveries", web::get().to(deliveries))
        .route("/webhooks/{id}/deliveries/{delivery_id}", web::get().to(delivery))
        .route("/webhooks/{id}/deliveries/{delivery_id}/resend", web::post().to(resend_one))
        .route("/webhooks/{id}/resend-failed", web::post().to(resend_failed));
}

#[utoipa::path(
    get,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    responses((status = 200, description = "The tenant's subscriptions (secrets never shown)", body = Page<WebhookView>)),
    security(("bearer" = []))
)]
async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant.id.clone();
    let subs =
        state.db.run(move |conn| webhook_subscriptions::list(conn, &tenant_id).map_err(ApiError::from_query)).await?;
    Ok(HttpResponse::Ok().json(Page::<WebhookView>::whole(subs)))
}

#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook subscription id")),
    responses((status = 200, body = WebhookView), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn get(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = id_of(&path, "webhook")?;
    let tenant_id = caller.tenant.id.clone();
    let sub = state
        .db
        .run(move |conn| webhook_subscriptions::by_id(conn, &tenant_id, &id).map_err(ApiError::from_query))
        .await?;
    let sub = sub.ok_or_else(|| ApiError::not_found("webhook"))?;
    Ok(HttpResponse::Ok().json(WebhookView::from(sub)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DeliveriesQuery {
    status: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{id}/deliveries",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook subscription id"), DeliveriesQuery),
    responses((status = 200, body = Page<DeliveryView>), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id_of(&path, "webhook")?;
    let query = query.into_inner();
    let page = PageRequest { limit: query.limit, cursor: query.cursor };
    let (limit, before) = (page.limit()?, page.position()?);
    let status = query.status.filter(|s| !s.is_empty());
    if let Some(status) = &status {
        if ![webhook_deliveries::PENDING, webhook_deliveries::DELIVERED, webhook_deliveries::FAILED]
            .contains(&status.as_str())
        {
            return Err(FieldErrors::single("status", "must be pending, delivered or failed").into());
        }
    }
    let tenant_id = caller.tenant.id.clone();
    let rows = state
        .db
        .run(move |conn| {
            if webhook_subscriptions::by_id(conn, &tenant_id, &id).map_err(ApiError::from_query)?.is_none() {
                return Err(ApiError::not_found("webhook"));
            }
            webhook_deliveries::list(conn, &tenant_id, &id, status.as_deref(), before.as_deref(), limit + 1)
                .map_err(ApiError::from_query)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |d| d.id.clone(), |d| DeliveryView::new(d, None))))
}

#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook subscription id"), ("delivery_id" = String, Path, description = "Delivery id")),
    responses((status = 200, description = "The delivery with its payload and attempts", body = Object), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn delivery(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = (id_of(&path.0, "webhook")?, id_of(&path.1, "delivery")?);
    let tenant_id = caller.tenant.id.clone();
    let view = state
        .db
        .run(move |conn| {
            let found = webhook_deliveries::by_id(conn, &tenant_id, &id, &delivery_id).map_err(ApiError::from_query)?;
            let delivery = found.ok_or_else(|| ApiError::not_found("delivery"))?;
            let attempts = webhook_deliveries::attempts_of(conn, &delivery.id).map_err(ApiError::from_query)?;
            Ok::<_, ApiError>(DeliveryView::new(delivery, Some(attempts)))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/resend",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook subscription id"), ("delivery_id" = String, Path, description = "Delivery id")),
    responses((status = 202, description = r#"{"resent": 1}"#, body = Object), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn resend_one(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ResendWebhooks)?;
    let (id, delivery_id) = (id_of(&path.0, "webhook")?, id_of(&path.1, "delivery")?);
    let (ctx, tenant_id) = (caller.context(), caller.tenant.id.clone());
    let count = state
        .db
        .run(move |conn| manage::resend(conn, &ctx, &tenant_id, &id, Some(&delivery_id)).map_err(ApiError::from))
        .await?;
    Ok(HttpResponse::Accepted().json(json!({"resent": count})))
}

#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{id}/resend-failed",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook subscription id")),
    responses((status = 202, description = r#"{"resent": n}"#, body = Object), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn resend_failed(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ResendWebhooks)?;
    let id = id_of(&path, "webhook")?;
    let (ctx, tenant_id) = (caller.context(), caller.tenant.id.clone());
    let count =
        state.db.run(move |conn| manage::resend(conn, &ctx, &tenant_id, &id, None).map_err(ApiError::from)).await?;
    Ok(HttpResponse::Accepted().json(json!({"resent": count})))
}
