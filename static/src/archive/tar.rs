//! tar: POSIX ustar headers (POSIX.1-1988), with a PAX extended header
//! (POSIX.1-2001, `typeflag 'x'`) before an entry whose path, size or
//! modification time ustar cannot hold.
//!
//! ```text
//! [PAX header block][PAX records, padded to 512]   only when needed
//! [ustar header block][data, padded to 512]        each entry
//! [two zero blocks][zeros up to a 10,240-byte record]
//! ```
//!
//! A PAX `path` record is written when the path is not ASCII (PAX paths
//! are UTF-8 by definition; ustar's bytes are in the reader's locale) or
//! does not fit ustar's 100-byte name plus 155-byte prefix; a `size`
//! record past ustar's 11 octal digits (8 GiB - 1 byte), where the size
//! field also gets GNU's base-256 form for readers without PAX; an `mtime`
//! record before 1970 or past 11 octal digits of seconds (year 2242).
//! Pure functions: the caller owns the bytes and the I/O.

use super::Entry;

/// tar's unit: headers and data are padded to it.
pub const BLOCK_BYTES: usize = 512;
/// The end of an archive is padded to this (GNU tar's default blocking
/// factor of 20), as `tar -cf` does.
const RECORD_BYTES: u64 = 20 * BLOCK_BYTES as u64;
/// The largest value of an 11-digit octal field (12 bytes with the NUL).
const MAX_OCTAL_11: u64 = 0o777_7777_7777;
const NAME_BYTES: usize = 100;
const PREFIX_BYTES: usize = 155;
/// What ustar-only readers see as the PAX header's own name (Python's).
const PAX_HEADER_NAME: &str = "././@PaxHeader";

/// The archive so far: how many bytes went out, for the final padding.
#[derive(Debug, Default)]
pub struct TarWriter {
    written: u64,
}

impl TarWriter {
    /// The headers of `entry` (a PAX one first when needed).
    pub fn begin(&mut self, entry: &Entry, out: &mut Vec<u8>) {
        let start = out.len();
        let records = pax_records(entry);
        if !records.is_empty() {
            let pax = Entry {
                path: PAX_HEADER_NAME.to_string(),
                is_dir: false,
                size: records.len() as u64,
                mode: 0o644,
                mtime: entry.mtime.clamp(0, MAX_OCTAL_11 as i64),
            };
            push_header(&pax, b'x', out);
            out.extend_from_slice(&records);
            pad(records.len() as u64, out);
        }
        push_header(entry, if entry.is_dir { b'5' } else { b'0' }, out);
        self.written += (out.len() - start) as u64;
    }

    /// `n` bytes of the entry's data went out.
    pub fn data(&mut self, n: usize) {
        self.written += n as u64;
    }

    /// The padding after the entry's data.
    pub fn end(&mut self, entry: &Entry, out: &mut Vec<u8>) {
        if !entry.is_dir {
            self.written += pad(entry.size, out) as u64;
        }
    }

    /// The end-of-archive marker and the record padding.
    pub fn finish(&mut self) -> Vec<u8> {
        let end = self.written + 2 * BLOCK_BYTES as u64;
        let total = end.div_ceil(RECORD_BYTES) * RECORD_BYTES;
        self.written = total;
        vec![0; (total - end) as usize + 2 * BLOCK_BYTES]
    }
}

/// Zeros after `size` bytes of data up to the next block; returns how many.
fn pad(size: u64, out: &mut Vec<u8>) -> usize {
    let n = (BLOCK_BYTES - (size % BLOCK_BYTES as u64) as usize) % BLOCK_BYTES;
    out.resize(out.len() + n, 0);
    n
}

/// One 512-byte ustar header block.
fn push_header(entry: &Entry, typeflag: u8, out: &mut Vec<u8>) {
    let mut h = [0u8; BLOCK_BYTES];
    let (prefix, name) = split_name(&entry.path).unwrap_or(("", truncated(&entry.path)));
    h[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut h[100..108], u64::from(entry.mode & 0o7777));
    octal(&mut h[108..116], 0); // uid
    octal(&mut h[116..124], 0); // gid
    let size = if entry.is_dir { 0 } else { entry.size };
    if size <= MAX_OCTAL_11 {
        octal(&mut h[124..136], size);
    } else {
        base256(&mut h[124..136], size);
    }
    octal(
        &mut h[136..148],
        entry.mtime.clamp(0, MAX_OCTAL_11 as i64) as u64,
    );
    h[156] = typeflag;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    octal(&mut h[329..337], 0); // devmajor
    octal(&mut h[337..345], 0); // devminor
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    // The checksum is computed with its own field as eight spaces.
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    octal(&mut h[148..155], u64::from(sum));
    h[155] = b' ';
    out.extend_from_slice(&h);
}

/// `path` as ustar's prefix and name (joined by a `/` that is not
/// stored), when it is ASCII and fits.
fn split_name(path: &str) -> Option<(&str, &str)> {
    if !path.is_ascii() {
        return None;
    }
    if path.len() <= NAME_BYTES {
        return Some(("", path));
    }
    // The first '/' that leaves a name short enough; the name may not be
    // empty (a directory's trailing '/' stays in the name: "b/").
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    trimmed
        .match_indices('/')
        .map(|(i, _)| i)
        .find(|&i| path.len() - i - 1 <= NAME_BYTES)
        .filter(|&i| i <= PREFIX_BYTES)
        .map(|i| (&path[..i], &path[i + 1..]))
}

/// The first bytes of `path` that fit the name field, cut on a character
/// boundary: what a reader without PAX sees.
fn truncated(path: &str) -> &str {
    let mut end = path.len().min(NAME_BYTES);
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    &path[..end]
}

/// The PAX records `entry` needs (empty when ustar holds it all).
fn pax_records(entry: &Entry) -> Vec<u8> {
    let mut out = Vec::new();
    if split_name(&entry.path).is_none() {
        pax_record("path", &entry.path, &mut out);
    }
    if !entry.is_dir && entry.size > MAX_OCTAL_11 {
        pax_record("size", &entry.size.to_string(), &mut out);
    }
    if entry.mtime < 0 || entry.mtime > MAX_OCTAL_11 as i64 {
        pax_record("mtime", &entry.mtime.to_string(), &mut out);
    }
    out
}

/// One `LEN KEY=VALUE\n` record, where LEN counts the whole record, its
/// own digits included.
fn pax_record(key: &str, value: &str, out: &mut Vec<u8>) {
    let rest = 1 + key.len() + 1 + value.len() + 1; // ' ', '=', '\n'
    let mut len = rest + 1;
    while len != rest + digits(len) {
        len = rest + digits(len);
    }
    out.extend_from_slice(format!("{len} {key}={value}\n").as_bytes());
}

fn digits(n: usize) -> usize {
    n.to_string().len()
}

/// `value` as zero-padded octal filling all but the last byte of
/// `field`, which is NUL. The callers keep values in range.
fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let text = format!("{value:0width$o}");
    let text = &text.as_bytes()[text.len().saturating_sub(width)..];
    field[..width].copy_from_slice(text);
    field[width] = 0;
}

/// GNU's base-256 form for numbers octal cannot hold: the first byte's
/// high bit set, the value big-endian in the rest.
fn base256(field: &mut [u8], value: u64) {
    field.fill(0);
    field[0] = 0x80;
    let bytes = value.to_be_bytes();
    let at = field.len() - bytes.len();
    field[at..].copy_from_slice(&bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, is_dir: bool, size: u64, mtime: i64) -> Entry {
        Entry {
            path: path.to_string(),
            is_dir,
            size,
            mode: 0o644,
            mtime,
        }
    }

    fn field(h: &[u8], range: std::ops::Range<usize>) -> &str {
        let f = &h[range];
        let end = f.iter().position(|&b| b == 0).unwrap_or(f.len());
        std::str::from_utf8(&f[..end]).unwrap()
    }

    #[test]
    fn pax_record_lengths_count_themselves() {
        for (key, value, expect) in [
            ("path", "a", "9 path=a\n"),
            (
                "path",
                "abcdefghijklmnopqrstuvwxyz",
                "35 path=abcdefghijklmnopqrstuvwxyz\n",
            ),
            // 9 bytes besides the length: one digit would make 10, so two.
            ("path", "ab", "11 path=ab\n"),
            ("size", "9000000000", "19 size=9000000000\n"),
        ] {
            let mut out = Vec::new();
            pax_record(key, value, &mut out);
            let got = String::from_utf8(out).unwrap();
            assert_eq!(got, expect);
            let len: usize = got.split(' ').next().unwrap().parse().unwrap();
            assert_eq!(len, got.len());
        }
        let long = "x".repeat(95); // 1+4+1+95+1 = 102 plus 3 digits
        let mut out = Vec::new();
        pax_record("path", &long, &mut out);
        assert_eq!(out.len(), 105);
        assert!(out.starts_with(b"105 path="));
    }

    #[test]
    fn names_split_into_prefix_and_name() {
        let long_dir = "d".repeat(120);
        let at_limit = format!("{long_dir}/{}", "n".repeat(100));
        let table: Vec<(String, Option<(String, String)>)> = vec![
            ("a/b.txt".into(), Some(("".into(), "a/b.txt".into()))),
            ("n".repeat(100), Some(("".into(), "n".repeat(100)))),
            (
                format!("{long_dir}/f"),
                Some((long_dir.clone(), "f".into())),
            ),
            (
                format!("{long_dir}/sub/"),
                Some((long_dir.clone(), "sub/".into())),
            ),
            (at_limit.clone(), Some((long_dir.clone(), "n".repeat(100)))),
            (format!("{long_dir}/{}", "n".repeat(101)), None),
            (format!("{}/f", "p".repeat(156)), None),
            ("n".repeat(101), None),
            ("été.txt".into(), None),
        ];
        for (path, expect) in table {
            let got = split_name(&path).map(|(p, n)| (p.to_string(), n.to_string()));
            assert_eq!(got, expect, "{path}");
        }
    }

    #[test]
    fn header_fields_and_checksum() {
        let mut w = TarWriter::default();
        let mut out = Vec::new();
        let e = entry("top/a.txt", false, 5, 1_700_000_000);
        w.begin(&e, &mut out);
        assert_eq!(out.len(), BLOCK_BYTES);
        assert_eq!(field(&out, 0..100), "top/a.txt");
        assert_eq!(field(&out, 100..108), "0000644");
        assert_eq!(field(&out, 124..136), "00000000005");
        assert_eq!(field(&out, 136..148), format!("{:011o}", 1_700_000_000));
        assert_eq!(out[156], b'0');
        assert_eq!(&out[257..265], b"ustar\x0000");
        let mut check = out.clone();
        check[148..156].fill(b' ');
        let sum: u32 = check.iter().map(|&b| u32::from(b)).sum();
        assert_eq!(field(&out, 148..155), format!("{sum:06o}"));
        assert_eq!(out[155], b' ');
        w.data(5);
        w.end(&e, &mut out);
        assert_eq!(out.len(), BLOCK_BYTES + 507); // the data itself is the caller's
        let end = w.finish();
        // 512 + 5 + 507 + 1024 = 2048, padded to 10,240.
        assert_eq!(end.len(), 10_240 - 1024);
        assert!(end.iter().all(|&b| b == 0));
    }

    #[test]
    fn long_names_big_sizes_and_old_times_get_pax_records() {
        let mut out = Vec::new();
        let path = format!("top/{}.bin", "é".repeat(80));
        let size = 9 << 30;
        TarWriter::default().begin(&entry(&path, false, size, -86_400), &mut out);
        assert_eq!(out[156], b'x');
        let records_len: usize = usize::from_str_radix(field(&out, 124..136), 8).unwrap();
        let records = std::str::from_utf8(&out[512..512 + records_len]).unwrap();
        assert!(records.contains(&format!(" path={path}\n")), "{records}");
        assert!(records.contains(" size=9663676416\n"), "{records}");
        assert!(records.contains(" mtime=-86400\n"), "{records}");
        let header = &out[out.len() - BLOCK_BYTES..];
        assert_eq!(header[156], b'0');
        // The size field in base 256 for readers without PAX.
        assert_eq!(header[124], 0x80);
        assert_eq!(&header[128..136], &size.to_be_bytes());
        assert_eq!(field(header, 136..148), "00000000000");
        assert_eq!(out.len() % BLOCK_BYTES, 0);
    }

    #[test]
    fn directories_have_no_size_and_type_5() {
        let mut out = Vec::new();
        let mut w = TarWriter::default();
        let d = entry("top/sub/", true, 4096, 0);
        w.begin(&d, &mut out);
        w.end(&d, &mut out);
        assert_eq!(out.len(), BLOCK_BYTES);
        assert_eq!(out[156], b'5');
        assert_eq!(field(&out, 124..136), "00000000000");
        assert_eq!(field(&out, 0..100), "top/sub/");
    }
}
