//! Every function that eats untrusted bytes (proxy replies, URLs from the
//! command line or a Location header, NO_PROXY lists) returns a value or
//! an error for any input, never panics, and never claims more bytes than
//! it was given. Deterministic pseudo-random inputs (a fuzz target's checks
//! without the fuzzer), biased towards the protocols' own bytes.
use brisk_client::handshake::{Handshake, Progress};
use brisk_client::socks::{
    decode_socks4_reply, decode_socks5_auth, decode_socks5_method, decode_socks5_reply, Socks5,
    SocksTarget,
};
use brisk_client::{NoProxy, Proxy, Url};

/// xorshift64*: reproducible inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn bytes(&mut self, alphabet: &[u8], max_len: usize) -> Vec<u8> {
        let len = (self.next() as usize) % (max_len + 1);
        (0..len)
            .map(|_| {
                if self.next() & 3 == 0 {
                    self.next() as u8
                } else {
                    alphabet[(self.next() as usize) % alphabet.len()]
                }
            })
            .collect()
    }
}

#[test]
fn socks_decoders_are_total() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let alphabet = [0u8, 1, 2, 3, 4, 5, 0x5A, 0x5B, 0xFF, 255, 22];
    for _ in 0..50_000 {
        let buf = rng.bytes(&alphabet, 40);
        if let Ok(Some(n)) = decode_socks4_reply(&buf) {
            assert!(n <= buf.len());
        }
        if let Ok(Some(n)) = decode_socks5_reply(&buf) {
            assert!(n <= buf.len());
        }
        let _ = decode_socks5_method(&buf);
        let _ = decode_socks5_auth(&buf);
        let mut h = Socks5::new(SocksTarget::Domain("origin".into(), 80), None);
        if h.first_message().is_ok() {
            match h.on_reply(&buf) {
                Ok(Progress::Next { consumed, .. }) | Ok(Progress::Done { consumed }) => {
                    assert!(consumed <= buf.len())
                }
                Ok(Progress::NeedMore) | Err(_) => {}
            }
        }
    }
}

#[test]
fn url_and_proxy_parsers_are_total() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let alphabet = b"http:/[]@%.:?#0123456789abcdefABCDEF-_~ socks5h:/";
    for _ in 0..50_000 {
        let raw = rng.bytes(alphabet, 60);
        let s = String::from_utf8_lossy(&raw);
        if let Ok(u) = Url::parse(&s) {
            // What parses, prints and parses back to the same thing.
            let again = Url::parse(&u.to_string()).expect("a printed URL parses");
            assert_eq!(again.host(), u.host());
            assert_eq!(again.port(), u.port());
            assert_eq!(again.path_and_query(), u.path_and_query());
            let _ = u.join(&s);
        }
        let _ = Proxy::parse(&s);
        let n = NoProxy::parse(&s);
        let _ = n.matches(&brisk_client::Host::Domain("example.com".into()));
    }
}
