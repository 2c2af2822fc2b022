//! HTTPS (issue 10): `fetch -L` follows a redirect from http to https;
//! `Client::get("https://...")` works with `ClientBuilder::tls`; a
//! redirect from https to http is followed, but an Authorization header
//! does not go along.
mod common;
#[path = "common/tls.rs"]
mod tls;

use std::io::Read;

use brisk_client::{Client, RedirectPolicy};
use common::*;
use tls::*;

const ECHO: &str = "location = /echo { return 200 \"auth=$http_authorization\\n\"; }";

#[test]
fn redirect_http_to_https_and_back_without_credentials() {
    let fx = TlsFixture::new();
    let tls_extra =
        format!("location = /down {{ return 302 http://localhost:$arg_port/echo; }}\n    {ECHO}");
    let plain_extra =
        format!("location = /up {{ return 301 https://localhost:$arg_port/a.txt; }}\n    {ECHO}");
    let nginx = start_nginx_tls(
        &fx,
        &[("a.txt", b"secure body\n")],
        &[
            Block {
                name: "tls",
                cert: Some("good"),
                extra: &tls_extra,
            },
            Block {
                name: "plain",
                cert: None,
                extra: &plain_extra,
            },
        ],
    );
    let ca = fx.ca.display().to_string();
    let tls_port = nginx.port("tls");
    let plain_port = nginx.port("plain");

    // fetch: http -> https.
    let up = format!("http://localhost:{plain_port}/up?port={tls_port}");
    let out = fetch(&["-sS", "-L", "--cacert", &ca, &up]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"secure body\n");

    // The library: https works.
    let client = Client::builder()
        .tls(fx.options())
        .redirects(RedirectPolicy::Follow { max: 5 })
        .build();
    let mut resp = client
        .get(&format!("https://localhost:{tls_port}/a.txt"))
        .send()
        .expect("https GET");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.ssl_verify_result(), Some(0));
    let mut body = String::new();
    resp.body().read_to_string(&mut body).expect("body");
    assert_eq!(body, "secure body\n");

    // The header reaches the https origin, not the http one it sends us to.
    let mut resp = client
        .get(&format!("https://localhost:{tls_port}/echo"))
        .header("Authorization", "Bearer secret")
        .send()
        .expect("https echo");
    let mut body = String::new();
    resp.body().read_to_string(&mut body).expect("body");
    assert_eq!(body, "auth=Bearer secret\n");
    let mut resp = client
        .get(&format!(
            "https://localhost:{tls_port}/down?port={plain_port}"
        ))
        .header("Authorization", "Bearer secret")
        .send()
        .expect("https -> http");
    assert_eq!(
        resp.url().to_string(),
        format!("http://localhost:{plain_port}/echo")
    );
    assert_eq!(resp.ssl_verify_result(), None);
    let mut body = String::new();
    resp.body().read_to_string(&mut body).expect("body");
    assert_eq!(body, "auth=\n");
}
