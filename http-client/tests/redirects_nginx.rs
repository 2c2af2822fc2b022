//! -L follows 301/302/303/307/308 as curl does, with a limit.
mod common;
use common::*;

const LOCATIONS: &str = "
    location = /r301 { return 301 /a.txt; }
    location = /r302 { return 302 http://$host:$server_port/a.txt; }
    location = /r307 { return 307 /a.txt; }
    location = /chain { return 302 /r301; }
    location = /loop { return 302 /loop; }
";

#[test]
fn follows_redirects_and_counts_them() {
    let nginx = start_nginx(&[("a.txt", b"target\n")], LOCATIONS);
    let out = fetch(&[
        "-s",
        "-L",
        "-w",
        "%{num_redirects} %{http_code}",
        &nginx.url("/chain"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "target\n2 200");
    // Without -L the 3xx itself is the answer.
    let out = fetch(&[
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &nginx.url("/r301"),
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "301");
}

#[test]
fn post_becomes_get_on_302_but_not_on_307() {
    let nginx = start_nginx(&[("a.txt", b"target\n")], LOCATIONS);
    // nginx answers POST to a static file with 405: GET proves the switch.
    let out = fetch(&[
        "-s",
        "-L",
        "-d",
        "x=1",
        "-w",
        " %{http_code}",
        &nginx.url("/r302"),
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "target\n 200");
    let out = fetch(&[
        "-s",
        "-L",
        "-d",
        "x=1",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &nginx.url("/r307"),
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "405");
}

#[test]
fn redirect_limit_exits_47() {
    let nginx = start_nginx(&[], LOCATIONS);
    let out = fetch(&["-sS", "-L", "--max-redirs", "3", &nginx.url("/loop")]);
    assert_eq!(code(&out), 47, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Maximum (3) redirects followed"),
        "{}",
        stderr(&out)
    );
}
