//! # subsidy-calc
//!
//! Government subsidy and incentive policies as versioned, cited rule files, and exact,
//! explained estimates: "am I eligible, how much, paid by whom and when, and why".
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use subsidy_calc::{estimate, load_dir, Date, Lang, Raw, Request};
//! let rules = load_dir(std::path::Path::new("rules/baotou-rare-earth-zone"))?;
//! let answers = vec![
//!     ("applicant_type".to_string(), Raw::Str("postdoc".into())),
//!     ("in_zone".to_string(), Raw::Bool(true)),
//!     ("months_in_station".to_string(), Raw::Int(24)),
//! ];
//! let est = estimate(&rules, &Request {
//!     answers: &answers,
//!     as_of: Some(Date::parse("2024-07-15")?),
//!     version: None,
//!     lang: Lang::En,
//!     changes: false,
//! })?;
//! assert_eq!(est.total.map(|t| t.to_string()).as_deref(), Some("300000.00"));
//! # Ok(())
//! # }
//! ```
//!
//! Layers, each using only those before it: dates and money → expressions (`expr`) → the
//! rule model (`rules`: format, loading, checking) → estimates (`estimate`, with the
//! `contract` types) → reports, diffs and rule tests → the CLI and the browser boundary
//! (`wasm.rs`, the only file that knows JavaScript). See docs/architecture.md.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod answers;
#[cfg(any(not(target_arch = "wasm32"), feature = "author"))]
pub mod cases;
mod contract;
mod date;
mod diff;
mod error;
mod estimate;
pub mod expr;
mod money;
mod report;
pub mod rules;

pub use answers::{raw_from_json_text, validate, Answers, Raw, RawAnswers};
pub use contract::{
    AnswerValue, ChangeView, Estimate, Met, OptionView, Part, Payment, ProgramEstimate, QuestionView, Reason, SetAnswer, Status, TableRow,
    TableView, VersionInfo,
};
pub use date::{Date, Span};
pub use diff::diff;
pub use error::{AnswerError, AnswerProblem, EstimateError, Expected, Found, List, Problem, RuleError, RuleErrors};
pub use estimate::{
    asked, estimate, estimate_version, evaluate, figures, kind, pick, program_changes, Change, Evaluation, Figure, Figures, Payments, Pick,
    Request, Setting, MAX_COMBINATIONS,
};
pub use money::{parse_decimal, Rounding, RoundingMode};
pub use report::text_report;
#[cfg(not(target_arch = "wasm32"))]
pub use rules::load_bundle;
#[cfg(any(not(target_arch = "wasm32"), feature = "author"))]
pub use rules::read_texts;
pub use rules::{
    bundle_json, load_bundle_value, load_version, Amount, Bound, Bundle, BundleVersion, Choice, Condition, Explained, Formula, Lang,
    NamedValue, Payer, Periodic, Program, ProgramKind, QType, Question, RuleSet, Schedule, ScheduleRow, Source, Table, Text, Version,
    BUNDLE_FORMAT, MAX_CHAIN, MAX_ENTRIES, MAX_GROUP,
};
#[cfg(not(target_arch = "wasm32"))]
pub use rules::{load_dir, load_file, read_dir, rule_files};
pub use rust_decimal::Decimal;

#[cfg(target_arch = "wasm32")]
mod wasm;
/// The browser boundary (wasm builds only).
#[cfg(target_arch = "wasm32")]
pub mod wasm_api {
    pub use crate::wasm::Calculator;
}
