//! The head parser's scans (the end of a field value, of a request-target
//! and of a token), in their vector form (SSE2 on x86_64) and their
//! word-at-a-time form, against their byte-at-a-time definitions, on
//! arbitrary bytes from every starting offset. `check_scans` panics on the
//! first disagreement, naming the scan, the offset and the bytes.
#![no_main]
use brisk_core::__fuzzing::check_scans;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Every offset of every input is O(n^2): 256 bytes is sixteen blocks,
    // enough for every block and tail case.
    let data = &data[..data.len().min(256)];
    for i in 0..=data.len() {
        check_scans(data, i);
    }
});
