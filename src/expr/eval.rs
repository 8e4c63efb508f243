//! Evaluation with three-valued logic and checked decimal arithmetic: the reference reading
//! of a checked expression tree. The engine runs the compiled form (`compile.rs`), which
//! gives exactly these results; the tests and the fuzzer compare the two.

use super::{BinOp, Expr, Kind};
use crate::date::{Date, Span};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// A runtime value. `Unknown` is an unanswered (or not applicable) question and anything
/// that depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum V {
    /// Not known yet.
    Unknown,
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(Decimal),
    /// A date.
    Date(Date),
    /// A length of time.
    Span(Span),
    /// An option index of an enum question.
    Opt(usize),
    /// A program, as the argument of `amount` and `eligible`.
    Program(usize),
}

/// The named values and tables of a version, as the expressions read them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Consts {
    /// Each named value.
    pub values: Vec<V>,
    /// Each table: its value for each option of its key question (`None`: not in the table).
    pub tables: Vec<Vec<Option<V>>>,
}

/// Other programs' results, as `amount(p)` and `eligible(p)` read them.
pub trait Programs {
    /// The amount of program `p` (zero when it is not eligible).
    fn amount(&self, p: usize) -> Result<V, EvalError>;
    /// Whether program `p` is eligible.
    fn eligible(&self, p: usize) -> Result<V, EvalError>;
}

/// No programs to read (questions' `ask_when`, which may not refer to programs).
pub struct NoPrograms;

impl Programs for NoPrograms {
    fn amount(&self, _: usize) -> Result<V, EvalError> {
        Ok(V::Unknown)
    }
    fn eligible(&self, _: usize) -> Result<V, EvalError> {
        Ok(V::Unknown)
    }
}

static NO_CONSTS: Consts = Consts { values: Vec::new(), tables: Vec::new() };

/// What an expression reads: one value per question (by index), the estimate date, the
/// version's named values and tables, and other programs' results.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    /// Values by question index.
    pub values: &'a [V],
    /// The date of the estimate.
    pub as_of: Date,
    /// Named values and tables.
    pub consts: &'a Consts,
    /// Other programs' results.
    pub programs: &'a dyn Programs,
}

impl<'a> Env<'a> {
    /// Answers and a date only: no named values, no programs.
    pub fn new(values: &'a [V], as_of: Date) -> Env<'a> {
        Env { values, as_of, consts: &NO_CONSTS, programs: &NoPrograms }
    }

    /// The same with the version's named values and tables.
    pub fn with_consts(self, consts: &'a Consts) -> Env<'a> {
        Env { consts, ..self }
    }

    /// The same with other programs' results.
    pub fn with_programs(self, programs: &'a dyn Programs) -> Env<'a> {
        Env { programs, ..self }
    }
}

impl std::fmt::Debug for Env<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env").field("values", &self.values).field("as_of", &self.as_of).finish_non_exhaustive()
    }
}

/// Arithmetic that has no exact result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// The result does not fit a decimal (28 digits).
    Overflow,
    /// Division by zero.
    DivisionByZero,
    /// `years()`, `months()` or `days()` of a number that is not whole, or too large.
    NotWhole,
    /// A date before 1900 or after 2999.
    DateRange,
    /// A table looked up with an option it has no row for.
    NoRow {
        /// The table.
        table: usize,
        /// The option of its key question.
        option: usize,
    },
    /// A value of an unexpected type (only reachable if checking was skipped).
    Type,
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EvalError::Overflow => "arithmetic overflow (the result has more than 28 digits)",
            EvalError::DivisionByZero => "division by zero",
            EvalError::NotWhole => "years(), months() and days() take whole numbers up to 100000",
            EvalError::DateRange => "a date outside 1900–2999",
            EvalError::NoRow { .. } => "a table has no row for this option",
            EvalError::Type => "a value of the wrong type",
        })
    }
}

/// Checked decimal arithmetic: division by zero and results beyond 28 digits are errors.
pub mod num {
    use super::{BinOp, EvalError};
    use rust_decimal::Decimal;
    use std::cmp::Ordering;

    /// `x op y` for the arithmetic operators.
    pub fn arith(op: BinOp, x: Decimal, y: Decimal) -> Result<Decimal, EvalError> {
        match op {
            BinOp::Add => x.checked_add(y).ok_or(EvalError::Overflow),
            BinOp::Sub => x.checked_sub(y).ok_or(EvalError::Overflow),
            BinOp::Mul => x.checked_mul(y).ok_or(EvalError::Overflow),
            BinOp::Div if y.is_zero() => Err(EvalError::DivisionByZero),
            BinOp::Div => x.checked_div(y).ok_or(EvalError::Overflow),
            _ => Err(EvalError::Type),
        }
    }

    /// Orders two decimals.
    pub fn cmp(a: &Decimal, b: &Decimal) -> Ordering {
        a.cmp(b)
    }

    /// `a + b`, `None` on overflow.
    pub fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
        a.checked_add(b)
    }
}

/// `a op b` on two known values: numbers, or dates and spans.
pub(crate) fn arith(op: BinOp, a: V, b: V) -> Result<V, EvalError> {
    Ok(match (op, a, b) {
        (_, V::Num(x), V::Num(y)) => V::Num(num::arith(op, x, y)?),
        (BinOp::Add, V::Date(d), V::Span(s)) | (BinOp::Add, V::Span(s), V::Date(d)) => V::Date(d.add_span(s).ok_or(EvalError::DateRange)?),
        (BinOp::Sub, V::Date(d), V::Span(s)) => V::Date(d.add_span(s.back()).ok_or(EvalError::DateRange)?),
        (BinOp::Add, V::Span(s), V::Span(t)) => V::Span(s.plus(t).ok_or(EvalError::Overflow)?),
        (BinOp::Sub, V::Span(s), V::Span(t)) => V::Span(s.plus(t.back()).ok_or(EvalError::Overflow)?),
        _ => return Err(EvalError::Type),
    })
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

pub(crate) fn cmp(a: V, b: V) -> Option<Ordering> {
    match (a, b) {
        (V::Num(x), V::Num(y)) => Some(num::cmp(&x, &y)),
        (V::Date(x), V::Date(y)) => Some(x.cmp(&y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(&y)),
        (V::Opt(x), V::Opt(y)) => Some(x.cmp(&y)),
        (V::Span(x), V::Span(y)) => (x == y).then_some(Ordering::Equal),
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

/// A table's value for option `o` of its key (unknown while the option is).
pub(crate) fn lookup(env: &Env<'_>, table: usize, key: V) -> Result<V, EvalError> {
    match key {
        V::Unknown => Ok(V::Unknown),
        V::Opt(o) => env.consts.tables.get(table).and_then(|t| t.get(o)).copied().flatten().ok_or(EvalError::NoRow { table, option: o }),
        _ => Err(EvalError::Type),
    }
}

/// `if c then a else b` once the condition is evaluated: with an unknown condition the result
/// is known only when both branches agree.
pub(crate) fn choose(c: V, a: impl FnOnce() -> Result<V, EvalError>, b: impl FnOnce() -> Result<V, EvalError>) -> Result<V, EvalError> {
    match c {
        V::Bool(true) => a(),
        V::Bool(false) => b(),
        _ => {
            let (va, vb) = (a()?, b()?);
            Ok(if va == vb { va } else { V::Unknown })
        }
    }
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
        Kind::Value(i) => env.consts.values.get(*i).copied().ok_or(EvalError::Type)?,
        Kind::Program(p) => V::Program(*p),
        Kind::Lookup(t, key) => lookup(env, *t, eval(key, env)?)?,
        Kind::Str(_) | Kind::Ident(_) | Kind::Index(..) => return Err(EvalError::Type),
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
            if op.is_comparison() {
                V::Bool(test(cmp(va, vb).ok_or(EvalError::Type)?, *op))
            } else {
                arith(*op, va, vb)?
            }
        }
        Kind::In { value, list, negated } => member(eval(value, env)?, list.iter().map(|item| eval(item, env)), *negated)?,
        Kind::Call(f, args) => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(a, env)?);
            }
            f.call(&vals, env)?
        }
        Kind::If(c, a, b) => choose(eval(c, env)?, || eval(a, env), || eval(b, env))?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::{check, parse, Scope, SigType};
    use super::*;

    fn sigs() -> Vec<(String, SigType)> {
        vec![
            ("t".into(), SigType::Enum(vec!["a".into(), "b".into()])),
            ("ok".into(), SigType::Bool),
            ("m".into(), SigType::Integer),
            ("d".into(), SigType::Date),
        ]
    }

    fn run(src: &str, values: &[V]) -> Result<V, EvalError> {
        let s = sigs();
        let mut e = parse(src).unwrap();
        check(&mut e, &Scope::questions(&s)).unwrap();
        eval(&e, &Env::new(values, Date::parse("2024-07-15").unwrap()))
    }

    fn num(s: &str) -> V {
        V::Num(s.parse().unwrap())
    }

    fn day(s: &str) -> V {
        V::Date(Date::parse(s).unwrap())
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
        assert_eq!(run("age(d) < 35", &u), Ok(V::Unknown));
    }

    #[test]
    fn exact_arithmetic() {
        let v = [V::Opt(1), V::Bool(true), num("30"), day("2024-01-01")];
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
    fn dates_and_spans() {
        let v = [V::Opt(1), V::Bool(true), num("2"), day("2000-02-29")];
        assert_eq!(run("d + years(1)", &v), Ok(day("2001-03-01")));
        assert_eq!(run("d + years(4)", &v), Ok(day("2004-02-29")));
        assert_eq!(run("d + years(m) + months(1) - days(1)", &v), Ok(day("2002-03-31")));
        assert_eq!(run("as_of - years(35)", &v), Ok(day("1989-07-15")));
        assert_eq!(run("age(d)", &v), Ok(num("24")));
        assert_eq!(run("age(date('2001-03-01'))", &v), Ok(num("23")));
        assert_eq!(run("age(date('1989-07-15')) < 35", &v), Ok(V::Bool(false)));
        assert_eq!(run("age(date('1989-07-16')) < 35", &v), Ok(V::Bool(true)));
        assert_eq!(run("d + years(0.5) == d + years(1)", &v), Err(EvalError::NotWhole));
        assert_eq!(run("d - years(200)", &v), Err(EvalError::DateRange));
    }

    #[test]
    fn type_errors_are_caught_at_load() {
        let s = sigs();
        let scope = Scope::questions(&s);
        for (src, msg) in [
            ("t == 'c'", "'c' is not an option of t; the options are a, b"),
            ("m + ok", "'+' needs a number, but this is a boolean"),
            ("m == d", "'==' mixes a number and a date"),
            ("zz > 1", "unknown question 'zz'"),
            ("t < 'a'", "'<' orders numbers or dates, not an option of t"),
            ("'a' == 'b'", "compare a question with an option, not two strings"),
            ("min(m, d)", "min() needs one type, but got a number and a date"),
            ("d + 1", "'+' mixes a date and a number; write the length as years(n), months(n) or days(n)"),
            ("years(d)", "years() takes a number, not a date"),
            ("age(m)", "age() takes a date, not a number"),
            (
                "years(1) < years(2)",
                "lengths of time cannot be compared with '<'; compare the dates they lead to, such as as_of <= graduated_on + years(2)",
            ),
            (
                "years(1) == months(12)",
                "lengths of time cannot be compared with '=='; compare the dates they lead to, such as as_of <= graduated_on + years(2)",
            ),
            (
                "years(m) in [years(1)]",
                "lengths of time cannot be compared with 'in'; compare the dates they lead to, such as as_of <= graduated_on + years(2)",
            ),
            ("foo(1)", "unknown function 'foo'; the functions are min, max, date, age, years, months, days, amount, eligible"),
        ] {
            let problem = match parse(src) {
                Ok(mut e) => check(&mut e, &scope).unwrap_err().problem,
                Err(e) => e.problem,
            };
            assert_eq!(problem.message(crate::rules::Lang::En), msg, "{src}");
        }
        let mut e = parse("d > date('2024-01-01')").unwrap();
        let early = Scope { visible: 2, ..Scope::questions(&s) };
        assert!(check(&mut e, &early).unwrap_err().problem.message(crate::rules::Lang::En).contains("asked later"));
    }
}
