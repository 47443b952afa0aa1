use std::fmt;

/// Why a command got no reply from the handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DispatchError {
    /// The tenant's queue is at `mailbox_capacity`; the caller should shed load or retry later.
    MailboxFull,
    /// The tenant's actor went away before the command was applied.
    Stopped,
    /// The handler panicked or returned the wrong number of replies for the unit this command
    /// was part of, so nothing can be said about whether it was applied.
    HandlerFailed,
}

impl fmt::Display for DispatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MailboxFull => "tenant mailbox is full",
            Self::Stopped => "tenant actor stopped before applying the command",
            Self::HandlerFailed => "tenant handler failed while applying the command",
        })
    }
}

impl std::error::Error for DispatchError {}
