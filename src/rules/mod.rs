//! The rule-file model: a rule set is a list of dated versions; each version declares its
//! sources, questions, named values and tables, payers and programs. [`file`] declares the
//! format as written, [`load`] checks it and builds this model; see `docs/rule-files.md`.

mod bundle;
pub mod file;
mod load;
#[cfg(any(not(target_arch = "wasm32"), feature = "author"))]
pub(crate) mod locate;

#[cfg(not(target_arch = "wasm32"))]
pub use bundle::load_bundle;
pub use bundle::{bundle_json, check_format, json_syntax, load_bundle_value, Bundle, BundleVersion, BUNDLE_FORMAT};
#[cfg(any(not(target_arch = "wasm32"), feature = "author"))]
pub use load::read_texts;
#[cfg(not(target_arch = "wasm32"))]
pub use load::{load_dir, load_file, read_dir, rule_files};
pub use load::{load_version, MAX_CHAIN, MAX_ENTRIES, MAX_GROUP};

use crate::date::Date;
use crate::error::{EstimateError, List, Problem, RuleError, RuleErrors};
use crate::expr::{Code, Consts, Expr};
use crate::money::Rounding;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Languages of labels and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    /// Simplified Chinese (`zh-CN`), the default.
    #[default]
    Zh,
    /// English (`en`).
    En,
}

impl Lang {
    /// Parses `zh-CN` / `zh` / `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh-CN" | "zh" | "zh-Hans" => Some(Lang::Zh),
            "en" | "en-US" | "en-GB" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// A text in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    pub zh: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// A cited source: one clause of a published document, quoted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Id that conditions and amounts cite.
    pub id: String,
    /// Title of the document.
    pub title: String,
    /// Who issued or published it.
    pub issuer: String,
    /// Publication date, as written (`YYYY-MM-DD` or `YYYY-MM`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Document number (文号), where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Where to read it, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The quoted text.
    pub quote: String,
}

/// Question types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QType {
    /// Yes or no.
    Bool,
    /// A whole number.
    Integer,
    /// A decimal number, exchanged as a string.
    Decimal,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// One option of a list.
    Enum,
}

impl QType {
    /// The rule-file name.
    pub fn name(self) -> &'static str {
        match self {
            QType::Bool => "bool",
            QType::Integer => "integer",
            QType::Decimal => "decimal",
            QType::Date => "date",
            QType::Enum => "enum",
        }
    }
}

/// A bound of a question (numbers for integer/decimal questions, dates for date questions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// A number.
    Num(Decimal),
    /// A date.
    Date(Date),
    /// The date of the estimate (a past event cannot be after it).
    AsOf,
}

impl Bound {
    /// The bound on the date of an estimate: `AsOf` becomes that date.
    pub fn on(self, as_of: Date) -> Bound {
        match self {
            Bound::AsOf => Bound::Date(as_of),
            b => b,
        }
    }
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Num(n) => write!(f, "{n}"),
            Bound::Date(d) => write!(f, "{d}"),
            Bound::AsOf => f.write_str("as_of"),
        }
    }
}

/// An option of an enum question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The option id used in answers and expressions.
    pub id: String,
    /// Its label.
    pub label: Text,
}

/// A condition or formula with its source text.
#[derive(Clone, Debug, PartialEq)]
pub struct Formula {
    /// The checked expression.
    pub expr: Expr,
    /// The same, compiled for evaluation.
    pub code: Code,
    /// The questions it reads, in order of first use.
    pub reads: Vec<usize>,
    /// The expression as written.
    pub src: String,
}

/// A question the form asks.
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    /// The answer key.
    pub id: String,
    /// Its type.
    pub ty: QType,
    /// Its label.
    pub label: Text,
    /// Help text.
    pub help: Option<Text>,
    /// Unit of the answer (months, children…).
    pub unit: Option<Text>,
    /// Options of an enum question.
    pub options: Vec<Choice>,
    /// Smallest accepted answer.
    pub min: Option<Bound>,
    /// Largest accepted answer.
    pub max: Option<Bound>,
    /// When the question is asked; `None` means always.
    pub ask_when: Option<Formula>,
    /// A fact the person cannot change.
    pub fixed: bool,
    /// The source it derives from.
    pub source: Option<String>,
    /// A reading we chose where the source is silent.
    pub assumption: Option<Text>,
}

/// Who pays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payer {
    /// Id used in schedules.
    pub id: String,
    /// Its name.
    pub name: Text,
}

/// Kinds of program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgramKind {
    /// Money with a published amount.
    Cash,
    /// Money whose amount the policy does not publish.
    CashUnpublished,
    /// Support in kind (a school place, a flat).
    InKind,
    /// A service (guidance, evaluation).
    Service,
}

impl ProgramKind {
    /// The rule-file name.
    pub fn name(self) -> &'static str {
        match self {
            ProgramKind::Cash => "cash",
            ProgramKind::CashUnpublished => "cash_unpublished",
            ProgramKind::InKind => "in_kind",
            ProgramKind::Service => "service",
        }
    }
}

/// One eligibility condition of a program.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The condition.
    pub when: Formula,
    /// The condition in words, as the reason shows it.
    pub text: Text,
    /// The source it cites.
    pub source: String,
    /// A reading we chose.
    pub assumption: Option<Text>,
}

/// A program's amount.
#[derive(Clone, Debug, PartialEq)]
pub struct Amount {
    /// The formula.
    pub formula: Formula,
    /// An optional cap.
    pub cap: Option<Decimal>,
    /// The sources it cites (one or more).
    pub sources: Vec<String>,
    /// A reading we chose.
    pub assumption: Option<Text>,
}

/// One row of a payment schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleRow {
    /// Year 1 is the first year of payment.
    pub year: u32,
    /// Index into the version's payers.
    pub payer: usize,
    /// The amount paid that year by that payer.
    pub amount: Formula,
    /// The source it cites.
    pub source: String,
    /// A reading we chose.
    pub assumption: Option<Text>,
}

/// Payments by rule: `amount` in each of `count` periods, listed by year.
#[derive(Clone, Debug, PartialEq)]
pub struct Periodic {
    /// Months in one period: 12 (`per_year`) or 1 (`per_month`).
    pub months: u32,
    /// The amount of one period.
    pub amount: Formula,
    /// How many periods (a whole number).
    pub count: Formula,
    /// Index into the version's payers.
    pub payer: usize,
    /// At most this much in one year.
    pub cap_per_year: Option<Decimal>,
    /// The source it cites.
    pub source: String,
    /// A reading we chose.
    pub assumption: Option<Text>,
}

/// Most years a schedule by rule lists.
pub const MAX_YEARS: u32 = 50;

/// How a cash program is paid over the years.
#[derive(Clone, Debug, PartialEq)]
pub enum Schedule {
    /// All in year 1, by the program's first payer.
    Once,
    /// Row by row.
    Rows(Vec<ScheduleRow>),
    /// By rule.
    Periodic(Box<Periodic>),
}

/// A named value: a rate or a quota written once.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedValue {
    /// The name expressions use.
    pub id: String,
    /// Its value (a number or a date).
    pub value: crate::expr::V,
    /// What it is.
    pub name: Option<Text>,
    /// The source it cites.
    pub source: String,
    /// A reading we chose.
    pub assumption: Option<Text>,
}

/// A table of numbers by the option of an enum question.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The name expressions use.
    pub id: String,
    /// The index of its key question.
    pub key: usize,
    /// Its title.
    pub name: Text,
    /// The value for each option of the key question, in option order.
    pub rows: Vec<Option<Decimal>>,
    /// The source it cites.
    pub source: String,
    /// A reading we chose.
    pub assumption: Option<Text>,
}

/// A support program.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// The program id.
    pub id: String,
    /// Its name.
    pub name: Text,
    /// What it gives, in words.
    pub description: Option<Text>,
    /// Its kind.
    pub kind: ProgramKind,
    /// Indexes into the version's payers.
    pub payers: Vec<usize>,
    /// In an exclusive group only the highest amount is granted (就高不重复).
    pub exclusive_group: Option<String>,
    /// The source of the program as a whole.
    pub source: String,
    /// All must hold.
    pub conditions: Vec<Condition>,
    /// The amount (cash programs only); with a schedule by rule and no amount, the amount is
    /// the schedule's total.
    pub amount: Option<Amount>,
    /// How it is paid (cash programs only).
    pub schedule: Schedule,
    /// Program-level assumptions.
    pub assumptions: Vec<Text>,
    /// A note shown with the result (for instance why no amount is given).
    pub note: Option<Text>,
    /// The questions the program reads, directly, through `ask_when`, through the programs it
    /// refers to and through the other members of its exclusive group, in question order.
    pub deps: Vec<usize>,
    /// The programs it refers to (`amount(p)`, `eligible(p)`), directly or not.
    pub refs: Vec<usize>,
    /// The tables its amount and schedule read (shown in its "why").
    pub tables: Vec<usize>,
    /// The program whose unpublished amount makes this one's unpublished.
    pub unpublished_base: Option<usize>,
    /// What its estimates show that does not depend on the answers (gathered at load).
    pub explained: Explained,
}

/// The parts of a program's estimate that do not depend on the answers, gathered once when
/// the rule file loads so that an estimate borrows them instead of copying.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Explained {
    /// The readings behind the figures, each once.
    pub assumptions: Vec<Text>,
    /// The sources cited, the program's own first, each once.
    pub sources: Vec<Source>,
    /// The payers' names.
    pub payer_names: Vec<Text>,
    /// For a member of an exclusive group: the group's rule in words, and as a condition.
    pub group_text: Option<Text>,
    /// The group's rule as the reasons show it (`exclusive_group = housing`).
    pub group_condition: Option<String>,
}

/// One version of a rule set, in force on `[effective_from, effective_to)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Version {
    /// The file it was loaded from, as errors name it.
    pub file: String,
    /// The version file's own name (`2024.toml`), as bundles record it.
    pub file_name: String,
    /// The rule set id.
    pub rule_set: String,
    /// The version id.
    pub version: String,
    /// The rule set's name.
    pub name: Text,
    /// Where the policy applies.
    pub jurisdiction: Text,
    /// One sentence on what it gives.
    pub summary: Option<Text>,
    /// Issuing bodies.
    pub issuers: Vec<Text>,
    /// Where to apply.
    pub apply: Option<Text>,
    /// ISO currency code.
    pub currency: String,
    /// First day in force.
    pub effective_from: Date,
    /// First day no longer in force; `None` while in force.
    pub effective_to: Option<Date>,
    /// The date question whose answer picks the version, if any.
    pub versions_by: Option<usize>,
    /// How money is rounded.
    pub rounding: Rounding,
    /// Version-level assumptions (for instance an assumed start date).
    pub assumptions: Vec<Text>,
    /// Cited sources.
    pub sources: Vec<Source>,
    /// Questions, in the order they are asked.
    pub questions: Vec<Question>,
    /// Named values.
    pub values: Vec<NamedValue>,
    /// Tables.
    pub tables: Vec<Table>,
    /// The named values and tables as expressions read them.
    pub consts: Consts,
    /// Payers.
    pub payers: Vec<Payer>,
    /// Programs.
    pub programs: Vec<Program>,
    /// Programs in an order where each comes after those it refers to.
    pub order: Vec<usize>,
    /// The numbers the expressions use, sorted: candidate values for ranges over numbers.
    pub numbers: Vec<Decimal>,
    /// The date questions whose age the rules take (`age(birth_date)`), in question order.
    pub age_of: Vec<usize>,
    /// For each question, whether some program reads it (directly or not).
    pub read: Vec<bool>,
}

impl Version {
    /// Whether the version is in force on `d`.
    pub fn in_force(&self, d: Date) -> bool {
        d >= self.effective_from && self.effective_to.is_none_or(|t| d < t)
    }

    /// The period as `FROM..TO` (TO exclusive, empty when open-ended).
    pub fn period(&self) -> String {
        format!("{}..{}", self.effective_from, self.effective_to.map(|d| d.to_string()).unwrap_or_default())
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The index of the question with this id.
    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }
}

/// A rule set: its versions, sorted by date, without gaps or overlaps.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSet {
    /// The rule set id.
    pub id: String,
    /// The versions, oldest first.
    pub versions: Vec<Version>,
}

impl RuleSet {
    /// Assembles a rule set from versions, checking ids, dates, gaps and overlaps. Errors name
    /// the file and the field; the loader adds their line and column.
    pub fn new(mut versions: Vec<Version>) -> Result<RuleSet, RuleErrors> {
        let mut errs = Vec::new();
        let Some(first) = versions.first() else {
            return Err(RuleErrors::one("", Problem::NoVersionFiles {}));
        };
        let id = first.rule_set.clone();
        let by = first.versions_by.map(|q| first.questions[q].id.clone());
        versions.sort_by(|a, b| (a.effective_from, &a.version, &a.file).cmp(&(b.effective_from, &b.version, &b.file)));
        let mut push = |v: &Version, key: &str, problem: Problem| {
            errs.push(RuleError { file: v.file.clone(), line: None, column: None, field: key.to_string(), problem });
        };
        for v in &versions {
            if v.rule_set != id {
                push(v, "rule_set", Problem::RuleSetMismatch { found: v.rule_set.clone(), expected: id.clone() });
            }
            if v.versions_by.map(|q| v.questions[q].id.clone()) != by {
                push(v, "versions_by", Problem::VersionsByMismatch {});
            }
        }
        for w in versions.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            if a.version == b.version {
                push(b, "version", Problem::DuplicateVersion { version: b.version.clone(), other: a.file.clone() });
            }
            match a.effective_to {
                None => push(
                    b,
                    "effective_from",
                    Problem::OverlapOpen { other: a.version.clone(), period: a.period(), end: b.effective_from.to_string() },
                ),
                Some(to) if to > b.effective_from => push(
                    b,
                    "effective_from",
                    Problem::Overlap { other: a.version.clone(), period: a.period(), start: b.effective_from.to_string() },
                ),
                Some(to) if to < b.effective_from => push(
                    b,
                    "effective_from",
                    Problem::Gap { other: a.version.clone(), period: a.period(), from: to.to_string(), to: b.effective_from.to_string() },
                ),
                _ => {}
            }
        }
        if errs.is_empty() {
            Ok(RuleSet { id, versions })
        } else {
            Err(RuleErrors(errs))
        }
    }

    /// The periods the versions cover, as `FROM..TO`.
    pub fn periods(&self) -> List {
        self.versions.iter().map(Version::period).collect()
    }

    /// The version in force on `as_of`, or an error naming the date and the covered periods.
    pub fn version_on(&self, as_of: Date) -> Result<&Version, EstimateError> {
        self.versions
            .iter()
            .find(|v| v.in_force(as_of))
            .ok_or_else(|| EstimateError::NoVersion { as_of: as_of.to_string(), covered: self.periods() })
    }

    /// The version with this id.
    pub fn version(&self, id: &str) -> Result<&Version, EstimateError> {
        self.versions.iter().find(|v| v.version == id).ok_or_else(|| EstimateError::UnknownVersion {
            version: id.to_string(),
            known: self.versions.iter().map(|v| v.version.clone()).collect(),
        })
    }

    /// The versions an event on `event` selects for an estimate on `as_of`, by the rule
    /// `versions_by` states: among the versions already in force on `as_of`, the one whose
    /// period contains the event; before the earliest, the earliest; after the latest's start,
    /// the latest.
    pub fn version_by_event(&self, as_of: Date, event: Date) -> Result<&Version, EstimateError> {
        let current = self.version_on(as_of)?;
        let started: Vec<&Version> = self.versions.iter().filter(|v| v.effective_from <= as_of).collect();
        let (Some(first), Some(last)) = (started.first(), started.last()) else { return Ok(current) };
        if event < first.effective_from {
            return Ok(first);
        }
        Ok(started.iter().copied().find(|v| v.in_force(event)).unwrap_or(last))
    }
}
