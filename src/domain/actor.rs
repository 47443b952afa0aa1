//! Who performs a change, and through which channel: recorded on every audit entry.

use super::role::Permission;
pub use super::role::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User { id: String, name: String, role: Role },
    Integration { id: String, name: String },
    System,
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::User { .. } => "user",
            Actor::Integration { .. } => "integration",
            Actor::System => "system",
        }
    }

    pub fn id(&self) -> Option<&str> {
        match self {
            Actor::User { id, .. } | Actor::Integration { id, .. } => Some(id),
            Actor::System => None,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Actor::User { name, .. } | Actor::Integration { name, .. } => name,
            Actor::System => "system",
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::User { role, .. } => Some(*role),
            _ => None,
        }
    }

    /// Users by their role; integrations and the system act through the commands the service
    /// itself issues for them (ingest, provisioning), which no role table needs to gate.
    pub fn allows(&self, permission: Permission) -> bool {
        self.role().is_none_or(|role| role.allows(permission))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Http,
    Amqp,
    Cli,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Http => "http",
            Channel::Amqp => "amqp",
            Channel::Cli => "cli",
        }
    }
}
