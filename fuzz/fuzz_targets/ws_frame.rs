//! The WebSocket decoder over arbitrary bytes and splits: it never panics,
//! and the events (or the error) are the same whether the bytes come at
//! once or in pieces. The first byte picks the role, permessage-deflate
//! and the piece size.
#![no_main]
use brisk_core::ws::{DeflateConfig, Decoder, Event, ProtocolError, Role};
use libfuzzer_sys::fuzz_target;

fn decoder(flags: u8) -> Decoder {
    let role = if flags & 1 == 0 { Role::Server } else { Role::Client };
    let dec = Decoder::new(role).with_max_message_bytes(1 << 16);
    if flags & 2 == 0 {
        return dec;
    }
    let (params, _) = DeflateConfig::default()
        .negotiate([&b"permessage-deflate"[..]])
        .expect("the default offer is accepted");
    dec.with_inflater(params.inflater(role))
}

fn describe(e: Event<'_>) -> (u8, Vec<u8>) {
    match e {
        Event::Text(s) => (1, s.as_bytes().to_vec()),
        Event::Binary(b) => (2, b.to_vec()),
        Event::Ping(b) => (9, b.to_vec()),
        Event::Pong(b) => (10, b.to_vec()),
        Event::Close(c) => (8, c.map_or(vec![], |c| [&c.code.as_u16().to_be_bytes()[..], c.reason.as_bytes()].concat())),
    }
}

fn run(flags: u8, data: &[u8], step: usize) -> (Vec<(u8, Vec<u8>)>, Option<ProtocolError>) {
    let mut dec = decoder(flags);
    let mut events = Vec::new();
    for piece in data.chunks(step.max(1)) {
        let mut buf = piece.to_vec();
        let mut pos = 0;
        loop {
            match dec.decode(&mut buf[pos..]) {
                Ok((n, Some(ev))) => {
                    events.push(describe(ev));
                    pos += n;
                }
                Ok((n, None)) => {
                    assert_eq!(pos + n, buf.len());
                    break;
                }
                Err(e) => return (events, Some(e)),
            }
        }
    }
    (events, None)
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let whole = run(flags, rest, rest.len());
    let pieces = run(flags, rest, usize::from(flags >> 2) + 1);
    assert_eq!(whole, pieces);
});
