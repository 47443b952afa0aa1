//! API tokens and integration keys, looked up by the hash of the secret a client presents.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::models::{ApiToken, Integration, Tenant, User};
use crate::db::schema::{alerts, api_tokens, integrations, tenants, users};

pub fn insert_token(conn: &mut DbConnection, token: &ApiToken) -> QueryResult<()> {
    diesel::insert_into(api_tokens::table).values(token).execute(conn).map(drop)
}

/// The live token with this hash (neither revoked nor expired, its user not disabled), with its
/// user and tenant.
pub fn active_token(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<(ApiToken, User, Tenant)>> {
    api_tokens::table
        .inner_join(users::table.on(users::id.eq(api_tokens::user_id)))
        .inner_join(tenants::table.on(tenants::id.eq(api_tokens::tenant_id)))
        .filter(api_tokens::token_hash.eq(token_hash).and(api_tokens::revoked_at.is_null()))
        .filter(users::disabled_at.is_null())
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

/// The integration this key opens: its current key, or its previous one within the rotation's
/// grace period; revoked ones too, so that a caller can tell an unknown key from a revoked one.
pub fn integration_by_key_hash(
    conn: &mut DbConnection,
    key_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Integration>> {
    integrations::table
        .filter(
            integrations::key_hash
                .eq(key_hash)
                .or(integrations::previous_key_hash.eq(key_hash).and(integrations::previous_key_expires_at.gt(now))),
        )
        .select(Integration::as_select())
        .first(conn)
        .optional()
}

pub fn integration_by_id(conn: &mut DbConnection, tenant_id: &str, id: &str) -> QueryResult<Option<Integration>> {
    integrations::table
        .filter(integrations::tenant_id.eq(tenant_id).and(integrations::id.eq(id)))
        .select(Integration::as_select())
        .first(conn)
        .optional()
}

/// A new key; the one it replaces keeps working until `previous_until` (none: cut at once).
pub fn set_integration_key(
    conn: &mut DbConnection,
    id: &str,
    key_hash: &str,
    previous: Option<(&str, NaiveDateTime)>,
) -> QueryResult<usize> {
    diesel::update(integrations::table.find(id))
        .set((
            integrations::key_hash.eq(key_hash),
            integrations::previous_key_hash.eq(previous.map(|(hash, _)| hash)),
            integrations::previous_key_expires_at.eq(previous.map(|(_, until)| until)),
        ))
        .execute(conn)
}

pub fn revoke_integration_by_id(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(integrations::table.find(id).filter(integrations::revoked_at.is_null()))
        .set((
            integrations::revoked_at.eq(Some(at)),
            integrations::previous_key_hash.eq(None::<String>),
            integrations::previous_key_expires_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

/// What an integration has sent: events applied to its alerts (repeats included) and when the
/// last of them arrived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntegrationActivity {
    pub events: i64,
    pub last_event_at: Option<NaiveDateTime>,
}

/// Each integration's activity, by integration id (absent: nothing sent yet). Read from the
/// alerts themselves, so ingest pays nothing for it.
pub fn integration_activity(
    conn: &mut DbConnection,
    tenant_id: &str,
) -> QueryResult<HashMap<String, IntegrationActivity>> {
    use diesel::dsl::{max, sql};
    use diesel::sql_types::{BigInt, Nullable};
    // diesel types SUM(BIGINT) as NUMERIC; the cast (portable SQL) keeps it an integer.
    let total = sql::<Nullable<BigInt>>("CAST(SUM(event_count) AS BIGINT)");
    let rows: Vec<(String, Option<i64>, Option<NaiveDateTime>)> = alerts::table
        .filter(alerts::tenant_id.eq(tenant_id))
        .group_by(alerts::integration_id)
        .select((alerts::integration_id, total, max(alerts::last_seen_at)))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, events, last_event_at)| (id, IntegrationActivity { events: events.unwrap_or(0), last_event_at }))
        .collect())
}
