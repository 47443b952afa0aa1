//! One alert's page and the buttons on it: acknowledge, assign to me, resolve, take either
//! back, and the alert's ticket.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::alerts::AlertRow;
use super::error::PortalError;
use super::session::PortalUser;
use super::view::{Directory, HistoryRow, Layout, html, when};
use crate::commands::{Command, Outcome};
use crate::db::queries::audit::{self, AuditFilter};
use crate::db::queries::{alerts, tickets, users};
use crate::domain::alert::{AlertStatus, TriageAction};
use crate::domain::ids::parse_id;
use crate::domain::role::Permission;
use crate::web::state::AppState;

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
    can_unacknowledge: bool,
    can_assign: bool,
    can_unassign: bool,
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
        can_unacknowledge: triage && status == Some(AlertStatus::Acknowledged),
        can_assign: triage && open && alert.assignee_id.as_deref() != Some(user.user.id.as_str()),
        can_unassign: triage && open && alert.assignee_id.is_some(),
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
