//! Calendar formatting of `SystemTime` in UTC for the listing page and the
//! access log. HTTP dates (IMF-fixdate) come from `brisk_core::fmt_http_date`; these two
//! formats are not HTTP dates, so they are done here with the civil-from-days
//! algorithm (Howard Hinnant's `civil_from_days`).

use std::time::{SystemTime, UNIX_EPOCH};

const SECONDS_PER_DAY: i64 = 86_400;
const MONTH_ABBREVIATIONS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A broken-down UTC time, seconds precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    /// 1..=12
    pub month: u32,
    /// 1..=31
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Seconds since the epoch, negative before 1970 (files can carry such mtimes).
pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let before = e.duration();
            let secs = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            // -0.5 s is in the second that starts at -1 s.
            if before.subsec_nanos() > 0 {
                -secs - 1
            } else {
                -secs
            }
        }
    }
}

/// Breaks `t` down into UTC calendar fields.
pub fn civil(t: SystemTime) -> Civil {
    let secs = unix_seconds(t);
    let days = secs.div_euclid(SECONDS_PER_DAY);
    let of_day = secs.rem_euclid(SECONDS_PER_DAY);
    // civil_from_days: eras of 400 years starting on March 1st.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        // The ranges above keep these small: the casts cannot truncate.
        month: month as u32,
        day: day as u32,
        hour: (of_day / 3600) as u32,
        minute: (of_day % 3600 / 60) as u32,
        second: (of_day % 60) as u32,
    }
}

/// `2026-11-27 03:49` (UTC), for the listing.
pub fn listing_time(t: SystemTime) -> String {
    let c = civil(t);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute
    )
}

/// `27/Nov/2026:03:49:17 +0000`, the `%t` field of the common log format
/// (without the brackets).
pub fn log_time(t: SystemTime) -> String {
    let c = civil(t);
    let month = MONTH_ABBREVIATIONS[(c.month - 1) as usize % 12];
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000",
        c.day, month, c.year, c.hour, c.minute, c.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: i64) -> SystemTime {
        if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs as u64)
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        }
    }

    #[test]
    fn civil_table() {
        // (unix seconds, expected y-m-d h:m:s), checked against `date -u -d @N`.
        let table: &[(i64, (i64, u32, u32, u32, u32, u32))] = &[
            (0, (1970, 1, 1, 0, 0, 0)),
            (951_782_400, (2000, 2, 29, 0, 0, 0)),
            (1_709_164_799, (2024, 2, 28, 23, 59, 59)),
            (1_709_251_199, (2024, 2, 29, 23, 59, 59)),
            (1_798_343_357, (2026, 12, 27, 3, 49, 17)),
            (4_107_542_400, (2100, 3, 1, 0, 0, 0)),
            (-1, (1969, 12, 31, 23, 59, 59)),
            (-86_400 * 365, (1969, 1, 1, 0, 0, 0)),
        ];
        for &(secs, (y, mo, d, h, mi, s)) in table {
            let c = civil(at(secs));
            assert_eq!(
                (c.year, c.month, c.day, c.hour, c.minute, c.second),
                (y, mo, d, h, mi, s),
                "at {secs}"
            );
        }
    }

    #[test]
    fn civil_agrees_with_http_dates_over_a_century() {
        // http-core formats IMF-fixdate ("Fri, 27 Nov 2026 03:49:17 GMT");
        // compare day, month, year and time fields every ~11 days.
        let mut secs: i64 = 0;
        while secs < 4_102_444_800 {
            let t = at(secs);
            let imf = brisk_core::fmt_http_date(t);
            let c = civil(t);
            let month = MONTH_ABBREVIATIONS[(c.month - 1) as usize];
            let expect = format!(
                "{:02} {} {:04} {:02}:{:02}:{:02}",
                c.day, month, c.year, c.hour, c.minute, c.second
            );
            assert_eq!(&imf[5..25], expect, "at {secs}");
            secs += 977_777;
        }
    }

    #[test]
    fn formats() {
        let t = at(1_798_343_357);
        assert_eq!(listing_time(t), "2026-12-27 03:49");
        assert_eq!(log_time(t), "27/Dec/2026:03:49:17 +0000");
        assert_eq!(log_time(at(-1)), "31/Dec/1969:23:59:59 +0000");
    }
}
