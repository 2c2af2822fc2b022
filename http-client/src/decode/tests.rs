use super::*;
use std::io::Write;

fn text() -> Vec<u8> {
    (0..5000)
        .flat_map(|i| format!("line {i} of a body\n").into_bytes())
        .collect()
}

fn encode(coding: Coding, data: &[u8]) -> Vec<u8> {
    match coding {
        Coding::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).expect("write");
            e.finish().expect("finish")
        }
        Coding::Deflate => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).expect("write");
            e.finish().expect("finish")
        }
        Coding::Brotli => {
            let mut out = Vec::new();
            {
                let mut e = brotli::CompressorWriter::new(&mut out, 4096, 5, 20);
                e.write_all(data).expect("write");
            }
            out
        }
        Coding::Zstd => {
            // With its checksum, as our server sends it: without one, zstd
            // cannot tell corrupt literals from the real ones.
            let mut e = zstd::stream::write::Encoder::new(Vec::new(), 3).expect("zstd");
            e.include_checksum(true).expect("checksum");
            e.write_all(data).expect("write");
            e.finish().expect("finish")
        }
    }
}

fn read_all(content_encoding: Option<&str>, body: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    decoder(content_encoding, body)
        .map_err(io::Error::other)?
        .read_to_end(&mut out)?;
    Ok(out)
}

#[test]
fn each_coding_round_trips() {
    let data = text();
    for coding in Coding::PREFERENCE {
        let encoded = encode(coding, &data);
        assert_eq!(
            read_all(Some(coding.token()), &encoded).expect("decodes"),
            data,
            "{coding:?}"
        );
    }
    assert_eq!(
        read_all(Some("x-gzip"), &encode(Coding::Gzip, &data)).expect("x-gzip"),
        data
    );
    assert_eq!(read_all(None, &data).expect("none"), data);
    assert_eq!(read_all(Some("identity"), &data).expect("identity"), data);
}

#[test]
fn stacked_codings_undone_last_first() {
    let data = text();
    let both = encode(Coding::Brotli, &encode(Coding::Gzip, &data));
    assert_eq!(read_all(Some("gzip, br"), &both).expect("stacked"), data);
    assert!(read_all(Some("br, gzip"), &both).is_err());
}

#[test]
fn unsupported_codings_are_refused() {
    assert_eq!(
        codings("gzip, compress").err(),
        Some(UnsupportedCoding::Unknown("compress".into()))
    );
    assert_eq!(
        codings("gzip,gzip,gzip,gzip,gzip").err(),
        Some(UnsupportedCoding::TooMany(5))
    );
    assert_eq!(codings(" identity , gzip ").ok(), Some(vec![Coding::Gzip]));
    assert!(decoder(Some("lzma"), &b""[..]).is_err());
}

#[test]
fn corrupt_and_truncated_data_is_a_decode_error() {
    let data = text();
    for coding in Coding::PREFERENCE {
        let encoded = encode(coding, &data);
        let mut corrupt = encoded.clone();
        let mid = corrupt.len() / 2;
        corrupt[mid..mid + 8].copy_from_slice(b"\xffgarbage");
        let truncated = &encoded[..encoded.len() / 2];
        for (what, bytes) in [
            ("corrupt", &corrupt[..]),
            ("truncated", truncated),
            ("not encoded", &data[..]),
        ] {
            let Err(e) = read_all(Some(coding.token()), bytes) else {
                panic!("{coding:?} {what}: decoded without an error");
            };
            assert!(is_decode_error(&e), "{coding:?} {what}: {e:?}");
            assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        }
    }
}

/// A reader that fails after some bytes, as a reset connection does.
struct Reset<'a>(&'a [u8]);

impl Read for Reset<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.0.is_empty() {
            return Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset"));
        }
        let n = buf.len().min(self.0.len()).min(100);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn source_errors_pass_through() {
    let data = text();
    for coding in Coding::PREFERENCE {
        let encoded = encode(coding, &data);
        let mut out = Vec::new();
        let e = decoder(Some(coding.token()), Reset(&encoded[..encoded.len() / 2]))
            .expect("supported")
            .read_to_end(&mut out)
            .expect_err("reset");
        assert_eq!(
            e.kind(),
            io::ErrorKind::ConnectionReset,
            "{coding:?}: {e:?}"
        );
        assert!(!is_decode_error(&e), "{coding:?}");
    }
}

#[test]
fn an_empty_body_stays_empty() {
    for coding in ["gzip", "br", "zstd", "deflate", "gzip, br"] {
        assert_eq!(read_all(Some(coding), b"").expect("empty"), b"", "{coding}");
    }
}
