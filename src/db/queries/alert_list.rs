//! The alert lists: which alerts a filter matches and in which order, keyset-paginated so a
//! page costs the same however deep it is (no OFFSET).

use chrono::{DateTime, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::expression::BoxableExpression;
use diesel::helper_types::InnerJoinQuerySource;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::AssigneeFilter;
use crate::db::models::Alert;
use crate::db::schema::{alerts, integrations};
use crate::db::{DbConnection, backend};
use crate::domain::alert::{AlertStatus, Severity};

type Backend = <DbConnection as Connection>::Backend;

/// An alert with the name of the integration that raised it, as every view shows it.
pub type AlertWithSource = (Alert, String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Is(AlertStatus),
    /// Triggered or acknowledged: what still needs someone.
    Open,
}

impl StatusFilter {
    pub const NAMES: &'static [&'static str] = &["open", "triggered", "acknowledged", "resolved"];

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "open" => Some(StatusFilter::Open),
            other => AlertStatus::parse(other).map(StatusFilter::Is),
        }
    }
}

/// The statuses an open alert has.
pub const OPEN_STATUSES: [&str; 2] = ["triggered", "acknowledged"];

#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub status: Option<StatusFilter>,
    pub severity: Option<Severity>,
    pub assignee: Option<AssigneeFilter>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertSort {
    /// Most recently raised first.
    #[default]
    Newest,
    /// Critical first; within a severity, the longest waiting first.
    Severity,
    /// Most recently seen again first.
    LastSeen,
    /// The longest waiting first.
    FirstSeen,
}

impl AlertSort {
    pub const NAMES: &'static [&'static str] = &["newest", "severity", "last_seen", "first_seen"];

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "newest" => Some(AlertSort::Newest),
            "severity" => Some(AlertSort::Severity),
            "last_seen" => Some(AlertSort::LastSeen),
            "first_seen" => Some(AlertSort::FirstSeen),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Where `alert` stands in this order: the next page starts after it.
    pub fn position(self, alert: &Alert) -> String {
        match self {
            AlertSort::Newest => alert.id.clone(),
            AlertSort::Severity => {
                let rank = Severity::parse(&alert.severity).map_or(Severity::ALL.len(), rank_of);
                format!("{rank}.{}", alert.id)
            }
            AlertSort::LastSeen => format!("{}.{}", alert.last_seen_at.and_utc().timestamp_micros(), alert.id),
            AlertSort::FirstSeen => format!("{}.{}", alert.first_seen_at.and_utc().timestamp_micros(), alert.id),
        }
    }

    /// The position [`AlertSort::position`] wrote, or `None` for anything else.
    pub fn parse_position(self, raw: &str) -> Option<Position> {
        if self == AlertSort::Newest {
            return Some(Position::Id(raw.to_owned()));
        }
        let (key, id) = raw.split_once('.')?;
        let id = id.to_owned();
        match self {
            AlertSort::Severity => key.parse().ok().filter(|r| *r < Severity::ALL.len()).map(|r| Position::Rank(r, id)),
            _ => key.parse().ok().and_then(DateTime::from_timestamp_micros).map(|t| Position::Time(t.naive_utc(), id)),
        }
    }
}

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    Id(String),
    Rank(usize, String),
    Time(NaiveDateTime, String),
}

fn rank_of(severity: Severity) -> usize {
    Severity::ALL.iter().position(|s| *s == severity.as_str()).unwrap_or(Severity::ALL.len())
}

/// Every list names each alert's integration, so every query reads the join.
type Joined = InnerJoinQuerySource<alerts::table, integrations::table>;

type Predicate<'a> = Box<dyn BoxableExpression<Joined, Backend, SqlType = Bool> + 'a>;

/// The filter as one condition on the alerts table.
fn matching<'a>(conn: &DbConnection, tenant_id: &'a str, filter: &'a AlertFilter) -> Predicate<'a> {
    let mut predicate: Predicate<'a> = Box::new(alerts::tenant_id.eq(tenant_id));
    match filter.status {
        Some(StatusFilter::Is(status)) => predicate = Box::new(predicate.and(alerts::status.eq(status.as_str()))),
        Some(StatusFilter::Open) => predicate = Box::new(predicate.and(alerts::status.eq_any(OPEN_STATUSES))),
        None => {}
    }
    if let Some(severity) = filter.severity {
        predicate = Box::new(predicate.and(alerts::severity.eq(severity.as_str())));
    }
    match &filter.assignee {
        Some(AssigneeFilter::User(user)) => {
            predicate = Box::new(predicate.and(alerts::assignee_id.assume_not_null().eq(user.as_str())))
        }
        Some(AssigneeFilter::Unassigned) => predicate = Box::new(predicate.and(alerts::assignee_id.is_null())),
        None => {}
    }
    if let Some(text) = &filter.text {
        predicate = Box::new(predicate.and(backend::alert_text_matches(conn, text)));
    }
    predicate
}

/// One page of the alerts `filter` matches, in `sort` order, after `after`.
pub fn list(
    conn: &mut DbConnection,
    tenant_id: &str,
    filter: &AlertFilter,
    sort: AlertSort,
    after: Option<&Position>,
    limit: i64,
) -> QueryResult<Vec<AlertWithSource>> {
    if sort == AlertSort::Severity {
        return by_severity(conn, tenant_id, filter, after, limit);
    }
    let query = alerts::table
        .inner_join(integrations::table)
        .filter(matching(conn, tenant_id, filter))
        .select((Alert::as_select(), integrations::name))
        .limit(limit)
        .into_boxed();
    let query =
        match (sort, after) {
            (AlertSort::LastSeen, Some(Position::Time(at, id))) => query
                .filter(alerts::last_seen_at.lt(*at).or(alerts::last_seen_at.eq(*at).and(alerts::id.lt(id.clone())))),
            (AlertSort::FirstSeen, Some(Position::Time(at, id))) => query
                .filter(alerts::first_seen_at.gt(*at).or(alerts::first_seen_at.eq(*at).and(alerts::id.gt(id.clone())))),
            (_, Some(Position::Id(id))) => query.filter(alerts::id.lt(id.clone())),
            _ => query,
        };
    match sort {
        AlertSort::LastSeen => query.order((alerts::last_seen_at.desc(), alerts::id.desc())),
        AlertSort::FirstSeen => query.order((alerts::first_seen_at.asc(), alerts::id.asc())),
        _ => query.order(alerts::id.desc()),
    }
    .load(conn)
}

/// Severity order, one indexed query per severity from the cursor's on, oldest first within
/// each: five short range scans instead of a sort over everything the filter matches.
fn by_severity(
    conn: &mut DbConnection,
    tenant_id: &str,
    filter: &AlertFilter,
    after: Option<&Position>,
    limit: i64,
) -> QueryResult<Vec<AlertWithSource>> {
    let (from_rank, after_id) = match after {
        Some(Position::Rank(rank, id)) => (*rank, Some(id.as_str())),
        _ => (0, None),
    };
    let mut rows = Vec::new();
    for (rank, name) in Severity::ALL.iter().enumerate().skip(from_rank) {
        if filter.severity.is_some_and(|s| s.as_str() != *name) {
            continue;
        }
        let left = limit - rows.len() as i64;
        if left <= 0 {
            break;
        }
        let mut query = alerts::table
            .inner_join(integrations::table)
            .filter(matching(conn, tenant_id, filter))
            .filter(alerts::severity.eq(*name))
            .select((Alert::as_select(), integrations::name))
            .order(alerts::id.asc())
            .limit(left)
            .into_boxed();
        if let Some(id) = after_id.filter(|_| rank == from_rank) {
            query = query.filter(alerts::id.gt(id.to_owned()));
        }
        rows.extend(query.load(conn)?);
    }
    Ok(rows)
}

/// The ids of up to `limit` alerts the filter matches, oldest first.
pub fn matching_ids(
    conn: &mut DbConnection,
    tenant_id: &str,
    filter: &AlertFilter,
    limit: i64,
) -> QueryResult<Vec<String>> {
    alerts::table
        .inner_join(integrations::table)
        .filter(matching(conn, tenant_id, filter))
        .select(alerts::id)
        .order(alerts::id.asc())
        .limit(limit)
        .load(conn)
}

/// How many alerts the filter matches, counting at most `cap` (a page view's bound: past the
/// bulk limit the exact number changes nothing, and counting a whole history per page is not
/// free).
pub fn count_matching_up_to(
    conn: &mut DbConnection,
    tenant_id: &str,
    filter: &AlertFilter,
    cap: i64,
) -> QueryResult<i64> {
    Ok(matching_ids(conn, tenant_id, filter, cap)?.len() as i64)
}

/// How many alerts the filter matches.
pub fn count_matching(conn: &mut DbConnection, tenant_id: &str, filter: &AlertFilter) -> QueryResult<i64> {
    alerts::table
        .inner_join(integrations::table)
        .filter(matching(conn, tenant_id, filter))
        .select(count_star())
        .first(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_in_every_order() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).and_then(|d| d.and_hms_micro_opt(6, 30, 1, 123_456));
        let Some(at) = at else { panic!("a valid time") };
        let id = "01a238c7-5cc1-702e-a71a-a2f56cccf97f".to_owned();
        assert_eq!(AlertSort::Newest.parse_position(&id), Some(Position::Id(id.clone())));
        let ranked = format!("1.{id}");
        assert_eq!(AlertSort::Severity.parse_position(&ranked), Some(Position::Rank(1, id.clone())));
        let timed = format!("{}.{id}", at.and_utc().timestamp_micros());
        assert_eq!(AlertSort::LastSeen.parse_position(&timed), Some(Position::Time(at, id.clone())));
    }

    #[test]
    fn foreign_positions_are_refused() {
        assert_eq!(AlertSort::Severity.parse_position("9.x"), None);
        assert_eq!(AlertSort::Severity.parse_position("no-dot"), None);
        assert_eq!(AlertSort::FirstSeen.parse_position("soon.x"), None);
    }

    #[test]
    fn names_and_sorts_agree() {
        for name in AlertSort::NAMES {
            assert_eq!(AlertSort::parse(name).map(AlertSort::as_str), Some(*name));
        }
        assert_eq!(StatusFilter::parse("open"), Some(StatusFilter::Open));
        assert_eq!(StatusFilter::parse("resolved"), Some(StatusFilter::Is(AlertStatus::Resolved)));
    }
}
