//! A tiny HTTP endpoint that records what it receives and answers scripted statuses.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    /// The query string as it arrived.
    pub query: String,
    pub timestamp: String,
    pub signatures: Vec<String>,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("JSON payload")
    }

    /// Whether one of the `v1,` signatures is the one `secret` makes.
    pub fn signed_with(&self, secret: &str) -> bool {
        let key = STANDARD.decode(secret.strip_prefix("whsec_").expect("whsec_ secret")).expect("base64 secret");
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
        mac.update(format!("{}.{}.{}", self.id, self.timestamp, self.body).as_bytes());
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        self.signatures.contains(&expected)
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    script: VecDeque<u16>,
    /// How long each answer takes, after the request is recorded.
    delay: Duration,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: usize,
    max_in_flight: usize,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl Receiver {
    /// Answers the statuses in `script` in turn, then 200.
    pub async fn spawn(script: &[u16]) -> Self {
        Self::spawn_with(script, Duration::ZERO).await
    }

    /// Records each request at once but answers 200 only after `delay`: a slow endpoint.
    pub async fn spawn_slow(delay: Duration) -> Self {
        Self::spawn_with(&[], delay).await
    }

    async fn spawn_with(script: &[u16], delay: Duration) -> Self {
        let script = script.iter().copied().collect();
        let state = Arc::new(Mutex::new(State { received: Vec::new(), script, delay, in_flight: 0, max_in_flight: 0 }));
        let shared = web::Data::from(state.clone());
        let server = HttpServer::new(move || App::new().app_data(shared.clone()).default_service(web::to(record)))
            .workers(1)
            .bind("127.0.0.1:0")
            .expect("bind receiver");
        let port = server.addrs()[0].port();
        actix_web::rt::spawn(server.run());
        Self { url: format!("http://127.0.0.1:{port}/hook"), state }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().expect("receiver state").received.clone()
    }

    /// The most requests that were being answered at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.state.lock().expect("receiver state").max_in_flight
    }
}

async fn record(req: HttpRequest, body: web::Bytes, state: web::Data<Mutex<State>>) -> HttpResponse {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let received = Received {
        id: header("webhook-id"),
        query: req.query_string().to_owned(),
        timestamp: header("webhook-timestamp"),
        signatures: header("webhook-signature").split(' ').map(str::to_owned).collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let (status, delay) = {
        let mut state = state.lock().expect("receiver state");
        state.received.push(received);
        state.in_flight += 1;
        state.max_in_flight = state.max_in_flight.max(state.in_flight);
        (state.script.pop_front().unwrap_or(200), state.delay)
    };
    if !delay.is_zero() {
        actix_web::rt::time::sleep(delay).await;
    }
    state.lock().expect("receiver state").in_flight -= 1;
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("status")).body("scripted answer")
}
