//! Issue 15, item 5: `GET /alerts/stream`, tenant by tenant, resumable, and fed by every
//! instance on the database.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use oneprotect::db::{Backend, DatabaseUrl, FeedListener};

use crate::helpers::{ServeProcess, TestApp, TestUser, json, problem, spawn_app};

/// One parsed server-sent event.
#[derive(Debug, Clone)]
struct Event {
    id: Option<i64>,
    name: String,
    data: Value,
}

struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(app: &TestApp, user: &TestUser, last_event_id: Option<i64>) -> Self {
        let mut request = app.client.get(app.url("/api/v1/alerts/stream")).bearer_auth(&user.token);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.expect("stream");
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(content_type.starts_with("text/event-stream"), "{content_type}");
        Self { response, buffer: String::new() }
    }

    /// The events that arrive within `within`, until `enough` says stop.
    async fn until(&mut self, within: Duration, enough: impl Fn(&[Event]) -> bool) -> Vec<Event> {
        let deadline = Instant::now() + within;
        let mut events = Vec::new();
        while !enough(&events) {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                _ => break,
            }
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut name, mut data) = (None, String::new(), Value::Null);
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id: ") {
                        id = v.parse().ok();
                    } else if let Some(v) = line.strip_prefix("event: ") {
                        name = v.to_owned();
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data = serde_json::from_str(v).unwrap_or(Value::Null);
                    }
                }
                if !name.is_empty() {
                    events.push(Event { id, name, data });
                }
            }
        }
        events
    }
}

fn alert_events(events: &[Event]) -> Vec<(String, String)> {
    events
        .iter()
        .filter(|e| e.name.starts_with("alert."))
        .map(|e| (e.name.clone(), e.data["summary"].as_str().unwrap_or("").to_owned()))
        .collect()
}

#[actix_web::test]
async fn a_stream_carries_its_tenants_changes_only_and_resumes_without_gaps() {
    let app = spawn_app().await;
    let mut stream = Stream::open(&app, &app.acme.operator, None).await;
    app.ingest(&app.globex.integration_key, json!({"dedup_key": "g", "summary": "globex secret", "severity": "low"}))
        .await;
    let id = app.trigger("disk").await;
    let events = stream.until(Duration::from_secs(5), |e| !alert_events(e).is_empty()).await;
    assert_eq!(alert_events(&events), [("alert.created".to_owned(), "disk is failing".to_owned())], "{events:?}");
    let created = events.iter().find(|e| e.name == "alert.created").cloned().expect("created");
    assert_eq!(created.data["id"], id.as_str(), "the data is the alert as GET answers it");
    let counts = stream.until(Duration::from_secs(2), |e| e.iter().any(|e| e.name == "counts")).await;
    assert!(counts.iter().any(|e| e.name == "counts" && e.data["triggered"] == 1), "{counts:?}");
    drop(stream);

    // Away for a while: the changes meanwhile are replayed on reconnecting, in order.
    let op = &app.acme.operator;
    app.post_empty(op, &format!("/api/v1/alerts/{id}/acknowledge")).await;
    app.post_empty(op, &format!("/api/v1/alerts/{id}/resolve")).await;
    let mut resumed = Stream::open(&app, op, created.id).await;
    let events = resumed.until(Duration::from_secs(5), |e| alert_events(e).len() >= 2).await;
    let names: Vec<String> = alert_events(&events).into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["alert.acknowledged", "alert.resolved"]);
    let ids: Vec<i64> = events.iter().filter_map(|e| e.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]) && ids[0] > created.id.unwrap_or(0), "{ids:?}");

    let mut foreign = Stream::open(&app, &app.globex.operator, None).await;
    let seen = foreign.until(Duration::from_millis(800), |_| false).await;
    assert!(alert_events(&seen).is_empty(), "a new stream starts from now: {seen:?}");
}

/// Ingest repeats write no audit entry, yet they change what an operator sees (the count, when
/// last seen): each is an `alert.deduplicated` event, without an id of its own so that
/// `Last-Event-ID` stays on the audit trail; repeats of one alert between two reads of the
/// feed are one event, the count saying how many. Their order is the server's: a sender that
/// repeats one `occurred_at` (as Alertmanager repeats `startsAt`) is seen every time.
#[actix_web::test]
async fn each_ingest_repeat_is_an_event_whatever_time_the_sender_gives() {
    let app = spawn_app().await;
    let mut stream = Stream::open(&app, &app.acme.operator, None).await;
    let event = json!({"dedup_key": "flapping", "summary": "flapping", "severity": "high",
        "occurred_at": "2020-01-01T00:00:00Z"});
    let raise =
        || async { json(app.ingest(&app.acme.integration_key, event.clone()).await, StatusCode::ACCEPTED).await };
    let id = raise().await["alert_id"].as_str().map(str::to_owned).expect("alert id");
    let counts = |events: &[Event]| -> Vec<Option<i64>> {
        events.iter().filter(|e| e.name == "alert.deduplicated").map(|e| e.data["event_count"].as_i64()).collect()
    };
    let mut seen = stream.until(Duration::from_secs(5), |e| !alert_events(e).is_empty()).await;
    for _ in 0..3 {
        assert_eq!(raise().await["result"], "deduplicated");
    }
    seen.extend(stream.until(Duration::from_secs(5), |e| counts(e).last() == Some(&Some(4))).await);
    let shown = counts(&seen);
    assert_eq!(shown.last(), Some(&Some(4)), "the last repeat is shown: {seen:?}");
    assert!(shown.windows(2).all(|w| w[0] < w[1]), "each repeat once, in order: {shown:?}");
    raise().await;
    let fifth = stream.until(Duration::from_secs(5), |e| !counts(e).is_empty()).await;
    assert_eq!(counts(&fifth), [Some(5)], "the same time again is still news");
    let repeat = seen.iter().find(|e| e.name == "alert.deduplicated").expect("a repeat");
    assert_eq!((repeat.data["id"].as_str(), repeat.id), (Some(id.as_str()), None), "no id of its own");

    // Another tenant's repeats are not this stream's.
    let globex = json!({"dedup_key": "g", "summary": "globex", "severity": "low"});
    for _ in 0..2 {
        app.ingest(&app.globex.integration_key, globex.clone()).await;
    }
    let later = stream.until(Duration::from_millis(1500), |_| false).await;
    assert!(counts(&later).is_empty(), "{later:?}");
}

#[actix_web::test]
async fn a_change_committed_through_another_instance_reaches_the_stream_within_two_seconds() {
    let app = spawn_app().await;
    let other = ServeProcess::start(&app.settings.database.url, &[]).await;
    let mut stream = Stream::open(&app, &app.acme.operator, None).await;
    let event = json!({"dedup_key": "elsewhere", "summary": "raised on B", "severity": "high",
        "integration_key": app.acme.integration_key});
    let sent = Instant::now();
    let response = app
        .client
        .post(format!("http://127.0.0.1:{}/api/v1/events", other.port))
        .json(&event)
        .send()
        .await
        .expect("ingest on B");
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let events = stream.until(Duration::from_secs(2), |e| !alert_events(e).is_empty()).await;
    assert_eq!(alert_events(&events), [("alert.created".to_owned(), "raised on B".to_owned())], "{events:?}");
    eprintln!("seen on A {:?} after B committed it", sent.elapsed());
}

#[actix_web::test]
async fn a_stream_needs_a_token_and_a_resume_too_far_back_says_reset() {
    let app = spawn_app().await;
    let refused = app.client.get(app.url("/api/v1/alerts/stream")).send().await.expect("request");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    for far_off in [999_999, -1, i64::MIN] {
        let mut stream = Stream::open(&app, &app.acme.operator, Some(far_off)).await;
        let events = stream.until(Duration::from_secs(2), |e| !e.is_empty()).await;
        assert_eq!(events.first().map(|e| e.name.as_str()), Some("reset"), "{far_off}: {events:?}");
    }
}

#[actix_web::test]
async fn a_disabled_users_open_stream_ends() {
    let app = spawn_app().await;
    let admin = app.admin_of_acme().await;
    let mut stream = Stream::open(&app, &app.acme.operator, None).await;
    let disable = json!({"disabled": true});
    let path = format!("/api/v1/users/{}", app.acme.operator.id);
    assert_eq!(app.patch(&admin, &path, &disable).await.status(), StatusCode::OK);
    // Checked once a heartbeat (15 s): the stream closes instead of carrying on.
    let started = Instant::now();
    let deadline = started + Duration::from_secs(35);
    let ended = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.response.chunk()).await {
            // Heartbeats, until the check.
            Ok(Ok(Some(_))) => continue,
            Ok(Ok(None)) | Ok(Err(_)) => break true,
            Err(_) => break false,
        }
    };
    assert!(ended, "the stream was still open after {:?}", started.elapsed());
}

/// Every tenant PostgreSQL announces on the feed's channel within `within`.
/// (Reading is a non-blocking socket read; the wait between reads leaves the runtime free.)
async fn announced(listener: &mut FeedListener, within: Duration) -> Vec<String> {
    let deadline = Instant::now() + within;
    let mut tenants = Vec::new();
    while Instant::now() < deadline {
        tenants.extend(listener.changed_tenants().expect("the listening connection stays up"));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tenants
}

/// The feed reads when PostgreSQL announces a committed change (`NOTIFY`, delivered to every
/// listening connection of every instance); a request that changes nothing announces nothing.
/// SQLite has one process and nothing to listen to.
#[actix_web::test]
async fn postgres_announces_each_committed_alert_change_to_listeners() {
    let app = spawn_app().await;
    let url = DatabaseUrl::parse(&app.settings.database.url).expect("database url");
    let sqlite = url.backend == Backend::Sqlite;
    let listener = tokio::task::spawn_blocking(move || FeedListener::connect(&url)).await.expect("connect");
    let Some(mut listener) = listener.expect("listens") else {
        assert!(sqlite, "only SQLite has no listener");
        return;
    };
    let op = &app.acme.operator;
    let id = app.trigger("announced").await;
    assert_eq!(announced(&mut listener, Duration::from_secs(1)).await, vec![app.acme.id.clone()]);
    json(app.post_empty(op, &format!("/api/v1/alerts/{id}/resolve")).await, StatusCode::OK).await;
    assert_eq!(announced(&mut listener, Duration::from_secs(1)).await, vec![app.acme.id.clone()]);

    // A no-op (resolved again) and a refusal (acknowledging a resolved alert) record nothing.
    json(app.post_empty(op, &format!("/api/v1/alerts/{id}/resolve")).await, StatusCode::OK).await;
    problem(app.post_empty(op, &format!("/api/v1/alerts/{id}/acknowledge")).await, StatusCode::CONFLICT).await;
    assert_eq!(announced(&mut listener, Duration::from_secs(1)).await, Vec::<String>::new());
}
