//! One `Client` used from several threads at once: every response body is
//! the one asked for (no cross-talk between pooled connections), and the
//! pool stays bounded by its per-host cap.
mod common;
use common::*;

use std::time::Duration;

#[test]
fn threads_share_one_client_without_cross_talk() {
    let files: Vec<(String, Vec<u8>)> = (0..16)
        .map(|i| {
            (
                format!("f{i}.txt"),
                format!("file {i} ").repeat(i * 50 + 1).into_bytes(),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let nginx = start_nginx(&refs, "");
    let client = brisk_client::Client::builder()
        .timeout(Duration::from_secs(20))
        .max_idle_per_host(4)
        .build();
    let base = nginx.url("");
    std::thread::scope(|s| {
        for t in 0..8 {
            let client = client.clone();
            let base = base.clone();
            let files = &files;
            s.spawn(move || {
                for k in 0..40 {
                    let i = (t * 7 + k * 3) % files.len();
                    let (name, want) = &files[i];
                    let r = client.get(&format!("{base}/{name}")).send().expect("send");
                    assert_eq!(r.status(), 200);
                    assert_eq!(
                        &r.bytes(1 << 20).expect("body"),
                        want,
                        "thread {t} request {k}"
                    );
                }
            });
        }
    });
    assert!(
        client.idle_connections() <= 4,
        "cap respected: {}",
        client.idle_connections()
    );
    assert!(client.idle_connections() >= 1);
}
