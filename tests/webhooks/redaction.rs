//! Credentials in webhook URLs (issue 13, finding 8): user:password@ is refused; query values
//! reach the receiver but are shown nowhere else.

use reqwest::StatusCode;

use crate::helpers::json;
use crate::management::{ALLOW_LOOPBACK, oneprotect, stdout};
use crate::receiver::Receiver;
use crate::support::{settled, spawn_webhook_app};

#[actix_web::test]
async fn query_values_reach_the_receiver_and_no_view_log_or_audit_entry() {
    let app = spawn_webhook_app().await;
    let hook = Receiver::spawn(&[]).await;
    let url = format!("{}?token=s3cret-token&v=2", hook.url);
    let shown = format!("{}?token=REDACTED&v=REDACTED", hook.url);
    let created = oneprotect(
        &app,
        &ALLOW_LOOPBACK,
        &["webhook", "create", "--tenant", "acme", "--url", &url, "--events", "alert.*"],
    );
    stdout(&created);
    let said = String::from_utf8_lossy(&created.stderr);
    assert!(said.contains(&shown) && !said.contains("s3cret"), "the CLI's message: {said}");
    let listed = stdout(&oneprotect(&app, &ALLOW_LOOPBACK, &["webhook", "list", "--tenant", "acme"]));
    assert!(listed.contains(&shown) && !listed.contains("s3cret"), "the CLI's list: {listed}");

    let views = json(app.get(&app.acme.auditor, "/api/v1/webhooks").await, StatusCode::OK).await;
    assert_eq!(views["items"][0]["url"], shown.as_str());
    let id = views["items"][0]["id"].as_str().unwrap().to_owned();
    let one = json(app.get(&app.acme.auditor, &format!("/api/v1/webhooks/{id}")).await, StatusCode::OK).await;
    assert_eq!(one["url"], shown.as_str());
    let audit = app.audit(&app.acme.auditor, "action=webhook.created").await;
    assert_eq!(audit[0]["changes"]["url"], shown.as_str());

    app.trigger("with-token").await;
    settled(&app, &app.acme.id, &id, 1).await;
    assert_eq!(hook.received()[0].query, "token=s3cret-token&v=2", "the receiver still gets its token");
    stdout(&oneprotect(&app, &ALLOW_LOOPBACK, &["webhook", "delete", "--tenant", "acme", "--id", &id]));
    let everything = json(app.get(&app.acme.auditor, "/api/v1/audit?limit=500").await, StatusCode::OK).await;
    assert!(!everything.to_string().contains("s3cret"), "the audit chain never holds the token");
}

#[actix_web::test]
async fn credentials_in_the_url_are_refused_at_creation() {
    let app = spawn_webhook_app().await;
    let hook = Receiver::spawn(&[]).await;
    let with_password = hook.url.replace("http://", "http://alice:hunter2@");
    let with_user = hook.url.replace("http://", "http://alice@");
    for url in [with_password, with_user] {
        let out = oneprotect(
            &app,
            &ALLOW_LOOPBACK,
            &["webhook", "create", "--tenant", "acme", "--url", &url, "--events", "alert.*"],
        );
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{url} accepted");
        assert!(said.contains("url: must not contain a user name or password"), "{said}");
        assert!(!said.contains("hunter2"), "the refusal does not repeat the password: {said}");
    }
    let none = json(app.get(&app.acme.auditor, "/api/v1/webhooks").await, StatusCode::OK).await;
    assert_eq!(none["items"], serde_json::json!([]));
}
