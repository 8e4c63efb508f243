//! Checked expressions compiled for evaluation.
//!
//! The checked tree (`Expr`) keeps what explanations and errors need: byte offsets, literals
//! as written. Evaluation runs on `Code` instead, built once when the rule file loads:
//! constant parts are folded, `and`/`or` chains are flattened, and the shapes rule files use
//! most get their own node — an enum question tested against a set of options is one bit
//! test (`applicant_type in ['postdoc', 'doctor']`), a question compared with a literal is one
//! comparison (`months_in_station >= 1`). Results are exactly those of [`super::eval`]: the
//! same values, the same errors, in the same order; the tests below check it case by case.

use super::eval::{cmp, member, num, test, Env, EvalError, V};
use super::{BinOp, Expr, Kind, Scope, SigType};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// A compiled expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Code {
    /// A value known at load time.
    Const(V),
    /// The answer to a question.
    Q(usize),
    /// The date of the estimate.
    AsOf,
    /// Whether an enum question's option is one of a set (bit `o` of `mask` for option `o`).
    OptIn {
        /// The question.
        q: usize,
        /// The options that make it true.
        mask: u64,
    },
    /// A question compared with a value known at load time (`q op lit`).
    CmpQ {
        /// The question.
        q: usize,
        /// The comparison.
        op: BinOp,
        /// The right-hand side.
        lit: V,
    },
    /// Every operand holds (Kleene logic, left to right, stops at the first false).
    And(Box<[Code]>),
    /// Some operand holds (Kleene logic, left to right, stops at the first true).
    Or(Box<[Code]>),
    /// `not e`
    Not(Box<Code>),
    /// `-e`
    Neg(Box<Code>),
    /// `a op b` for arithmetic and comparisons.
    Bin(BinOp, Box<(Code, Code)>),
    /// `min(..)`
    Min(Box<[Code]>),
    /// `max(..)`
    Max(Box<[Code]>),
    /// `min(x, bound)` (`min` true) or `max(x, bound)` with a number literal as the second
    /// argument: the bound replaces `x` only when strictly beyond it, as in `Min`/`Max`.
    Clamp {
        /// `x` and the bound.
        x: Box<(Code, Decimal)>,
        /// `min` rather than `max`.
        min: bool,
    },
    /// `if c then a else b`
    If(Box<(Code, Code, Code)>),
    /// `e in [..]` (`negated` for `not in`), other than an option test.
    In {
        /// The tested value.
        value: Box<Code>,
        /// The list.
        list: Box<[Code]>,
        /// `not in`.
        negated: bool,
    },
    /// A name or string the checker did not resolve (only if checking was skipped).
    Unresolved,
}

fn is_cmp(op: BinOp) -> bool {
    matches!(op, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
}

fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        o => o,
    }
}

/// Whether the expression reads no answer and no date, so it can be evaluated at load.
fn constant(e: &Expr) -> bool {
    let mut c = true;
    e.walk(&mut |n| {
        if matches!(n.kind, Kind::Question(_) | Kind::AsOf | Kind::Str(_) | Kind::Ident(_)) {
            c = false;
        }
    });
    c
}

/// The mask of all options of question `q`, if it is an enum of at most 64 options.
fn all_options(scope: &Scope<'_>, q: usize) -> Option<u64> {
    match scope.questions.get(q).map(|s| &s.ty) {
        Some(SigType::Enum(opts)) if opts.len() <= 64 => Some(if opts.len() == 64 { u64::MAX } else { (1u64 << opts.len()) - 1 }),
        _ => None,
    }
}

/// The option set of an `==`, `!=`, `in` or `not in` test of an enum question, as a mask.
fn option_test(e: &Expr, scope: &Scope<'_>) -> Option<(usize, u64)> {
    let bit = |x: &Expr, q: usize| match x.kind {
        Kind::Option(xq, o) if xq == q && o < 64 => Some(1u64 << o),
        _ => None,
    };
    match &e.kind {
        Kind::Bin(op @ (BinOp::Eq | BinOp::Ne), a, b) => {
            let (q, lit) = match (&a.kind, &b.kind) {
                (Kind::Question(q), _) => (*q, &**b),
                (_, Kind::Question(q)) => (*q, &**a),
                _ => return None,
            };
            let all = all_options(scope, q)?;
            let m = bit(lit, q)?;
            Some((q, if *op == BinOp::Eq { m } else { all & !m }))
        }
        Kind::In { value, list, negated } => {
            let Kind::Question(q) = value.kind else { return None };
            let all = all_options(scope, q)?;
            let mut m = 0u64;
            for item in list {
                m |= bit(item, q)?;
            }
            Some((q, if *negated { all & !m } else { m }))
        }
        _ => None,
    }
}

/// Compiles a checked expression.
pub fn compile(e: &Expr, scope: &Scope<'_>) -> Code {
    let code = build(e, scope);
    if constant(e) {
        // Folding evaluates with no answers; an error stays for evaluation to report.
        if let Ok(v) = code.eval(&Env { values: &[], as_of: crate::date::Date::EPOCH }) {
            return Code::Const(v);
        }
    }
    code
}

fn build(e: &Expr, scope: &Scope<'_>) -> Code {
    if let Some((q, mask)) = option_test(e, scope) {
        return Code::OptIn { q, mask };
    }
    let c = |x: &Expr| compile(x, scope);
    match &e.kind {
        Kind::Num(n) => Code::Const(V::Num(*n)),
        Kind::Bool(b) => Code::Const(V::Bool(*b)),
        Kind::Date(d) => Code::Const(V::Date(*d)),
        Kind::Option(_, o) => Code::Const(V::Opt(*o)),
        Kind::In { value, list, negated } => Code::In { value: Box::new(c(value)), list: list.iter().map(c).collect(), negated: *negated },
        Kind::Question(q) => Code::Q(*q),
        Kind::AsOf => Code::AsOf,
        Kind::Not(a) => Code::Not(Box::new(c(a))),
        Kind::Neg(a) => Code::Neg(Box::new(c(a))),
        Kind::Bin(op @ (BinOp::And | BinOp::Or), _, _) => {
            let mut parts = Vec::new();
            flatten(e, *op, scope, &mut parts);
            if *op == BinOp::And {
                Code::And(parts.into())
            } else {
                Code::Or(parts.into())
            }
        }
        Kind::Bin(op, a, b) if is_cmp(*op) => match (&a.kind, &b.kind, c(a), c(b)) {
            (Kind::Question(q), _, _, Code::Const(lit)) if lit != V::Unknown => Code::CmpQ { q: *q, op: *op, lit },
            (_, Kind::Question(q), Code::Const(lit), _) if lit != V::Unknown => Code::CmpQ { q: *q, op: flip(*op), lit },
            (_, _, ca, cb) => Code::Bin(*op, Box::new((ca, cb))),
        },
        Kind::Bin(op, a, b) => Code::Bin(*op, Box::new((c(a), c(b)))),
        Kind::Min(args) | Kind::Max(args) => {
            let min = matches!(e.kind, Kind::Min(_));
            if let Some(code) = clamp(min, args, scope) {
                return code;
            }
            let args = args.iter().map(c).collect();
            if min {
                Code::Min(args)
            } else {
                Code::Max(args)
            }
        }
        Kind::If(x, a, b) => Code::If(Box::new((c(x), c(a), c(b)))),
        Kind::Str(_) | Kind::Ident(_) => Code::Unresolved,
    }
}

/// `min(x, b)` (`min` true) or `max(x, b)` with a number literal `b`, as a clamp.
fn clamp(min: bool, args: &[Expr], scope: &Scope<'_>) -> Option<Code> {
    let [x, b] = args else { return None };
    let Code::Const(V::Num(bound)) = compile(b, scope) else { return None };
    Some(Code::Clamp { x: Box::new((compile(x, scope), bound)), min })
}

fn flatten(e: &Expr, op: BinOp, scope: &Scope<'_>, out: &mut Vec<Code>) {
    match &e.kind {
        Kind::Bin(o, a, b) if *o == op && !constant(e) => {
            flatten(a, op, scope, out);
            flatten(b, op, scope, out);
        }
        _ => out.push(compile(e, scope)),
    }
}

/// A truth value of three-valued logic, as conditions evaluate to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    /// Holds.
    True,
    /// Fails.
    False,
    /// Depends on an answer not given.
    Unknown,
}

impl Tri {
    fn of(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
}

impl Code {
    /// Like [`Code::eval`], with the leaves (constants and answers) read in place rather
    /// than through a call: most operands of arithmetic and of `min`/`max` are leaves.
    #[inline(always)]
    fn value(&self, env: &Env<'_>) -> Result<V, EvalError> {
        match self {
            Code::Const(v) => Ok(*v),
            Code::Q(q) => Ok(env.values.get(*q).copied().unwrap_or(V::Unknown)),
            _ => self.eval(env),
        }
    }

    /// [`Code::number`] with constants and answers read in place.
    #[inline(always)]
    fn leaf_number(&self, env: &Env<'_>) -> Result<Option<Decimal>, EvalError> {
        match self {
            Code::Const(V::Num(d)) => Ok(Some(*d)),
            Code::Q(q) => match env.values.get(*q) {
                Some(V::Num(d)) => Ok(Some(*d)),
                Some(V::Unknown) | None => Ok(None),
                Some(_) => Err(EvalError::Type),
            },
            _ => self.number(env),
        }
    }

    /// Evaluates a number expression (amounts, schedule rows): the same result as
    /// [`Code::eval`] with `None` for unknown, computed on decimals directly.
    pub fn number(&self, env: &Env<'_>) -> Result<Option<Decimal>, EvalError> {
        match self {
            Code::Const(V::Num(d)) => Ok(Some(*d)),
            Code::Q(q) => match env.values.get(*q) {
                Some(V::Num(d)) => Ok(Some(*d)),
                Some(V::Unknown) | None => Ok(None),
                Some(_) => Err(EvalError::Type),
            },
            Code::Bin(op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div), ab) => {
                let (a, b) = (ab.0.leaf_number(env)?, ab.1.leaf_number(env)?);
                match (a, b) {
                    (Some(x), Some(y)) => num::arith(*op, x, y).map(Some),
                    _ => Ok(None),
                }
            }
            Code::Clamp { x, min } => {
                let Some(y) = x.0.leaf_number(env)? else { return Ok(None) };
                let beyond = if *min { Ordering::Less } else { Ordering::Greater };
                Ok(Some(if num::cmp(&x.1, &y) == beyond { x.1 } else { y }))
            }
            Code::Min(args) | Code::Max(args) => {
                let want = if matches!(self, Code::Min(_)) { Ordering::Less } else { Ordering::Greater };
                let mut best: Option<Decimal> = None;
                for a in args.iter() {
                    let Some(v) = a.leaf_number(env)? else { return Ok(None) };
                    best = match best {
                        Some(b) if num::cmp(&v, &b) != want => Some(b),
                        _ => Some(v),
                    };
                }
                Ok(best)
            }
            _ => match self.eval(env)? {
                V::Num(d) => Ok(Some(d)),
                V::Unknown => Ok(None),
                _ => Err(EvalError::Type),
            },
        }
    }

    /// [`Code::truth`], with the commonest conditions (an option test, a yes/no answer)
    /// decided in place rather than through a call.
    #[inline(always)]
    pub fn holds(&self, env: &Env<'_>) -> Result<Tri, EvalError> {
        match self {
            Code::OptIn { q, mask } => match env.values.get(*q) {
                Some(V::Opt(o)) => Ok(Tri::of(*o < 64 && mask >> *o & 1 == 1)),
                Some(V::Unknown) | None => Ok(Tri::Unknown),
                Some(_) => Err(EvalError::Type),
            },
            Code::Q(q) => match env.values.get(*q) {
                Some(V::Bool(b)) => Ok(Tri::of(*b)),
                Some(V::Unknown) | None => Ok(Tri::Unknown),
                Some(_) => Err(EvalError::Type),
            },
            Code::CmpQ { q, op, lit: V::Num(y) } => match env.values.get(*q) {
                Some(V::Num(x)) => Ok(Tri::of(test(num::cmp(x, y), *op))),
                Some(V::Unknown) | None => Ok(Tri::Unknown),
                Some(_) => Err(EvalError::Type),
            },
            _ => self.truth(env),
        }
    }

    /// Evaluates a boolean expression (conditions, `ask_when`) to a truth value: the same
    /// result as [`Code::eval`], without building a value.
    pub fn truth(&self, env: &Env<'_>) -> Result<Tri, EvalError> {
        match self {
            // decided by `holds` in place (it does not come back here for these)
            Code::OptIn { .. } | Code::Q(_) => self.holds(env),
            Code::CmpQ { q, op, lit } => match (env.values.get(*q).copied().unwrap_or(V::Unknown), lit) {
                (V::Unknown, _) => Ok(Tri::Unknown),
                (V::Num(x), V::Num(y)) => Ok(Tri::of(test(num::cmp(&x, y), *op))),
                (v, _) => Ok(Tri::of(test(cmp(v, *lit).ok_or(EvalError::Type)?, *op))),
            },
            Code::And(parts) => {
                let mut all = true;
                for p in parts.iter() {
                    match p.holds(env)? {
                        Tri::False => return Ok(Tri::False),
                        Tri::True => {}
                        Tri::Unknown => all = false,
                    }
                }
                Ok(if all { Tri::True } else { Tri::Unknown })
            }
            Code::Or(parts) => {
                let mut none = true;
                for p in parts.iter() {
                    match p.holds(env)? {
                        Tri::True => return Ok(Tri::True),
                        Tri::False => {}
                        Tri::Unknown => none = false,
                    }
                }
                Ok(if none { Tri::False } else { Tri::Unknown })
            }
            Code::Not(a) => Ok(match a.holds(env)? {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                Tri::Unknown => Tri::Unknown,
            }),
            _ => match self.eval(env)? {
                V::Bool(b) => Ok(Tri::of(b)),
                V::Unknown => Ok(Tri::Unknown),
                _ => Err(EvalError::Type),
            },
        }
    }

    /// Evaluates the compiled expression; the result equals [`super::eval`] on its source.
    #[inline]
    pub fn eval(&self, env: &Env<'_>) -> Result<V, EvalError> {
        Ok(match self {
            Code::Const(v) => *v,
            Code::Q(q) => env.values.get(*q).copied().unwrap_or(V::Unknown),
            Code::AsOf => V::Date(env.as_of),
            Code::OptIn { q, mask } => match env.values.get(*q) {
                Some(V::Opt(o)) => V::Bool(*o < 64 && mask >> *o & 1 == 1),
                Some(V::Unknown) | None => V::Unknown,
                Some(_) => return Err(EvalError::Type),
            },
            Code::CmpQ { q, op, lit } => match env.values.get(*q).copied().unwrap_or(V::Unknown) {
                V::Unknown => V::Unknown,
                v => V::Bool(test(cmp(v, *lit).ok_or(EvalError::Type)?, *op)),
            },
            // The logic of and, or and not lives in `truth`.
            Code::And(_) | Code::Or(_) | Code::Not(_) => match self.truth(env)? {
                Tri::True => V::Bool(true),
                Tri::False => V::Bool(false),
                Tri::Unknown => V::Unknown,
            },
            Code::Neg(a) => match a.eval(env)? {
                V::Num(n) => V::Num(-n),
                _ => V::Unknown,
            },
            Code::Bin(op, ab) => {
                let (va, vb) = (ab.0.value(env)?, ab.1.value(env)?);
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
            Code::Min(args) | Code::Max(args) => {
                let want = if matches!(self, Code::Min(_)) { Ordering::Less } else { Ordering::Greater };
                let mut best: Option<V> = None;
                for a in args.iter() {
                    let v = a.value(env)?;
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
            // Like `Min`/`Max` on two arguments: a bound against a value that is not a
            // number is a type error.
            Code::Clamp { .. } => return self.number(env).map(|n| n.map_or(V::Unknown, V::Num)),
            Code::If(x) => match x.0.eval(env)? {
                V::Bool(true) => x.1.eval(env)?,
                V::Bool(false) => x.2.eval(env)?,
                _ => {
                    let (va, vb) = (x.1.eval(env)?, x.2.eval(env)?);
                    if va == vb {
                        va
                    } else {
                        V::Unknown
                    }
                }
            },
            Code::In { value, list, negated } => member(value.eval(env)?, list.iter().map(|item| item.value(env)), *negated)?,
            Code::Unresolved => return Err(EvalError::Type),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{check, eval, parse, QuestionSig, SigType};
    use super::*;
    use crate::date::Date;
    use rust_decimal::Decimal;

    fn sigs() -> Vec<QuestionSig> {
        vec![
            QuestionSig { id: "t".into(), ty: SigType::Enum(vec!["a".into(), "b".into(), "c".into()]) },
            QuestionSig { id: "ok".into(), ty: SigType::Bool },
            QuestionSig { id: "m".into(), ty: SigType::Integer },
            QuestionSig { id: "d".into(), ty: SigType::Date },
        ]
    }

    const EXPRS: &[&str] = &[
        "t == 'a'",
        "'b' == t",
        "t != 'a'",
        "t in ['a', 'c']",
        "t not in ['a', 'c']",
        "ok",
        "not ok",
        "ok and t == 'a' and m >= 1",
        "ok or t == 'b' or m < 12",
        "(ok and m > 3) or (not ok and m <= 3)",
        "ok and (t == 'a' or t == 'c') and not (m == 0)",
        "m >= 1",
        "1 <= m",
        "12 > m",
        "m != 12",
        "m == m",
        "d >= date('2024-01-01')",
        "date('2024-01-01') > d",
        "d < as_of",
        "as_of >= date('2024-07-01')",
        "12500.00 * min(m, 24)",
        "12500.00 * min(max(m - 12, 0), 12)",
        "100000.00",
        "1 + 2 * 3",
        "m / 0",
        "m / (1 - 1)",
        "7922816251426433759354395033 * 10 * m",
        "7922816251426433759354395033 * 10",
        "-m + 5",
        "if ok then m * 2 else m",
        "if ok then 1 else 1",
        "if t == 'a' then date('2024-01-01') else d",
        "max(m, 3, 7) - min(m, 3)",
        "min(m, 12)",
        "min(m, 30.0)",
        "max(m, 1.0)",
        "min(12, m)",
        "max(m - 12, 0)",
        "min(max(m, 1), 12)",
        "max(min(m, 12), 1)",
        "min(max(m, 30.0), 12)",
        "min(min(m, 12), 1)",
        "max(max(m, 1), 12)",
        "ok == true",
        "(m > 1) == ok",
        "t == t",
        "m in [1, 2, 3]",
        "m not in [1, m + 1]",
        "d in [date('2024-01-01'), as_of]",
        "true and ok",
        "false or ok",
        "ok and false",
        "not (m / 0 > 1) or ok",
        "ok and m / 0 > 1",
    ];

    fn domain(q: usize) -> Vec<V> {
        let day = |s| V::Date(Date::parse(s).unwrap_or(Date::EPOCH));
        let mut out = vec![V::Unknown];
        out.extend(match q {
            0 => vec![V::Opt(0), V::Opt(1), V::Opt(2)],
            1 => vec![V::Bool(false), V::Bool(true)],
            2 => vec![V::Num(Decimal::ZERO), V::Num(Decimal::ONE), V::Num(Decimal::from(12)), V::Num(Decimal::new(300, 1))],
            _ => vec![day("2023-12-31"), day("2024-01-01"), day("2024-07-15")],
        });
        out
    }

    #[test]
    fn compiled_code_gives_what_the_tree_gives() {
        let s = sigs();
        let scope = Scope { questions: &s, visible: s.len() };
        let as_of = Date::parse("2024-07-15").unwrap();
        let mut cases = 0;
        let mut truths = 0;
        let mut numbers = 0;
        // The boolean expressions: those whose type checks as bool.
        let is_bool = |src: &str| {
            let mut e = parse(src).unwrap();
            matches!(check(&mut e, &scope), Ok(super::super::Ty::Bool))
        };
        for src in EXPRS {
            let mut e = parse(src).unwrap();
            check(&mut e, &scope).unwrap_or_else(|err| panic!("{src}: {}", err.message));
            let code = compile(&e, &scope);
            let boolean = is_bool(src);
            let number = matches!(check(&mut parse(src).unwrap(), &scope), Ok(super::super::Ty::Num));
            for t in domain(0) {
                for ok in domain(1) {
                    for m in domain(2) {
                        for d in domain(3) {
                            let values = [t, ok, m, d];
                            let env = Env { values: &values, as_of };
                            let want = eval(&e, &env);
                            assert_eq!(code.eval(&env), want, "{src} with {values:?}");
                            if boolean {
                                let t = want.clone().map(|v| match v {
                                    V::Bool(true) => Tri::True,
                                    V::Bool(false) => Tri::False,
                                    _ => Tri::Unknown,
                                });
                                assert_eq!(code.truth(&env), t, "truth of {src} with {values:?}");
                                assert_eq!(code.holds(&env), t, "holds of {src} with {values:?}");
                                truths += 1;
                            }
                            if number {
                                let n = want.clone().map(|v| match v {
                                    V::Num(d) => Some(d),
                                    _ => None,
                                });
                                assert_eq!(code.number(&env), n, "number of {src} with {values:?}");
                                numbers += 1;
                            }
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(cases, EXPRS.len() * 4 * 3 * 5 * 4);
        assert!(truths > cases / 2, "{truths} truth checks");
        assert!(numbers > cases / 5, "{numbers} number checks");
    }

    #[test]
    fn common_shapes_get_their_own_nodes() {
        let s = sigs();
        let scope = Scope { questions: &s, visible: s.len() };
        let code = |src: &str| {
            let mut e = parse(src).unwrap();
            check(&mut e, &scope).unwrap();
            compile(&e, &scope)
        };
        assert_eq!(code("t in ['a', 'c']"), Code::OptIn { q: 0, mask: 0b101 });
        assert_eq!(code("t != 'a'"), Code::OptIn { q: 0, mask: 0b110 });
        assert_eq!(code("1 <= m"), Code::CmpQ { q: 2, op: BinOp::Ge, lit: V::Num(Decimal::ONE) });
        assert_eq!(code("100.00 * 2"), Code::Const(V::Num(Decimal::new(20000, 2))));
        assert!(matches!(code("ok and m > 1 and t == 'b'"), Code::And(p) if p.len() == 3));
        assert!(matches!(code("m / 0"), Code::Bin(BinOp::Div, _)));
        assert!(matches!(code("100 / 0"), Code::Bin(BinOp::Div, _)));
        assert!(matches!(code("m in [1, m]"), Code::In { .. }));
        let sub = Code::Bin(BinOp::Sub, Box::new((Code::Q(2), Code::Const(V::Num(Decimal::from(12))))));
        let max = Code::Clamp { x: Box::new((sub, Decimal::ZERO)), min: false };
        assert_eq!(code("min(max(m - 12, 0), 12)"), Code::Clamp { x: Box::new((max, Decimal::from(12))), min: true });
        assert!(matches!(code("min(12, m)"), Code::Min(_)));
        assert!(matches!(code("min(m, 3, 7)"), Code::Min(_)));
    }
}
