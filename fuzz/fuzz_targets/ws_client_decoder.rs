//! The WebSocket decoder in the client's role (what `brisk_client::ws`
//! feeds with a server's bytes), with and without permessage-deflate, over
//! arbitrary splits: never a panic, and the messages decoded in pieces
//! are the messages decoded at once, up to the first error (whose variant
//! may differ when a corrupt deflate stream also passes the limit).
#![no_main]
use brisk_core::ws::{Decoder, Inflater, Role};
use libfuzzer_sys::fuzz_target;

/// Every event (as text) up to the first error, and whether one came.
fn run(mut d: Decoder, data: &[u8], step: usize) -> (Vec<String>, bool) {
    let mut buf = data.to_vec();
    let mut events = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let end = (pos + step).min(buf.len());
        while pos < end {
            match d.decode(&mut buf[pos..end]) {
                Ok((n, Some(ev))) => {
                    events.push(format!("{ev:?}"));
                    pos += n;
                }
                Ok((n, None)) => {
                    assert_eq!(n, end - pos, "all input taken when no event");
                    pos = end;
                }
                Err(_) => return (events, true),
            }
        }
    }
    (events, false)
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, data)) = data.split_first() else {
        return;
    };
    let make = || {
        let d = Decoder::new(Role::Client).with_max_message_bytes(1 << 16);
        if flags & 1 == 1 {
            d.with_inflater(Inflater::new(flags & 2 == 2))
        } else {
            d
        }
    };
    let whole = run(make(), data, data.len().max(1));
    let pieces = run(make(), data, usize::from(flags >> 2) % 13 + 1);
    assert_eq!(whole, pieces);
});
