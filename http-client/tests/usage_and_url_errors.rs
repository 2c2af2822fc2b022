//! Bad input gives one clear line on stderr and curl's exit code.
mod common;
use common::*;

#[test]
fn bad_input_exit_codes_and_messages() {
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["gopher://127.0.0.1/"],
            1,
            "protocol \"gopher\" not supported",
        ),
        (&["ftp://127.0.0.1/"], 1, "not supported"),
        // Globbing sees the open bracket first, as in curl.
        (&["http://[::1/"], 3, "bad range in URL position"),
        (&["http://h:70000/"], 3, "bad port number"),
        (&["http:///x"], 3, "no host"),
        (&[], 2, "no URL specified"),
        (
            &["--no-such-flag", "http://127.0.0.1/"],
            2,
            "--no-such-flag",
        ),
        (
            &["-x", "ftp://127.0.0.1:1", "http://127.0.0.1/"],
            7,
            "Unsupported proxy scheme for 'ftp://127.0.0.1:1'",
        ),
        (&["-H", "no colon", "http://127.0.0.1/"], 2, "bad header"),
        (
            &["-H", "X-A: a\r\nInjected: 1", "http://127.0.0.1:9/"],
            2,
            "invalid request header",
        ),
        (
            &["-H", "Bad Name: v", "http://127.0.0.1:9/"],
            2,
            "invalid request header",
        ),
        (
            // curl warns and sends an empty POST.
            &["-d", "@/nonexistent/file", "http://127.0.0.1:9/"],
            7,
            "Couldn't read data from file \"/nonexistent/file\", this makes an empty POST.",
        ),
    ];
    for (args, want, msg) in cases {
        let out = fetch(args);
        let err = stderr(&out);
        assert_eq!(code(&out), *want, "{args:?}: {err}");
        assert!(err.contains(msg), "{args:?}: want {msg:?} in {err:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // -s silences, -S brings the message back.
    let out = fetch(&["-s", "gopher://127.0.0.1/"]);
    assert!(out.stderr.is_empty());
    let out = fetch(&["-sS", "gopher://127.0.0.1/"]);
    assert!(stderr(&out).starts_with("fetch: (1) "), "{}", stderr(&out));
}
