//! The chunked decoder over arbitrary splits: the data decoded in pieces
//! equals the data decoded at once, and it never reads past the body.
#![no_main]
use http_core::ChunkedDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut whole = ChunkedDecoder::new();
    let mut out_whole = Vec::new();
    let r_whole = whole.decode(data, &mut out_whole);

    let mut pieces = ChunkedDecoder::new();
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
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!("whole {a:?} vs pieces {b:?}"),
    }
});
