use actix_web::{HttpResponse, web};
use serde_json::json;

use super::views::{TenantView, UserView};
use crate::db::queries::users;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me)).route("/users", web::get().to(list_users));
}

async fn me(caller: Caller) -> HttpResponse {
    let mut body = json!(UserView::from(caller.user));
    body["tenant"] = json!(TenantView::from(caller.tenant));
    HttpResponse::Ok().json(body)
}

/// The tenant's users, for assignee pickers. Small per tenant, so not paginated.
async fn list_users(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant.id.clone();
    let rows = state.db.run(move |conn| users::list(conn, &tenant_id).map_err(ApiError::from_query)).await?;
    let items: Vec<UserView> = rows.into_iter().map(UserView::from).collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}
