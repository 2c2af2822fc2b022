//! zip (PKWARE APPNOTE 6.3.10), written front to back without seeking:
//! every file is stored (method 0) with its CRC-32 and sizes in a data
//! descriptor after the data (general purpose bit 3), since they are
//! known only once it is read.
//!
//! ```text
//! [local header][data][data descriptor]   each file
//! [local header]                          each directory ("name/", no data)
//! [central directory: one record per entry]
//! [ZIP64 end record][ZIP64 locator]       only when needed
//! [end of central directory]
//! ```
//!
//! Names are UTF-8 with the language-encoding flag (bit 11) set. Every
//! entry has the DOS time (UTC, two-second steps, clamped to 1980-2107)
//! and the extended-timestamp field (0x5455: Unix seconds, UTC) when the
//! time fits its 32 bits. ZIP64 (APPNOTE 4.5.3): a file of 4 GiB - 1 or
//! more gets the ZIP64 extra field in its local header (so its data
//! descriptor has 8-byte sizes) and in its central record; an entry whose
//! local header starts past 4 GiB gets its offset there; more than 65,534
//! entries, or a central directory past 4 GiB, get the ZIP64 end records.
//!
//! The central directory is kept as encoded bytes until the end: a few
//! dozen bytes per entry plus its name, the only memory an archive needs
//! that grows with it.

use flate2::Crc;

use super::Entry;
use crate::timefmt;

const LOCAL_HEADER_SIG: u32 = 0x0403_4b50;
const DATA_DESCRIPTOR_SIG: u32 = 0x0807_4b50;
const CENTRAL_HEADER_SIG: u32 = 0x0201_4b50;
const ZIP64_END_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const END_SIG: u32 = 0x0605_4b50;

/// General purpose flags: sizes and CRC in a data descriptor (bit 3);
/// names in UTF-8 (bit 11).
const FLAG_DESCRIPTOR: u16 = 1 << 3;
const FLAG_UTF8: u16 = 1 << 11;
/// "Version needed to extract": 2.0 for directories and data
/// descriptors, 4.5 for ZIP64.
const VERSION_20: u16 = 20;
const VERSION_45: u16 = 45;
/// "Version made by": the high byte 3 says Unix, so the external
/// attributes' high 16 bits are the file mode.
const MADE_BY_UNIX: u16 = 3 << 8;

const ZIP64_EXTRA_TAG: u16 = 0x0001;
const TIMESTAMP_EXTRA_TAG: u16 = 0x5455;
/// The extended-timestamp flags byte: the modification time is present.
const TIMESTAMP_MTIME: u8 = 1;

/// 32-bit fields at this value mean "see the ZIP64 extra field".
const MAX_32: u64 = 0xFFFF_FFFF;
/// 16-bit entry counts at this value mean "see the ZIP64 end record".
const MAX_16: u64 = 0xFFFF;

const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;
/// MS-DOS directory attribute, in the external attributes' low byte.
const DOS_DIRECTORY: u32 = 0x10;

/// The archive so far: the offset of the next byte, the central
/// directory built as entries end, and the CRC of the file being written.
#[derive(Default)]
pub struct ZipWriter {
    offset: u64,
    central: Vec<u8>,
    entries: u64,
    /// The current entry's local header offset and CRC.
    local_offset: u64,
    crc: Crc,
    written: u64,
}

impl std::fmt::Debug for ZipWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZipWriter")
            .field("offset", &self.offset)
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

impl ZipWriter {
    /// The local header of `entry`.
    pub fn begin(&mut self, entry: &Entry, out: &mut Vec<u8>) {
        let start = out.len();
        self.local_offset = self.offset;
        self.crc = Crc::new();
        self.written = 0;
        let zip64 = needs_zip64_sizes(entry);
        let flags = if entry.is_dir {
            FLAG_UTF8
        } else {
            FLAG_UTF8 | FLAG_DESCRIPTOR
        };
        let (time, date) = dos_time(entry.mtime);
        let mut extra = Vec::new();
        if zip64 {
            // The sizes are in the data descriptor; here, zeros.
            push_extra(ZIP64_EXTRA_TAG, &[0; 16], &mut extra);
        }
        push_timestamp(entry.mtime, &mut extra);
        put32(out, LOCAL_HEADER_SIG);
        put16(out, version_needed(zip64));
        put16(out, flags);
        put16(out, 0); // stored
        put16(out, time);
        put16(out, date);
        put32(out, 0); // CRC-32: in the descriptor (0 is a directory's)
        let size_field = if zip64 { MAX_32 as u32 } else { 0 };
        put32(out, size_field); // compressed size
        put32(out, size_field); // uncompressed size
        put16(out, entry.path.len() as u16);
        put16(out, extra.len() as u16);
        out.extend_from_slice(entry.path.as_bytes());
        out.extend_from_slice(&extra);
        self.offset += (out.len() - start) as u64;
    }

    /// Bytes of the current entry's data, as they go out.
    pub fn data(&mut self, bytes: &[u8]) {
        self.crc.update(bytes);
        self.written += bytes.len() as u64;
        self.offset += bytes.len() as u64;
    }

    /// The data descriptor of a file, and the entry's central record.
    pub fn end(&mut self, entry: &Entry, out: &mut Vec<u8>) {
        let crc = if entry.is_dir { 0 } else { self.crc.sum() };
        if !entry.is_dir {
            let start = out.len();
            put32(out, DATA_DESCRIPTOR_SIG);
            put32(out, crc);
            if needs_zip64_sizes(entry) {
                put64(out, self.written);
                put64(out, self.written);
            } else {
                put32(out, self.written as u32);
                put32(out, self.written as u32);
            }
            self.offset += (out.len() - start) as u64;
        }
        self.push_central(entry, crc);
        self.entries += 1;
    }

    fn push_central(&mut self, entry: &Entry, crc: u32) {
        let size = if entry.is_dir { 0 } else { self.written };
        let zip64_size = size >= MAX_32;
        let zip64_offset = self.local_offset >= MAX_32;
        let mut extra = Vec::new();
        // APPNOTE 4.5.3: only the fields whose 32-bit form is 0xFFFFFFFF,
        // in this order.
        let mut zip64 = Vec::new();
        if zip64_size {
            zip64.extend_from_slice(&size.to_le_bytes()); // uncompressed
            zip64.extend_from_slice(&size.to_le_bytes()); // compressed
        }
        if zip64_offset {
            zip64.extend_from_slice(&self.local_offset.to_le_bytes());
        }
        if !zip64.is_empty() {
            push_extra(ZIP64_EXTRA_TAG, &zip64, &mut extra);
        }
        push_timestamp(entry.mtime, &mut extra);
        let version = version_needed(needs_zip64_sizes(entry) || zip64_offset);
        let (time, date) = dos_time(entry.mtime);
        let (kind, dos) = if entry.is_dir {
            (S_IFDIR, DOS_DIRECTORY)
        } else {
            (S_IFREG, 0)
        };
        let c = &mut self.central;
        put32(c, CENTRAL_HEADER_SIG);
        put16(c, MADE_BY_UNIX | version);
        put16(c, version);
        put16(
            c,
            if entry.is_dir {
                FLAG_UTF8
            } else {
                FLAG_UTF8 | FLAG_DESCRIPTOR
            },
        );
        put16(c, 0); // stored
        put16(c, time);
        put16(c, date);
        put32(c, crc);
        put32(c, size.min(MAX_32) as u32); // compressed
        put32(c, size.min(MAX_32) as u32); // uncompressed
        put16(c, entry.path.len() as u16);
        put16(c, extra.len() as u16);
        put16(c, 0); // comment length
        put16(c, 0); // disk number start
        put16(c, 0); // internal attributes
        put32(c, ((kind | (entry.mode & 0o7777)) << 16) | dos);
        put32(c, self.local_offset.min(MAX_32) as u32);
        c.extend_from_slice(entry.path.as_bytes());
        c.extend_from_slice(&extra);
    }

    /// The central directory and the end records; the writer is spent.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.central);
        let cd_offset = self.offset;
        let cd_size = out.len() as u64;
        let zip64 = self.entries >= MAX_16 || cd_offset >= MAX_32 || cd_size >= MAX_32;
        if zip64 {
            let end64_offset = cd_offset + cd_size;
            put32(&mut out, ZIP64_END_SIG);
            put64(&mut out, 44); // the size of the rest of this record
            put16(&mut out, MADE_BY_UNIX | VERSION_45);
            put16(&mut out, VERSION_45);
            put32(&mut out, 0); // this disk
            put32(&mut out, 0); // the disk with the central directory
            put64(&mut out, self.entries); // on this disk
            put64(&mut out, self.entries); // in all
            put64(&mut out, cd_size);
            put64(&mut out, cd_offset);
            put32(&mut out, ZIP64_LOCATOR_SIG);
            put32(&mut out, 0); // the disk with the ZIP64 end record
            put64(&mut out, end64_offset);
            put32(&mut out, 1); // disks in all
        }
        put32(&mut out, END_SIG);
        put16(&mut out, 0); // this disk
        put16(&mut out, 0); // the disk with the central directory
        put16(&mut out, self.entries.min(MAX_16) as u16);
        put16(&mut out, self.entries.min(MAX_16) as u16);
        put32(&mut out, cd_size.min(MAX_32) as u32);
        put32(&mut out, cd_offset.min(MAX_32) as u32);
        put16(&mut out, 0); // comment length
        self.offset += out.len() as u64;
        out
    }
}

/// A file this big has 8-byte sizes (ZIP64) in its data descriptor, which
/// the local header's ZIP64 field announces. Decided from the size at
/// open: the archive reads exactly that many bytes.
fn needs_zip64_sizes(entry: &Entry) -> bool {
    !entry.is_dir && entry.size >= MAX_32
}

fn version_needed(zip64: bool) -> u16 {
    if zip64 {
        VERSION_45
    } else {
        VERSION_20
    }
}

fn push_extra(tag: u16, data: &[u8], out: &mut Vec<u8>) {
    put16(out, tag);
    put16(out, data.len() as u16);
    out.extend_from_slice(data);
}

/// The extended-timestamp field with the modification time, when it fits
/// its signed 32 bits (1901-2038); the DOS time stands alone otherwise.
fn push_timestamp(mtime: i64, out: &mut Vec<u8>) {
    if let Ok(secs) = i32::try_from(mtime) {
        let mut data = [0u8; 5];
        data[0] = TIMESTAMP_MTIME;
        data[1..].copy_from_slice(&secs.to_le_bytes());
        push_extra(TIMESTAMP_EXTRA_TAG, &data, out);
    }
}

/// MS-DOS time and date fields of `mtime` (UTC), clamped to the range
/// they can hold: 1980-01-01 to 2107-12-31.
fn dos_time(mtime: i64) -> (u16, u16) {
    let t = if mtime >= 0 {
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(mtime as u64)
    } else {
        std::time::UNIX_EPOCH
    };
    let c = timefmt::civil(t);
    if c.year < 1980 {
        return (0, (1 << 5) | 1);
    }
    if c.year > 2107 {
        return ((23 << 11) | (59 << 5) | 29, (127 << 9) | (12 << 5) | 31);
    }
    let time = (c.hour << 11) | (c.minute << 5) | (c.second / 2);
    let date = (((c.year - 1980) as u32) << 9) | (c.month << 5) | c.day;
    (time as u16, date as u16)
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, is_dir: bool, size: u64) -> Entry {
        Entry {
            path: path.to_string(),
            is_dir,
            size,
            mode: 0o640,
            mtime: 1_700_000_001,
        }
    }

    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    fn u64_at(b: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
    }

    /// One small file through the writer, bytes and all.
    fn one_file(data: &[u8]) -> Vec<u8> {
        let mut w = ZipWriter::default();
        let e = entry("top/a.txt", false, data.len() as u64);
        let mut out = Vec::new();
        w.begin(&e, &mut out);
        out.extend_from_slice(data);
        w.data(data);
        w.end(&e, &mut out);
        out.extend(w.finish());
        out
    }

    #[test]
    fn dos_times() {
        // 2023-11-14 22:13:21 UTC
        let (time, date) = dos_time(1_700_000_001);
        assert_eq!(time, (22 << 11) | (13 << 5) | 10);
        assert_eq!(date, (43 << 9) | (11 << 5) | 14);
        assert_eq!(dos_time(0), (0, (1 << 5) | 1));
        assert_eq!(dos_time(-5), (0, (1 << 5) | 1));
        assert_eq!(dos_time(i64::from(u32::MAX) * 2).1 >> 9, 127);
    }

    #[test]
    fn small_file_layout() {
        let out = one_file(b"hello");
        // Local header.
        assert_eq!(u32_at(&out, 0), LOCAL_HEADER_SIG);
        assert_eq!(u16_at(&out, 4), VERSION_20);
        assert_eq!(u16_at(&out, 6), FLAG_UTF8 | FLAG_DESCRIPTOR);
        assert_eq!(u16_at(&out, 8), 0);
        assert_eq!(u32_at(&out, 14), 0);
        assert_eq!(u16_at(&out, 26), 9);
        let extra_len = usize::from(u16_at(&out, 28));
        assert_eq!(extra_len, 9); // the timestamp only
        assert_eq!(&out[30..39], b"top/a.txt");
        assert_eq!(u16_at(&out, 39), TIMESTAMP_EXTRA_TAG);
        assert_eq!(u32_at(&out, 39 + 5), 1_700_000_001);
        let data_at = 30 + 9 + extra_len;
        assert_eq!(&out[data_at..data_at + 5], b"hello");
        // Descriptor: signature, CRC-32 of "hello", 32-bit sizes.
        let dd = data_at + 5;
        assert_eq!(u32_at(&out, dd), DATA_DESCRIPTOR_SIG);
        assert_eq!(u32_at(&out, dd + 4), 0x3610_a686);
        assert_eq!(u32_at(&out, dd + 8), 5);
        assert_eq!(u32_at(&out, dd + 12), 5);
        // Central record.
        let cd = dd + 16;
        assert_eq!(u32_at(&out, cd), CENTRAL_HEADER_SIG);
        assert_eq!(u16_at(&out, cd + 4), MADE_BY_UNIX | VERSION_20);
        assert_eq!(u32_at(&out, cd + 16), 0x3610_a686);
        assert_eq!(u32_at(&out, cd + 20), 5);
        assert_eq!(u32_at(&out, cd + 38), (S_IFREG | 0o640) << 16);
        assert_eq!(u32_at(&out, cd + 42), 0);
        // End record: one entry, the central directory's size and offset.
        let end = out.len() - 22;
        assert_eq!(u32_at(&out, end), END_SIG);
        assert_eq!(u16_at(&out, end + 10), 1);
        assert_eq!(u32_at(&out, end + 12) as usize, end - cd);
        assert_eq!(u32_at(&out, end + 16) as usize, cd);
    }

    #[test]
    fn directory_has_no_descriptor() {
        let mut w = ZipWriter::default();
        let d = entry("top/", true, 4096);
        let mut out = Vec::new();
        w.begin(&d, &mut out);
        w.end(&d, &mut out);
        assert_eq!(u16_at(&out, 6), FLAG_UTF8);
        assert_eq!(out.len(), 30 + 4 + 9);
        let cd = w.finish();
        assert_eq!(u32_at(&cd, 20), 0);
        assert_eq!(u32_at(&cd, 38), ((S_IFDIR | 0o640) << 16) | DOS_DIRECTORY);
    }

    #[test]
    fn big_file_gets_zip64_fields() {
        let mut w = ZipWriter::default();
        let size = 5u64 << 30;
        let e = entry("top/big", false, size);
        let mut out = Vec::new();
        w.begin(&e, &mut out);
        assert_eq!(u16_at(&out, 4), VERSION_45);
        assert_eq!(u32_at(&out, 18), u32::MAX);
        assert_eq!(u32_at(&out, 22), u32::MAX);
        let name_end = 30 + 7;
        assert_eq!(u16_at(&out, name_end), ZIP64_EXTRA_TAG);
        assert_eq!(u16_at(&out, name_end + 2), 16);
        let header_len = out.len() as u64;
        // Pretend the data went by without holding 5 GiB.
        w.crc = Crc::new();
        w.written = size;
        w.offset += size;
        out.clear();
        w.end(&e, &mut out);
        assert_eq!(out.len(), 4 + 4 + 8 + 8);
        assert_eq!(u64_at(&out, 8), size);
        assert_eq!(u64_at(&out, 16), size);
        // A second entry starts past 4 GiB: its offset goes to ZIP64 too.
        let small = entry("top/small", false, 0);
        out.clear();
        w.begin(&small, &mut out);
        w.end(&small, &mut out);
        let second_offset = header_len + size + 24;
        let tail = w.finish();
        // First central record: sizes in its ZIP64 field.
        assert_eq!(u32_at(&tail, 20), u32::MAX);
        let extra_at = 46 + 7;
        assert_eq!(u16_at(&tail, extra_at), ZIP64_EXTRA_TAG);
        assert_eq!(u16_at(&tail, extra_at + 2), 16);
        assert_eq!(u64_at(&tail, extra_at + 4), size);
        // Second: only the offset.
        let second = extra_at + 4 + 16 + 9;
        assert_eq!(u32_at(&tail, second), CENTRAL_HEADER_SIG);
        assert_eq!(u32_at(&tail, second + 42), u32::MAX);
        let extra2 = second + 46 + 9;
        assert_eq!(u16_at(&tail, extra2 + 2), 8);
        assert_eq!(u64_at(&tail, extra2 + 4), second_offset);
        // The central directory starts past 4 GiB: ZIP64 end records.
        let end = tail.len() - 22;
        assert_eq!(u32_at(&tail, end - 20), ZIP64_LOCATOR_SIG);
        assert_eq!(u32_at(&tail, end - 20 - 56), ZIP64_END_SIG);
        assert_eq!(u32_at(&tail, end + 16), u32::MAX);
    }

    #[test]
    fn many_entries_get_zip64_end_records() {
        let mut w = ZipWriter::default();
        let mut out = Vec::new();
        for i in 0..MAX_16 {
            let e = entry(&format!("top/{i}"), false, 0);
            out.clear();
            w.begin(&e, &mut out);
            w.end(&e, &mut out);
        }
        let tail = w.finish();
        let end = tail.len() - 22;
        assert_eq!(u16_at(&tail, end + 10), u16::MAX);
        let end64 = end - 20 - 56;
        assert_eq!(u32_at(&tail, end64), ZIP64_END_SIG);
        assert_eq!(u64_at(&tail, end64 + 32), MAX_16);
    }
}
