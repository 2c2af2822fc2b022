//! The decoder against RFC 6455 section 5, frame by frame and split at
//! every byte.

use super::*;

/// An owned copy of an event, to compare across calls.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owned {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<(u16, String)>),
}

fn own(e: Event<'_>) -> Owned {
    match e {
        Event::Text(s) => Owned::Text(s.to_owned()),
        Event::Binary(b) => Owned::Binary(b.to_vec()),
        Event::Ping(b) => Owned::Ping(b.to_vec()),
        Event::Pong(b) => Owned::Pong(b.to_vec()),
        Event::Close(c) => Owned::Close(c.map(|c| (c.code.as_u16(), c.reason.to_owned()))),
    }
}

/// Feeds `pieces` in order; the events, or the first error.
fn decode_pieces(dec: &mut Decoder, pieces: &[&[u8]]) -> Result<Vec<Owned>, ProtocolError> {
    let mut events = Vec::new();
    for piece in pieces {
        let mut buf = piece.to_vec();
        let mut pos = 0;
        loop {
            let (n, ev) = dec.decode(&mut buf[pos..])?;
            pos += n;
            match ev {
                Some(ev) => events.push(own(ev)),
                None => {
                    assert_eq!(pos, buf.len(), "None means all was taken");
                    break;
                }
            }
        }
    }
    Ok(events)
}

fn decode_all(role: Role, wire: &[u8]) -> Result<Vec<Owned>, ProtocolError> {
    decode_pieces(&mut Decoder::new(role), &[wire])
}

const KEY: Option<[u8; 4]> = Some([0xa1, 0xb2, 0xc3, 0xd4]);

/// A masked client frame with explicit bits.
fn frame(fin: bool, rsv: u8, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.push(if fin { 0x80 } else { 0 } | rsv << 4 | opcode);
    let len = payload.len();
    match len {
        0..=125 => out.push(0x80 | len as u8),
        126..=0xffff => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(0x80 | 127);
            out.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    let key = KEY.unwrap();
    out.extend_from_slice(&key);
    let start = out.len();
    out.extend_from_slice(payload);
    apply_mask(&mut out[start..], key, 0);
    out
}

/// A conversation: fragmented text with pings between the fragments, a
/// binary message, an empty text, a pong, a close.
fn conversation() -> (Vec<u8>, Vec<Owned>) {
    let mut wire = Vec::new();
    wire.extend(frame(false, 0, 1, "κό".as_bytes()));
    wire.extend(frame(true, 0, 9, b"p1"));
    wire.extend(frame(false, 0, 0, "σμ".as_bytes()));
    wire.extend(frame(true, 0, 9, b""));
    wire.extend(frame(true, 0, 0, "ε!".as_bytes()));
    wire.extend(frame(true, 0, 2, &[0u8, 1, 2, 255]));
    wire.extend(frame(true, 0, 1, b""));
    wire.extend(frame(true, 0, 0xA, b"unsolicited"));
    wire.extend(frame(true, 0, 8, &[0x03, 0xe8, b'o', b'k']));
    let events = vec![
        Owned::Ping(b"p1".to_vec()),
        Owned::Ping(vec![]),
        Owned::Text("κόσμε!".into()),
        Owned::Binary(vec![0, 1, 2, 255]),
        Owned::Text(String::new()),
        Owned::Pong(b"unsolicited".to_vec()),
        Owned::Close(Some((1000, "ok".into()))),
    ];
    (wire, events)
}

#[test]
fn a_conversation_decodes_at_once_byte_by_byte_and_split_anywhere() {
    let (wire, expected) = conversation();
    assert_eq!(decode_all(Role::Server, &wire).unwrap(), expected);
    let bytes: Vec<&[u8]> = wire.chunks(1).collect();
    assert_eq!(
        decode_pieces(&mut Decoder::new(Role::Server), &bytes).unwrap(),
        expected
    );
    for cut in 0..=wire.len() {
        let (a, b) = wire.split_at(cut);
        let got = decode_pieces(&mut Decoder::new(Role::Server), &[a, b]).unwrap();
        assert_eq!(got, expected, "cut at {cut}");
    }
}

#[test]
fn a_thousand_small_frames_in_one_buffer() {
    let mut wire = Vec::new();
    for i in 0..1000u32 {
        wire.extend(frame(true, 0, 1, i.to_string().as_bytes()));
    }
    let got = decode_all(Role::Server, &wire).unwrap();
    assert_eq!(got.len(), 1000);
    assert_eq!(got[999], Owned::Text("999".into()));
}

#[test]
fn large_messages_with_every_length_form() {
    for len in [125usize, 126, 65535, 65536, 1 << 20] {
        let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let wire = frame(true, 0, 2, &payload);
        // In pieces of 4000 bytes: reassembled through the message buffer.
        let pieces: Vec<&[u8]> = wire.chunks(4000).collect();
        let got = decode_pieces(&mut Decoder::new(Role::Server), &pieces).unwrap();
        assert_eq!(got, vec![Owned::Binary(payload)], "{len}");
    }
}

#[test]
fn framing_violations_fail_with_their_close_code() {
    let long = [b'x'; 126];
    let cases: Vec<(&str, Vec<u8>, ProtocolError, u16)> = vec![
        (
            "rsv1 without extension",
            frame(true, 4, 1, b"a"),
            ProtocolError::ReservedBits,
            1002,
        ),
        (
            "rsv2",
            frame(true, 2, 1, b"a"),
            ProtocolError::ReservedBits,
            1002,
        ),
        (
            "rsv3",
            frame(true, 1, 2, b"a"),
            ProtocolError::ReservedBits,
            1002,
        ),
        (
            "opcode 3",
            frame(true, 0, 3, b""),
            ProtocolError::ReservedOpcode(3),
            1002,
        ),
        (
            "opcode 0xB",
            frame(true, 0, 0xB, b""),
            ProtocolError::ReservedOpcode(0xB),
            1002,
        ),
        (
            "ping over 125",
            frame(true, 0, 9, &long),
            ProtocolError::ControlTooLong,
            1002,
        ),
        (
            "fragmented ping",
            frame(false, 0, 9, b"a"),
            ProtocolError::FragmentedControl,
            1002,
        ),
        (
            "lone continuation",
            frame(true, 0, 0, b"a"),
            ProtocolError::UnexpectedContinuation,
            1002,
        ),
        (
            "text inside a fragmented message",
            [frame(false, 0, 1, b"a"), frame(true, 0, 1, b"b")].concat(),
            ProtocolError::MessageInterrupted,
            1002,
        ),
        (
            "bad utf-8",
            frame(true, 0, 1, b"\xff"),
            ProtocolError::InvalidUtf8,
            1007,
        ),
        (
            "1-byte close",
            frame(true, 0, 8, b"\x03"),
            ProtocolError::CloseTooShort,
            1002,
        ),
        (
            "close 999",
            frame(true, 0, 8, &999u16.to_be_bytes()),
            ProtocolError::InvalidCloseCode(999),
            1002,
        ),
        (
            "close 1005",
            frame(true, 0, 8, &1005u16.to_be_bytes()),
            ProtocolError::InvalidCloseCode(1005),
            1002,
        ),
        (
            "close 2999",
            frame(true, 0, 8, &2999u16.to_be_bytes()),
            ProtocolError::InvalidCloseCode(2999),
            1002,
        ),
        (
            "close 5000",
            frame(true, 0, 8, &5000u16.to_be_bytes()),
            ProtocolError::InvalidCloseCode(5000),
            1002,
        ),
        (
            "close reason not utf-8",
            frame(true, 0, 8, b"\x03\xe8\xff"),
            ProtocolError::InvalidUtf8,
            1007,
        ),
    ];
    for (what, wire, err, code) in cases {
        assert_eq!(decode_all(Role::Server, &wire), Err(err), "{what}");
        assert_eq!(err.close_code().as_u16(), code, "{what}");
        // The same verdict when the bytes come one at a time.
        let bytes: Vec<&[u8]> = wire.chunks(1).collect();
        assert_eq!(
            decode_pieces(&mut Decoder::new(Role::Server), &bytes),
            Err(err),
            "{what}"
        );
    }
    // Valid codes pass, 3000-4999 included.
    for code in [1000u16, 1001, 1003, 1007, 1011, 3000, 4999] {
        let wire = frame(true, 0, 8, &code.to_be_bytes());
        assert!(decode_all(Role::Server, &wire).is_ok(), "{code}");
    }
}

#[test]
fn masking_follows_the_role() {
    let mut unmasked = Vec::new();
    encode_frame(&mut unmasked, true, OpCode::Text, b"hi", None);
    assert_eq!(
        decode_all(Role::Server, &unmasked),
        Err(ProtocolError::Masking)
    );
    assert_eq!(
        decode_all(Role::Client, &unmasked).unwrap(),
        vec![Owned::Text("hi".into())]
    );
    let masked = frame(true, 0, 1, b"hi");
    assert_eq!(
        decode_all(Role::Client, &masked),
        Err(ProtocolError::Masking)
    );
}

#[test]
fn an_error_poisons_the_decoder() {
    let mut dec = Decoder::new(Role::Server);
    let mut bad = frame(true, 0, 3, b"");
    assert!(dec.decode(&mut bad).is_err());
    let mut good = frame(true, 0, 1, b"a");
    assert_eq!(
        dec.decode(&mut good).map(|(n, _)| n),
        Err(ProtocolError::ReservedOpcode(3))
    );
}

#[test]
fn invalid_utf8_fails_before_the_message_ends() {
    let mut dec = Decoder::new(Role::Server);
    let first = frame(false, 0, 1, b"ok");
    let bad = frame(false, 0, 0, b"\xed\xa0\x80");
    assert_eq!(decode_pieces(&mut dec, &[&first]).unwrap(), vec![]);
    assert_eq!(
        decode_pieces(&mut dec, &[&bad]),
        Err(ProtocolError::InvalidUtf8)
    );
    // A character split across fragments is fine.
    let euro = "€".as_bytes();
    let wire = [
        frame(false, 0, 1, &euro[..1]),
        frame(true, 0, 0, &euro[1..]),
    ]
    .concat();
    assert_eq!(
        decode_all(Role::Server, &wire).unwrap(),
        vec![Owned::Text("€".into())]
    );
}

#[test]
fn the_message_limit_is_enforced_from_the_header_and_across_fragments() {
    let mut dec = Decoder::new(Role::Server).with_max_message_bytes(10);
    // The header alone tells: nothing of the payload needs to arrive.
    let wire = frame(true, 0, 2, &[0; 11]);
    assert_eq!(
        decode_pieces(&mut dec, &[&wire[..8]]),
        Err(ProtocolError::TooBig)
    );
    let mut dec = Decoder::new(Role::Server).with_max_message_bytes(10);
    let wire = [frame(false, 0, 2, &[0; 6]), frame(true, 0, 0, &[0; 6])].concat();
    assert_eq!(
        decode_pieces(&mut dec, &[&wire]),
        Err(ProtocolError::TooBig)
    );
    assert_eq!(ProtocolError::TooBig.close_code(), CloseCode::TooBig);
    let mut dec = Decoder::new(Role::Server).with_max_message_bytes(10);
    assert!(decode_pieces(&mut dec, &[&frame(true, 0, 2, &[0; 10])]).is_ok());
}

fn deflate_pair(no_takeover: bool) -> (Encoder, Decoder) {
    let offer = if no_takeover {
        "permessage-deflate; client_no_context_takeover"
    } else {
        "permessage-deflate"
    };
    let (params, _) = DeflateConfig::default()
        .negotiate([offer.as_bytes()])
        .unwrap();
    // The client compresses; the server inflates.
    let enc = Encoder::with_deflater(params.deflater(Role::Client, 6), 0);
    let dec = Decoder::new(Role::Server).with_inflater(params.inflater(Role::Server));
    (enc, dec)
}

#[test]
fn compressed_messages_inflate_whole_and_fragmented() {
    for no_takeover in [false, true] {
        let (mut enc, mut dec) = deflate_pair(no_takeover);
        let text = "a compressible line of text. ".repeat(100);
        for _ in 0..3 {
            let mut wire = Vec::new();
            enc.message(&mut wire, true, text.as_bytes(), KEY);
            assert_eq!(wire[0] & 0x40, 0x40, "RSV1 marks it compressed");
            let pieces: Vec<&[u8]> = wire.chunks(7).collect();
            assert_eq!(
                decode_pieces(&mut dec, &pieces).unwrap(),
                vec![Owned::Text(text.clone())]
            );
        }
        // An uncompressed message on the same connection still decodes.
        assert_eq!(
            decode_pieces(&mut dec, &[&frame(true, 0, 2, b"raw")]).unwrap(),
            vec![Owned::Binary(b"raw".to_vec())]
        );
    }
    // A compressed message cut into frames: RSV1 on the first only.
    let (mut enc, mut dec) = deflate_pair(false);
    let mut one = Vec::new();
    enc.message(&mut one, false, &[42u8; 5000], None);
    let (h, hl) = FrameHeader::parse(&one).unwrap().unwrap();
    let body = &one[hl..];
    let (a, b) = body.split_at(body.len() / 2);
    let wire = [frame(false, 4, 2, a), frame(true, 0, 0, b)].concat();
    assert!(h.rsv1);
    assert_eq!(
        decode_pieces(&mut dec, &[&wire]).unwrap(),
        vec![Owned::Binary(vec![42; 5000])]
    );
    // RSV1 on a continuation is a protocol error.
    let wire = [frame(false, 4, 2, a), frame(true, 4, 0, b)].concat();
    assert_eq!(
        decode_pieces(&mut deflate_pair(false).1, &[&wire]),
        Err(ProtocolError::ReservedBits)
    );
}

#[test]
fn a_decompression_bomb_closes_with_1009() {
    let (mut enc, _) = deflate_pair(false);
    let (_, dec) = deflate_pair(false);
    let mut dec = dec.with_max_message_bytes(1 << 20);
    let mut wire = Vec::new();
    enc.message(&mut wire, false, &vec![0u8; 8 << 20], KEY);
    assert!(wire.len() < 64 * 1024);
    let r = decode_pieces(&mut dec, &[&wire]);
    assert_eq!(r, Err(ProtocolError::TooBig));
}

#[test]
fn the_encoder_writes_what_the_decoder_reads_in_both_roles() {
    let mut wire = Vec::new();
    let mut enc = Encoder::new();
    enc.message(&mut wire, true, b"from server", None);
    encode_control(&mut wire, OpCode::Ping, b"p", None);
    encode_close(&mut wire, CloseCode::GoingAway, "bye", None);
    assert_eq!(
        decode_all(Role::Client, &wire).unwrap(),
        vec![
            Owned::Text("from server".into()),
            Owned::Ping(b"p".to_vec()),
            Owned::Close(Some((1001, "bye".into())))
        ]
    );
    // A reason too long is cut at a character boundary within 125 bytes.
    let (payload, len) = close_payload(CloseCode::Normal, &"é".repeat(100));
    assert_eq!(len, 124);
    assert!(parse_close(&payload[..len]).is_ok());
    assert_eq!(close_payload(CloseCode::Abnormal, "x").1, 0);
}

#[test]
fn idle_decoder_holds_no_message_buffer() {
    let mut dec = Decoder::new(Role::Server);
    let wire = frame(true, 0, 2, &[1; 100_000]);
    let pieces: Vec<&[u8]> = wire.chunks(1000).collect();
    assert_eq!(decode_pieces(&mut dec, &pieces).unwrap().len(), 1);
    assert!(dec.is_idle());
    dec.release_buffers();
    let half = frame(false, 0, 2, b"x");
    decode_pieces(&mut dec, &[&half]).unwrap();
    assert!(!dec.is_idle());
}

#[test]
fn a_frame_cut_by_reads_is_joined_in_room_made_from_its_header() {
    let mut dec = Decoder::new(Role::Server);
    let wire = frame(true, 0, 2, &[7; 300_000]);
    // The header and the first 64 KiB: room for the whole payload.
    let mut first = wire[..65_550].to_vec();
    let (n, ev) = dec.decode(&mut first).unwrap();
    assert_eq!((n, ev.is_none()), (65_550, true));
    assert!(
        dec.message_capacity() >= 300_000,
        "{}",
        dec.message_capacity()
    );
    let room = dec.message_capacity();
    let events = decode_pieces(&mut dec, &[&wire[65_550..]]).unwrap();
    assert_eq!(events, [Owned::Binary(vec![7; 300_000])]);
    // A header announcing 16 MiB makes room for 1 MiB only.
    let mut dec = Decoder::new(Role::Server);
    let big = frame(true, 0, 2, &vec![1; 16 << 20]);
    dec.decode(&mut big[..100].to_vec()).unwrap();
    let cap = dec.message_capacity();
    assert!((1 << 20..2 << 20).contains(&cap), "{cap}");
    assert!(room < 2 * 300_000);
}

/// Found by the ws_frame fuzzer: a compressed text whose inflated bytes
/// are not UTF-8 before the deflate data breaks gave BadCompression when
/// decoded at once and InvalidUtf8 in 2-byte pieces. The first fault in
/// the stream wins, however the input is cut.
#[test]
fn the_verdict_does_not_depend_on_the_cuts() {
    let wire: &[u8] = &[
        0xc1, 0x92, 0x37, 0xfa, 0x21, 0x3d, 0x7d, 0x34, 0xee, 0x10, 0x06, 0xc1, 0x41, 0x37, 0xfa,
        0x32, 0xc2, 0x00, 0x3d, 0xfa, 0x36, 0x04, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x37,
    ];
    let verdict = |step: usize| {
        let (_, dec) = deflate_pair(false);
        let pieces: Vec<&[u8]> = wire.chunks(step).collect();
        decode_pieces(&mut dec.with_max_message_bytes(1 << 16), &pieces)
    };
    let whole = verdict(wire.len());
    assert!(whole.is_err(), "{whole:?}");
    for step in 1..wire.len() {
        assert_eq!(verdict(step), whole, "in pieces of {step}");
    }
}
