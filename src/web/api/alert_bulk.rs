//! `POST /alerts/bulk`: one triage action on up to [`BULK_MAX`] alerts named by id or by the
//! list's filters, alert by alert (docs/SPEC.md §3).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::alert_triage::assignee_of;
use super::alerts::FilterFields;
use super::author;
use crate::commands::{BULK_MAX, BulkSummary};
use crate::db::queries::alerts;
use crate::domain::alert::TriageAction;
use crate::domain::ids::parse_id;
use crate::domain::role::Permission;
use crate::domain::validation::FieldErrors;
use crate::web::auth::Caller;
use crate::web::body::{Mutation, MutationBody};
use crate::web::error::ApiError;
use crate::web::error::Problem;
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/alerts/bulk", web::post().to(bulk));
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BulkBody {
    /// `acknowledge`, `unacknowledge`, `assign`, `unassign` or `resolve`.
    action: Option<String>,
    /// The alerts, by id: this or `filter`.
    ids: Option<Vec<String>>,
    /// The alerts the list's filters match: this or `ids`.
    filter: Option<FilterFields>,
    /// For `assign`: the caller's own user id (operators assign alerts only to themselves).
    assignee_id: Option<String>,
}

impl MutationBody for BulkBody {
    const PERMISSION: Permission = Permission::TriageAlerts;

    /// Room for [`BULK_MAX`] ids, whatever the configured limit for other bodies.
    fn body_limit(configured: usize) -> usize {
        configured.max(BULK_MAX * 48 + 4096)
    }
}

/// The alerts a bulk request names, with the ids that cannot be ids of anything.
enum Target {
    Ids { ids: Vec<String>, malformed: Vec<String> },
    Filter(alerts::AlertFilter),
}

/// Acknowledge, unacknowledge, assign to yourself, unassign or resolve many alerts at once
#[utoipa::path(
    post,
    path = "/api/v1/alerts/bulk",
    tag = "alerts",
    request_body = BulkBody,
    responses((status = 200, description = "What happened to each alert; one alert's conflict never fails the others", body = BulkSummary), (status = 403, description = "Auditors are read-only; operators assign alerts only to themselves", body = Problem, content_type = "application/problem+json"), (status = 404, description = "The assignee is not a user of the caller's tenant", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields, or more than 10,000 alerts named or matched", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
async fn bulk(state: web::Data<AppState>, mutation: Mutation<BulkBody>) -> Result<HttpResponse, ApiError> {
    let Mutation { caller, body } = mutation;
    let mut errors = FieldErrors::default();
    let action = bulk_action(body.action.as_deref(), &mut errors);
    let target = target(body.ids, body.filter, &caller, &mut errors);
    let (action, target) = errors.into_parsed(action.zip(target))?;
    let action = match action {
        BulkAction::Triage(action) => action,
        BulkAction::Assign => {
            let assignee = assignee_of(&state, &caller, body.assignee_id).await?;
            if assignee != caller.user.id {
                return Err(ApiError::Forbidden("operators may assign alerts only to themselves".into()));
            }
            TriageAction::Assign(assignee)
        }
    };
    let ctx = author(&caller, Permission::TriageAlerts)?;
    let (ids, malformed) = match target {
        Target::Ids { ids, malformed } => (ids, malformed),
        Target::Filter(filter) => (matching(&state, &caller, filter).await?, Vec::new()),
    };
    let mut summary = state.tenants.bulk_triage(&caller.tenant.id, &ctx, ids, &action).await?;
    summary.add_not_found(malformed);
    Ok(HttpResponse::Ok().json(summary))
}

/// What a bulk request does; `assign` needs its assignee looked up before it is a triage action.
enum BulkAction {
    Triage(TriageAction),
    Assign,
}

fn bulk_action(raw: Option<&str>, errors: &mut FieldErrors) -> Option<BulkAction> {
    let action = match raw {
        None => {
            errors.add("action", "is required");
            return None;
        }
        Some("assign") => BulkAction::Assign,
        Some("acknowledge") => BulkAction::Triage(TriageAction::Acknowledge),
        Some("unacknowledge") => BulkAction::Triage(TriageAction::Unacknowledge),
        Some("unassign") => BulkAction::Triage(TriageAction::Unassign),
        Some("resolve") => BulkAction::Triage(TriageAction::Resolve),
        Some(_) => {
            errors.add("action", "must be one of: acknowledge, unacknowledge, assign, unassign, resolve");
            return None;
        }
    };
    Some(action)
}

fn target(
    ids: Option<Vec<String>>,
    filter: Option<FilterFields>,
    caller: &Caller,
    errors: &mut FieldErrors,
) -> Option<Target> {
    match (ids, filter) {
        (Some(_), Some(_)) | (None, None) => {
            errors.add("ids", "give either `ids` or `filter`");
            None
        }
        (Some(ids), None) if ids.is_empty() => {
            errors.add("ids", "must name at least one alert");
            None
        }
        (Some(ids), None) if ids.len() > BULK_MAX => {
            errors.add("ids", format!("names {} alerts; at most {BULK_MAX} are changed at once", ids.len()));
            None
        }
        (Some(raw), None) => {
            let (mut ids, mut malformed) = (Vec::with_capacity(raw.len()), Vec::new());
            for id in raw {
                match parse_id(&id) {
                    Some(id) => ids.push(id),
                    None => malformed.push(id),
                }
            }
            Some(Target::Ids { ids, malformed })
        }
        (None, Some(fields)) => Some(Target::Filter(fields.parse(caller, errors))),
    }
}

/// The ids the filter matches, or 422 naming the count when they are more than [`BULK_MAX`].
async fn matching(state: &AppState, caller: &Caller, filter: alerts::AlertFilter) -> Result<Vec<String>, ApiError> {
    let tenant_id = caller.tenant.id.clone();
    state
        .db
        .run(move |conn| {
            let ids =
                alerts::matching_ids(conn, &tenant_id, &filter, BULK_MAX as i64 + 1).map_err(ApiError::from_query)?;
            if ids.len() <= BULK_MAX {
                return Ok(ids);
            }
            let count = alerts::count_matching(conn, &tenant_id, &filter).map_err(ApiError::from_query)?;
            Err(FieldErrors::single(
                "filter",
                format!("matches {count} alerts; at most {BULK_MAX} are changed at once, narrow the filter"),
            )
            .into())
        })
        .await
}
