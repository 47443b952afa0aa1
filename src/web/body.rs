//! Request bodies of the JSON endpoints, read one way everywhere: a JSON `Content-Type` (or
//! none), the size limit, no key named twice, and failures as problems, not plain text.
//! Mutation bodies are read only after the caller is known to be allowed to mutate, so an
//! auditor learns nothing but 403 whatever the body is.

use std::future::Future;
use std::pin::Pin;

use actix_web::error::PayloadError;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest, dev};
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::auth::Caller;
use super::error::ApiError;
use super::json_unique::UniqueValue;
use super::state::AppState;
use crate::domain::role::Permission;

/// The whole body (an actix `Payload`, raw or extracted), at most `limit` bytes.
pub async fn read_body<S>(mut payload: S, limit: usize) -> Result<Bytes, ApiError>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(format!("the body is larger than {limit} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// `application/json` or any `application/*+json`, with parameters (`charset=utf-8`) or not.
/// No `Content-Type` at all is read as JSON too: some senders omit it, and the body must still
/// parse. Anything else (text/plain, forms) is refused with 415.
pub fn require_json_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let Some(value) = req.headers().get(CONTENT_TYPE) else { return Ok(()) };
    let essence = value.to_str().ok().and_then(|v| v.split(';').next()).map(|v| v.trim().to_ascii_lowercase());
    let json = essence.as_deref().and_then(|e| e.strip_prefix("application/")).is_some_and(|subtype| {
        subtype == "json" || subtype.strip_suffix("+json").is_some_and(|s| !s.is_empty() && !s.contains('/'))
    });
    if json { Ok(()) } else { Err(ApiError::UnsupportedMediaType("send the body as application/json".into())) }
}

/// A JSON body from an endpoint's raw payload: checked content type, size, duplicate keys.
/// `Ok(None)` for an empty body, which some endpoints allow.
pub async fn read_json<S>(req: &HttpRequest, payload: S, limit: usize) -> Result<Option<Value>, ApiError>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    require_json_content_type(req)?;
    let body = read_body(payload, limit).await?;
    parse_json(&body)
}

/// Empty (or whitespace) is `None`; anything else must be JSON with no key named twice.
pub fn parse_json(body: &[u8]) -> Result<Option<Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice::<UniqueValue>(body)
        .map(|v| Some(v.0))
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))
}

/// A typed body from a JSON value, shaped as the endpoint expects.
pub fn typed<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::BadRequest(format!("the body does not match the expected shape: {e}")))
}

/// The body of a mutation names the permission it needs, so that the extractor can decide
/// before it reads a byte.
pub trait MutationBody: DeserializeOwned {
    const PERMISSION: Permission;
    /// Whether an empty body stands for `{}` (every field optional, e.g. a rotation's grace).
    const EMPTY_IS_DEFAULT: bool = false;

    /// The largest body accepted, given the configured `server.max_body_bytes`.
    fn body_limit(configured: usize) -> usize {
        configured
    }
}

/// A mutation with its JSON body: the permission is decided first (403, before the body is
/// looked at), then the body is read and typed.
pub struct Mutation<T> {
    pub caller: Caller,
    pub body: T,
}

impl<T: MutationBody + 'static> FromRequest for Mutation<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut dev::Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let caller = Caller::from_request(&req, &mut dev::Payload::None).await?;
            caller.require(T::PERMISSION)?;
            let limit = req
                .app_data::<web::Data<AppState>>()
                .map(|s| T::body_limit(s.max_body_bytes))
                .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let value = match read_json(&req, payload, limit).await? {
                Some(value) => value,
                None if T::EMPTY_IS_DEFAULT => serde_json::Value::Object(Default::default()),
                None => return Err(ApiError::BadRequest("the body is empty; send a JSON object".into())),
            };
            Ok(Mutation { caller, body: typed(value)? })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn accepts(content_type: &str) -> bool {
        require_json_content_type(&TestRequest::default().insert_header((CONTENT_TYPE, content_type)).to_http_request())
            .is_ok()
    }

    #[test]
    fn accepts_json_and_json_suffixes_only() {
        assert!(accepts("application/json"));
        assert!(accepts("Application/JSON; charset=utf-8"));
        assert!(accepts("application/merge-patch+json"));
        assert!(!accepts("text/plain"));
        assert!(!accepts("application/x-www-form-urlencoded"));
        assert!(!accepts("application/+json"));
        assert!(!accepts("text/json"));
        assert!(require_json_content_type(&TestRequest::default().to_http_request()).is_ok());
    }
}
