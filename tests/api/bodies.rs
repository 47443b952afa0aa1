//! Issue 13, findings 10 and 11: the role is decided before the body is read (an auditor gets
//! 403 whatever the body), JSON endpoints refuse other content types with 415, and a body that
//! names a key twice is refused with 400 instead of being read last-wins.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{json, problem, spawn_app};

#[actix_web::test]
async fn auditors_get_403_on_mutations_whatever_the_body() {
    let app = spawn_app().await;
    let alert = app.trigger("role-first").await;
    let op = &app.acme.operator;
    let ticket = json(app.post(op, "/api/v1/tickets", &json!({"title": "t"})).await, StatusCode::CREATED).await;
    let ticket = ticket["id"].as_str().expect("`id` in the answer").to_owned();
    let routes = [
        ("POST", format!("/api/v1/alerts/{alert}/assign")),
        ("POST", format!("/api/v1/alerts/{alert}/ticket")),
        ("POST", "/api/v1/tickets".to_owned()),
        ("PATCH", format!("/api/v1/tickets/{ticket}")),
        ("POST", format!("/api/v1/tickets/{ticket}/comments")),
        ("POST", format!("/api/v1/tickets/{ticket}/links")),
    ];
    let bodies: [(Option<&str>, &str); 4] =
        [(None, ""), (Some("text/plain"), "hi"), (Some("application/json"), "{\"title\": "), (None, "[1,2")];
    for (method, path) in &routes {
        for (content_type, body) in bodies {
            let request = match *method {
                "PATCH" => app.client.patch(app.url(path)),
                _ => app.client.post(app.url(path)),
            };
            let request = request.bearer_auth(&app.acme.auditor.token).body(body.to_owned());
            let request = match content_type {
                Some(ct) => request.header("content-type", ct),
                None => request,
            };
            let response = request.send().await.expect("request");
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path} with {content_type:?} {body:?}");
            problem(response, StatusCode::FORBIDDEN).await;
        }
    }
}

#[actix_web::test]
async fn json_endpoints_refuse_other_content_types_and_accept_json_variants() {
    let app = spawn_app().await;
    let op = &app.acme.operator;
    let key = app.acme.integration_key.clone();
    let event = json!({"integration_key": key, "summary": "s"}).to_string();
    let send = |path: &str, content_type: &str, body: String, bearer: Option<String>| {
        let request = app.client.post(app.url(path)).header("content-type", content_type).body(body);
        let request = match bearer {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        request.send()
    };
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "application/xml", "text/json"] {
        problem(
            send("/api/v1/events", content_type, event.clone(), None).await.expect("request"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        )
        .await;
        let ticket = json!({"title": "t"}).to_string();
        problem(
            send("/api/v1/tickets", content_type, ticket, Some(op.token.clone())).await.expect("request"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        )
        .await;
        let enqueue = json!({"routing_key": key, "event_action": "trigger",
            "payload": {"summary": "s", "source": "h", "severity": "error"}})
        .to_string();
        problem(
            send("/v2/enqueue", content_type, enqueue, None).await.expect("request"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        )
        .await;
        let notification = json!({"version": "4", "alerts": []}).to_string();
        let am = send("/api/v1/integrations/alertmanager", content_type, notification, Some(key.clone()));
        problem(am.await.expect("request"), StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    }
    for content_type in [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON;charset=UTF-8",
        "application/vnd.oneprotect+json",
    ] {
        json(send("/api/v1/events", content_type, event.clone(), None).await.expect("request"), StatusCode::ACCEPTED)
            .await;
        let ticket = json!({"title": "t"}).to_string();
        json(
            send("/api/v1/tickets", content_type, ticket, Some(op.token.clone())).await.expect("request"),
            StatusCode::CREATED,
        )
        .await;
    }
}

fn fields(body: &Value) -> String {
    body["detail"].as_str().expect("`detail` in the answer").to_owned()
}

#[actix_web::test]
async fn a_key_named_twice_is_refused() {
    let app = spawn_app().await;
    let acme = &app.acme.integration_key;
    let globex = &app.globex.integration_key;
    let twice = format!(r#"{{"integration_key": "{acme}", "summary": "s", "integration_key": "{globex}"}}"#);
    let response = app
        .client
        .post(app.url("/api/v1/events"))
        .header("content-type", "application/json")
        .body(twice)
        .send()
        .await
        .expect("request");
    let body = problem(response, StatusCode::BAD_REQUEST).await;
    assert!(fields(&body).contains("`integration_key` appears twice"), "{body}");

    let twice = format!(
        r#"{{"routing_key": "{acme}", "routing_key": "{globex}", "event_action": "trigger",
            "payload": {{"summary": "s", "source": "h", "severity": "error"}}}}"#
    );
    let response = app
        .client
        .post(app.url("/v2/enqueue"))
        .header("content-type", "application/json")
        .body(twice)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], "invalid event", "{body}");
    assert!(body["errors"][0].as_str().is_some_and(|e| e.contains("`routing_key` appears twice")), "{body}");

    for tenant in [&app.acme.operator, &app.globex.operator] {
        let alerts = json(app.get(tenant, "/api/v1/alerts").await, StatusCode::OK).await;
        assert_eq!(alerts["items"], json!([]), "nothing was ingested for either tenant");
    }
}

#[actix_web::test]
async fn assigning_to_another_tenants_user_is_not_found() {
    let app = spawn_app().await;
    let alert = app.trigger("cross-tenant-assign").await;
    let body = json!({"assignee_id": app.globex.operator.id});
    let path = format!("/api/v1/alerts/{alert}/assign");
    problem(app.post(&app.acme.operator, &path, &body).await, StatusCode::NOT_FOUND).await;
    let colleague = json!({"assignee_id": app.acme.operator2.id});
    problem(app.post(&app.acme.operator, &path, &colleague).await, StatusCode::FORBIDDEN).await;
}
