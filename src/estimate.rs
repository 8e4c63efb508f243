//! Answers + rule set → estimate: every program's status, exact amount or range, payment
//! schedule, reasons with their sources, and the assumptions behind the figures.
//!
//! Unanswered questions are unknown. A program's status and range are exact over the answers
//! still possible: the engine enumerates the values each missing question can take (every
//! option, every whole number in range, and for dates a representative of every interval
//! between the dates the rules compare with) and evaluates the program for each.

use crate::answers::{Answers, Raw};
use crate::date::Date;
use crate::error::EstimateError;
use crate::expr::{num, Env, EvalError, Kind, Tri, V};
use crate::rules::{Bound, Condition, Lang, Program, ProgramKind, QType, RuleSet, ScheduleRow, Source, Text, Version};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::borrow::Cow;

/// Most evaluations spent on one program's range; past it the range is marked inexact.
pub const MAX_COMBINATIONS: usize = 65_536;
/// Whole-number questions with at most this many values in range are enumerated in full.
const MAX_INT_DOMAIN: i64 = 400;

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

/// Texts of the rule file in one language; serialized as a list of strings. An estimate
/// borrows its texts from the rule set rather than copying them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Texts<'v> {
    items: &'v [Text],
    lang: Lang,
}

impl<'v> Texts<'v> {
    /// The texts of `items` in `lang`.
    pub fn new(items: &'v [Text], lang: Lang) -> Self {
        Texts { items, lang }
    }

    /// Each text.
    pub fn iter(&self) -> impl Iterator<Item = &'v str> + 'v {
        let lang = self.lang;
        self.items.iter().map(move |t| t.get(lang))
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl Serialize for Texts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl Met {
    /// Every result, each at the index of its discriminant.
    const ALL: [Met; 4] = [Met::Met, Met::NotMet, Met::Unknown, Met::NotApplicable];

    /// The contract name.
    pub fn name(self) -> &'static str {
        match self {
            Met::Met => "met",
            Met::NotMet => "not_met",
            Met::Unknown => "unknown",
            Met::NotApplicable => "not_applicable",
        }
    }
}

/// One condition and whether it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason<'v> {
    /// met / not_met / unknown.
    pub result: Met,
    /// The condition in words.
    pub text: Cow<'v, str>,
    /// The source it cites.
    pub source: &'v str,
    /// The condition as written in the rule file.
    pub condition: Cow<'v, str>,
    /// A reading we chose, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumption: Option<&'v str>,
}

/// The reasons of one program: each condition of the rule file and whether it holds, in
/// order, then any reason the estimate adds (an exclusive group's); serialized as a list of
/// [`Reason`]s. The texts are borrowed from the rule set and the results of up to 32
/// conditions packed in one word, so a program's reasons cost no allocation.
#[derive(Clone, Debug, PartialEq)]
pub struct Reasons<'v> {
    conditions: &'v [Condition],
    lang: Lang,
    results: Results,
    more: Vec<Reason<'v>>,
}

/// Two bits per condition, or a list beyond 32 conditions.
#[derive(Clone, Debug, PartialEq)]
enum Results {
    Packed(u64),
    Many(Vec<Met>),
}

impl<'v> Reasons<'v> {
    /// The reasons of `conditions`, each with its `result`.
    fn new(conditions: &'v [Condition], lang: Lang, result: impl Fn(&Condition) -> Met) -> Self {
        // A plain loop: iterator adapters here cost wasm bytes and time (measured).
        let packed = conditions.len() <= 32;
        let (mut word, mut many) = (0u64, Vec::new());
        for (i, c) in conditions.iter().enumerate() {
            let m = result(c);
            if packed {
                word |= (m as u64) << (2 * i);
            } else {
                many.push(m);
            }
        }
        let results = if packed { Results::Packed(word) } else { Results::Many(many) };
        Reasons { conditions, lang, results, more: Vec::new() }
    }

    /// The result of condition `i` of the rule file.
    pub fn result(&self, i: usize) -> Met {
        match &self.results {
            Results::Packed(w) => Met::ALL[(w >> (2 * (i % 32)) & 3) as usize],
            Results::Many(v) => v.get(i).copied().unwrap_or(Met::Unknown),
        }
    }

    /// The result of each condition of the rule file, in order.
    pub fn results(&self) -> impl ExactSizeIterator<Item = Met> + '_ {
        (0..self.conditions.len()).map(|i| self.result(i))
    }

    /// The reasons that are not conditions of the rule file.
    pub fn more(&self) -> &[Reason<'v>] {
        &self.more
    }

    /// Every reason: the conditions', then the others.
    pub fn iter(&self) -> impl Iterator<Item = Reason<'v>> + '_ {
        let lang = self.lang;
        let conditions = self.conditions.iter().zip(self.results()).map(move |(c, result)| Reason {
            result,
            text: Cow::Borrowed(c.text.get(lang)),
            source: &c.source,
            condition: Cow::Borrowed(&c.when.src),
            assumption: c.assumption.as_ref().map(|a| a.get(lang)),
        });
        conditions.chain(self.more.iter().cloned())
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.conditions.len() + self.more.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Serialize for Reasons<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
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

/// The estimate for one program.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProgramEstimate<'v> {
    /// Program id.
    pub id: &'v str,
    /// Program name.
    pub name: &'v str,
    /// cash / cash_unpublished / in_kind / service.
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
    pub missing: Vec<&'v str>,
    /// Each condition and whether it holds.
    pub reasons: Reasons<'v>,
    /// Who pays what in which year (when the amount is known).
    pub schedule: Vec<Payment<'v>>,
    /// The readings behind the figures.
    pub assumptions: Texts<'v>,
    /// The sources cited, quoted.
    pub sources: &'v [Source],
    /// Payers of the program.
    pub payers: Texts<'v>,
    /// What the program gives, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'v str>,
    /// A note (for instance why no amount is given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'v str>,
    /// The exclusive group, if any (only the highest amount in a group is paid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_group: Option<&'v str>,
}

/// A whole estimate: the public JSON contract of the CLI and the widget.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate<'v> {
    /// Rule set id.
    pub rule_set: &'v str,
    /// Rule set name.
    pub rule_set_name: &'v str,
    /// Version id used.
    pub version: &'v str,
    /// First day of that version.
    pub effective_from: Date,
    /// End of that version (exclusive), if any.
    pub effective_to: Option<Date>,
    /// The date the estimate is for.
    pub as_of: Date,
    /// Language of the texts.
    pub lang: &'static str,
    /// Currency code.
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
    pub assumptions: Texts<'v>,
    /// Answers given for questions that do not apply to them (kept, not used).
    pub unused_answers: Vec<&'v str>,
}

/// What to estimate.
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    /// Raw answers by question id.
    pub answers: &'a [(String, Raw)],
    /// The date; the version in force then is used.
    pub as_of: Option<Date>,
    /// Pin a version instead of picking by date.
    pub version: Option<&'a str>,
    /// Language of texts.
    pub lang: Lang,
}

/// Picks the version for a request.
pub fn pick<'r>(rs: &'r RuleSet, as_of: Date, version: Option<&str>) -> Result<&'r Version, EstimateError> {
    match version {
        Some(id) => rs.version(id),
        None => rs.version_on(as_of),
    }
}

/// Makes an estimate.
pub fn estimate<'v>(rs: &'v RuleSet, req: &Request<'_>) -> Result<Estimate<'v>, EstimateError> {
    let as_of = req.as_of.unwrap_or_else(Date::today);
    let v = pick(rs, as_of, req.version)?;
    let (answers, errs) = Answers::parse(v, req.answers);
    if !errs.is_empty() {
        return Err(EstimateError::Answers(errs));
    }
    estimate_version(v, &answers, as_of, req.lang)
}

/// Outcome of one program for one complete assignment.
struct Outcome {
    met: bool,
    amount: Decimal,
}

/// Applies `ask_when` where it is decided: a question whose `ask_when` is false has no value;
/// one whose `ask_when` is still unknown keeps it.
fn mask(v: &Version, values: &mut [V], as_of: Date) {
    for (q, question) in v.questions.iter().enumerate() {
        if values.get(q).is_none_or(|x| matches!(x, V::Unknown)) {
            continue;
        }
        if let Some(aw) = &question.ask_when {
            if aw.code.holds(&Env { values, as_of }) == Ok(Tri::False) {
                if let Some(x) = values.get_mut(q) {
                    *x = V::Unknown;
                }
            }
        }
    }
}

fn arith(p: &Program, e: EvalError) -> EstimateError {
    EstimateError::Arithmetic { program: p.id.clone(), message: e.to_string() }
}

/// Evaluates one program for a complete assignment.
#[inline(never)]
fn outcome(v: &Version, p: &Program, values: &[V], as_of: Date) -> Result<Outcome, EstimateError> {
    let env = Env { values, as_of };
    let mut met = true;
    for c in &p.conditions {
        if c.when.code.holds(&env).map_err(|e| arith(p, e))? != Tri::True {
            met = false;
            break;
        }
    }
    let mut amount = v.rounding.zero();
    if met {
        if let Some(a) = &p.amount {
            amount = program_amount(v, p, a, &env)?.ok_or_else(|| EstimateError::Arithmetic {
                program: p.id.clone(),
                message: "the amount depends on a question that is not asked in this case (rule file error)".into(),
            })?;
        }
    }
    Ok(Outcome { met, amount })
}

/// The rounded amount of a program whose conditions hold; `None` when it depends on a
/// question that has no value.
fn program_amount(v: &Version, p: &Program, a: &crate::rules::Amount, env: &Env<'_>) -> Result<Option<Decimal>, EstimateError> {
    let Some(raw) = a.formula.code.number(env).map_err(|e| arith(p, e))? else { return Ok(None) };
    let capped = match a.cap {
        Some(c) if num::cmp(&raw, &c) == std::cmp::Ordering::Greater => c,
        _ => raw,
    };
    if capped.is_sign_negative() && !capped.is_zero() {
        return Err(EstimateError::Arithmetic {
            program: p.id.clone(),
            message: format!("the amount {} is negative (rule file error)", crate::money::Dec(capped)),
        });
    }
    Ok(Some(v.rounding.apply(capped)))
}

fn schedule<'v>(
    v: &'v Version,
    p: &Program,
    amount: Decimal,
    values: &[V],
    as_of: Date,
    lang: Lang,
) -> Result<Vec<Payment<'v>>, EstimateError> {
    let payer = |i: usize| v.payers.get(i).map(|x| (x.id.as_str(), x.name.get(lang))).unwrap_or_default();
    if p.schedule.is_empty() {
        let (id, name) = p.payers.first().map(|&i| payer(i)).unwrap_or_default();
        return Ok(vec![Payment { year: 1, payer: id, payer_name: name, amount }]);
    }
    let mut out = Vec::with_capacity(p.schedule.len());
    scheduled(v, p, amount, values, as_of, |row, x| {
        if !x.is_zero() {
            let (id, name) = payer(row.payer);
            out.push(Payment { year: row.year, payer: id, payer_name: name, amount: x });
        }
    })?;
    Ok(out)
}

/// Calls `f` with each row of the schedule of a program that pays `amount`, and the row's
/// amount (rounded); an error when the rows do not add up to `amount`.
fn scheduled(
    v: &Version,
    p: &Program,
    amount: Decimal,
    values: &[V],
    as_of: Date,
    mut f: impl FnMut(&ScheduleRow, Decimal),
) -> Result<(), EstimateError> {
    let env = Env { values, as_of };
    let mut sum = v.rounding.zero();
    for row in &p.schedule {
        let x = match row.amount.code.number(&env).map_err(|e| arith(p, e))? {
            Some(n) => v.rounding.apply(n),
            None => {
                return Err(EstimateError::Arithmetic {
                    program: p.id.clone(),
                    message: format!("the year-{} amount depends on a question that is not asked in this case", row.year),
                })
            }
        };
        sum = crate::expr::num::add(sum, x).ok_or_else(|| arith(p, EvalError::Overflow))?;
        f(row, x);
    }
    if sum != amount {
        return Err(EstimateError::ScheduleMismatch {
            program: p.id.clone(),
            amount: crate::money::decimal_string(amount),
            schedule_sum: crate::money::decimal_string(sum),
        });
    }
    Ok(())
}

/// Literal numbers and dates the version's expressions use (for candidate values).
pub(crate) fn literals(v: &Version) -> (Vec<Decimal>, Vec<Date>) {
    let mut nums = Vec::new();
    let mut dates = Vec::new();
    let mut visit = |e: &crate::expr::Expr| {
        e.walk(&mut |n| match n.kind {
            Kind::Num(x) => nums.push(x),
            Kind::Date(d) => dates.push(d),
            _ => {}
        })
    };
    for q in &v.questions {
        if let Some(a) = &q.ask_when {
            visit(&a.expr);
        }
    }
    for p in &v.programs {
        p.conditions.iter().for_each(|c| visit(&c.when.expr));
        if let Some(a) = &p.amount {
            visit(&a.formula.expr);
        }
        p.schedule.iter().for_each(|s| visit(&s.amount.expr));
    }
    crate::sort::sort_dedup(&mut nums);
    crate::sort::sort_dedup(&mut dates);
    (nums, dates)
}

/// Candidate values of a missing question, and whether they cover it exactly.
#[inline(never)]
fn candidates(v: &Version, q: usize, lits: &(Vec<Decimal>, Vec<Date>), as_of: Date) -> (Vec<V>, bool) {
    let Some(question) = v.questions.get(q) else { return (vec![V::Unknown], true) };
    match question.ty {
        QType::Bool => (vec![V::Bool(false), V::Bool(true)], true),
        QType::Enum => ((0..question.options.len()).map(V::Opt).collect(), true),
        QType::Integer | QType::Decimal => {
            let (Some(Bound::Num(lo)), Some(Bound::Num(hi))) = (question.min, question.max) else { return (vec![V::Unknown], false) };
            if question.ty == QType::Integer {
                if let (Ok(a), Ok(b)) = (i64::try_from(lo), i64::try_from(hi)) {
                    if b.saturating_sub(a) < MAX_INT_DOMAIN {
                        return ((a..=b).map(|i| V::Num(Decimal::from(i))).collect(), true);
                    }
                }
            }
            let step = if question.ty == QType::Integer { Decimal::ONE } else { Decimal::new(1, 2) };
            let mut c = vec![lo, hi];
            for &x in &lits.0 {
                for y in [num::sub(x, step), Some(x), num::add(x, step)].into_iter().flatten() {
                    if y >= lo && y <= hi && (question.ty == QType::Decimal || y.is_integer()) {
                        c.push(y);
                    }
                }
            }
            crate::sort::sort_dedup(&mut c);
            (c.into_iter().map(V::Num).collect(), false)
        }
        QType::Date => {
            let lo = match question.min {
                Some(Bound::Date(d)) => Some(d),
                _ => None,
            };
            let hi = match question.max {
                Some(Bound::Date(d)) => Some(d),
                _ => None,
            };
            let mut c: Vec<Date> = Vec::new();
            let mut anchors: Vec<Date> = lits.1.clone();
            anchors.push(as_of);
            anchors.push(v.effective_from);
            anchors.extend(v.effective_to);
            for d in anchors {
                for k in [-1, 0, 1] {
                    if let Some(x) = d.add_days(k) {
                        c.push(x);
                    }
                }
            }
            c.extend(lo);
            c.extend(hi);
            c.retain(|d| lo.is_none_or(|l| *d >= l) && hi.is_none_or(|h| *d <= h));
            crate::sort::sort_dedup(&mut c);
            (c.into_iter().map(V::Date).collect(), true)
        }
    }
}

/// Calls `f` once for every combination of values the questions in `deps` (a sorted list of
/// question indexes, closed under `ask_when`) can still take. Given answers are fixed;
/// a question that is not asked in a combination has no value and is not branched on.
/// Returns whether the enumeration covered every case exactly.
fn for_each_assignment(
    v: &Version,
    deps: &[usize],
    given: &[V],
    lits: &(Vec<Decimal>, Vec<Date>),
    as_of: Date,
    values: &mut [V],
    f: &mut dyn FnMut(&[V]) -> Result<(), EstimateError>,
) -> Result<bool, EstimateError> {
    // `values` holds the given answers (one per question) on entry and again on return; only
    // the entries of `deps` change in between (a program reads nothing else), so nothing is
    // copied whole.
    let restore = |values: &mut [V]| {
        for &q in deps {
            if let Some(x) = values.get_mut(q) {
                *x = given.get(q).copied().unwrap_or(V::Unknown);
            }
        }
    };
    // When every question the program reads is answered or not asked there is one case:
    // evaluate it without building domains.
    let mut fixed = true;
    for &q in deps {
        let asked = match v.questions.get(q).and_then(|x| x.ask_when.as_ref()) {
            None => true,
            Some(aw) => aw.code.holds(&Env { values, as_of }) == Ok(Tri::True),
        };
        if !asked {
            values[q] = V::Unknown;
        } else if given.get(q).is_none_or(|g| *g == V::Unknown) {
            fixed = false;
            break;
        }
    }
    if fixed {
        let r = f(values);
        restore(values);
        return r.map(|()| true);
    }
    restore(values);
    let n = deps.len();
    let mut doms: Vec<Vec<V>> = vec![Vec::new(); n];
    let mut idx = vec![0usize; n];
    let mut exact = true;
    let fill = |from: usize, values: &mut [V], doms: &mut Vec<Vec<V>>, idx: &mut Vec<usize>, exact: &mut bool| {
        for k in from..n {
            let q = deps[k];
            let asked = match v.questions.get(q).and_then(|x| x.ask_when.as_ref()) {
                None => true,
                Some(aw) => aw.code.holds(&Env { values, as_of }) == Ok(Tri::True),
            };
            let g = given.get(q).copied().unwrap_or(V::Unknown);
            doms[k] = if !asked {
                vec![V::Unknown]
            } else if g != V::Unknown {
                vec![g]
            } else {
                let (c, ex) = candidates(v, q, lits, as_of);
                *exact &= ex;
                c
            };
            idx[k] = 0;
            values[q] = doms[k].first().copied().unwrap_or(V::Unknown);
        }
    };
    fill(0, values, &mut doms, &mut idx, &mut exact);
    let mut count = 0usize;
    loop {
        if let Err(e) = f(values) {
            restore(values);
            return Err(e);
        }
        count += 1;
        let Some(k) = (0..n).rev().find(|&k| idx[k] + 1 < doms[k].len()) else { break };
        if count >= MAX_COMBINATIONS {
            restore(values);
            return Ok(false);
        }
        idx[k] += 1;
        values[deps[k]] = doms[k][idx[k]];
        fill(k + 1, values, &mut doms, &mut idx, &mut exact);
    }
    restore(values);
    Ok(exact)
}

/// The exact range of the cash total over every combination of the answers still possible,
/// or `None` when there are too many combinations to enumerate.
fn joint_total(
    v: &Version,
    given: &[V],
    lits: &(Vec<Decimal>, Vec<Date>),
    as_of: Date,
    scratch: &mut [V],
) -> Result<Option<(Decimal, Decimal)>, EstimateError> {
    let cash: Vec<&Program> = v.programs.iter().filter(|p| p.kind == ProgramKind::Cash).collect();
    let mut deps: Vec<usize> = cash.iter().flat_map(|p| p.deps.iter().copied()).collect();
    crate::sort::sort_dedup(&mut deps);
    let zero = v.rounding.zero();
    let (mut lo, mut hi): (Option<Decimal>, Option<Decimal>) = (None, None);
    let mut groups: Vec<(&str, Decimal)> = Vec::new();
    let exact = for_each_assignment(v, &deps, given, lits, as_of, scratch, &mut |values| {
        let mut sum = zero;
        groups.clear();
        for p in &cash {
            let o = outcome(v, p, values, as_of)?;
            let amount = if o.met { o.amount } else { zero };
            match p.exclusive_group.as_deref() {
                Some(g) => match groups.iter_mut().find(|(name, _)| *name == g) {
                    Some((_, best)) => *best = (*best).max(amount),
                    None => groups.push((g, amount)),
                },
                None => sum = sum.checked_add(amount).ok_or_else(|| arith(p, EvalError::Overflow))?,
            }
        }
        for (_, best) in &groups {
            sum = sum.checked_add(*best).ok_or(EstimateError::Arithmetic { program: String::new(), message: "total overflow".into() })?;
        }
        lo = Some(lo.map_or(sum, |x| x.min(sum)));
        hi = Some(hi.map_or(sum, |x| x.max(sum)));
        Ok(())
    })?;
    Ok(match (exact, lo, hi) {
        (true, Some(lo), Some(hi)) => Some((lo, hi)),
        _ => None,
    })
}

/// Status and amount of one program, without the explanation (the batch path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quick {
    /// The status.
    pub status: Status,
    /// The amount when eligible and known (cash programs).
    pub amount: Option<Decimal>,
}

/// Statuses and amounts only, for answers that decide every program: no strings, no reasons.
/// Returns `None` when some program still depends on an unanswered question (use
/// [`estimate_version`] for ranges). `scratch` is reused between calls to avoid allocating.
pub fn quick(v: &Version, answers: &Answers, as_of: Date, scratch: &mut Vec<V>, out: &mut Vec<Quick>) -> Result<bool, EstimateError> {
    out.clear();
    scratch.clear();
    scratch.extend_from_slice(&answers.values);
    scratch.resize(v.questions.len(), V::Unknown);
    // A question that is not asked has no value, whatever was answered (an unanswered one
    // has none either way).
    for q in 0..v.questions.len() {
        if matches!(scratch[q], V::Unknown) {
            continue;
        }
        if let Some(aw) = v.questions[q].ask_when.as_ref() {
            match aw.code.holds(&Env { values: scratch, as_of }) {
                Ok(Tri::True) => {}
                Ok(Tri::False) => scratch[q] = V::Unknown,
                _ => return Ok(false),
            }
        }
    }
    let env = Env { values: scratch, as_of };
    let mut grouped = false;
    for p in &v.programs {
        grouped |= p.exclusive_group.is_some();
        let mut met = true;
        for (i, c) in p.conditions.iter().enumerate() {
            match c.when.code.holds(&env).map_err(|e| arith(p, e))? {
                Tri::True => {}
                Tri::False => {
                    met = false;
                    break;
                }
                Tri::Unknown => {
                    // Undecided unless a later condition is false.
                    met = false;
                    let later = p.conditions.get(i + 1..).unwrap_or_default();
                    if !later.iter().any(|c| c.when.code.holds(&env) == Ok(Tri::False)) {
                        return Ok(false);
                    }
                    break;
                }
            }
        }
        let amount = match (&p.amount, met) {
            // An amount that still depends on an unanswered question: not decided.
            (Some(a), true) => match program_amount(v, p, a, &env)? {
                Some(x) => Some(x),
                None => return Ok(false),
            },
            _ => None,
        };
        out.push(Quick { status: if met { Status::Eligible } else { Status::NotEligible }, amount });
    }
    if !grouped {
        return Ok(true);
    }
    // Exclusive groups, as `apply_exclusive_groups` does: every amount is known here.
    for i in 0..out.len() {
        if out[i].status == Status::Eligible && outranked(v, i, |j| (out[j].status == Status::Eligible).then_some(out[j].amount)) {
            out[i] = Quick { status: Status::NotEligible, amount: None };
        }
    }
    Ok(true)
}

/// Status and amounts of one program, without the explanation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figure {
    /// The status.
    pub status: Status,
    /// The amount, when known.
    pub amount: Option<Decimal>,
    /// The lowest possible amount (cash programs).
    pub min: Option<Decimal>,
    /// The highest possible amount (cash programs).
    pub max: Option<Decimal>,
}

/// The figures of an estimate: each program's status and amounts and the totals, as the full
/// estimate gives them, without reasons, schedules or texts (the batch path, and
/// `Calculator.figures` in the browser). Reused from one estimate to the next: it keeps its
/// buffers.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    /// Per program, in the order of the rule file.
    pub programs: Vec<Figure>,
    /// The sum of cash programs, when exact.
    pub total: Option<Decimal>,
    /// The lowest possible sum of cash programs.
    pub total_min: Decimal,
    /// The highest possible sum of cash programs.
    pub total_max: Decimal,
    /// Whether the answers decided every program ([`quick`]); if not, the figures are the
    /// full estimate's.
    pub decided: bool,
    scratch: Vec<V>,
    quick: Vec<Quick>,
}

impl Figures {
    /// The figures for `answers` on `v`: through [`quick`] when the answers decide every
    /// program, else taken from [`estimate_version`] (ranges, `needs_info`).
    pub fn compute(&mut self, v: &Version, answers: &Answers, as_of: Date) -> Result<(), EstimateError> {
        self.programs.clear();
        self.decided = quick(v, answers, as_of, &mut self.scratch, &mut self.quick)?;
        if !self.decided {
            let e = estimate_version(v, answers, as_of, Lang::En)?;
            self.programs.extend(e.programs.iter().map(|p| Figure { status: p.status, amount: p.amount, min: p.min, max: p.max }));
            (self.total, self.total_min, self.total_max) = (e.total, e.total_min, e.total_max);
            return Ok(());
        }
        let zero = v.rounding.zero();
        let mut total = zero;
        for (p, q) in v.programs.iter().zip(&self.quick) {
            let cash = (p.kind == ProgramKind::Cash).then(|| q.amount.unwrap_or(zero));
            self.programs.push(Figure { status: q.status, amount: q.amount, min: cash, max: cash });
            total = num::add(total, cash.unwrap_or(zero))
                .ok_or_else(|| EstimateError::Arithmetic { program: p.id.clone(), message: "total overflow".into() })?;
        }
        (self.total, self.total_min, self.total_max) = (Some(total), total, total);
        Ok(())
    }
}

/// The cash of one set of answers by payer and by year, each from the lowest to the highest
/// it can come to over every combination of the answers still possible (the same when the
/// answers decide it), with exclusive groups applied: what a budget adds up over many
/// applicants (`batch --summary`). The lowest (highest) of a payer is that of its payments
/// over all years in one combination, so the ranges of different payers or years need not be
/// reached together. Made for one version ([`Payments::new`]) and reused from one set of
/// answers to the next: it keeps its buffers.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Debug, Default)]
pub struct Payments {
    /// Each payer that a cash program pays through (index into the version's payers, in their
    /// order): lowest, highest.
    pub by_payer: Vec<(usize, Decimal, Decimal)>,
    /// Each year of the cash programs' schedules (year 1 for a program without one), in
    /// order: lowest, highest.
    pub by_year: Vec<(u32, Decimal, Decimal)>,
    /// Whether every combination was counted: false when an unanswered question has no
    /// finite list of values (the ranges are from sampled values) or there were too many.
    pub exact: bool,
    /// The questions the cash programs read.
    deps: Vec<usize>,
    values: Vec<V>,
    amounts: Vec<Option<Decimal>>,
    payer_now: Vec<Decimal>,
    year_now: Vec<Decimal>,
}

#[cfg(not(target_arch = "wasm32"))]
impl Payments {
    /// Empty payments (every figure zero) with the payers and years of `v`'s cash programs.
    pub fn new(v: &Version) -> Payments {
        let zero = v.rounding.zero();
        let mut deps = Vec::new();
        let (mut payers, mut years) = (Vec::new(), Vec::new());
        for p in v.programs.iter().filter(|p| p.kind == ProgramKind::Cash) {
            deps.extend_from_slice(&p.deps);
            if p.schedule.is_empty() {
                payers.extend(p.payers.first().copied());
                years.push(1);
            }
            for row in &p.schedule {
                payers.push(row.payer);
                years.push(row.year);
            }
        }
        crate::sort::sort_dedup(&mut deps);
        crate::sort::sort_dedup(&mut payers);
        crate::sort::sort_dedup(&mut years);
        Payments {
            by_payer: payers.into_iter().map(|i| (i, zero, zero)).collect(),
            by_year: years.into_iter().map(|y| (y, zero, zero)).collect(),
            exact: true,
            deps,
            ..Payments::default()
        }
    }

    /// The payments for `answers` on `v` (the version it was made for).
    pub fn compute(&mut self, v: &Version, answers: &Answers, as_of: Date) -> Result<(), EstimateError> {
        let zero = v.rounding.zero();
        let n = v.questions.len();
        let Payments { by_payer, by_year, exact, deps, values, amounts, payer_now, year_now } = self;
        for (_, lo, hi) in by_payer.iter_mut() {
            (*lo, *hi) = (zero, zero);
        }
        for (_, lo, hi) in by_year.iter_mut() {
            (*lo, *hi) = (zero, zero);
        }
        values.clear();
        values.extend_from_slice(answers.values.get(..n).unwrap_or(&answers.values));
        values.resize(n, V::Unknown);
        let overflow = |p: &Program| arith(p, EvalError::Overflow);
        let mut first = true;
        *exact = for_each_assignment(v, deps, &answers.values, &v.literals, as_of, values, &mut |vals| {
            amounts.clear();
            for p in &v.programs {
                let o = if p.kind == ProgramKind::Cash { Some(outcome(v, p, vals, as_of)?) } else { None };
                amounts.push(o.and_then(|o| o.met.then_some(o.amount)));
            }
            payer_now.clear();
            payer_now.resize(by_payer.len(), zero);
            year_now.clear();
            year_now.resize(by_year.len(), zero);
            for (i, p) in v.programs.iter().enumerate() {
                let Some(amount) = amounts[i] else { continue };
                if outranked(v, i, |j| amounts[j].map(Some)) {
                    continue;
                }
                // Adds one payment; the keys were gathered from the same programs.
                let mut failed = false;
                let mut pay = |payer: usize, year: u32, x: Decimal| {
                    for (sum, k) in [
                        (&mut *payer_now, by_payer.iter().position(|e| e.0 == payer)),
                        (&mut *year_now, by_year.iter().position(|e| e.0 == year)),
                    ] {
                        if let Some(s) = k.and_then(|k| sum.get_mut(k)) {
                            match num::add(*s, x) {
                                Some(t) => *s = t,
                                None => failed = true,
                            }
                        }
                    }
                };
                if p.schedule.is_empty() {
                    if let Some(&payer) = p.payers.first() {
                        pay(payer, 1, amount);
                    }
                } else {
                    scheduled(v, p, amount, vals, as_of, |row, x| pay(row.payer, row.year, x))?;
                }
                if failed {
                    return Err(overflow(p));
                }
            }
            // The first combination sets each range; the others widen it.
            let widen = |lo: &mut Decimal, hi: &mut Decimal, x: Decimal| {
                (*lo, *hi) = if first { (x, x) } else { ((*lo).min(x), (*hi).max(x)) };
            };
            for ((_, lo, hi), x) in by_payer.iter_mut().zip(payer_now.iter()) {
                widen(lo, hi, *x);
            }
            for ((_, lo, hi), x) in by_year.iter_mut().zip(year_now.iter()) {
                widen(lo, hi, *x);
            }
            first = false;
            Ok(())
        })?;
        Ok(())
    }
}

/// Estimates on one version with validated answers. The estimate borrows its texts and
/// sources from the version.
pub fn estimate_version<'v>(v: &'v Version, answers: &Answers, as_of: Date, lang: Lang) -> Result<Estimate<'v>, EstimateError> {
    let n = v.questions.len();
    let given = &answers.values;
    // Partial values: what is known, with ask_when applied where it can be decided.
    // One allocation for two rows of values: the given answers (the scratch row that
    // `for_each_assignment` varies and restores) and the partial values.
    let mut rows = Vec::with_capacity(2 * n);
    rows.extend_from_slice(given.get(..n).unwrap_or(given));
    rows.resize(n, V::Unknown);
    rows.extend_from_within(..);
    let (scratch, partial) = rows.split_at_mut(n);
    mask(v, partial, as_of);
    let partial = &*partial;
    let unused_answers: Vec<&str> = (0..n)
        .filter(|&i| given.get(i).is_some_and(|x| *x != V::Unknown) && partial[i] == V::Unknown)
        .map(|i| v.questions[i].id.as_str())
        .collect();
    let lits = &v.literals;
    let mut programs = Vec::with_capacity(v.programs.len());
    for p in &v.programs {
        programs.push(estimate_program(v, p, given, partial, lits, as_of, lang, scratch)?);
    }
    apply_exclusive_groups(v, &mut programs, lang);
    let zero = v.rounding.zero();
    let (mut total_min, mut total_max) = (zero, zero);
    let mut groups_done: Vec<&str> = Vec::new();
    let overflow = |id: &str| EstimateError::Arithmetic { program: id.to_string(), message: "total overflow".into() };
    for (i, pe) in programs.iter().enumerate() {
        if pe.kind != ProgramKind::Cash {
            continue;
        }
        let (lo, hi) = match v.programs[i].exclusive_group.as_deref() {
            Some(g) => {
                if groups_done.contains(&g) {
                    continue;
                }
                groups_done.push(g);
                let members = programs.iter().enumerate().filter(|(j, _)| v.programs[*j].exclusive_group.as_deref() == Some(g));
                members.fold((zero, zero), |(lo, hi), (_, m)| (lo.max(m.min.unwrap_or(zero)), hi.max(m.max.unwrap_or(zero))))
            }
            None => (pe.min.unwrap_or(zero), pe.max.unwrap_or(zero)),
        };
        total_min = num::add(total_min, lo).ok_or_else(|| overflow(pe.id))?;
        total_max = num::add(total_max, hi).ok_or_else(|| overflow(pe.id))?;
    }
    // The total's range is exact over joint answers: one applicant cannot be both an
    // enterprise and a postdoc, so per-program maxima do not simply add up.
    if total_min != total_max {
        if let Some((lo, hi)) = joint_total(v, given, lits, as_of, scratch)? {
            total_min = lo;
            total_max = hi;
        }
    }
    let next_question =
        (0..n).find(|&i| programs.iter().any(|p| p.missing.iter().any(|m| *m == v.questions[i].id))).map(|i| v.questions[i].id.as_str());
    Ok(Estimate {
        rule_set: &v.rule_set,
        rule_set_name: v.name.get(lang),
        version: &v.version,
        effective_from: v.effective_from,
        effective_to: v.effective_to,
        as_of,
        lang: lang.tag(),
        currency: &v.currency,
        total: (total_min == total_max).then_some(total_min),
        total_min,
        total_max,
        next_question,
        programs,
        assumptions: Texts::new(&v.assumptions, lang),
        unused_answers,
    })
}

#[allow(clippy::too_many_arguments)]
fn estimate_program<'v>(
    v: &'v Version,
    p: &'v Program,
    given: &[V],
    partial: &[V],
    lits: &(Vec<Decimal>, Vec<Date>),
    as_of: Date,
    lang: Lang,
    scratch: &mut [V],
) -> Result<ProgramEstimate<'v>, EstimateError> {
    let (mut any_met, mut any_not) = (false, false);
    let (mut lo, mut hi): (Option<Decimal>, Option<Decimal>) = (None, None);
    let mut met_amounts_equal = true;
    let mut first_met: Option<Decimal> = None;
    let mut sched: Option<Vec<Payment<'v>>> = None;
    let mut sched_equal = true;
    let exact = for_each_assignment(v, &p.deps, given, lits, as_of, scratch, &mut |masked| {
        let o = outcome(v, p, masked, as_of)?;
        if o.met {
            any_met = true;
            if p.kind == ProgramKind::Cash {
                let s = schedule(v, p, o.amount, masked, as_of, lang)?;
                match &sched {
                    None => sched = Some(s),
                    Some(prev) if *prev != s => sched_equal = false,
                    _ => {}
                }
                match first_met {
                    None => first_met = Some(o.amount),
                    Some(a) if a != o.amount => met_amounts_equal = false,
                    _ => {}
                }
            }
        } else {
            any_not = true;
        }
        lo = Some(lo.map_or(o.amount, |x| x.min(o.amount)));
        hi = Some(hi.map_or(o.amount, |x| x.max(o.amount)));
        Ok(())
    })?;
    let status = match (any_met, any_not) {
        (true, false) => Status::Eligible,
        (false, _) => Status::NotEligible,
        _ => Status::NeedsInfo,
    };
    let env = Env { values: partial, as_of };
    let reasons = Reasons::new(&p.conditions, lang, |c| match c.when.code.holds(&env) {
        Ok(Tri::True) => Met::Met,
        Ok(Tri::False) => Met::NotMet,
        _ => {
            let qs = &c.when.reads;
            if !qs.is_empty() && qs.iter().all(|&q| !partial_asked(v, q, partial, as_of)) {
                Met::NotApplicable
            } else {
                Met::Unknown
            }
        }
    });
    let cash = p.kind == ProgramKind::Cash;
    let zero = v.rounding.zero();
    let amount = (cash && status == Status::Eligible && met_amounts_equal).then(|| first_met.unwrap_or(zero));
    let schedule = match (amount, sched) {
        (Some(_), Some(s)) if sched_equal => s,
        _ => Vec::new(),
    };
    let (min, max) = if cash { (Some(lo.unwrap_or(zero)), Some(hi.unwrap_or(zero))) } else { (None, None) };
    let decided = status != Status::NeedsInfo && (!cash || min == max);
    let missing: Vec<&str> = if decided {
        Vec::new()
    } else {
        p.deps
            .iter()
            .filter(|&&q| given.get(q).is_none_or(|x| *x == V::Unknown) && partial_asked(v, q, partial, as_of))
            .map(|&q| v.questions[q].id.as_str())
            .collect()
    };
    Ok(ProgramEstimate {
        id: &p.id,
        name: p.name.get(lang),
        kind: p.kind,
        status,
        amount,
        min,
        max,
        range_exact: exact,
        missing,
        reasons,
        schedule,
        assumptions: Texts::new(&p.explained.assumptions, lang),
        sources: &p.explained.sources,
        payers: Texts::new(&p.explained.payer_names, lang),
        description: p.description.as_ref().map(|d| d.get(lang)),
        note: p.note.as_ref().map(|d| d.get(lang)),
        exclusive_group: p.exclusive_group.as_deref(),
    })
}

/// What an estimate of the program shows that does not depend on the answers, gathered once
/// at load: the readings behind its figures, the sources it cites (its own first), its payers.
pub(crate) fn explained(v: &Version, p: &Program) -> crate::rules::Explained {
    let mut assumptions: Vec<Text> = Vec::new();
    let mut add = |t: Option<&Text>| {
        if let Some(t) = t {
            if !assumptions.contains(t) {
                assumptions.push(t.clone());
            }
        }
    };
    p.assumptions.iter().for_each(|a| add(Some(a)));
    p.conditions.iter().for_each(|c| add(c.assumption.as_ref()));
    add(p.amount.as_ref().and_then(|a| a.assumption.as_ref()));
    p.schedule.iter().for_each(|s| add(s.assumption.as_ref()));
    for &q in &p.deps {
        add(v.questions.get(q).and_then(|x| x.assumption.as_ref()));
    }
    let mut cited: Vec<&str> = vec![p.source.as_str()];
    let refs = p
        .conditions
        .iter()
        .map(|c| c.source.as_str())
        .chain(p.amount.iter().flat_map(|a| a.sources.iter().map(String::as_str)))
        .chain(p.schedule.iter().map(|s| s.source.as_str()))
        .chain(p.deps.iter().filter_map(|&q| v.questions.get(q).and_then(|x| x.source.as_deref())));
    for s in refs {
        if !cited.contains(&s) {
            cited.push(s);
        }
    }
    crate::rules::Explained {
        assumptions,
        sources: cited.iter().filter_map(|id| v.source(id).cloned()).collect(),
        payer_names: p.payers.iter().filter_map(|&i| v.payers.get(i)).map(|x| x.name.clone()).collect(),
    }
}

/// Which questions the form shows given the answers so far: those without `ask_when` and
/// those whose `ask_when` holds. A question whose `ask_when` is still undecided waits until
/// the answers it depends on are given.
pub fn asked(v: &Version, answers: &Answers, as_of: Date) -> Vec<bool> {
    let mut partial = answers.values.clone();
    partial.resize(v.questions.len(), V::Unknown);
    let mut out = Vec::with_capacity(v.questions.len());
    for q in 0..v.questions.len() {
        let shown = match v.questions[q].ask_when.as_ref() {
            None => true,
            Some(aw) => aw.code.holds(&Env { values: &partial, as_of }) == Ok(Tri::True),
        };
        if !shown {
            partial[q] = V::Unknown;
        }
        out.push(shown);
    }
    out
}

/// Whether question `q` may still be asked given the partial answers.
fn partial_asked(v: &Version, q: usize, partial: &[V], as_of: Date) -> bool {
    match v.questions.get(q).and_then(|x| x.ask_when.as_ref()) {
        None => true,
        Some(aw) => aw.code.holds(&Env { values: partial, as_of }) != Ok(Tri::False),
    }
}

/// Whether eligible program `i` loses its exclusive group (就高不重复) to another eligible
/// member: one with a higher amount, or the same amount and listed earlier. `eligible(j)` is
/// `Some(amount)` when program `j` is eligible.
fn outranked(v: &Version, i: usize, eligible: impl Fn(usize) -> Option<Option<Decimal>>) -> bool {
    let Some(g) = v.programs.get(i).and_then(|p| p.exclusive_group.as_deref()) else { return false };
    let Some(mine) = eligible(i) else { return false };
    v.programs
        .iter()
        .enumerate()
        .any(|(j, o)| j != i && o.exclusive_group.as_deref() == Some(g) && eligible(j).is_some_and(|a| a > mine || (a == mine && j < i)))
}

/// In an exclusive group only the highest amount is paid (就高不重复): when every member's
/// amount is known, the others are set to not eligible with the reason.
fn apply_exclusive_groups<'v>(v: &'v Version, programs: &mut [ProgramEstimate<'v>], lang: Lang) {
    let mut groups: Vec<&str> = v.programs.iter().filter_map(|p| p.exclusive_group.as_deref()).collect();
    crate::sort::sort_dedup(&mut groups);
    for g in groups {
        let members: Vec<usize> = (0..programs.len()).filter(|&i| v.programs[i].exclusive_group.as_deref() == Some(g)).collect();
        let names: Vec<&str> = members.iter().map(|&i| programs[i].name).collect();
        let eligible: Vec<usize> = members.iter().copied().filter(|&i| programs[i].status == Status::Eligible).collect();
        let settled = members.iter().all(|&i| programs[i].status != Status::NeedsInfo && programs[i].min == programs[i].max);
        let text = match lang {
            Lang::Zh => format!("就高不重复：{} 只能享受其中金额最高的一项", crate::error::joined(&names, "、")),
            Lang::En => format!("Only the highest of {} is granted (就高不重复)", crate::error::joined(&names, ", ")),
        };
        for &i in &members {
            let lose = settled
                && eligible.len() > 1
                && (programs[i].status != Status::Eligible
                    || outranked(v, i, |j| (programs[j].status == Status::Eligible).then_some(programs[j].amount)));
            let pe = &mut programs[i];
            pe.reasons.more.push(Reason {
                result: if lose { Met::NotMet } else { Met::Met },
                text: Cow::Owned(text.clone()),
                source: &v.programs[i].source,
                condition: Cow::Owned(format!("exclusive_group = {g}")),
                assumption: None,
            });
            if lose {
                let zero = v.rounding.zero();
                pe.status = Status::NotEligible;
                pe.amount = None;
                pe.min = Some(zero);
                pe.max = Some(zero);
                pe.schedule.clear();
            }
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A version with one program whose `n` conditions read yes/no questions `q0..`; `q1` is
    /// asked only when `q0` is yes.
    fn version(n: usize) -> Version {
        let mut s = String::from(
            "format = 1\nrule_set = \"r\"\nversion = \"v1\"\nname = { zh-CN = \"规则\", en = \"Rules\" }\njurisdiction = { zh-CN = \"区\", en = \"Zone\" }\ncurrency = \"CNY\"\neffective_from = 2024-01-01\n[money]\nscale = 2\nrounding = \"half_up\"\n[[sources]]\nid = \"s\"\ntitle = \"t\"\nissuer = \"i\"\nquote = \"q\"\n[[payers]]\nid = \"p\"\nname = { zh-CN = \"付\", en = \"Payer\" }\n",
        );
        for q in 0..n {
            let ask = if q == 1 { "ask_when = \"q0\"\n" } else { "" };
            s += &format!("[[questions]]\nid = \"q{q}\"\ntype = \"bool\"\nlabel = {{ zh-CN = \"问{q}\", en = \"Q{q}\" }}\n{ask}");
        }
        s += "[[programs]]\nid = \"p\"\nname = { zh-CN = \"项目\", en = \"P\" }\nkind = \"in_kind\"\npayers = [\"p\"]\nsource = \"s\"\n";
        for q in 0..n {
            s += &format!("[[programs.conditions]]\nwhen = \"q{q}\"\ntext = {{ zh-CN = \"条件{q}\", en = \"C{q}\" }}\nsource = \"s\"\n");
        }
        crate::rules::load_version("r.toml", Some(&s), crate::node::from_toml("r.toml", &s).unwrap()).unwrap()
    }

    /// Every result kind, packed (≤ 32 conditions) or listed (more), comes back in order with
    /// its condition's text and source, as `iter`, `results` and serde give them.
    #[test]
    fn reasons_keep_each_result_in_order() {
        for n in [3, 32, 33, 40] {
            let v = version(n);
            // q0 no (so q1 is not asked: not applicable), q2 unanswered, the rest alternate.
            let mut raw = vec![("q0".to_string(), Raw::Bool(false))];
            raw.extend((3..n).map(|q| (format!("q{q}"), Raw::Bool(q % 2 == 0))));
            let (answers, errs) = Answers::parse(&v, &raw);
            assert!(errs.is_empty());
            let e = estimate_version(&v, &answers, Date::parse("2024-07-15").unwrap(), Lang::En).unwrap();
            let r = &e.programs[0].reasons;
            let want: Vec<Met> = (0..n)
                .map(|q| match q {
                    0 => Met::NotMet,
                    1 => Met::NotApplicable,
                    2 => Met::Unknown,
                    q if q % 2 == 0 => Met::Met,
                    _ => Met::NotMet,
                })
                .collect();
            assert_eq!(r.results().collect::<Vec<_>>(), want, "{n} conditions");
            assert_eq!(r.len(), n);
            let listed: Vec<Reason<'_>> = r.iter().collect();
            assert_eq!(listed.iter().map(|x| x.result).collect::<Vec<_>>(), want);
            assert_eq!(listed[n - 1].text, format!("C{}", n - 1));
            assert_eq!(listed[n - 1].condition, format!("q{}", n - 1));
            let json = serde_json::to_value(r).unwrap();
            assert_eq!(json.as_array().unwrap().len(), n);
            assert_eq!(json[1]["result"], "not_applicable");
            assert_eq!(json[2]["result"], "unknown");
        }
    }

    /// Every answer set built from `lists` (one list of values per question id; `None` leaves
    /// the question unanswered).
    fn answer_sets(lists: &[(&str, Vec<Option<Raw>>)]) -> Vec<Vec<(String, Raw)>> {
        let mut sets = vec![Vec::new()];
        for (id, values) in lists {
            sets = sets
                .iter()
                .flat_map(|s: &Vec<(String, Raw)>| {
                    values.iter().map(move |x| {
                        let mut s = s.clone();
                        s.extend(x.clone().map(|x| (id.to_string(), x)));
                        s
                    })
                })
                .collect();
        }
        sets
    }

    /// The payments of a full estimate's schedules, keyed as `Payments` keys them.
    fn scheduled_sums(v: &Version, e: &Estimate<'_>, keys: &Payments) -> (Vec<Decimal>, Vec<Decimal>) {
        let zero = v.rounding.zero();
        let mut payers = vec![zero; keys.by_payer.len()];
        let mut years = vec![zero; keys.by_year.len()];
        for pay in e.programs.iter().flat_map(|p| &p.schedule) {
            let i = v.payers.iter().position(|p| p.id == pay.payer).unwrap();
            payers[keys.by_payer.iter().position(|k| k.0 == i).unwrap()] += pay.amount;
            years[keys.by_year.iter().position(|k| k.0 == pay.year).unwrap()] += pay.amount;
        }
        (payers, years)
    }

    /// Payments by payer and year: for answers that decide everything, the full estimate's
    /// schedules added up; for partial answers, from the lowest to the highest over the
    /// completions (which include the extremes of every amount), exclusive groups applied.
    fn check_payments(dir: &str, as_of: &str, partial: &[(&str, Vec<Option<Raw>>)], full: &[(&str, Vec<Option<Raw>>)]) {
        let rs = crate::rules::load_dir(std::path::Path::new(dir)).unwrap();
        let as_of = Date::parse(as_of).unwrap();
        let v = rs.version_on(as_of).unwrap();
        let mut payments = Payments::new(v);
        // Each completion: its answers and its payments (exact).
        let mut completions = Vec::new();
        for raw in answer_sets(full) {
            let (answers, errs) = Answers::parse(v, &raw);
            assert!(errs.is_empty(), "{raw:?}");
            let e = estimate_version(v, &answers, as_of, Lang::En).unwrap();
            payments.compute(v, &answers, as_of).unwrap();
            assert!(payments.exact);
            let (payers, years) = scheduled_sums(v, &e, &payments);
            // To the written digit.
            let text = |lo: &Decimal, hi: &Decimal| (lo.to_string(), hi.to_string());
            for ((_, lo, hi), want) in payments.by_payer.iter().zip(&payers) {
                assert_eq!(text(lo, hi), text(want, want), "{raw:?}");
            }
            for ((_, lo, hi), want) in payments.by_year.iter().zip(&years) {
                assert_eq!(text(lo, hi), text(want, want), "{raw:?}");
            }
            completions.push((raw, payers, years));
        }
        for raw in answer_sets(partial) {
            let (answers, errs) = Answers::parse(v, &raw);
            assert!(errs.is_empty(), "{raw:?}");
            payments.compute(v, &answers, as_of).unwrap();
            let consistent: Vec<_> = completions.iter().filter(|(c, _, _)| raw.iter().all(|a| c.contains(a))).collect();
            assert!(!consistent.is_empty(), "{raw:?}");
            let bounds = |xs: Vec<Decimal>| (xs.iter().min().copied().unwrap(), xs.iter().max().copied().unwrap());
            for (k, (_, lo, hi)) in payments.by_payer.iter().enumerate() {
                assert_eq!((*lo, *hi), bounds(consistent.iter().map(|c| c.1[k]).collect()), "{raw:?} payer {k}");
            }
            for (k, (y, lo, hi)) in payments.by_year.iter().enumerate() {
                assert_eq!((*lo, *hi), bounds(consistent.iter().map(|c| c.2[k]).collect()), "{raw:?} year {y}");
            }
        }
    }

    fn opts(xs: &[&str]) -> Vec<Option<Raw>> {
        xs.iter().map(|x| Some(Raw::Str(x.to_string()))).collect()
    }

    fn with_none(mut xs: Vec<Option<Raw>>) -> Vec<Option<Raw>> {
        xs.insert(0, None);
        xs
    }

    #[test]
    fn payments_add_up_schedules_and_span_every_completion() {
        let types = opts(&["enterprise", "postdoc", "doctor"]);
        let zone = vec![Some(Raw::Bool(true)), Some(Raw::Bool(false))];
        let station = opts(&["none", "approved"]);
        let approved = opts(&["2023-12-31", "2024-03-01"]);
        let months = |ms: &[i64]| ms.iter().map(|&m| Some(Raw::Int(m))).collect::<Vec<_>>();
        let full = [
            ("applicant_type", types.clone()),
            ("in_zone", zone.clone()),
            ("workstation_status", station.clone()),
            ("workstation_approved_on", approved.clone()),
            ("months_in_station", months(&[0, 1, 12, 13, 24, 30, 72])),
        ];
        let partial = [
            ("applicant_type", with_none(types[..2].to_vec())),
            ("in_zone", with_none(zone[..1].to_vec())),
            ("workstation_status", with_none(station[1..].to_vec())),
            ("workstation_approved_on", with_none(approved[1..].to_vec())),
            ("months_in_station", with_none(months(&[13, 30]))),
        ];
        check_payments("rules/baotou-rare-earth-zone", "2024-07-15", &partial, &full);
        // Exclusive groups: one subsidy of the group per combination, not the sum of the highs.
        let yes_no = vec![Some(Raw::Bool(true)), Some(Raw::Bool(false))];
        let area = months(&[0, 50, 100, 150, 200, 1000]);
        let full = [("rents", yes_no.clone()), ("buys", yes_no.clone()), ("area", area.clone())];
        let partial = [("rents", with_none(yes_no.clone())), ("buys", with_none(yes_no)), ("area", with_none(area))];
        check_payments("tests/rules/exclusive-group", "2024-06-01", &partial, &full);
    }
}
