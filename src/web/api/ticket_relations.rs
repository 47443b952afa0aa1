//! A ticket's comments and links.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::tickets::load;
use super::{author, id_of};
use crate::db::queries::tickets;
use crate::domain::ids::parse_id;
use crate::domain::role::Permission;
use crate::domain::ticket::{COMMENT_MAX, LinkRelation, LinkTarget};
use crate::domain::validation::{FieldErrors, parse_enum};
use crate::views::{CommentView, LinkView};
use crate::web::auth::Caller;
use crate::web::body::{Mutation, MutationBody};
use crate::web::error::ApiError;
use crate::web::error::Problem;
use crate::web::pagination::{Page, PageRequest};
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tickets/{id}/comments", web::get().to(comments))
        .route("/tickets/{id}/comments", web::post().to(add_comment))
        .route("/tickets/{id}/links", web::get().to(links))
        .route("/tickets/{id}/links", web::post().to(add_link))
        .route("/tickets/{id}/links/{link_id}", web::delete().to(remove_link));
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CommentQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/comments",
    tag = "tickets",
    params(("id" = String, Path, description = "Ticket id"), CommentQuery),
    responses((status = 200, description = "Comments, oldest first", body = Page<CommentView>), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn comments(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<CommentQuery>,
) -> Result<HttpResponse, ApiError> {
    let ticket = load(&state, &caller, id_of(&path, "ticket")?).await?;
    let query = query.into_inner();
    let page = PageRequest { limit: query.limit, cursor: query.cursor };
    let (limit, after) = (page.limit()?, page.position()?);
    let rows = state
        .db
        .run(move |conn| tickets::comments(conn, &ticket.id, after.as_deref(), limit + 1).map_err(ApiError::from_query))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |c| c.id.clone(), CommentView::from)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommentBody {
    body: Option<String>,
}

impl MutationBody for CommentBody {
    const PERMISSION: Permission = Permission::EditTickets;
}

#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/comments",
    tag = "tickets",
    request_body = CommentBody,
    params(("id" = String, Path, description = "Ticket id")),
    responses((status = 201, body = CommentView), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn add_comment(
    state: web::Data<AppState>,
    path: web::Path<String>,
    mutation: Mutation<CommentBody>,
) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let ticket_id = id_of(&path, "ticket")?;
    let text = body.body.unwrap_or_default();
    let mut errors = FieldErrors::default();
    errors.required_text("body", &text, COMMENT_MAX);
    errors.into_result(())?;
    let comment =
        state.tenants.comment(&caller.tenant.id, author(&caller, Permission::EditTickets)?, ticket_id, text).await?;
    Ok(HttpResponse::Created().json(CommentView::from(comment)))
}

#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}/links",
    tag = "tickets",
    params(("id" = String, Path, description = "Ticket id")),
    responses((status = 200, body = Page<LinkView>), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn links(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let ticket = load(&state, &caller, id_of(&path, "ticket")?).await?;
    let rows = state.db.run(move |conn| tickets::links(conn, &ticket.id).map_err(ApiError::from_query)).await?;
    Ok(HttpResponse::Ok().json(Page::<LinkView>::whole(rows)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LinkBody {
    target_type: Option<String>,
    target_id: Option<String>,
    relation: Option<String>,
}

impl MutationBody for LinkBody {
    const PERMISSION: Permission = Permission::EditTickets;
}

#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/links",
    tag = "tickets",
    request_body = LinkBody,
    params(("id" = String, Path, description = "Ticket id")),
    responses((status = 201, body = LinkView), (status = 200, description = "The same link already exists", body = LinkView), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn add_link(
    state: web::Data<AppState>,
    path: web::Path<String>,
    mutation: Mutation<LinkBody>,
) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let ticket_id = id_of(&path, "ticket")?;
    let mut errors = FieldErrors::default();
    let target_type = match body.target_type {
        Some(t) => parse_enum(&mut errors, "target_type", &t, LinkTarget::parse, LinkTarget::ALL),
        None => {
            errors.add("target_type", "is required");
            None
        }
    };
    let target_id = match body.target_id.as_deref().map(parse_id) {
        Some(Some(id)) => Some(id),
        Some(None) => {
            errors.add("target_id", "must be an alert or ticket id");
            None
        }
        None => {
            errors.add("target_id", "is required");
            None
        }
    };
    let relation = match body.relation {
        Some(r) => parse_enum(&mut errors, "relation", &r, LinkRelation::parse, LinkRelation::ALL),
        None => Some(LinkRelation::RelatesTo),
    };
    let (Some(target_type), Some(target_id), Some(relation)) = (target_type, target_id, relation) else {
        return Err(errors.into());
    };
    let change = state
        .tenants
        .link(
            &caller.tenant.id,
            author(&caller, Permission::EditTickets)?,
            ticket_id,
            (target_type, target_id),
            relation,
        )
        .await?;
    let mut response = if change.created { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.json(LinkView::from(change.link)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/tickets/{id}/links/{link_id}",
    tag = "tickets",
    params(("id" = String, Path, description = "Ticket id"), ("link_id" = String, Path, description = "Link id")),
    responses((status = 204, description = "Removed"), (status = 403, description = "Auditors are read-only", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such id in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn remove_link(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (ticket, link) = path.into_inner();
    let ticket_id = id_of(&ticket, "ticket")?;
    let link_id = id_of(&link, "link")?;
    state.tenants.unlink(&caller.tenant.id, author(&caller, Permission::EditTickets)?, ticket_id, link_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
