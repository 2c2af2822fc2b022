//! StaticFiles embedded in an app on http-server (in-process), mounted at
//! /assets next to other routes: files, the 301 with the prefix kept, the
//! listing's links, and the app's own routes untouched.
mod common;
use brisk_server::{Request, Response, Server, StatusCode};
use brisk_static::StaticFiles;
use common::*;

#[test]
fn mounted_under_prefix() {
    let dir = site();
    write(dir.path(), "css/app.css", "body{}");
    write(dir.path(), "hello world.txt", "hi");
    let assets = StaticFiles::new(dir.path()).expect("root");
    let server = Server::bind("127.0.0.1:0").expect("bind").workers(1);
    let addr = server.local_addr();
    let handle = server.handle();
    let thread = std::thread::spawn(move || {
        server.serve(move |req: &Request| {
            if req.raw_path() == "/assets" || req.raw_path().starts_with("/assets/") {
                assets.serve_under("/assets", req)
            } else if req.raw_path() == "/api" {
                Response::text(StatusCode::OK, "api")
            } else {
                Response::text(StatusCode::NOT_FOUND, "app 404")
            }
        })
    });
    let base = format!("http://{addr}");

    assert_eq!(
        curl(&[&format!("{base}/assets/css/app.css")]).stdout,
        b"body{}"
    );
    assert_eq!(
        curl(&[&format!("{base}/assets/hello%20world.txt")]).stdout,
        b"hi"
    );
    assert_eq!(curl(&[&format!("{base}/api")]).stdout, b"api");
    assert_eq!(curl(&[&format!("{base}/css/app.css")]).stdout, b"app 404");

    let reply = parse_reply(&curl(&["-i", &format!("{base}/assets/css?v=2")]).stdout);
    assert_eq!(reply.status, 301);
    assert_eq!(reply.header("Location"), Some("/assets/css/?v=2"));
    let reply = parse_reply(&curl(&["-i", &format!("{base}/assets")]).stdout);
    assert_eq!(reply.header("Location"), Some("/assets/"));

    let page = String::from_utf8(curl(&["-L", &format!("{base}/assets")]).stdout).expect("utf-8");
    assert!(page.contains("<title>Index of /assets/</title>"), "{page}");
    assert!(page.contains("href=\"./hello%20world.txt\""));
    assert_eq!(raw_get(addr, "/assets/../Cargo.toml").status, 400);

    handle.shutdown();
    thread.join().expect("server thread").expect("serve");
}
