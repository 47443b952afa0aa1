//! Alerts: the triage list and one alert's page with its actions and history.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::PortalError;
use super::session::PortalUser;
use super::view::{Choice, Directory, HistoryRow, Layout, Pager, assignee_view, choices, html, query_string, when};
use crate::commands::{Command, Outcome};
use crate::db::models::Alert;
use crate::db::queries::alerts::{self, AlertFilter, AlertSort, Position, StatusFilter};
use crate::db::queries::audit::{self, AuditFilter};
use crate::db::queries::{tickets, users};
use crate::domain::alert::{AlertStatus, Severity, TriageAction};
use crate::domain::ids::parse_id;
use crate::domain::role::Permission;
use crate::web::pagination::take_page;
use crate::web::state::AppState;

const PAGE: i64 = 50;

pub struct AlertRow {
    pub id: String,
    pub severity: String,
    pub status: String,
    pub summary: String,
    pub integration: String,
    pub resource: String,
    pub assignee: String,
    pub event_count: i64,
    pub last_seen: String,
}

impl AlertRow {
    fn new(alert: Alert, integration: String, users: &Directory) -> Self {
        Self {
            assignee: alert.assignee_id.as_deref().map_or_else(|| "—".to_owned(), |id| users.name(id)),
            id: alert.id,
            severity: alert.severity,
            status: alert.status,
            summary: alert.summary,
            integration,
            resource: alert.resource.unwrap_or_default(),
            event_count: alert.event_count,
            last_seen: when(alert.last_seen_at),
        }
    }
}

pub struct Tab {
    pub label: String,
    pub href: String,
    /// Shown for the open statuses only (see `alerts::count_open_by_status`).
    pub count: Option<i64>,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct ListPage {
    layout: Layout,
    tabs: Vec<Tab>,
    views: Vec<Tab>,
    severities: Vec<Choice>,
    status: String,
    view: String,
    text: String,
    rows: Vec<AlertRow>,
    pager: Pager,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    severity: String,
    /// `mine`, `unassigned` or empty for everyone's.
    #[serde(default)]
    view: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    cursor: String,
}

pub async fn list(
    state: web::Data<AppState>,
    user: PortalUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PortalError> {
    let q = query.into_inner();
    let (status, severity) = (AlertStatus::parse(&q.status), Severity::parse(&q.severity));
    let filter = AlertFilter {
        status: status.map(StatusFilter::Is),
        severity,
        assignee: assignee_view(&q.view, &user),
        text: Some(q.q.trim().to_owned()).filter(|t| !t.is_empty()),
    };
    let tenant_id = user.tenant.id.clone();
    let before = parse_id(&q.cursor).map(Position::Id);
    let (rows, counts, people) = state
        .db
        .run(move |conn| {
            let rows = alerts::list(conn, &tenant_id, &filter, AlertSort::Newest, before.as_ref(), PAGE + 1)?;
            let counts = alerts::count_open_by_status(conn, &tenant_id)?;
            Ok::<_, PortalError>((rows, counts, users::list(conn, &tenant_id)?))
        })
        .await?;
    let people = Directory::new(people);
    let (rows, next) = take_page(rows, PAGE, |(a, _)| a.id.clone());
    let rows: Vec<AlertRow> = rows.into_iter().map(|(a, name)| AlertRow::new(a, name, &people)).collect();
    let status = status.map(|s| s.as_str().to_owned()).unwrap_or_default();
    let severity = severity.map(|s| s.as_str().to_owned()).unwrap_or_default();
    let link = |status: &str, view: &str, cursor: &str| {
        format!(
            "/portal/alerts{}",
            query_string(&[
                ("status", status),
                ("severity", &severity),
                ("view", view),
                ("q", &q.q),
                ("cursor", cursor)
            ])
        )
    };
    let mut tabs =
        vec![Tab { label: "All".into(), href: link("", &q.view, ""), count: None, current: status.is_empty() }];
    for s in AlertStatus::ALL {
        let counted = alerts::OPEN_STATUSES.contains(s);
        let count = counted.then(|| counts.iter().find(|(name, _)| name == s).map_or(0, |(_, n)| *n));
        tabs.push(Tab { label: super::error::capitalize(s), href: link(s, &q.view, ""), count, current: status == *s });
    }
    let views = [("", "Everyone's"), ("mine", "Mine"), ("unassigned", "Unassigned")]
        .into_iter()
        .map(|(v, label)| Tab { label: label.into(), href: link(&status, v, ""), count: None, current: q.view == v })
        .collect();
    let next = next.map(|id| link(&status, &q.view, &id));
    let page = ListPage {
        layout: Layout::new(&user, "alerts", "Alerts"),
        tabs,
        views,
        severities: choices(Severity::ALL, &severity),
        status,
        view: q.view,
        text: q.q,
        rows,
        pager: Pager { label: "Older alerts", next },
    };
    html(StatusCode::OK, &page)
}

pub struct Detail {
    pub row: AlertRow,
    pub dedup_key: String,
    pub first_seen: String,
    pub acknowledged: String,
    pub resolved: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "alert.html")]
struct DetailPage {
    layout: Layout,
    alert: Detail,
    ticket: Option<(String, String)>,
    can_acknowledge: bool,
    can_assign: bool,
    can_resolve: bool,
    can_ticket: bool,
    history: Vec<HistoryRow>,
}

pub async fn show(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
) -> Result<HttpResponse, PortalError> {
    let id = parse_id(&path).ok_or_else(|| PortalError::NotFound("alert".into()))?;
    let tenant_id = user.tenant.id.clone();
    let (found, ticket, entries, people) = state
        .db
        .run(move |conn| {
            let found = alerts::with_source(conn, &tenant_id, &id)?;
            let ticket = match found.as_ref().and_then(|(a, _)| a.ticket_id.clone()) {
                Some(ticket_id) => tickets::by_id(conn, &tenant_id, &ticket_id)?,
                None => None,
            };
            let filter = AuditFilter { target_id: Some(id.clone()), ..AuditFilter::default() };
            let entries = audit::list(conn, &tenant_id, &filter, None, 200)?;
            Ok::<_, PortalError>((found, ticket, entries, users::list(conn, &tenant_id)?))
        })
        .await?;
    let (alert, integration) = found.ok_or_else(|| PortalError::NotFound("alert".into()))?;
    let people = Directory::new(people);
    let status = AlertStatus::parse(&alert.status);
    let (triage, edit) = (user.may(Permission::TriageAlerts), user.may(Permission::EditTickets));
    let open = status != Some(AlertStatus::Resolved);
    let details = serde_json::from_str::<serde_json::Value>(&alert.details)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| alert.details.clone());
    let page = DetailPage {
        layout: Layout::new(&user, "alerts", alert.summary.clone()),
        can_acknowledge: triage && status == Some(AlertStatus::Triggered),
        can_assign: triage && open && alert.assignee_id.as_deref() != Some(user.user.id.as_str()),
        can_resolve: triage && open,
        can_ticket: edit && alert.ticket_id.is_none(),
        ticket: ticket.map(|t| (t.id, t.key)),
        history: entries.into_iter().rev().map(|e| HistoryRow::new(e, &people)).collect(),
        alert: Detail {
            dedup_key: alert.dedup_key.clone(),
            first_seen: when(alert.first_seen_at),
            acknowledged: alert.acknowledged_at.map(when).unwrap_or_default(),
            resolved: alert.resolved_at.map(when).unwrap_or_default(),
            details,
            row: AlertRow::new(alert, integration, &people),
        },
    };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: Option<String>,
}

/// Acknowledge, assign to me, resolve, or create (or find) the alert's ticket.
pub async fn act(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<(String, String)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PortalError> {
    let (raw_id, action) = path.into_inner();
    let permission = if action == "ticket" { Permission::EditTickets } else { Permission::TriageAlerts };
    user.authorize(form.csrf.as_deref(), permission)?;
    let alert_id = parse_id(&raw_id).ok_or_else(|| PortalError::NotFound("alert".into()))?;
    let back = format!("/portal/alerts/{alert_id}");
    let (command, done) = match action.as_str() {
        "acknowledge" => (Command::Triage { alert_id, action: TriageAction::Acknowledge }, "Alert acknowledged."),
        "unacknowledge" => {
            (Command::Triage { alert_id, action: TriageAction::Unacknowledge }, "Alert back to triggered.")
        }
        "assign" => {
            let action = TriageAction::Assign(user.user.id.clone());
            (Command::Triage { alert_id, action }, "Alert assigned to you.")
        }
        "unassign" => (Command::Triage { alert_id, action: TriageAction::Unassign }, "Alert unassigned."),
        "resolve" => (Command::Triage { alert_id, action: TriageAction::Resolve }, "Alert resolved."),
        "ticket" => (Command::TicketFromAlert { alert_id, title: None, priority: None }, ""),
        _ => return Err(PortalError::NotFound("action".into())),
    };
    let location = match user.send(&state, command).await? {
        Ok(Outcome::Ticket { ticket, created }) => {
            let key = &ticket.key;
            user.flash(
                true,
                if created {
                    format!("Ticket {key} created from the alert.")
                } else {
                    format!("The alert already has ticket {key}.")
                },
            );
            format!("/portal/tickets/{}", ticket.id)
        }
        Ok(_) => {
            user.flash(true, done);
            back
        }
        Err(message) => {
            user.flash(false, message);
            back
        }
    };
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, location)).finish())
}
