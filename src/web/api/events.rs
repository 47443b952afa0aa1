//! HTTP ingest: the same event JSON as AMQP, answered once the effect is durable.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::domain::event::parse_event;
use crate::web::body::read_json;
use crate::web::error::ApiError;
use crate::web::error::Problem;
use crate::web::integrations::Source;
use crate::web::openapi_schemas::{AlertEventDoc, IngestAnswer};
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/events", web::post().to(ingest));
}

/// Ingest an alert event; answers once its effect is committed
#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "ingest",
    request_body = AlertEventDoc,
    responses((status = 202, body = IngestAnswer), (status = 400, description = "Malformed body or query", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"), (status = 401, description = "Unknown or revoked integration key", body = Problem, content_type = "application/problem+json"), (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"))
)]
async fn ingest(req: HttpRequest, state: web::Data<AppState>, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    let value: Value = read_json(&req, payload, state.max_body_bytes)
        .await?
        .ok_or_else(|| ApiError::BadRequest("the body is empty; send an alert event".into()))?;
    let parsed = parse_event(&value)?;
    let source = Source::of_key(&state, &req, &parsed.integration_key)
        .await?
        .ok_or_else(|| ApiError::Unauthenticated("the integration key is unknown or revoked".into()))?;
    let (alert_id, result) = source.ingest(&state, parsed.event).await?;
    Ok(HttpResponse::Accepted().json(json!({"alert_id": alert_id, "result": result.as_str()})))
}
