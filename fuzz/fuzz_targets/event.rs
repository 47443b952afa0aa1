//! Any bytes as a body: whatever parses as JSON goes through the parser, which must never
//! panic and must refuse with field-level errors only.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Err(errors) = oneprotect::domain::event::parse_event(&body) {
            assert!(!errors.0.is_empty() && errors.0.iter().all(|e| !e.field.is_empty() && !e.message.is_empty()));
        }
    }
});
