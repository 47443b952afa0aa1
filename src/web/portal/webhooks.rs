//! Webhook subscriptions and their delivery log. Every role reads; operators re-send; admins
//! change the subscriptions (`admin_webhooks`). Secrets are never shown after they are made.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::{PortalError, refusal};
use super::session::PortalUser;
use super::view::{Layout, Pager, html, query_string, when};
use crate::commands::webhook_subscriptions as manage;
use crate::db::models::{WebhookDelivery, WebhookSubscription};
use crate::db::queries::{webhook_deliveries, webhook_subscriptions};
use crate::domain::ids::parse_id;
use crate::domain::role::Permission;
use crate::web::pagination::take_page;
use crate::web::state::AppState;

const PAGE: i64 = 50;
const STATUSES: [&str; 3] = [webhook_deliveries::PENDING, webhook_deliveries::DELIVERED, webhook_deliveries::FAILED];

pub struct WebhookRow {
    pub id: String,
    /// Redacted: query values may be tokens.
    pub url: String,
    pub event_types: String,
    /// `enabled`, `disabled` or `failing`.
    pub state: &'static str,
    pub state_note: String,
    pub created: String,
}

impl WebhookRow {
    fn new(sub: WebhookSubscription) -> Self {
        let event_types = serde_json::from_str::<Vec<String>>(&sub.event_types)
            .map(|types| types.join(", "))
            .unwrap_or(sub.event_types);
        let (state, state_note) = if sub.enabled != 1 {
            ("disabled", sub.disabled_reason.unwrap_or_default())
        } else if let Some(since) = sub.failing_since {
            ("failing", format!("since {}, {} failed attempts in a row", when(since), sub.consecutive_failures))
        } else {
            ("enabled", String::new())
        };
        let url = crate::webhooks::redact_url(&sub.url);
        Self { id: sub.id, url, event_types, state, state_note, created: when(sub.created_at) }
    }
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<WebhookRow>,
}

pub async fn list(state: web::Data<AppState>, user: PortalUser) -> Result<HttpResponse, PortalError> {
    let tenant_id = user.tenant.id.clone();
    let subs =
        state.db.run(move |conn| webhook_subscriptions::list(conn, &tenant_id).map_err(PortalError::from)).await?;
    let page = ListPage {
        layout: Layout::new(&user, "webhooks", "Webhooks"),
        rows: subs.into_iter().map(WebhookRow::new).collect(),
    };
    html(StatusCode::OK, &page)
}

pub struct DeliveryRow {
    pub id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i64,
    pub created: String,
    pub last_attempt: String,
    pub last_status_code: String,
    pub last_error: String,
    pub next_attempt: String,
    pub can_resend: bool,
}

impl DeliveryRow {
    fn new(d: WebhookDelivery, operator: bool) -> Self {
        let pending = d.status == webhook_deliveries::PENDING;
        Self {
            can_resend: operator && !pending,
            next_attempt: if pending { when(d.next_attempt_at) } else { String::new() },
            id: d.id,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts,
            created: when(d.created_at),
            last_attempt: d.last_attempt_at.map(when).unwrap_or_default(),
            last_status_code: d.last_status_code.map(|c| c.to_string()).unwrap_or_default(),
            last_error: d.last_error.unwrap_or_default(),
        }
    }
}

/// A status filter link: label, href, and whether it is the current one.
pub struct Filter {
    pub label: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct DetailPage {
    layout: Layout,
    webhook: WebhookRow,
    filters: Vec<Filter>,
    rows: Vec<DeliveryRow>,
    pager: Pager,
    can_resend_failed: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct DeliveriesQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    cursor: String,
}

pub async fn show(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    query: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, PortalError> {
    let id = parse_id(&path).ok_or_else(|| PortalError::NotFound("webhook".into()))?;
    let q = query.into_inner();
    let status = STATUSES.iter().find(|s| **s == q.status).map(|s| (*s).to_owned());
    let before = parse_id(&q.cursor);
    let tenant_id = user.tenant.id.clone();
    let filter = status.clone();
    let (found, rows) = state
        .db
        .run(move |conn| {
            let Some(sub) = webhook_subscriptions::by_id(conn, &tenant_id, &id)? else {
                return Ok::<_, PortalError>((None, Vec::new()));
            };
            let rows = webhook_deliveries::list(conn, &tenant_id, &id, filter.as_deref(), before.as_deref(), PAGE + 1)?;
            Ok((Some(sub), rows))
        })
        .await?;
    let sub = found.ok_or_else(|| PortalError::NotFound("webhook".into()))?;
    let operator = user.may(Permission::ResendWebhooks);
    let status = status.unwrap_or_default();
    let base = format!("/portal/webhooks/{}", sub.id);
    let link =
        |status: &str, cursor: &str| format!("{base}{}", query_string(&[("status", status), ("cursor", cursor)]));
    let (rows, next) = take_page(rows, PAGE, |d| d.id.clone());
    let rows: Vec<DeliveryRow> = rows.into_iter().map(|d| DeliveryRow::new(d, operator)).collect();
    let next = next.map(|id| link(&status, &id));
    let mut filters = vec![Filter { label: "All".into(), href: link("", ""), current: status.is_empty() }];
    filters.extend(STATUSES.iter().map(|s| Filter {
        label: super::error::capitalize(s),
        href: link(s, ""),
        current: status == *s,
    }));
    let webhook = WebhookRow::new(sub);
    let page = DetailPage {
        layout: Layout::new(&user, "webhooks", webhook.url.clone()),
        webhook,
        filters,
        rows,
        pager: Pager { label: "Older deliveries", next },
        can_resend_failed: operator,
    };
    html(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
pub struct ResendForm {
    csrf: Option<String>,
}

pub async fn resend_one(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<(String, String)>,
    form: web::Form<ResendForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::ResendWebhooks)?;
    let (raw_id, raw_delivery) = path.into_inner();
    let id = parse_id(&raw_id).ok_or_else(|| PortalError::NotFound("webhook".into()))?;
    let delivery_id = parse_id(&raw_delivery).ok_or_else(|| PortalError::NotFound("delivery".into()))?;
    resend(&state, &user, id, Some(delivery_id)).await
}

pub async fn resend_failed(
    state: web::Data<AppState>,
    user: PortalUser,
    path: web::Path<String>,
    form: web::Form<ResendForm>,
) -> Result<HttpResponse, PortalError> {
    user.authorize(form.csrf.as_deref(), Permission::ResendWebhooks)?;
    let id = parse_id(&path).ok_or_else(|| PortalError::NotFound("webhook".into()))?;
    resend(&state, &user, id, None).await
}

/// Queues the delivery (or every failed one) again, then back to the log with a notice.
async fn resend(
    state: &AppState,
    user: &PortalUser,
    id: String,
    delivery_id: Option<String>,
) -> Result<HttpResponse, PortalError> {
    let (ctx, tenant_id, sub_id, one) = (user.context(), user.tenant.id.clone(), id.clone(), delivery_id.is_some());
    let result = state
        .db
        .run(move |conn| Ok::<_, PortalError>(manage::resend(conn, &ctx, &tenant_id, &sub_id, delivery_id.as_deref())))
        .await?;
    match result {
        Ok(_) if one => user.flash(true, "Delivery queued to be sent again."),
        Ok(0) => user.flash(true, "There were no failed deliveries to send again."),
        Ok(1) => user.flash(true, "1 failed delivery queued to be sent again."),
        Ok(n) => user.flash(true, format!("{n} failed deliveries queued to be sent again.")),
        Err(error) => user.flash(false, refusal(error)?),
    }
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, format!("/portal/webhooks/{id}"))).finish())
}
