//! A failure on our side, kept with its chain of causes: the client is told only that something
//! went wrong, and the one log line written for it shows every cause, not a flattened string.

use std::error::Error;
use std::fmt;

type Source = Box<dyn Error + Send + Sync + 'static>;

#[derive(Debug)]
pub struct InternalError {
    message: String,
    source: Option<Source>,
}

impl InternalError {
    pub fn caused_by(message: impl Into<String>, source: impl Into<Source>) -> Self {
        Self { message: message.into(), source: Some(source.into()) }
    }

    /// The message and each cause after it, skipping a cause whose text an earlier one already
    /// quotes (thiserror's `"…: {0}"` messages repeat their source).
    pub fn chain(&self) -> String {
        let mut out = self.message.clone();
        let mut next = self.source();
        while let Some(cause) = next {
            let text = cause.to_string();
            if !out.contains(&text) {
                out.push_str(": ");
                out.push_str(&text);
            }
            next = cause.source();
        }
        out
    }
}

impl fmt::Display for InternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for InternalError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn Error + 'static))
    }
}

impl From<String> for InternalError {
    fn from(message: String) -> Self {
        Self { message, source: None }
    }
}

impl From<&str> for InternalError {
    fn from(message: &str) -> Self {
        message.to_owned().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("database query failed: {0}")]
    struct Wrapper(#[source] std::io::Error);

    #[test]
    fn the_chain_names_every_cause_once() {
        let io = std::io::Error::other("connection reset");
        let error = InternalError::caused_by("loading the alert", Wrapper(io));
        assert_eq!(error.chain(), "loading the alert: database query failed: connection reset");
        assert_eq!(error.to_string(), "loading the alert");
    }
}
