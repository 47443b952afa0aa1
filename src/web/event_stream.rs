//! A `text/event-stream` answer fed by the live alert feed: what the client missed since its
//! `Last-Event-ID`, then every change as it commits, and a heartbeat comment when quiet.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use futures_util::stream;
use tokio::sync::broadcast::error::RecvError;

use crate::db::DbError;
use crate::live::{AlertFeed, FeedEvent, Subscription, frame, heartbeat};

const HEARTBEAT: Duration = Duration::from_secs(15);

/// Asked at most once a heartbeat whether the caller may still read: a stream outlives the
/// request that opened it, and a user disabled (or a token revoked, a session ended) since
/// must stop receiving. `false` ends the stream; the client's reconnect is then refused.
pub type StillAllowed = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = bool>>>>;

/// The id the client resumes after: the `Last-Event-ID` header an `EventSource` sends on
/// reconnecting, or `?last_event_id=` for clients that cannot set headers.
pub fn last_event_id(req: &HttpRequest) -> Option<i64> {
    let header = req.headers().get("last-event-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let query = || {
        form_urlencoded::parse(req.query_string().as_bytes())
            .find(|(key, _)| key == "last_event_id")
            .map(|(_, value)| value.into_owned())
    };
    header.or_else(query).and_then(|raw| raw.trim().parse().ok())
}

pub async fn respond(
    feed: &AlertFeed,
    tenant_id: &str,
    last_event_id: Option<i64>,
    allowed: StillAllowed,
) -> Result<HttpResponse, DbError> {
    let subscription = feed.subscribe(tenant_id, last_event_id).await?;
    let Subscription { missed, live, position } = subscription;
    let opening: String = std::iter::once(": connected\n\n".to_owned()).chain(missed.iter().map(frame)).collect();
    let state = (Some(opening), live, position, Instant::now());
    let events = stream::unfold(state, move |(opening, mut live, mut position, mut checked)| {
        let allowed = allowed.clone();
        async move {
            if let Some(opening) = opening {
                return Some((Ok::<_, actix_web::Error>(Bytes::from(opening)), (None, live, position, checked)));
            }
            loop {
                if checked.elapsed() >= HEARTBEAT {
                    if !allowed().await {
                        return None;
                    }
                    checked = Instant::now();
                }
                let next = tokio::time::timeout(HEARTBEAT, live.recv()).await;
                let text = match next {
                    Err(_) => heartbeat().to_owned(),
                    Ok(Ok(event)) => {
                        if event.seq().is_some_and(|seq| seq <= position) {
                            continue;
                        }
                        position = event.seq().unwrap_or(position);
                        frame(&event)
                    }
                    // Fell behind the broadcast: events are lost to this stream, so say reload.
                    Ok(Err(RecvError::Lagged(_))) => frame(&FeedEvent::Reset { seq: position }),
                    Ok(Err(RecvError::Closed)) => return None,
                };
                return Some((Ok(Bytes::from(text)), (None, live, position, checked)));
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(events))
}
