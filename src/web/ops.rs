//! Operational endpoints: liveness, readiness (database and broker) and Prometheus metrics.

use std::sync::atomic::Ordering;

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics_text));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = state
        .db
        .run(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1").map_err(crate::db::DbError::from)
        })
        .await
        .is_ok();
    let broker = state.broker_up.as_ref().map(|up| up.load(Ordering::Relaxed));
    let ready = database && broker.unwrap_or(true);
    let body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "database": if database { "up" } else { "down" },
        "broker": match broker { None => "not configured", Some(true) => "up", Some(false) => "down" },
    });
    if ready { HttpResponse::Ok().json(body) } else { HttpResponse::ServiceUnavailable().json(body) }
}

async fn metrics_text(state: web::Data<AppState>) -> HttpResponse {
    let gauges = [
        ("oneprotect_actor_mailbox_depth", state.tenants.mailbox_depth() as f64),
        ("oneprotect_active_tenant_actors", state.tenants.active_tenants() as f64),
    ];
    for (name, value) in gauges {
        metrics::gauge!(name).set(value);
    }
    let body = state.metrics.as_ref().map(|handle| handle.render()).unwrap_or_default();
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(body)
}
