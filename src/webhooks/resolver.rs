//! The DNS resolver of the webhook HTTP client: it resolves a name once and hands the
//! connector only the addresses the [`AddressPolicy`] allows, so the address checked is the
//! address connected to (a name that answers a public address to a check and a private one
//! to the connection, DNS rebinding, gets nowhere).

use std::fmt;
use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::guard::{AddressPolicy, HINT};

pub struct GuardedResolver {
    pub policy: AddressPolicy,
}

/// Why a delivery was not attempted at all; found again in the request error's sources.
#[derive(Debug, Clone)]
pub enum Unreachable {
    /// The name does not resolve (now): retried, as DNS may recover.
    Unresolved { name: String, reason: String },
    /// Every address is refused: not retried, as it takes a change of DNS or configuration.
    Refused { name: String, refusal: String },
}

impl fmt::Display for Unreachable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unresolved { name, reason } => write!(f, "{name} does not resolve ({reason}); nothing was sent"),
            Self::Refused { name, refusal } => {
                write!(f, "refused: {name} resolves to {refusal}; {HINT}; nothing was sent")
            }
        }
    }
}

impl std::error::Error for Unreachable {}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let name = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: the connector puts the URL's port in place.
            let found = tokio::net::lookup_host((name.as_str(), 0)).await.map_err(|e| {
                Box::new(Unreachable::Unresolved { name: name.clone(), reason: e.to_string() })
                    as Box<dyn std::error::Error + Send + Sync>
            })?;
            let (allowed, refused): (Vec<SocketAddr>, Vec<SocketAddr>) =
                found.partition(|addr| policy.check(addr.ip()).is_ok());
            if allowed.is_empty() {
                let error = match refused.first().and_then(|addr| policy.check(addr.ip()).err()) {
                    Some(refusal) => Unreachable::Refused { name, refusal: refusal.to_string() },
                    None => Unreachable::Unresolved { name, reason: "no addresses".into() },
                };
                return Err(Box::new(error) as Box<dyn std::error::Error + Send + Sync>);
            }
            if !refused.is_empty() {
                tracing::warn!(host = %name, refused = refused.len(), "webhook host resolves to refused addresses too; using only the allowed ones");
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The [`Unreachable`] behind a request error, if that is why it failed.
pub fn unreachable_cause(error: &reqwest::Error) -> Option<Unreachable> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(s) = source {
        if let Some(found) = s.downcast_ref::<Unreachable>() {
            return Some(found.clone());
        }
        source = s.source();
    }
    None
}
