//! `POST /api/v1/integrations/alertmanager`: Alertmanager's webhook receiver, authenticated by
//! `Authorization: Bearer <integration key>` (Alertmanager's `http_config.authorization`).

use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::future::join_all;
use serde_json::{Value, json};

use super::Source;
use crate::domain::alertmanager::parse_webhook;
use crate::web::auth::bearer;
use crate::web::body::read_json;
use crate::web::error::ApiError;
use crate::web::state::AppState;

/// Alertmanager webhook receiver (payload version 4), authenticated by `Authorization: Bearer <integration key>`
#[utoipa::path(
    post,
    path = "/api/v1/integrations/alertmanager",
    tag = "ingest",
    request_body(content = Object, description = "Alertmanager's webhook payload: status, groupKey, alerts[]"),
    responses(
        (status = 202, description = "Each alert's fingerprint, alert id and result", body = Object),
        (status = 401, description = "Unknown or revoked integration key", body = crate::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "An alert in the notification is invalid; nothing was applied", body = crate::web::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn receive(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let key = bearer(&req)
        .ok_or_else(|| ApiError::Unauthenticated("send `Authorization: Bearer <integration key>`".into()))?;
    let source = Source::of_key(&state, &req, &key)
        .await?
        .ok_or_else(|| ApiError::Unauthenticated("the integration key is unknown or revoked".into()))?;
    let value: Value = read_json(&req, payload, state.max_body_bytes)
        .await?
        .ok_or_else(|| ApiError::BadRequest("the body is empty; send an Alertmanager notification".into()))?;
    let events = parse_webhook(&value)?;
    let keys: Vec<Option<String>> = events.iter().map(|event| event.dedup_key.clone()).collect();

    // All submitted at once, in order: the tenant actor queues them in that order and commits
    // consecutive events in one transaction. A failure makes Alertmanager retry the whole
    // notification, which the dedup rules absorb.
    let replies = join_all(events.into_iter().map(|event| source.ingest(&state, event))).await;
    let mut alerts = Vec::with_capacity(replies.len());
    for (fingerprint, reply) in keys.into_iter().zip(replies) {
        let (alert_id, result) = reply?;
        alerts.push(json!({"fingerprint": fingerprint, "alert_id": alert_id, "result": result.as_str()}));
    }
    Ok(HttpResponse::Accepted().json(json!({"alerts": alerts})))
}
