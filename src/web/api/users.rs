//! The tenant's users: every signed-in user may list them (assignee pickers); admins create
//! them, change their name and role, disable them and reset their passwords.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{author, id_of};
use crate::commands::provisioning;
use crate::commands::user_admin::{self, UserChange};
use crate::db::queries::users;
use crate::domain::role::{Permission, Role};
use crate::domain::validation::{FieldErrors, parse_enum};
use crate::views::{NewUserView, PasswordSetupView, UserView};
use crate::web::auth::Caller;
use crate::web::body::{Mutation, MutationBody};
use crate::web::error::ApiError;
use crate::web::error::Problem;
use crate::web::pagination::Page;
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/users", web::get().to(list))
        .route("/users", web::post().to(create))
        .route("/users/{id}", web::patch().to(update))
        .route("/users/{id}/password", web::post().to(reset_password));
}

/// The tenant's users, disabled ones too. Small per tenant, so not paginated.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    responses((status = 200, body = Page<UserView>)),
    security(("bearer" = []))
)]
async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant.id.clone();
    let rows = state.db.run(move |conn| users::list(conn, &tenant_id).map_err(ApiError::from_query)).await?;
    Ok(HttpResponse::Ok().json(Page::<UserView>::whole(rows)))
}

fn role_field(errors: &mut FieldErrors, raw: &str) -> Option<Role> {
    let names = Role::ALL.map(Role::as_str);
    parse_enum(errors, "role", raw, Role::parse, &names)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUserBody {
    username: String,
    /// The username when absent.
    display_name: Option<String>,
    /// `admin`, `operator` or `auditor`.
    role: String,
    /// At least 8 characters; without one, the answer carries a one-time set-password link.
    password: Option<String>,
}

impl MutationBody for NewUserBody {
    const PERMISSION: Permission = Permission::AdministerTenant;
}

/// A user of the caller's tenant (admins only): 201 with the user as `GET /users` shows it
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "users",
    request_body = NewUserBody,
    responses((status = 201, body = NewUserView), (status = 403, description = "Only admins manage users", body = Problem, content_type = "application/problem+json"), (status = 409, description = "The username is taken in this tenant", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn create(state: web::Data<AppState>, mutation: Mutation<NewUserBody>) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let mut errors = FieldErrors::default();
    let role = role_field(&mut errors, &body.role);
    let display_name = body.display_name;
    let role = errors.into_parsed(role)?;
    let ctx = author(&caller, Permission::AdministerTenant)?;
    let tenant = caller.tenant.clone();
    let (user, setup) = state
        .db
        .run(move |conn| {
            let (username, password) = (body.username.trim(), body.password.as_deref());
            provisioning::create_user(conn, &ctx, &tenant, username, display_name.as_deref(), role, password)
                .map_err(ApiError::from)
        })
        .await?;
    let password_setup = setup.map(|s| PasswordSetupView::new(s.token, s.expires_at));
    Ok(HttpResponse::Created().json(NewUserView { view: UserView::from(user), password_setup }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserPatchBody {
    display_name: Option<String>,
    role: Option<String>,
    /// `true` ends the user's sessions and refuses its tokens at once.
    disabled: Option<bool>,
}

impl MutationBody for UserPatchBody {
    const PERMISSION: Permission = Permission::AdministerTenant;
}

/// Change a user's display name, role or standing (admins only)
#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    tag = "users",
    params(("id" = String, Path, description = "User id")),
    request_body = UserPatchBody,
    responses((status = 200, body = UserView), (status = 403, description = "Only admins manage users", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such user in the caller's tenant", body = Problem, content_type = "application/problem+json"), (status = 409, description = "It would leave the tenant without an enabled admin", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn update(
    state: web::Data<AppState>,
    mutation: Mutation<UserPatchBody>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let user_id = id_of(&path, "user")?;
    let mut errors = FieldErrors::default();
    let role = body.role.as_deref().and_then(|raw| role_field(&mut errors, raw));
    errors.into_result(())?;
    let ctx = author(&caller, Permission::AdministerTenant)?;
    let change = UserChange { display_name: body.display_name, role, disabled: body.disabled };
    let tenant = caller.tenant.clone();
    let updated = state
        .db
        .run(move |conn| user_admin::update(conn, &ctx, &tenant, &user_id, change))
        .await
        .map_err(ApiError::from)?;
    // This instance drops them at once; others within `server.token_cache_secs`.
    state.api_tokens.evict_all(&updated.stale_token_ids);
    let user = updated.user;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordResetBody {
    /// At least 8 characters.
    password: String,
}

impl MutationBody for PasswordResetBody {
    const PERMISSION: Permission = Permission::AdministerTenant;
}

/// Set a user's password (admins only): 204; the user's portal sessions end
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/password",
    tag = "users",
    params(("id" = String, Path, description = "User id")),
    request_body = PasswordResetBody,
    responses((status = 204, description = "Set; the user's portal sessions ended"), (status = 403, description = "Only admins reset passwords", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such user in the caller's tenant", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Too short", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn reset_password(
    state: web::Data<AppState>,
    mutation: Mutation<PasswordResetBody>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let user_id = id_of(&path, "user")?;
    let ctx = author(&caller, Permission::AdministerTenant)?;
    let tenant = caller.tenant.clone();
    state
        .db
        .run(move |conn| user_admin::reset_password(conn, &ctx, &tenant, &user_id, &body.password))
        .await
        .map_err(ApiError::from)?;
    Ok(HttpResponse::NoContent().finish())
}
