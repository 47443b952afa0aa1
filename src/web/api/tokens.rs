//! API tokens: one's own (`/tokens`), and for admins every token of their tenant
//! (`/users/{id}/tokens`, and `DELETE /tokens/{id}` on anyone's). A `read` token reads and
//! changes nothing, whatever its user's role; an expired one is refused like a revoked one.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{author, id_of};
use crate::commands::{CommandError, provisioning};
use crate::db::queries::{credentials, users};
use crate::domain::role::{Permission, TokenScope};
use crate::domain::timestamp;
use crate::domain::validation::{FieldErrors, parse_enum};
use crate::views::{NewTokenView, TokenView};
use crate::web::auth::Caller;
use crate::web::body::{Mutation, MutationBody};
use crate::web::error::ApiError;
use crate::web::error::Problem;
use crate::web::pagination::Page;
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tokens", web::get().to(list_own))
        .route("/tokens", web::post().to(create))
        .route("/tokens/{id}", web::delete().to(revoke))
        .route("/users/{id}/tokens", web::get().to(list_of_user));
}

const NAME_MAX: usize = 100;

/// The caller's own tokens, newest first (revoked ones too, marked). Not paginated.
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    tag = "users",
    responses((status = 200, description = "The caller's tokens, never their secrets", body = Page<TokenView>)),
    security(("bearer" = []))
)]
async fn list_own(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    tokens_of(&state, &caller, caller.user.id.clone()).await
}

/// Every token of one user of the tenant (admins only)
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}/tokens",
    tag = "users",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = Page<TokenView>), (status = 403, description = "Only admins see others' tokens", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such user in the caller's tenant", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn list_of_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user_id = id_of(&path, "user")?;
    if user_id != caller.user.id {
        caller.require(Permission::AdministerTenant)?;
    }
    let (tenant_id, id) = (caller.tenant.id.clone(), user_id.clone());
    let known = state.db.run(move |conn| users::by_id(conn, &tenant_id, &id).map_err(ApiError::from_query)).await?;
    known.ok_or_else(|| ApiError::not_found("user"))?;
    tokens_of(&state, &caller, user_id).await
}

async fn tokens_of(state: &AppState, caller: &Caller, user_id: String) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant.id.clone();
    let rows = state
        .db
        .run(move |conn| credentials::tokens_of_user(conn, &tenant_id, &user_id).map_err(ApiError::from_query))
        .await?;
    Ok(HttpResponse::Ok().json(Page::<TokenView>::whole(rows)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewTokenBody {
    name: Option<String>,
    /// `write` (the default) or `read`.
    scope: Option<String>,
    /// RFC 3339, in the future; none for a token that lives until revoked.
    expires_at: Option<String>,
}

impl MutationBody for NewTokenBody {
    const PERMISSION: Permission = Permission::ManageOwnAccount;
}

/// A token for the caller: 201 with `token`, the secret, shown only in this answer
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    tag = "users",
    request_body = NewTokenBody,
    responses((status = 201, body = NewTokenView), (status = 403, description = "A read token creates nothing", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn create(state: web::Data<AppState>, mutation: Mutation<NewTokenBody>) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let mut errors = FieldErrors::default();
    let name = body.name.unwrap_or_default().trim().to_owned();
    errors.required_text("name", &name, NAME_MAX);
    let scope = match body.scope {
        Some(raw) => parse_enum(&mut errors, "scope", &raw, TokenScope::parse, TokenScope::ALL),
        None => Some(TokenScope::Write),
    };
    let expires_at = match body.expires_at.as_deref().map(|raw| timestamp::parse(raw, false)) {
        None => None,
        Some(Ok(at)) if at > crate::domain::now() => Some(at),
        Some(Ok(_)) => {
            errors.add("expires_at", "must be in the future");
            None
        }
        Some(Err(error)) => {
            errors.add("expires_at", error.message());
            None
        }
    };
    errors.into_result(())?;
    let scope = scope.unwrap_or(TokenScope::Read);
    let ctx = author(&caller, Permission::ManageOwnAccount)?;
    let (tenant, username) = (caller.tenant.clone(), caller.user.username.clone());
    let created = state
        .db
        .run(move |conn| {
            Ok::<_, ApiError>(provisioning::create_scoped_token(
                conn,
                &ctx,
                &tenant,
                &username,
                (&name, scope, expires_at),
            ))
        })
        .await??;
    let (token, secret) = created;
    Ok(HttpResponse::Created().json(NewTokenView { view: TokenView::from(token), token: secret }))
}

/// Revoke one's own token, or (admins) any token of the tenant: 204
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "users",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked (also when it already was)"), (status = 403, description = "A read token revokes nothing", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such token of the caller (or, for admins, of the tenant)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn revoke(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let token_id = id_of(&path, "token")?;
    let ctx = author(&caller, Permission::ManageOwnAccount)?;
    let admin = caller.role.allows(Permission::AdministerTenant);
    let (tenant, user_id, id) = (caller.tenant.clone(), caller.user.id.clone(), token_id.clone());
    state
        .db
        .run(move |conn| {
            let token = credentials::token_by_id(conn, &tenant.id, &id).map_err(ApiError::from_query)?;
            // Someone else's token is not found, unless an admin asks.
            let token = token.filter(|t| admin || t.user_id == user_id).ok_or_else(|| ApiError::not_found("token"))?;
            if token.revoked_at.is_some() {
                return Ok::<_, ApiError>(());
            }
            match provisioning::revoke_token(conn, &ctx, &tenant, &id) {
                Ok(()) | Err(CommandError::NotFound(_)) => Ok(()),
                Err(error) => Err(ApiError::from(error)),
            }
        })
        .await?;
    // Refused at once by this instance, not only after the token cache's TTL.
    state.api_tokens.evict(&token_id);
    Ok(HttpResponse::NoContent().finish())
}
