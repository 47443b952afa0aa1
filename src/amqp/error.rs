use thiserror::Error;

/// Why a consumer session ended; the supervisor reconnects after any of them.
#[derive(Debug, Error)]
pub enum IngestError {
    #[error("broker: {0}")]
    Broker(#[from] lapin::Error),
    #[error("the broker URL is not valid: {0}")]
    Url(String),
    #[error("the broker cancelled the consumer")]
    Cancelled,
    #[error("the dead-letter publish was not confirmed: {0}")]
    NotConfirmed(&'static str),
}
