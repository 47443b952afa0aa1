//! `GET /me`: who the token acts for.

use actix_web::HttpResponse;
use actix_web::web;

use crate::views::{MeView, TenantView, UserView};
use crate::web::auth::Caller;
use crate::web::openapi_schemas::ProblemDetails;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me));
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
