//! A deadline for the whole request body. actix-web times out slow headers, not a body sent a
//! byte at a time, so without this one client could hold a connection (and a worker's buffer)
//! open indefinitely without credentials. The deadline starts once the headers are in; a
//! body still arriving after it fails to read, and the answer is 408 (problem+json), whatever
//! the handler made of the read error.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
type BoxedPayloadStream = std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>;
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use futures_util::StreamExt;
use futures_util::stream::{self, Stream};
use tokio::time::Instant;

use super::error::ApiError;

/// Set once at start-up from `server.body_timeout_secs`.
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub Duration);

pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(BodyDeadline(limit)) = req.app_data::<BodyDeadline>().copied() else {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    };
    let expired = Arc::new(AtomicBool::new(false));
    let (request, payload) = req.into_parts();
    let stream: BoxedPayloadStream = Box::pin(until(payload, Instant::now() + limit, expired.clone()));
    let bounded = Payload::Stream { payload: stream };
    let req = ServiceRequest::from_parts(request, bounded);
    let response = next.call(req).await?;
    if expired.load(Ordering::Acquire) {
        let late = ApiError::RequestTimeout(format!("the body did not arrive within {} seconds", limit.as_secs()));
        let (request, _) = response.into_parts();
        return Ok(ServiceResponse::from_err(late, request).map_into_right_body());
    }
    Ok(response.map_into_left_body())
}

/// The body's chunks until `deadline`; then one timeout error, flagged in `expired`, and the end.
fn until(
    payload: Payload,
    deadline: Instant,
    expired: Arc<AtomicBool>,
) -> impl Stream<Item = Result<Bytes, PayloadError>> {
    stream::unfold(Some(payload), move |state| {
        let expired = expired.clone();
        async move {
            let mut payload = state?;
            match tokio::time::timeout_at(deadline, payload.next()).await {
                Ok(Some(chunk)) => Some((chunk, Some(payload))),
                Ok(None) => None,
                Err(_) => {
                    expired.store(true, Ordering::Release);
                    let error = std::io::Error::new(std::io::ErrorKind::TimedOut, "request body deadline passed");
                    Some((Err(PayloadError::Io(error)), None))
                }
            }
        }
    })
}
