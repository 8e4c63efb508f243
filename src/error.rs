//! Errors. Ineligible is an outcome, not an error: errors are for bad rule files and bad input.
//!
//! * [`RuleError`] — a rule file or bundle is wrong; names the file, line and column (TOML) or
//!   the field path (JSON bundles).
//! * [`AnswerError`] — one answer is wrong; names the question id (the field).
//! * [`EstimateError`] — why an estimate could not be made.

use serde::Serialize;
use std::fmt;

/// One problem in a rule file, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleError {
    /// The file (or bundle) the problem is in.
    pub file: String,
    /// 1-based line, when the source has lines (TOML files).
    pub line: Option<u32>,
    /// 1-based column in characters.
    pub column: Option<u32>,
    /// The field path, such as `programs[2].amount.formula`.
    pub field: String,
    /// A plain message.
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            _ if self.field.is_empty() => write!(f, "{}: {}", self.file, self.message),
            _ => write!(f, "{}: {}: {}", self.file, self.field, self.message),
        }
    }
}

/// All problems found in one load; a rule set with any of them is not loaded at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleErrors {}

/// One answer that does not fit its question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnswerError {
    /// The question id (or the unknown key) the problem is in.
    pub field: String,
    /// A plain message.
    pub message: String,
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Why an estimate could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EstimateError {
    /// No version of the rule set is in force on the date.
    NoVersion {
        /// The date asked for.
        as_of: String,
        /// The periods the versions cover, as `FROM..TO` (TO exclusive, empty when open).
        covered: Vec<String>,
    },
    /// A version was pinned that the rule set does not have.
    UnknownVersion {
        /// The version asked for.
        version: String,
        /// The versions there are.
        known: Vec<String>,
    },
    /// Some answers do not fit their questions; every one is listed.
    Answers(Vec<AnswerError>),
    /// Arithmetic overflowed or divided by zero while evaluating a formula.
    Arithmetic {
        /// The program whose formula failed.
        program: String,
        /// What failed.
        message: String,
    },
    /// A program's schedule does not add up to its amount for these answers (a rule-file bug).
    ScheduleMismatch {
        /// The program.
        program: String,
        /// The amount.
        amount: String,
        /// The sum of the schedule rows.
        schedule_sum: String,
    },
}

impl EstimateError {
    /// A short machine-readable kind, used by the CLI and the JS boundary.
    pub fn kind(&self) -> &'static str {
        match self {
            EstimateError::NoVersion { .. } => "no_version",
            EstimateError::UnknownVersion { .. } => "unknown_version",
            EstimateError::Answers(_) => "answer",
            EstimateError::Arithmetic { .. } => "arithmetic",
            EstimateError::ScheduleMismatch { .. } => "schedule_mismatch",
        }
    }

    /// The first field at fault, when the error is about answers.
    pub fn field(&self) -> Option<&str> {
        match self {
            EstimateError::Answers(v) => v.first().map(|e| e.field.as_str()),
            _ => None,
        }
    }
}

impl fmt::Display for EstimateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EstimateError::NoVersion { as_of, covered } => write!(
                f,
                "no version is in force on {as_of}; the rule set covers {}",
                if covered.is_empty() { "no period".to_string() } else { covered.join(", ") }
            ),
            EstimateError::UnknownVersion { version, known } => {
                write!(f, "there is no version {version:?}; the versions are {}", known.join(", "))
            }
            EstimateError::Answers(v) => {
                let parts: Vec<String> = v.iter().map(ToString::to_string).collect();
                write!(f, "{}", parts.join("; "))
            }
            EstimateError::Arithmetic { program, message } => write!(f, "program {program}: {message}"),
            EstimateError::ScheduleMismatch { program, amount, schedule_sum } => {
                write!(f, "program {program}: the schedule adds up to {schedule_sum} but the amount is {amount} (rule file error)")
            }
        }
    }
}

impl std::error::Error for EstimateError {}
