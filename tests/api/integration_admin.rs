//! Issue 16, items 4 and 6: admins create, rotate (with a grace period) and revoke integration
//! keys from the API; the list shows what each integration has sent.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json, problem, spawn_app, spawn_app_with};

async fn send_event(app: &TestApp, key: &str, dedup_key: &str) -> StatusCode {
    let event = json!({"dedup_key": dedup_key, "summary": "disk full", "severity": "high"});
    app.ingest(key, event).await.status()
}

fn key_of(answer: &Value) -> String {
    answer["key"].as_str().expect("`key` in the answer").to_owned()
}

#[actix_web::test]
async fn admins_create_rotate_and_revoke_keys_and_others_may_not() {
    let app = spawn_app().await;
    let admin = app.admin_of_acme().await;
    let globex_admin = app.admin_of("globex").await;
    let created =
        json(app.post(&admin, "/api/v1/integrations", &json!({"name": "zabbix"})).await, StatusCode::CREATED).await;
    let (id, first_key) = (created["id"].as_str().expect("`id` in the answer").to_owned(), key_of(&created));
    assert!(first_key.starts_with("opi_"), "{created}");
    assert_eq!(send_event(&app, &first_key, "db-1").await, StatusCode::ACCEPTED);
    assert_eq!(send_event(&app, &first_key, "db-1").await, StatusCode::ACCEPTED);

    for caller in [&app.acme.operator, &app.acme.auditor] {
        problem(app.post(caller, "/api/v1/integrations", &json!({"name": "x"})).await, StatusCode::FORBIDDEN).await;
        problem(app.post_empty(caller, &format!("/api/v1/integrations/{id}/rotate")).await, StatusCode::FORBIDDEN)
            .await;
        problem(app.delete(caller, &format!("/api/v1/integrations/{id}")).await, StatusCode::FORBIDDEN).await;
    }
    problem(app.post_empty(&globex_admin, &format!("/api/v1/integrations/{id}/rotate")).await, StatusCode::NOT_FOUND)
        .await;
    problem(app.delete(&globex_admin, &format!("/api/v1/integrations/{id}")).await, StatusCode::NOT_FOUND).await;

    // Everyone sees the list, never a key, with what each integration sent.
    let listed = json(app.get(&app.acme.auditor, "/api/v1/integrations").await, StatusCode::OK).await;
    let zabbix = listed["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["id"] == id.as_str())
        .cloned()
        .expect("the integration is listed");
    assert_eq!(zabbix["event_count"], 2, "{listed}");
    assert!(zabbix["last_event_at"].is_string() && zabbix.get("key").is_none(), "{zabbix}");
    assert!(!listed.to_string().contains(&first_key));

    // Rotation with the default grace: both keys work.
    let rotated =
        json(app.post_empty(&admin, &format!("/api/v1/integrations/{id}/rotate")).await, StatusCode::OK).await;
    let second_key = key_of(&rotated);
    assert_ne!(second_key, first_key);
    let until = rotated["previous_key_valid_until"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let hours = until.map(|t| (t.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes());
    assert!(hours.is_some_and(|m| (23 * 60..=24 * 60).contains(&m)), "a 24 h grace: {rotated}");
    assert_eq!(rotated["event_count"], 2);
    assert_eq!(send_event(&app, &first_key, "db-2").await, StatusCode::ACCEPTED, "the old key in its grace");
    assert_eq!(send_event(&app, &second_key, "db-3").await, StatusCode::ACCEPTED);

    // Rotation cut at once: only the newest key works.
    let cut = app.post(&admin, &format!("/api/v1/integrations/{id}/rotate"), &json!({"grace_secs": 0})).await;
    let third_key = key_of(&json(cut, StatusCode::OK).await);
    assert_eq!(send_event(&app, &third_key, "db-4").await, StatusCode::ACCEPTED);
    for old in [&first_key, &second_key] {
        assert_eq!(send_event(&app, old, "db-5").await, StatusCode::UNAUTHORIZED);
    }
    let too_long =
        app.post(&admin, &format!("/api/v1/integrations/{id}/rotate"), &json!({"grace_secs": 99_999_999})).await;
    problem(too_long, StatusCode::UNPROCESSABLE_ENTITY).await;

    json(app.delete(&admin, &format!("/api/v1/integrations/{id}")).await, StatusCode::NO_CONTENT).await;
    assert_eq!(send_event(&app, &third_key, "db-6").await, StatusCode::UNAUTHORIZED, "revoked at once");
    problem(app.post_empty(&admin, &format!("/api/v1/integrations/{id}/rotate")).await, StatusCode::CONFLICT).await;

    let entries = app.audit(&app.acme.auditor, "").await;
    let actions: Vec<&str> =
        entries.iter().filter(|e| e["target_id"] == id.as_str()).filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["integration.revoked", "integration.rotated", "integration.rotated", "integration.created"]);
    let text = serde_json::to_string(&entries).expect("JSON");
    for key in [&first_key, &second_key, &third_key] {
        assert!(!text.contains(key.as_str()), "no key in the audit trail");
    }
}

#[actix_web::test]
async fn a_key_in_its_grace_period_stops_when_it_ends() {
    let app = spawn_app_with(|settings| settings.amqp.key_cache_secs = 1).await;
    let admin = app.admin_of_acme().await;
    let created =
        json(app.post(&admin, "/api/v1/integrations", &json!({"name": "brief"})).await, StatusCode::CREATED).await;
    let (id, old_key) = (created["id"].as_str().expect("`id` in the answer").to_owned(), key_of(&created));
    let rotated = app.post(&admin, &format!("/api/v1/integrations/{id}/rotate"), &json!({"grace_secs": 1})).await;
    let new_key = key_of(&json(rotated, StatusCode::OK).await);
    assert_eq!(send_event(&app, &old_key, "a").await, StatusCode::ACCEPTED);
    // Past the grace, and past this instance's key cache.
    let wait = 1_100 + app.settings.amqp.key_cache_secs * 1_000;
    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    assert_eq!(send_event(&app, &old_key, "b").await, StatusCode::UNAUTHORIZED);
    assert_eq!(send_event(&app, &new_key, "c").await, StatusCode::ACCEPTED);
}
