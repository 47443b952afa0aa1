//! API tokens and integration keys, looked up by the hash of the secret a client presents.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::models::{ApiToken, Integration, Tenant, User};
use crate::db::schema::{api_tokens, integrations, tenants, users};

pub fn insert_token(conn: &mut DbConnection, token: &ApiToken) -> QueryResult<()> {
    diesel::insert_into(api_tokens::table).values(token).execute(conn).map(drop)
}

/// The live token with this hash (neither revoked nor expired), with its user and tenant.
pub fn active_token(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<(ApiToken, User, Tenant)>> {
    api_tokens::table
        .inner_join(users::table.on(users::id.eq(api_tokens::user_id)))
        .inner_join(tenants::table.on(tenants::id.eq(api_tokens::tenant_id)))
        .filter(api_tokens::token_hash.eq(token_hash).and(api_tokens::revoked_at.is_null()))
        .filter(api_tokens::expires_at.is_null().or(api_tokens::expires_at.gt(crate::domain::now())))
        .select((ApiToken::as_select(), User::as_select(), Tenant::as_select()))
        .first(conn)
        .optional()
}

/// The token with this id in the tenant.
pub fn token_by_id(conn: &mut DbConnection, tenant_id: &str, token_id: &str) -> QueryResult<Option<ApiToken>> {
    api_tokens::table
        .filter(api_tokens::tenant_id.eq(tenant_id).and(api_tokens::id.eq(token_id)))
        .select(ApiToken::as_select())
        .first(conn)
        .optional()
}

pub fn tokens_of_user(conn: &mut DbConnection, tenant_id: &str, user_id: &str) -> QueryResult<Vec<ApiToken>> {
    api_tokens::table
        .filter(api_tokens::tenant_id.eq(tenant_id).and(api_tokens::user_id.eq(user_id)))
        .order(api_tokens::id.desc())
        .select(ApiToken::as_select())
        .load(conn)
}

/// Returns whether a live token was revoked.
pub fn revoke_token(conn: &mut DbConnection, tenant_id: &str, token_id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(api_tokens::table.filter(
        api_tokens::tenant_id.eq(tenant_id).and(api_tokens::id.eq(token_id)).and(api_tokens::revoked_at.is_null()),
    ))
    .set(api_tokens::revoked_at.eq(Some(at)))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn insert_integration(conn: &mut DbConnection, integration: &Integration) -> QueryResult<()> {
    diesel::insert_into(integrations::table).values(integration).execute(conn).map(drop)
}

pub fn integrations_of_tenant(conn: &mut DbConnection, tenant_id: &str) -> QueryResult<Vec<Integration>> {
    integrations::table
        .filter(integrations::tenant_id.eq(tenant_id))
        .order(integrations::name)
        .select(Integration::as_select())
        .load(conn)
}

pub fn revoke_integration(
    conn: &mut DbConnection,
    tenant_id: &str,
    name: &str,
    at: NaiveDateTime,
) -> QueryResult<Option<Integration>> {
    let live = integrations::table
        .filter(
            integrations::tenant_id
                .eq(tenant_id)
                .and(integrations::name.eq(name))
                .and(integrations::revoked_at.is_null()),
        )
        .select(Integration::as_select())
        .first(conn)
        .optional()?;
    if let Some(integration) = &live {
        diesel::update(integrations::table.find(&integration.id))
            .set(integrations::revoked_at.eq(Some(at)))
            .execute(conn)?;
    }
    Ok(live)
}

/// The integration with this key hash, live or revoked, so that a caller can tell an unknown
/// key from a revoked one.
pub fn integration_by_key_hash(conn: &mut DbConnection, key_hash: &str) -> QueryResult<Option<Integration>> {
    integrations::table
        .filter(integrations::key_hash.eq(key_hash))
        .select(Integration::as_select())
        .first(conn)
        .optional()
}
