//! `GET /me`: who the token acts for.

use actix_web::HttpResponse;
use actix_web::web;

use crate::views::{MeView, TenantView, UserView};
use crate::web::auth::Caller;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me));
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "users",
    responses((status = 200, body = MeView)),
    security(("bearer" = []))
)]
async fn me(caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(MeView { user: UserView::from(caller.user), tenant: TenantView::from(caller.tenant) })
}
