//! Evaluation with three-valued logic and checked decimal arithmetic.

use super::{BinOp, Expr, Kind};
use crate::date::Date;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// A runtime value. `Unknown` is an unanswered (or not applicable) question and anything
/// that depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum V {
    /// Not known yet.
    Unknown,
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(Decimal),
    /// A date.
    Date(Date),
    /// An option index of an enum question.
    Opt(usize),
}

/// What an expression reads: one value per question (by index) and the estimate date.
#[derive(Clone, Copy, Debug)]
pub struct Env<'a> {
    /// Values by question index.
    pub values: &'a [V],
    /// The date of the estimate.
    pub as_of: Date,
}

/// Arithmetic that has no exact result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// The result does not fit a decimal (28 digits).
    Overflow,
    /// Division by zero.
    DivisionByZero,
    /// A value of an unexpected type (only reachable if checking was skipped).
    Type,
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EvalError::Overflow => "arithmetic overflow (the result has more than 28 digits)",
            EvalError::DivisionByZero => "division by zero",
            EvalError::Type => "a value of the wrong type",
        })
    }
}

/// Decimal arithmetic with a fast path for operands of one scale whose result fits: the
/// common case in rule files (`12500.00 * 24`). Results, scale included, are exactly those of
/// `rust_decimal`'s checked operations, which handle every other case.
pub mod num {
    use super::{BinOp, EvalError};
    use rust_decimal::Decimal;
    use std::cmp::Ordering;

    /// Largest mantissa a decimal holds (96 bits).
    const MAX_MANTISSA: i128 = (1 << 96) - 1;

    fn make(m: i128, scale: u32) -> Option<Decimal> {
        if m.unsigned_abs() > MAX_MANTISSA as u128 {
            return None;
        }
        Decimal::try_from_i128_with_scale(m, scale).ok()
    }

    // The general cases, kept out of line so the wasm holds one copy of each.
    #[inline(never)]
    fn slow_add(a: Decimal, b: Decimal) -> Option<Decimal> {
        a.checked_add(b)
    }

    /// `a.checked_sub(b)` through the one copy of rust_decimal's addition: subtracting is
    /// adding the negation, except that zero minus zero keeps the sign of `b` (and `a - 0`
    /// is `a`), as rust_decimal's subtraction does.
    #[inline(never)]
    fn slow_sub(a: Decimal, b: Decimal) -> Option<Decimal> {
        if b.is_zero() {
            return Some(if a.is_zero() { b } else { a });
        }
        slow_add(a, -b)
    }

    #[inline(never)]
    fn slow_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
        a.checked_mul(b)
    }

    /// `x op y` for the arithmetic operators: division by zero and results beyond 28 digits
    /// are errors.
    pub fn arith(op: BinOp, x: Decimal, y: Decimal) -> Result<Decimal, EvalError> {
        match op {
            BinOp::Add => add(x, y).ok_or(EvalError::Overflow),
            BinOp::Sub => sub(x, y).ok_or(EvalError::Overflow),
            BinOp::Mul => mul(x, y).ok_or(EvalError::Overflow),
            BinOp::Div if y.is_zero() => Err(EvalError::DivisionByZero),
            BinOp::Div => x.checked_div(y).ok_or(EvalError::Overflow),
            _ => Err(EvalError::Type),
        }
    }

    /// Orders two decimals.
    #[inline]
    pub fn cmp(a: &Decimal, b: &Decimal) -> Ordering {
        if a.scale() == b.scale() {
            a.mantissa().cmp(&b.mantissa())
        } else {
            a.cmp(b)
        }
    }

    /// `a + b`, `None` on overflow.
    #[inline]
    pub fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
        if a.scale() == b.scale() {
            if let Some(d) = a.mantissa().checked_add(b.mantissa()).and_then(|m| make(m, a.scale())) {
                return Some(d);
            }
        }
        slow_add(a, b)
    }

    /// `a - b`, `None` on overflow.
    #[inline]
    pub fn sub(a: Decimal, b: Decimal) -> Option<Decimal> {
        if a.scale() == b.scale() {
            if let Some(d) = a.mantissa().checked_sub(b.mantissa()).and_then(|m| make(m, a.scale())) {
                return Some(d);
            }
        }
        slow_sub(a, b)
    }

    /// `a * b`, `None` on overflow.
    #[inline]
    pub fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
        let scale = a.scale() + b.scale();
        if scale <= 28 {
            // Mantissas of 63 bits or fewer multiply without overflow in 128 bits.
            let product = match (i64::try_from(a.mantissa()), i64::try_from(b.mantissa())) {
                (Ok(x), Ok(y)) => Some(i128::from(x) * i128::from(y)),
                _ => a.mantissa().checked_mul(b.mantissa()),
            };
            if let Some(d) = product.and_then(|m| make(m, scale)) {
                // A zero product takes rust_decimal's own path (it picks the zero's scale).
                if !d.is_zero() {
                    return Some(d);
                }
            }
        }
        slow_mul(a, b)
    }
}

/// Whether the comparison operator `op` holds for two values ordered `o`.
pub(super) fn test(o: Ordering, op: BinOp) -> bool {
    match op {
        BinOp::Eq => o == Ordering::Equal,
        BinOp::Ne => o != Ordering::Equal,
        BinOp::Lt => o == Ordering::Less,
        BinOp::Le => o != Ordering::Greater,
        BinOp::Gt => o == Ordering::Greater,
        _ => o != Ordering::Less,
    }
}

pub(super) fn cmp(a: V, b: V) -> Option<Ordering> {
    match (a, b) {
        (V::Num(x), V::Num(y)) => Some(num::cmp(&x, &y)),
        (V::Date(x), V::Date(y)) => Some(x.cmp(&y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(&y)),
        (V::Opt(x), V::Opt(y)) => Some(x.cmp(&y)),
        _ => None,
    }
}

/// `v in items` (`negated`: `not in`), for the tree and the compiled evaluators: true when an
/// item equals `v`, unknown when `v` or an item not equal to it is unknown. The items are
/// evaluated in order, stopping at the first error.
pub(crate) fn member(v: V, items: impl Iterator<Item = Result<V, EvalError>>, negated: bool) -> Result<V, EvalError> {
    if v == V::Unknown {
        return Ok(V::Unknown);
    }
    let mut unknown = false;
    let mut found = false;
    for item in items {
        match item? {
            V::Unknown => unknown = true,
            x if cmp(v, x) == Some(Ordering::Equal) => found = true,
            _ => {}
        }
    }
    Ok(if found {
        V::Bool(!negated)
    } else if unknown {
        V::Unknown
    } else {
        V::Bool(negated)
    })
}

/// Evaluates a checked expression.
pub fn eval(e: &Expr, env: &Env<'_>) -> Result<V, EvalError> {
    Ok(match &e.kind {
        Kind::Num(n) => V::Num(*n),
        Kind::Bool(b) => V::Bool(*b),
        Kind::Date(d) => V::Date(*d),
        Kind::AsOf => V::Date(env.as_of),
        Kind::Option(_, o) => V::Opt(*o),
        Kind::Question(q) => env.values.get(*q).copied().unwrap_or(V::Unknown),
        Kind::Str(_) | Kind::Ident(_) => return Err(EvalError::Type),
        Kind::Not(a) => match eval(a, env)? {
            V::Bool(b) => V::Bool(!b),
            _ => V::Unknown,
        },
        Kind::Neg(a) => match eval(a, env)? {
            V::Num(n) => V::Num(-n),
            _ => V::Unknown,
        },
        Kind::Bin(BinOp::And, a, b) => match eval(a, env)? {
            V::Bool(false) => V::Bool(false),
            va => match (va, eval(b, env)?) {
                (_, V::Bool(false)) => V::Bool(false),
                (V::Bool(true), V::Bool(true)) => V::Bool(true),
                _ => V::Unknown,
            },
        },
        Kind::Bin(BinOp::Or, a, b) => match eval(a, env)? {
            V::Bool(true) => V::Bool(true),
            va => match (va, eval(b, env)?) {
                (_, V::Bool(true)) => V::Bool(true),
                (V::Bool(false), V::Bool(false)) => V::Bool(false),
                _ => V::Unknown,
            },
        },
        Kind::Bin(op, a, b) => {
            let (va, vb) = (eval(a, env)?, eval(b, env)?);
            if va == V::Unknown || vb == V::Unknown {
                return Ok(V::Unknown);
            }
            match op {
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                    let (V::Num(x), V::Num(y)) = (va, vb) else { return Err(EvalError::Type) };
                    V::Num(num::arith(*op, x, y)?)
                }
                _ => V::Bool(test(cmp(va, vb).ok_or(EvalError::Type)?, *op)),
            }
        }
        Kind::In { value, list, negated } => member(eval(value, env)?, list.iter().map(|item| eval(item, env)), *negated)?,
        Kind::Min(args) | Kind::Max(args) => {
            let want = if matches!(e.kind, Kind::Min(_)) { Ordering::Less } else { Ordering::Greater };
            let mut best: Option<V> = None;
            for a in args {
                let v = eval(a, env)?;
                if v == V::Unknown {
                    return Ok(V::Unknown);
                }
                best = match best {
                    Some(b) if cmp(v, b).ok_or(EvalError::Type)? != want => Some(b),
                    _ => Some(v),
                };
            }
            best.unwrap_or(V::Unknown)
        }
        Kind::If(c, a, b) => match eval(c, env)? {
            V::Bool(true) => eval(a, env)?,
            V::Bool(false) => eval(b, env)?,
            _ => {
                let (va, vb) = (eval(a, env)?, eval(b, env)?);
                if va == vb {
                    va
                } else {
                    V::Unknown
                }
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::{check, parse, QuestionSig, Scope, SigType};
    use super::*;

    fn sigs() -> Vec<QuestionSig> {
        vec![
            QuestionSig { id: "t".into(), ty: SigType::Enum(vec!["a".into(), "b".into()]) },
            QuestionSig { id: "ok".into(), ty: SigType::Bool },
            QuestionSig { id: "m".into(), ty: SigType::Integer },
            QuestionSig { id: "d".into(), ty: SigType::Date },
        ]
    }

    fn run(src: &str, values: &[V]) -> Result<V, EvalError> {
        let s = sigs();
        let mut e = parse(src).unwrap();
        check(&mut e, &Scope { questions: &s, visible: s.len() }).unwrap();
        eval(&e, &Env { values, as_of: Date::parse("2024-07-15").unwrap() })
    }

    fn num(s: &str) -> V {
        V::Num(s.parse().unwrap())
    }

    #[test]
    fn fast_decimal_arithmetic_is_rust_decimal_arithmetic() {
        let vals: Vec<Decimal> = [
            "0",
            "-0",
            "0.00",
            "1",
            "-1",
            "24",
            "12500.00",
            "0.1",
            "0.2",
            "-3.75",
            "100000.00",
            "99.999",
            "1.0000000000000000000000000001",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7922816251426433759354395033.5",
            "0.0000000000000000000000000001",
            "4294967296",
            "18446744073709551616",
            "-18446744073709551615.25",
            "12",
            "12.0",
            "-12.00",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        let same = |x: Option<Decimal>, y: Option<Decimal>| match (x, y) {
            (Some(x), Some(y)) => {
                x == y && x.to_string() == y.to_string() && x.scale() == y.scale() && x.is_sign_negative() == y.is_sign_negative()
            }
            (None, None) => true,
            _ => false,
        };
        for a in &vals {
            for b in &vals {
                assert_eq!(num::cmp(a, b), a.cmp(b), "{a} cmp {b}");
                assert!(same(num::add(*a, *b), a.checked_add(*b)), "{a} + {b}");
                assert!(same(num::sub(*a, *b), a.checked_sub(*b)), "{a} - {b}");
                assert!(same(num::mul(*a, *b), a.checked_mul(*b)), "{a} * {b}: {:?} vs {:?}", num::mul(*a, *b), a.checked_mul(*b));
            }
        }
    }

    #[test]
    fn kleene_logic() {
        let u = [V::Unknown; 4];
        assert_eq!(run("ok and false", &u), Ok(V::Bool(false)));
        assert_eq!(run("false and ok", &u), Ok(V::Bool(false)));
        assert_eq!(run("ok or true", &u), Ok(V::Bool(true)));
        assert_eq!(run("ok and true", &u), Ok(V::Unknown));
        assert_eq!(run("not ok", &u), Ok(V::Unknown));
        assert_eq!(run("t in ['a', 'b']", &u), Ok(V::Unknown));
        assert_eq!(run("if ok then 1 else 1", &u), Ok(num("1")));
        assert_eq!(run("if ok then 1 else 2", &u), Ok(V::Unknown));
    }

    #[test]
    fn exact_arithmetic() {
        let v = [V::Opt(1), V::Bool(true), num("30"), V::Date(Date::parse("2024-01-01").unwrap())];
        assert_eq!(run("12500.00 * min(m, 24)", &v), Ok(num("300000.00")));
        assert_eq!(run("0.1 + 0.2 == 0.3", &v), Ok(V::Bool(true)));
        assert_eq!(run("t == 'b' and ok", &v), Ok(V::Bool(true)));
        assert_eq!(run("t not in ['a']", &v), Ok(V::Bool(true)));
        assert_eq!(run("d >= date('2024-01-01') and d < as_of", &v), Ok(V::Bool(true)));
        assert_eq!(run("max(m - 12, 0)", &v), Ok(num("18")));
        assert_eq!(run("m / 0", &v), Err(EvalError::DivisionByZero));
        assert_eq!(run("7922816251426433759354395033 * 100 * m", &v), Err(EvalError::Overflow));
        assert_eq!(run("-m", &v), Ok(num("-30")));
    }

    #[test]
    fn type_errors_are_caught_at_load() {
        let s = sigs();
        let scope = Scope { questions: &s, visible: s.len() };
        for (src, msg) in [
            ("t == 'c'", "'c' is not an option of t; the options are a, b"),
            ("m + ok", "'+' needs a number, but this is a boolean"),
            ("m == d", "'==' mixes a number and a date"),
            ("zz > 1", "unknown question 'zz'"),
            ("t < 'a'", "'<' orders numbers or dates, not an option of t"),
            ("'a' == 'b'", "compare a question with an option, not two strings"),
            ("min(m, d)", "min and max need one type, but got a number and a date"),
        ] {
            let mut e = parse(src).unwrap();
            assert_eq!(check(&mut e, &scope).unwrap_err().message, msg, "{src}");
        }
        let mut e = parse("d > date('2024-01-01')").unwrap();
        let early = Scope { questions: &s, visible: 2 };
        assert!(check(&mut e, &early).unwrap_err().message.contains("asked later"));
    }
}
