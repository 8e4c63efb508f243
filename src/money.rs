//! Money: exact decimals and the one rounding policy a rule file declares.
//!
//! Amounts are [`rust_decimal::Decimal`]; all arithmetic is checked. A rule file names its
//! rounding (`scale` digits after the point and a `rounding` mode) and the engine rounds once,
//! at the program amount and at each schedule row, never in between.

use crate::error::short;
use rust_decimal::{Decimal, RoundingStrategy};

/// How a rule set rounds money, declared in its `[money]` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rounding {
    /// Digits after the decimal point (0–6).
    pub scale: u32,
    /// The rounding mode.
    pub mode: RoundingMode,
}

/// Rounding modes a rule file may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundingMode {
    /// 0.5 away from zero (四舍五入), the usual rule in Chinese finance.
    HalfUp,
    /// 0.5 to the even neighbour (banker's rounding).
    HalfEven,
    /// 0.5 towards zero.
    HalfDown,
    /// Always towards zero (truncate).
    Down,
    /// Always away from zero.
    Up,
}

impl RoundingMode {
    /// The names used in rule files.
    pub const NAMES: [&'static str; 5] = ["half_up", "half_even", "half_down", "down", "up"];

    /// Parses a rule-file name.
    pub fn parse(s: &str) -> Option<RoundingMode> {
        Some(match s {
            "half_up" => RoundingMode::HalfUp,
            "half_even" => RoundingMode::HalfEven,
            "half_down" => RoundingMode::HalfDown,
            "down" => RoundingMode::Down,
            "up" => RoundingMode::Up,
            _ => return None,
        })
    }

    /// The rule-file name.
    pub fn name(self) -> &'static str {
        match self {
            RoundingMode::HalfUp => "half_up",
            RoundingMode::HalfEven => "half_even",
            RoundingMode::HalfDown => "half_down",
            RoundingMode::Down => "down",
            RoundingMode::Up => "up",
        }
    }

    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfDown => RoundingStrategy::MidpointTowardZero,
            RoundingMode::Down => RoundingStrategy::ToZero,
            RoundingMode::Up => RoundingStrategy::AwayFromZero,
        }
    }
}

impl Rounding {
    /// Rounds once and fixes the scale, so `100000` prints as `100000.00`.
    pub fn apply(self, d: Decimal) -> Decimal {
        if d.scale() == self.scale {
            return d;
        }
        let mut r = d.round_dp_with_strategy(self.scale, self.mode.strategy());
        r.rescale(self.scale);
        r
    }

    /// Zero at this scale (`0.00`).
    pub fn zero(self) -> Decimal {
        Decimal::try_new(0, self.scale).unwrap_or_else(|_| {
            let mut z = Decimal::ZERO;
            z.rescale(self.scale);
            z
        })
    }
}

/// Parses a decimal written as a string: digits, an optional sign and point; no exponent, no
/// thousands separators, at most 28 significant digits. Errors say why in plain words.
pub fn parse_decimal(s: &str) -> Result<Decimal, String> {
    // Any byte other than an ASCII digit, one leading sign and the point (spaces around the
    // number included) makes it "not a decimal number", with a message that says how to write it.
    let body = match s.as_bytes() {
        [b'-' | b'+', rest @ ..] => rest,
        all => all,
    };
    let (int, frac) = match body.iter().position(|&b| b == b'.') {
        Some(p) => {
            let (int, rest) = body.split_at(p);
            (int, Some(rest.get(1..).unwrap_or_default()))
        }
        None => (body, None),
    };
    let ok =
        !int.is_empty() && int.iter().all(u8::is_ascii_digit) && frac.is_none_or(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit));
    if !ok {
        return Err(format!(
            "{:?} is not a decimal number (write it like \"12500.00\": digits and one point, no exponent or separators)",
            short(s, 40)
        ));
    }
    let leading_zeros = int.iter().take_while(|&&b| b == b'0').count();
    let digits = int.len() - leading_zeros + frac.map_or(0, <[u8]>::len);
    if digits > 28 {
        return Err(format!("{:?} has more than 28 digits", short(s, 40)));
    }
    Decimal::from_str_exact(s).map_err(|_| format!("{:?} is out of range", short(s, 40)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> Decimal {
        parse_decimal(s).unwrap()
    }

    #[test]
    fn rounds_once_as_declared() {
        let up = Rounding { scale: 2, mode: RoundingMode::HalfUp };
        let even = Rounding { scale: 2, mode: RoundingMode::HalfEven };
        assert_eq!(up.apply(d("1.005")).to_string(), "1.01");
        assert_eq!(even.apply(d("1.005")).to_string(), "1.00");
        assert_eq!(even.apply(d("1.015")).to_string(), "1.02");
        assert_eq!(up.apply(d("-1.005")).to_string(), "-1.01");
        assert_eq!(up.apply(d("100000")).to_string(), "100000.00");
        assert_eq!(up.apply(d("0.1") + d("0.2")).to_string(), "0.30");
        let down = Rounding { scale: 0, mode: RoundingMode::Down };
        assert_eq!(down.apply(d("9.99")).to_string(), "9");
    }

    #[test]
    fn parses_only_plain_decimals() {
        assert_eq!(d("12500.00").to_string(), "12500.00");
        assert_eq!(d("-0").to_string(), "0");
        for bad in [
            "1e5",
            "1,000",
            "",
            ".5",
            "5.",
            "NaN",
            "Infinity",
            " 1",
            "0x10",
            "1.2.3",
            "12345678901234567890123456789",
            "1 ",
            "\u{a0}1",
            "1\u{2003}",
            "\t1",
            "-",
            "+-1",
            "--1",
            "1.-2",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_as_rust_decimal_parses() {
        let mut inputs: Vec<String> =
            ["0", "-0", "+0", "-0.00", "0.0", "000.000", "+12.5", "-12.50", "1", "007", "0.1"].map(String::from).to_vec();
        let nines = "9".repeat(28);
        for (i, j) in [(28, 0), (27, 1), (1, 27), (0, 28), (14, 14)] {
            for sign in ["", "-", "+"] {
                inputs.push(format!("{sign}{}.{}", &nines[..i.max(1)], &nines[..j.max(1)]).replace(".", if j == 0 { "" } else { "." }));
                inputs.push(format!("{sign}000{}.{}", &nines[..i.max(1)], &nines[..j.max(1)]));
                inputs.push(format!("{sign}0.{}1", "0".repeat(j.min(27))));
            }
        }
        for x in [0u64, 1, 5, 10, 99, 12345, 1 << 32, u64::MAX] {
            for scale in [0usize, 1, 2, 5, 10] {
                let t = x.to_string();
                let t = if scale == 0 { t } else { format!("{}.{}", t, "7".repeat(scale)) };
                inputs.push(t.clone());
                inputs.push(format!("-{t}"));
            }
        }
        let mut short = vec![String::new()];
        for _ in 0..6 {
            short = short.iter().flat_map(|p| "019.-+".chars().map(move |c| format!("{p}{c}"))).collect();
            inputs.extend(short.iter().cloned());
        }
        let mut parsed = 0;
        for t in &inputs {
            if let Ok(d) = parse_decimal(t) {
                assert_eq!(d.serialize(), Decimal::from_str_exact(t).unwrap().serialize(), "{t}");
                parsed += 1;
            }
        }
        assert!(parsed > 1000, "{parsed}");
    }
}
