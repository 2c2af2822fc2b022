//! Response heads and the framing decision that follows them; also the
//! lenient parser a client may use (bare LF, obs-fold), whole and split.
#![no_main]
use brisk_core::{parse_response, Limits, Method, ResponseParser, Status, EMPTY_HEADER};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut slots = [EMPTY_HEADER; 64];
    let strict = parse_response(data, &mut slots, &Limits::default());
    if let Ok(Status::Complete((v, n))) = strict {
        assert!(n <= data.len());
        let head = v.to_head();
        for m in [Method::Get, Method::Head, Method::Connect] {
            let _ = brisk_core::response_body_kind(&m, head.status.as_u16(), &head.headers);
        }
        let _ = brisk_core::keep_alive(head.version, &head.headers);
    }

    // Lenient: what the strict parser accepts, it accepts alike; split in
    // two anywhere, it answers as it does on the whole buffer.
    let lenient = || ResponseParser::new(Limits::default()).bare_lf(true).obs_fold(true);
    let mut slots = [EMPTY_HEADER; 64];
    let whole = match lenient().parse(data, &mut slots) {
        Ok(Status::Complete((v, n))) => Ok(Some((v.to_head(), n))),
        Ok(Status::Partial) => Ok(None),
        Err(e) => Err(e),
    };
    if let (Ok(Status::Complete((v, n))), Ok(Some((head, m)))) = (strict, &whole) {
        assert_eq!((&v.to_head(), n), (head, *m));
    }
    let cut = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let mut parser = lenient();
    let mut slots = [EMPTY_HEADER; 64];
    if let Ok(Status::Partial) = parser.parse(&data[..cut], &mut slots) {
        let mut slots = [EMPTY_HEADER; 64];
        let split = match parser.parse(data, &mut slots) {
            Ok(Status::Complete((v, n))) => Ok(Some((v.to_head(), n))),
            Ok(Status::Partial) => Ok(None),
            Err(e) => Err(e),
        };
        // As in the request target: the same head, or both refuse (the
        // one-shot parse may see an error in a line not yet complete).
        match (&whole, &split) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Err(_)) | (Err(_), Ok(None)) => {}
            _ => panic!("split parse disagrees: {whole:?} vs {split:?}"),
        }
    }
});
