//! The chunked decoder over arbitrary splits, strict (requests) and
//! lenient (responses): the data decoded in pieces equals the data decoded
//! at once, it never reads past the body, and whatever the strict reading
//! accepts the lenient one reads the same way.
#![no_main]
use brisk_core::ChunkedDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let strict = check(data, ChunkedDecoder::new);
    let lenient = check(data, ChunkedDecoder::lenient);
    if let Ok(strict) = strict {
        assert_eq!(Ok(strict), lenient, "the lenient reading differs");
    }
});

/// Decodes `data` at once and in pieces with fresh decoders from `make`;
/// asserts they agree and returns the one-shot result.
fn check(
    data: &[u8],
    make: fn() -> ChunkedDecoder,
) -> Result<(usize, bool, Vec<u8>), brisk_core::ParseError> {
    let mut whole = make();
    let mut out_whole = Vec::new();
    let r_whole = whole.decode(data, &mut out_whole);

    let mut pieces = make();
    let mut out_pieces = Vec::new();
    let mut pos = 0;
    let mut r_pieces = Ok((0, false));
    let step = data.first().map_or(1, |&b| (b as usize % 7) + 1);
    while pos < data.len() {
        let end = (pos + step).min(data.len());
        match pieces.decode(&data[pos..end], &mut out_pieces) {
            Ok((n, done)) => {
                // Everything is consumed until the body ends.
                assert!(n == end - pos || (done && n < end - pos));
                pos += n;
                r_pieces = Ok((pos, done));
                if done {
                    break;
                }
            }
            Err(e) => {
                r_pieces = Err(e);
                break;
            }
        }
    }
    match (r_whole, r_pieces) {
        (Ok((n1, d1)), Ok((n2, d2))) => {
            assert_eq!(d1, d2);
            if d1 {
                assert_eq!(n1, n2);
            }
            assert_eq!(out_whole, out_pieces);
            Ok((n1, d1, out_whole))
        }
        (Err(e), Err(_)) => Err(e),
        (a, b) => panic!("whole {a:?} vs pieces {b:?}"),
    }
}
