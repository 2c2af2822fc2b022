//! The static server's path resolver: whatever the request path, the
//! result never leaves the root and never names a hidden file; the
//! allocation-free `plain_key` agrees with `normalize` wherever it answers;
//! with WebDAV writes only Finder's `._NAME`/`.DS_Store` pass, as a last segment.
#![no_main]
use brisk_static::resolve::{is_finder_name, normalize, normalize_for, plain_key, OpenOptionsInside};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    for dotfiles in [false, true] {
        if let Some(key) = plain_key(raw) {
            let lex = normalize(raw, dotfiles).expect("a plain key normalizes");
            assert!(!lex.trailing_slash, "{raw:?}");
            assert_eq!(lex.segments.join("/"), key, "{raw:?}");
        }
        if let Ok(lex) = normalize(raw, dotfiles) {
            for seg in &lex.segments {
                assert!(!seg.is_empty(), "{raw:?}: empty segment");
                assert!(seg != "." && seg != "..", "{raw:?}: dot segment survived");
                assert!(!seg.contains('/') && !seg.contains('\0'), "{raw:?}: {seg:?}");
                assert!(dotfiles || !seg.starts_with('.'), "{raw:?}: hidden {seg:?}");
            }
            let rel = lex.rel_path();
            assert!(rel.is_relative());
            assert!(
                rel.components().all(|c| matches!(c, std::path::Component::Normal(_))),
                "{raw:?}: {rel:?}"
            );
        }
    }
    // WebDAV writes on: only Finder's names get through, only as the last
    // segment, and never anything dotfiles-shown would not give.
    let finder = OpenOptionsInside {
        finder_files: true,
        ..OpenOptionsInside::default()
    };
    if let Ok(lex) = normalize_for(raw, finder) {
        let n = lex.segments.len();
        for (i, seg) in lex.segments.iter().enumerate() {
            let last_finder = i + 1 == n && is_finder_name(seg);
            assert!(!seg.starts_with('.') || last_finder, "{raw:?}: hidden {seg:?}");
        }
        assert_eq!(normalize(raw, true).as_ref(), Ok(&lex), "{raw:?}");
    }
});
