//! A host or proxy name that does not resolve: curl's exit codes (6 and
//! 5) and messages. fetch runs in a fresh network namespace (`unshare -n`;
//! `unshare -rn` where unprivileged user namespaces are allowed), whose
//! only interface is a loopback that is down: the lookup fails at once
//! and its query reaches no resolver, on or off the machine.
//! (scripts/no-dns.sh fails the test run when a test asks the system's.)
mod common;
use common::*;
use std::path::Path;
use std::process::Output;

/// `fetch ARGS` in a new network namespace.
fn fetch_without_network(args: &[&str]) -> Output {
    let fetch = fetch_bin();
    let fetch = fetch.to_str().expect("a UTF-8 path to fetch");
    let mut refusals = Vec::new();
    for namespace in [&["-n"][..], &["-r", "-n"][..]] {
        let mut argv = namespace.to_vec();
        argv.push("--");
        argv.push(fetch);
        argv.extend_from_slice(args);
        let out = run(Path::new("unshare"), &argv, &[]);
        let err = stderr(&out);
        // unshare's own failure (not root, no user namespaces): try the next.
        if err.starts_with("unshare: ") {
            refusals.push(err);
            continue;
        }
        return out;
    }
    panic!(
        "cannot make a network namespace for fetch (run the tests as root, \
         or allow unprivileged user namespaces): {refusals:?}"
    );
}

#[test]
fn unresolvable_host_and_proxy_fail_with_curls_codes() {
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["-x", "http://proxy.invalid:1", "http://127.0.0.1/"],
            5,
            "Could not resolve proxy: proxy.invalid",
        ),
        (
            &["http://host.invalid/"],
            6,
            "Could not resolve host: host.invalid",
        ),
        // A WebSocket opens through the same resolver: curl's 6 before the upgrade.
        (
            &["ws://no-such-host.invalid/"],
            6,
            "Could not resolve host: no-such-host.invalid",
        ),
    ];
    for (args, want, msg) in cases {
        let out = fetch_without_network(args);
        let err = stderr(&out);
        assert_eq!(code(&out), *want, "{args:?}: {err}");
        assert!(err.contains(msg), "{args:?}: want {msg:?} in {err:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
