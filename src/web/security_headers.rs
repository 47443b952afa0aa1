//! Headers every answer carries, whatever produced it (handlers, extractor errors, the 404
//! fallback, Swagger UI): `nosniff`, so no browser runs an answer as a different type; for the
//! browsable pages (portal, Swagger UI) a CSP that forbids framing (clickjacking) and a
//! `Referrer-Policy`; and HSTS once the deployment says it is served over HTTPS
//! (`portal.secure_cookie`, which config/production.toml turns on).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// Swagger UI loads its scripts and styles from the binary, its icons as data: URIs, and
/// React sets inline styles.
const DOCS_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                        frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Set once at start-up from the settings.
#[derive(Debug, Clone, Copy)]
pub struct SecurityHeaders {
    pub https: bool,
}

/// Adds what the handler did not set itself (the portal sets a stricter CSP of its own).
pub async fn add(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let https = req.app_data::<SecurityHeaders>().is_some_and(|s| s.https);
    let docs = req.path().starts_with("/api/docs");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    set_default(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if docs {
        set_default(headers, header::CONTENT_SECURITY_POLICY, DOCS_CSP);
        set_default(headers, header::REFERRER_POLICY, "same-origin");
    }
    if https {
        set_default(headers, header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    Ok(response)
}

fn set_default(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !headers.contains_key(&name) {
        headers.insert(name, HeaderValue::from_static(value));
    }
}
