//! Response heads and the framing decision that follows them.
#![no_main]
use http_core::{parse_response, Limits, Method, Status, EMPTY_HEADER};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut slots = [EMPTY_HEADER; 64];
    if let Ok(Status::Complete((v, n))) = parse_response(data, &mut slots, &Limits::default()) {
        assert!(n <= data.len());
        let head = v.to_head();
        for m in [Method::Get, Method::Head, Method::Connect] {
            let _ = http_core::response_body_kind(&m, head.status.as_u16(), &head.headers);
        }
        let _ = http_core::keep_alive(head.version, &head.headers);
    }
});
