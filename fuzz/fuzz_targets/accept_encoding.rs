//! `Accept-Encoding` negotiation on arbitrary field values: never panics,
//! the choice is among the supported codings, and it is the best ranked
//! one whenever any coding is acceptable.
#![no_main]
use brisk_core::accept_encoding::{negotiate, Choice, Coding, Weights};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let supported = [Coding::Brotli, Coding::Zstd, Coding::Gzip];
    let ranked = Weights::parse(value).ranked(&supported);
    match negotiate(Some(value), &supported) {
        Choice::Coding(c) => {
            assert!(supported.contains(&c));
            assert_eq!(ranked.first(), Some(&c), "{value:?}");
        }
        Choice::Identity => {}
        Choice::NotAcceptable => assert!(ranked.is_empty(), "{value:?}"),
    }
});
