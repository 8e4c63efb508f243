//! Calendar dates (proleptic Gregorian), exact and dependency-free.
//!
//! A [`Date`] is stored as days since 1970-01-01 so comparisons are integer comparisons.
//! Parsing accepts only the strict `YYYY-MM-DD` form and rejects impossible days
//! (`2024-02-30`), so a date that reaches the engine is always a real calendar day.

use std::fmt;

/// A calendar day. Ordered; `Display` gives `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// Years accepted in dates. Wide enough for any policy, narrow enough to keep day counts small.
pub const MIN_YEAR: i32 = 1900;
/// See [`MIN_YEAR`].
pub const MAX_YEAR: i32 = 2999;

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// 1970-01-01.
    pub const EPOCH: Date = Date(0);

    /// Builds a date from its parts, or explains why it is not a calendar day.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Result<Date, String> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
            return Err(format!("year {y} is outside {MIN_YEAR}–{MAX_YEAR}"));
        }
        if !(1..=12).contains(&m) {
            return Err(format!("month {m} does not exist"));
        }
        let dim = days_in_month(y, m);
        if d < 1 || d > dim {
            return Err(format!("{y:04}-{m:02} has no day {d}"));
        }
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = m as i32;
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Ok(Date(era * 146_097 + doe - 719_468))
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i32 {
        self.0
    }

    /// The date `n` days later (or earlier for negative `n`), if it stays in range.
    pub fn add_days(self, n: i32) -> Option<Date> {
        let d = Date(self.0.checked_add(n)?);
        let (y, _, _) = d.ymd();
        (MIN_YEAR..=MAX_YEAR).contains(&y).then_some(d)
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (if m <= 2 { y + 1 } else { y }, m, d)
    }

    /// Parses strict `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Date, String> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
            return Err(format!("{} is not a date in the form YYYY-MM-DD", crate::error::quoted(&truncate(s, 40))));
        }
        let num = |r: std::ops::Range<usize>| b[r].iter().fold(0, |n, &c| n * 10 + u32::from(c - b'0'));
        Date::from_ymd(num(0..4) as i32, num(5..7), num(8..10))
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        Date((secs / 86_400) as i32)
    }
}

/// Shortens a string for an error message, on a character boundary.
pub(crate) fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max_chars).collect();
        t.push('…');
        t
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_orders() {
        for s in ["1970-01-01", "2000-02-29", "2024-01-01", "2024-12-31", "1900-03-01", "2999-12-31"] {
            let d = Date::parse(s).unwrap();
            assert_eq!(d.to_string(), s);
        }
        assert_eq!(Date::parse("1970-01-01").unwrap().days(), 0);
        assert!(Date::parse("2024-01-01").unwrap() < Date::parse("2024-01-02").unwrap());
        assert_eq!(Date::parse("2024-03-01").unwrap().days() - Date::parse("2024-02-28").unwrap().days(), 2);
    }

    #[test]
    fn rejects_impossible_days() {
        for s in ["2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-1-1", "20240101", "２０２４-01-01", "", "1800-01-01"] {
            assert!(Date::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn every_day_round_trips() {
        let mut d = Date::parse("1999-01-01").unwrap();
        for _ in 0..12_000 {
            let s = d.to_string();
            assert_eq!(Date::parse(&s).unwrap(), d);
            d = d.add_days(1).unwrap();
        }
    }
}
