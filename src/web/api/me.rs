use crate::views::MeView;
use crate::web::openapi_schemas::ProblemDetails;
use crate::web::pagination::Page;
use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::db::queries::users;
use crate::views::{TenantView, UserView};
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me)).route("/users", web::get().to(list_users));
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "users",
    responses((status = 200, body = MeView), (status = 401, description = "Missing, unknown or revoked token", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn me(caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(MeView { user: UserView::from(caller.user), tenant: TenantView::from(caller.tenant) })
}

/// The tenant's users, for assignee pickers. Small per tenant, so not paginated.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    responses((status = 200, body = Page<UserView>), (status = 401, description = "Missing, unknown or revoked token", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn list_users(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant.id.clone();
    let rows = state.db.run(move |conn| users::list(conn, &tenant_id).map_err(ApiError::from_query)).await?;
    let items: Vec<UserView> = rows.into_iter().map(UserView::from).collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}
