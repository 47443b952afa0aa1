//! Webhook subscriptions and their delivery log. Both roles may read; re-sending is for
//! operators. Subscriptions themselves are managed with the CLI.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::id_of;
use super::webhook_views::{DeliveryView, WebhookView};
use crate::db::queries::{webhook_deliveries, webhook_subscriptions};
use crate::domain::validation::FieldErrors;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::pagination::{Page, PageRequest};
use crate::web::state::AppState;
use crate::webhooks::manage;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/webhooks", web::get().to(list))
        .route("/webhooks/{id}", web::get().to(get))
        .route("/webhooks/{id}/deliveries", web::get().to(deliveries))
        .route("/webhooks/{id}/deliveries/{delivery_id}", web::get().to(delivery))
        .route("/webhooks/{id}/deliveries/{delivery_id}/resend", web::post().to(resend_one))
        .route("/webhooks/{id}/resend-failed", web::post().to(resend_failed));
}

async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant.id.clone();
    let subs =
        state.db.run(move |conn| webhook_subscriptions::list(conn, &tenant_id).map_err(ApiError::from_query)).await?;
    let items: Vec<WebhookView> = subs.into_iter().map(WebhookView::from).collect();
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

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

#[derive(Debug, Deserialize)]
struct DeliveriesQuery {
    status: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

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

async fn resend_one(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    caller.require_operator()?;
    let (id, delivery_id) = (id_of(&path.0, "webhook")?, id_of(&path.1, "delivery")?);
    let (ctx, tenant_id) = (caller.context(), caller.tenant.id.clone());
    let count = state
        .db
        .run(move |conn| manage::resend(conn, &ctx, &tenant_id, &id, Some(&delivery_id)).map_err(ApiError::from))
        .await?;
    Ok(HttpResponse::Accepted().json(json!({"resent": count})))
}

async fn resend_failed(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require_operator()?;
    let id = id_of(&path, "webhook")?;
    let (ctx, tenant_id) = (caller.context(), caller.tenant.id.clone());
    let count =
        state.db.run(move |conn| manage::resend(conn, &ctx, &tenant_id, &id, None).map_err(ApiError::from)).await?;
    Ok(HttpResponse::Accepted().json(json!({"resent": count})))
}
