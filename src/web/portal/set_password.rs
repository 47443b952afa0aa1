//! The page a new user's one-time set-password link opens (`/portal/set-password?token=…`):
//! it needs no signed-in session, only the link, which one successful use spends. The token
//! moves from the address into the (encrypted) session cookie at once, so the form's page, its
//! history entry and its Referer do not carry it.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::csrf;
use super::error::PortalError;
use super::view::html;
use crate::commands::CommandError;
use crate::commands::user_admin::{self, PASSWORD_MIN};
use crate::credentials::hash_secret;
use crate::db::queries::users;
use crate::domain::now;
use crate::web::internal_error::InternalError;
use crate::web::state::AppState;

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    csrf: String,
    minimum: usize,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SetPasswordQuery {
    token: Option<String>,
}

/// The session's key for the link's token while the form is open.
const SETUP_TOKEN: &str = "password_setup";

pub async fn form(session: Session, query: web::Query<SetPasswordQuery>) -> Result<HttpResponse, PortalError> {
    if let Some(token) = query.into_inner().token {
        session
            .insert(SETUP_TOKEN, token)
            .map_err(|e| PortalError::Internal(InternalError::caused_by("storing the link failed", e)))?;
        return Ok(HttpResponse::SeeOther().insert_header((LOCATION, "/portal/set-password")).finish());
    }
    let page = SetPasswordPage { csrf: csrf::token(&session)?, minimum: PASSWORD_MIN, message: None };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
pub struct SetPasswordForm {
    csrf: Option<String>,
    password: Option<String>,
    confirm: Option<String>,
}

pub async fn submit(
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<SetPasswordForm>,
) -> Result<HttpResponse, PortalError> {
    let form = form.into_inner();
    csrf::check(&session, form.csrf.as_deref())?;
    let token = session.get::<String>(SETUP_TOKEN).ok().flatten().unwrap_or_default();
    let (password, confirm) = (form.password.unwrap_or_default(), form.confirm.unwrap_or_default());
    let refuse = |status: StatusCode, message: &str| {
        let page =
            SetPasswordPage { csrf: csrf::token(&session)?, minimum: PASSWORD_MIN, message: Some(message.into()) };
        html(status, &page)
    };
    let spent = "This link is not valid any more. Ask an admin of your organisation for a new one.";
    // The cheap check first: without a live link nothing is hashed (argon2 is the costly part).
    let link = token.clone();
    let live = state
        .db
        .run(move |conn| users::by_password_setup(conn, &hash_secret(&link), now()).map_err(PortalError::from))
        .await?;
    if live.is_none() {
        return refuse(StatusCode::GONE, spent);
    }
    if password != confirm {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "The two passwords are not the same.");
    }
    let hashed = web::block(move || user_admin::checked_hash(&password))
        .await
        .map_err(|e| PortalError::Internal(InternalError::caused_by("hashing the password failed", e)))?;
    let hash = match hashed {
        Ok(hash) => hash,
        Err(CommandError::Invalid(errors)) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, &errors.to_string()),
        Err(other) => {
            return Err(PortalError::Internal(InternalError::caused_by("hashing the password failed", other)));
        }
    };
    let user = state
        .db
        .run(move |conn| user_admin::complete_password_setup(conn, &token, &hash))
        .await
        .map_err(|e| PortalError::Internal(InternalError::caused_by("setting the password failed", e)))?;
    match user {
        Some(_) => {
            session.remove(SETUP_TOKEN);
            Ok(HttpResponse::SeeOther().insert_header((LOCATION, "/portal/login?password_set=1")).finish())
        }
        None => refuse(StatusCode::GONE, spent),
    }
}
