use diesel::prelude::*;

use crate::db::models::Tenant;
use crate::db::schema::tenants;
use crate::db::{DbConnection, backend};

pub fn insert(conn: &mut DbConnection, tenant: &Tenant) -> QueryResult<()> {
    diesel::insert_into(tenants::table).values(tenant).execute(conn).map(drop)
}

pub fn by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Tenant>> {
    tenants::table.filter(tenants::slug.eq(slug)).select(Tenant::as_select()).first(conn).optional()
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Tenant>> {
    tenants::table.find(id).select(Tenant::as_select()).first(conn).optional()
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Tenant>> {
    tenants::table.order(tenants::slug).select(Tenant::as_select()).load(conn)
}

/// Takes the tenant's write lock for the rest of the transaction and returns the tenant.
///
/// Written as an UPDATE so it is the transaction's first write on both backends: PostgreSQL
/// locks the row until commit (serializing writers of one tenant across instances), and SQLite
/// takes its write lock up front instead of failing to upgrade a read lock later.
pub fn lock_for_write(conn: &mut DbConnection, id: &str) -> QueryResult<Tenant> {
    diesel::update(tenants::table.find(id))
        .set(tenants::write_seq.eq(tenants::write_seq + 1))
        .returning(tenants::all_columns)
        .get_result(conn)
}

/// [`lock_for_write`] for several tenants in one statement (a group commit's), taking the
/// locks in id order so that two instances locking overlapping sets cannot deadlock.
pub fn lock_many(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<Tenant>> {
    backend::lock_tenants(conn, ids)
}

/// The tenant's last committed write (see `alerts::mark_repeated`): 0 for an unknown tenant.
pub fn write_seq(conn: &mut DbConnection, id: &str) -> QueryResult<i64> {
    tenants::table.find(id).select(tenants::write_seq).first(conn).optional().map(Option::unwrap_or_default)
}

/// Hands out the next ticket number; call under [`lock_for_write`].
pub fn take_ticket_number(conn: &mut DbConnection, tenant: &Tenant) -> QueryResult<i64> {
    diesel::update(tenants::table.find(&tenant.id))
        .set(tenants::next_ticket_number.eq(tenants::next_ticket_number + 1))
        .execute(conn)?;
    tenants::table.find(&tenant.id).select(tenants::next_ticket_number).first::<i64>(conn).map(|next| next - 1)
}
