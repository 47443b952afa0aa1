//! One ticket: its editors, comments, links and history.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::PortalError;
use super::session::PortalUser;
use super::view::{Choice, Directory, HistoryRow, Layout, choices, html, label, when};
use crate::commands::{Command, TicketPatch};
use crate::db::DbConnection;
use crate::db::models::Ticket;
use crate::db::queries::audit::{self, AuditFilter};
use crate::db::queries::{alerts, tickets, users};
use crate::domain::ids::parse_id;
use crate::domain::role::Permission;
use crate::domain::ticket::{COMMENT_MAX, LinkRelation, LinkTarget, Priority, TITLE_MAX, TicketStatus};
use crate::domain::validation::FieldErrors;
use crate::web::state::AppState;

pub struct CommentRow {
    pub author: String,
    pub at: String,
    pub body: String,
}

pub struct LinkRow {
    pub id: String,
    pub relation: String,
    pub kind: String,
    pub label: String,
    pub href: String,
}

/// A refusal shown next to the form it concerns.
pub struct FormMessage {
    pub section: &'static str,
    pub text: String,
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct DetailPage {
    layout: Layout,
    ticket: Ticket,
    status_label: String,
    created: String,
    updated: String,
    creator: String,
    assignee: String,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    assignees: Vec<Choice>,
    relations: Vec<Choice>,
    comments: Vec<CommentRow>,
    links: Vec<LinkRow>,
    history: Vec<HistoryRow>,
    message: Option<FormMessage>,
}

impl DetailPage {
    fn message_for(&self, section: &str) -> Option<&str> {
        self.message.as_ref().filter(|m| m.section == section).map(|m| m.text.as_str())
    }
}

fn ticket_id(raw: &str) -> Result<String, PortalError> {
    parse_id(raw).ok_or_else(|| PortalError::NotFound("ticket".into()))
}

fn link_row(conn: &mut DbConnection, tenant_id: &str, link: crate::db::models::Link) -> diesel::QueryResult<LinkRow> {
    let (label, href) = if link.target_type == "alert" {
        let summary = alerts::by_id(conn, tenant_id, &link.target_id)?.map(|a| a.summary);
        (summary.unwrap_or_else(|| link.target_id.clone()), format!("/portal/alerts/{}", link.target_id))
    } else {
        let found = tickets::by_id(conn, tenant_id, &link.target_id)?.map(|t| format!("{} {}", t.key, t.title));
        (found.unwrap_or_else(|| link.target_id.clone()), format!("/portal/tickets/{}", link.target_id))
    };
    Ok(LinkRow { id: link.id, relation: link.relation.replace('_', " "), kind: link.target_type, label, href })
}

async fn render(
    state: &AppState,
    user: &PortalUser,
    id: String,
    message: Option<FormMessage>,
) -> Result<HttpResponse, PortalError> {
    let tenant_id = user.tenant.id.clone();
    let loaded = state
        .db
        .run(move |conn| {
            let Some(ticket) = tickets::by_id(conn, &tenant_id, &id)? else { return Ok(None) };
            let links = tickets::links(conn, &ticket.id)?
                .into_iter()
                .map(|l| link_row(conn, &tenant_id, l))
                .collect::<diesel::QueryResult<Vec<_>>>()?;
            let comments = tickets::comments(conn, &ticket.id, None, 1_000)?;
            let filter = AuditFilter { target_id: Some(ticket.id.clone()), ..AuditFilter::default() };
            let entries = audit::list(conn, &tenant_id, &filter, None, 200)?;
            Ok::<_, PortalError>(Some((ticket, links, comments, entries, users::list(conn, &tenant_id)?)))
        })
        .await?;
    let (ticket, links, comments, entries, people) = loaded.ok_or_else(|| PortalError::NotFound("ticket".into()))?;
    let people = Directory::new(people);
    let current = ticket.assignee_id.clone().unwrap_or_default();
    let mut assignees = vec![Choice { value: String::new(), label: "Unassigned".into(), selected: current.is_empty() }];
    assignees.extend(people.choices().into_iter().map(|(id, label)| Choice {
        selected: id == current,
        value: id,
        label,
    }));
    let status = if message.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = DetailPage {
        layout: Layout::new(user, "tickets", format!("{} {}", ticket.key, ticket.title)),
        status_label: label(&ticket.status),
        created: when(ticket.created_at),
        updated: when(ticket.updated_at),
        creator: people.name(&ticket.created_by),
        assignee: people.name_opt(ticket.assignee_id.as_deref()),
        statuses: choices(TicketStatus::ALL, &ticket.status),
        priorities: choices(Priority::ALL, &ticket.priority),
        relations: choices(&LinkRelation::ALL[1..], "relates_to"),
        assignees,
        comments: comments
            .into_iter()
            .map(|c| CommentRow { author: people.name(&c.author_id), at: when(c.created_at), body: c.body })
            .collect(),
        links,
        history: entries.into_iter().rev().map(|e| HistoryRow::new(e, &people)).collect(),
        ticket,
        message,
    };
    html(status, &page)
}

pub async fn show(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
) -> Result<HttpResponse, PortalError> {
    render(&state, &user, ticket_id(&path)?, None).await
}

/// Sends the command; on success redirects back with a notice, else re-renders with the reason.
async fn apply(
    state: &AppState,
    user: &PortalUser,
    id: String,
    section: &'static str,
    command: Command,
    done: &str,
) -> Result<HttpResponse, PortalError> {
    match user.send(state, command).await? {
        Ok(_) => {
            user.flash(true, done);
            Ok(HttpResponse::SeeOther().insert_header((LOCATION, format!("/portal/tickets/{id}"))).finish())
        }
        Err(text) => render(state, user, id, Some(FormMessage { section, text })).await,
    }
}

async fn refuse(
    state: &AppState,
    user: &PortalUser,
    id: String,
    section: &'static str,
    errors: FieldErrors,
) -> Result<HttpResponse, PortalError> {
    let text = super::error::refusal(errors.into())?;
    render(state, user, id, Some(FormMessage { section, text })).await
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    csrf: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    assignee_id: String,
    version: Option<i64>,
}

pub async fn edit(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::EditTickets)?;
    let id = ticket_id(&path)?;
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    errors.required_text("title", &form.title, TITLE_MAX);
    let status = TicketStatus::parse(&form.status);
    let priority = Priority::parse(&form.priority);
    if status.is_none() {
        errors.add("status", "choose a status from the list");
    }
    if priority.is_none() {
        errors.add("priority", "choose a priority from the list");
    }
    let assignee = match form.assignee_id.as_str() {
        "" => Some(None),
        raw => parse_id(raw).map(Some),
    };
    if assignee.is_none() {
        errors.add("assignee", "choose a user from the list");
    }
    if !errors.is_empty() {
        return refuse(&state, &user, id, "edit", errors).await;
    }
    let patch = TicketPatch {
        title: Some(form.title.trim().to_owned()),
        description: Some(form.description),
        status,
        priority,
        assignee_id: assignee,
    };
    let command = Command::UpdateTicket { ticket_id: id.clone(), patch, if_match: form.version };
    apply(&state, &user, id, "edit", command, "Ticket saved.").await
}

#[derive(Debug, Deserialize)]
pub struct CommentForm {
    csrf: Option<String>,
    #[serde(default)]
    body: String,
}

pub async fn comment(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::EditTickets)?;
    let id = ticket_id(&path)?;
    let mut errors = FieldErrors::default();
    errors.required_text("comment", &form.body, COMMENT_MAX);
    if !errors.is_empty() {
        return refuse(&state, &user, id, "comment", errors).await;
    }
    let command = Command::Comment { ticket_id: id.clone(), body: form.into_inner().body };
    apply(&state, &user, id, "comment", command, "Comment added.").await
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    csrf: Option<String>,
    /// An alert id, a ticket id, or a ticket key such as `ACME-42`.
    #[serde(default)]
    target: String,
    #[serde(default)]
    relation: String,
}

pub async fn link(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::EditTickets)?;
    let id = ticket_id(&path)?;
    let Some(relation) = LinkRelation::parse(&form.relation) else {
        return refuse(&state, &user, id, "link", FieldErrors::single("relation", "choose a relation from the list"))
            .await;
    };
    let (tenant_id, raw) = (user.tenant.id.clone(), form.target.trim().to_owned());
    let target = state
        .db
        .run(move |conn| {
            if let Some(target_id) = parse_id(&raw) {
                if alerts::by_id(conn, &tenant_id, &target_id)?.is_some() {
                    return Ok(Some((LinkTarget::Alert, target_id)));
                }
                return Ok(tickets::by_id(conn, &tenant_id, &target_id)?.map(|t| (LinkTarget::Ticket, t.id)));
            }
            Ok::<_, PortalError>(
                tickets::by_key(conn, &tenant_id, &raw.to_uppercase())?.map(|t| (LinkTarget::Ticket, t.id)),
            )
        })
        .await?;
    let Some((target_type, target_id)) = target else {
        let errors = FieldErrors::single("link target", "no alert or ticket with this id or key in your organisation");
        return refuse(&state, &user, id, "link", errors).await;
    };
    let command = Command::Link { ticket_id: id.clone(), target_type, target_id, relation };
    apply(&state, &user, id, "link", command, "Link added.").await
}

#[derive(Debug, Deserialize)]
pub struct UnlinkForm {
    csrf: Option<String>,
}

pub async fn unlink(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<(String, String)>,
    form: web::Form<UnlinkForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::EditTickets)?;
    let (raw_ticket, raw_link) = path.into_inner();
    let id = ticket_id(&raw_ticket)?;
    let link_id = parse_id(&raw_link).ok_or_else(|| PortalError::NotFound("link".into()))?;
    let command = Command::Unlink { ticket_id: id.clone(), link_id };
    apply(&state, &user, id, "link", command, "Link removed.").await
}
