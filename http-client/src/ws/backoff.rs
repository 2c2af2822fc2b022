//! The reconnect policy: exponential backoff with full jitter (the AWS
//! architecture blog's "full jitter": sleep a uniform random time between
//! zero and the capped exponential), a bound on tries, and a hook told of
//! each attempt. It is used only after a lost connection, never after a
//! normal close ([`super::WsError::is_transient`] decides).

use std::time::Duration;

use super::random::RandomPool;

/// `fetch --ws-reconnect`'s first delay.
pub const DEFAULT_INITIAL_DELAY: Duration = Duration::from_millis(500);
/// `fetch --ws-reconnect`'s cap on the delay.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(30);

/// When to try again after a lost connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// The first attempt's delay ceiling; doubled for each later attempt.
    pub initial_delay: Duration,
    /// The ceiling never grows past this.
    pub max_delay: Duration,
    /// Attempts after a loss before giving up (`None`: no bound).
    pub max_attempts: Option<u32>,
}

impl Default for ReconnectPolicy {
    /// 0.5 s doubling to 30 s, no bound (`fetch --ws-reconnect`).
    fn default() -> ReconnectPolicy {
        ReconnectPolicy {
            initial_delay: DEFAULT_INITIAL_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
            max_attempts: None,
        }
    }
}

/// One reconnect attempt, as the hook sees it before it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// 1 for the first attempt after a loss.
    pub number: u32,
    /// The delay slept before this attempt.
    pub delay: Duration,
}

impl ReconnectPolicy {
    /// The ceiling for attempt `number` (1-based): `initial * 2^(number-1)`,
    /// capped.
    pub fn ceiling(&self, number: u32) -> Duration {
        let doublings = number.saturating_sub(1).min(32);
        self.initial_delay
            .checked_mul(1u32 << doublings.min(31))
            .map_or(self.max_delay, |d| d.min(self.max_delay))
    }

    /// Whether attempt `number` is allowed.
    pub fn allows(&self, number: u32) -> bool {
        match self.max_attempts {
            Some(max) => number <= max,
            None => true,
        }
    }

    /// The delay before attempt `number`: uniform in `0..=ceiling`.
    pub(crate) fn delay(&self, number: u32, random: &mut RandomPool) -> Duration {
        let ceiling = self.ceiling(number).as_micros().min(u128::from(u64::MAX)) as u64;
        Duration::from_micros(random.below_or_equal(ceiling))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_to_the_cap() {
        let p = ReconnectPolicy::default();
        let ms = |n| p.ceiling(n).as_millis();
        assert_eq!([ms(1), ms(2), ms(3), ms(4)], [500, 1000, 2000, 4000]);
        assert_eq!(ms(7), 30_000);
        assert_eq!(ms(1000), 30_000);
    }

    #[test]
    fn delays_are_jittered_within_the_ceiling() {
        let p = ReconnectPolicy::default();
        let mut r = RandomPool::new();
        let delays: Vec<Duration> = (0..200).map(|_| p.delay(3, &mut r)).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(2)));
        // Full jitter spreads them over the whole range.
        assert!(delays.iter().any(|d| *d < Duration::from_millis(500)));
        assert!(delays.iter().any(|d| *d > Duration::from_millis(1500)));
    }

    #[test]
    fn attempts_are_bounded_when_asked() {
        let mut p = ReconnectPolicy::default();
        assert!(p.allows(1_000_000));
        p.max_attempts = Some(2);
        assert!(p.allows(2) && !p.allows(3));
    }
}
