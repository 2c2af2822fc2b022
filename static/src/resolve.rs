//! From a request path to a file under the root, safe by construction.
//!
//! Two steps, each one small function:
//!
//! 1. [`normalize`] is pure and lexical (the fuzz target): the raw path as
//!    sent is split on `/` *first*, then each segment is percent-decoded
//!    exactly once, so `%2F` can never become a separator and `%252e%252e`
//!    stays the literal name `%2e%2e`. A decoded segment with NUL, `/` or
//!    invalid UTF-8 is refused (a backslash is an ordinary byte of a Unix
//!    file name, never a separator: `..\x` names a file called that); `.` and `..` are collapsed; a `..` that
//!    would climb above the root is refused (not clamped); dotfiles are
//!    refused unless allowed.
//! 2. [`open_inside`] opens `root/segments`. Fast path: `openat2(2)` from
//!    the root's descriptor with `RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH`,
//!    one system call that the kernel guarantees stays under the root and
//!    crosses no symlink, so the lexical checks of step 1 are all there is
//!    to check. When a symlink is on the way (`ELOOP`), or `openat2` is
//!    missing, the slow path opens the path and then asks the kernel which
//!    file it really opened (`/proc/self/fd/N`), so symlinks are checked on
//!    the file actually opened, not on a path that could change in between:
//!    a real path that leaves the root is refused unless `follow_symlinks`;
//!    a real path with a dot component (a symlink to `.env`) is refused
//!    unless dotfiles are allowed.

use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Component, Path, PathBuf};

use brisk_core::encode_segment;
use percent_encoding::percent_decode_str;
use rustix::io::Errno;

/// Why a request path names no servable file. Each maps to one status in
/// the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolveError {
    /// Not an origin-form path (does not start with `/`): 400.
    NotAbsolute,
    /// A segment decodes to NUL, `/` or invalid UTF-8: 400.
    BadSegment,
    /// A `..` would climb above the root: 400.
    AboveRoot,
    /// A dotfile or dot directory while dotfiles are hidden: 404.
    Hidden,
}

/// A request path after [`normalize`]: decoded segments, none empty, none
/// `.` or `..`, and whether the path names a directory (ends with `/`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lexical {
    pub segments: Vec<String>,
    pub trailing_slash: bool,
}

impl Lexical {
    /// The segments as a relative filesystem path (empty for the root).
    pub fn rel_path(&self) -> PathBuf {
        self.segments.iter().collect()
    }

    /// The normalized path, percent-encoded for a URL, starting with `/`
    /// and ending with `/` when `trailing_slash`.
    pub fn url_path(&self) -> String {
        let mut out = String::with_capacity(64);
        for s in &self.segments {
            out.push('/');
            out.push_str(&encode_segment(s));
        }
        if self.trailing_slash || self.segments.is_empty() {
            out.push('/');
        }
        out
    }
}

/// Lexically normalizes a raw request path (as sent, before any decoding).
pub fn normalize(raw_path: &str, dotfiles: bool) -> Result<Lexical, ResolveError> {
    let rest = raw_path
        .strip_prefix('/')
        .ok_or(ResolveError::NotAbsolute)?;
    let mut out = Lexical::default();
    for raw in rest.split('/') {
        // Decode once, after splitting: "%2F" is a byte of a name, never a separator.
        let bytes: Vec<u8> = percent_decode_str(raw).collect();
        if bytes.iter().any(|&b| b == 0 || b == b'/') {
            return Err(ResolveError::BadSegment);
        }
        let segment = String::from_utf8(bytes).map_err(|_| ResolveError::BadSegment)?;
        // Every segment but the last is followed by a '/': only the last one
        // decides `trailing_slash`, which the loop overwrites each time.
        out.trailing_slash = matches!(segment.as_str(), "" | "." | "..");
        match segment.as_str() {
            "" | "." => {}
            ".." => {
                if out.segments.pop().is_none() {
                    return Err(ResolveError::AboveRoot);
                }
            }
            // An upload in progress is never served, listed or overwritten.
            s if is_reserved(s) => return Err(ResolveError::Hidden),
            s if s.starts_with('.') && !dotfiles => return Err(ResolveError::Hidden),
            _ => out.segments.push(segment),
        }
    }
    Ok(out)
}

/// The temporary name an upload is written under before its rename into
/// place: `.upload-PID-N.part`, `PID` and `N` in decimal.
pub fn upload_part_name(pid: u32, n: u64) -> String {
    format!(".upload-{pid}-{n}.part")
}

/// Whether `name` is one [`upload_part_name`] makes: hidden even with
/// dotfiles shown, so a half-written upload is never served, listed or
/// overwritten by a request.
pub fn is_upload_part(name: &str) -> bool {
    let Some(middle) = name
        .strip_prefix(".upload-")
        .and_then(|rest| rest.strip_suffix(".part"))
    else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    middle
        .split_once('-')
        .is_some_and(|(pid, n)| digits(pid) && digits(n))
}

/// The hidden directory at the root where WebDAV keeps dead properties
/// when the file system has no extended attributes for them.
pub const SIDE_STORE: &str = ".static-webdav-props";

/// Names no request may reach, even with dotfiles shown: upload
/// temporaries and the WebDAV side store.
pub fn is_reserved(name: &str) -> bool {
    is_upload_part(name) || name == SIDE_STORE
}

/// Why [`open_inside`] gives no file.
#[derive(Debug)]
pub enum OpenError {
    /// Nothing there (or a path through a non-directory, or a symlink loop): 404.
    NotFound,
    /// Refused by the filesystem permissions, or not a regular file or a
    /// directory (FIFO, socket, device): 403.
    Forbidden,
    /// The real path leaves the root or has a dot component: 404, so that
    /// nothing is revealed about what lies outside.
    Refused,
    /// Any other I/O error: 500.
    Io(io::Error),
}

/// A file or directory opened under the root.
#[derive(Debug)]
pub struct Opened {
    pub file: File,
    pub meta: Metadata,
    /// Opened by the fast path: beneath the root, no symlink crossed.
    pub beneath: bool,
}

/// Options of [`open_inside`].
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenOptionsInside {
    pub follow_symlinks: bool,
    pub dotfiles: bool,
}

/// Opens `root.join(rel)` and checks the file really opened. `root` must be
/// canonical (absolute, no symlinks), as `StaticFiles::new` makes it;
/// `root_dir`, when given, is that directory opened (for the fast path).
/// `rel` must come from [`normalize`] (no `..`, no dotfiles unless allowed).
pub fn open_inside(
    root: &Path,
    root_dir: Option<&File>,
    rel: &Path,
    opts: OpenOptionsInside,
) -> Result<Opened, OpenError> {
    if let Some(dir) = root_dir {
        if let Some(done) = open_beneath(dir, rel) {
            return done;
        }
    }
    let path = root.join(rel);
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
    // writer and stall the worker. It changes nothing for regular files.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags((rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::CLOEXEC).bits() as i32)
        .open(&path)
        .map_err(open_error)?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    if !meta.is_file() && !meta.is_dir() {
        return Err(OpenError::Forbidden);
    }
    if !opts.follow_symlinks || !opts.dotfiles {
        let real = real_path(&file, &path)?;
        match real.strip_prefix(root) {
            Ok(inside) => {
                if !opts.dotfiles && has_dot_component(inside) {
                    return Err(OpenError::Refused);
                }
            }
            Err(_) if !opts.follow_symlinks => return Err(OpenError::Refused),
            // Outside the root by an allowed symlink: the lexical path was
            // already checked for dotfiles by `normalize`.
            Err(_) => {}
        }
    }
    Ok(Opened {
        file,
        meta,
        beneath: false,
    })
}

/// The fast path: `None` when it cannot decide (a symlink on the way, or
/// no `openat2` here, or a sandbox that refuses it), and the slow path must.
fn open_beneath(root_dir: &File, rel: &Path) -> Option<Result<Opened, OpenError>> {
    use rustix::fs::{openat2, Mode, OFlags, ResolveFlags};
    let rel = if rel.as_os_str().is_empty() {
        Path::new(".")
    } else {
        rel
    };
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let resolve = ResolveFlags::NO_SYMLINKS | ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
    let file = match openat2(root_dir, rel, flags, Mode::empty(), resolve) {
        Ok(fd) => File::from(fd),
        Err(Errno::LOOP | Errno::NOSYS | Errno::PERM | Errno::XDEV | Errno::AGAIN) => return None,
        Err(e) => return Some(Err(open_error(io::Error::from(e)))),
    };
    Some(match file.metadata() {
        Ok(meta) if meta.is_file() || meta.is_dir() => Ok(Opened {
            file,
            meta,
            beneath: true,
        }),
        Ok(_) => Err(OpenError::Forbidden),
        Err(e) => Err(OpenError::Io(e)),
    })
}

/// The path of the file behind an open descriptor, from the kernel; falls
/// back to resolving `path` again where /proc is not mounted.
fn real_path(file: &File, path: &Path) -> Result<PathBuf, OpenError> {
    let link = format!("/proc/self/fd/{}", file.as_raw_fd());
    match std::fs::read_link(link) {
        Ok(real) => Ok(real),
        Err(_) => std::fs::canonicalize(path).map_err(open_error),
    }
}

fn has_dot_component(p: &Path) -> bool {
    p.components().any(|c| match c {
        Component::Normal(name) => name.as_encoded_bytes().first() == Some(&b'.'),
        _ => true, // cannot happen in a stripped canonical path; refuse anyway
    })
}

fn open_error(e: io::Error) -> OpenError {
    match Errno::from_io_error(&e) {
        Some(Errno::NOENT | Errno::NOTDIR | Errno::LOOP | Errno::NAMETOOLONG) => {
            OpenError::NotFound
        }
        Some(Errno::ACCESS | Errno::PERM) => OpenError::Forbidden,
        _ => OpenError::Io(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn segs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn upload_parts_are_hidden_even_with_dotfiles() {
        let part = upload_part_name(4242, 7);
        assert_eq!(part, ".upload-4242-7.part");
        assert!(is_upload_part(&part));
        for other in [
            ".upload-.part",
            ".upload-1.part",
            ".upload-a-1.part",
            ".upload-1-2.partx",
            "upload-1-2.part",
            ".upload-1-2-3.part",
        ] {
            assert!(!is_upload_part(other), "{other}");
        }
        for dotfiles in [false, true] {
            let err = normalize(&format!("/d/{part}"), dotfiles).unwrap_err();
            assert!(matches!(err, ResolveError::Hidden), "{dotfiles}");
        }
        assert!(normalize("/d/.upload-1.part", true).is_ok());
    }

    #[test]
    fn normalize_table() {
        use ResolveError::*;
        // (raw path, dotfiles, expected segments and trailing slash, or error)
        let table: &[(&str, bool, Result<(&[&str], bool), ResolveError>)] = &[
            ("/", false, Ok((&[], true))),
            ("/a", false, Ok((&["a"], false))),
            ("/a/", false, Ok((&["a"], true))),
            ("//a//b", false, Ok((&["a", "b"], false))),
            ("/a/./b/.", false, Ok((&["a", "b"], true))),
            ("/a/b/..", false, Ok((&["a"], true))),
            ("/a/../b", false, Ok((&["b"], false))),
            ("/a/%2e%2e/b", false, Ok((&["b"], false))),
            ("/a/%2E/b", false, Ok((&["a", "b"], false))),
            ("/..", false, Err(AboveRoot)),
            ("/../etc/passwd", false, Err(AboveRoot)),
            ("/a/../../etc/passwd", false, Err(AboveRoot)),
            ("/%2e%2e/etc/passwd", false, Err(AboveRoot)),
            ("/.%2e/etc/passwd", false, Err(AboveRoot)),
            // Double encoding decodes once: a literal name, not a dot segment.
            (
                "/%252e%252e/etc/passwd",
                false,
                Ok((&["%2e%2e", "etc", "passwd"], false)),
            ),
            // An encoded slash is never a separator.
            ("/..%2Fetc%2Fpasswd", false, Err(BadSegment)),
            ("/a%2fb", false, Err(BadSegment)),
            // A backslash is a name byte on Unix, not a separator.
            ("/..%5c..%5cetc", true, Ok((&["..\\..\\etc"], false))),
            ("/..\\..\\etc", true, Ok((&["..\\..\\etc"], false))),
            ("/..\\..\\etc", false, Err(Hidden)),
            ("/a\\..", false, Ok((&["a\\.."], false))),
            ("/a%00.txt", false, Err(BadSegment)),
            ("/%ff%fe", false, Err(BadSegment)),
            ("/%c3%a9t%C3%A9", false, Ok((&["été"], false))),
            ("/with%20space", false, Ok((&["with space"], false))),
            ("/100%", false, Ok((&["100%"], false))),
            ("/%zz", false, Ok((&["%zz"], false))),
            ("/a+b", false, Ok((&["a+b"], false))),
            ("/.env", false, Err(Hidden)),
            ("/.git/config", false, Err(Hidden)),
            ("/a/%2egit/config", false, Err(Hidden)),
            ("/.env", true, Ok((&[".env"], false))),
            ("/...", false, Err(Hidden)),
            ("/...", true, Ok((&["..."], false))),
            ("/a/.hidden/..", false, Err(Hidden)),
            ("a", false, Err(NotAbsolute)),
            ("", false, Err(NotAbsolute)),
            ("*", false, Err(NotAbsolute)),
        ];
        for (raw, dotfiles, expect) in table {
            let got = normalize(raw, *dotfiles);
            let expect = expect.map(|(s, t)| Lexical {
                segments: segs(s),
                trailing_slash: t,
            });
            assert_eq!(got, expect, "normalize({raw:?}, dotfiles={dotfiles})");
        }
    }

    #[test]
    fn normalized_segments_are_plain_names() {
        // Whatever comes in, what comes out can only name something under the root.
        let nasty = [
            "/../../..",
            "/a/b/../../../c",
            "/%2e%2e%2f",
            "/./../",
            "/%2e/%2e%2e/%2e%2e/x",
            "/a/..%2f..",
            "/%c0%ae%c0%ae/x",
            "/a\0b",
        ];
        for raw in nasty {
            if let Ok(lex) = normalize(raw, true) {
                for s in &lex.segments {
                    assert!(!s.is_empty() && s != "." && s != "..", "{raw:?} -> {s:?}");
                    assert!(!s.contains(['/', '\0']), "{raw:?} -> {s:?}");
                }
                assert!(!lex.rel_path().is_absolute());
            }
        }
    }

    #[test]
    fn url_path_round_trips() {
        let table = [
            ("/", "/"),
            ("/a/b", "/a/b"),
            ("/a/b/", "/a/b/"),
            ("/with%20space/%3Cx%3E", "/with%20space/%3Cx%3E"),
            ("/%c3%a9t%C3%A9", "/%C3%A9t%C3%A9"),
            ("/100%25", "/100%25"),
            ("/q%3F/h%23", "/q%3F/h%23"),
        ];
        for (raw, url) in table {
            let lex = normalize(raw, false).expect("valid path in table"); // ok: test table
            assert_eq!(lex.url_path(), url, "{raw}");
            assert_eq!(normalize(&lex.url_path(), false), Ok(lex));
        }
    }

    /// The fuzz target's invariants over many generated paths: only plain
    /// segments come out, dotfiles only when allowed, and the normalized
    /// URL normalizes to itself.
    #[test]
    fn generated_paths_keep_the_invariants() {
        const PIECES: [&str; 16] = [
            "/", "/", ".", "..", "%2e", "%2E%2e", "%2f", "%2F", "%00", "a", "%25", "\\", "%c3%a9",
            "%ff", ".env", "%",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            // xorshift64: deterministic, no dependency
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 12) as usize;
            let mut raw = String::from("/");
            for _ in 0..len {
                raw.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            }
            for dotfiles in [false, true] {
                let Ok(lex) = normalize(&raw, dotfiles) else {
                    continue;
                };
                for s in &lex.segments {
                    assert!(!s.is_empty() && s != "." && s != "..", "{raw:?} -> {s:?}");
                    assert!(!s.contains(['/', '\0']), "{raw:?} -> {s:?}");
                    assert!(dotfiles || !s.starts_with('.'), "{raw:?} -> {s:?}");
                }
                assert!(lex
                    .rel_path()
                    .components()
                    .all(|c| matches!(c, Component::Normal(_))));
                assert_eq!(
                    normalize(&lex.url_path(), dotfiles).as_ref(),
                    Ok(&lex),
                    "{raw:?}"
                );
            }
        }
    }

    struct Tree {
        _dir: tempfile::TempDir,
        root: PathBuf,
        outside: PathBuf,
    }

    fn tree() -> Tree {
        let dir = tempfile::tempdir().expect("tempdir"); // ok: test setup
        let base = std::fs::canonicalize(dir.path()).expect("canonical"); // ok: test setup
        let root = base.join("root");
        let outside = base.join("outside");
        std::fs::create_dir_all(root.join("sub")).expect("mkdir"); // ok: test setup
        std::fs::create_dir_all(&outside).expect("mkdir"); // ok: test setup
        std::fs::write(root.join("sub/file.txt"), "inside").expect("write"); // ok: test setup
        std::fs::write(root.join(".env"), "SECRET=1").expect("write"); // ok: test setup
        std::fs::write(outside.join("secret.txt"), "outside").expect("write"); // ok: test setup
        symlink("sub/file.txt", root.join("link-in")).expect("symlink"); // ok: test setup
        symlink(outside.join("secret.txt"), root.join("link-out")).expect("symlink"); // ok: test setup
        symlink(&outside, root.join("dir-out")).expect("symlink"); // ok: test setup
        symlink(".env", root.join("env-alias")).expect("symlink"); // ok: test setup
        symlink("loop", root.join("loop")).expect("symlink"); // ok: test setup
        Tree {
            _dir: dir,
            root,
            outside,
        }
    }

    fn kind(r: Result<Opened, OpenError>) -> &'static str {
        match r {
            Ok(o) if o.meta.is_dir() => "dir",
            Ok(_) => "file",
            Err(OpenError::NotFound) => "notfound",
            Err(OpenError::Forbidden) => "forbidden",
            Err(OpenError::Refused) => "refused",
            Err(OpenError::Io(_)) => "io",
        }
    }

    #[test]
    fn open_inside_table() {
        let t = tree();
        let strict = OpenOptionsInside {
            follow_symlinks: false,
            dotfiles: false,
        };
        let follow = OpenOptionsInside {
            follow_symlinks: true,
            dotfiles: false,
        };
        let dots = OpenOptionsInside {
            follow_symlinks: false,
            dotfiles: true,
        };
        let table = [
            ("", strict, "dir"),
            ("sub", strict, "dir"),
            ("sub/file.txt", strict, "file"),
            ("sub/missing", strict, "notfound"),
            ("sub/file.txt/x", strict, "notfound"),
            ("link-in", strict, "file"),
            ("link-out", strict, "refused"),
            ("dir-out", strict, "refused"),
            ("dir-out/secret.txt", strict, "refused"),
            ("link-out", follow, "file"),
            ("dir-out/secret.txt", follow, "file"),
            ("env-alias", strict, "refused"),
            ("env-alias", dots, "file"),
            ("loop", strict, "notfound"),
        ];
        let root_dir = File::open(&t.root).expect("open root"); // ok: test setup
        for (rel, opts, expect) in table {
            for dir in [None, Some(&root_dir)] {
                let got = kind(open_inside(&t.root, dir, Path::new(rel), opts));
                assert_eq!(got, expect, "{rel} {opts:?} fast path: {}", dir.is_some());
            }
        }
        assert!(t.outside.exists());
    }

    #[test]
    fn errno_to_outcome() {
        let table = [
            (Errno::NOENT.raw_os_error(), "notfound"),
            (Errno::NOTDIR.raw_os_error(), "notfound"),
            (Errno::LOOP.raw_os_error(), "notfound"),
            (Errno::ACCESS.raw_os_error(), "forbidden"),
            (Errno::PERM.raw_os_error(), "forbidden"),
            (Errno::IO.raw_os_error(), "io"),
        ];
        for (errno, expect) in table {
            let got = kind(Err(open_error(io::Error::from_raw_os_error(errno))));
            assert_eq!(got, expect, "errno {errno}");
        }
    }

    #[test]
    fn fifo_is_refused_without_blocking() {
        let t = tree();
        let fifo = t.root.join("fifo");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !matches!(status, Ok(s) if s.success()) {
            return; // no mkfifo here: nothing to check
        }
        let root_dir = File::open(&t.root).expect("open root"); // ok: test setup
        for dir in [None, Some(&root_dir)] {
            let got = open_inside(
                &t.root,
                dir,
                Path::new("fifo"),
                OpenOptionsInside::default(),
            );
            assert_eq!(kind(got), "forbidden");
        }
    }
}
