//! Administration › Integrations (admins only): create, rotate (the old key works for the
//! default grace of 24 h) and revoke; a key is shown once, on the page that made it.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::{PortalError, refusal};
use super::session::PortalUser;
use super::view::{Layout, html, when};
use crate::commands::integrations::{self, DEFAULT_ROTATION_GRACE};
use crate::commands::provisioning;
use crate::db::queries::credentials;
use crate::domain::ids::parse_id;
use crate::domain::now;
use crate::domain::role::Permission;
use crate::web::state::AppState;

const PAGE: &str = "/portal/admin/integrations";

pub struct IntegrationRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub revoked: Option<String>,
    /// Until when the key before the last rotation still works.
    pub previous_until: Option<String>,
    pub events: i64,
    pub last_event: String,
}

#[derive(Template)]
#[template(path = "admin_integrations.html")]
struct IntegrationsPage {
    layout: Layout,
    rows: Vec<IntegrationRow>,
    /// A key just created or rotated, `(integration name, key)`: shown this once.
    new_key: Option<(String, String)>,
    message: Option<String>,
}

async fn render(
    state: &AppState,
    user: &PortalUser,
    new_key: Option<(String, String)>,
    message: Option<String>,
) -> Result<HttpResponse, PortalError> {
    let tenant_id = user.tenant.id.clone();
    let (rows, activity) = state
        .db
        .run(move |conn| {
            let rows = credentials::integrations_of_tenant(conn, &tenant_id)?;
            Ok::<_, PortalError>((rows, credentials::integration_activity(conn, &tenant_id)?))
        })
        .await?;
    let rows = rows
        .into_iter()
        .map(|i| {
            let sent = activity.get(&i.id).copied().unwrap_or_default();
            IntegrationRow {
                previous_until: i.previous_key_expires_at.filter(|until| *until > now()).map(when),
                revoked: i.revoked_at.map(when),
                created: when(i.created_at),
                events: sent.events,
                last_event: sent.last_event_at.map(when).unwrap_or_else(|| "never".into()),
                id: i.id,
                name: i.name,
            }
        })
        .collect();
    let status = if message.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let layout = Layout::new(user, "admin", "Integrations");
    html(status, &IntegrationsPage { layout, rows, new_key, message })
}

pub async fn list(state: web::Data<AppState>, user: PortalUser) -> Result<HttpResponse, PortalError> {
    user.require(Permission::AdministerTenant)?;
    render(&state, &user, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct NewIntegrationForm {
    csrf: Option<String>,
    #[serde(default)]
    name: String,
}

pub async fn create(
    state: web::Data<AppState>,
    user: PortalUser,
    form: web::Form<NewIntegrationForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::AdministerTenant)?;
    let (ctx, tenant, name) = (user.context(), user.tenant.clone(), form.into_inner().name);
    let created = state
        .db
        .run(move |conn| Ok::<_, PortalError>(provisioning::create_integration(conn, &ctx, &tenant, &name)))
        .await?;
    match created {
        Ok((integration, key)) => render(&state, &user, Some((integration.name, key)), None).await,
        Err(error) => render(&state, &user, None, Some(refusal(error)?)).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: Option<String>,
}

pub async fn rotate(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::AdministerTenant)?;
    let id = parse_id(&path).ok_or_else(|| PortalError::NotFound("integration".into()))?;
    let (ctx, tenant) = (user.context(), user.tenant.clone());
    let rotated = state
        .db
        .run(move |conn| Ok::<_, PortalError>(integrations::rotate(conn, &ctx, &tenant, &id, DEFAULT_ROTATION_GRACE)))
        .await?;
    match rotated {
        Ok((integration, key)) => {
            state.integration_keys.evict(&integration.id);
            render(&state, &user, Some((integration.name, key)), None).await
        }
        Err(error) => render(&state, &user, None, Some(refusal(error)?)).await,
    }
}

pub async fn revoke(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::AdministerTenant)?;
    let id = parse_id(&path).ok_or_else(|| PortalError::NotFound("integration".into()))?;
    let (ctx, tenant, evicted) = (user.context(), user.tenant.clone(), id.clone());
    let revoked = state.db.run(move |conn| integrations::revoke(conn, &ctx, &tenant, &id)).await;
    match revoked {
        Ok(()) => {
            state.integration_keys.evict(&evicted);
            user.flash(true, "Integration revoked: its keys no longer work.");
        }
        Err(error) => user.flash(false, refusal(error)?),
    }
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, PAGE)).finish())
}
