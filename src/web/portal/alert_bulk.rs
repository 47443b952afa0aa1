//! The alert list's bulk bar: the ticked alerts, or every alert the list's filter matches,
//! acknowledged, assigned to the operator, unassigned or resolved in one request. A plain
//! form, so it works without JavaScript.

use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};

use super::alerts::{ListQuery, filter_of};
use super::error::PortalError;
use super::session::PortalUser;
use crate::commands::{BULK_MAX, BulkSummary};
use crate::db::queries::alerts;
use crate::domain::alert::TriageAction;
use crate::domain::ids::parse_id;
use crate::domain::role::Permission;
use crate::web::state::AppState;

/// The form's fields: `csrf`, `action`, any number of `ids`, or `all_matching` with the list's
/// own filter fields.
#[derive(Debug, Default)]
struct BulkForm {
    csrf: Option<String>,
    action: String,
    ids: Vec<String>,
    all_matching: bool,
    list: ListQuery,
}

impl BulkForm {
    /// Repeated `ids` fields are why this is not a `web::Form`.
    fn parse(body: &[u8]) -> Self {
        let mut form = BulkForm::default();
        for (key, value) in form_urlencoded::parse(body) {
            let value = value.into_owned();
            match key.as_ref() {
                "csrf" => form.csrf = Some(value),
                "action" => form.action = value,
                "ids" => form.ids.push(value),
                "all_matching" => form.all_matching = value == "1",
                "status" => form.list.status = value,
                "severity" => form.list.severity = value,
                "view" => form.list.view = value,
                "q" => form.list.q = value,
                "sort" => form.list.sort = value,
                _ => {}
            }
        }
        form
    }
}

pub async fn bulk(state: web::Data<AppState>, user: PortalUser, body: web::Bytes) -> Result<HttpResponse, PortalError> {
    let form = BulkForm::parse(&body);
    user.authorize(form.csrf.as_deref(), Permission::TriageAlerts)?;
    let back = format!("/portal/alerts{}", form.list.link_query(""));
    let action = match form.action.as_str() {
        "acknowledge" => TriageAction::Acknowledge,
        "assign" => TriageAction::Assign(user.user.id.clone()),
        "unassign" => TriageAction::Unassign,
        "resolve" => TriageAction::Resolve,
        _ => return Err(PortalError::NotFound("action".into())),
    };
    let ids = if form.all_matching {
        let (tenant_id, filter) = (user.tenant.id.clone(), filter_of(&form.list, &user));
        let ids = state
            .db
            .run(move |conn| {
                alerts::matching_ids(conn, &tenant_id, &filter, BULK_MAX as i64 + 1).map_err(PortalError::from)
            })
            .await?;
        if ids.len() > BULK_MAX {
            user.flash(false, format!("More than {BULK_MAX} alerts match this filter. Narrow it first."));
            return Ok(see_other(back));
        }
        ids
    } else {
        form.ids.iter().filter_map(|id| parse_id(id)).collect()
    };
    if ids.is_empty() {
        user.flash(false, "Select at least one alert first.");
        return Ok(see_other(back));
    }
    match state.tenants.bulk_triage(&user.tenant.id, &user.context(), ids, &action).await {
        Ok(summary) => user.flash(summary.failed == 0, report(&summary)),
        Err(error) => user.flash(false, super::error::refusal(error)?),
    }
    Ok(see_other(back))
}

fn report(summary: &BulkSummary) -> String {
    let conflicted = summary.results.iter().filter(|r| r.outcome == crate::commands::BulkOutcome::Conflict).count();
    let mut text = format!("{} changed, {} already so", summary.changed, summary.unchanged);
    if conflicted > 0 {
        text.push_str(&format!(", {conflicted} conflicted (resolved alerts cannot be changed)"));
    }
    let missing = summary.failed - conflicted;
    if missing > 0 {
        text.push_str(&format!(", {missing} no longer found"));
    }
    text.push('.');
    text
}

fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((LOCATION, location)).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_keeps_every_ticked_id_and_the_filter() {
        let form = BulkForm::parse(b"csrf=t&action=resolve&ids=a&ids=b&status=open&q=disk%20full&all_matching=1");
        assert_eq!((form.csrf.as_deref(), form.action.as_str()), (Some("t"), "resolve"));
        assert_eq!(form.ids, ["a", "b"]);
        assert!(form.all_matching);
        assert_eq!((form.list.status.as_str(), form.list.q.as_str()), ("open", "disk full"));
    }
}
