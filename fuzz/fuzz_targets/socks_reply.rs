//! SOCKS4 and SOCKS5 replies from a proxy, received in arbitrary pieces:
//! the decoders never panic and never claim bytes they were not given, a
//! reply is accepted or refused the same whatever the split, and the bytes
//! after the final reply (the tunnel's) are left over exactly.
#![no_main]
use brisk_client::handshake::{Handshake, Progress, ProxyError};
use brisk_client::socks::{
    decode_socks4_reply, decode_socks5_reply, ipv4_target, Socks4, Socks5, SocksTarget,
};
use brisk_client::url::Credentials;
use libfuzzer_sys::fuzz_target;

/// Drives `hs` as `connect.rs` does, the proxy's `wire` arriving in pieces
/// of `sizes` (cycled): the bytes left after the final reply, `None` when
/// the wire ends first.
fn drive(
    hs: &mut dyn Handshake,
    wire: &[u8],
    sizes: &[usize],
) -> Result<Option<Vec<u8>>, ProxyError> {
    hs.first_message()?;
    let (mut buf, mut fed) = (Vec::new(), 0);
    for size in sizes.iter().cycle() {
        match hs.on_reply(&buf)? {
            Progress::NeedMore if fed == wire.len() => return Ok(None),
            Progress::NeedMore => {
                let end = (fed + size).min(wire.len());
                buf.extend_from_slice(&wire[fed..end]);
                fed = end;
            }
            Progress::Next { consumed, .. } => {
                assert!(consumed > 0 && consumed <= buf.len());
                buf.drain(..consumed);
            }
            Progress::Done { consumed } => {
                assert!(consumed <= buf.len());
                buf.drain(..consumed);
                buf.extend_from_slice(&wire[fed..]);
                return Ok(Some(buf));
            }
        }
    }
    unreachable!("cycle never ends")
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, wire)) = data.split_first() else {
        return;
    };
    // The pure decoders re-read the whole buffer: the first prefix that
    // decides (a length or an error) decides as the whole wire does.
    for decode in [decode_socks4_reply, decode_socks5_reply] {
        let whole = decode(wire);
        for i in 0..=wire.len() {
            let r = decode(&wire[..i]);
            if r != Ok(None) {
                assert_eq!(r, whole, "prefix {i}");
                assert!(r.is_err() || matches!(r, Ok(Some(n)) if n <= i));
                break;
            }
        }
    }
    // The handshakes: one piece, one byte at a time, and pieces of 1..=8.
    let splits = [
        vec![wire.len().max(1)],
        vec![1],
        vec![
            usize::from(ctl & 7) + 1,
            usize::from(ctl >> 3 & 7) + 1,
            usize::from(ctl >> 6) + 1,
        ],
    ];
    let make = |i: usize| -> Box<dyn Handshake> {
        let origin = SocksTarget::Domain("origin".into(), 80);
        match i {
            0 => Box::new(Socks4::new(ipv4_target([10, 0, 0, 1].into(), 80), "u")),
            1 => Box::new(Socks4::new(origin, "")),
            2 => Box::new(Socks5::new(origin, None)),
            _ => Box::new(Socks5::new(origin, Some(Credentials::from_pair("u:pw")))),
        }
    };
    for i in 0..4 {
        let whole = drive(&mut *make(i), wire, &splits[0]);
        if let Ok(Some(left)) = &whole {
            assert!(wire.ends_with(left));
        }
        for sizes in &splits[1..] {
            let split = drive(&mut *make(i), wire, sizes);
            assert_eq!(split, whole, "handshake {i}, pieces {sizes:?}");
        }
    }
});
