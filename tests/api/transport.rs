//! Issue 13, findings 3, 5 and 12: what every answer carries (security headers), bounded
//! metric series whatever method tokens clients send, and a deadline for slowly sent bodies.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn every_answer_says_nosniff_and_the_docs_forbid_framing() {
    let app = spawn_app().await;
    for path in ["/healthz", "/api/v1/nope", "/api/v1/openapi.json", "/api/v1/me", "/portal/login"] {
        let response = app.client.get(app.url(path)).send().await.expect("request");
        assert_eq!(
            response.headers().get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{path}"
        );
        assert!(response.headers().get("strict-transport-security").is_none(), "no HSTS over plain HTTP: {path}");
    }
    let docs = app.client.get(app.url("/api/docs/")).send().await.expect("request");
    assert_eq!(docs.status(), StatusCode::OK);
    let csp = docs.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(docs.headers().contains_key("referrer-policy"));
    let portal = app.client.get(app.url("/portal/login")).send().await.expect("request");
    let csp = portal.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
}

#[actix_web::test]
async fn with_secure_cookies_answers_carry_hsts_and_the_cookie_is_secure() {
    let app = spawn_app_with(|s| s.portal.secure_cookie = true).await;
    let response = app.client.get(app.url("/portal/login")).send().await.expect("request");
    assert!(response.headers().get("strict-transport-security").is_some());
    let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(cookie.contains("Secure"), "{cookie}");
    let api = app.client.get(app.url("/healthz")).send().await.expect("request");
    assert!(api.headers().get("strict-transport-security").is_some());
}

/// The method labels `/metrics` shows for the request-duration histogram.
fn method_labels(metrics: &str) -> Vec<String> {
    let mut labels: Vec<String> = metrics
        .lines()
        .filter(|l| l.starts_with("oneprotect_http_request_duration_seconds"))
        .filter_map(|l| l.split("method=\"").nth(1)?.split('"').next().map(str::to_owned))
        .collect();
    labels.sort();
    labels.dedup();
    labels
}

#[actix_web::test]
async fn odd_method_tokens_do_not_grow_the_metrics() {
    let app = spawn_app().await;
    // The recorder is per process and other tests run alongside, so the check is on label
    // values, not on the size of the whole answer.
    for i in 0..2000u32 {
        let token = format!("X{:08X}", i.wrapping_mul(2_654_435_761));
        let method = Method::from_bytes(token.as_bytes()).expect("a method token");
        let path = if i % 2 == 0 { "/healthz" } else { "/no/such/route" };
        app.client.request(method, app.url(path)).send().await.expect("request");
    }
    let metrics = app.client.get(app.url("/metrics")).send().await.expect("request").text().await.expect("body");
    let known = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "other"];
    let labels = method_labels(&metrics);
    assert!(labels.iter().all(|l| known.contains(&l.as_str())), "unbounded method labels: {labels:?}");
    assert!(labels.contains(&"other".to_owned()));
    let odd_series = metrics.lines().filter(|l| l.contains("method=\"X")).count();
    assert_eq!(odd_series, 0);
}

/// The same against a real `oneprotect serve`, whose recorder is its own, so the size of
/// `/metrics` itself can be compared: before the fix, 20,000 such requests added 22 MB.
#[actix_web::test]
async fn a_real_process_metrics_stay_the_same_size_under_odd_method_tokens() {
    let mut app = spawn_app().await;
    let _process = app.move_into_process(&[]).await;
    let metrics_size = |app: &crate::helpers::TestApp| {
        let (client, url) = (app.client.clone(), app.url("/metrics"));
        async move { client.get(url).send().await.expect("metrics").text().await.expect("body").len() }
    };
    // Every label that can exist once: each known method and `other`, on a route and off.
    for method in [Method::GET, Method::HEAD, Method::POST, Method::from_bytes(b"XWARM").expect("token")] {
        for path in ["/healthz", "/no/such/route"] {
            app.client.request(method.clone(), app.url(path)).send().await.expect("request");
        }
    }
    let before = metrics_size(&app).await;
    let sent: Vec<_> = (0..8u32)
        .map(|worker| {
            let (client, base) = (app.client.clone(), app.url(""));
            actix_web::rt::spawn(async move {
                for i in 0..1_250u32 {
                    let n = (worker * 1_250 + i).wrapping_mul(2_654_435_761);
                    let method = Method::from_bytes(format!("X{n:08X}").as_bytes()).expect("a method token");
                    let path = if i % 2 == 0 { "/healthz" } else { "/no/such/route" };
                    client.request(method, format!("{base}{path}")).send().await.expect("request");
                }
            })
        })
        .collect();
    for worker in sent {
        worker.await.expect("worker");
    }
    let after = metrics_size(&app).await;
    eprintln!("/metrics: {before} bytes before 10,000 odd-method requests, {after} after");
    // Counters and histogram sums grow by a few digits; a new series per token would add MBs.
    assert!(after < before + 4_096, "/metrics grew from {before} to {after} bytes");
}

#[actix_web::test]
async fn a_body_sent_too_slowly_is_answered_408() {
    // Against a real `oneprotect serve`: before the fix a dribbled body was never answered.
    let mut app = spawn_app().await;
    let _process = app.move_into_process(&[("ONEPROTECT__SERVER__BODY_TIMEOUT_SECS", "1")]).await;
    let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", app.port)).await.expect("connect");
    let head =
        "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
    socket.write_all(head.as_bytes()).await.expect("headers");
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    // Dribble one byte every 200 ms, as the attack does, until the server answers.
    while started.elapsed() < Duration::from_secs(6) {
        if socket.write_all(b" ").await.is_err() {
            break;
        }
        match tokio::time::timeout(Duration::from_millis(200), socket.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                answer.extend_from_slice(&buffer[..n]);
                if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            Err(_) => {}
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "answer after {:?}: {answer}", started.elapsed());
    assert!(answer.to_ascii_lowercase().contains("content-type: application/problem+json"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(4), "answered after {:?}", started.elapsed());
}
