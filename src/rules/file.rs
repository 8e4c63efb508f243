//! The rule-file format, declared once: these types are what a version file says, read from
//! TOML (authoring) and from JSON bundles (the browser) by the same serde derives, unknown keys
//! rejected. They keep values as written; [`super::load`] checks them and builds the model.
//! See `docs/rule-files.md` for the format in words.

use super::Text;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// One version file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VersionFile {
    /// The format of the file; 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Scalar>,
    /// The rule set id (the folder's name).
    pub rule_set: String,
    /// The version id (the file's name).
    pub version: String,
    /// The policy's name.
    pub name: Text,
    /// One sentence on what it gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    /// Where it applies.
    pub jurisdiction: Text,
    /// Who issued it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issuers: Vec<Text>,
    /// Where to apply, in words (shown when the engine cannot run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply: Option<Text>,
    /// ISO 4217 code.
    pub currency: String,
    /// First day in force.
    pub effective_from: Scalar,
    /// First day no longer in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<Scalar>,
    /// A date question whose answer picks the version (the version in force when the event
    /// happened), instead of `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions_by: Option<String>,
    /// How money is rounded.
    pub money: MoneyFile,
    /// Readings we chose where the source is silent, for the whole version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<Text>,
    /// Cited sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceFile>,
    /// Questions, in the order they are asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<QuestionFile>,
    /// Named values (a rate, a quota), each cited.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueFile>,
    /// Tables of values by the option of an enum question (a tier by degree), each cited.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<TableFile>,
    /// Who pays.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payers: Vec<PayerFile>,
    /// The programs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<ProgramFile>,
}

/// `[money]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MoneyFile {
    /// Digits after the point.
    pub scale: Option<Scalar>,
    /// The rounding mode's name.
    pub rounding: Option<String>,
}

/// `[[sources]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// The id rules cite.
    pub id: String,
    /// The document's title.
    pub title: String,
    /// Who issued or published it.
    pub issuer: String,
    /// `YYYY-MM-DD` or `YYYY-MM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Scalar>,
    /// Document number (文号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Where to read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The quoted text.
    pub quote: String,
}

/// `[[questions]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionFile {
    /// The answer key.
    pub id: String,
    /// `bool`, `integer`, `decimal`, `date` or `enum`.
    #[serde(rename = "type")]
    pub ty: String,
    /// The label.
    pub label: Text,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    /// The unit of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Text>,
    /// Options of an enum question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionFile>,
    /// Smallest answer: a number, a date, or `"as_of"` for a date question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Scalar>,
    /// Largest answer, as `min`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Scalar>,
    /// When the question is asked (an expression); always when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask_when: Option<String>,
    /// A fact the person cannot change (a birth date, a past event): never suggested as a
    /// change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fixed: bool,
    /// The source it derives from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// A reading we chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<Text>,
}

/// An option of an enum question.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OptionFile {
    /// The option id.
    pub id: String,
    /// Its label.
    pub label: Text,
}

/// `[[values]]`: a named number or date.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ValueFile {
    /// The name expressions use.
    pub id: String,
    /// A decimal string or a date.
    pub value: Scalar,
    /// What it is, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// The source it cites.
    pub source: String,
    /// A reading we chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<Text>,
}

/// `[[tables]]`: a value for each option of an enum question.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TableFile {
    /// The name expressions use: `name[question]`.
    pub id: String,
    /// The enum question whose options key the table.
    pub key: String,
    /// Its title, as the "why" section shows it.
    pub name: Text,
    /// A decimal string for each option; an option not listed is not in the table (a
    /// lookup with it is an error, so list every option an expression can reach).
    pub rows: BTreeMap<String, Scalar>,
    /// The source it cites.
    pub source: String,
    /// A reading we chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<Text>,
}

/// `[[payers]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PayerFile {
    /// The id schedules use.
    pub id: String,
    /// Its name.
    pub name: Text,
}

/// `[[programs]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramFile {
    /// The program id.
    pub id: String,
    /// Its name.
    pub name: Text,
    /// What it gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// `cash`, `cash_unpublished`, `in_kind` or `service`.
    pub kind: String,
    /// Who pays.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payers: Vec<String>,
    /// Of the programs in one group only the highest amount is paid (就高不重复).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusive_group: Option<String>,
    /// The source of the program as a whole.
    pub source: String,
    /// All must hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionFile>,
    /// The amount (cash programs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<AmountFile>,
    /// Payments row by row: who pays how much in which year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<ScheduleRowFile>,
    /// Payments by rule: the same amount each year for a number of years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_year: Option<PerYearFile>,
    /// Payments by rule: a monthly amount for a number of months, listed by year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_month: Option<PerMonthFile>,
    /// Readings we chose for the program as a whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<Text>,
    /// A note shown with the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}

/// `[[programs.conditions]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionFile {
    /// The condition (an expression).
    pub when: String,
    /// In words.
    pub text: Text,
    /// The source it cites.
    pub source: String,
    /// A reading we chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<Text>,
}

/// `[programs.amount]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AmountFile {
    /// The formula (an expression).
    pub formula: String,
    /// At most this much.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<Scalar>,
    /// The source(s) it cites.
    pub source: Sources,
    /// A reading we chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<Text>,
}

/// `[[programs.schedule]]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRowFile {
    /// Year 1 is the first year of payment.
    pub year: Scalar,
    /// The payer id.
    pub payer: String,
    /// The amount that year (an expression).
    pub amount: String,
    /// The source it cites.
    pub source: String,
    /// A reading we chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<Text>,
}

/// `[programs.per_year]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PerYearFile {
    /// The amount each year (an expression).
    pub amount: String,
    /// For how many years (an expression giving a whole number).
    pub years: String,
    /// The payer id.
    pub payer: String,
    /// At most this much in any one year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_per_year: Option<Scalar>,
    /// The source it cites.
    pub source: String,
    /// A reading we chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<Text>,
}

/// `[programs.per_month]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PerMonthFile {
    /// The amount each month (an expression).
    pub amount: String,
    /// For how many months (an expression giving a whole number); months 1–12 are year 1.
    pub months: String,
    /// The payer id.
    pub payer: String,
    /// At most this much in any one year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_per_year: Option<Scalar>,
    /// The source it cites.
    pub source: String,
    /// A reading we chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<Text>,
}

/// One source id, or several for a figure that combines clauses.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged, expecting = "a source id or a list of source ids")]
pub enum Sources {
    /// One id.
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl Sources {
    /// The ids.
    pub fn ids(&self) -> Vec<&str> {
        match self {
            Sources::One(s) => vec![s.as_str()],
            Sources::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// A scalar as written, checked by the loader for what its place needs: decimal amounts are
/// strings (a float or a bare integer gets a clear message), dates are TOML dates or
/// `YYYY-MM-DD` strings.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// A string.
    Str(String),
    /// A whole number.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A TOML date, as written.
    Date(String),
}

impl Scalar {
    /// What it is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Scalar::Str(_) => "a string",
            Scalar::Int(_) => "an integer",
            Scalar::Float(_) => "a float",
            Scalar::Bool(_) => "a boolean",
            Scalar::Date(_) => "a date",
        }
    }
}

impl Serialize for Scalar {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Scalar::Str(x) | Scalar::Date(x) => s.serialize_str(x),
            Scalar::Int(i) => s.serialize_i64(*i),
            Scalar::Float(f) => s.serialize_f64(*f),
            Scalar::Bool(b) => s.serialize_bool(*b),
        }
    }
}

/// The key under which the TOML deserializer hands over a date-time.
const TOML_DATETIME: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number, boolean or date")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Str(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                i64::try_from(v).map(Scalar::Int).map_err(|_| E::custom(format!("{v} is too large")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                match map.next_key::<String>()? {
                    Some(k) if k == TOML_DATETIME => Ok(Scalar::Date(map.next_value::<String>()?)),
                    _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}
