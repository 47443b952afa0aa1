//! Alert text search through each database's own index over `alerts.search_text`: pg_trgm's
//! GIN index serves `LIKE '%…%'` on PostgreSQL; on SQLite the FTS5 trigram table
//! `alerts_search` serves a quoted phrase, which matches exactly the texts that contain it.
//! Both look in the same text for the same lowercased needle, so they answer the same.

use diesel::expression::{BoxableExpression, SelectableExpression};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::db::DbConnection;
use crate::db::like_pattern::contains_pattern;
use crate::db::schema::alerts;
use crate::domain::search_text::search_needle;

type Backend = <DbConnection as Connection>::Backend;

/// A trigram index cannot look up anything shorter; such needles scan the tenant's alerts.
const SHORTEST_INDEXED: usize = 3;

/// Alerts whose search text contains `needle`, as a filter on any query over `alerts`.
pub(crate) fn alert_text_matches<'a, QS: 'a>(
    conn: &DbConnection,
    needle: &str,
) -> Box<dyn BoxableExpression<QS, Backend, SqlType = Bool> + 'a>
where
    alerts::search_text: SelectableExpression<QS>,
{
    let Some(needle) = search_needle(needle) else {
        return Box::new(false.into_sql::<Bool>());
    };
    match conn {
        DbConnection::Sqlite(_) if needle.chars().count() >= SHORTEST_INDEXED => {
            let phrase = format!("\"{}\"", needle.replace('"', "\"\""));
            Box::new(
                diesel::dsl::sql::<Bool>("alerts.rowid IN (SELECT rowid FROM alerts_search WHERE alerts_search MATCH ")
                    .bind::<Text, _>(phrase)
                    .sql(")"),
            )
        }
        _ => Box::new(alerts::search_text.like(contains_pattern(&needle)).escape('\\')),
    }
}
