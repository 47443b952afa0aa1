//! Issue 16: every admin route, as each caller that may not use it. Nothing is changed by a
//! refusal; the admins' own successes are in `tenant_admin`, `integration_admin` and the
//! webhook tests.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{json, problem, spawn_app};

fn id(answer: &Value) -> String {
    answer["id"].as_str().expect("`id` in the answer").to_owned()
}

#[actix_web::test]
async fn every_admin_route_refuses_whoever_may_not_use_it() {
    let app = spawn_app().await;
    let admin = app.admin_of_acme().await;
    let globex_admin = app.admin_of("globex").await;
    let read_admin = app.token_for(&admin, json!({"name": "ro", "scope": "read"})).await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
    let expiring_admin = app.token_for(&admin, json!({"name": "brief", "expires_at": soon})).await;
    let integration =
        id(&json(app.post(&admin, "/api/v1/integrations", &json!({"name": "nagios"})).await, StatusCode::CREATED)
            .await);
    let hook = json!({"url": "http://127.0.0.1:9/hook", "event_types": ["alert.*"]});
    let webhook = id(&json(app.post(&admin, "/api/v1/webhooks", &hook).await, StatusCode::CREATED).await);
    let user = app.acme.operator2.id.clone();
    let password = json!({"password": "a long new password"});
    // (method, path, body, names an acme resource by id)
    let routes: Vec<(&str, String, Value, bool)> = vec![
        (
            "POST",
            "/api/v1/users".into(),
            json!({"username": "eve", "role": "admin", "password": "long enough pw"}),
            false,
        ),
        ("PATCH", format!("/api/v1/users/{user}"), json!({"role": "admin"}), true),
        ("POST", format!("/api/v1/users/{user}/password"), password, true),
        ("GET", format!("/api/v1/users/{user}/tokens"), Value::Null, true),
        ("POST", "/api/v1/integrations".into(), json!({"name": "rogue"}), false),
        ("POST", format!("/api/v1/integrations/{integration}/rotate"), json!({}), true),
        ("DELETE", format!("/api/v1/integrations/{integration}"), Value::Null, true),
        ("POST", "/api/v1/webhooks".into(), hook.clone(), false),
        ("PATCH", format!("/api/v1/webhooks/{webhook}"), json!({"enabled": false}), true),
        ("POST", format!("/api/v1/webhooks/{webhook}/rotate-secret"), json!({}), true),
        ("POST", format!("/api/v1/webhooks/{webhook}/test"), json!({}), true),
        ("DELETE", format!("/api/v1/webhooks/{webhook}"), Value::Null, true),
    ];
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let audited = app.audit(&app.acme.auditor, "").await.len();
    for (method, path, body, by_id) in &routes {
        let mut callers = vec![
            ("operator", &app.acme.operator, StatusCode::FORBIDDEN),
            ("auditor", &app.acme.auditor, StatusCode::FORBIDDEN),
            ("expired admin token", &expiring_admin, StatusCode::UNAUTHORIZED),
        ];
        // A read token reads: only the mutations refuse it.
        if *method != "GET" {
            callers.push(("read admin token", &read_admin, StatusCode::FORBIDDEN));
        }
        if *by_id {
            callers.push(("globex admin", &globex_admin, StatusCode::NOT_FOUND));
        }
        for (who, caller, status) in callers {
            let response = app.send(caller, method, path, body).await;
            let got = response.status();
            assert_eq!(got, status, "{who}: {method} {path}");
            problem(response, status).await;
        }
    }
    assert_eq!(app.audit(&app.acme.auditor, "").await.len(), audited, "no refusal changed anything");
    let listed = json(app.get(&admin, "/api/v1/webhooks").await, StatusCode::OK).await;
    assert_eq!(listed["items"][0]["enabled"], true);
    let deliveries =
        json(app.get(&admin, &format!("/api/v1/webhooks/{webhook}/deliveries")).await, StatusCode::OK).await;
    assert_eq!(deliveries["items"], json!([]), "no ping was queued");
}
