//! Refusals every operation of a kind can answer, added to the OpenAPI document in one place
//! rather than repeated on each handler: whatever takes a body or parameters can be malformed
//! (400), a body can be of another type (415), too large (413) or too slow (408), pagination
//! values can be out of range (422), whatever needs a bearer token can be refused it (401), and
//! anything may meet an exhausted database pool (503).
//! Schemathesis (scripts/schemathesis) checks that the answers stay within the document.

use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};

pub struct CommonProblems;

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                add_common(operation);
            }
        }
    }
}

fn add_common(operation: &mut Operation) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_query = parameters.iter().any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
    let pages = parameters.iter().any(|p| matches!(p, RefOr::T(p) if p.name == "limit" || p.name == "cursor"));
    let has_header = parameters.iter().any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Header));
    let has_body = operation.request_body.is_some();
    if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
        problem(operation, "401", "Missing, unknown, revoked or expired token");
    }
    if has_query || has_header || has_body {
        problem(operation, "400", "Malformed body, query or header");
    }
    if pages {
        problem(operation, "422", "Invalid fields or query values");
    }
    if has_body {
        problem(operation, "408", "The body did not arrive within server.body_timeout_secs");
        problem(operation, "413", "Body too large");
        problem(operation, "415", "The body is not JSON (application/json or application/*+json)");
    }
    problem(operation, "503", "Busy or the database is unavailable; retry after Retry-After");
}

/// Adds a problem+json answer unless the handler documents this status itself.
fn problem(operation: &mut Operation, status: &str, description: &str) {
    let responses = &mut operation.responses.responses;
    if responses.contains_key(status) {
        return;
    }
    let content = Content::new(Some(Ref::from_schema_name("ProblemDetails")));
    let response = ResponseBuilder::new().description(description).content("application/problem+json", content).build();
    responses.insert(status.to_owned(), RefOr::T(response));
}
