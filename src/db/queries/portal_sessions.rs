//! Portal sign-ins: a row per session, ended on sign-out or when it expires.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::models::{PortalSession, Tenant, User};
use crate::db::schema::{portal_sessions, tenants, users};

pub fn insert(conn: &mut DbConnection, session: &PortalSession) -> QueryResult<()> {
    diesel::insert_into(portal_sessions::table).values(session).execute(conn).map(drop)
}

/// The live session with this id, with its user and tenant.
pub fn active(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<Option<(User, Tenant)>> {
    portal_sessions::table
        .inner_join(users::table.on(users::id.eq(portal_sessions::user_id)))
        .inner_join(tenants::table.on(tenants::id.eq(portal_sessions::tenant_id)))
        .filter(portal_sessions::id.eq(id))
        .filter(portal_sessions::ended_at.is_null())
        .filter(portal_sessions::expires_at.gt(now))
        .filter(users::disabled_at.is_null())
        .select((User::as_select(), Tenant::as_select()))
        .first(conn)
        .optional()
}

pub fn end(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(portal_sessions::table.filter(portal_sessions::id.eq(id).and(portal_sessions::ended_at.is_null())))
        .set(portal_sessions::ended_at.eq(Some(at)))
        .execute(conn)
}

/// Ends every live session of a user (disabled, or its password reset).
pub fn end_all_of_user(conn: &mut DbConnection, user_id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        portal_sessions::table.filter(portal_sessions::user_id.eq(user_id).and(portal_sessions::ended_at.is_null())),
    )
    .set(portal_sessions::ended_at.eq(Some(at)))
    .execute(conn)
}

/// Deletes the sessions that were signed out or have expired by `now`: they open nothing, and
/// each sign-in would otherwise leave a row behind for good (sign-ins are in the audit trail).
pub fn purge_finished(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        portal_sessions::table.filter(portal_sessions::ended_at.is_not_null().or(portal_sessions::expires_at.le(now))),
    )
    .execute(conn)
}
