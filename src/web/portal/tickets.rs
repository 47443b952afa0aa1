//! Tickets: the list and the new-ticket form.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::alerts::Tab;
use super::error::{PortalError, refusal};
use super::session::PortalUser;
use super::view::{Choice, Directory, Layout, Pager, assignee_view, choices, html, label, query_string, when};
use crate::commands::{NewTicket, TicketChange};
use crate::db::queries::tickets::{self, TicketFilter};
use crate::db::queries::users;
use crate::domain::ids::parse_id;
use crate::domain::role::Permission;
use crate::domain::ticket::{DESCRIPTION_MAX, Priority, TITLE_MAX, TicketStatus};
use crate::domain::validation::FieldErrors;
use crate::web::pagination::take_page;
use crate::web::state::AppState;

const PAGE: i64 = 50;

pub struct TicketRow {
    pub id: String,
    pub key: String,
    pub title: String,
    pub status: String,
    pub status_label: String,
    pub priority: String,
    pub assignee: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct ListPage {
    layout: Layout,
    views: Vec<Tab>,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    view: String,
    text: String,
    rows: Vec<TicketRow>,
    pager: Pager,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    priority: String,
    /// `mine`, `unassigned`, or empty.
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
    let filter = TicketFilter {
        status: TicketStatus::parse(&q.status),
        priority: Priority::parse(&q.priority),
        assignee: assignee_view(&q.view, &user),
        text: Some(q.q.trim().to_owned()).filter(|t| !t.is_empty()),
    };
    let status = filter.status.map(|s| s.as_str().to_owned()).unwrap_or_default();
    let priority = filter.priority.map(|p| p.as_str().to_owned()).unwrap_or_default();
    let tenant_id = user.tenant.id.clone();
    let before = parse_id(&q.cursor);
    let (rows, people) = state
        .db
        .run(move |conn| {
            let rows = tickets::list(conn, &tenant_id, &filter, before.as_deref(), PAGE + 1)?;
            Ok::<_, PortalError>((rows, users::list(conn, &tenant_id)?))
        })
        .await?;
    let people = Directory::new(people);
    let (rows, next) = take_page(rows, PAGE, |t| t.id.clone());
    let rows: Vec<TicketRow> = rows
        .into_iter()
        .map(|t| TicketRow {
            assignee: t.assignee_id.as_deref().map_or_else(|| "—".to_owned(), |id| people.name(id)),
            id: t.id,
            key: t.key,
            title: t.title,
            status_label: label(&t.status),
            status: t.status,
            priority: t.priority,
            updated: when(t.updated_at),
        })
        .collect();
    let link = |view: &str, cursor: &str| {
        format!(
            "/portal/tickets{}",
            query_string(&[
                ("status", &status),
                ("priority", &priority),
                ("view", view),
                ("q", &q.q),
                ("cursor", cursor)
            ])
        )
    };
    let views = [("", "Everyone's"), ("mine", "Mine"), ("unassigned", "Unassigned")]
        .into_iter()
        .map(|(v, label)| Tab {
            key: v.into(),
            label: label.into(),
            href: link(v, ""),
            count: None,
            current: q.view == v,
        })
        .collect();
    let next = next.map(|id| link(&q.view, &id));
    let page = ListPage {
        layout: Layout::new(&user, "tickets", "Tickets"),
        views,
        statuses: choices(TicketStatus::ALL, &status),
        priorities: choices(Priority::ALL, &priority),
        view: q.view,
        text: q.q,
        rows,
        pager: Pager { label: "Older tickets", next },
    };
    html(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "ticket_new.html")]
struct NewPage {
    layout: Layout,
    title: String,
    description: String,
    priorities: Vec<Choice>,
    assignees: Vec<Choice>,
    message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    csrf: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    assignee_id: String,
}

async fn new_page(
    state: &AppState,
    user: &PortalUser,
    form: NewForm,
    message: Option<String>,
) -> Result<HttpResponse, PortalError> {
    let tenant_id = user.tenant.id.clone();
    let people =
        Directory::new(state.db.run(move |conn| users::list(conn, &tenant_id).map_err(PortalError::from)).await?);
    let mut assignees =
        vec![Choice { value: String::new(), label: "Unassigned".into(), selected: form.assignee_id.is_empty() }];
    assignees.extend(people.choices().into_iter().map(|(id, label)| Choice {
        selected: id == form.assignee_id,
        value: id,
        label,
    }));
    let priority = if form.priority.is_empty() { "medium" } else { form.priority.as_str() };
    let status = if message.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = NewPage {
        layout: Layout::new(user, "tickets", "New ticket"),
        priorities: choices(Priority::ALL, priority),
        title: form.title,
        description: form.description,
        assignees,
        message,
    };
    html(status, &page)
}

pub async fn new_form(state: web::Data<AppState>, user: PortalUser) -> Result<HttpResponse, PortalError> {
    user.require(Permission::EditTickets)?;
    new_page(&state, &user, NewForm::default(), None).await
}

pub async fn create(
    state: web::Data<AppState>,
    user: PortalUser,
    form: web::Form<NewForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::EditTickets)?;
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    errors.required_text("title", &form.title, TITLE_MAX);
    errors.max_len("description", &form.description, DESCRIPTION_MAX);
    let priority = Priority::parse(&form.priority);
    if priority.is_none() {
        errors.add("priority", "choose one of critical, high, medium, low");
    }
    let assignee_id = match form.assignee_id.as_str() {
        "" => None,
        raw => {
            let id = parse_id(raw);
            if id.is_none() {
                errors.add("assignee", "choose a user from the list");
            }
            id
        }
    };
    let (Some(priority), true) = (priority, errors.is_empty()) else {
        let message = super::error::refusal(errors.into())?;
        return new_page(&state, &user, form, Some(message)).await;
    };
    let draft = NewTicket {
        title: form.title.trim().to_owned(),
        description: form.description.clone(),
        priority,
        status: TicketStatus::Open,
        assignee_id,
    };
    match state.tenants.create_ticket(&user.tenant.id, user.context(), draft).await {
        Ok(TicketChange { ticket, .. }) => {
            user.flash(true, format!("Ticket {} created.", ticket.key));
            Ok(HttpResponse::SeeOther().insert_header((LOCATION, format!("/portal/tickets/{}", ticket.id))).finish())
        }
        Err(error) => new_page(&state, &user, form, Some(refusal(error)?)).await,
    }
}
