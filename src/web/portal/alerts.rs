//! The triage list: the open queue by severity by default, tabs with the open counts, sortable
//! columns, and checkboxes for the bulk bar (see `alert_bulk`).

use std::rc::Rc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::error::PortalError;
use super::session::PortalUser;
use super::view::{Choice, Directory, Layout, Pager, assignee_view, choices, html, query_string, when};
use crate::commands::BULK_MAX;
use crate::db::DbError;
use crate::db::models::Alert;
use crate::db::queries::alerts::{self, AlertFilter, AlertSort, StatusFilter};
use crate::db::queries::{portal_sessions, users};
use crate::domain::alert::{AlertStatus, Severity};
use crate::domain::now;
use crate::domain::role::Permission;
use crate::web::event_stream::{self, StillAllowed};
use crate::web::pagination::take_page;
use crate::web::state::AppState;

const PAGE: i64 = 50;

pub struct AlertRow {
    pub id: String,
    pub severity: String,
    pub status: String,
    pub summary: String,
    pub integration: String,
    pub resource: String,
    pub assignee: String,
    pub event_count: i64,
    pub last_seen: String,
    /// "3 min ago", with `last_seen` on hover.
    pub last_seen_ago: String,
}

impl AlertRow {
    pub fn new(alert: Alert, integration: String, users: &Directory) -> Self {
        Self {
            assignee: alert.assignee_id.as_deref().map_or_else(|| "—".to_owned(), |id| users.name(id)),
            id: alert.id,
            severity: alert.severity,
            status: alert.status,
            summary: alert.summary,
            integration,
            resource: alert.resource.unwrap_or_default(),
            event_count: alert.event_count,
            last_seen: when(alert.last_seen_at),
            last_seen_ago: ago(alert.last_seen_at, now()),
        }
    }
}

/// How long before `now` `at` was, the way people say it.
fn ago(at: NaiveDateTime, now: NaiveDateTime) -> String {
    let seconds = (now - at).num_seconds().max(0);
    match seconds {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} d ago", seconds / 86_400),
    }
}

pub struct Tab {
    /// The status it lists (`open`, `triggered`, …), which the live list updates counts by.
    pub key: String,
    pub label: String,
    pub href: String,
    /// Shown for the open statuses only (see `alerts::count_open`).
    pub count: Option<i64>,
    pub current: bool,
}

/// A sortable column header.
pub struct SortLink {
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct ListPage {
    layout: Layout,
    tabs: Vec<Tab>,
    views: Vec<Tab>,
    severities: Vec<Choice>,
    sorts: [SortLink; 4],
    query: ListQuery,
    can_triage: bool,
    /// How many alerts the filter matches, for "select all N matching" (counted up to the bulk
    /// limit: past it, "more than 10000").
    matching: String,
    rows: Vec<AlertRow>,
    pager: Pager,
}

/// The list's query. Empty `status` is the open queue (`all` lists every status); empty `sort`
/// is by severity.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub severity: String,
    /// `mine`, `unassigned` or empty for everyone's.
    #[serde(default)]
    pub view: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub cursor: String,
}

impl ListQuery {
    fn status(&self) -> Option<StatusFilter> {
        match self.status.as_str() {
            "" => Some(StatusFilter::Open),
            "all" => None,
            other => StatusFilter::parse(other),
        }
    }

    fn sort(&self) -> AlertSort {
        AlertSort::parse(&self.sort).unwrap_or(AlertSort::Severity)
    }

    /// This list's query string, on another page of it.
    pub fn link_query(&self, cursor: &str) -> String {
        self.with(&self.status, &self.view, &self.sort, cursor)
    }

    fn with(&self, status: &str, view: &str, sort: &str, cursor: &str) -> String {
        query_string(&[
            ("status", status),
            ("severity", &self.severity),
            ("view", view),
            ("q", &self.q),
            ("sort", sort),
            ("cursor", cursor),
        ])
    }
}

/// The filter the list's query asks for.
pub fn filter_of(query: &ListQuery, user: &PortalUser) -> AlertFilter {
    AlertFilter {
        status: query.status(),
        severity: Severity::parse(&query.severity),
        assignee: assignee_view(&query.view, user),
        text: Some(query.q.trim().to_owned()).filter(|t| !t.is_empty()),
    }
}

pub async fn list(
    state: web::Data<AppState>,
    user: PortalUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PortalError> {
    let q = query.into_inner();
    let (filter, sort) = (filter_of(&q, &user), q.sort());
    let after = sort.parse_position(&q.cursor).filter(|_| !q.cursor.is_empty());
    let first_page = after.is_none();
    let tenant_id = user.tenant.id.clone();
    let (rows, counts, people, matching) = state
        .db
        .run(move |conn| {
            let rows = alerts::list(conn, &tenant_id, &filter, sort, after.as_ref(), PAGE + 1)?;
            // A short first page is all there is; otherwise count, for "select all N".
            let matching = if first_page && rows.len() as i64 <= PAGE {
                rows.len() as i64
            } else {
                alerts::count_matching_up_to(conn, &tenant_id, &filter, BULK_MAX as i64 + 1)?
            };
            let counts = alerts::count_open(conn, &tenant_id)?;
            Ok::<_, PortalError>((rows, counts, users::list(conn, &tenant_id)?, matching))
        })
        .await?;
    let people = Directory::new(people);
    let (rows, next) = take_page(rows, PAGE, |(a, _)| sort.position(a));
    let rows: Vec<AlertRow> = rows.into_iter().map(|(a, name)| AlertRow::new(a, name, &people)).collect();
    let current = if q.status.is_empty() { "open" } else { q.status.as_str() };
    let tab = |label: &str, status: &str, count: Option<i64>| Tab {
        key: status.into(),
        label: label.into(),
        href: format!("/portal/alerts{}", q.with(if status == "open" { "" } else { status }, &q.view, &q.sort, "")),
        count,
        current: current == status,
    };
    let mut tabs = vec![tab("Open", "open", Some(counts.open()))];
    for s in AlertStatus::ALL {
        tabs.push(tab(&super::error::capitalize(s), s, counts.of(s)));
    }
    tabs.push(tab("All", "all", None));
    let views = [("", "Everyone's"), ("mine", "Mine"), ("unassigned", "Unassigned")]
        .into_iter()
        .map(|(v, label)| Tab {
            key: v.into(),
            label: label.into(),
            href: format!("/portal/alerts{}", q.with(&q.status, v, &q.sort, "")),
            count: None,
            current: q.view == v,
        })
        .collect();
    let sort_link = |s: AlertSort| SortLink {
        href: format!("/portal/alerts{}", q.with(&q.status, &q.view, s.as_str(), "")),
        current: s == sort,
    };
    let sorts = [AlertSort::Severity, AlertSort::Newest, AlertSort::LastSeen, AlertSort::FirstSeen].map(sort_link);
    let next = next.map(|position| format!("/portal/alerts{}", q.link_query(&position)));
    // The tab's title says how many alerts are still waiting for someone.
    let title = match counts.triggered {
        0 => "Alerts".to_owned(),
        waiting => format!("({waiting}) Alerts"),
    };
    let page = ListPage {
        layout: Layout::new(&user, "alerts", title),
        tabs,
        views,
        severities: choices(Severity::ALL, &q.severity),
        sorts,
        can_triage: user.may(Permission::TriageAlerts),
        matching: match matching {
            n if n > BULK_MAX as i64 => format!("more than {BULK_MAX}"),
            n => n.to_string(),
        },
        rows,
        pager: Pager { label: "More alerts", next },
        query: q,
    };
    html(StatusCode::OK, &page)
}

/// The live list's feed: the same events as `GET /api/v1/alerts/stream`, for the session.
pub async fn stream(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PortalUser,
) -> Result<HttpResponse, PortalError> {
    let (db, sid) = (state.db.clone(), user.session_id());
    let allowed: StillAllowed = Rc::new(move || {
        let (db, sid) = (db.clone(), sid.clone());
        Box::pin(async move {
            let found = db.run(move |conn| portal_sessions::active(conn, &sid, now()).map_err(DbError::from)).await;
            !matches!(found, Ok(None))
        })
    });
    Ok(event_stream::respond(&state.feed, &user.tenant.id, event_stream::last_event_id(&req), allowed).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_people_say_them() {
        let now = chrono::DateTime::from_timestamp(1_000_000, 0).map(|t| t.naive_utc()).unwrap_or_default();
        let before = |s: i64| now - chrono::Duration::seconds(s);
        assert_eq!(ago(before(5), now), "just now");
        assert_eq!(ago(before(180), now), "3 min ago");
        assert_eq!(ago(before(7200), now), "2 h ago");
        assert_eq!(ago(before(3 * 86_400), now), "3 d ago");
        assert_eq!(ago(now + chrono::Duration::seconds(30), now), "just now", "a clock ahead is not negative");
    }
}
