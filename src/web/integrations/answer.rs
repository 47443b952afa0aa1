//! The answers of PagerDuty's Events API, which its clients parse: `status`, `message` and
//! `errors` (strings). Their retry logic reads the code: 2xx done, 429 and 5xx retried, any
//! other 4xx dropped. Failures on our side keep the service's problem+json answer.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;
use thiserror::Error;

use crate::domain::validation::FieldErrors;
use crate::web::error::ApiError;

#[derive(Debug, Error)]
pub enum EnqueueError {
    #[error("Event object is invalid")]
    Invalid(Vec<String>),
    #[error("Routing key is unknown or revoked")]
    UnknownKey,
    #[error("{0}")]
    TooLarge(String),
    #[error(transparent)]
    Service(ApiError),
}

impl From<FieldErrors> for EnqueueError {
    fn from(errors: FieldErrors) -> Self {
        EnqueueError::Invalid(errors.0.into_iter().map(|e| format!("{}: {}", e.field, e.message)).collect())
    }
}

impl From<ApiError> for EnqueueError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::PayloadTooLarge(message) => EnqueueError::TooLarge(message),
            ApiError::BadRequest(message) => EnqueueError::Invalid(vec![message]),
            ApiError::Validation(errors) => errors.into(),
            other => EnqueueError::Service(other),
        }
    }
}

impl ResponseError for EnqueueError {
    fn status_code(&self) -> StatusCode {
        match self {
            EnqueueError::Invalid(_) => StatusCode::BAD_REQUEST,
            EnqueueError::UnknownKey => StatusCode::UNAUTHORIZED,
            EnqueueError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            EnqueueError::Service(error) => error.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (status, errors) = match self {
            EnqueueError::Service(error) => return error.error_response(),
            EnqueueError::Invalid(errors) => ("invalid event", errors.clone()),
            EnqueueError::UnknownKey => ("unrecognized routing key", vec!["routing_key: is unknown or revoked".into()]),
            EnqueueError::TooLarge(limit) => ("invalid event", vec![limit.clone()]),
        };
        HttpResponse::build(self.status_code()).json(json!({
            "status": status,
            "message": self.to_string(),
            "errors": errors,
        }))
    }
}

/// PagerDuty's answer to an accepted event.
pub fn accepted(dedup_key: &str) -> HttpResponse {
    HttpResponse::Accepted().json(json!({"status": "success", "message": "Event processed", "dedup_key": dedup_key}))
}
