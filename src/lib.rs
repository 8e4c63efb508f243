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
//! })?;
//! assert_eq!(est.total.map(|t| t.to_string()).as_deref(), Some("300000.00"));
//! # Ok(())
//! # }
//! ```
//!
//! The core is pure Rust with no wasm dependencies; `wasm.rs` is the only browser boundary.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod answers;
#[cfg(not(target_arch = "wasm32"))]
pub mod cases;
pub mod compact;
mod date;
mod error;
mod estimate;
pub mod expr;
mod json;
mod money;
mod node;
mod report;
mod rules;
mod sort;

pub use answers::{raw_from_json, raw_from_json_text, validate, Answers, Raw, RawAnswers};
pub use date::Date;
pub use error::{AnswerError, EstimateError, RuleError, RuleErrors};
#[cfg(not(target_arch = "wasm32"))]
pub use estimate::Payments;
pub use estimate::{
    asked, estimate, estimate_version, pick, quick, Estimate, Figure, Figures, Met, Payment, ProgramEstimate, Quick, Reason, Request,
    Status, Texts,
};
pub use money::{parse_decimal, push_decimal, Rounding, RoundingMode};
#[cfg(not(target_arch = "wasm32"))]
pub use node::from_toml;
pub use node::{from_json, Node};
pub use report::text_report;
pub use rules::{
    bundle_json, diff, load_bundle, load_version, Amount, Bound, Choice, Condition, Explained, Formula, Lang, Payer, Program, ProgramKind,
    QType, Question, RuleSet, ScheduleRow, Source, Text, Version, BUNDLE_FORMAT,
};
#[cfg(not(target_arch = "wasm32"))]
pub use rules::{load_dir, load_file, rule_files};
pub use rust_decimal::Decimal;
/// The browser boundary (wasm builds only).
#[cfg(target_arch = "wasm32")]
pub mod wasm_api {
    pub use crate::wasm::*;
}
#[cfg(target_arch = "wasm32")]
mod wasm;

/// The wasm heap: talc rather than std's dlmalloc, 2 KB gzip smaller. Like dlmalloc it merges
/// freed neighbours and finds a fit in binned free lists (no scan of every free block), and it
/// grows the heap in place when the wasm memory grows. Without realloc in place (a realloc
/// copies), which is smaller still; the strings and vectors here are short.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
