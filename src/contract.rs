//! The public contract: what an estimate, a question and a version are, as the CLI writes
//! them (serde_json) and the browser receives them (the wasm boundary). Each type is declared
//! once, here.
//!
//! An estimate borrows its texts from the rule set. Most of it does not depend on the
//! answers — names, quotes, assumptions — and the browser receives those parts once per
//! version and language: a field marked *shared* is serialized in [`Part::Full`] (the CLI) and
//! [`Part::Shared`] (the browser's copy of the texts), and left out of [`Part::Answers`] (what
//! one call sends). The browser lays the answer part over the shared part, key by key, and
//! gets the same object the CLI prints. Fields that only some estimates have are last in
//! their type, so the order of keys is the CLI's either way.

use crate::date::Date;
use crate::rules::{ProgramKind, QType, Source, Text};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::cell::Cell;

/// Which part of the contract a serialization writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Part {
    /// Everything (the CLI, tests).
    #[default]
    Full,
    /// What does not depend on the answers, with the rest as in the estimate serialized (the
    /// browser's copy, kept per version and language).
    Shared,
    /// What depends on the answers only.
    Answers,
}

thread_local! {
    static PART: Cell<Part> = const { Cell::new(Part::Full) };
}

impl Part {
    /// Serializes through `f` writing only this part.
    pub fn write<R>(self, f: impl FnOnce() -> R) -> R {
        let before = PART.with(|p| p.replace(self));
        let r = f();
        PART.with(|p| p.set(before));
        r
    }

    fn now() -> Part {
        PART.with(Cell::get)
    }
}

fn shared<T>(_: &T) -> bool {
    Part::now() == Part::Answers
}

fn shared_opt<T>(v: &Option<T>) -> bool {
    v.is_none() || Part::now() == Part::Answers
}

fn answer_opt<T>(v: &Option<T>) -> bool {
    v.is_none() || Part::now() == Part::Shared
}

#[allow(clippy::ptr_arg)] // serde passes the field as it is declared
fn answer_vec<T>(v: &Vec<T>) -> bool {
    v.is_empty() || Part::now() == Part::Shared
}

fn shared_vec<T>(v: &[T]) -> bool {
    v.is_empty() || Part::now() == Part::Answers
}

/// An answer list that every estimate has: the shared part holds it empty, and the answer
/// part sends it only when it is not (the empty list of the shared part stays in place).
fn answer_list<T: Serialize, S: Serializer>(v: &[T], s: S) -> Result<S::Ok, S::Error> {
    if Part::now() == Part::Shared {
        s.collect_seq(&v[..0])
    } else {
        s.collect_seq(v)
    }
}

fn empty_answer_list<T>(v: &[T]) -> bool {
    v.is_empty() && Part::now() == Part::Answers
}

fn dec<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

fn opt_dec<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

/// A program's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every condition holds for every answer still possible.
    Eligible,
    /// Some condition fails for every answer still possible.
    NotEligible,
    /// It depends on questions not yet answered.
    NeedsInfo,
}

impl Status {
    /// The contract name.
    pub fn name(self) -> &'static str {
        match self {
            Status::Eligible => "eligible",
            Status::NotEligible => "not_eligible",
            Status::NeedsInfo => "needs_info",
        }
    }
}

/// Whether a condition holds for the answers given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Met {
    /// It holds.
    Met,
    /// It fails.
    NotMet,
    /// It depends on answers not given yet.
    Unknown,
    /// It reads only questions that do not apply to this applicant.
    NotApplicable,
}

/// One condition and whether it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason<'v> {
    /// met / not_met / unknown / not_applicable.
    pub result: Met,
    /// The condition in words.
    #[serde(skip_serializing_if = "shared")]
    pub text: &'v str,
    /// The source it cites.
    #[serde(skip_serializing_if = "shared")]
    pub source: &'v str,
    /// The condition as written in the rule file.
    #[serde(skip_serializing_if = "shared")]
    pub condition: &'v str,
    /// A reading we chose, if any.
    #[serde(skip_serializing_if = "shared_opt")]
    pub assumption: Option<&'v str>,
}

/// One payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Payment<'v> {
    /// Year 1 is the first year.
    pub year: u32,
    /// The payer id.
    pub payer: &'v str,
    /// The payer's name.
    pub payer_name: &'v str,
    /// The amount.
    #[serde(serialize_with = "dec")]
    pub amount: Decimal,
}

/// A table a program's amount reads, for its "why": the applicant's row is the one whose
/// option is their answer to `key`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableView<'v> {
    /// The table id.
    pub id: &'v str,
    /// Its title.
    pub name: &'v str,
    /// The question whose option picks the row.
    pub key: &'v str,
    /// Each row.
    pub rows: Vec<TableRow<'v>>,
}

/// One row of a [`TableView`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableRow<'v> {
    /// The option id.
    pub option: &'v str,
    /// Its label.
    pub label: &'v str,
    /// The value.
    #[serde(serialize_with = "dec")]
    pub value: Decimal,
}

/// The estimate for one program.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProgramEstimate<'v> {
    /// Program id.
    #[serde(skip_serializing_if = "shared")]
    pub id: &'v str,
    /// Program name.
    #[serde(skip_serializing_if = "shared")]
    pub name: &'v str,
    /// cash / cash_unpublished / in_kind / service.
    #[serde(skip_serializing_if = "shared")]
    pub kind: ProgramKind,
    /// eligible / not_eligible / needs_info.
    pub status: Status,
    /// The amount, when eligible and known.
    #[serde(serialize_with = "opt_dec")]
    pub amount: Option<Decimal>,
    /// Lowest amount over the answers still possible (cash programs).
    #[serde(serialize_with = "opt_dec")]
    pub min: Option<Decimal>,
    /// Highest amount over the answers still possible (cash programs).
    #[serde(serialize_with = "opt_dec")]
    pub max: Option<Decimal>,
    /// Whether min and max are exact (false only for programs too large to enumerate).
    pub range_exact: bool,
    /// Unanswered questions that decide the status or the amount, in question order.
    #[serde(serialize_with = "answer_list", skip_serializing_if = "empty_answer_list")]
    pub missing: Vec<&'v str>,
    /// Each condition and whether it holds.
    pub reasons: Vec<Reason<'v>>,
    /// Who pays what in which year (when the amount is known).
    #[serde(serialize_with = "answer_list", skip_serializing_if = "empty_answer_list")]
    pub schedule: Vec<Payment<'v>>,
    /// The readings behind the figures.
    #[serde(skip_serializing_if = "shared")]
    pub assumptions: Vec<&'v str>,
    /// The sources cited, quoted.
    #[serde(skip_serializing_if = "shared")]
    pub sources: &'v [Source],
    /// Payers of the program.
    #[serde(skip_serializing_if = "shared")]
    pub payers: Vec<&'v str>,
    /// What the program gives, in words.
    #[serde(skip_serializing_if = "shared_opt")]
    pub description: Option<&'v str>,
    /// A note (for instance why no amount is given).
    #[serde(skip_serializing_if = "shared_opt")]
    pub note: Option<&'v str>,
    /// The exclusive group, if any (only the highest amount in a group is paid).
    #[serde(skip_serializing_if = "shared_opt")]
    pub exclusive_group: Option<&'v str>,
    /// The tables its amount reads.
    #[serde(skip_serializing_if = "shared_vec")]
    pub tables: Vec<TableView<'v>>,
    /// The program of the same exclusive group that is paid instead, when this one gives way
    /// for every answer still possible.
    #[serde(skip_serializing_if = "answer_opt")]
    pub excluded_by: Option<&'v str>,
    /// Asked for with `changes`: up to three ways to make the program pay, or pay more, each
    /// exact (re-estimated with it, the program has this status and amount); fewest changed
    /// answers first, then the highest amount.
    #[serde(skip_serializing_if = "answer_opt")]
    pub changes: Option<Vec<ChangeView<'v>>>,
}

/// A way to make a program pay (more): with these answers set, and every other as answered,
/// the program has `status` and `amount`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeView<'v> {
    /// The answers to set: a value, or any value within bounds.
    pub set: Vec<SetAnswer<'v>>,
    /// Always `eligible`.
    pub status: Status,
    /// The amount then (`null` for a program without a published amount).
    #[serde(serialize_with = "opt_dec")]
    pub amount: Option<Decimal>,
}

/// One answer a change sets: `value`, or any value from `min` to `max` (numbers or dates; an
/// absent bound is open).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SetAnswer<'v> {
    /// The question id.
    pub question: &'v str,
    /// Its label.
    pub label: &'v str,
    /// The label of the option `value` names (enum questions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_label: Option<&'v str>,
    /// The value to answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<AnswerValue<'v>>,
    /// The smallest value that works.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<AnswerValue<'v>>,
    /// The largest value that works.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<AnswerValue<'v>>,
}

/// An answer as the answers object writes it: a boolean, an option id, a whole number, a
/// decimal string or a date string.
#[derive(Clone, Debug, PartialEq)]
pub enum AnswerValue<'v> {
    /// yes / no.
    Bool(bool),
    /// An option id.
    Option(&'v str),
    /// A whole number.
    Int(i64),
    /// A decimal.
    Decimal(Decimal),
    /// A date.
    Date(Date),
}

impl Serialize for AnswerValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AnswerValue::Bool(b) => s.serialize_bool(*b),
            AnswerValue::Option(o) => s.serialize_str(o),
            AnswerValue::Int(i) => s.serialize_i64(*i),
            AnswerValue::Decimal(d) => s.collect_str(d),
            AnswerValue::Date(d) => s.collect_str(d),
        }
    }
}

/// A whole estimate: the public JSON contract of the CLI and the widget.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate<'v> {
    /// Rule set id.
    #[serde(skip_serializing_if = "shared")]
    pub rule_set: &'v str,
    /// Rule set name.
    #[serde(skip_serializing_if = "shared")]
    pub rule_set_name: &'v str,
    /// Version id used; `null` while the answer that picks the version is missing (see
    /// `version_candidates`). Shared, as are its dates: the browser keeps a shared part per
    /// version used (or undecided) and language.
    #[serde(skip_serializing_if = "shared")]
    pub version: Option<&'v str>,
    /// First day of that version.
    #[serde(skip_serializing_if = "shared")]
    pub effective_from: Option<Date>,
    /// End of that version (exclusive), if any.
    #[serde(skip_serializing_if = "shared")]
    pub effective_to: Option<Date>,
    /// The date the estimate is for.
    pub as_of: Date,
    /// Language of the texts.
    #[serde(skip_serializing_if = "shared")]
    pub lang: &'static str,
    /// Currency code.
    #[serde(skip_serializing_if = "shared")]
    pub currency: &'v str,
    /// Sum of cash programs, when exact.
    #[serde(serialize_with = "opt_dec")]
    pub total: Option<Decimal>,
    /// Lowest possible sum of cash programs.
    #[serde(serialize_with = "dec")]
    pub total_min: Decimal,
    /// Highest possible sum of cash programs.
    #[serde(serialize_with = "dec")]
    pub total_max: Decimal,
    /// The first question whose answer would narrow the estimate.
    pub next_question: Option<&'v str>,
    /// Per program.
    pub programs: Vec<ProgramEstimate<'v>>,
    /// Version-level assumptions.
    #[serde(skip_serializing_if = "shared")]
    pub assumptions: Vec<&'v str>,
    /// Answers given for questions that do not apply to them (kept, not used).
    #[serde(serialize_with = "answer_list", skip_serializing_if = "empty_answer_list")]
    pub unused_answers: Vec<&'v str>,
    /// The versions the estimate ranges over while the answer that picks the version is
    /// missing.
    #[serde(skip_serializing_if = "answer_vec")]
    pub version_candidates: Vec<&'v str>,
    /// The ages the rules compute from answered dates (`age(birth_date)`), in completed years
    /// on `as_of`.
    #[serde(skip_serializing_if = "answer_vec")]
    pub ages: Vec<Age<'v>>,
}

/// An age computed from an answered date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Age<'v> {
    /// The date question.
    pub question: &'v str,
    /// Completed years on the date of the estimate.
    pub years: i32,
}

/// An option of a question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OptionView<'v> {
    /// The option id.
    pub id: &'v str,
    /// Its label.
    pub label: &'v str,
}

/// A question the form asks, in one language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuestionView<'v> {
    /// The answer key.
    pub id: &'v str,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: QType,
    /// Its label.
    pub label: &'v str,
    /// Help text.
    pub help: Option<&'v str>,
    /// Unit of the answer.
    pub unit: Option<&'v str>,
    /// Options of an enum question.
    pub options: Vec<OptionView<'v>>,
    /// Smallest answer, as written (a date question bounded by `as_of` gives that date).
    pub min: Option<String>,
    /// Largest answer, as written.
    pub max: Option<String>,
    /// A reading we chose.
    pub assumption: Option<&'v str>,
    /// A fact the person cannot change.
    pub fixed: bool,
}

/// A version of a rule set and the period it covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionInfo<'v> {
    /// The rule set id.
    pub rule_set: &'v str,
    /// The version id.
    pub version: &'v str,
    /// First day in force.
    pub effective_from: Date,
    /// First day no longer in force, if any.
    pub effective_to: Option<Date>,
    /// The policy's name.
    pub name: &'v Text,
    /// Where it applies.
    pub jurisdiction: &'v Text,
    /// Currency code.
    pub currency: &'v str,
    /// The question whose answer picks the version, if any.
    pub versions_by: Option<&'v str>,
}
