//! The alert state machine: triggered → acknowledged → resolved (resolve also from triggered).

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [&'static str] = &[$($text),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                match raw { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(AlertStatus {
    Triggered => "triggered",
    Acknowledged => "acknowledged",
    Resolved => "resolved",
});

string_enum!(Severity {
    Critical => "critical",
    High => "high",
    Medium => "medium",
    Low => "low",
    Info => "info",
});

/// What a triage request does to an alert in a given state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// Apply the change.
    Apply,
    /// Already in effect: answer 200, change nothing, write no audit entry.
    NoOp,
    /// Impossible from here: answer 409 with this reason.
    Conflict(&'static str),
}

/// What an operator does to an alert, one at a time or in bulk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriageAction {
    Acknowledge,
    /// Back to triggered: someone acknowledged it by mistake, or stopped working on it.
    Unacknowledge,
    /// To this user: operators may assign alerts only to themselves.
    Assign(String),
    Unassign,
    Resolve,
}

impl TriageAction {
    /// The name commands, logs and the bulk API use.
    pub fn name(&self) -> &'static str {
        match self {
            TriageAction::Acknowledge => "acknowledge",
            TriageAction::Unacknowledge => "unacknowledge",
            TriageAction::Assign(_) => "assign",
            TriageAction::Unassign => "unassign",
            TriageAction::Resolve => "resolve",
        }
    }

    /// What this action does to an alert in `status` assigned to `assignee`.
    pub fn transition(&self, status: AlertStatus, assignee: Option<&str>) -> Transition {
        match self {
            TriageAction::Acknowledge => acknowledge(status),
            TriageAction::Unacknowledge => unacknowledge(status),
            TriageAction::Assign(new) => assign(status, assignee, new),
            TriageAction::Unassign => unassign(status, assignee),
            TriageAction::Resolve => resolve(status),
        }
    }
}

pub fn acknowledge(status: AlertStatus) -> Transition {
    match status {
        AlertStatus::Triggered => Transition::Apply,
        AlertStatus::Acknowledged => Transition::NoOp,
        AlertStatus::Resolved => Transition::Conflict("a resolved alert cannot be acknowledged"),
    }
}

pub fn unacknowledge(status: AlertStatus) -> Transition {
    match status {
        AlertStatus::Acknowledged => Transition::Apply,
        AlertStatus::Triggered => Transition::NoOp,
        AlertStatus::Resolved => Transition::Conflict("a resolved alert cannot be unacknowledged"),
    }
}

pub fn resolve(status: AlertStatus) -> Transition {
    match status {
        AlertStatus::Triggered | AlertStatus::Acknowledged => Transition::Apply,
        AlertStatus::Resolved => Transition::NoOp,
    }
}

pub fn assign(status: AlertStatus, current: Option<&str>, new: &str) -> Transition {
    if current == Some(new) {
        return Transition::NoOp;
    }
    match status {
        AlertStatus::Resolved => Transition::Conflict("a resolved alert cannot be reassigned"),
        _ => Transition::Apply,
    }
}

pub fn unassign(status: AlertStatus, current: Option<&str>) -> Transition {
    match (status, current) {
        (_, None) => Transition::NoOp,
        (AlertStatus::Resolved, Some(_)) => Transition::Conflict("a resolved alert cannot be unassigned"),
        _ => Transition::Apply,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AlertStatus::*;

    #[test]
    fn acknowledge_rules() {
        assert_eq!(acknowledge(Triggered), Transition::Apply);
        assert_eq!(acknowledge(Acknowledged), Transition::NoOp);
        assert!(matches!(acknowledge(Resolved), Transition::Conflict(_)));
    }

    #[test]
    fn resolve_rules() {
        assert_eq!(resolve(Triggered), Transition::Apply);
        assert_eq!(resolve(Acknowledged), Transition::Apply);
        assert_eq!(resolve(Resolved), Transition::NoOp);
    }

    #[test]
    fn unacknowledge_rules() {
        assert_eq!(unacknowledge(Acknowledged), Transition::Apply);
        assert_eq!(unacknowledge(Triggered), Transition::NoOp);
        assert!(matches!(unacknowledge(Resolved), Transition::Conflict(_)));
    }

    #[test]
    fn unassign_rules() {
        assert_eq!(unassign(Triggered, Some("u1")), Transition::Apply);
        assert_eq!(unassign(Acknowledged, None), Transition::NoOp);
        assert_eq!(unassign(Resolved, None), Transition::NoOp);
        assert!(matches!(unassign(Resolved, Some("u1")), Transition::Conflict(_)));
    }

    #[test]
    fn assign_rules() {
        assert_eq!(assign(Triggered, None, "u1"), Transition::Apply);
        assert_eq!(assign(Acknowledged, Some("u2"), "u1"), Transition::Apply);
        assert_eq!(assign(Acknowledged, Some("u1"), "u1"), Transition::NoOp);
        assert!(matches!(assign(Resolved, None, "u1"), Transition::Conflict(_)));
    }

    #[test]
    fn names_round_trip() {
        for name in Severity::ALL {
            assert_eq!(Severity::parse(name).map(|s| s.as_str()), Some(*name));
        }
        assert_eq!(AlertStatus::parse("open"), None);
    }
}
