use thiserror::Error;

use crate::db::DbError;
use crate::domain::validation::FieldErrors;

/// Why a command was not applied. Each variant means one thing to a client; the web layer maps
/// them to HTTP in one place.
#[derive(Debug, Error)]
pub enum CommandError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("the ticket has changed since version {expected}; it is now at version {current}")]
    PreconditionFailed { expected: i64, current: i64 },
    #[error("service busy: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Storage(#[from] DbError),
    /// A broken invariant of the service itself, not something the caller can fix.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<diesel::result::Error> for CommandError {
    fn from(error: diesel::result::Error) -> Self {
        CommandError::Storage(DbError::Query(error))
    }
}

impl From<FieldErrors> for CommandError {
    fn from(errors: FieldErrors) -> Self {
        CommandError::Invalid(errors)
    }
}

impl From<crate::webhooks::WebhookError> for CommandError {
    fn from(error: crate::webhooks::WebhookError) -> Self {
        CommandError::Unavailable(error.to_string())
    }
}
