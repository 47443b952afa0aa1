//! What every page shares: the layout data, rendering, and small formatting helpers.

use std::collections::HashMap;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::CACHE_CONTROL;
use askama::Template;
use chrono::NaiveDateTime;
use serde_json::Value;

use super::error::PortalError;
use super::session::{Flash, PortalUser};
use crate::db::models::{AuditEntry, User};
use crate::db::queries::AssigneeFilter;
use crate::domain::role::Permission;

/// The header, navigation and notices around every signed-in page.
pub struct Layout {
    pub title: String,
    pub nav: &'static str,
    pub display_name: String,
    pub username: String,
    pub role: &'static str,
    pub tenant: String,
    pub csrf: String,
    /// Reads everything and changes nothing: said once at the top of every page.
    pub read_only: bool,
    pub can_edit_tickets: bool,
    pub can_resend_webhooks: bool,
    /// Sees the Administration pages (and their link).
    pub can_administer: bool,
    pub flash: Option<Flash>,
}

impl Layout {
    pub fn new(user: &PortalUser, nav: &'static str, title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            nav,
            display_name: user.user.display_name.clone(),
            username: user.user.username.clone(),
            role: user.role.as_str(),
            tenant: user.tenant.name.clone(),
            csrf: user.csrf.clone(),
            read_only: user.role.read_only(),
            can_edit_tickets: user.may(Permission::EditTickets),
            can_resend_webhooks: user.may(Permission::ResendWebhooks),
            can_administer: user.may(Permission::AdministerTenant),
            flash: user.take_flash(),
        }
    }
}

pub fn html(status: StatusCode, page: &impl Template) -> Result<HttpResponse, PortalError> {
    let body = page.render()?;
    Ok(HttpResponse::build(status)
        .insert_header((CACHE_CONTROL, "no-store"))
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// `in_progress` reads as `in progress`.
pub fn label(value: &str) -> String {
    value.replace('_', " ")
}

pub fn when(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The tenant's users by id, to show names instead of ids.
pub struct Directory(HashMap<String, User>);

impl Directory {
    pub fn new(users: Vec<User>) -> Self {
        Self(users.into_iter().map(|u| (u.id.clone(), u)).collect())
    }

    pub fn name(&self, id: &str) -> String {
        self.0.get(id).map_or_else(|| id.to_owned(), |u| format!("{} ({})", u.display_name, u.username))
    }

    pub fn name_opt(&self, id: Option<&str>) -> String {
        id.map_or_else(|| "Unassigned".to_owned(), |id| self.name(id))
    }

    /// `(id, label)` pairs for a picker, in username order.
    pub fn choices(&self) -> Vec<(String, String)> {
        let mut users: Vec<&User> = self.0.values().collect();
        users.sort_by(|a, b| a.username.cmp(&b.username));
        users.into_iter().map(|u| (u.id.clone(), format!("{} ({})", u.display_name, u.username))).collect()
    }
}

/// One audit entry as a history or audit-table row.
pub struct HistoryRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub target_href: Option<String>,
    pub changes: Vec<String>,
    pub channel: String,
}

impl HistoryRow {
    pub fn new(entry: AuditEntry, users: &Directory) -> Self {
        let changes =
            serde_json::from_str::<Value>(&entry.changes).map(|c| describe_changes(&c, users)).unwrap_or_default();
        let target_href = match entry.target_type.as_str() {
            "alert" => Some(format!("/portal/alerts/{}", entry.target_id)),
            "ticket" => Some(format!("/portal/tickets/{}", entry.target_id)),
            _ => None,
        };
        Self {
            seq: entry.seq,
            at: when(entry.at),
            actor: entry.actor_name,
            role: entry.actor_role.unwrap_or_else(|| entry.actor_type.clone()),
            action: entry.action,
            target_type: entry.target_type,
            target_id: entry.target_id,
            target_href,
            changes,
            channel: entry.channel,
        }
    }
}

/// `{"status": {"old": "open", "new": "closed"}}` reads as `status: open → closed`.
fn describe_changes(changes: &Value, users: &Directory) -> Vec<String> {
    let Some(fields) = changes.as_object() else { return Vec::new() };
    let show = |v: &Value| match v {
        Value::Null => "—".to_owned(),
        Value::String(s) if s.len() > 80 => format!("{}…", s.chars().take(80).collect::<String>()),
        Value::String(s) => {
            if users.0.contains_key(s) {
                users.name(s)
            } else {
                s.clone()
            }
        }
        other => other.to_string(),
    };
    fields
        .iter()
        .map(|(field, value)| match value.as_object() {
            Some(pair) if pair.contains_key("old") || pair.contains_key("new") => format!(
                "{field}: {} → {}",
                show(pair.get("old").unwrap_or(&Value::Null)),
                show(pair.get("new").unwrap_or(&Value::Null))
            ),
            _ => format!("{field}: {}", show(value)),
        })
        .collect()
}

/// The list tab `view=mine|unassigned` as a filter; anything else shows everyone's.
pub fn assignee_view(view: &str, user: &PortalUser) -> Option<AssigneeFilter> {
    match view {
        "mine" => Some(AssigneeFilter::User(user.user.id.clone())),
        "unassigned" => Some(AssigneeFilter::Unassigned),
        _ => None,
    }
}

/// A query string from the non-empty pairs, e.g. `?status=open&cursor=…`.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode(v))).collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The link under a list to its next (older) page, if there is one: `templates/partials/pager.html`.
pub struct Pager {
    /// What the link says, before the arrow: `Older alerts`.
    pub label: &'static str,
    pub next: Option<String>,
}

/// A select option: value, label, and whether it is the current choice.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn choices(all: &[&str], current: &str) -> Vec<Choice> {
    all.iter().map(|v| Choice { value: (*v).to_owned(), label: v.replace('_', " "), selected: *v == current }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_skip_empty_values_and_encode() {
        assert_eq!(query_string(&[("a", "x y&z"), ("b", "")]), "?a=x%20y%26z");
        assert_eq!(query_string(&[("b", "")]), "");
    }

    #[derive(Template)]
    #[template(source = "{% include \"partials/pager.html\" %}", ext = "html")]
    struct PagerOnly {
        pager: Pager,
    }

    #[test]
    fn the_pager_links_the_next_page_or_says_nothing() {
        let next = PagerOnly { pager: Pager { label: "Older alerts", next: Some("/portal/alerts?cursor=a1".into()) } };
        assert_eq!(
            next.render().ok().as_deref(),
            Some(r#"<p class="pager"><a href="/portal/alerts?cursor=a1" rel="next">Older alerts →</a></p>"#)
        );
        let last = PagerOnly { pager: Pager { label: "Older alerts", next: None } };
        assert_eq!(last.render().ok().as_deref(), Some(""));
    }

    #[test]
    fn changes_read_as_old_to_new() {
        let users = Directory::new(Vec::new());
        let lines = describe_changes(&serde_json::json!({"status": {"old": "open", "new": "closed"}, "n": 1}), &users);
        assert_eq!(lines, ["n: 1", "status: open → closed"]);
    }
}
