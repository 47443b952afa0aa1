//! Bad form input re-renders the form with a readable message, and changes nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json, spawn_app};
use crate::support::Visitor;

#[actix_web::test]
async fn a_new_ticket_without_a_title_is_shown_again_with_the_reason() {
    let app = spawn_app().await;
    let mut visitor = Visitor::signed_in(&app, "acme", "alice").await;
    assert_eq!(visitor.get("/portal/tickets/new").await.status, StatusCode::OK);
    let page =
        visitor.post("/portal/tickets", &[("title", "  "), ("description", "keep me"), ("priority", "high")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Title: must not be empty"), "{}", page.body);
    assert!(page.body.contains("keep me"), "what was typed is kept");
    assert!(!page.body.contains("problem+json") && !page.body.contains("\"status\":"), "never raw JSON");
    let tickets = json(app.get(&app.acme.operator, "/api/v1/tickets").await, StatusCode::OK).await;
    assert_eq!(tickets["items"].as_array().unwrap().len(), 0);

    let created = visitor.post("/portal/tickets", &[("title", "Rotate keys"), ("priority", "high")]).await;
    let page = visitor.follow(created).await;
    assert!(page.body.contains("Rotate keys") && page.body.contains("ACME-1"), "{}", page.body);
}

#[actix_web::test]
async fn ticket_forms_explain_what_is_wrong() {
    let app = spawn_app().await;
    let mut visitor = Visitor::signed_in(&app, "acme", "alice").await;
    let created = visitor.post("/portal/tickets", &[("title", "Patch VPN"), ("priority", "medium")]).await;
    let location = created.location.clone().unwrap();
    visitor.follow(created).await;

    let empty = visitor.post(&format!("{location}/comments"), &[("body", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("id=\"comment-error\"") && empty.body.contains("Comment: must not be empty"));

    let nowhere = visitor.post(&format!("{location}/links"), &[("target", "ACME-99"), ("relation", "blocks")]).await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nowhere.body.contains("id=\"link-error\"") && nowhere.body.contains("no alert or ticket"));

    let untitled = visitor
        .post(
            &location,
            &[("title", ""), ("status", "open"), ("priority", "low"), ("assignee_id", ""), ("version", "1")],
        )
        .await;
    assert_eq!(untitled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(untitled.body.contains("id=\"edit-error\""));

    let stale = visitor
        .post(
            &location,
            &[("title", "Patch VPN"), ("status", "open"), ("priority", "low"), ("assignee_id", ""), ("version", "7")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.body.contains("Someone else changed this ticket"), "{}", stale.body);
}

#[actix_web::test]
async fn an_impossible_transition_is_explained_on_the_alert() {
    let app = spawn_app().await;
    let alert = app.trigger("forms/resolved").await;
    json(app.post(&app.acme.operator, &format!("/api/v1/alerts/{alert}/resolve"), &json!({})).await, StatusCode::OK)
        .await;
    let mut visitor = Visitor::signed_in(&app, "acme", "alice").await;
    let page = visitor.get(&format!("/portal/alerts/{alert}")).await;
    assert!(!page.body.contains("id=\"acknowledge\""), "no button for an impossible transition");
    let forced = visitor.post(&format!("/portal/alerts/{alert}/acknowledge"), &[]).await;
    let page = visitor.follow(forced).await;
    assert!(page.body.contains("A resolved alert cannot be acknowledged"), "{}", page.body);
}

#[actix_web::test]
async fn an_empty_sign_in_form_is_shown_again() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app);
    let page = visitor.login("acme", "", "").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Enter your organisation, username and password"));
    assert!(page.body.contains("value=\"acme\""));
}
