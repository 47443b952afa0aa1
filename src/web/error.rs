//! The one place where failures become HTTP responses: RFC 9457 `application/problem+json`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use thiserror::Error;
use utoipa::ToSchema;

use crate::commands::CommandError;
use crate::db::DbError;
use crate::domain::validation::{FieldError, FieldErrors};
use crate::web::internal_error::InternalError;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("the request has invalid fields")]
    Validation(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(#[source] InternalError),
}

/// What a 503 asks clients to wait before retrying (pool exhausted, mailbox full, busy).
pub const RETRY_AFTER_SECS: &str = "2";

// What is sent is also what the OpenAPI document describes, so the two cannot drift apart.
/// RFC 9457 problem details, as every error is answered.
#[derive(Serialize, ToSchema)]
#[schema(as = ProblemDetails)]
pub struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    status: u16,
    detail: String,
    /// Field-level messages for invalid input.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    #[schema(value_type = Option<Vec<FieldProblem>>)]
    errors: &'a [FieldError],
}

// How a `FieldError` is documented: the domain type carries no OpenAPI derive.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FieldProblem {
    field: String,
    message: String,
}

impl ApiError {
    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("no {what} with this id"))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let detail = match self {
            ApiError::Internal(cause) => {
                tracing::error!(cause = %cause.chain(), "request failed");
                "something went wrong on our side; the request may be retried".to_owned()
            }
            ApiError::Validation(errors) => format!("invalid fields: {errors}"),
            other => other.to_string(),
        };
        let errors = match self {
            ApiError::Validation(errors) => errors.0.as_slice(),
            _ => &[],
        };
        let problem = Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail,
            errors,
        };
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS)));
        }
        response.json(problem)
    }
}

impl From<CommandError> for ApiError {
    fn from(error: CommandError) -> Self {
        match error {
            CommandError::NotFound(what) => ApiError::not_found(what),
            CommandError::Forbidden(reason) => ApiError::Forbidden(reason),
            CommandError::Conflict(reason) => ApiError::Conflict(reason),
            CommandError::Invalid(errors) => ApiError::Validation(errors),
            error @ CommandError::PreconditionFailed { .. } => ApiError::PreconditionFailed(error.to_string()),
            CommandError::Unavailable(reason) => ApiError::Unavailable(reason),
            CommandError::Storage(error) => error.into(),
            CommandError::Internal(cause) => ApiError::Internal(cause.into()),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::Pool(_) | DbError::Connect(_) => {
                ApiError::Unavailable("the database is unavailable; retry shortly".into())
            }
            other => ApiError::Internal(InternalError::caused_by("storage failed", other)),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        ApiError::Validation(errors)
    }
}

/// Turns actix's body and query extraction failures into problems instead of plain text.
pub fn json_error(error: actix_web::error::JsonPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let api = match &error {
        E::Overflow { limit } | E::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge(format!("the body is larger than {limit} bytes"))
        }
        E::ContentType => ApiError::UnsupportedMediaType("send the body as application/json".into()),
        E::Deserialize(e) if e.is_data() => {
            ApiError::BadRequest(format!("the body does not match the expected shape: {e}"))
        }
        E::Deserialize(e) => ApiError::BadRequest(format!("the body is not valid JSON: {e}")),
        other => ApiError::BadRequest(format!("could not read the body: {other}")),
    };
    api.into()
}

pub fn query_error(error: actix_web::error::QueryPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("invalid query string: {error}")).into()
}

pub fn path_error(error: actix_web::error::PathError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::NotFound(format!("no such resource: {error}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_503_with_retry_after_not_500() {
        let error = ApiError::from(DbError::Connect(diesel::ConnectionError::BadConnection("timed out".into())));
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers().get(header::RETRY_AFTER).map(|v| v.as_bytes()),
            Some(RETRY_AFTER_SECS.as_bytes())
        );
    }
}
