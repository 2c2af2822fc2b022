//! URLs from the command line or a `Location` header: parsing never panics,
//! and a parsed URL, printed, parses back to the same URL (without the user
//! info, which is never printed). The same holds for a reference joined
//! onto it (input: `base\nreference`).
#![no_main]
use brisk_client::{Host, NoProxy, Proxy, Url};
use libfuzzer_sys::fuzz_target;

fn assert_round_trip(u: &Url) {
    let printed = u.to_string();
    let again = Url::parse(&printed).unwrap_or_else(|e| panic!("{printed:?}: {e}"));
    assert_eq!(again, u.without_credentials(), "{printed:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let (base, reference) = s.split_once('\n').unwrap_or((s, ""));
    if let Ok(u) = Url::parse(base) {
        assert_round_trip(&u);
        if let Ok(j) = u.join(reference) {
            assert_round_trip(&j);
        }
    }
    let _ = Host::parse(base);
    let _ = Proxy::parse(base);
    let _ = NoProxy::parse(base).matches(&Host::Domain("example.com".into()));
});
