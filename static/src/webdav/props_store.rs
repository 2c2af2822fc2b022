//! Dead properties (`PROPPATCH`), kept across restarts.
//!
//! All of a resource's dead properties are one value, so a `PROPPATCH` is
//! atomic (one write). The value lives in the extended attribute
//! [`XATTR`] of the file itself, so a rename carries it for free; where the
//! file system has no user extended attributes (or the value is larger than
//! it takes), it lives in the side store instead: a file named after the
//! resource's inode and birth time in the hidden directory
//! [`resolve::SIDE_STORE`] at the root (never served, listed or
//! writable by a request, even with dotfiles shown). Inode and birth time
//! also survive a rename, and a new file that reuses the inode has another
//! birth time, so it never inherits a deleted file's properties.
//!
//! The value is a list of `(namespace, name, XML)` triples, each field
//! written as `LENGTH:BYTES`; the XML is the property element written by
//! [`super::xml::Element::to_xml`], so it stands alone.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;

use rustix::fs::{Mode, OFlags, XattrFlags};
use rustix::io::Errno;

use crate::resolve;

/// The extended attribute that holds the dead properties.
pub(super) const XATTR: &str = "user.static.webdav";

/// The largest value kept (bytes): a bound on what one resource's
/// properties may cost, and on what a read allocates.
pub(super) const MAX_PROPS_BYTES: usize = 1 << 20;

/// One dead property: namespace URI, local name, the element as XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DeadProp {
    pub ns: String,
    pub name: String,
    pub xml: String,
}

/// The dead properties of the resource open as `file`.
pub(super) fn load(root_dir: &File, file: &File) -> io::Result<Vec<DeadProp>> {
    match read_xattr(file) {
        Ok(Some(bytes)) => return Ok(decode(&bytes)),
        Ok(None) => {}
        Err(e) if unsupported(&e) => {}
        Err(e) => return Err(e),
    }
    match read_side(root_dir, file)? {
        Some(bytes) => Ok(decode(&bytes)),
        None => Ok(Vec::new()),
    }
}

/// Replaces the dead properties of the resource open as `file`.
pub(super) fn save(root_dir: &File, file: &File, props: &[DeadProp]) -> io::Result<()> {
    let bytes = encode(props);
    if bytes.len() > MAX_PROPS_BYTES {
        return Err(io::Error::from_raw_os_error(Errno::NOSPC.raw_os_error()));
    }
    let result = if props.is_empty() {
        match rustix::fs::fremovexattr(file, XATTR) {
            Ok(()) | Err(Errno::NODATA) => Ok(()),
            Err(e) => Err(io::Error::from(e)),
        }
    } else {
        rustix::fs::fsetxattr(file, XATTR, &bytes, XattrFlags::empty()).map_err(io::Error::from)
    };
    match result {
        Ok(()) => remove_side(root_dir, file),
        Err(e) if unsupported(&e) => write_side(root_dir, file, &bytes),
        Err(e) => Err(e),
    }
}

/// Copies the dead properties of `from` to `to` (a `COPY`); a failure is
/// logged, the copy of the content stands.
pub(super) fn copy(root_dir: &File, from: &File, to: &File) {
    let result = load(root_dir, from).and_then(|props| {
        if props.is_empty() {
            Ok(())
        } else {
            save(root_dir, to, &props)
        }
    });
    if let Err(e) = result {
        log::warn!("static: webdav: properties not copied: {e}");
    }
}

/// Carries the dead properties of the file `name` in `dir` (one a `PUT`
/// is about to replace) over to `to`, its replacement: RFC 4918 9.7.1, a
/// `PUT` replaces the content, not the properties (Windows sets its
/// `Win32*` times before the content arrives). Nothing there, or no
/// properties: nothing to do; a failure is logged, the upload stands.
pub(crate) fn carry_over(root_dir: &File, dir: &File, name: &str, to: &File) {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    match rustix::fs::openat(dir, name, flags, Mode::empty()) {
        Ok(old) => copy(root_dir, &File::from(old), to),
        Err(Errno::NOENT | Errno::LOOP) => {} // gone, or a symlink (replaced as a link)
        Err(e) => log::warn!("static: webdav: properties not carried over: {e}"),
    }
}

/// Whether the file system refuses the attribute itself (no user
/// attributes, or the value is too big for it): the side store's cases.
fn unsupported(e: &io::Error) -> bool {
    matches!(
        Errno::from_io_error(e),
        Some(Errno::NOTSUP | Errno::TOOBIG | Errno::NOSPC | Errno::RANGE | Errno::PERM)
    )
}

fn read_xattr(file: &File) -> io::Result<Option<Vec<u8>>> {
    let mut buf = vec![0u8; 4096];
    loop {
        match rustix::fs::fgetxattr(file, XATTR, &mut buf[..]) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(Some(buf));
            }
            Err(Errno::NODATA) => return Ok(None),
            Err(Errno::RANGE) if buf.len() < MAX_PROPS_BYTES => {
                let need = rustix::fs::fgetxattr_query(file, XATTR)?;
                buf.resize(need.clamp(buf.len() * 2, MAX_PROPS_BYTES), 0);
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The side store's file name for the resource open as `file`.
fn side_name(file: &File) -> io::Result<String> {
    let meta = file.metadata()?;
    let born = meta
        .created()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Ok(format!("{:x}-{:x}-{born:x}", meta.dev(), meta.ino()))
}

fn side_dir(root_dir: &File, create: bool) -> io::Result<Option<File>> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    match rustix::fs::openat(root_dir, resolve::SIDE_STORE, flags, Mode::empty()) {
        Ok(fd) => return Ok(Some(File::from(fd))),
        Err(Errno::NOENT) if create => {}
        Err(Errno::NOENT) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    match rustix::fs::mkdirat(root_dir, resolve::SIDE_STORE, Mode::from_raw_mode(0o700)) {
        Ok(()) | Err(Errno::EXIST) => {}
        Err(e) => return Err(e.into()),
    }
    let fd = rustix::fs::openat(root_dir, resolve::SIDE_STORE, flags, Mode::empty())?;
    Ok(Some(File::from(fd)))
}

fn read_side(root_dir: &File, file: &File) -> io::Result<Option<Vec<u8>>> {
    let Some(dir) = side_dir(root_dir, false)? else {
        return Ok(None);
    };
    let name = side_name(file)?;
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = match rustix::fs::openat(&dir, name.as_str(), flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut bytes = Vec::new();
    File::from(fd)
        .take(MAX_PROPS_BYTES as u64)
        .read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// Writes the side file under a temporary name and renames it into place,
/// so a crash leaves the old properties or the new ones.
fn write_side(root_dir: &File, file: &File, bytes: &[u8]) -> io::Result<()> {
    let Some(dir) = side_dir(root_dir, true)? else {
        return Err(io::ErrorKind::NotFound.into());
    };
    let name = side_name(file)?;
    let temp = format!("{name}.new");
    let flags =
        OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(&dir, temp.as_str(), flags, Mode::from_raw_mode(0o600))?;
    File::from(fd).write_all(bytes)?;
    rustix::fs::renameat(&dir, temp.as_str(), &dir, name.as_str())?;
    Ok(())
}

fn remove_side(root_dir: &File, file: &File) -> io::Result<()> {
    let Some(dir) = side_dir(root_dir, false)? else {
        return Ok(());
    };
    match rustix::fs::unlinkat(
        &dir,
        side_name(file)?.as_str(),
        rustix::fs::AtFlags::empty(),
    ) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn encode(props: &[DeadProp]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in props {
        for field in [&p.ns, &p.name, &p.xml] {
            out.extend_from_slice(field.len().to_string().as_bytes());
            out.push(b':');
            out.extend_from_slice(field.as_bytes());
        }
    }
    out
}

/// The inverse of [`encode`]; a damaged value yields the properties
/// before the damage.
fn decode(mut bytes: &[u8]) -> Vec<DeadProp> {
    let mut out = Vec::new();
    let field = |bytes: &mut &[u8]| -> Option<String> {
        let colon = bytes.iter().position(|&b| b == b':')?;
        let len: usize = std::str::from_utf8(&bytes[..colon]).ok()?.parse().ok()?;
        let rest = &bytes[colon + 1..];
        let value = String::from_utf8(rest.get(..len)?.to_vec()).ok()?;
        *bytes = &rest[len..];
        Some(value)
    };
    while !bytes.is_empty() {
        let (Some(ns), Some(name), Some(xml)) =
            (field(&mut bytes), field(&mut bytes), field(&mut bytes))
        else {
            break;
        };
        out.push(DeadProp { ns, name, xml });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip() {
        let props = vec![
            DeadProp {
                ns: "urn:a".into(),
                name: "x".into(),
                xml: "<x xmlns=\"urn:a\">1:2</x>".into(),
            },
            DeadProp {
                ns: String::new(),
                name: "é".into(),
                xml: String::new(),
            },
        ];
        assert_eq!(decode(&encode(&props)), props);
        let bytes = encode(&props);
        assert_eq!(decode(&bytes[..bytes.len() - 1]), props[..1].to_vec());
    }

    #[test]
    fn xattr_or_side_store_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let root = File::open(dir.path()).unwrap();
        std::fs::write(dir.path().join("f"), "x").unwrap();
        let f = File::open(dir.path().join("f")).unwrap();
        assert!(load(&root, &f).unwrap().is_empty());
        let props = vec![DeadProp {
            ns: "urn:a".into(),
            name: "x".into(),
            xml: "<x xmlns=\"urn:a\"/>".into(),
        }];
        save(&root, &f, &props).unwrap();
        assert_eq!(load(&root, &f).unwrap(), props);
        // The side store, as a file system without user attributes uses it.
        let g_path = dir.path().join("g");
        std::fs::write(&g_path, "y").unwrap();
        let g = File::open(&g_path).unwrap();
        write_side(&root, &g, &encode(&props)).unwrap();
        assert_eq!(load(&root, &g).unwrap(), props);
        save(&root, &g, &[]).unwrap();
        assert!(load(&root, &g).unwrap().is_empty());
    }
}
