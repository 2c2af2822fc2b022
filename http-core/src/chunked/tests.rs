use super::*;
use proptest::prelude::*;

fn decode_all(input: &[u8]) -> Result<(Vec<u8>, usize, bool), ParseError> {
    let mut d = ChunkedDecoder::new();
    let mut out = Vec::new();
    let (n, done) = d.decode(input, &mut out)?;
    Ok((out, n, done))
}

#[test]
fn trailers_are_kept() {
    let mut d = ChunkedDecoder::new();
    let mut out = Vec::new();
    let wire = b"3\r\nabc\r\n0\r\nX-Sum:  abc123 \r\nX-Two:\r\n\r\n";
    // Byte by byte: fields split across calls are joined.
    for b in wire.iter() {
        d.decode(std::slice::from_ref(b), &mut out).expect("valid"); // ok: test
    }
    assert!(d.is_done());
    let t = d.trailers();
    assert_eq!(t.get_str("x-sum"), Some("abc123"));
    assert_eq!(t.get_str("X-Two"), Some(""));
    assert_eq!(t.len(), 2);
    let mut plain = ChunkedDecoder::new();
    plain.decode(b"0\r\n\r\n", &mut out).expect("valid"); // ok: test
    assert!(plain.trailers().is_empty());
}

#[test]
fn valid_bodies() {
    let cases: &[(&[u8], &[u8])] = &[
        (b"0\r\n\r\n", b""),
        (b"5\r\nhello\r\n0\r\n\r\n", b"hello"),
        (b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", b"hello world"),
        (b"A\r\n0123456789\r\n0\r\n\r\n", b"0123456789"),
        (b"5;name=value\r\nhello\r\n0\r\n\r\n", b"hello"),
        (b"5 ;name=\"v\"\r\nhello\r\n0\r\n\r\n", b"hello"),
        (
            b"5\r\nhello\r\n0\r\nExpires: never\r\nX: y\r\n\r\n",
            b"hello",
        ),
        (b"0005\r\nhello\r\n0\r\n\r\n", b"hello"),
    ];
    for (input, want) in cases {
        let (out, n, done) = decode_all(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert!(done, "{input:?}");
        assert_eq!(n, input.len());
        assert_eq!(&out[..], *want);
    }
}

#[test]
fn stops_at_end_of_body() {
    let input = b"3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
    let (out, n, done) = decode_all(input).unwrap();
    assert!(done);
    assert_eq!(out, b"abc");
    assert_eq!(&input[n..], b"GET / HTTP/1.1\r\n");
}

#[test]
fn invalid_bodies() {
    let cases: &[&[u8]] = &[
        b"x\r\n",
        b"\r\n",
        b";ext\r\n",
        b"5\nhello\r\n",
        b"5\r\nhelloX\r\n",
        b"5\r\nhello\n0\r\n\r\n",
        b"-5\r\n",
        b"10000000000000000\r\n",
        b"5\r\nhello\r\n0\r\n\n",
        b"5\r\nhello\r\n0\r\nX: y\n\r\n",
        b"5;a\x00b\r\n",
        b"5 x\r\n",
    ];
    for input in cases {
        assert!(decode_all(input).is_err(), "{input:?} should fail");
    }
}

/// Decodes `input` cut in two at `cut`, as a caller does: the second
/// call gets what the first left unconsumed plus the rest.
fn decode_split(input: &[u8], cut: usize) -> Result<(Vec<u8>, usize, bool), ParseError> {
    decode_split_with(ChunkedDecoder::new(), input, cut)
}

fn decode_split_with(
    mut d: ChunkedDecoder,
    input: &[u8],
    cut: usize,
) -> Result<(Vec<u8>, usize, bool), ParseError> {
    let mut out = Vec::new();
    let (first, done) = d.decode(&input[..cut], &mut out)?;
    if done {
        return Ok((out, first, true));
    }
    let (second, done) = d.decode(&input[first..], &mut out)?;
    Ok((out, first + second, done))
}

#[test]
fn trailer_sections_split_at_every_byte() {
    const NEXT: &[u8] = b"GET /next HTTP/1.1\r\n";
    // (body, trailer section with its final CRLF, valid?)
    let cases: &[(&[u8], bool)] = &[
        (b"\r\n", true),
        (b"Expires: never\r\n\r\n", true),
        (b"X:\r\n\r\n", true),
        (b"X-A: 1\r\nx-b:\t two words \r\n\r\n", true),
        (b"X: caf\xc3\xa9\r\n\r\n", true),
        (b"!#$%&'*+-.^_`|~09az: v\r\n\r\n", true),
        // The request line of a next request where the empty line was due.
        (b"GET / HTTP/1.1\r\n\r\n", false),
        (b"no colon\r\n\r\n", false),
        (b"NoColon\r\n\r\n", false),
        (b": empty name\r\n\r\n", false),
        (b"X : space before colon\r\n\r\n", false),
        (b"X\t: tab before colon\r\n\r\n", false),
        (b" obs-fold\r\n\r\n", false),
        (b"X: y\r\n folded\r\n\r\n", false),
        (b"X(y): v\r\n\r\n", false),
        (b"X: a\x01b\r\n\r\n", false),
        (b"X: a\x7fb\r\n\r\n", false),
        (b"X: y\n\r\n", false),
        (b"X: y\r\n\n", false),
        (b"\n", false),
        (b"X: y\rz\r\n\r\n", false),
        (b"\rX", false),
        (b"X\r\n\r\n", false),
    ];
    for (trailer, valid) in cases {
        let mut input = b"5\r\nhello\r\n0\r\n".to_vec();
        input.extend_from_slice(trailer);
        let body_len = input.len();
        input.extend_from_slice(NEXT);
        for cut in 0..=input.len() {
            let got = decode_split(&input, cut);
            if *valid {
                let (out, n, done) =
                    got.unwrap_or_else(|e| panic!("{trailer:?} cut at {cut}: {e}"));
                assert!(done, "{trailer:?} cut at {cut}");
                assert_eq!(out, b"hello");
                assert_eq!(n, body_len, "{trailer:?}: the next request stays");
            } else {
                assert_eq!(
                    got.err(),
                    Some(ParseError::Trailer),
                    "{trailer:?} cut at {cut}"
                );
            }
        }
        // Byte by byte gives the same answer.
        let mut d = ChunkedDecoder::new();
        let mut out = Vec::new();
        let mut result = Ok(());
        for b in &input[..body_len] {
            if let Err(e) = d.decode(std::slice::from_ref(b), &mut out) {
                result = Err(e);
                break;
            }
        }
        assert_eq!(
            result.is_ok() && d.is_done(),
            *valid,
            "{trailer:?} byte by byte"
        );
    }
}

/// Size lines (RFC 9112 7.1) each followed by `hello` and the last
/// chunk, then a next request, cut at every byte: the strict decoder
/// accepts exactly the grammar; the lenient one (responses) also takes
/// what curl takes, and refuses only control bytes and bare line ends.
#[test]
fn size_lines_split_at_every_byte() {
    // (size line without its CRLF, strict verdict, lenient verdict)
    let cases: &[(&[u8], bool, bool)] = &[
        (b"5", true, true),
        (b"5;a", true, true),
        (b"5;a=b", true, true),
        (b"5;a=\"b c\"", true, true),
        (b"5;a=\"\\\"q\\\\\"", true, true),
        (b"5;a=\"\"", true, true),
        (b"5 ;a", true, true),
        (b"5\t; a", true, true),
        (b"5;a ;b", true, true),
        (b"5;a = b", true, true),
        (b"5;a=b;c=\"d\";e", true, true),
        (b"5;!#$%&'*+-.^_`|~09az=x", true, true),
        (b"5;a=\"caf\xc3\xa9\"", true, true),
        // Whitespace where no BWS stands: before the CRLF.
        (b"5 ", false, true),
        (b"5\t", false, true),
        (b"5;a ", false, true),
        (b"5;a=b ", false, true),
        (b"5;a=\"b\" ", false, true),
        // An empty name, a bare `=`, an empty value.
        (b"5;", false, true),
        (b"5;;a", false, true),
        (b"5;=b", false, true),
        (b"5;a=", false, true),
        (b"5;a=;b", false, true),
        // Bytes no token holds, an unterminated or bad quoted-string.
        (b"5;a(b)", false, true),
        (b"5;a=b\"c\"", false, true),
        (b"5;a=\"b", false, true),
        (b"5;a=\"b\"c", false, true),
        (b"5 x", false, true),
        (b"5x", false, true),
        (b"5;a=b,c", false, true),
        // Control bytes, a bare CR or LF: refused either way.
        (b"5;a\x00b", false, false),
        (b"5;a=\"\x01\"", false, false),
        (b"5;a\x7f", false, false),
        (b"5;a\rb", false, false),
        (b"5;a\nb", false, false),
        (b"5\n", false, false),
    ];
    const NEXT: &[u8] = b"GET /next HTTP/1.1\r\n";
    for &(line, strict, lenient) in cases {
        let mut input = line.to_vec();
        input.extend_from_slice(b"\r\nhello\r\n0\r\n\r\n");
        let body_len = input.len();
        input.extend_from_slice(NEXT);
        for (make, valid) in [
            (ChunkedDecoder::new as fn() -> ChunkedDecoder, strict),
            (ChunkedDecoder::lenient, lenient),
        ] {
            for cut in 0..=input.len() {
                let got = decode_split_with(make(), &input, cut);
                let line = String::from_utf8_lossy(line);
                if valid {
                    let (out, n, done) =
                        got.unwrap_or_else(|e| panic!("{line:?} cut at {cut}: {e}"));
                    assert!(done && out == b"hello", "{line:?} cut at {cut}");
                    assert_eq!(n, body_len, "{line:?}: the next request stays");
                } else {
                    assert_eq!(got.err(), Some(ParseError::Chunk), "{line:?} cut at {cut}");
                }
            }
        }
    }
}

#[test]
fn limits() {
    let mut long_ext = b"1;".to_vec();
    long_ext.extend(std::iter::repeat_n(b'a', MAX_CHUNK_EXT_BYTES + 1));
    assert_eq!(decode_all(&long_ext).err(), Some(ParseError::ChunkLimits));
    let mut long_trailer = b"0\r\n".to_vec();
    long_trailer.extend(std::iter::repeat_n(b'a', MAX_TRAILER_BYTES + 1));
    assert_eq!(
        decode_all(&long_trailer).err(),
        Some(ParseError::ChunkLimits)
    );
    // Sixteen hex digits is the most a u64 can hold.
    assert!(decode_all(b"ffffffffffffffff\r\n").is_ok());
}

#[test]
fn size_encoding() {
    for (len, want) in [
        (1usize, "1\r\n"),
        (15, "f\r\n"),
        (16, "10\r\n"),
        (4096, "1000\r\n"),
    ] {
        let mut out = Vec::new();
        encode_chunk_size(len, &mut out);
        assert_eq!(out, want.as_bytes());
    }
    let mut out = Vec::new();
    encode_chunk(b"", &mut out);
    assert!(out.is_empty());
}

proptest! {
    /// Encode random chunks, split the encoding at random points, and
    /// decode piece by piece: the data comes back whole.
    #[test]
    fn round_trip_any_split(
        chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..8),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
    ) {
        let mut wire = Vec::new();
        for c in &chunks {
            encode_chunk(c, &mut wire);
        }
        wire.extend_from_slice(LAST_CHUNK);
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(wire.len() + 1)).collect();
        points.push(0);
        points.push(wire.len());
        points.sort_unstable();
        let mut d = ChunkedDecoder::new();
        let mut out = Vec::new();
        let mut pending = Vec::new();
        for w in points.windows(2) {
            pending.extend_from_slice(&wire[w[0]..w[1]]);
            let (n, _) = d.decode(&pending, &mut out).unwrap();
            pending.drain(..n);
        }
        prop_assert!(d.is_done());
        prop_assert!(pending.is_empty());
        prop_assert_eq!(out, chunks.concat());
    }
}
