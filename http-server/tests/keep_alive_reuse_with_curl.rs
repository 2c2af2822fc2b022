//! curl fetching two URLs reuses one connection.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::process::Command;
use std::time::Duration;

#[test]
fn curl_reuses_the_connection_for_two_urls() {
    let server = serve(
        |s| s,
        |req: &Request| {
            Response::text(
                StatusCode::OK,
                format!("{} from port {}\n", req.path(), req.peer_addr().port()),
            )
        },
    );
    let a = format!("http://{}/one", server.addr);
    let b = format!("http://{}/two", server.addr);
    let (ok, out, err) = run_bounded(
        Command::new("curl").args(["-sv", "--max-time", "10", &a, &b]),
        Duration::from_secs(15),
    );
    assert!(ok, "curl failed: {err}");
    assert!(err.contains("Re-using existing connection"), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let port = |l: &str| l.rsplit(' ').next().unwrap().to_string();
    assert!(lines[0].starts_with("/one") && lines[1].starts_with("/two"));
    assert_eq!(
        port(lines[0]),
        port(lines[1]),
        "both answers on one connection"
    );
}
