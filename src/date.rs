//! Calendar dates (proleptic Gregorian), exact and dependency-free.
//!
//! A [`Date`] is stored as days since 1970-01-01 so comparisons are integer comparisons.
//! Parsing accepts only the strict `YYYY-MM-DD` form and rejects impossible days
//! (`2024-02-30`), so a date that reaches the engine is always a real calendar day.
//!
//! Adding months or years keeps the day of the month; a day the target month does not have
//! becomes the first day of the month after (29 February plus one year is 1 March, 31 January
//! plus one month is 1 March in a common year). So a person born on 29 February has their
//! birthday on 1 March in common years, and [`Date::years_since`] counts completed years
//! (周岁) by the same rule.

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
    /// 1900-01-01, the first day dates may be.
    pub const MIN: Date = Date(-25_567);
    /// 2999-12-31, the last day dates may be.
    pub const MAX: Date = Date(376_199);

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

    /// The date `n` months later (or earlier), the day kept; a day the target month lacks
    /// becomes the first of the next month. `None` outside the supported years.
    pub fn add_months(self, n: i32) -> Option<Date> {
        let (y, m, d) = self.ymd();
        let index = i64::from(y) * 12 + i64::from(m) - 1 + i64::from(n);
        let (ty, tm) = (i32::try_from(index.div_euclid(12)).ok()?, u32::try_from(index.rem_euclid(12)).ok()? + 1);
        if !(MIN_YEAR..=MAX_YEAR).contains(&ty) {
            return None;
        }
        if d <= days_in_month(ty, tm) {
            Date::from_ymd(ty, tm, d).ok()
        } else if tm == 12 {
            Date::from_ymd(ty + 1, 1, 1).ok()
        } else {
            Date::from_ymd(ty, tm + 1, 1).ok()
        }
    }

    /// The date shifted by a [`Span`]: months first, then days.
    pub fn add_span(self, s: Span) -> Option<Date> {
        self.add_months(s.months)?.add_days(s.days)
    }

    /// Completed years from `self` to `on` (周岁 when `self` is a birth date): the largest
    /// `n` with `self + n years <= on`, negative when `on` is earlier.
    pub fn years_since(self, on: Date) -> i32 {
        let (y0, _, _) = self.ymd();
        let (y1, _, _) = on.ymd();
        let mut n = y1 - y0;
        // at most one step off: the anniversary in `on`'s year may still be ahead
        while n > -(MAX_YEAR - MIN_YEAR) && self.add_months(n * 12).is_none_or(|a| a > on) {
            n -= 1;
        }
        while self.add_months((n + 1) * 12).is_some_and(|a| a <= on) {
            n += 1;
        }
        n
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
            return Err(format!("{:?} is not a date in the form YYYY-MM-DD", truncate(s, 40)));
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

/// A length of calendar time: months (a year is 12) and days, as `years(2)`, `months(6)` and
/// `days(30)` write it in rule files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Whole months (may be negative).
    pub months: i32,
    /// Whole days (may be negative).
    pub days: i32,
}

impl Span {
    /// The span in the other direction.
    pub fn back(self) -> Span {
        Span { months: -self.months, days: -self.days }
    }

    /// Two spans added, if they fit.
    pub fn plus(self, o: Span) -> Option<Span> {
        Some(Span { months: self.months.checked_add(o.months)?, days: self.days.checked_add(o.days)? })
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.months, self.days) {
            (m, 0) if m % 12 == 0 => write!(f, "{} years", m / 12),
            (m, 0) => write!(f, "{m} months"),
            (0, d) => write!(f, "{d} days"),
            (m, d) => write!(f, "{m} months {d} days"),
        }
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

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn months_keep_the_day_or_roll_to_the_first() {
        assert_eq!(d("2000-02-29").add_months(12), Some(d("2001-03-01")));
        assert_eq!(d("2000-02-29").add_months(48), Some(d("2004-02-29")));
        assert_eq!(d("2023-01-31").add_months(1), Some(d("2023-03-01")));
        assert_eq!(d("2024-01-31").add_months(1), Some(d("2024-03-01")));
        assert_eq!(d("2024-01-30").add_months(1), Some(d("2024-03-01")));
        assert_eq!(d("2024-01-29").add_months(1), Some(d("2024-02-29")));
        assert_eq!(d("2024-12-31").add_months(-1), Some(d("2024-12-01")));
        assert_eq!(d("2024-03-31").add_months(-1), Some(d("2024-03-01")));
        assert_eq!(d("2024-05-15").add_months(-17), Some(d("2022-12-15")));
        assert_eq!(d("2999-12-01").add_months(1), None);
        assert_eq!(d("2024-07-15").add_span(Span { months: -24, days: 1 }), Some(d("2022-07-16")));
    }

    /// Completed years against a day-by-day count: walk every day from a birth date and
    /// count a year at each anniversary (on 1 March when the birthday is 29 February in a
    /// common year).
    #[test]
    fn years_since_is_a_day_by_day_count() {
        for birth in ["2000-02-29", "2001-02-28", "2001-03-01", "1999-12-31", "2004-01-01", "1996-02-29"] {
            let b = d(birth);
            let (_, bm, bd) = b.ymd();
            let mut years = 0;
            let mut day = b;
            for _ in 0..(30 * 366) {
                let (y, m, dd) = day.ymd();
                let (by, _, _) = b.ymd();
                let anniversary = if bm == 2 && bd == 29 && !is_leap(y) { (m, dd) == (3, 1) } else { (m, dd) == (bm, bd) };
                if anniversary && y > by {
                    years += 1;
                }
                assert_eq!(b.years_since(day), years, "born {birth}, on {day}");
                day = day.add_days(1).unwrap();
            }
            assert_eq!(b.years_since(b.add_days(-1).unwrap()), -1);
        }
    }

    #[test]
    fn the_limits_are_the_first_and_last_day() {
        assert_eq!(Date::MIN, d("1900-01-01"));
        assert_eq!(Date::MAX, d("2999-12-31"));
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
