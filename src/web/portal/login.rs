//! Signing in and out. Failed and successful sign-ins are audited in the tenant's chain;
//! passwords are checked with argon2 on a blocking thread and never logged.

use std::sync::OnceLock;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Duration;
use serde::Deserialize;
use serde_json::json;

use super::csrf;
use super::error::PortalError;
use super::session::{PortalConfig, SESSION_ID};
use super::view::html;
use crate::commands::{CommandContext, CommandError, transaction};
use crate::credentials::{hash_password, verify_password};
use crate::db::DbConnection;
use crate::db::models::PortalSession;
use crate::db::queries::{portal_sessions, tenants, users};
use crate::domain::actor::{Actor, Channel};
use crate::domain::{ids, now};
use crate::web::auth::request_id;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    tenant: String,
    username: String,
    message: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    signed_out: Option<String>,
}

pub async fn form(session: Session, query: web::Query<LoginQuery>) -> Result<HttpResponse, PortalError> {
    let notice = query.signed_out.as_ref().map(|_| "You have signed out.".to_owned());
    let page = LoginPage {
        csrf: csrf::token(&session)?,
        tenant: String::new(),
        username: String::new(),
        message: None,
        notice,
    };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    csrf: Option<String>,
    tenant: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

enum Verdict {
    SignedIn(String),
    Refused,
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
    let tenant = form.tenant.unwrap_or_default().trim().to_lowercase();
    let username = form.username.unwrap_or_default().trim().to_owned();
    let password = form.password.unwrap_or_default();
    let refuse = |status: StatusCode, message: &str, session: &Session| {
        let page = LoginPage {
            csrf: csrf::token(session)?,
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
    if !config.throttle.allow(&tenant, &username, req.peer_addr().map(|a| a.ip())) {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sign-in attempts. Wait a minute, then try again.",
            &session,
        );
    }
    let address = req.peer_addr().map(|a| a.ip().to_string());
    let request_id = request_id(&req);
    let hours = config.session_hours;
    let (t, u) = (tenant.clone(), username.clone());
    let verdict = state
        .db
        .run(move |conn| sign_in(conn, &t, &u, &password, address, request_id, hours).map_err(PortalError::from))
        .await?;
    match verdict {
        Verdict::SignedIn(sid) => {
            session.renew();
            session.insert(SESSION_ID, sid).map_err(|e| PortalError::Internal(e.to_string()))?;
            csrf::rotate(&session)?;
            Ok(HttpResponse::SeeOther().insert_header((LOCATION, "/portal/alerts")).finish())
        }
        Verdict::Refused => {
            refuse(StatusCode::UNAUTHORIZED, "The organisation, username or password is not right.", &session)
        }
    }
}

impl From<CommandError> for PortalError {
    fn from(error: CommandError) -> Self {
        PortalError::Internal(error.to_string())
    }
}

/// A hash to verify against when the user does not exist, so that an unknown username takes
/// as long to refuse as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password").unwrap_or_default())
}

fn sign_in(
    conn: &mut DbConnection,
    slug: &str,
    username: &str,
    password: &str,
    address: Option<String>,
    request_id: Option<String>,
    hours: i64,
) -> Result<Verdict, CommandError> {
    let tenant = tenants::by_slug(conn, slug)?;
    let user = match &tenant {
        Some(t) => users::by_username(conn, &t.id, username)?,
        None => None,
    };
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = verify_password(password, stored.as_deref().unwrap_or_else(|| decoy_hash())) && stored.is_some();
    // An unknown organisation has no audit chain to write to.
    let Some(tenant) = tenant else { return Ok(Verdict::Refused) };
    let ctx = CommandContext { actor: Actor::System, channel: Channel::Http, request_id };
    transaction(conn, &tenant.id, |tx| match (&user, matches) {
        (Some(user), true) => {
            let session = PortalSession {
                id: ids::new_id(),
                tenant_id: tenant.id.clone(),
                user_id: user.id.clone(),
                created_at: now(),
                expires_at: now() + Duration::hours(hours),
                ended_at: None,
            };
            portal_sessions::insert(tx.conn, &session)?;
            let user_ctx = CommandContext {
                actor: Actor::User {
                    id: user.id.clone(),
                    name: user.username.clone(),
                    role: crate::domain::actor::Role::parse(&user.role)
                        .ok_or_else(|| CommandError::Conflict("user has an unknown role".into()))?,
                },
                ..ctx.clone()
            };
            tx.audit.record(&user_ctx, "auth.login", "user", &user.id, json!({"address": address}));
            Ok(Verdict::SignedIn(session.id))
        }
        (found, _) => {
            let target = found.as_ref().map_or(username, |u| u.id.as_str());
            tx.audit.record(
                &ctx,
                "auth.login_failed",
                "user",
                target,
                json!({"username": username, "address": address, "reason": if found.is_some() { "wrong password" } else { "unknown user" }}),
            );
            Ok(Verdict::Refused)
        }
    })
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
