//! Money: exact decimals and the one rounding policy a rule file declares.
//!
//! Amounts are [`rust_decimal::Decimal`]; all arithmetic is checked. A rule file names its
//! rounding (`scale` digits after the point and a `rounding` mode) and the engine rounds once,
//! at the program amount and at each schedule row, never in between.

use crate::date::truncate;
use crate::error::quoted;
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
    // On bytes, without str's pattern searchers (trim, splitn, strip_prefix) in the wasm: any
    // byte other than an ASCII digit, one leading sign and the point (spaces around the number
    // included) makes it "not a decimal number".
    let neg = s.as_bytes().first() == Some(&b'-');
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
            "{} is not a decimal number (write it like \"12500.00\": digits and one point, no exponent or separators)",
            quoted(&truncate(s, 40))
        ));
    }
    let leading_zeros = int.iter().take_while(|&&b| b == b'0').count();
    let digits = int.len() - leading_zeros + frac.map_or(0, <[u8]>::len);
    if digits > 28 {
        return Err(format!("{} has more than 28 digits", quoted(&truncate(s, 40))));
    }
    // At most 28 digits: the value fits the 96-bit mantissa and the scale is at most 28, so
    // this is what `Decimal::from_str_exact(s)` gives (a test compares them) without linking
    // rust_decimal's string parser into the wasm.
    let mut m: i128 = 0;
    for &b in int.iter().chain(frac.unwrap_or_default()) {
        m = m * 10 + i128::from(b - b'0');
    }
    if neg {
        m = -m;
    }
    let scale = frac.map_or(0, <[u8]>::len) as u32;
    Decimal::try_from_i128_with_scale(m, scale).map_err(|_| format!("{} is out of range", quoted(&truncate(s, 40))))
}

/// Appends `d` exactly as its `Display` writes it (every digit of its scale), without going
/// through `core::fmt` or rust_decimal's `Display` (neither is linked into the wasm for
/// decimals): the batch output, the JSON that crosses into the browser and every message.
pub fn push_decimal(out: &mut String, d: Decimal) {
    let m = d.mantissa().unsigned_abs();
    let scale = d.scale() as usize;
    let mut buf = [0u8; 40];
    let mut i = buf.len();
    let mut digits = 0;
    let mut digit = |i: &mut usize, c: u8| {
        *i -= 1;
        buf[*i] = c;
    };
    if let Ok(mut x) = u64::try_from(m) {
        while x > 0 || digits <= scale {
            digit(&mut i, b'0' + (x % 10) as u8);
            x /= 10;
            digits += 1;
            if digits == scale {
                digit(&mut i, b'.');
            }
        }
    } else {
        // Mantissas beyond 64 bits (never an amount in practice): 96 bits as three 32-bit
        // limbs, divided by ten with 64-bit arithmetic.
        let mut limbs = [(m >> 64) as u32, (m >> 32) as u32, m as u32];
        while limbs != [0; 3] || digits <= scale {
            let mut rem = 0u64;
            for l in &mut limbs {
                let cur = (rem << 32) | u64::from(*l);
                *l = (cur / 10) as u32;
                rem = cur % 10;
            }
            digit(&mut i, b'0' + rem as u8);
            digits += 1;
            if digits == scale {
                digit(&mut i, b'.');
            }
        }
    }
    if d.is_sign_negative() {
        out.push('-');
    }
    out.extend(buf.get(i..).unwrap_or_default().iter().map(|&c| char::from(c)));
}

/// `d` as its `Display` writes it, through [`push_decimal`].
pub(crate) fn decimal_string(d: Decimal) -> String {
    let mut s = String::new();
    push_decimal(&mut s, d);
    s
}

/// A decimal in a message (`format!("{}", Dec(d))`): as its `Display` writes it, through
/// [`push_decimal`].
pub(crate) struct Dec(pub Decimal);

impl std::fmt::Display for Dec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&decimal_string(self.0))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Decimals whose text is easy to get wrong: signed zeros, trailing zeros, the 64- and
    /// 96-bit limits, every digit behind the point.
    pub(crate) const DECIMALS: &[&str] = &[
        "0",
        "-0",
        "-0.00",
        "0.00",
        "-0.50",
        "300000.00",
        "12500.00",
        "1",
        "-7",
        "0.0000000000000000000000000001",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "18446744073709551615",
        "18446744073709551616",
        "184467440737.09551616",
        "7922816251426433759354395033.5",
        "-0.7922816251426433759354395034",
        "-1.5",
        "1.8446744073709551615",
    ];

    #[test]
    fn decimals_are_written_as_display_writes_them() {
        for s in DECIMALS {
            let d: Decimal = s.parse().unwrap();
            let mut out = String::new();
            push_decimal(&mut out, d);
            assert_eq!(out, d.to_string(), "{s}");
        }
    }

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
