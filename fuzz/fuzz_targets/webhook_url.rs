//! The webhook URL guard on arbitrary bytes: it never panics, every refusal is a field message
//! ("url must …", "url is not a valid URL: …", "url is refused: …"), and a URL it accepts
//! never names a refused address literally.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oneprotect::webhooks::guard::{AddressPolicy, check_url, literal_address, refused_range};

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else { return };
    match check_url(raw, &AddressPolicy::default()) {
        Ok(url) => {
            if let Some(ip) = literal_address(&url) {
                assert!(refused_range(ip).is_none(), "accepted {raw:?}, which names {ip}");
            }
        }
        Err(reason) => {
            let clear = ["must ", "is not a valid URL: ", "is refused: "].iter().any(|p| reason.starts_with(p));
            assert!(clear, "unclear refusal {reason:?} of {raw:?}");
        }
    }
});
