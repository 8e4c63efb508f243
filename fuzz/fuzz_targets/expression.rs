//! Any text as an expression: parse, type-check against a fixed scope (questions of every type,
//! named values, tables, programs), compile, and evaluate both ways over several assignments of
//! values to the questions. Errors are fine; panics and stack overflows are not, and the
//! compiled code must give exactly what the tree evaluator gives — the same value or the same
//! error — for every assignment (and, for a condition, `holds` the same truth value).
//!
//! Input: the expression text, then optionally a NUL byte and bytes that choose more
//! assignments (each byte picks a value for one question from a list of edge cases: unknown,
//! dates around 29 February and the ends of the supported years, numbers near 0, near the
//! limits of `years()` and `Decimal::MAX`; a high byte reads an arbitrary value from the bytes
//! after it). Five fixed assignments are always tried.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use subsidy_calc::expr::{check, compile, eval, parse, Consts, Env, EvalError, Programs, SigType, Scope, Tri, Ty, V};
use subsidy_calc::{Date, Decimal};

/// Questions by index.
const T: usize = 0; // enum a, b, c: `tier` has no row for b
const OK: usize = 1; // bool
const M: usize = 2; // integer
const X: usize = 3; // decimal
const D: usize = 4; // date
const BORN: usize = 5; // date
const K: usize = 6; // enum of 64 options o0..o63 (the widest option test as a bit mask)
const W: usize = 7; // enum of 70 options o0..o69 (too wide for a mask)
const FLAG: usize = 8; // bool
const NQ: usize = 9;

fn options(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("o{i}")).collect()
}

struct Fixture {
    questions: Vec<(String, SigType)>,
    values: Vec<(String, Ty)>,
    tables: Vec<(String, usize)>,
    programs: Vec<String>,
    consts: Consts,
}

fn day(s: &str) -> Date {
    Date::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e:?}"))
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let questions = vec![
            ("t".to_string(), SigType::Enum(vec!["a".into(), "b".into(), "c".into()])),
            ("ok".to_string(), SigType::Bool),
            ("m".to_string(), SigType::Integer),
            ("x".to_string(), SigType::Decimal),
            ("d".to_string(), SigType::Date),
            ("born".to_string(), SigType::Date),
            ("k".to_string(), SigType::Enum(options(64))),
            ("w".to_string(), SigType::Enum(options(70))),
            ("flag".to_string(), SigType::Bool),
        ];
        assert_eq!(questions.len(), NQ);
        // named values: (id, type, value)
        let named = [
            ("rate", Ty::Num, V::Num(dec("125.00"))),
            ("start", Ty::Date, V::Date(day("2017-06-21"))),
            ("big", Ty::Num, V::Num(Decimal::MAX)),
            ("tiny", Ty::Num, V::Num(Decimal::new(1, 28))),
            ("leap", Ty::Date, V::Date(day("2000-02-29"))),
            ("last", Ty::Date, V::Date(day("2999-12-31"))),
            ("first", Ty::Date, V::Date(day("1900-01-01"))),
        ];
        let tier = vec![Some(V::Num(Decimal::from(15000))), None, Some(V::Num(Decimal::from(6000)))];
        let cap: Vec<Option<V>> = (0..64i64).map(|i| if i % 7 == 3 { None } else { Some(V::Num(Decimal::new(i * 125, 1))) }).collect();
        let mut band: Vec<Option<V>> = vec![None; 70];
        band[0] = Some(V::Num(Decimal::ONE));
        band[1] = Some(V::Num(Decimal::ZERO));
        band[63] = Some(V::Num(Decimal::MAX));
        band[64] = Some(V::Num(Decimal::NEGATIVE_ONE));
        band[69] = Some(V::Num(dec("0.5")));
        Fixture {
            questions,
            values: named.iter().map(|(id, ty, _)| (id.to_string(), *ty)).collect(),
            tables: vec![("tier".into(), T), ("cap".into(), K), ("band".into(), W)],
            programs: vec!["base".into(), "bonus".into()],
            consts: Consts { values: named.iter().map(|(_, _, v)| *v).collect(), tables: vec![tier, cap, band] },
        }
    })
}

/// Other programs' results for one assignment (both evaluators ask the same object).
#[derive(Clone, Debug)]
struct Progs {
    amount: [Result<V, EvalError>; 2],
    eligible: [Result<V, EvalError>; 2],
}

impl Programs for Progs {
    fn amount(&self, p: usize) -> Result<V, EvalError> {
        self.amount.get(p).cloned().unwrap_or(Err(EvalError::Type))
    }
    fn eligible(&self, p: usize) -> Result<V, EvalError> {
        self.eligible.get(p).cloned().unwrap_or(Err(EvalError::Type))
    }
}

const AMOUNTS: &[Result<V, EvalError>] = &[
    Ok(V::Unknown),
    Ok(V::Num(Decimal::ZERO)),
    Ok(V::Num(Decimal::from_parts(100_000, 0, 0, false, 2))),
    Ok(V::Num(Decimal::MAX)),
    Err(EvalError::Type),
    Err(EvalError::Overflow),
];
const ELIGIBLE: &[Result<V, EvalError>] = &[Ok(V::Unknown), Ok(V::Bool(true)), Ok(V::Bool(false)), Err(EvalError::Type)];

/// One assignment: a value per question, the date of the estimate, other programs.
#[derive(Clone, Debug)]
struct Assignment {
    values: [V; NQ],
    as_of: Date,
    progs: Progs,
}

const DATES: &[&str] = &[
    "2000-02-29",
    "2000-02-28",
    "2000-03-01",
    "2024-02-29",
    "2024-02-28",
    "2024-03-01",
    "2023-02-28",
    "2023-03-01",
    "2025-02-28",
    "2025-03-01",
    "1900-02-28",
    "1900-03-01",
    "2100-02-28",
    "2100-03-01",
    "2096-02-29",
    "1904-02-29",
    "1900-01-01",
    "1900-01-02",
    "2999-12-31",
    "2999-12-30",
    "2999-02-28",
    "1989-07-15",
    "1989-07-16",
    "2024-07-15",
    "2024-07-16",
    "2017-06-21",
    "2024-01-01",
    "2023-12-31",
    "2024-01-31",
    "2024-12-31",
    "1970-01-01",
    "2000-01-01",
];

fn numbers() -> &'static Vec<Decimal> {
    static N: OnceLock<Vec<Decimal>> = OnceLock::new();
    N.get_or_init(|| {
        let mut v: Vec<Decimal> = [
            "0", "1", "-1", "2", "3", "12", "13", "24", "30.0", "35", "0.5", "-0.5", "0.1", "12500.00", "99999.99", "100000",
            "100001", "-100000", "-100001", "8333", "1200000", "2147483647", "2147483648", "-2147483648",
            "0.0000000000000000000000000001", "-0.0000000000000000000000000001", "0.0000000000000000000000000000",
            "7922816251426433759354395033", "-7922816251426433759354395033", "3.3333333333333333333333333333",
        ]
        .iter()
        .map(|s| dec(s))
        .collect();
        v.extend([Decimal::MAX, Decimal::MIN, Decimal::MAX - Decimal::ONE, Decimal::MIN + Decimal::ONE]);
        v
    })
}

/// Reads bytes, zeros once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    fn number(&mut self) -> V {
        let b = self.u8();
        let ns = numbers();
        match b {
            0 => V::Unknown,
            0xF0..=0xFF => {
                let (lo, mid, hi) = (self.u32(), self.u32(), self.u32());
                let flags = self.u8();
                V::Num(Decimal::from_parts(lo, mid, hi, flags & 0x80 != 0, u32::from(flags & 0x7F) % 29))
            }
            0xE0..=0xEF => {
                let n = i64::from(i32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()]));
                V::Num(Decimal::from(n))
            }
            _ => V::Num(ns[usize::from(b - 1) % ns.len()]),
        }
    }

    fn date(&mut self) -> V {
        match self.u8() {
            0 => V::Unknown,
            0xF0..=0xFF => {
                let n = u32::from_le_bytes([self.u8(), self.u8(), self.u8(), 0]);
                let span = Date::MAX.days() - Date::MIN.days() + 1;
                V::Date(Date::MIN.add_days(n as i32 % span).unwrap_or(Date::MIN))
            }
            b => V::Date(day(DATES[usize::from(b - 1) % DATES.len()])),
        }
    }

    fn as_of(&mut self) -> Date {
        match self.date() {
            V::Date(d) => d,
            _ => day("2024-07-15"),
        }
    }

    fn option(&mut self, n: usize) -> V {
        match usize::from(self.u8()) % (n + 1) {
            0 => V::Unknown,
            o => V::Opt(o - 1),
        }
    }

    fn boolean(&mut self) -> V {
        [V::Unknown, V::Bool(false), V::Bool(true)][usize::from(self.u8()) % 3]
    }

    fn assignment(&mut self) -> Assignment {
        let mut values = [V::Unknown; NQ];
        values[T] = self.option(3);
        values[OK] = self.boolean();
        values[M] = self.number();
        values[X] = self.number();
        values[D] = self.date();
        values[BORN] = self.date();
        values[K] = self.option(64);
        values[W] = self.option(70);
        values[FLAG] = self.boolean();
        let as_of = self.as_of();
        let p = self.u8();
        let q = self.u8();
        let progs = Progs {
            amount: [AMOUNTS[usize::from(p & 7) % AMOUNTS.len()].clone(), AMOUNTS[usize::from(p >> 4) % AMOUNTS.len()].clone()],
            eligible: [ELIGIBLE[usize::from(q & 3)].clone(), ELIGIBLE[usize::from(q >> 2 & 3)].clone()],
        };
        Assignment { values, as_of, progs }
    }
}

fn fixed() -> &'static Vec<Assignment> {
    static A: OnceLock<Vec<Assignment>> = OnceLock::new();
    A.get_or_init(|| {
        let p = |a: usize, b: usize, e: usize, f: usize| Progs {
            amount: [AMOUNTS[a].clone(), AMOUNTS[b].clone()],
            eligible: [ELIGIBLE[e].clone(), ELIGIBLE[f].clone()],
        };
        let dt = |s| V::Date(day(s));
        vec![
            // nothing answered
            Assignment { values: [V::Unknown; NQ], as_of: day("2024-07-15"), progs: p(0, 0, 0, 0) },
            // a typical complete answer
            Assignment {
                values: [V::Opt(0), V::Bool(true), V::Num(24.into()), V::Num(dec("0.5")), dt("2024-01-01"), dt("2000-02-29"), V::Opt(63), V::Opt(64), V::Bool(false)],
                as_of: day("2024-02-29"),
                progs: p(2, 1, 1, 2),
            },
            // the edges: the missing table row, the largest numbers, the first and last days
            Assignment {
                values: [V::Opt(1), V::Bool(false), V::Num(Decimal::MAX), V::Num(Decimal::MIN), dt("1900-01-01"), dt("2999-12-31"), V::Opt(0), V::Opt(69), V::Bool(true)],
                as_of: day("2999-12-31"),
                progs: p(3, 5, 3, 1),
            },
            // 29 February against a common year, tiny and negative numbers
            Assignment {
                values: [V::Opt(2), V::Bool(true), V::Num(Decimal::NEGATIVE_ONE), V::Num(Decimal::new(1, 28)), dt("2000-02-29"), dt("2024-02-29"), V::Opt(3), V::Opt(1), V::Bool(true)],
                as_of: day("2025-02-28"),
                progs: p(1, 4, 2, 0),
            },
            // some answered, some not
            Assignment {
                values: [V::Opt(0), V::Unknown, V::Num(100_001.into()), V::Unknown, dt("2023-03-01"), V::Unknown, V::Unknown, V::Opt(2), V::Bool(false)],
                as_of: day("1900-01-01"),
                progs: p(0, 2, 0, 1),
            },
        ]
    })
}

fn kind_of(v: &V) -> &'static str {
    match v {
        V::Unknown => "unknown",
        V::Bool(_) => "bool",
        V::Num(_) => "number",
        V::Date(_) => "date",
        V::Span(_) => "span",
        V::Opt(_) => "option",
        V::Program(_) => "program",
    }
}

/// Whether a value fits the checked type (unknown fits all).
fn fits(v: &V, ty: Ty) -> bool {
    matches!(
        (v, ty),
        (V::Unknown, _) | (V::Bool(_), Ty::Bool) | (V::Num(_), Ty::Num) | (V::Date(_), Ty::Date) | (V::Span(_), Ty::Span) | (V::Opt(_), Ty::Enum(_)) | (V::Program(_), Ty::Program)
    )
}

fuzz_target!(|data: &[u8]| {
    let (text, rest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(src) = std::str::from_utf8(text) else { return };
    let f = fixture();
    let scope = Scope { questions: &f.questions, visible: NQ, values: &f.values, tables: &f.tables, programs: &f.programs };
    let Ok(mut e) = parse(src) else { return };
    let Ok(ty) = check(&mut e, &scope) else { return };
    let code = compile(&e, &scope, &f.consts);

    let mut bytes = Bytes(rest);
    let mut extra = Vec::new();
    while !bytes.0.is_empty() && extra.len() < 8 {
        extra.push(bytes.assignment());
    }
    for a in fixed().iter().chain(extra.iter()) {
        let env = Env::new(&a.values, a.as_of).with_consts(&f.consts).with_programs(&a.progs);
        let want = eval(&e, &env);
        let got = code.eval(&env);
        assert!(
            got == want,
            "compiled and tree evaluation differ\n  expression: {src}\n  values: {:?}\n  as_of: {}\n  programs: {:?}\n  tree: {want:?}\n  compiled: {got:?}\n  code: {code:?}",
            a.values,
            a.as_of,
            a.progs
        );
        if ty == Ty::Bool {
            let truth = want.clone().map(|v| match v {
                V::Bool(true) => Tri::True,
                V::Bool(false) => Tri::False,
                _ => Tri::Unknown,
            });
            let holds = code.holds(&env);
            assert!(
                holds == truth,
                "holds() differs from the tree\n  expression: {src}\n  values: {:?}\n  as_of: {}\n  programs: {:?}\n  tree: {want:?}\n  holds: {holds:?}\n  code: {code:?}",
                a.values,
                a.as_of,
                a.progs
            );
        }
        if let Ok(v) = &want {
            if ty != Ty::Text {
                assert!(fits(v, ty), "a checked expression of type {ty:?} gives a {}: {v:?}\n  expression: {src}\n  values: {:?}", kind_of(v), a.values);
            }
        }
    }
});
