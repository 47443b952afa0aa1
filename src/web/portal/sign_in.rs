//! The database side of signing in, in two short steps around the password check (which runs
//! with no connection held, see `hashing`): find the account, then record the outcome: a
//! session and `auth.login`, or `auth.login_failed` (aggregated per address and minute, see
//! `failed_sign_ins`).

use std::net::IpAddr;

use chrono::Duration;
use serde_json::json;

use super::error::PortalError;
use super::failed_sign_ins::{FailedSignIns, Summary};
use crate::commands::{CommandContext, CommandError, transaction};
use crate::db::models::{PortalSession, Tenant, User};
use crate::db::queries::{portal_sessions, tenants, users};
use crate::domain::actor::{Actor, Channel, Role};
use crate::domain::audit::AuditAction;
use crate::domain::{ids, now};
use crate::web::state::AppState;

/// Longest username (and organisation) looked up or written to the audit trail; longer input
/// cannot name an account, and quoting it whole would let anyone grow the permanent chain.
pub const NAME_MAX: usize = 255;

pub struct Attempt {
    pub username: String,
    pub address: Option<IpAddr>,
    pub request_id: Option<String>,
}

pub fn bounded(value: &str) -> String {
    crate::domain::truncate_chars(value, NAME_MAX)
}

/// The organisation and the user a sign-in names, if they exist.
pub async fn find(
    state: &AppState,
    slug: String,
    username: String,
) -> Result<(Option<Tenant>, Option<User>), PortalError> {
    state
        .db
        .run(move |conn| {
            let Some(tenant) = tenants::by_slug(conn, &slug)? else { return Ok((None, None)) };
            // A disabled user is refused like an unknown one.
            let user = users::by_username(conn, &tenant.id, &username)?.filter(|u| u.disabled_at.is_none());
            Ok((Some(tenant), user))
        })
        .await
}

/// Opens a session for the user and audits `auth.login`; returns the session id.
pub async fn succeeded(
    state: &AppState,
    tenant: Tenant,
    user: User,
    attempt: Attempt,
    hours: i64,
) -> Result<String, PortalError> {
    let role = Role::parse(&user.role).ok_or_else(|| PortalError::Internal("user has an unknown role".into()))?;
    state
        .db
        .run(move |conn| {
            transaction(conn, &tenant.id, |tx| {
                let session = PortalSession {
                    id: ids::new_id(),
                    tenant_id: tenant.id.clone(),
                    user_id: user.id.clone(),
                    created_at: now(),
                    expires_at: now() + Duration::hours(hours),
                    ended_at: None,
                };
                portal_sessions::insert(tx.conn, &session)?;
                let ctx = CommandContext {
                    actor: Actor::User { id: user.id.clone(), name: user.username.clone(), role },
                    channel: Channel::Http,
                    request_id: attempt.request_id,
                };
                let address = attempt.address.map(|a| a.to_string());
                tx.audit.record(&ctx, AuditAction::AuthLogin, "user", &user.id, json!({"address": address}));
                Ok(session.id)
            })
            .map_err(PortalError::from)
        })
        .await
}

/// Audits a failed sign-in in an organisation that exists, unless its address has already
/// had its individual entries this minute (then it is only counted); writes the summaries of
/// minutes that are over.
pub async fn failed(
    state: &AppState,
    log: &FailedSignIns,
    tenant: Tenant,
    user: Option<User>,
    attempt: Attempt,
) -> Result<(), PortalError> {
    let minute = chrono::Utc::now().timestamp().div_euclid(60);
    let individual = log.admit(&tenant.id, attempt.address, minute);
    let summaries = log.closed_before(minute);
    if !individual && summaries.is_empty() {
        return Ok(());
    }
    state
        .db
        .run(move |conn| {
            if individual {
                transaction(conn, &tenant.id, |tx| {
                    let ctx = CommandContext { actor: Actor::System, channel: Channel::Http, request_id: attempt.request_id };
                    let target = user.as_ref().map_or(attempt.username.as_str(), |u| u.id.as_str());
                    let reason = if user.is_some() { "wrong password" } else { "unknown user" };
                    let changes = json!({"username": attempt.username, "address": attempt.address.map(|a| a.to_string()), "reason": reason});
                    tx.audit.record(&ctx, AuditAction::AuthLoginFailed, "user", target, changes);
                    Ok(())
                })?;
            }
            write_summaries(conn, summaries)
        })
        .await
        .map_err(PortalError::from)
}

/// Writes the summaries of minutes that are over; run every minute so the last minute of a
/// flood is recorded even if nothing fails after it.
pub async fn flush(state: &AppState, log: &FailedSignIns) -> Result<(), PortalError> {
    let summaries = log.closed_before(chrono::Utc::now().timestamp().div_euclid(60));
    if summaries.is_empty() {
        return Ok(());
    }
    state.db.run(move |conn| write_summaries(conn, summaries)).await.map_err(PortalError::from)
}

fn write_summaries(conn: &mut crate::db::DbConnection, summaries: Vec<Summary>) -> Result<(), CommandError> {
    for summary in summaries {
        let ctx = CommandContext { actor: Actor::System, channel: Channel::Http, request_id: None };
        let address = summary.address.map_or_else(|| "other addresses".to_owned(), |a| a.to_string());
        let minute = chrono::DateTime::from_timestamp(summary.minute * 60, 0).map(|t| t.to_rfc3339());
        transaction(conn, &summary.tenant_id, |tx| {
            let changes = json!({"address": address, "minute": minute, "aggregated": summary.suppressed,
                "reason": "further failed sign-ins from this address in this minute, counted"});
            tx.audit.record(&ctx, AuditAction::AuthLoginFailed, "address", &address, changes);
            Ok(())
        })?;
    }
    Ok(())
}
