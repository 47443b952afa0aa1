use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::models::User;
use crate::db::schema::users;
use crate::domain::role::Role;

pub fn insert(conn: &mut DbConnection, user: &User) -> QueryResult<()> {
    diesel::insert_into(users::table).values(user).execute(conn).map(drop)
}

pub fn by_username(conn: &mut DbConnection, tenant_id: &str, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::tenant_id.eq(tenant_id).and(users::username.eq(username)))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConnection, tenant_id: &str, id: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::tenant_id.eq(tenant_id).and(users::id.eq(id)))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConnection, tenant_id: &str) -> QueryResult<Vec<User>> {
    users::table.filter(users::tenant_id.eq(tenant_id)).order(users::username).select(User::as_select()).load(conn)
}

/// Sets the password; a set-password link still open is used up by it.
pub fn set_password(conn: &mut DbConnection, user_id: &str, password_hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(Some(password_hash)),
            users::password_setup_hash.eq(None::<String>),
            users::password_setup_expires_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

/// The tenant's enabled admins other than `except`: the last one may not be demoted or disabled.
pub fn count_other_enabled_admins(conn: &mut DbConnection, tenant_id: &str, except: &str) -> QueryResult<i64> {
    users::table
        .filter(users::tenant_id.eq(tenant_id).and(users::id.ne(except)))
        .filter(users::role.eq(Role::Admin.as_str()).and(users::disabled_at.is_null()))
        .count()
        .get_result(conn)
}

pub fn set_profile(conn: &mut DbConnection, user_id: &str, display_name: &str, role: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((users::display_name.eq(display_name), users::role.eq(role)))
        .execute(conn)
}

pub fn set_disabled_at(conn: &mut DbConnection, user_id: &str, at: Option<NaiveDateTime>) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id)).set(users::disabled_at.eq(at)).execute(conn)
}

/// Stores the hash of a one-time set-password link's token (replacing any earlier link).
pub fn set_password_setup(
    conn: &mut DbConnection,
    user_id: &str,
    token_hash: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((users::password_setup_hash.eq(Some(token_hash)), users::password_setup_expires_at.eq(Some(expires_at))))
        .execute(conn)
}

/// The enabled user a live set-password link belongs to.
pub fn by_password_setup(conn: &mut DbConnection, token_hash: &str, now: NaiveDateTime) -> QueryResult<Option<User>> {
    users::table
        .filter(users::password_setup_hash.eq(token_hash))
        .filter(users::password_setup_expires_at.gt(now).and(users::disabled_at.is_null()))
        .select(User::as_select())
        .first(conn)
        .optional()
}
