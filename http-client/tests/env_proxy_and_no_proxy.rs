//! fetch reads the proxy environment as curl does: `http_proxy` lowercase
//! only, `ALL_PROXY`, `NO_PROXY` (domains, IPs, CIDR, `*`), `--noproxy`
//! overriding it, and `-x ""` disabling proxies.
mod common;
use common::*;

#[test]
fn environment_selects_or_bypasses_the_proxy() {
    let nginx = start_nginx(&[("a.txt", b"direct\n")], "");
    let url = nginx.url("/a.txt");
    // A proxy that refuses connections: exit 7 proves it was used.
    let dead_proxy = format!("http://127.0.0.1:{}", free_port());
    let cases: &[(&[(&str, &str)], &[&str], i32)] = &[
        (&[("http_proxy", &dead_proxy)], &[], 7),
        (&[("HTTP_PROXY", &dead_proxy)], &[], 0),
        (&[("ALL_PROXY", &dead_proxy)], &[], 7),
        (
            &[("http_proxy", &dead_proxy), ("NO_PROXY", "127.0.0.1")],
            &[],
            0,
        ),
        (
            &[("http_proxy", &dead_proxy), ("no_proxy", "127.0.0.0/8")],
            &[],
            0,
        ),
        (&[("http_proxy", &dead_proxy), ("no_proxy", "*")], &[], 0),
        (
            &[
                ("http_proxy", &dead_proxy),
                ("no_proxy", "10.0.0.0/8,example.com"),
            ],
            &[],
            7,
        ),
        (
            &[("http_proxy", &dead_proxy), ("no_proxy", "*")],
            &["--noproxy", "other.test"],
            7,
        ),
        (&[], &["--noproxy", "127.0.0.1", "-x", &dead_proxy], 0),
        (&[("http_proxy", &dead_proxy)], &["-x", ""], 0),
    ];
    for (env, extra, want) in cases {
        let mut args: Vec<&str> = vec!["-s"];
        args.extend_from_slice(extra);
        args.push(&url);
        let out = fetch_env(&args, env);
        assert_eq!(
            code(&out),
            *want,
            "env {env:?} args {extra:?}: {}",
            stderr(&out)
        );
        if *want == 0 {
            assert_eq!(out.stdout, b"direct\n");
        }
    }
}
