//! The client's exchange machine (head, 1xx loop, body framing, keep-alive
//! verdict) over arbitrary splits of the response: the status, body,
//! reusability and the bytes left for the next response are those of a
//! one-shot read; errors agree on being errors; nothing panics.
#![no_main]
use brisk_client::fuzzing::exchange_outcome;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&[ctl], wire)) = data.split_first_chunk::<1>() else {
        return;
    };
    let head = ctl & 1 == 1;
    let whole = exchange_outcome(head, wire, &[wire.len().max(1)]);
    let sizes = [
        usize::from(ctl >> 1 & 7) + 1,
        usize::from(ctl >> 4 & 7) + 1,
        1,
    ];
    for sizes in [&[1][..], &sizes[..]] {
        let split = exchange_outcome(head, wire, sizes);
        match (&whole.result, &split.result) {
            (Ok(_), Ok(_)) => assert_eq!(split, whole, "{sizes:?}"),
            (Err(_), Err(_)) => {}
            _ => panic!("{sizes:?}: {whole:?} vs {split:?}"),
        }
    }
});
