//! Raw PostgreSQL statements that diesel prepares once per connection.
//!
//! `diesel::sql_query` marks every statement unsafe to cache, so PostgreSQL parses and plans it
//! on every call; for the few set-wise statements a group commit runs each time that was a
//! tenth of the machine's CPU at full ingest load. [`Prepared`] has fixed SQL text, so diesel's
//! statement cache keys it by that text and its bind types and keeps it prepared.

use std::marker::PhantomData;

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use diesel::{QueryResult, RunQueryDsl};

/// A statement with `$1`, `$2`, … placeholders, numbered in the order the binds are added.
pub(super) struct Prepared<'a> {
    sql: &'static str,
    binds: Vec<Box<dyn PgBind + 'a>>,
}

impl<'a> Prepared<'a> {
    pub(super) fn new(sql: &'static str) -> Self {
        Self { sql, binds: Vec::new() }
    }

    pub(super) fn bind<ST, V>(mut self, value: V) -> Self
    where
        Pg: HasSqlType<ST>,
        V: ToSql<ST, Pg> + Send + 'a,
        ST: 'a,
    {
        self.binds.push(Box::new(Typed::<ST, V>(value, PhantomData)));
        self
    }
}

trait PgBind: Send {
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

struct Typed<ST, V>(V, PhantomData<fn() -> ST>);

impl<ST, V> PgBind for Typed<ST, V>
where
    Pg: HasSqlType<ST>,
    V: ToSql<ST, Pg> + Send,
{
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_bind_param::<ST, V>(&self.0)
    }
}

impl QueryFragment<Pg> for Prepared<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // diesel writes each placeholder itself as it pushes the bind, so the text around the
        // written ones goes in piece by piece.
        let mut rest = self.sql;
        for bind in &self.binds {
            let (before, after) = split_placeholder(rest)
                .ok_or_else(|| diesel::result::Error::QueryBuilderError("fewer placeholders than binds".into()))?;
            out.push_sql(before);
            bind.push(&mut out)?;
            rest = after;
        }
        out.push_sql(rest);
        Ok(())
    }
}

/// The text before the first `$n` placeholder and the text after it.
fn split_placeholder(sql: &str) -> Option<(&str, &str)> {
    let start =
        sql.match_indices('$').map(|(i, _)| i).find(|&i| sql[i + 1..].starts_with(|c: char| c.is_ascii_digit()))?;
    let digits = sql[start + 1..].find(|c: char| !c.is_ascii_digit()).unwrap_or(sql.len() - start - 1);
    Some((&sql[..start], &sql[start + 1 + digits..]))
}

impl QueryId for Prepared<'_> {
    type QueryId = ();
    // Not static: the cache key is the SQL text with the bind types.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Prepared<'_> {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for Prepared<'_> {}

/// One field of every row, as an array parameter.
pub(super) fn column<R, T>(rows: &[R], field: impl Fn(&R) -> T) -> Vec<T> {
    rows.iter().map(field).collect()
}

#[cfg(test)]
mod tests {
    use super::split_placeholder;

    #[test]
    fn placeholders_split_the_text_in_order() {
        let sql = "SELECT $1::text[], $12::bigint[] WHERE x = '$'";
        let (before, rest) = split_placeholder(sql).unwrap_or_default();
        assert_eq!(before, "SELECT ");
        let (between, tail) = split_placeholder(rest).unwrap_or_default();
        assert_eq!((between, tail), ("::text[], ", "::bigint[] WHERE x = '$'"));
        assert_eq!(split_placeholder(tail), None);
    }
}
