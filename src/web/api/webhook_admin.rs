//! Admins managing the tenant's webhook subscriptions: create, change, delete, rotate the
//! signing secret, and send a test ping. The checks are the CLI's (`commands::
//! webhook_subscriptions`): the same address policy, the same audit entries.

use std::time::{Duration, Instant};

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{author, id_of};
use crate::commands::webhook_subscriptions::{self as manage, NewSubscription, SubscriptionChange};
use crate::commands::{CommandError, webhook_ping};
use crate::db::queries::{webhook_deliveries, webhook_subscriptions};
use crate::domain::role::Permission;
use crate::views::{DeliveryView, NewWebhookView, WebhookView};
use crate::web::auth::Caller;
use crate::web::body::{Mutation, MutationBody};
use crate::web::error::ApiError;
use crate::web::error::Problem;
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/webhooks", web::post().to(create))
        .route("/webhooks/{id}", web::patch().to(update))
        .route("/webhooks/{id}", web::delete().to(delete))
        .route("/webhooks/{id}/rotate-secret", web::post().to(rotate_secret))
        .route("/webhooks/{id}/test", web::post().to(test));
}

/// How often a test ping's delivery is looked at while it is awaited.
const PING_POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewWebhookBody {
    /// `https://…` (or `http://` to an allowed network); never this service itself.
    url: String,
    /// Event types (`alert.created`, …) or wildcards (`alert.*`, `ticket.*`).
    event_types: Vec<String>,
}

impl MutationBody for NewWebhookBody {
    const PERMISSION: Permission = Permission::AdministerTenant;
}

/// A subscription (admins only): 201 with `secret`, shown only in this answer
#[utoipa::path(
    post,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    request_body = NewWebhookBody,
    responses((status = 201, body = NewWebhookView), (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields, or a URL that points inside", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn create(state: web::Data<AppState>, mutation: Mutation<NewWebhookBody>) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let ctx = author(&caller, Permission::AdministerTenant)?;
    let (tenant_id, rules) = (caller.tenant.id.clone(), state.webhook_rules.clone());
    let (sub, secret) = state
        .db
        .run(move |conn| {
            let new = NewSubscription {
                url: &body.url,
                event_types: &body.event_types,
                policy: &rules.policy,
                own_listener: rules.own_listener,
            };
            manage::create(conn, &rules.cipher, &ctx, &tenant_id, new)
        })
        .await
        .map_err(ApiError::from)?;
    Ok(HttpResponse::Created().json(NewWebhookView { view: WebhookView::from(sub), secret }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookPatchBody {
    url: Option<String>,
    event_types: Option<Vec<String>>,
    /// Enabling also clears the failing state.
    enabled: Option<bool>,
}

impl MutationBody for WebhookPatchBody {
    const PERMISSION: Permission = Permission::AdministerTenant;
}

/// Change a subscription's URL, event types or whether it is enabled (admins only)
#[utoipa::path(
    patch,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook subscription id")),
    request_body = WebhookPatchBody,
    responses((status = 200, body = WebhookView), (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn update(
    state: web::Data<AppState>,
    mutation: Mutation<WebhookPatchBody>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let id = id_of(&path, "webhook")?;
    let ctx = author(&caller, Permission::AdministerTenant)?;
    let (tenant_id, rules) = (caller.tenant.id.clone(), state.webhook_rules.clone());
    let change = SubscriptionChange { url: body.url, event_types: body.event_types, enabled: body.enabled };
    let sub = state
        .db
        .run(move |conn| manage::update(conn, &ctx, &tenant_id, &id, change, (&rules.policy, rules.own_listener)))
        .await
        .map_err(ApiError::from)?;
    Ok(HttpResponse::Ok().json(WebhookView::from(sub)))
}

/// Delete a subscription and its delivery log (admins only): 204
#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook subscription id")),
    responses((status = 204, description = "Deleted"), (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn delete(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = id_of(&path, "webhook")?;
    let ctx = author(&caller, Permission::AdministerTenant)?;
    let tenant_id = caller.tenant.id.clone();
    state.db.run(move |conn| manage::delete(conn, &ctx, &tenant_id, &id)).await.map_err(ApiError::from)?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RotateSecretBody {
    /// Seconds the previous secret keeps signing alongside the new one; `[webhooks]
    /// rotation_grace_secs` when absent, 0 to stop it at once, at most 30 days.
    grace_secs: Option<u64>,
}

impl MutationBody for RotateSecretBody {
    const PERMISSION: Permission = Permission::AdministerTenant;
    const EMPTY_IS_DEFAULT: bool = true;
}

/// A new signing secret (admins only): 200 with `secret`, shown only in this answer
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{id}/rotate-secret",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook subscription id")),
    request_body(content = RotateSecretBody, description = "Optional; an empty body keeps the default grace"),
    responses((status = 200, body = NewWebhookView), (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn rotate_secret(
    state: web::Data<AppState>,
    mutation: Mutation<RotateSecretBody>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let id = id_of(&path, "webhook")?;
    let grace = super::integration_keys::grace(body.grace_secs, state.webhook_rules.rotation_grace)?;
    let ctx = author(&caller, Permission::AdministerTenant)?;
    let (tenant_id, rules) = (caller.tenant.id.clone(), state.webhook_rules.clone());
    let (sub, secret) = state
        .db
        .run(move |conn| {
            let secret = manage::rotate_secret(conn, &rules.cipher, &ctx, &tenant_id, &id, grace)?;
            let sub = webhook_subscriptions::by_id(conn, &tenant_id, &id)?.ok_or(CommandError::NotFound("webhook"))?;
            Ok::<_, CommandError>((sub, secret))
        })
        .await
        .map_err(ApiError::from)?;
    Ok(HttpResponse::Ok().json(NewWebhookView { view: WebhookView::from(sub), secret }))
}

/// Send a signed `ping` now (admins only): 200 with its delivery once attempted, 202 while it is still queued
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{id}/test",
    tag = "webhooks",
    params(("id" = String, Path, description = "Webhook subscription id")),
    responses((status = 200, description = "The ping's delivery with its attempt", body = DeliveryView), (status = 202, description = "Queued, not attempted yet (no dispatcher free in time)", body = DeliveryView), (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json"), (status = 409, description = "The subscription is disabled", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn test(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = id_of(&path, "webhook")?;
    let ctx = author(&caller, Permission::AdministerTenant)?;
    let tenant_id = caller.tenant.id.clone();
    let queued =
        state.db.run(move |conn| webhook_ping::queue(conn, &ctx, &tenant_id, &id)).await.map_err(ApiError::from)?;
    // The dispatcher (of this instance or another) sends it; wait for its first attempt.
    let deadline = Instant::now() + state.webhook_rules.ping_wait;
    loop {
        tokio::time::sleep(PING_POLL).await;
        let (tenant_id, sub_id, delivery_id) =
            (caller.tenant.id.clone(), queued.subscription_id.clone(), queued.id.clone());
        let (delivery, attempts) = state
            .db
            .run(move |conn| {
                let found =
                    webhook_deliveries::by_id(conn, &tenant_id, &sub_id, &delivery_id).map_err(ApiError::from_query)?;
                // Deleted meanwhile (with its subscription): nothing more to wait for.
                let delivery = found.ok_or_else(|| ApiError::not_found("delivery"))?;
                let attempts = webhook_deliveries::attempts_of(conn, &delivery.id).map_err(ApiError::from_query)?;
                Ok::<_, ApiError>((delivery, attempts))
            })
            .await?;
        let attempted = !attempts.is_empty();
        if attempted || Instant::now() >= deadline {
            let view = DeliveryView::new(delivery, Some(attempts));
            let mut answer = if attempted { HttpResponse::Ok() } else { HttpResponse::Accepted() };
            return Ok(answer.json(view));
        }
    }
}
