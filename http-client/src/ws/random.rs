//! Random bytes for the client's masking keys, `Sec-WebSocket-Key` nonces
//! and reconnect jitter, from the TLS provider's secure generator (ring's
//! `SystemRandom`, i.e. `getrandom`, unless the application installed
//! another process-wide provider): already in the tree, so no new
//! dependency. RFC 6455 5.3 wants masking keys an attacker cannot
//! predict; drawing them in blocks of 1,024 keys (4 KiB) keeps that to one
//! system call per 1,024 frames (at 64 keys a block, the calls were a
//! measurable part of a small-message echo loop's time).

use crate::tls::config::process_provider;

/// Random bytes fetched per refill.
const POOL_BYTES: usize = 4096;

/// A buffer of secure random bytes, refilled when spent.
pub(crate) struct RandomPool {
    pool: Box<[u8; POOL_BYTES]>,
    used: usize,
}

impl RandomPool {
    /// An empty pool (the first draw fills it).
    pub(crate) fn new() -> RandomPool {
        RandomPool {
            pool: Box::new([0; POOL_BYTES]),
            used: POOL_BYTES,
        }
    }

    /// Fills `out` with random bytes.
    pub(crate) fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(POOL_BYTES) {
            if self.used + chunk.len() > POOL_BYTES {
                self.refill();
            }
            chunk.copy_from_slice(&self.pool[self.used..self.used + chunk.len()]);
            self.used += chunk.len();
        }
    }

    /// A masking key for one frame (one per message sent: the short path).
    pub(crate) fn mask(&mut self) -> [u8; 4] {
        if self.used + 4 > POOL_BYTES {
            self.refill();
        }
        let mut k = [0u8; 4];
        k.copy_from_slice(&self.pool[self.used..self.used + 4]);
        self.used += 4;
        k
    }

    /// A uniform number in `0..=max`.
    pub(crate) fn below_or_equal(&mut self, max: u64) -> u64 {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        let x = u64::from_le_bytes(b);
        // The modulo bias is at most max/2^64: irrelevant for a delay.
        if max == u64::MAX {
            x
        } else {
            x % (max + 1)
        }
    }

    fn refill(&mut self) {
        if process_provider()
            .secure_random
            .fill(&mut self.pool[..])
            .is_err()
        {
            // getrandom does not fail on Linux after boot; should it, the
            // keys would still differ per frame (a counter mixed with the
            // clock), only less unpredictable. Never a crash.
            let seed = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0); // ok: a clock before 1970 only weakens the fallback
            for (i, b) in self.pool.iter_mut().enumerate() {
                *b = (seed.rotate_left(i as u32 % 64) as u8) ^ (i as u8);
            }
        }
        self.used = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_and_bounds_hold() {
        let mut r = RandomPool::new();
        let keys: Vec<[u8; 4]> = (0..200).map(|_| r.mask()).collect();
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert!(distinct.len() > 190, "{}", distinct.len());
        for _ in 0..1000 {
            assert!(r.below_or_equal(10) <= 10);
        }
        assert_eq!(r.below_or_equal(0), 0);
        let mut big = [0u8; 1000];
        r.fill(&mut big);
        assert!(big.iter().any(|b| *b != 0));
    }
}
