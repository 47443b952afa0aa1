//! Signing in and out. Failed and successful sign-ins are audited in the tenant's chain (see
//! `sign_in`); passwords are checked with argon2 on the bounded blocking checks of `hashing`,
//! with no database connection held, and never logged. Throttling: `throttle`.

use std::sync::OnceLock;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, LOCATION, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::csrf;
use super::error::PortalError;
use super::next_page::safe_next;
use super::session::{PortalConfig, SESSION_ID};
use super::sign_in;
use super::throttle::Gate;
use super::view::html;
use crate::commands::CommandError;
use crate::credentials::hash_password;
use crate::db::queries::{portal_sessions, tenants};
use crate::domain::now;
use crate::web::auth::request_id;
use crate::web::internal_error::InternalError;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    /// Where a successful sign-in leads (a portal page; empty for the alert list).
    next: String,
    tenant: String,
    username: String,
    message: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    signed_out: Option<String>,
    password_set: Option<String>,
    next: Option<String>,
}

pub async fn form(
    session: Session,
    state: web::Data<AppState>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, PortalError> {
    let notice = match (&query.signed_out, &query.password_set) {
        (Some(_), _) => Some("You have signed out.".to_owned()),
        (None, Some(_)) => Some("Your password is set: sign in with it.".to_owned()),
        (None, None) => None,
    };
    // One organisation is nothing to guess: it is filled in (a service of several never says
    // which exist).
    let tenants = state.db.run(|conn| tenants::list(conn).map_err(PortalError::from)).await?;
    let only = match tenants.as_slice() {
        [only] => only.slug.clone(),
        _ => String::new(),
    };
    let page = LoginPage {
        csrf: csrf::token(&session)?,
        next: query.next.as_deref().and_then(safe_next).unwrap_or_default().to_owned(),
        tenant: only,
        username: String::new(),
        message: None,
        notice,
    };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    csrf: Option<String>,
    next: Option<String>,
    tenant: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    config: web::Data<PortalConfig>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PortalError> {
    let form = form.into_inner();
    csrf::check(&session, form.csrf.as_deref())?;
    let raw_tenant = form.tenant.unwrap_or_default();
    let raw_username = form.username.unwrap_or_default();
    // Bounded before anything else sees them: the page, the throttle, the audit trail.
    let tenant = sign_in::bounded(raw_tenant.trim()).to_lowercase();
    let username = sign_in::bounded(raw_username.trim());
    let too_long = raw_tenant.trim().chars().count() > sign_in::NAME_MAX
        || raw_username.trim().chars().count() > sign_in::NAME_MAX;
    let password = form.password.unwrap_or_default();
    let next = form.next.as_deref().and_then(safe_next).unwrap_or_default().to_owned();
    let refuse = |status: StatusCode, message: &str, session: &Session| {
        let page = LoginPage {
            csrf: csrf::token(session)?,
            next: next.clone(),
            tenant: tenant.clone(),
            username: username.clone(),
            message: Some(message.to_owned()),
            notice: None,
        };
        html(status, &page)
    };
    if tenant.is_empty() || username.is_empty() || password.is_empty() {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "Enter your organisation, username and password.", &session);
    }
    let address = req.peer_addr().map(|a| a.ip());
    match config.throttle.check(&tenant, &username, address) {
        Gate::Wait(wait) => {
            let mut page = refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many sign-in attempts. Wait a minute, then try again.",
                &session,
            )?;
            let seconds = wait.as_secs().max(1).to_string();
            if let Ok(value) = HeaderValue::from_str(&seconds) {
                page.headers_mut().insert(RETRY_AFTER, value);
            }
            return Ok(page);
        }
        Gate::Proceed(delay) if !delay.is_zero() => tokio::time::sleep(delay).await,
        Gate::Proceed(_) => {}
    }
    let (found_tenant, user) =
        if too_long { (None, None) } else { sign_in::find(&state, tenant.clone(), username.clone()).await? };
    // Without an account the decoy hash is checked, so an unknown name takes as long to refuse.
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let hash = stored.clone().unwrap_or_else(|| decoy_hash().to_owned());
    let matches = config.passwords.verify(password, hash).await.map_err(|_| PortalError::busy())? && stored.is_some();
    let attempt = sign_in::Attempt { username: username.clone(), address, request_id: request_id(&req) };
    match (found_tenant, user, matches) {
        (Some(found_tenant), Some(user), true) => {
            config.throttle.succeeded(&tenant, &username, address);
            let sid = sign_in::succeeded(&state, found_tenant, user, attempt, config.session_hours).await?;
            session.renew();
            session
                .insert(SESSION_ID, sid)
                .map_err(|e| PortalError::Internal(InternalError::caused_by("storing the session failed", e)))?;
            csrf::rotate(&session)?;
            let location = if next.is_empty() { "/portal/alerts" } else { next.as_str() };
            Ok(HttpResponse::SeeOther().insert_header((LOCATION, location)).finish())
        }
        (found_tenant, user, _) => {
            config.throttle.failed(&tenant, &username, address);
            // An unknown organisation has no audit chain to write to.
            if let Some(found_tenant) = found_tenant {
                sign_in::failed(&state, &config.failed_sign_ins, found_tenant, user, attempt).await?;
            }
            refuse(StatusCode::UNAUTHORIZED, "The organisation, username or password is not right.", &session)
        }
    }
}

impl From<CommandError> for PortalError {
    fn from(error: CommandError) -> Self {
        match error {
            CommandError::Storage(error) => error.into(),
            CommandError::Unavailable(_) => PortalError::busy(),
            other => PortalError::Internal(InternalError::caused_by("signing in failed", other)),
        }
    }
}

/// A hash to verify against when the user does not exist, so that an unknown username takes
/// as long to refuse as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password").unwrap_or_default())
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf: Option<String>,
}

/// Ends the server-side session first, so the cookie is worthless even if a copy survives.
pub async fn logout(
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, PortalError> {
    csrf::check(&session, form.csrf.as_deref())?;
    if let Ok(Some(sid)) = session.get::<String>(SESSION_ID) {
        state.db.run(move |conn| portal_sessions::end(conn, &sid, now()).map_err(PortalError::from)).await?;
    }
    session.purge();
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, "/portal/login?signed_out=1")).finish())
}
