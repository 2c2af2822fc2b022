//! Request heads: one-shot and split incremental parses, into views and
//! into a reused owned head, must agree on every head either accepts,
//! never panic, and never claim more bytes than they were given.
#![no_main]
use brisk_core::{parse_request, Limits, RequestParser, Status, EMPTY_HEADER};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;

/// Header slots for the view parses: more than `Limits::default()`'s
/// 100 fields, so that the slots never run out before the limit does
/// (`parse_into` has no slots; with fewer, a head of 65 to 100 fields
/// and a bad line after them read as `TooManyHeaders` in the view and as
/// the bad line's error in the owned head).
const SLOTS: usize = 128;

thread_local! {
    static REUSED: RefCell<Option<brisk_core::RequestHead>> = const { RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let mut slots = [EMPTY_HEADER; SLOTS];
    let whole = match parse_request(data, &mut slots, &limits) {
        Ok(Status::Complete((v, n))) => {
            assert!(n <= data.len());
            let head = v.to_head();
            let _ = brisk_core::validate_request(&head);
            let _ = brisk_core::request_body_kind(&head.headers);
            let _ = brisk_core::parse_target(&head.target, &head.method);
            Ok(Some((head, n)))
        }
        Ok(Status::Partial) => Ok(None),
        Err(e) => Err(e),
    };
    // Parsing into a head reused from earlier inputs (as the server does
    // per connection) gives the same answer as the view.
    REUSED.with(|reused| {
        let mut reused = reused.borrow_mut();
        let Some(r) = reused.as_mut() else {
            if let Ok(Some((head, _))) = &whole {
                *reused = Some(head.clone());
            }
            return;
        };
        let owned = match RequestParser::new(limits).parse_into(data, r) {
            Ok(Status::Complete((n, notes))) => {
                assert_eq!(notes, brisk_core::FieldNotes::of(&r.headers));
                assert_eq!(
                    brisk_core::check_noted(r, &notes),
                    brisk_core::check_request(r)
                );
                Ok(Some((r.clone(), n)))
            }
            Ok(Status::Partial) => Ok(None),
            Err(e) => Err(e),
        };
        assert_eq!(owned, whole);
    });
    // The same bytes fed in two pieces give the same answer.
    let split = data.first().map_or(0, |&b| b as usize % (data.len() + 1));
    let mut parser = RequestParser::new(limits);
    let mut slots = [EMPTY_HEADER; SLOTS];
    let first = parser.parse(&data[..split], &mut slots);
    if let Ok(Status::Partial) = first {
        let mut slots = [EMPTY_HEADER; SLOTS];
        let again = match parser.parse(data, &mut slots) {
            Ok(Status::Complete((v, n))) => Ok(Some((v.to_head(), n))),
            Ok(Status::Partial) => Ok(None),
            Err(e) => Err(e),
        };
        // Both accept the same head, or both refuse; the one-shot parse
        // may see an error inside an incomplete line that the resumed scan
        // only reports once the line's LF arrives.
        match (&whole, &again) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Err(_)) | (Err(_), Ok(None)) => {}
            _ => panic!("split parse disagrees: {whole:?} vs {again:?}"),
        }
    }
});
