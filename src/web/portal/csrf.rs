//! Cross-site request forgery: every form carries a per-session random token, and a POST
//! whose token is missing or wrong changes nothing.

use actix_session::Session;

use super::error::PortalError;
use crate::credentials::generate_secret;
use crate::web::internal_error::InternalError;

const KEY: &str = "csrf";

/// The session's token, created on first use.
pub fn token(session: &Session) -> Result<String, PortalError> {
    if let Ok(Some(existing)) = session.get::<String>(KEY) {
        return Ok(existing);
    }
    let fresh = generate_secret("");
    session
        .insert(KEY, &fresh)
        .map_err(|e| PortalError::Internal(InternalError::caused_by("storing the form token failed", e)))?;
    Ok(fresh)
}

/// A new token, e.g. when signing in starts a new session.
pub fn rotate(session: &Session) -> Result<String, PortalError> {
    session.remove(KEY);
    token(session)
}

pub fn check(session: &Session, submitted: Option<&str>) -> Result<(), PortalError> {
    let expected = session.get::<String>(KEY).ok().flatten().ok_or(PortalError::Csrf)?;
    let submitted = submitted.ok_or(PortalError::Csrf)?;
    if constant_time_eq(expected.as_bytes(), submitted.as_bytes()) { Ok(()) } else { Err(PortalError::Csrf) }
}

/// Compares without stopping at the first difference, so timing tells nothing about the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_equal_tokens_match() {
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"ab"));
    }
}
