//! A hashed timing wheel: O(1) insert and cancel, expiry in O(entries due).
//!
//! The wheel knows nothing of connections or HTTP: an entry is a deadline
//! and an opaque `usize` key. Time is always passed in, so tests drive the
//! clock. Deadlines are rounded *up* to the next tick, so an entry never
//! fires early; it fires at most one tick late.
//!
//! Entries live in a slab and form a doubly linked list per slot, which is
//! what makes cancel O(1). An entry whose deadline lies more than one turn
//! away stays in its slot and is skipped until its round comes.
//!
//! [`Wheel::next_due`] tells the loop how long it may sleep: the start of
//! the first non-empty slot ahead, looked for at most [`SCAN_SLOTS`] slots
//! (1 s) ahead. It is a lower bound (the entry found may belong to a later
//! round), so a worker whose connections all idle wakes about once a
//! second instead of once a tick, and no entry fires more than a tick late.

use slab::Slab;
use std::time::{Duration, Instant};

/// Resolution of every server deadline.
pub(crate) const TICK: Duration = Duration::from_millis(50);
/// Slots in the wheel: 50 ms x 1024 = one turn every 51.2 s.
const SLOTS: usize = 1024;

/// Slots [`Wheel::next_due`] looks ahead: 20 x 50 ms = 1 s, the longest
/// an idle worker with armed timers sleeps.
const SCAN_SLOTS: u64 = 20;

/// Handle to a scheduled entry, for [`Wheel::cancel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimerId(u32);

/// No entry (list ends). Entries are 16 bytes: thousands of idle
/// connections each hold one.
const NIL: u32 = u32::MAX;

#[derive(Debug)]
struct Entry {
    key: u32,
    /// 50 ms ticks: u32 lasts six years.
    tick: u32,
    prev: u32,
    next: u32,
}

#[derive(Debug)]
pub(crate) struct Wheel {
    origin: Instant,
    tick: Duration,
    /// `tick` in the u64 nanoseconds the tick arithmetic uses (a u128
    /// division costs dozens of instructions, on every request), at
    /// least 1; kept, not converted on each use.
    tick_nanos: u64,
    /// The last tick whose slot has been processed.
    current: u64,
    /// When the tick after `current` begins: before then nothing can be
    /// due, which one comparison tells.
    next_tick_at: Instant,
    heads: Vec<u32>,
    /// One bit per slot, set while its list is not empty: `next_due`
    /// finds the next such slot with a few word operations.
    occupied: [u64; SLOTS / 64],
    entries: Slab<Entry>,
}

impl Wheel {
    pub(crate) fn new(now: Instant) -> Wheel {
        Wheel::with_tick(now, TICK)
    }

    pub(crate) fn with_tick(now: Instant, tick: Duration) -> Wheel {
        Wheel {
            origin: now,
            tick,
            tick_nanos: nanos(tick).max(1),
            current: 0,
            next_tick_at: now + tick,
            heads: vec![NIL; SLOTS],
            occupied: [0; SLOTS / 64],
            entries: Slab::new(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The tick at or after `t` (rounded up, never early).
    fn tick_of(&self, t: Instant) -> u64 {
        nanos(t.saturating_duration_since(self.origin)).div_ceil(self.tick_nanos)
    }

    /// The tick a deadline fires at (compare with [`Wheel::tick_of_id`]).
    pub(crate) fn due_tick(&self, deadline: Instant) -> u32 {
        self.tick_of(deadline).max(self.current + 1) as u32
    }

    /// The tick an entry fires at.
    pub(crate) fn tick_of_id(&self, id: TimerId) -> Option<u32> {
        self.entries.get(id.0 as usize).map(|e| e.tick)
    }

    /// Schedules `key` (below 2^32 - 1) to expire at `deadline`.
    pub(crate) fn insert(&mut self, deadline: Instant, key: usize) -> TimerId {
        let tick = self.due_tick(deadline);
        let slot = tick as usize % SLOTS;
        let head = self.heads[slot];
        let id = self.entries.insert(Entry {
            key: key as u32,
            tick,
            prev: NIL,
            next: head,
        }) as u32;
        if head != NIL {
            self.entries[head as usize].prev = id;
        }
        self.heads[slot] = id;
        self.occupied[slot / 64] |= 1 << (slot % 64);
        TimerId(id)
    }

    /// Removes an entry; a stale id (already fired) is ignored, so callers
    /// must forget ids as soon as they are returned by [`Wheel::expire`].
    pub(crate) fn cancel(&mut self, id: TimerId) {
        let Some(entry) = self.entries.try_remove(id.0 as usize) else {
            return;
        };
        if entry.prev == NIL {
            let slot = entry.tick as usize % SLOTS;
            self.heads[slot] = entry.next;
            if entry.next == NIL {
                self.occupied[slot / 64] &= !(1 << (slot % 64));
            }
        } else {
            self.entries[entry.prev as usize].next = entry.next;
        }
        if entry.next != NIL {
            self.entries[entry.next as usize].prev = entry.prev;
        }
    }

    /// When the loop must next call [`Wheel::expire`]: the start of the
    /// first non-empty slot after the last one processed, or, when none
    /// lies within [`SCAN_SLOTS`], the end of that window (then it looks
    /// again). `None` when the wheel is empty. Never later than the
    /// earliest entry's tick.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        if self.is_empty() {
            return None;
        }
        let ahead = self.next_occupied(SCAN_SLOTS).unwrap_or(SCAN_SLOTS);
        let ticks = u32::try_from(self.current + ahead).unwrap_or(u32::MAX);
        Some(self.origin + self.tick * ticks)
    }

    /// Pops every entry due at `now` and appends their keys to `out`.
    pub(crate) fn expire(&mut self, now: Instant, out: &mut Vec<usize>) {
        // Most turns end in the tick the previous one did: a comparison,
        // not the subtraction and division of instants below.
        if now < self.next_tick_at {
            return;
        }
        let now_tick = self.tick_of_floor(now);
        if now_tick <= self.current {
            return;
        }
        // After a long stall, one pass over every slot is enough.
        let steps = (now_tick - self.current).min(SLOTS as u64);
        for step in 1..=steps {
            let slot = ((self.current + step) % SLOTS as u64) as usize;
            let mut cursor = self.heads[slot];
            while cursor != NIL {
                let entry = &self.entries[cursor as usize];
                let id = cursor;
                cursor = entry.next;
                if u64::from(entry.tick) <= now_tick {
                    out.push(entry.key as usize);
                    self.cancel(TimerId(id));
                }
            }
        }
        self.current = now_tick;
        let next = u32::try_from(now_tick + 1).unwrap_or(u32::MAX);
        self.next_tick_at = self.origin + self.tick * next;
    }

    fn tick_of_floor(&self, t: Instant) -> u64 {
        nanos(t.saturating_duration_since(self.origin)) / self.tick_nanos
    }

    /// How many slots after the current one the first non-empty slot
    /// lies, if one lies within `window` (at most 64) slots.
    fn next_occupied(&self, window: u64) -> Option<u64> {
        let first = (self.current + 1) as usize % SLOTS;
        let (word, bit) = (first / 64, first % 64);
        // The 64 slots from `first` on, wrapping around the wheel.
        let low = self.occupied[word] >> bit;
        let high = match bit {
            0 => 0,
            _ => self.occupied[(word + 1) % (SLOTS / 64)] << (64 - bit),
        };
        let step = u64::from((low | high).trailing_zeros()) + 1;
        (step <= window).then_some(step)
    }
}

/// `d` in nanoseconds, saturating (u64 nanoseconds last 584 years).
fn nanos(d: Duration) -> u64 {
    d.as_secs()
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::from(d.subsec_nanos()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn fires_at_its_deadline_never_early() {
        let t0 = Instant::now();
        let mut w = Wheel::with_tick(t0, ms(10));
        w.insert(t0 + ms(25), 7);
        let mut out = vec![];
        w.expire(t0 + ms(20), &mut out);
        assert!(out.is_empty());
        w.expire(t0 + ms(30), &mut out);
        assert_eq!(out, vec![7]);
        assert!(w.is_empty());
    }

    #[test]
    fn cancelled_entries_never_fire() {
        let t0 = Instant::now();
        let mut w = Wheel::with_tick(t0, ms(10));
        let a = w.insert(t0 + ms(10), 1);
        w.insert(t0 + ms(10), 2);
        let c = w.insert(t0 + ms(10), 3);
        w.cancel(a);
        w.cancel(c);
        w.cancel(c); // stale: ignored
        let mut out = vec![];
        w.expire(t0 + ms(50), &mut out);
        assert_eq!(out, vec![2]);
    }

    #[test]
    fn entries_beyond_one_turn_wait_for_their_round() {
        let t0 = Instant::now();
        let mut w = Wheel::with_tick(t0, ms(1));
        let far = ms(SLOTS as u64 + 5);
        w.insert(t0 + far, 9);
        let mut out = vec![];
        for i in 1..SLOTS as u64 + 5 {
            w.expire(t0 + ms(i), &mut out);
        }
        assert!(out.is_empty());
        w.expire(t0 + far, &mut out);
        assert_eq!(out, vec![9]);
    }

    #[test]
    fn a_long_stall_expires_everything_due() {
        let t0 = Instant::now();
        let mut w = Wheel::with_tick(t0, ms(1));
        for k in 0..100 {
            w.insert(t0 + ms(k * 37), k as usize);
        }
        let mut out = vec![];
        w.expire(t0 + ms(100 * 37), &mut out);
        out.sort();
        assert_eq!(out, (0..100).collect::<Vec<_>>());
    }

    /// The occupancy bits find the same slot a walk over the lists does,
    /// wherever the current slot sits (word edges, the wheel's wrap), and
    /// forget a slot once its last entry is cancelled.
    #[test]
    fn next_occupied_agrees_with_walking_the_slots() {
        let t0 = Instant::now();
        for current in [0u64, 1, 62, 63, 64, 127, 1000, 1010, 1022, 1023, 2047] {
            for offset in 1..=SCAN_SLOTS + 5 {
                let mut w = Wheel::with_tick(t0, ms(10));
                w.current = current;
                assert_eq!(w.next_occupied(SCAN_SLOTS), None);
                let at = t0 + ms(10) * (current + offset) as u32;
                let a = w.insert(at, 1);
                let b = w.insert(at, 2);
                let walked = (1..=SCAN_SLOTS)
                    .find(|step| w.heads[((current + step) % SLOTS as u64) as usize] != NIL);
                assert_eq!(w.next_occupied(SCAN_SLOTS), walked, "{current} {offset}");
                assert_eq!(walked, (offset <= SCAN_SLOTS).then_some(offset));
                w.cancel(a);
                assert_eq!(w.next_occupied(SCAN_SLOTS), walked, "one entry left");
                w.cancel(b);
                assert_eq!(w.next_occupied(SCAN_SLOTS), None, "{current} {offset}");
            }
        }
    }

    #[test]
    fn next_due_is_the_nearest_slot_within_the_window() {
        let t0 = Instant::now();
        let mut w = Wheel::with_tick(t0, ms(10));
        assert_eq!(w.next_due(), None);
        // 25 ms rounds up to tick 3.
        w.insert(t0 + ms(25), 1);
        w.insert(t0 + ms(70), 2);
        assert_eq!(w.next_due(), Some(t0 + ms(30)));
        let mut out = vec![];
        w.expire(t0 + ms(30), &mut out);
        assert_eq!(out, vec![1]);
        assert_eq!(w.next_due(), Some(t0 + ms(70)));
    }

    #[test]
    fn a_far_deadline_wakes_once_per_window_not_per_tick() {
        let t0 = Instant::now();
        let mut w = Wheel::with_tick(t0, ms(50));
        // An idle keep-alive connection: its deadline 75 s away.
        w.insert(t0 + Duration::from_secs(75), 1);
        let window = ms(50 * SCAN_SLOTS);
        assert_eq!(w.next_due(), Some(t0 + window));
        // Woken at the window's end: nothing fires, the next wake is one
        // window later.
        let mut out = vec![];
        w.expire(t0 + window, &mut out);
        assert!(out.is_empty());
        assert_eq!(w.next_due(), Some(t0 + window * 2));
        // Driven by next_due alone, the entry fires on its tick (75 s is
        // a whole number of ticks), after at most 75 wakes.
        let mut wakes = 0;
        while out.is_empty() {
            let at = w.next_due().unwrap();
            w.expire(at, &mut out);
            wakes += 1;
            assert!(
                at <= t0 + Duration::from_secs(75),
                "woke after the deadline"
            );
        }
        assert!(wakes <= 75, "{wakes} wakes");
        assert!(w.is_empty());
    }

    #[test]
    fn next_due_never_passes_an_entry_of_a_later_round() {
        let t0 = Instant::now();
        let mut w = Wheel::with_tick(t0, ms(1));
        // Same slot as tick 3, one turn later.
        w.insert(t0 + ms(SLOTS as u64 + 3), 1);
        w.insert(t0 + ms(3), 2);
        assert_eq!(w.next_due(), Some(t0 + ms(3)));
        let mut out = vec![];
        w.expire(t0 + ms(3), &mut out);
        assert_eq!(out, vec![2]);
        // A lower bound: the window's end, well before the entry.
        assert_eq!(w.next_due(), Some(t0 + ms(3 + SCAN_SLOTS)));
    }

    #[test]
    fn a_past_deadline_fires_on_the_next_tick() {
        let t0 = Instant::now();
        let mut w = Wheel::with_tick(t0, ms(10));
        let mut out = vec![];
        w.expire(t0 + ms(100), &mut out);
        w.insert(t0, 4);
        w.expire(t0 + ms(105), &mut out);
        assert!(out.is_empty());
        w.expire(t0 + ms(110), &mut out);
        assert_eq!(out, vec![4]);
    }
}
