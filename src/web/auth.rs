//! Who is calling: the user behind a bearer token, with their tenant and role.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};

use super::error::ApiError;
use super::state::AppState;
use super::token_cache::TokenOwner;
use crate::commands::CommandContext;
use crate::db::models::{Tenant, User};
use crate::domain::actor::{Actor, Channel, Role};
use crate::domain::role::{Permission, TokenScope};

#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub role: Role,
    pub tenant: Tenant,
    /// What the presented token may do, within the role.
    pub scope: TokenScope,
    pub token_id: String,
    pub request_id: Option<String>,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        Actor::User { id: self.user.id.clone(), name: self.user.username.clone(), role: self.role }
    }

    pub fn context(&self) -> CommandContext {
        CommandContext { actor: self.actor(), channel: Channel::Http, request_id: self.request_id.clone() }
    }

    /// Refuses before any work is queued; the command layer checks again.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if !self.scope.allows(permission) {
            return Err(ApiError::Forbidden("this token is read-only: it cannot change anything".into()));
        }
        if self.role.allows(permission) { Ok(()) } else { Err(ApiError::Forbidden(self.role.refusal(permission))) }
    }
}

/// The request's id: the caller's `X-Request-Id` if it is sane, else the one the tracing
/// middleware generated, so log lines and audit entries can be matched.
pub fn request_id(req: &HttpRequest) -> Option<String> {
    let supplied = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()));
    match supplied {
        Some(id) => Some(id.to_owned()),
        None => req.extensions().get::<tracing_actix_web::RequestId>().map(|id| id.to_string()),
    }
}

pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned()).filter(|t| !t.is_empty())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        let request_id = request_id(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let token =
                token.ok_or_else(|| ApiError::Unauthenticated("send `Authorization: Bearer <token>`".into()))?;
            let owner = state.api_tokens.resolve(&token).await?;
            let TokenOwner { user, tenant, scope, token_id, .. } =
                owner.ok_or_else(|| ApiError::Unauthenticated("the token is unknown or revoked".into()))?;
            let role = Role::parse(&user.role)
                .ok_or_else(|| ApiError::Internal(format!("user has unknown role {}", user.role).into()))?;
            Ok(Caller { user, role, tenant, scope, token_id, request_id })
        })
    }
}

impl ApiError {
    pub fn from_query(error: diesel::result::Error) -> Self {
        crate::db::DbError::from(error).into()
    }
}
