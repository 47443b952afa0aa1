//! Tickets themselves: list, create, read, update. Comments and links: `ticket_relations`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Deserializer};
use utoipa::{IntoParams, ToSchema};

use super::{assignee_filter, author, id_of};
use crate::commands::{NewTicket, TicketPatch};
use crate::db::models::Ticket;
use crate::db::queries::tickets::{self, TicketFilter};
use crate::domain::ids::parse_id;
use crate::domain::role::Permission;
use crate::domain::ticket::{DESCRIPTION_MAX, Priority, TITLE_MAX, TicketStatus};
use crate::domain::validation::{FieldErrors, parse_enum};
use crate::views::TicketView;
use crate::web::auth::Caller;
use crate::web::body::{Mutation, MutationBody};
use crate::web::error::ApiError;
use crate::web::error::Problem;
use crate::web::pagination::{Page, PageRequest};
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tickets", web::get().to(list))
        .route("/tickets", web::post().to(create))
        .route("/tickets/{id}", web::get().to(get))
        .route("/tickets/{id}", web::patch().to(update));
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    status: Option<String>,
    priority: Option<String>,
    assignee: Option<String>,
    text: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/tickets",
    tag = "tickets",
    params(ListQuery),
    responses((status = 200, description = "Tickets, newest first", body = Page<TicketView>), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest { limit: query.limit, cursor: query.cursor };
    let (limit, before) = (page.limit()?, page.position()?);
    let mut errors = FieldErrors::default();
    let filter = TicketFilter {
        status: query
            .status
            .and_then(|s| parse_enum(&mut errors, "status", &s, TicketStatus::parse, TicketStatus::ALL)),
        priority: query.priority.and_then(|p| parse_enum(&mut errors, "priority", &p, Priority::parse, Priority::ALL)),
        assignee: assignee_filter(query.assignee.as_deref(), &caller, &mut errors),
        text: query.text.filter(|t| !t.trim().is_empty()),
    };
    errors.into_result(())?;
    let tenant_id = caller.tenant.id.clone();
    let rows = state
        .db
        .run(move |conn| {
            tickets::list(conn, &tenant_id, &filter, before.as_deref(), limit + 1).map_err(ApiError::from_query)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |t| t.id.clone(), |t| TicketView::new(t, None))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateBody {
    title: Option<String>,
    description: Option<String>,
    priority: Option<String>,
    status: Option<String>,
    assignee_id: Option<String>,
}

impl MutationBody for CreateBody {
    const PERMISSION: Permission = Permission::EditTickets;
}

#[utoipa::path(
    post,
    path = "/api/v1/tickets",
    tag = "tickets",
    request_body = CreateBody,
    responses((status = 201, body = TicketView), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"), (status = 400, description = "Malformed body or query", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn create(state: web::Data<AppState>, mutation: Mutation<CreateBody>) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let mut errors = FieldErrors::default();
    let title = body.title.unwrap_or_default();
    errors.required_text("title", &title, TITLE_MAX);
    let description = body.description.unwrap_or_default();
    errors.max_len("description", &description, DESCRIPTION_MAX);
    let priority = match body.priority {
        Some(p) => parse_enum(&mut errors, "priority", &p, Priority::parse, Priority::ALL),
        None => Some(Priority::Medium),
    };
    let status = match body.status {
        Some(s) => parse_enum(&mut errors, "status", &s, TicketStatus::parse, TicketStatus::ALL),
        None => Some(TicketStatus::Open),
    };
    let assignee_id = user_id_field(&mut errors, body.assignee_id);
    let (Some(priority), Some(status)) = (priority, status) else { return Err(errors.into()) };
    errors.into_result(())?;
    let draft = NewTicket { title: title.trim().to_owned(), description, priority, status, assignee_id };
    let change =
        state.tenants.create_ticket(&caller.tenant.id, author(&caller, Permission::EditTickets)?, draft).await?;
    respond(&state, change.ticket, true).await
}

fn user_id_field(errors: &mut FieldErrors, raw: Option<String>) -> Option<String> {
    let raw = raw?;
    let id = parse_id(&raw);
    if id.is_none() {
        errors.add("assignee_id", "must be a user id");
    }
    id
}

#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}",
    tag = "tickets",
    params(("id" = String, Path, description = "Ticket id")),
    responses((status = 200, description = "The ticket; ETag carries its version", body = TicketView), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn get(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let ticket = load(&state, &caller, id_of(&path, "ticket")?).await?;
    respond(&state, ticket, false).await
}

/// The ticket with its links, and its version as the ETag for `If-Match`.
pub(super) async fn respond(state: &AppState, ticket: Ticket, created: bool) -> Result<HttpResponse, ApiError> {
    let ticket_id = ticket.id.clone();
    let links = state.db.run(move |conn| tickets::links(conn, &ticket_id).map_err(ApiError::from_query)).await?;
    let view = TicketView::new(ticket, Some(links));
    let mut response = if created { HttpResponse::Created() } else { HttpResponse::Ok() };
    if created {
        response.insert_header(("Location", format!("/api/v1/tickets/{}", view.id)));
    }
    Ok(response.insert_header(("ETag", format!("\"{}\"", view.version))).json(view))
}

pub(super) async fn load(state: &AppState, caller: &Caller, id: String) -> Result<Ticket, ApiError> {
    let tenant_id = caller.tenant.id.clone();
    let found = state.db.run(move |conn| tickets::by_id(conn, &tenant_id, &id).map_err(ApiError::from_query)).await?;
    found.ok_or_else(|| ApiError::not_found("ticket"))
}

/// Distinguishes "field absent" (`None`) from "field set to null" (`Some(None)`).
fn nullable<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatchBody {
    title: Option<String>,
    description: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    assignee_id: Option<Option<String>>,
}

impl MutationBody for PatchBody {
    const PERMISSION: Permission = Permission::EditTickets;
}

#[utoipa::path(
    patch,
    path = "/api/v1/tickets/{id}",
    tag = "tickets",
    request_body = PatchBody,
    params(("id" = String, Path, description = "Ticket id"), ("If-Match" = Option<String>, Header, description = "The ETag last seen, e.g. \"3\"")),
    responses((status = 200, body = TicketView), (status = 412, description = "The ticket changed since that version", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    mutation: Mutation<PatchBody>,
) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let ticket_id = id_of(&path, "ticket")?;
    let if_match = if_match(&req)?;
    let mut errors = FieldErrors::default();
    if let Some(title) = &body.title {
        errors.required_text("title", title, TITLE_MAX);
    }
    if let Some(description) = &body.description {
        errors.max_len("description", description, DESCRIPTION_MAX);
    }
    let patch = TicketPatch {
        title: body.title.map(|t| t.trim().to_owned()),
        description: body.description,
        status: body.status.and_then(|s| parse_enum(&mut errors, "status", &s, TicketStatus::parse, TicketStatus::ALL)),
        priority: body.priority.and_then(|p| parse_enum(&mut errors, "priority", &p, Priority::parse, Priority::ALL)),
        assignee_id: body.assignee_id.map(|a| user_id_field(&mut errors, a)),
    };
    errors.into_result(())?;
    let change = state
        .tenants
        .update_ticket(&caller.tenant.id, author(&caller, Permission::EditTickets)?, ticket_id, patch, if_match)
        .await?;
    respond(&state, change.ticket, false).await
}

/// `If-Match: "<version>"`; `*` or no header means "whatever the current version is".
fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(actix_web::http::header::IF_MATCH) else { return Ok(None) };
    let raw = value.to_str().unwrap_or_default().trim();
    if raw == "*" {
        return Ok(None);
    }
    raw.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError::BadRequest("If-Match must be the ticket's ETag, e.g. \"3\"".into()))
}
