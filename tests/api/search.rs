//! Issue 15, item 6: text search over the summary, resource, dedup key and the string values
//! of details, through each database's own index (pg_trgm, SQLite FTS5), with the same answers
//! on both: the suite runs on each.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json, spawn_app};

async fn raise(app: &TestApp, key: &str, event: Value) -> String {
    let mut event = event;
    event["event_action"] = json!("trigger");
    let body = json(app.ingest(key, event).await, StatusCode::ACCEPTED).await;
    body["alert_id"].as_str().expect("alert id").to_owned()
}

/// The ids of acme's alerts the search finds.
async fn found(app: &TestApp, needle: &str) -> Vec<String> {
    let request = app.client.get(app.url("/api/v1/alerts")).query(&[("text", needle)]);
    let response = request.bearer_auth(&app.acme.operator.token).send().await.expect("request");
    let page = json(response, StatusCode::OK).await;
    let items = page["items"].as_array().cloned().expect("a page of items");
    items.iter().filter_map(|a| a["id"].as_str().map(str::to_owned)).collect()
}

#[actix_web::test]
async fn search_looks_in_details_values_and_finds_any_substring_of_this_tenant() {
    let app = spawn_app().await;
    let acme = &app.acme.integration_key;
    let disk = raise(
        &app,
        acme,
        json!({"dedup_key": "db-7/disk", "summary": "Disk almost FULL", "resource": "rack-42", "severity": "high",
               "details": {"owner": "Team-Blue", "tags": ["pci-zone", {"site": "Gamma \"North\""}], "build": 12345}}),
    )
    .await;
    let cpu = raise(
        &app,
        acme,
        json!({"dedup_key": "web-3/cpu", "summary": "CPU hot", "severity": "low", "details": {"owner": "team-red"}}),
    )
    .await;
    raise(
        &app,
        &app.globex.integration_key,
        json!({"dedup_key": "x", "summary": "s", "details": {"owner": "team-blue"}}),
    )
    .await;

    let cases: [(&str, &[&String]); 12] = [
        ("TEAM-BLUE", &[&disk]),   // a details value, any case; not globex's alert
        ("pci-zone", &[&disk]),    // a value in a list
        ("\"north\"", &[&disk]),   // nested, quotes and all
        ("most fu", &[&disk]),     // a substring across words of the summary
        ("ck-4", &[&disk]),        // the resource
        ("b-3/c", &[&cpu]),        // the dedup key
        ("team-", &[&cpu, &disk]), // both, newest first
        ("db", &[&disk]),          // shorter than a trigram
        ("owner", &[]),            // keys are not searched
        ("12345", &[]),            // nor numbers
        ("50%", &[]),              // wildcards are literal
        ("\"", &[&disk]),          // a lone quote is a character like any other
    ];
    for (needle, expected) in cases {
        let expected: Vec<String> = expected.iter().map(|id| (*id).clone()).collect();
        assert_eq!(found(&app, needle).await, expected, "searching {needle:?}");
    }

    // A NUL is stored in neither database's text: an event with one is taken all the same,
    // and a search for one finds nothing (rather than failing).
    let nul = raise(&app, acme, json!({"dedup_key": "nul", "summary": "n", "details": {"x": "before\0after"}})).await;
    assert_eq!(found(&app, "after").await, vec![nul.clone()]);
    assert_eq!(found(&app, "before\0after").await, Vec::<String>::new());
    json(app.post_empty(&app.acme.operator, &format!("/api/v1/alerts/{nul}/resolve")).await, StatusCode::OK).await;

    // A repeat of the alert replaces its details, and search follows.
    raise(
        &app,
        acme,
        json!({"dedup_key": "db-7/disk", "summary": "Disk almost FULL", "details": {"owner": "team-green"}}),
    )
    .await;
    assert_eq!(found(&app, "team-green").await, vec![disk.clone()]);
    assert_eq!(found(&app, "team-blue").await, Vec::<String>::new(), "the old details are no longer found");
    // So does triage, which leaves the text alone.
    json(app.post_empty(&app.acme.operator, &format!("/api/v1/alerts/{disk}/resolve")).await, StatusCode::OK).await;
    assert_eq!(found(&app, "almost full").await, vec![disk]);
}
