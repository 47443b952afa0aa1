//! The roles and what each may do: one table, consulted by the API, the portal and the
//! command layer alike, so a new role is one variant here and one arm of [`Role::allows`].

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything an operator may do, and the administration of its own tenant.
    Admin,
    Operator,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Operator, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read the tenant's alerts, tickets, audit trail and webhook log.
    Read,
    /// Acknowledge, assign and resolve alerts.
    TriageAlerts,
    /// Create and change tickets, their comments and links; turn an alert into a ticket.
    EditTickets,
    /// Re-send webhook deliveries.
    ResendWebhooks,
    /// One's own API tokens and password.
    ManageOwnAccount,
    /// The tenant's users, tokens, integration keys and webhook subscriptions.
    AdministerTenant,
}

impl Permission {
    pub const ALL: [Permission; 6] = [
        Permission::Read,
        Permission::TriageAlerts,
        Permission::EditTickets,
        Permission::ResendWebhooks,
        Permission::ManageOwnAccount,
        Permission::AdministerTenant,
    ];

    /// What it allows, to complete "may not …" in a refusal.
    pub fn describe(self) -> &'static str {
        match self {
            Permission::Read => "read this tenant's records",
            Permission::TriageAlerts => "acknowledge, assign or resolve alerts",
            Permission::EditTickets => "create or change tickets",
            Permission::ResendWebhooks => "re-send webhook deliveries",
            Permission::ManageOwnAccount => "manage their own account",
            Permission::AdministerTenant => "administer the tenant",
        }
    }

    /// Whether it changes the tenant's shared records (one's own account is not among them).
    fn changes_tenant(self) -> bool {
        !matches!(self, Permission::Read | Permission::ManageOwnAccount)
    }
}

impl Role {
    pub fn allows(self, permission: Permission) -> bool {
        match self {
            Role::Admin => true,
            Role::Operator => permission != Permission::AdministerTenant,
            Role::Auditor => matches!(permission, Permission::Read | Permission::ManageOwnAccount),
        }
    }

    /// Reads everything and changes nothing of the tenant's: the portal says so on every page.
    pub fn read_only(self) -> bool {
        !Permission::ALL.into_iter().any(|p| p.changes_tenant() && self.allows(p))
    }

    /// Why `permission` is refused to this role, for a 403's detail.
    pub fn refusal(self, permission: Permission) -> String {
        let access = if self.read_only() { " (read-only access)" } else { "" };
        format!("the {} role may not {}{access}", self.as_str(), permission.describe())
    }
}

super::alert::string_enum!(
    /// What an API token may do, within its user's role: a `read` token never changes anything.
    TokenScope {
    Read => "read",
    Write => "write",
});

impl TokenScope {
    pub fn allows(self, permission: Permission) -> bool {
        self == TokenScope::Write || permission == Permission::Read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_and_permission() {
        use Permission::*;
        let table: [(Role, &[Permission]); 3] = [
            (Role::Admin, &[Read, TriageAlerts, EditTickets, ResendWebhooks, ManageOwnAccount, AdministerTenant]),
            (Role::Operator, &[Read, TriageAlerts, EditTickets, ResendWebhooks, ManageOwnAccount]),
            (Role::Auditor, &[Read, ManageOwnAccount]),
        ];
        for (role, allowed) in table {
            for permission in Permission::ALL {
                assert_eq!(role.allows(permission), allowed.contains(&permission), "{role:?} × {permission:?}");
            }
        }
    }

    #[test]
    fn auditors_are_read_only_and_told_so() {
        assert!(Role::Auditor.read_only());
        assert!(!Role::Operator.read_only() && !Role::Admin.read_only());
        assert_eq!(Role::ALL.map(|r| Role::parse(r.as_str())), Role::ALL.map(Some));
        assert_eq!(
            Role::Auditor.refusal(Permission::TriageAlerts),
            "the auditor role may not acknowledge, assign or resolve alerts (read-only access)"
        );
    }
}
