//! Answers: validated against the questions of the version in force, field by field.
//!
//! Raw answers arrive as JSON (CLI, batch) or as a JS object (the widget). Each is checked
//! against its question; every problem is reported with the question id, and a bad answer
//! never disturbs the others.

use crate::date::{truncate, Date};
use crate::error::{joined, quoted, AnswerError};
use crate::expr::V;
use crate::money::parse_decimal;
use crate::rules::{Bound, QType, Version};
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
    /// An array, object or anything else no question accepts; names its kind.
    Other(&'static str),
    /// A value that could not be read at all (a number beyond any range, nesting too deep);
    /// says why.
    Unreadable(String),
}

impl Raw {
    /// Converts a JSON value.
    pub fn from_json(v: &serde_json::Value) -> Raw {
        match v {
            serde_json::Value::Null => Raw::Null,
            serde_json::Value::Bool(b) => Raw::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Raw::Int(i),
                None => Raw::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Raw::Str(s.clone()),
            serde_json::Value::Array(_) => Raw::Other("an array"),
            serde_json::Value::Object(_) => Raw::Other("an object"),
        }
    }

    fn kind(&self) -> String {
        match self {
            Raw::Null => "null".into(),
            Raw::Bool(b) => format!("{b}"),
            Raw::Int(i) => format!("the number {i}"),
            Raw::Float(f) if f.is_nan() => "NaN".into(),
            Raw::Float(f) if f.is_infinite() => "an infinite number".into(),
            Raw::Float(_) => "a number with a fraction".into(),
            Raw::Str(s) => format!("the text {}", quoted(&truncate(s, 30))),
            Raw::Other(k) => (*k).into(),
            Raw::Unreadable(m) => format!("a value that cannot be read ({m})"),
        }
    }
}

/// Raw answers: question id → value, in input order.
pub type RawAnswers = Vec<(String, Raw)>;

/// Reads a JSON object of answers. Anything but an object is an error on the field `answers`.
pub fn raw_from_json(v: &serde_json::Value) -> Result<RawAnswers, AnswerError> {
    match v {
        serde_json::Value::Object(m) => Ok(m.iter().map(|(k, v)| (k.clone(), Raw::from_json(v))).collect()),
        serde_json::Value::Null => Ok(Vec::new()),
        _ => Err(AnswerError { field: "answers".into(), message: "answers must be a JSON object {\"question_id\": value}".into() }),
    }
}

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
    let bad = |message: String| AnswerError { field: "answers".into(), message };
    let mut de = serde_json::Deserializer::from_str(text);
    let fields = de.deserialize_any(Fields).map_err(|e| {
        if e.is_data() {
            bad("answers must be a JSON object {\"question_id\": value}".into())
        } else {
            bad(format!("not valid JSON: {e}"))
        }
    })?;
    de.end().map_err(|e| bad(format!("not valid JSON: {e}")))?;
    Ok(fields
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let raw = match serde_json::from_str::<serde_json::Value>(v.get()) {
                Ok(j) => Raw::from_json(&j),
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

fn in_bounds(q: &crate::rules::Question, b: Bound) -> Option<String> {
    let below = match (q.min, b) {
        (Some(Bound::Num(m)), Bound::Num(x)) => x < m,
        (Some(Bound::Date(m)), Bound::Date(x)) => x < m,
        _ => false,
    };
    let above = match (q.max, b) {
        (Some(Bound::Num(m)), Bound::Num(x)) => x > m,
        (Some(Bound::Date(m)), Bound::Date(x)) => x > m,
        _ => false,
    };
    (below || above).then(|| match (q.min, q.max) {
        (Some(a), Some(z)) => format!("{b} is out of range: it must be from {a} to {z}"),
        (Some(a), None) => format!("{b} is out of range: it must be at least {a}"),
        (None, Some(z)) => format!("{b} is out of range: it must be at most {z}"),
        _ => String::new(),
    })
}

/// Validates one raw answer against a question. `Ok(V::Unknown)` for null.
pub fn validate(q: &crate::rules::Question, raw: &Raw) -> Result<V, String> {
    if *raw == Raw::Null {
        return Ok(V::Unknown);
    }
    let wrong = |want: &str| Err(format!("expected {want}, got {}", raw.kind()));
    match q.ty {
        QType::Bool => match raw {
            Raw::Bool(b) => Ok(V::Bool(*b)),
            _ => wrong("true or false"),
        },
        QType::Integer => {
            let n: Decimal = match raw {
                Raw::Int(i) => Decimal::from(*i),
                Raw::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => Decimal::from(*f as i64),
                Raw::Str(s) if !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()) => match crate::node::parse_i64(s) {
                    Some(i) => Decimal::from(i),
                    None => return wrong("a whole number"),
                },
                _ => return wrong("a whole number"),
            };
            match in_bounds(q, Bound::Num(n)) {
                Some(m) => Err(m),
                None => Ok(V::Num(n)),
            }
        }
        QType::Decimal => {
            let n = match raw {
                Raw::Int(i) => Decimal::from(*i),
                Raw::Str(s) => parse_decimal(s)?,
                Raw::Float(_) => return wrong("a decimal written as a string, such as \"1234.50\" (numbers lose precision)"),
                _ => return wrong("a decimal string such as \"1234.50\""),
            };
            match in_bounds(q, Bound::Num(n)) {
                Some(m) => Err(m),
                None => Ok(V::Num(n.normalize())),
            }
        }
        QType::Date => {
            let Raw::Str(s) = raw else { return wrong("a date \"YYYY-MM-DD\"") };
            let d = Date::parse(s)?;
            match in_bounds(q, Bound::Date(d)) {
                Some(m) => Err(m),
                None => Ok(V::Date(d)),
            }
        }
        QType::Enum => {
            let ids = || joined(&q.options.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), ", ");
            let Raw::Str(s) = raw else { return Err(format!("expected one of {}, got {}", ids(), raw.kind())) };
            match q.options.iter().position(|o| o.id == *s) {
                Some(i) => Ok(V::Opt(i)),
                None => Err(format!("{} is not an option; the options are {}", quoted(&truncate(s, 30)), ids())),
            }
        }
    }
}

impl Answers {
    /// Validates raw answers against a version; every problem is listed, none is fatal to the
    /// others. On error the valid answers are still returned beside the errors.
    pub fn parse(v: &Version, raw: &[(String, Raw)]) -> (Answers, Vec<AnswerError>) {
        let mut values = vec![V::Unknown; v.questions.len()];
        let mut errs = Vec::new();
        let mut seen = vec![false; v.questions.len()];
        for (key, value) in raw {
            let Some(i) = v.question_index(key) else {
                errs.push(AnswerError {
                    field: truncate(key, 64),
                    message: format!(
                        "unknown question; the questions of version {} are {}",
                        v.version,
                        joined(&v.questions.iter().map(|q| q.id.as_str()).collect::<Vec<_>>(), ", ")
                    ),
                });
                continue;
            };
            if std::mem::replace(&mut seen[i], true) {
                errs.push(AnswerError { field: key.clone(), message: "answered twice".into() });
                continue;
            }
            match validate(&v.questions[i], value) {
                Ok(x) => values[i] = x,
                Err(m) => errs.push(AnswerError { field: key.clone(), message: m }),
            }
        }
        // Report in question order (unknown keys last, by name; equals in the order found),
        // whatever order the input had.
        let mut keyed: Vec<(usize, usize, AnswerError)> =
            errs.into_iter().enumerate().map(|(i, e)| (v.question_index(&e.field).unwrap_or(usize::MAX), i, e)).collect();
        crate::sort::sort_by(&mut keyed, |a, b| (a.0, &a.2.field, a.1) < (b.0, &b.2.field, b.1));
        let errs: Vec<AnswerError> = keyed.into_iter().map(|(_, _, e)| e).collect();
        (Answers { values }, errs)
    }
}
