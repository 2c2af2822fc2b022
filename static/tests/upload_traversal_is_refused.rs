//! Uploads go through the same resolver as reads: `..` above the root,
//! encoded dots and slashes, dotfiles, a symlinked directory leading out
//! of the root, the root itself: all refused, nothing written anywhere.
mod common;
use common::*;

#[test]
fn traversal_attempts_on_put_are_refused() {
    let outside = site();
    let root = site();
    std::fs::create_dir(root.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(outside.path(), root.path().join("out")).unwrap();
    let server = StaticServer::start(root.path(), &["-q", "--upload"]);
    let cases: &[(&str, u16)] = &[
        ("/../escape.txt", 400),
        ("/sub/../../escape.txt", 400),
        ("/%2e%2e/escape.txt", 400),
        ("/sub/%2e%2e/%2e%2e/escape.txt", 400),
        ("/..%2fescape.txt", 400),
        ("/.hidden", 403),
        ("/sub/.hidden", 403),
        ("/.git/config", 403),
        ("/out/escape.txt", 409),
        ("/", 405),
        ("/sub/", 405),
        ("/sub", 409),
    ];
    for (path, status) in cases {
        let url = format!("http://{}{path}", server.addr);
        let got = curl_status(
            &url,
            &["--path-as-is", "-X", "PUT", "--data-binary", "evil"],
        );
        assert_eq!(got, *status, "{path}");
    }
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    let names: Vec<_> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(
        std::fs::read_dir(root.path().join("sub")).unwrap().count(),
        0
    );
}
