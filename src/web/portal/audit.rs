//! The audit trail: filters, pages, the chain's verification on request, and JSON-lines export.
//!
//! Verifying recomputes every hash of the tenant's chain, work that grows with the chain, so
//! the page does it when asked (Verify chain) rather than on every view.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::error::PortalError;
use super::session::PortalUser;
use super::view::{Choice, Directory, HistoryRow, Layout, Pager, html, query_string};
use crate::audit_trail::{self, VerifyReport};
use crate::db::queries::audit::{self, AuditFilter};
use crate::db::queries::users;
use crate::web::internal_error::InternalError;
use crate::web::pagination::take_page;
use crate::web::state::AppState;

const PAGE: i64 = 100;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    /// `None` until the viewer asks for a verification.
    verify: Option<VerifyReport>,
    verify_link: String,
    actions: Vec<Choice>,
    actors: Vec<Choice>,
    target: String,
    since: String,
    until: String,
    rows: Vec<HistoryRow>,
    pager: Pager,
    message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    target: String,
    /// `YYYY-MM-DDTHH:MM` in UTC, as a `datetime-local` input sends it.
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    cursor: String,
    /// Any value: recompute the chain for this view.
    #[serde(default)]
    verify: String,
}

fn parse_time(raw: &str, field: &str, problems: &mut Vec<String>) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(raw).map(|t| t.naive_utc()));
    match parsed {
        Ok(t) => Some(t),
        Err(_) => {
            problems.push(format!("{field}: use a date and time such as 2026-11-27T12:00"));
            None
        }
    }
}

pub async fn list(
    state: web::Data<AppState>,
    user: PortalUser,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, PortalError> {
    let q = query.into_inner();
    let mut problems = Vec::new();
    let filter = AuditFilter {
        action: Some(q.action.clone()).filter(|a| !a.is_empty()),
        actor_id: Some(q.actor.clone()).filter(|a| !a.is_empty()),
        target_id: Some(q.target.trim().to_owned()).filter(|t| !t.is_empty()),
        since: parse_time(&q.since, "From", &mut problems),
        until: parse_time(&q.until, "Until", &mut problems),
    };
    let before = q.cursor.parse::<i64>().ok();
    let tenant_id = user.tenant.id.clone();
    let check_chain = !q.verify.is_empty();
    let (rows, verify, people) = state
        .db
        .run(move |conn| {
            let rows = audit::list(conn, &tenant_id, &filter, before, PAGE + 1)?;
            let verify = if check_chain { Some(audit_trail::verify(conn, &tenant_id)?) } else { None };
            Ok::<_, PortalError>((rows, verify, users::list(conn, &tenant_id)?))
        })
        .await?;
    let people = Directory::new(people);
    let (rows, next) = take_page(rows, PAGE, |e| e.seq.to_string());
    let rows: Vec<HistoryRow> = rows.into_iter().map(|e| HistoryRow::new(e, &people)).collect();
    // This page with the same filters; empty values are left out.
    let link = |cursor: &str, verify: &str| {
        let pairs = [
            ("action", q.action.as_str()),
            ("actor", &q.actor),
            ("target", &q.target),
            ("since", &q.since),
            ("until", &q.until),
            ("cursor", cursor),
            ("verify", verify),
        ];
        format!("/portal/audit{}", query_string(&pairs))
    };
    let next = next.map(|seq| link(&seq, ""));
    let verify_link = link(&q.cursor, "1");
    let mut actions = vec![Choice { value: String::new(), label: "Any action".into(), selected: q.action.is_empty() }];
    actions.extend(crate::domain::audit::AuditAction::ALL.iter().map(|a| Choice {
        value: (*a).into(),
        label: (*a).into(),
        selected: q.action == *a,
    }));
    let mut actors = vec![Choice { value: String::new(), label: "Anyone".into(), selected: q.actor.is_empty() }];
    actors.extend(people.choices().into_iter().map(|(id, label)| Choice { selected: id == q.actor, value: id, label }));
    let page = AuditPage {
        layout: Layout::new(&user, "audit", "Audit trail"),
        verify,
        verify_link,
        actions,
        actors,
        target: q.target,
        since: q.since,
        until: q.until,
        rows,
        pager: Pager { label: "Older entries", next },
        message: (!problems.is_empty()).then(|| problems.join(". ")),
    };
    let status = if page.message.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    html(status, &page)
}

/// The tenant's whole chain, oldest first, one JSON object per line.
pub async fn export(state: web::Data<AppState>, user: PortalUser) -> Result<HttpResponse, PortalError> {
    let tenant_id = user.tenant.id.clone();
    let body = state
        .db
        .run(move |conn| {
            let mut out = Vec::new();
            audit_trail::export(conn, &tenant_id, &mut out)
                .map_err(|e| PortalError::Internal(InternalError::caused_by("exporting the audit trail failed", e)))?;
            Ok::<_, PortalError>(out)
        })
        .await?;
    let filename = format!("audit-{}.jsonl", user.tenant.slug);
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/x-ndjson"))
        .insert_header((CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")))
        .body(body))
}
