//! `-F`/`--form`, `--form-string` and `--form-escape`: the multipart body
//! the echo origin receives from `fetch` is curl's byte for byte (the
//! random boundaries normalised): file parts with their names and types
//! from the extension, `;type=`, `;filename=`, `;headers=` (and `@file`),
//! quoted values, `<file`, stdin, several files in one field as a nested
//! multipart/mixed part, `Expect: 100-continue` over 1 MiB, and curl's
//! exit codes for an unreadable file, a field without '=' and `-F` with
//! `-d`.
mod common;
#[path = "common/echo.rs"]
mod echo;

use echo::*;

#[test]
fn forms_are_encoded_as_curl_encodes_them() {
    let origin = start_echo();
    let dir = tempfile::tempdir().expect("temp dir");
    let files: [(&str, &[u8]); 6] = [
        ("a.txt", b"hello\n"),
        ("p.png", b"\x89PNG\r\n"),
        ("D.XML", b"<x/>"),
        ("noext", b"zz"),
        ("hdrs", b"X-H1: 1\r\n# comment\nX-H2: 2\n"),
        ("big.bin", &[7u8; 2 << 20]),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).expect("write");
    }
    let u = origin.url("/p");
    let c = |args: &[&str]| {
        let mut v = vec!["-s", "-A", "t"];
        v.extend(args);
        v.push(&u);
        Case::new(&v)
    };
    let cases = vec![
        c(&["-F", "name=value", "-F", "f=@a.txt"]),
        c(&[
            "-F",
            "g=@p.png;type=image/x-custom",
            "-F",
            "h=@noext;filename=renamed.png",
        ]),
        c(&[
            "-F",
            "u=@D.XML",
            "-F",
            "t=@a.txt;type=text/plain;charset=utf-8",
        ]),
        c(&[
            "-F",
            "v=<a.txt",
            "-F",
            "w=<a.txt;filename=x.png;type=text/q",
        ]),
        c(&[
            "-F",
            "x=@a.txt;headers=\"X-Part: 1\"",
            "-F",
            "y=z;headers=@hdrs",
        ]),
        c(&[
            "--form-string",
            "s=@literal;type=x",
            "-F",
            "a=b;type=text/x",
        ]),
        c(&["-F", "m=@a.txt,p.png", "-F", "last=1"]),
        c(&[
            "-F",
            "q=\"x;y\";type=t/y",
            "-F",
            "sp= a b ;type= t/x ",
            "-F",
            "e=",
        ]),
        c(&["-F", "n\"m=@a.txt;filename=\"we\\\"ird.txt\""]),
        c(&[
            "--form-escape",
            "-F",
            "n\"m\\=@a.txt;filename=\"we\\\"ird.txt\"",
        ]),
        c(&["-F", "=@a.txt", "-F", "k=@\"a.txt\";type=text/a"]),
        c(&["-F", "i=@-", "-F", "j=@-;filename=y.png"]).stdin(b"from stdin\n"),
        c(&["-F", "big=@big.bin"]),
        c(&["-H", "X-A: 1", "-X", "PUT", "-F", "a=1"]),
        c(&["-F", "f=@nofile"]),
        c(&["-F", "f=<nofile"]),
        c(&["-F", "noequals"]),
        c(&["-F", "a=b", "-d", "x"]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}
