//! Issue 15, item 4 in real Chromium: triage a storm from the list, by keyboard and in bulk.

use reqwest::StatusCode;
use serde_json::json;

use crate::chromium::Chromium;
use crate::helpers::{TestApp, json, spawn_app};
use crate::support::PASSWORD;

async fn statuses(app: &TestApp) -> Vec<String> {
    let listed = json(app.get(&app.acme.operator, "/api/v1/alerts").await, StatusCode::OK).await;
    let items = listed["items"].as_array().cloned().expect("a page of items");
    let mut statuses: Vec<String> = items.iter().map(|a| a["status"].as_str().unwrap_or("").to_owned()).collect();
    statuses.sort();
    statuses
}

async fn press(browser: &Chromium, key: &str) {
    let script = format!("document.dispatchEvent(new KeyboardEvent('keydown', {{key: '{key}', bubbles: true}}))");
    browser.client.execute(&script, vec![]).await.unwrap();
}

#[actix_web::test]
async fn an_operator_triages_a_storm_from_the_list_in_chromium() {
    let app = spawn_app().await;
    for i in 0..6 {
        let severity = if i == 0 { "critical" } else { "medium" };
        let event =
            json!({"dedup_key": format!("storm-{i}"), "summary": format!("storm alert {i}"), "severity": severity});
        json(app.ingest(&app.acme.integration_key, event).await, StatusCode::ACCEPTED).await;
    }
    let browser = Chromium::start().await;
    let base = &app.address;
    browser.sign_in(base, "acme", "alice", PASSWORD).await;
    browser.wait_text("#alerts", "storm alert 0").await;

    // The keyboard: move to the first row (the critical one), select it, acknowledge.
    press(&browser, "j").await;
    press(&browser, "x").await;
    press(&browser, "a").await;
    browser.wait_text(".notice", "1 changed").await;
    assert_eq!(statuses(&app).await.iter().filter(|s| *s == "acknowledged").count(), 1);

    // "Select all on this page", then Assign to me.
    browser.click("#select-page").await;
    browser.click("#bulk-assign").await;
    browser.wait_text(".notice", "6 changed").await;

    // "Select all N matching this filter" on the Triggered tab, then Resolve.
    browser.client.goto(&format!("{base}/portal/alerts?status=triggered")).await.unwrap();
    browser.wait_text("#bulk", "Select all 5 matching").await;
    browser.click("#all-matching").await;
    browser.click("#bulk-resolve").await;
    browser.wait_text(".notice", "5 changed, 0 already so").await;
    assert_eq!(statuses(&app).await, ["acknowledged", "resolved", "resolved", "resolved", "resolved", "resolved"]);
    browser.close().await;
}

#[actix_web::test]
async fn the_list_shows_new_and_changed_alerts_without_a_reload_in_chromium() {
    let app = spawn_app().await;
    let first = app.trigger("already-there").await;
    let browser = Chromium::start().await;
    let base = &app.address;
    browser.sign_in(base, "acme", "alice", PASSWORD).await;
    browser.wait_text("#alerts", "already-there is failing").await;
    // Let the page's EventSource connect before the changes happen.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    app.trigger("brand-new").await;
    browser.wait_text("#live-banner", "1 new alerts").await;
    app.post_empty(&app.acme.operator2, &format!("/api/v1/alerts/{first}/acknowledge")).await;
    browser.wait_text(&format!("tr[data-id=\"{first}\"] [data-field=\"status\"]"), "acknowledged").await;
    browser.wait_text("[data-count=\"acknowledged\"]", "1").await;
    let title = browser.client.title().await.unwrap();
    assert!(title.starts_with("(1) Alerts"), "one alert still triggered: {title}");
    // An ingest repeat counts one more event on its row.
    app.trigger("already-there").await;
    browser.wait_text(&format!("tr[data-id=\"{first}\"] [data-field=\"event_count\"]"), "2").await;
    browser.close().await;
}
