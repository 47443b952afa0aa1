//! An API token as its owner and the tenant's admins see it: never the secret, which is shown
//! once, in the answer that creates it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::models::ApiToken;

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub user_id: String,
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiToken> for TokenView {
    fn from(token: ApiToken) -> Self {
        Self {
            id: token.id,
            user_id: token.user_id,
            name: token.name,
            scope: token.scope,
            created_at: token.created_at.and_utc(),
            expires_at: token.expires_at.map(|t| t.and_utc()),
            revoked_at: token.revoked_at.map(|t| t.and_utc()),
        }
    }
}

/// The answer that creates a token: the view, and the secret this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenView {
    #[serde(flatten)]
    pub view: TokenView,
    /// The secret (`opt_…`): shown only now, stored only as a hash.
    pub token: String,
}
