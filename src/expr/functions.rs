//! The function registry: one definition per function gives its name, parameters, result
//! type, documentation and evaluation. The parser looks names up here, the checker checks
//! calls against the parameters, and both evaluators call `eval`; `docs/rule-files.md` lists
//! the same table.

use super::eval::{cmp, Env, EvalError, V};
use super::Ty;
use crate::date::Span;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// A function of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Func {
    Min,
    Max,
    Date,
    Age,
    Years,
    Months,
    Days,
    Amount,
    Eligible,
}

/// What a parameter takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// A number.
    Number,
    /// A date.
    Date,
    /// Numbers or dates, all arguments of one type.
    Ordered,
    /// A date written as a quoted literal (`'2024-01-01'`).
    DateText,
    /// A program id (`amount(base_fund)`).
    Program,
}

impl Param {
    /// What it takes, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Param::Number => "a number",
            Param::Date => "a date",
            Param::Ordered => "numbers or dates",
            Param::DateText => "a quoted date like '2024-01-01'",
            Param::Program => "a program id",
        }
    }
}

/// One function: its signature, documentation and evaluation.
pub struct Function {
    /// Which function.
    pub func: Func,
    /// Its name in rule files.
    pub name: &'static str,
    /// Its parameters.
    pub params: &'static [Param],
    /// Whether the last parameter repeats (one or more).
    pub variadic: bool,
    /// Whether it reads the date of the estimate.
    pub reads_as_of: bool,
    /// What it gives, for the docs.
    pub summary: &'static str,
    /// An example, for the docs.
    pub example: &'static str,
    /// Its result type, given its arguments' checked types.
    pub result: fn(&[Ty]) -> Ty,
    /// Its value, given known arguments (never `Unknown`: a call with an unknown argument is
    /// unknown without calling this).
    pub eval: fn(&[V], &Env<'_>) -> Result<V, EvalError>,
}

/// Every function, in the order the docs list them.
pub static FUNCTIONS: [Function; 9] = [
    Function {
        func: Func::Min,
        name: "min",
        params: &[Param::Ordered],
        variadic: true,
        reads_as_of: false,
        summary: "the smallest of its arguments (numbers or dates)",
        example: "12500.00 * min(months_in_station, 24)",
        result: first_type,
        eval: |args, _| extreme(args, Ordering::Less),
    },
    Function {
        func: Func::Max,
        name: "max",
        params: &[Param::Ordered],
        variadic: true,
        reads_as_of: false,
        summary: "the largest of its arguments (numbers or dates)",
        example: "max(months_in_station - 12, 0)",
        result: first_type,
        eval: |args, _| extreme(args, Ordering::Greater),
    },
    Function {
        func: Func::Date,
        name: "date",
        params: &[Param::DateText],
        variadic: false,
        reads_as_of: false,
        summary: "a date written in the rule file",
        example: "home_bought_on >= date('2017-06-21')",
        result: |_| Ty::Date,
        // resolved to a literal by the checker
        eval: |_, _| Err(EvalError::Type),
    },
    Function {
        func: Func::Age,
        name: "age",
        params: &[Param::Date],
        variadic: false,
        reads_as_of: true,
        summary: "completed years (周岁) from a date to as_of; born on 29 February, the birthday is 1 March in common years",
        example: "age(birth_date) < 35",
        result: |_| Ty::Num,
        eval: |args, env| match args {
            [V::Date(d)] => Ok(V::Num(Decimal::from(d.years_since(env.as_of)))),
            _ => Err(EvalError::Type),
        },
    },
    Function {
        func: Func::Years,
        name: "years",
        params: &[Param::Number],
        variadic: false,
        reads_as_of: false,
        summary: "a length of whole years, to add to or subtract from a date",
        example: "as_of <= graduated_on + years(2)",
        result: |_| Ty::Span,
        eval: |args, _| span(args, 12, 0),
    },
    Function {
        func: Func::Months,
        name: "months",
        params: &[Param::Number],
        variadic: false,
        reads_as_of: false,
        summary: "a length of whole months; a day the month lacks becomes the 1st of the next",
        example: "started_on + months(6)",
        result: |_| Ty::Span,
        eval: |args, _| span(args, 1, 0),
    },
    Function {
        func: Func::Days,
        name: "days",
        params: &[Param::Number],
        variadic: false,
        reads_as_of: false,
        summary: "a length of whole days",
        example: "approved_on + days(30)",
        result: |_| Ty::Span,
        eval: |args, _| span(args, 0, 1),
    },
    Function {
        func: Func::Amount,
        name: "amount",
        params: &[Param::Program],
        variadic: false,
        reads_as_of: false,
        summary: "another program's amount for the same answers (0 when it is not eligible)",
        example: "amount(station_construction_subsidy) * 0.10",
        result: |_| Ty::Num,
        eval: |args, env| match args {
            [V::Program(p)] => env.programs.amount(*p),
            _ => Err(EvalError::Type),
        },
    },
    Function {
        func: Func::Eligible,
        name: "eligible",
        params: &[Param::Program],
        variadic: false,
        reads_as_of: false,
        summary: "whether another program is eligible for the same answers",
        example: "not eligible(graduate_living_subsidy)",
        result: |_| Ty::Bool,
        eval: |args, env| match args {
            [V::Program(p)] => env.programs.eligible(*p),
            _ => Err(EvalError::Type),
        },
    },
];

fn first_type(args: &[Ty]) -> Ty {
    args.first().copied().unwrap_or(Ty::Num)
}

fn extreme(args: &[V], want: Ordering) -> Result<V, EvalError> {
    let mut best: Option<V> = None;
    for &v in args {
        best = match best {
            Some(b) if cmp(v, b).ok_or(EvalError::Type)? != want => Some(b),
            _ => Some(v),
        };
    }
    best.ok_or(EvalError::Type)
}

/// `n` whole units of `months` months and `days` days.
fn span(args: &[V], months: i32, days: i32) -> Result<V, EvalError> {
    let [V::Num(n)] = args else { return Err(EvalError::Type) };
    if !n.is_integer() {
        return Err(EvalError::NotWhole);
    }
    let n = n.to_i32().filter(|n| n.unsigned_abs() <= 100_000).ok_or(EvalError::NotWhole)?;
    Ok(V::Span(Span { months: months * n, days: days * n }))
}

impl Func {
    /// Its definition.
    pub fn def(self) -> &'static Function {
        let i = match self {
            Func::Min => 0,
            Func::Max => 1,
            Func::Date => 2,
            Func::Age => 3,
            Func::Years => 4,
            Func::Months => 5,
            Func::Days => 6,
            Func::Amount => 7,
            Func::Eligible => 8,
        };
        &FUNCTIONS[i]
    }

    /// The function with this name.
    pub fn by_name(name: &str) -> Option<Func> {
        FUNCTIONS.iter().find(|f| f.name == name).map(|f| f.func)
    }

    /// Every function's name, for messages.
    pub fn names() -> Vec<&'static str> {
        FUNCTIONS.iter().map(|f| f.name).collect()
    }

    /// The call's value: unknown when an argument is unknown.
    pub fn call(self, args: &[V], env: &Env<'_>) -> Result<V, EvalError> {
        if args.contains(&V::Unknown) {
            return Ok(V::Unknown);
        }
        (self.def().eval)(args, env)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_is_in_enum_order() {
        for (i, f) in FUNCTIONS.iter().enumerate() {
            assert!(std::ptr::eq(f.func.def(), &FUNCTIONS[i]), "{}", f.name);
            assert_eq!(Func::by_name(f.name), Some(f.func));
        }
    }

    /// The fuzzer's find: the smallest i32 negated overflowed (a panic with overflow checks,
    /// `years(-2147483648) == years(0)` without).
    #[test]
    fn lengths_beyond_the_limit_are_refused() {
        for n in [i64::from(i32::MIN), i64::from(i32::MAX), -100_001, 100_001] {
            assert_eq!(span(&[V::Num(Decimal::from(n))], 12, 0), Err(EvalError::NotWhole), "{n}");
        }
        assert_eq!(span(&[V::Num(Decimal::from(-100_000))], 12, 0), Ok(V::Span(crate::date::Span { months: -1_200_000, days: 0 })));
    }
}
