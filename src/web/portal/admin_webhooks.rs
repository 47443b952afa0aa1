//! Webhook subscriptions changed by admins from the portal: create, edit, rotate the secret,
//! send a test ping, delete. The commands and their checks are the API's; a new secret is
//! shown once, on a page of its own.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::{PortalError, refusal};
use super::session::PortalUser;
use super::view::{Layout, html};
use crate::commands::webhook_ping;
use crate::commands::webhook_subscriptions::{self as manage, NewSubscription, SubscriptionChange};
use crate::domain::ids::parse_id;
use crate::domain::role::Permission;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "webhook_secret.html")]
struct SecretPage {
    layout: Layout,
    webhook_id: String,
    url: String,
    secret: String,
    created: bool,
}

#[derive(Debug, Deserialize)]
pub struct SubscriptionForm {
    csrf: Option<String>,
    #[serde(default)]
    url: String,
    /// Comma- or space-separated, e.g. `alert.*, ticket.created`.
    #[serde(default)]
    event_types: String,
    /// A checkbox: present when ticked (edit only).
    enabled: Option<String>,
}

fn event_types(raw: &str) -> Vec<String> {
    raw.split([',', ' ', '\n']).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

fn id_of(raw: &str) -> Result<String, PortalError> {
    parse_id(raw).ok_or_else(|| PortalError::NotFound("webhook".into()))
}

fn to(location: String) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((LOCATION, location)).finish()
}

pub async fn create(
    state: web::Data<AppState>,
    user: PortalUser,
    form: web::Form<SubscriptionForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::AdministerTenant)?;
    let form = form.into_inner();
    let (ctx, tenant_id, rules) = (user.context(), user.tenant.id.clone(), state.webhook_rules.clone());
    let created = state
        .db
        .run(move |conn| {
            let types = event_types(&form.event_types);
            let new = NewSubscription {
                url: form.url.trim(),
                event_types: &types,
                policy: &rules.policy,
                own_listener: rules.own_listener,
            };
            Ok::<_, PortalError>(manage::create(conn, &rules.cipher, &ctx, &tenant_id, new))
        })
        .await?;
    match created {
        Ok((sub, secret)) => {
            let url = crate::webhooks::redact_url(&sub.url);
            let layout = Layout::new(&user, "webhooks", "New signing secret");
            html(StatusCode::CREATED, &SecretPage { layout, webhook_id: sub.id, url, secret, created: true })
        }
        Err(error) => {
            user.flash(false, refusal(error)?);
            Ok(to("/portal/webhooks".into()))
        }
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<SubscriptionForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::AdministerTenant)?;
    let id = id_of(&path)?;
    let form = form.into_inner();
    // The page never shows the full URL (it may hold a token): empty keeps it.
    let change = SubscriptionChange {
        url: Some(form.url.trim().to_owned()).filter(|u| !u.is_empty()),
        event_types: Some(event_types(&form.event_types)),
        enabled: Some(form.enabled.is_some()),
    };
    let (ctx, tenant_id, rules, back) =
        (user.context(), user.tenant.id.clone(), state.webhook_rules.clone(), id.clone());
    let updated = state
        .db
        .run(move |conn| manage::update(conn, &ctx, &tenant_id, &id, change, (&rules.policy, rules.own_listener)))
        .await;
    match updated {
        Ok(_) => user.flash(true, "Subscription saved."),
        Err(error) => user.flash(false, refusal(error)?),
    }
    Ok(to(format!("/portal/webhooks/{back}")))
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: Option<String>,
}

pub async fn rotate_secret(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::AdministerTenant)?;
    let id = id_of(&path)?;
    let (ctx, tenant_id, rules, sub_id) =
        (user.context(), user.tenant.id.clone(), state.webhook_rules.clone(), id.clone());
    let rotated = state
        .db
        .run(move |conn| {
            Ok::<_, PortalError>(manage::rotate_secret(
                conn,
                &rules.cipher,
                &ctx,
                &tenant_id,
                &id,
                rules.rotation_grace,
            ))
        })
        .await?;
    match rotated {
        Ok(secret) => {
            let layout = Layout::new(&user, "webhooks", "New signing secret");
            let page = SecretPage { layout, webhook_id: sub_id, url: String::new(), secret, created: false };
            html(StatusCode::OK, &page)
        }
        Err(error) => {
            user.flash(false, refusal(error)?);
            Ok(to(format!("/portal/webhooks/{sub_id}")))
        }
    }
}

pub async fn test(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::AdministerTenant)?;
    let id = id_of(&path)?;
    let (ctx, tenant_id, back) = (user.context(), user.tenant.id.clone(), id.clone());
    let queued = state.db.run(move |conn| webhook_ping::queue(conn, &ctx, &tenant_id, &id)).await;
    match queued {
        Ok(_) => user.flash(true, "Test ping queued: its delivery appears below within seconds."),
        Err(error) => user.flash(false, refusal(error)?),
    }
    Ok(to(format!("/portal/webhooks/{back}")))
}

pub async fn delete(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::AdministerTenant)?;
    let id = id_of(&path)?;
    let (ctx, tenant_id) = (user.context(), user.tenant.id.clone());
    match state.db.run(move |conn| manage::delete(conn, &ctx, &tenant_id, &id)).await {
        Ok(()) => user.flash(true, "Subscription deleted."),
        Err(error) => user.flash(false, refusal(error)?),
    }
    Ok(to("/portal/webhooks".into()))
}
