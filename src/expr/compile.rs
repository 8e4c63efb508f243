//! Checked expressions compiled for evaluation.
//!
//! The checked tree (`Expr`) keeps what explanations and errors need: byte offsets, names,
//! literals as written. The engine evaluates `Code` instead, built once when the rule file
//! loads: named values and constant parts are folded, `and`/`or` chains are flattened, and the
//! shapes rule files use most get their own node — an enum question tested against a set of
//! options is one bit test (`applicant_type in ['postdoc', 'doctor']`), a question compared
//! with a literal is one comparison (`months_in_station >= 1`), a table looked up by a question
//! is one index. Functions are evaluated by the registry, as in the tree. Results are exactly
//! those of [`super::eval`]: the same values, the same errors, in the same order; the tests
//! below and the `expression` fuzz target check it.

use super::eval::{arith, choose, cmp, member, test, Consts, Env, EvalError, V};
use super::{BinOp, Expr, Func, Kind, Scope, SigType};
use rust_decimal::Decimal;

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
    /// A table's value for the option an enum question is answered with.
    Row {
        /// The question.
        q: usize,
        /// The table.
        t: usize,
        /// The value for each option (`None`: not in the table).
        rows: Box<[Option<V>]>,
    },
    /// A table looked up by a computed option.
    Lookup(usize, Box<Code>),
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
    /// A function of the registry.
    Call(Func, Box<[Code]>),
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

fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        o => o,
    }
}

/// The mask of all options of question `q`, if it is an enum of at most 64 options.
fn all_options(scope: &Scope<'_>, q: usize) -> Option<u64> {
    match scope.questions.get(q).map(|s| &s.1) {
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

/// Compiles a checked expression; `consts` are the version's named values and tables.
pub fn compile(e: &Expr, scope: &Scope<'_>, consts: &Consts) -> Code {
    let code = build(e, scope, consts);
    if e.is_constant() {
        // Folding evaluates with no answers; an error stays for evaluation to report.
        if let Ok(v) = code.eval(&Env::new(&[], crate::date::Date::EPOCH).with_consts(consts)) {
            return Code::Const(v);
        }
    }
    code
}

fn build(e: &Expr, scope: &Scope<'_>, consts: &Consts) -> Code {
    if let Some((q, mask)) = option_test(e, scope) {
        return Code::OptIn { q, mask };
    }
    let c = |x: &Expr| compile(x, scope, consts);
    match &e.kind {
        Kind::Num(n) => Code::Const(V::Num(*n)),
        Kind::Bool(b) => Code::Const(V::Bool(*b)),
        Kind::Date(d) => Code::Const(V::Date(*d)),
        Kind::Option(_, o) => Code::Const(V::Opt(*o)),
        Kind::Value(i) => consts.values.get(*i).map_or(Code::Unresolved, |v| Code::Const(*v)),
        Kind::Program(p) => Code::Const(V::Program(*p)),
        Kind::Lookup(t, key) => match (&key.kind, consts.tables.get(*t)) {
            (Kind::Question(q), Some(rows)) => Code::Row { q: *q, t: *t, rows: rows.clone().into() },
            _ => Code::Lookup(*t, Box::new(c(key))),
        },
        Kind::In { value, list, negated } => Code::In { value: Box::new(c(value)), list: list.iter().map(c).collect(), negated: *negated },
        Kind::Question(q) => Code::Q(*q),
        Kind::AsOf => Code::AsOf,
        Kind::Not(a) => Code::Not(Box::new(c(a))),
        Kind::Neg(a) => Code::Neg(Box::new(c(a))),
        Kind::Bin(op @ (BinOp::And | BinOp::Or), a, b) => {
            // the operands of this node, each flattened (a chain of the same operator becomes
            // one list; a constant operand is compiled, and so folded, on its own)
            let mut parts = Vec::new();
            flatten(a, *op, scope, consts, &mut parts);
            flatten(b, *op, scope, consts, &mut parts);
            if *op == BinOp::And {
                Code::And(parts.into())
            } else {
                Code::Or(parts.into())
            }
        }
        Kind::Bin(op, a, b) if op.is_comparison() => match (&a.kind, &b.kind, c(a), c(b)) {
            (Kind::Question(q), _, _, Code::Const(lit)) if lit != V::Unknown => Code::CmpQ { q: *q, op: *op, lit },
            (_, Kind::Question(q), Code::Const(lit), _) if lit != V::Unknown => Code::CmpQ { q: *q, op: flip(*op), lit },
            (_, _, ca, cb) => Code::Bin(*op, Box::new((ca, cb))),
        },
        Kind::Bin(op, a, b) => Code::Bin(*op, Box::new((c(a), c(b)))),
        Kind::Call(f, args) => Code::Call(*f, args.iter().map(c).collect()),
        Kind::If(x, a, b) => Code::If(Box::new((c(x), c(a), c(b)))),
        Kind::Str(_) | Kind::Ident(_) | Kind::Index(..) => Code::Unresolved,
    }
}

fn flatten(e: &Expr, op: BinOp, scope: &Scope<'_>, consts: &Consts, out: &mut Vec<Code>) {
    match &e.kind {
        Kind::Bin(o, a, b) if *o == op && !e.is_constant() => {
            flatten(a, op, scope, consts, out);
            flatten(b, op, scope, consts, out);
        }
        _ => out.push(compile(e, scope, consts)),
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
    /// Evaluates a number expression (amounts, schedule rows): `None` for unknown.
    pub fn number(&self, env: &Env<'_>) -> Result<Option<Decimal>, EvalError> {
        match self.eval(env)? {
            V::Num(d) => Ok(Some(d)),
            V::Unknown => Ok(None),
            _ => Err(EvalError::Type),
        }
    }

    /// Evaluates a boolean expression (conditions, `ask_when`) to a truth value, with the
    /// commonest conditions (an option test, a yes/no answer, a comparison with a literal)
    /// decided in place.
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
            Code::CmpQ { q, op, lit } => match env.values.get(*q).copied().unwrap_or(V::Unknown) {
                V::Unknown => Ok(Tri::Unknown),
                v => Ok(Tri::of(test(cmp(v, *lit).ok_or(EvalError::Type)?, *op))),
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
    pub fn eval(&self, env: &Env<'_>) -> Result<V, EvalError> {
        Ok(match self {
            Code::Const(v) => *v,
            Code::Q(q) => env.values.get(*q).copied().unwrap_or(V::Unknown),
            Code::AsOf => V::Date(env.as_of),
            Code::OptIn { .. } | Code::CmpQ { .. } | Code::And(_) | Code::Or(_) | Code::Not(_) => match self.holds(env)? {
                Tri::True => V::Bool(true),
                Tri::False => V::Bool(false),
                Tri::Unknown => V::Unknown,
            },
            Code::Row { q, t, rows } => match env.values.get(*q).copied().unwrap_or(V::Unknown) {
                V::Unknown => V::Unknown,
                V::Opt(o) => rows.get(o).copied().flatten().ok_or(EvalError::NoRow { table: *t, option: o })?,
                _ => return Err(EvalError::Type),
            },
            Code::Lookup(t, key) => super::eval::lookup(env, *t, key.eval(env)?)?,
            Code::Neg(a) => match a.eval(env)? {
                V::Num(n) => V::Num(-n),
                _ => V::Unknown,
            },
            Code::Bin(op, ab) => {
                let (va, vb) = (ab.0.eval(env)?, ab.1.eval(env)?);
                if va == V::Unknown || vb == V::Unknown {
                    return Ok(V::Unknown);
                }
                if op.is_comparison() {
                    V::Bool(test(cmp(va, vb).ok_or(EvalError::Type)?, *op))
                } else {
                    arith(*op, va, vb)?
                }
            }
            Code::Call(f, args) => {
                let mut small = [V::Unknown; 4];
                let mut many = Vec::new();
                let vals: &mut [V] = if args.len() <= small.len() {
                    &mut small[..args.len()]
                } else {
                    many.resize(args.len(), V::Unknown);
                    &mut many
                };
                for (slot, a) in vals.iter_mut().zip(args.iter()) {
                    *slot = a.eval(env)?;
                }
                f.call(vals, env)?
            }
            Code::If(x) => choose(x.0.eval(env)?, || x.1.eval(env), || x.2.eval(env))?,
            Code::In { value, list, negated } => member(value.eval(env)?, list.iter().map(|item| item.eval(env)), *negated)?,
            Code::Unresolved => return Err(EvalError::Type),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::super::{check, eval, parse, Ty};
    use super::*;
    use crate::date::Date;

    fn sigs() -> Vec<(String, SigType)> {
        vec![
            ("t".into(), SigType::Enum(vec!["a".into(), "b".into(), "c".into()])),
            ("ok".into(), SigType::Bool),
            ("m".into(), SigType::Integer),
            ("d".into(), SigType::Date),
        ]
    }

    fn consts() -> Consts {
        Consts {
            values: vec![V::Num(Decimal::new(12500, 2)), V::Date(Date::parse("2017-06-21").unwrap())],
            tables: vec![vec![Some(V::Num(Decimal::from(15000))), None, Some(V::Num(Decimal::from(6000)))]],
        }
    }

    /// Every expression is compared over every combination of these values (unknown
    /// included).
    pub(crate) const EXPRS: &[&str] = &[
        // constant chains (once compiled forever: the fuzzer's find)
        "true and false",
        "ok or (true and true)",
        "(true or false) and ok and (false or false)",
        "rate > 1 and start < date('2024-01-01')",
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
        "-m + 5",
        "if ok then m * 2 else m",
        "if ok then 1 else 1",
        "if t == 'a' then date('2024-01-01') else d",
        "max(m, 3, 7) - min(m, 3)",
        "min(12, m)",
        "min(max(m, 30.0), 12)",
        "ok == true",
        "(m > 1) == ok",
        "t == t",
        "m in [1, 2, 3]",
        "m not in [1, m + 1]",
        "d in [date('2024-01-01'), as_of]",
        "not (m / 0 > 1) or ok",
        "ok and m / 0 > 1",
        "age(d) < 35",
        "age(d) >= m",
        "as_of <= d + years(2)",
        "d + years(m) > as_of - months(3)",
        "d - days(m) == date('2023-12-02')",
        "d + years(m) == d + months(24)",
        "rate * m",
        "d >= start",
        "tier[t] * 2",
        "tier[if ok then 'a' else t]",
        "min(d, as_of) == d",
    ];

    fn domain(q: usize) -> Vec<V> {
        let day = |s| V::Date(Date::parse(s).unwrap_or(Date::EPOCH));
        let mut out = vec![V::Unknown];
        out.extend(match q {
            0 => vec![V::Opt(0), V::Opt(1), V::Opt(2)],
            1 => vec![V::Bool(false), V::Bool(true)],
            2 => vec![V::Num(Decimal::ZERO), V::Num(Decimal::ONE), V::Num(Decimal::from(24)), V::Num(Decimal::new(300, 1))],
            _ => vec![day("1989-07-15"), day("2000-02-29"), day("2024-01-01"), day("2024-07-15")],
        });
        out
    }

    #[test]
    fn compiled_code_gives_what_the_tree_gives() {
        let s = sigs();
        let values = [("rate".to_string(), Ty::Num), ("start".to_string(), Ty::Date)];
        let tables = [("tier".to_string(), 0)];
        let scope = Scope { values: &values, tables: &tables, ..Scope::questions(&s) };
        let consts = consts();
        let as_of = Date::parse("2024-07-15").unwrap();
        let (mut cases, mut truths) = (0, 0);
        for src in EXPRS {
            let mut e = parse(src).unwrap();
            let ty = check(&mut e, &scope).unwrap_or_else(|err| panic!("{src}: {:?}", err.problem));
            let code = compile(&e, &scope, &consts);
            for t in domain(0) {
                for ok in domain(1) {
                    for m in domain(2) {
                        for d in domain(3) {
                            let values = [t, ok, m, d];
                            let env = Env::new(&values, as_of).with_consts(&consts);
                            let want = eval(&e, &env);
                            assert_eq!(code.eval(&env), want, "{src} with {values:?}");
                            if ty == Ty::Bool {
                                let t = want.clone().map(|v| match v {
                                    V::Bool(true) => Tri::True,
                                    V::Bool(false) => Tri::False,
                                    _ => Tri::Unknown,
                                });
                                assert_eq!(code.holds(&env), t, "holds of {src} with {values:?}");
                                truths += 1;
                            }
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(cases, EXPRS.len() * 4 * 3 * 5 * 5);
        assert!(truths > cases / 2, "{truths} truth checks");
    }

    #[test]
    fn common_shapes_get_their_own_nodes() {
        let s = sigs();
        let tables = [("tier".to_string(), 0)];
        let scope = Scope { tables: &tables, ..Scope::questions(&s) };
        let consts = consts();
        let code = |src: &str| {
            let mut e = parse(src).unwrap();
            check(&mut e, &scope).unwrap();
            compile(&e, &scope, &consts)
        };
        assert_eq!(code("t in ['a', 'c']"), Code::OptIn { q: 0, mask: 0b101 });
        assert_eq!(code("t != 'a'"), Code::OptIn { q: 0, mask: 0b110 });
        assert_eq!(code("1 <= m"), Code::CmpQ { q: 2, op: BinOp::Ge, lit: V::Num(Decimal::ONE) });
        assert_eq!(code("100.00 * 2"), Code::Const(V::Num(Decimal::new(20000, 2))));
        assert!(matches!(code("ok and m > 1 and t == 'b'"), Code::And(p) if p.len() == 3));
        assert!(matches!(code("m / 0"), Code::Bin(BinOp::Div, _)));
        assert!(matches!(code("100 / 0"), Code::Bin(BinOp::Div, _)));
        assert!(matches!(code("tier[t]"), Code::Row { q: 0, .. }));
        assert!(matches!(code("age(d)"), Code::Call(Func::Age, _)));
    }
}
