//! Answers: validated against the questions of the version in force, field by field.
//!
//! Raw answers arrive as JSON (CLI, batch), as a JS object or as form fields (the widget).
//! Each is checked against its question; every problem is reported with the question id, and
//! a bad answer never disturbs the others.

use crate::date::Date;
use crate::error::{short, AnswerError, AnswerProblem, Expected, Found, List};
use crate::expr::V;
use crate::money::parse_decimal;
use crate::rules::{Bound, QType, Question, Version, MAX_ENTRIES};
use rust_decimal::Decimal;

/// A raw answer value, before validation.
#[derive(Clone, Debug, PartialEq)]
pub enum Raw {
    /// `null`: not answered.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number that fits 64 bits.
    Int(i64),
    /// Any other number (JS numbers, JSON fractions, huge integers).
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Array,
    /// An object.
    Object,
    /// A value that could not be read at all (a number beyond any range, nesting too deep);
    /// says why.
    Unreadable(String),
}

impl Raw {
    /// What it is, for messages.
    fn found(&self) -> Found {
        match self {
            Raw::Null => Found::Null,
            Raw::Bool(b) => Found::Bool(*b),
            Raw::Int(i) => Found::Integer(*i),
            Raw::Float(f) if f.is_nan() => Found::NotANumber,
            Raw::Float(f) if f.is_infinite() => Found::Infinite,
            Raw::Float(_) => Found::Fraction,
            Raw::Str(s) => Found::Text(short(s, 30)),
            Raw::Array => Found::Array,
            Raw::Object => Found::Object,
            Raw::Unreadable(m) => Found::Unreadable(m.clone()),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Raw {
    /// Any JSON or JS value, as it is: nothing is coerced (a NaN stays a NaN, to be refused).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct R;
        impl<'de> Visitor<'de> for R {
            type Value = Raw;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an answer")
            }
            fn visit_unit<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_none<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
                Ok(Raw::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
                Ok(Raw::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
                Ok(i64::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
                Ok(Raw::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
                Ok(Raw::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Raw, E> {
                Ok(Raw::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
                while seq.next_element_seed(Inner(1))?.is_some() {}
                Ok(Raw::Array)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
                while map.next_key::<IgnoredAny>()?.is_some() {
                    map.next_value_seed(Inner(1))?;
                }
                Ok(Raw::Object)
            }
        }
        d.deserialize_any(R)
    }
}

/// Most levels of arrays and objects read inside an answer (none is ever valid; this only
/// bounds the work and the stack for hostile input).
const MAX_NESTING: u32 = 100;

/// What is inside an array or object answer, read only to its end, at a depth.
struct Inner(u32);

impl<'de> serde::de::DeserializeSeed<'de> for Inner {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        use serde::de::{Error, IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct V(u32);
        impl<'de> Visitor<'de> for V {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<(), E> {
                Ok(())
            }
            fn visit_i64<E>(self, _: i64) -> Result<(), E> {
                Ok(())
            }
            fn visit_u64<E>(self, _: u64) -> Result<(), E> {
                Ok(())
            }
            fn visit_f64<E>(self, _: f64) -> Result<(), E> {
                Ok(())
            }
            fn visit_str<E>(self, _: &str) -> Result<(), E> {
                Ok(())
            }
            fn visit_unit<E>(self) -> Result<(), E> {
                Ok(())
            }
            fn visit_none<E>(self) -> Result<(), E> {
                Ok(())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                if self.0 >= MAX_NESTING {
                    return Err(A::Error::custom("recursion limit exceeded"));
                }
                while seq.next_element_seed(Inner(self.0 + 1))?.is_some() {}
                Ok(())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                if self.0 >= MAX_NESTING {
                    return Err(A::Error::custom("recursion limit exceeded"));
                }
                while map.next_key::<IgnoredAny>()?.is_some() {
                    map.next_value_seed(Inner(self.0 + 1))?;
                }
                Ok(())
            }
        }
        d.deserialize_any(V(self.0))
    }
}

/// Raw answers: question id → value, in input order.
pub type RawAnswers = Vec<(String, Raw)>;

/// Reads answers from JSON text. Each field is read on its own, so a value that cannot be
/// read (`1e400`, nesting thousands deep) becomes an error naming that field, and the other
/// answers are kept. Keys keep their input order; a repeated key is reported by
/// [`Answers::parse`].
pub fn raw_from_json_text(text: &str) -> Result<RawAnswers, AnswerError> {
    use serde::de::{Deserializer, MapAccess, Visitor};
    use serde_json::value::RawValue;

    struct Fields;
    impl<'de> Visitor<'de> for Fields {
        type Value = Option<Vec<(String, &'de RawValue)>>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object {\"question_id\": value}")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                out.push((k, v));
            }
            Ok(Some(out))
        }
    }
    let bad = |problem| AnswerError { field: "answers".into(), problem };
    let mut de = serde_json::Deserializer::from_str(text);
    let fields = de.deserialize_any(Fields).map_err(|e| {
        if e.is_data() {
            bad(AnswerProblem::NotAnObject {})
        } else {
            bad(AnswerProblem::NotJson { detail: e.to_string() })
        }
    })?;
    de.end().map_err(|e| bad(AnswerProblem::NotJson { detail: e.to_string() }))?;
    Ok(fields
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let raw = match serde_json::from_str::<Raw>(v.get()) {
                Ok(r) => r,
                Err(e) => Raw::Unreadable(e.to_string().split(" at line").next().unwrap_or("").to_string()),
            };
            (k, raw)
        })
        .collect())
}

/// Validated answers: one value per question of the version (`V::Unknown` when unanswered).
#[derive(Clone, Debug, PartialEq)]
pub struct Answers {
    /// Values by question index.
    pub values: Vec<V>,
}

/// `None` when `b` is within the question's bounds on `as_of`, else the problem.
fn in_bounds(q: &Question, b: Bound, as_of: Date) -> Option<AnswerProblem> {
    let (min, max) = (q.min.map(|x| x.on(as_of)), q.max.map(|x| x.on(as_of)));
    let below = match (min, b) {
        (Some(Bound::Num(m)), Bound::Num(x)) => x < m,
        (Some(Bound::Date(m)), Bound::Date(x)) => x < m,
        _ => false,
    };
    let above = match (max, b) {
        (Some(Bound::Num(m)), Bound::Num(x)) => x > m,
        (Some(Bound::Date(m)), Bound::Date(x)) => x > m,
        _ => false,
    };
    (below || above).then(|| AnswerProblem::OutOfRange {
        value: b.to_string(),
        min: min.map(|x| x.to_string()),
        max: max.map(|x| x.to_string()),
    })
}

/// Validates one raw answer against a question on the date of the estimate. `Ok(V::Unknown)`
/// for null.
pub fn validate(q: &Question, raw: &Raw, as_of: Date) -> Result<V, AnswerProblem> {
    if *raw == Raw::Null {
        return Ok(V::Unknown);
    }
    let wrong = |expected| Err(AnswerProblem::WrongType { expected, found: raw.found() });
    let checked = |b: Bound, v: V| match in_bounds(q, b, as_of) {
        Some(p) => Err(p),
        None => Ok(v),
    };
    match q.ty {
        QType::Bool => match raw {
            Raw::Bool(b) => Ok(V::Bool(*b)),
            _ => wrong(Expected::Bool),
        },
        QType::Integer => {
            let n: Decimal = match raw {
                Raw::Int(i) => Decimal::from(*i),
                Raw::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => Decimal::from(*f as i64),
                Raw::Str(s) if !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()) => match s.parse::<i64>() {
                    Ok(i) => Decimal::from(i),
                    Err(_) => return wrong(Expected::WholeNumber),
                },
                _ => return wrong(Expected::WholeNumber),
            };
            checked(Bound::Num(n), V::Num(n))
        }
        QType::Decimal => {
            let n = match raw {
                Raw::Int(i) => Decimal::from(*i),
                Raw::Str(s) => parse_decimal(s).map_err(|detail| AnswerProblem::BadDecimal { value: short(s, 40), detail })?,
                Raw::Float(_) => return wrong(Expected::DecimalNotNumber),
                _ => return wrong(Expected::DecimalString),
            };
            checked(Bound::Num(n), V::Num(n.normalize()))
        }
        QType::Date => {
            let Raw::Str(s) = raw else { return wrong(Expected::Date) };
            let d = Date::parse(s).map_err(|detail| AnswerProblem::BadDate { value: short(s, 40), detail })?;
            checked(Bound::Date(d), V::Date(d))
        }
        QType::Enum => {
            let ids = || q.options.iter().map(|o| o.id.as_str()).collect::<List>();
            let Raw::Str(s) = raw else { return Err(AnswerProblem::ExpectedOption { options: ids(), found: raw.found() }) };
            match q.options.iter().position(|o| o.id == *s) {
                Some(i) => Ok(V::Opt(i)),
                None => Err(AnswerProblem::NotAnOption { value: short(s, 30), options: ids() }),
            }
        }
    }
}

impl Answers {
    /// Validates raw answers against a version on the date of the estimate; every problem is
    /// listed, none is fatal to the others. The valid answers are returned beside the errors.
    pub fn parse(v: &Version, raw: &[(String, Raw)], as_of: Date) -> (Answers, Vec<AnswerError>) {
        let mut values = vec![V::Unknown; v.questions.len()];
        // more answers than a version can have questions: one error, not one per answer
        if raw.len() > MAX_ENTRIES {
            let problem = AnswerProblem::TooManyAnswers { count: raw.len() as i64, max: MAX_ENTRIES as i64 };
            return (Answers { values }, vec![AnswerError { field: "answers".into(), problem }]);
        }
        let mut errs = Vec::new();
        let mut seen = vec![false; v.questions.len()];
        for (key, value) in raw {
            let Some(i) = v.question_index(key) else {
                errs.push(AnswerError {
                    field: short(key, 64),
                    problem: AnswerProblem::UnknownQuestion {
                        version: v.version.clone(),
                        questions: v.questions.iter().map(|q| q.id.as_str()).collect(),
                    },
                });
                continue;
            };
            if std::mem::replace(&mut seen[i], true) {
                errs.push(AnswerError { field: key.clone(), problem: AnswerProblem::AnsweredTwice {} });
                continue;
            }
            match validate(&v.questions[i], value, as_of) {
                Ok(x) => values[i] = x,
                Err(problem) => errs.push(AnswerError { field: key.clone(), problem }),
            }
        }
        // In question order (unknown keys last, by name; equals in the order found), whatever
        // order the input had.
        let mut keyed: Vec<(usize, usize, AnswerError)> =
            errs.into_iter().enumerate().map(|(i, e)| (v.question_index(&e.field).unwrap_or(usize::MAX), i, e)).collect();
        keyed.sort_by(|a, b| (a.0, &a.2.field, a.1).cmp(&(b.0, &b.2.field, b.1)));
        (Answers { values }, keyed.into_iter().map(|(_, _, e)| e).collect())
    }
}
