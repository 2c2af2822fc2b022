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
    const PIECES: [&str; 18] = [
        "/",
        "/",
        ".",
        "..",
        "%2e",
        "%2E%2e",
        "%2f",
        "%2F",
        "%00",
        "a",
        "%25",
        "\\",
        "%c3%a9",
        "%ff",
        ".env",
        "%",
        "._",
        ".DS_Store",
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
        // With Finder's names let through: a dot segment only last, and
        // only one of Finder's; never more than the dotfiles-shown answer.
        let finder = OpenOptionsInside {
            finder_files: true,
            ..OpenOptionsInside::default()
        };
        if let Ok(lex) = normalize_for(&raw, finder) {
            let n = lex.segments.len();
            for (i, s) in lex.segments.iter().enumerate() {
                let allowed = !s.starts_with('.') || (i + 1 == n && is_finder_name(s));
                assert!(allowed, "{raw:?} -> {s:?}");
            }
            assert_eq!(normalize(&raw, true).as_ref(), Ok(&lex), "{raw:?}");
        }
    }
}

#[test]
fn finder_names_only_as_the_last_segment_and_only_when_asked() {
    let finder = OpenOptionsInside {
        finder_files: true,
        ..OpenOptionsInside::default()
    };
    let segs = |raw: &str, opts| normalize_for(raw, opts).map(|l| l.segments.join("/"));
    assert_eq!(segs("/a/._b.txt", finder), Ok("a/._b.txt".into()));
    assert_eq!(segs("/a/%2E_b", finder), Ok("a/._b".into()));
    assert_eq!(segs("/.DS_Store", finder), Ok(".DS_Store".into()));
    for hidden in [
        "/._b/",
        "/._b/c",
        "/._b/..",
        "/.env",
        "/.git/._x",
        "/.DS_Store/",
    ] {
        assert_eq!(segs(hidden, finder), Err(ResolveError::Hidden), "{hidden}");
    }
    let default = OpenOptionsInside::default();
    assert_eq!(segs("/a/._b.txt", default), Err(ResolveError::Hidden));
    // Reserved names stay reserved.
    assert_eq!(segs("/.upload-1-2.part", finder), Err(ResolveError::Hidden));
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
    std::fs::write(root.join("sub/._file.txt"), "xattrs").expect("write"); // ok: test setup
    std::fs::create_dir(root.join("._dir")).expect("mkdir"); // ok: test setup
    std::fs::write(root.join("._dir/x"), "x").expect("write"); // ok: test setup
    symlink("sub", root.join("sub-alias")).expect("symlink"); // ok: test setup
    symlink("._dir", root.join("finder-dir-alias")).expect("symlink"); // ok: test setup
    symlink(".env", root.join("._env-alias")).expect("symlink"); // ok: test setup
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
    let strict = OpenOptionsInside::default();
    let follow = OpenOptionsInside {
        follow_symlinks: true,
        ..strict
    };
    let dots = OpenOptionsInside {
        dotfiles: true,
        ..strict
    };
    let finder = OpenOptionsInside {
        finder_files: true,
        ..strict
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
        // Finder's files by exact path: also through a symlinked parent
        // (the slow path's check of the real path), never `.env`.
        ("sub/._file.txt", finder, "file"),
        ("sub-alias/._file.txt", strict, "refused"),
        ("sub-alias/._file.txt", finder, "file"),
        ("env-alias", finder, "refused"),
        ("._env-alias", finder, "refused"),
        ("finder-dir-alias/x", finder, "refused"),
        ("loop", strict, "notfound"),
    ];
    let root_dir = File::open(&t.root).expect("open root"); // ok: test setup
                                                            // The fast path by openat2, then by the walk without it: the same answers.
    for walk in [false, true] {
        beneath::NO_OPENAT2.store(walk, std::sync::atomic::Ordering::Relaxed);
        for (rel, opts, expect) in table {
            for dir in [None, Some(&root_dir)] {
                let got = kind(open_inside(&t.root, dir, Path::new(rel), opts));
                let fast = dir.is_some();
                assert_eq!(
                    got, expect,
                    "{rel} {opts:?} fast path: {fast}, walk: {walk}"
                );
            }
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

#[test]
fn plain_key_is_the_normalized_key_or_none() {
    let cases = [
        ("/1k.bin", Some("1k.bin")),
        ("/a/b.txt", Some("a/b.txt")),
        ("/a/b.", Some("a/b.")),
        ("/a/b..c", Some("a/b..c")),
        ("/", None),
        ("", None),
        ("a", None),
        ("/a/", None),
        ("//a", None),
        ("/a//b", None),
        ("/./a", None),
        ("/a/../b", None),
        ("/.env", None),
        ("/a/.git/x", None),
        ("/a%20b", None),
        ("/a\0b", None),
    ];
    for (raw, want) in cases {
        assert_eq!(plain_key(raw), want, "{raw:?}");
        if let Some(key) = want {
            for dotfiles in [false, true] {
                let lexical = normalize(raw, dotfiles).unwrap();
                assert!(!lexical.trailing_slash, "{raw:?}");
                assert_eq!(lexical.segments.join("/"), key, "{raw:?}");
            }
        }
    }
}
