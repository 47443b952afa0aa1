//! How the portal fails: an HTML page a person can read, never a problem+json body.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, LOCATION, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use thiserror::Error;

use crate::commands::CommandError;
use crate::db::DbError;
use crate::web::internal_error::InternalError;

#[derive(Debug, Error)]
pub enum PortalError {
    /// With the page asked for, to return to after signing in (GET requests only).
    #[error("sign in first")]
    SignInRequired(Option<String>),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("the form was not sent by this portal (missing or stale security token); reload the page and try again")]
    Csrf,
    /// The database pool or the password checks are saturated: 503 with Retry-After.
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(#[source] InternalError),
}

impl PortalError {
    pub fn busy() -> Self {
        PortalError::Unavailable("The service is busy right now. Please try again in a moment.".into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: String,
}

impl ResponseError for PortalError {
    fn status_code(&self) -> StatusCode {
        match self {
            PortalError::SignInRequired(_) => StatusCode::SEE_OTHER,
            PortalError::NotFound(_) => StatusCode::NOT_FOUND,
            PortalError::Forbidden(_) | PortalError::Csrf => StatusCode::FORBIDDEN,
            PortalError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            PortalError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let title = match self {
            PortalError::SignInRequired(next) => {
                let location = super::next_page::sign_in_location(next.as_deref());
                return HttpResponse::SeeOther().insert_header((LOCATION, location)).finish();
            }
            PortalError::NotFound(_) => "Not found",
            PortalError::Forbidden(_) | PortalError::Csrf => "Not allowed",
            PortalError::Unavailable(_) => "Busy",
            PortalError::Internal(cause) => {
                tracing::error!(cause = %cause.chain(), "portal request failed");
                "Something went wrong"
            }
        };
        let message = match self {
            PortalError::NotFound(what) => format!("There is no {what} with this address in your organisation."),
            PortalError::Internal(_) => "The request could not be completed. Please try again.".to_owned(),
            other => other.to_string(),
        };
        let body = ErrorPage { title, message }.render().unwrap_or_else(|_| title.to_owned());
        let mut response = HttpResponse::build(self.status_code());
        if let PortalError::Unavailable(_) = self {
            response.insert_header((RETRY_AFTER, crate::web::error::RETRY_AFTER_SECS));
        }
        response.insert_header((CACHE_CONTROL, "no-store")).content_type("text/html; charset=utf-8").body(body)
    }
}

impl From<DbError> for PortalError {
    fn from(error: DbError) -> Self {
        match error {
            // No connection within the pool's timeout (a flood, a slow database): retry later.
            DbError::Pool(_) | DbError::Connect(_) => PortalError::busy(),
            other => PortalError::Internal(InternalError::caused_by("storage failed", other)),
        }
    }
}

impl From<diesel::result::Error> for PortalError {
    fn from(error: diesel::result::Error) -> Self {
        PortalError::Internal(InternalError::caused_by("database query failed", error))
    }
}

impl From<askama::Error> for PortalError {
    fn from(error: askama::Error) -> Self {
        PortalError::Internal(InternalError::caused_by("rendering the page failed", error))
    }
}

/// A command that was refused for a reason the person can act on becomes a message shown next
/// to the form (`Ok`); anything else becomes an error page.
pub fn refusal(error: CommandError) -> Result<String, PortalError> {
    match error {
        CommandError::NotFound(what) => Err(PortalError::NotFound(what.to_owned())),
        CommandError::Forbidden(reason) => Err(PortalError::Forbidden(reason)),
        CommandError::Conflict(reason) => Ok(capitalize(&reason)),
        CommandError::Invalid(errors) => Ok(errors
            .0
            .iter()
            .map(|e| format!("{}: {}", capitalize(&e.field.replace('_', " ")), e.message))
            .collect::<Vec<_>>()
            .join(". ")),
        CommandError::PreconditionFailed { .. } => {
            Ok("Someone else changed this ticket meanwhile. The page now shows their change; apply yours again.".into())
        }
        CommandError::Unavailable(_) => Ok("The service is busy right now. Please try again in a moment.".into()),
        CommandError::Storage(error) => Err(error.into()),
        CommandError::Internal(cause) => Err(PortalError::Internal(cause.into())),
    }
}

pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exhausted_or_unreachable_database_is_a_503_page_with_retry_after() {
        let error = PortalError::from(DbError::Connect(diesel::ConnectionError::BadConnection("timed out".into())));
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key(RETRY_AFTER));
    }
}
