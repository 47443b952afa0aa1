use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::models::User;
use crate::db::schema::users;

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

pub fn set_password(conn: &mut DbConnection, user_id: &str, password_hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id)).set(users::password_hash.eq(Some(password_hash))).execute(conn)
}
