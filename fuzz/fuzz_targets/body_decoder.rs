//! http-core's body framing (`BodyDecoder`, used by client and server) over arbitrary splits,
//! through `decode` or the passthrough path as the body reader uses them:
//! the body, the verdict (done, error, truncated at EOF) and the bytes left
//! for the next response are those of a one-shot decode.
#![no_main]
use brisk_core::BodyDecoder;
use brisk_core::{BodyKind, ParseError};
use libfuzzer_sys::fuzz_target;

/// What a run produced: the body (or the error), whether the decoder
/// finished, the bytes it left, and the verdict of an EOF after the wire.
type Outcome = (Result<Vec<u8>, ParseError>, bool, Vec<u8>, bool);

/// Feeds `wire` in pieces of `sizes` (cycled), as the body reader does:
/// passthrough framings read straight from the wire when `direct`, the
/// rest through a pending buffer (the connection's read buffer).
fn run(kind: BodyKind, wire: &[u8], sizes: &[usize], direct: bool) -> Outcome {
    let mut d = BodyDecoder::new(kind);
    let (mut body, mut pending, mut fed) = (Vec::new(), Vec::new(), 0);
    for size in sizes.iter().cycle() {
        if d.is_done() || fed == wire.len() {
            break;
        }
        let end = (fed + size).min(wire.len());
        match d.passthrough_limit() {
            Some(limit) if direct => {
                let n = usize::try_from(limit).unwrap_or(usize::MAX).min(end - fed);
                body.extend_from_slice(&wire[fed..fed + n]);
                d.passed_through(n as u64);
                fed += n;
            }
            _ => {
                pending.extend_from_slice(&wire[fed..end]);
                fed = end;
                match d.decode(&pending, &mut body) {
                    Ok(used) => drop(pending.drain(..used)),
                    Err(e) => return (Err(e), false, Vec::new(), false),
                }
            }
        }
    }
    pending.extend_from_slice(&wire[fed..]);
    let done = d.is_done();
    (Ok(body), done, pending, d.on_eof().is_ok())
}

fuzz_target!(|data: &[u8]| {
    let Some((&[k, n0, n1, ctl], wire)) = data.split_first_chunk::<4>() else {
        return;
    };
    let n = u64::from(u16::from_le_bytes([n0, n1]));
    let kind = match k % 5 {
        0 => BodyKind::Empty,
        1 => BodyKind::Length(n),
        2 => BodyKind::Length(u64::MAX - n),
        3 => BodyKind::Chunked,
        _ => BodyKind::CloseDelimited,
    };
    let whole = run(kind, wire, &[wire.len().max(1)], false);
    let sizes = [usize::from(ctl & 7) + 1, usize::from(ctl >> 3 & 7) + 1, 1];
    for (sizes, direct) in [(&[1][..], false), (&sizes[..], false), (&sizes[..], true)] {
        let split = run(kind, wire, sizes, direct);
        match (&whole.0, &split.0) {
            (Ok(_), Ok(_)) => assert_eq!(split, whole, "{kind:?} {sizes:?} direct={direct}"),
            (Err(_), Err(_)) => {}
            _ => panic!("{kind:?} {sizes:?} direct={direct}: {whole:?} vs {split:?}"),
        }
    }
});
