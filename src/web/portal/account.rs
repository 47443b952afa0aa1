//! The signed-in person's account: who they are, and their own API tokens.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::{PortalError, refusal};
use super::session::PortalUser;
use super::view::{Layout, html, when};
use crate::commands::{CommandError, provisioning};
use crate::db::queries::credentials;
use crate::domain::ids::parse_id;
use crate::web::internal_error::InternalError;
use crate::web::state::AppState;

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    tokens: Vec<TokenRow>,
    /// A token just created: shown this once, never stored.
    new_token: Option<(String, String)>,
    message: Option<String>,
}

async fn render(
    state: &AppState,
    user: &PortalUser,
    new_token: Option<(String, String)>,
    message: Option<String>,
) -> Result<HttpResponse, PortalError> {
    let (tenant_id, user_id) = (user.tenant.id.clone(), user.user.id.clone());
    let tokens = state
        .db
        .run(move |conn| credentials::tokens_of_user(conn, &tenant_id, &user_id).map_err(PortalError::from))
        .await?;
    let tokens = tokens
        .into_iter()
        .map(|t| TokenRow { id: t.id, name: t.name, created: when(t.created_at), revoked: t.revoked_at.map(when) })
        .collect();
    let status = if message.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    html(status, &AccountPage { layout: Layout::new(user, "account", "Account"), tokens, new_token, message })
}

pub async fn show(state: web::Data<AppState>, user: PortalUser) -> Result<HttpResponse, PortalError> {
    render(&state, &user, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    csrf: Option<String>,
    #[serde(default)]
    name: String,
}

/// Any signed-in person, auditors included, manages their own API tokens: an auditor's token
/// can only read, as the auditor can.
pub async fn create_token(
    state: web::Data<AppState>,
    user: PortalUser,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PortalError> {
    super::csrf::check(&user.session, form.csrf.as_deref())?;
    let name = form.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return render(&state, &user, None, Some("Name: give the token a name of 1 to 100 characters".into())).await;
    }
    let (ctx, tenant, username) = (user.context(), user.tenant.clone(), user.user.username.clone());
    let label = name.clone();
    let created = state
        .db
        .run(move |conn| Ok::<_, CommandError>(provisioning::create_token(conn, &ctx, &tenant, &username, &label)))
        .await
        .map_err(|e| PortalError::Internal(InternalError::caused_by("creating the token failed", e)))?;
    match created {
        Ok((_, secret)) => render(&state, &user, Some((name, secret)), None).await,
        Err(error) => render(&state, &user, None, Some(refusal(error)?)).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    csrf: Option<String>,
}

pub async fn revoke_token(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<RevokeForm>,
) -> Result<HttpResponse, PortalError> {
    super::csrf::check(&user.session, form.csrf.as_deref())?;
    let token_id = parse_id(&path).ok_or_else(|| PortalError::NotFound("token".into()))?;
    let (ctx, tenant, user_id, revoked_id) =
        (user.context(), user.tenant.clone(), user.user.id.clone(), token_id.clone());
    let revoked = state
        .db
        .run(move |conn| {
            // Only one's own tokens: someone else's id is simply not found.
            let own = credentials::tokens_of_user(conn, &tenant.id, &user_id)?.iter().any(|t| t.id == token_id);
            if !own {
                return Ok(Err(CommandError::NotFound("token")));
            }
            Ok::<_, PortalError>(provisioning::revoke_token(conn, &ctx, &tenant, &token_id))
        })
        .await?;
    match revoked {
        Ok(()) => {
            // Refused at once by this instance, not only after the token cache's TTL.
            state.api_tokens.evict(&revoked_id);
            user.flash(true, "Token revoked.")
        }
        Err(error) => user.flash(false, refusal(error)?),
    }
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, "/portal/account")).finish())
}
