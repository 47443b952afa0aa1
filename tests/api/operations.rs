//! Health, readiness, metrics, migrations and alert list behaviour.

use oneprotect::db::{Backend, migration_names};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json, spawn_app};

#[actix_web::test]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_app().await;
    let health = app.client.get(app.url("/healthz")).send().await.expect("request");
    assert_eq!(health.status(), StatusCode::OK);
    let ready: serde_json::Value =
        app.client.get(app.url("/readyz")).send().await.expect("request").json().await.expect("json");
    assert_eq!(ready, json!({"status": "ready", "database": "up", "broker": "not configured"}));
    app.trigger("metrics").await;
    let metrics = app.client.get(app.url("/metrics")).send().await.expect("request").text().await.expect("text");
    assert!(metrics.contains("oneprotect_events_ingested_total"), "{metrics}");
    assert!(metrics.contains("oneprotect_http_request_duration_seconds"), "{metrics}");
    assert!(metrics.contains("oneprotect_actor_mailbox_depth"), "{metrics}");
}

#[test]
fn both_backends_have_the_same_migrations() {
    let postgres = migration_names(Backend::Postgres);
    assert!(!postgres.is_empty());
    assert_eq!(postgres, migration_names(Backend::Sqlite));
}

#[actix_web::test]
async fn alert_lists_filter_search_and_page_newest_first() {
    let app = spawn_app().await;
    let op = &app.acme.operator;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(app.trigger(&format!("host-{i}/cpu")).await);
    }
    json(app.post_empty(op, &format!("/api/v1/alerts/{}/acknowledge", ids[1])).await, StatusCode::OK).await;
    json(
        app.post(op, &format!("/api/v1/alerts/{}/assign", ids[2]), &json!({"assignee_id": op.id})).await,
        StatusCode::OK,
    )
    .await;

    let acknowledged = json(app.get(op, "/api/v1/alerts?status=acknowledged").await, StatusCode::OK).await;
    assert_eq!(acknowledged["items"][0]["id"], ids[1].as_str());
    assert_eq!(acknowledged["items"].as_array().map(Vec::len), Some(1));
    let mine = json(app.get(op, "/api/v1/alerts?assignee=me").await, StatusCode::OK).await;
    assert_eq!(mine["items"][0]["id"], ids[2].as_str());
    let unassigned = json(app.get(op, "/api/v1/alerts?assignee=none").await, StatusCode::OK).await;
    assert_eq!(unassigned["items"].as_array().map(Vec::len), Some(6));
    let search = json(app.get(op, "/api/v1/alerts?text=HOST-5").await, StatusCode::OK).await;
    assert_eq!(search["items"][0]["id"], ids[5].as_str());
    let wildcard = json(app.get(op, "/api/v1/alerts?text=%25").await, StatusCode::OK).await;
    assert_eq!(wildcard["items"], json!([]), "a % in the search is literal");

    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page =
            json(app.get(op, &format!("/api/v1/alerts?limit=3&severity=high{cursor}")).await, StatusCode::OK).await;
        seen.extend(page["items"].as_array().into_iter().flatten().filter_map(|a| a["id"].as_str().map(str::to_owned)));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids);
}

#[actix_web::test]
async fn the_openapi_document_and_swagger_ui_are_served_from_the_binary() {
    let app = spawn_app().await;
    let doc: serde_json::Value =
        app.client.get(app.url("/api/v1/openapi.json")).send().await.expect("request").json().await.expect("json");
    for path in [
        "/api/v1/alerts",
        "/api/v1/alerts/{id}/ticket",
        "/api/v1/tickets/{id}",
        "/api/v1/audit/verify",
        "/api/v1/events",
        "/v2/enqueue",
        "/api/v1/integrations/alertmanager",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    let alert = &doc["components"]["schemas"]["AlertView"]["properties"];
    for field in ["id", "status", "severity", "event_count", "ticket_id", "details"] {
        assert!(alert[field].is_object(), "AlertView.{field} is documented");
    }
    assert!(doc["paths"]["/api/v1/tickets/{id}"]["patch"]["responses"]["412"].is_object());
    let ui = app.client.get(app.url("/api/docs/")).send().await.expect("request");
    assert_eq!(ui.status(), StatusCode::OK);
    let html = ui.text().await.expect("html");
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("https://"), "nothing is loaded from a CDN");
}

/// The roles that exist are the application's (domain/permission.rs); the database only keeps
/// a role name well-formed, so adding one needs no migration.
#[actix_web::test]
async fn the_database_takes_any_well_formed_role_name() {
    let app = spawn_app().await;
    let tenant_id = app.acme.id.clone();
    let results = app
        .db
        .run(move |conn| {
            let results: Vec<_> = ["responder", "tenant_admin", "Operator", "", "_x", "x y"]
                .into_iter()
                .enumerate()
                .map(|(i, role)| {
                    let user = oneprotect::db::models::User {
                        id: oneprotect::domain::ids::new_id(),
                        tenant_id: tenant_id.clone(),
                        username: format!("role-{i}"),
                        display_name: format!("Role {i}"),
                        role: role.to_owned(),
                        password_hash: None,
                        created_at: oneprotect::domain::now(),
                        disabled_at: None,
                        password_setup_hash: None,
                        password_setup_expires_at: None,
                    };
                    (role, oneprotect::db::queries::users::insert(conn, &user).is_ok())
                })
                .collect();
            Ok::<_, oneprotect::db::DbError>(results)
        })
        .await
        .expect("database");
    assert_eq!(
        results,
        [("responder", true), ("tenant_admin", true), ("Operator", false), ("", false), ("_x", false), ("x y", false)]
    );
}
