//! --webdav-read-only answers OPTIONS, PROPFIND and the reads, and refuses
//! every write with 403, leaving the tree as it was.
mod common;
use common::dav::{dav, tree_listing};
use common::*;

#[test]
fn webdav_read_only_refuses_writes() {
    let dir = site();
    write(dir.path(), "f.txt", "x");
    write(dir.path(), "d/g.txt", "y");
    let before = tree_listing(dir.path());
    let server = StaticServer::start(dir.path(), &["--webdav-read-only", "-q"]);
    let url = &server.url;

    let options = dav("OPTIONS", url, &[], "");
    assert_eq!(options.header("DAV"), Some("1, 2"));
    assert_eq!(
        options.header("Allow"),
        Some("OPTIONS, GET, HEAD, PROPFIND")
    );
    let listing = dav("PROPFIND", url, &["Depth: 1"], "");
    assert_eq!(listing.status, 207);
    let body = String::from_utf8_lossy(&listing.body);
    assert!(
        body.contains("<D:href>/f.txt</D:href>") && body.contains("<D:href>/d/</D:href>"),
        "{body}"
    );
    assert_eq!(curl(&[&format!("{url}f.txt")]).stdout, b"x");

    let dest = format!("Destination: {url}z.txt");
    let writes: [(&str, String, Vec<&str>); 8] = [
        ("PUT", format!("{url}new.txt"), vec![]),
        ("DELETE", format!("{url}f.txt"), vec![]),
        ("MKCOL", format!("{url}col"), vec![]),
        ("COPY", format!("{url}f.txt"), vec![&dest]),
        ("MOVE", format!("{url}f.txt"), vec![&dest]),
        ("PROPPATCH", format!("{url}f.txt"), vec![]),
        ("LOCK", format!("{url}f.txt"), vec![]),
        (
            "UNLOCK",
            format!("{url}f.txt"),
            vec!["Lock-Token: <opaquelocktoken:x>"],
        ),
    ];
    for (method, target, headers) in &writes {
        let body = if *method == "PUT" { "data" } else { "" };
        assert_eq!(dav(method, target, headers, body).status, 403, "{method}");
    }
    assert_eq!(tree_listing(dir.path()), before);
}
