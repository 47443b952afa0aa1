use thiserror::Error;

/// Failures of webhook configuration and secret handling. Storage and command failures travel
/// as `CommandError`; these are the ones particular to webhooks.
#[derive(Debug, Error)]
pub enum WebhookError {
    #[error("webhook secret key: {0}")]
    Key(String),
    #[error("a webhook secret could not be decrypted (was the secret key changed?)")]
    Decrypt,
}
