//! The walk and the stream over real temporary trees (through the
//! handler's own [`Tree`]) and a fake one; the formats' fields are tested
//! beside their writers, and the archives against real tools in
//! `tests/archive_*.rs`.

use super::*;
use crate::resolve::{OpenError, Opened};
use crate::StaticFiles;
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// (name, typeflag, data) of each member of a tar archive, PAX paths
/// applied.
fn tar_members(mut bytes: &[u8]) -> Vec<(String, u8, Vec<u8>)> {
    let text = |f: &[u8]| {
        let end = f.iter().position(|&b| b == 0).unwrap_or(f.len());
        String::from_utf8(f[..end].to_vec()).unwrap()
    };
    let mut out = Vec::new();
    let mut pax_path = None;
    loop {
        let h = &bytes[..512];
        if h.iter().all(|&b| b == 0) {
            return out;
        }
        let size = u64::from_str_radix(&text(&h[124..135]), 8).unwrap() as usize;
        let data = bytes[512..512 + size].to_vec();
        let prefix = text(&h[345..500]);
        let mut name = text(&h[..100]);
        if !prefix.is_empty() {
            name = format!("{prefix}/{name}");
        }
        if h[156] == b'x' {
            let records = String::from_utf8(data).unwrap();
            pax_path = records
                .lines()
                .find_map(|l| l.split_once(" path=").map(|(_, p)| p.to_string()));
        } else {
            out.push((pax_path.take().unwrap_or(name), h[156], data));
        }
        bytes = &bytes[512 + size.div_ceil(512) * 512..];
    }
}

fn collect(stream: impl Iterator<Item = io::Result<Vec<u8>>>) -> io::Result<Vec<u8>> {
    let mut all = Vec::new();
    for piece in stream {
        all.extend(piece?);
    }
    Ok(all)
}

fn stream_of(files: &StaticFiles, root: &Path, format: Format) -> ArchiveStream<StaticFiles> {
    let dir = File::open(root).unwrap();
    let meta = dir.metadata().unwrap();
    let walker = Walker::new(files.clone(), PathBuf::new(), "top", dir, meta);
    ArchiveStream::new(walker, format, "top")
}

fn tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    fs::create_dir_all(root.join("sub/deeper")).unwrap();
    fs::write(root.join("a.txt"), "alpha").unwrap();
    fs::write(root.join("sub/b.bin"), vec![7u8; 300_000]).unwrap();
    fs::write(root.join("sub/deeper/c"), "").unwrap();
    fs::write(root.join(".env"), "secret").unwrap();
    fs::write(root.join(".upload-1-2.part"), "half").unwrap();
    symlink("..", root.join("sub/loop")).unwrap();
    symlink("a.txt", root.join("link.txt")).unwrap();
    symlink("/etc", root.join("outside")).unwrap();
    fs::write(root.join(format!("{}.txt", "é".repeat(60))), "long").unwrap();
    t
}

#[test]
fn tar_holds_what_the_listing_shows() {
    let t = tree();
    let files = StaticFiles::new(t.path()).unwrap();
    let bytes = collect(stream_of(&files, t.path(), Format::Tar)).unwrap();
    assert_eq!(bytes.len() % 10_240, 0);
    let members = tar_members(&bytes);
    let names: Vec<&str> = members.iter().map(|(n, _, _)| n.as_str()).collect();
    let long = format!("top/{}.txt", "é".repeat(60));
    // Directories first at each level, then by name; the loop, the link
    // out of the root, the dotfile and the upload part left out; the link
    // inside the root archived as the file it shows.
    assert_eq!(
        names,
        [
            "top/",
            "top/sub/",
            "top/sub/deeper/",
            "top/sub/deeper/c",
            "top/sub/b.bin",
            "top/a.txt",
            "top/link.txt",
            &long,
        ]
    );
    let data = |name: &str| &members.iter().find(|(n, _, _)| n == name).unwrap().2;
    assert_eq!(data("top/a.txt"), b"alpha");
    assert_eq!(data("top/link.txt"), b"alpha");
    assert_eq!(data("top/sub/b.bin"), &vec![7u8; 300_000]);
    assert_eq!(data(&long), b"long");
    assert_eq!(members[0].1, b'5');
}

#[test]
fn dotfiles_go_in_when_shown() {
    let t = tree();
    let files = StaticFiles::new(t.path()).unwrap().dotfiles(true);
    let bytes = collect(stream_of(&files, t.path(), Format::Tar)).unwrap();
    let names: Vec<String> = tar_members(&bytes).into_iter().map(|m| m.0).collect();
    assert!(names.contains(&"top/.env".to_string()), "{names:?}");
    assert!(!names.iter().any(|n| n.contains(".upload-")), "{names:?}");
}

#[test]
fn tar_gz_is_the_tar_compressed() {
    let t = tree();
    let files = StaticFiles::new(t.path()).unwrap();
    let tar = collect(stream_of(&files, t.path(), Format::Tar)).unwrap();
    let gz = collect(stream_of(&files, t.path(), Format::TarGz)).unwrap();
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, tar);
}

#[test]
fn zip_ends_with_its_directory() {
    let t = tree();
    let files = StaticFiles::new(t.path()).unwrap();
    let bytes = collect(stream_of(&files, t.path(), Format::Zip)).unwrap();
    let end = bytes.len() - 22;
    assert_eq!(&bytes[end..end + 4], b"PK\x05\x06");
    assert_eq!(u16::from_le_bytes([bytes[end + 10], bytes[end + 11]]), 8);
    assert_eq!(&bytes[..4], b"PK\x03\x04");
}

#[test]
fn a_file_that_shrinks_mid_stream_is_an_error() {
    let t = tempfile::tempdir().unwrap();
    fs::write(t.path().join("big"), vec![1u8; 1 << 20]).unwrap();
    let files = StaticFiles::new(t.path()).unwrap();
    for format in [Format::Tar, Format::TarGz, Format::Zip] {
        let mut stream = stream_of(&files, t.path(), format);
        let first = stream.next().unwrap().unwrap();
        assert!(!first.is_empty() || format == Format::TarGz);
        File::options()
            .write(true)
            .open(t.path().join("big"))
            .unwrap()
            .set_len(10)
            .unwrap();
        let rest: Vec<_> = stream.by_ref().collect();
        let err = rest
            .iter()
            .find_map(|p| p.as_ref().err())
            .expect("an error piece");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "{format:?}");
        // After the error, nothing more: the connection is cut.
        assert!(rest.last().unwrap().is_err(), "{format:?}");
        assert!(stream.next().is_none());
        fs::write(t.path().join("big"), vec![1u8; 1 << 20]).unwrap();
    }
}

/// A tree over a real directory where some names refuse to open.
struct Refusing {
    files: StaticFiles,
    refused: &'static str,
}

impl Tree for Refusing {
    fn open(&self, rel: &Path) -> Result<Opened, OpenError> {
        if rel.ends_with(self.refused) {
            return Err(OpenError::Forbidden);
        }
        Tree::open(&self.files, rel)
    }

    fn list(&self, dir: &File, rel: &Path) -> io::Result<Vec<crate::listing::Entry>> {
        Tree::list(&self.files, dir, rel)
    }
}

#[test]
fn unreadable_entries_are_left_out() {
    let t = tree();
    let files = StaticFiles::new(t.path()).unwrap();
    for refused in ["a.txt", "deeper"] {
        let dir = File::open(t.path()).unwrap();
        let meta = dir.metadata().unwrap();
        let tree = Refusing {
            files: files.clone(),
            refused,
        };
        let walker = Walker::new(tree, PathBuf::new(), "top", dir, meta);
        let bytes = collect(ArchiveStream::new(walker, Format::Tar, "top")).unwrap();
        let names: Vec<String> = tar_members(&bytes).into_iter().map(|m| m.0).collect();
        assert!(!names.iter().any(|n| n.contains(refused)), "{names:?}");
        assert!(names.contains(&"top/link.txt".to_string()), "{names:?}");
    }
}

#[test]
fn empty_directory_is_one_entry() {
    let t = tempfile::tempdir().unwrap();
    let files = StaticFiles::new(t.path()).unwrap();
    let bytes = collect(stream_of(&files, t.path(), Format::Tar)).unwrap();
    let members = tar_members(&bytes);
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].0, "top/");
}
