//! COPY and MOVE cannot write outside the served tree: a Destination that
//! climbs above the root, names another host, or goes through a symlink
//! that leaves the root is refused, and nothing appears outside.
mod common;
use common::dav::dav;
use common::*;

#[test]
fn webdav_destination_escapes_refused() {
    let base = site();
    let root = base.path().join("root");
    let outside = base.path().join("outside");
    write(&root, "f.txt", "inside");
    write(&root, "d/g.txt", "member");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::os::unix::fs::symlink(&outside, root.join("out")).expect("symlink");
    let server = StaticServer::start(&root, &["--webdav", "-q"]);
    let url = &server.url;
    let host = server.addr.to_string();

    let escapes = [
        format!("{url}../outside/x.txt"),
        format!("{url}%2e%2e/outside/x.txt"),
        format!("{url}d/../../outside/x.txt"),
        "/../outside/x.txt".to_string(),
        format!("{url}..%2foutside%2fx.txt"),
        format!("{url}out/x.txt"),
        format!("{url}out/"),
        "http://example.com/x.txt".to_string(),
        format!("http://127.0.0.2:{}/x.txt", server.addr.port()),
        format!("ftp://{host}/x.txt"),
    ];
    for method in ["COPY", "MOVE"] {
        for source in ["f.txt", "d/"] {
            for dest in &escapes {
                let reply = dav(
                    method,
                    &format!("{url}{source}"),
                    &[&format!("Destination: {dest}")],
                    "",
                );
                assert!(
                    matches!(reply.status, 400 | 403 | 404 | 409 | 502),
                    "{method} {source} -> {dest}: {}",
                    reply.status
                );
            }
        }
    }
    // Nothing was written outside, and the sources are still there.
    assert_eq!(std::fs::read_dir(&outside).expect("outside").count(), 0);
    assert_eq!(
        std::fs::read_to_string(root.join("f.txt")).expect("kept"),
        "inside"
    );
    assert!(root.join("d/g.txt").is_file());
    let link = std::fs::symlink_metadata(root.join("out")).expect("link kept");
    assert!(link.file_type().is_symlink(), "the link out was replaced");
    // A symlink out is not a source either: nothing is read from outside.
    write(&outside, "secret.txt", "SECRET");
    let reply = dav(
        "COPY",
        &format!("{url}out/secret.txt"),
        &[&format!("Destination: {url}stolen.txt")],
        "",
    );
    assert_eq!(reply.status, 404);
    assert!(!root.join("stolen.txt").exists());
    // The same origin by absolute URL, and by path, works.
    let reply = dav(
        "COPY",
        &format!("{url}f.txt"),
        &[&format!("Destination: {url}copy.txt")],
        "",
    );
    assert_eq!(reply.status, 201);
    let reply = dav(
        "MOVE",
        &format!("{url}copy.txt"),
        &["Destination: /moved.txt"],
        "",
    );
    assert_eq!(reply.status, 201);
    assert_eq!(
        std::fs::read_to_string(root.join("moved.txt")).expect("moved"),
        "inside"
    );
}
