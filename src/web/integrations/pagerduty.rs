//! `POST /v2/enqueue`: PagerDuty Events API v2, with a OneProtect integration key as the
//! routing key.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use super::Source;
use super::answer::{EnqueueError, accepted};
use crate::domain::pagerduty::parse_enqueue;
use crate::web::body::read_json;
use crate::web::error::ApiError;
use crate::web::state::AppState;

/// PagerDuty Events API v2 compatible: `routing_key` is a OneProtect integration key
#[utoipa::path(
    post,
    path = "/v2/enqueue",
    tag = "ingest",
    request_body(content = Object, description = "A PagerDuty Events API v2 event (trigger, acknowledge or resolve)"),
    responses(
        (status = 202, description = r#"{"status":"success","message":"Event processed","dedup_key":"…"}"#, body = Object),
        (status = 400, description = r#"{"status":"invalid event","message":"…","errors":[…]}"#, body = Object),
        (status = 401, description = "Unknown or revoked routing key", body = Object),
        (status = 413, description = "Body too large", body = Object),
    )
)]
pub async fn enqueue(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, EnqueueError> {
    let value: Value = read_json(&req, payload, state.max_body_bytes)
        .await?
        .ok_or_else(|| ApiError::BadRequest("the body is empty; send a PagerDuty event".into()))?;
    let parsed = parse_enqueue(&value)?;
    let source = Source::of_key(&state, &req, &parsed.routing_key).await?.ok_or(EnqueueError::UnknownKey)?;
    let dedup_key = parsed.dedup_key().to_owned();
    source.ingest(&state, parsed.event).await?;
    Ok(accepted(&dedup_key))
}
