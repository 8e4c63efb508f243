//! Answers + rule set → estimate: every program's status, exact amount or range, payment
//! schedule, reasons with their sources, and the assumptions behind the figures.
//!
//! One path decides everything. For a *complete* assignment (every question a program reads
//! has a value, or is not asked) [`Assignment`] evaluates programs: conditions, amount, cap,
//! rounding, references to other programs, and the exclusive group (就高不重复: of the
//! eligible members only the highest amount is paid, the first listed on a tie). Unanswered
//! questions are unknown: a program's status and range are exact over the answers still
//! possible, because the engine enumerates the values each missing question can take — every
//! option, every whole number in range, and for dates every day where a condition can flip
//! (see [`Candidates`]) — and evaluates each combination on that same path. [`figures`] is
//! that path asked for statuses and amounts only (batch, screening); [`estimate_version`]
//! adds the reasons and texts of the contract.

mod changes;

pub use changes::{Change, Setting};

use crate::answers::{Answers, Raw};
use crate::contract::{
    Age, AnswerValue, ChangeView, Estimate, Met, Payment, ProgramEstimate, Reason, SetAnswer, Status, TableRow, TableView,
};
use crate::date::{Date, Span};
use crate::error::{EstimateError, List};
use crate::expr::{Env, EvalError, Expr, Kind, Programs, Tri, V};
use crate::rules::{Bound, Lang, Program, ProgramKind, QType, RuleSet, Schedule, Version, MAX_YEARS};
use rust_decimal::Decimal;
use std::cell::RefCell;

/// One payment: year, payer index, amount.
type Pay = (u32, usize, Decimal);
/// The values a question can take, and whether they cover it exactly.
type Domain = (Vec<V>, bool);

/// Most evaluations spent on one program's range; past it the range is marked inexact.
pub const MAX_COMBINATIONS: usize = 65_536;
/// Whole-number questions with at most this many values in range are enumerated in full.
const MAX_INT_DOMAIN: i64 = 400;

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
    /// Add to each program the changes of answers that would make it pay (more).
    pub changes: bool,
}

/// The version an estimate uses, or the versions it ranges over.
#[derive(Clone, Debug)]
pub enum Pick<'v> {
    /// One version.
    One(&'v Version),
    /// The answer that picks the version is missing: each version it could pick, with the
    /// days of that answer that pick it (`from` inclusive, `to` exclusive; open when `None`).
    Range(Vec<(&'v Version, Option<Date>, Option<Date>)>),
}

/// Picks the version for a request: pinned, by the date of the estimate, or by the date the
/// rule set's `versions_by` question answers.
pub fn pick<'v>(rs: &'v RuleSet, as_of: Date, version: Option<&str>, answers: &[(String, Raw)]) -> Result<Pick<'v>, EstimateError> {
    if let Some(id) = version {
        return rs.version(id).map(Pick::One);
    }
    let current = rs.version_on(as_of)?;
    let Some(q) = current.versions_by else { return Ok(Pick::One(current)) };
    let question = &current.questions[q];
    match answers.iter().find(|(k, _)| *k == question.id).map(|(_, r)| crate::answers::validate(question, r, as_of)) {
        Some(Ok(V::Date(d))) => rs.version_by_event(as_of, d).map(Pick::One),
        // unanswered: the range; a bad answer is reported against the current version
        Some(Ok(_)) | None => {
            let started: Vec<&Version> = rs.versions.iter().filter(|v| v.effective_from <= as_of).collect();
            let n = started.len();
            let picks = started
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let from = if i == 0 { None } else { Some(v.effective_from) };
                    let to = if i + 1 == n { None } else { started.get(i + 1).map(|x| x.effective_from) };
                    (*v, from, to)
                })
                .collect::<Vec<_>>();
            match picks.as_slice() {
                [(only, _, _)] => Ok(Pick::One(only)),
                _ => Ok(Pick::Range(picks)),
            }
        }
        Some(Err(_)) => Ok(Pick::One(current)),
    }
}

/// The figures of a request: the version they are in (whose programs and texts they follow),
/// whether that version is decided or the figures span every version the answers could pick,
/// the checked answers and the figures.
#[derive(Clone, Debug)]
pub struct Evaluation<'v> {
    /// The version whose programs the figures follow (the latest candidate when undecided).
    pub version: &'v Version,
    /// The versions the figures span while the answer that picks the version is missing
    /// (empty when one version applies).
    pub candidates: Vec<&'v Version>,
    /// The answers, checked against `version`.
    pub answers: Answers,
    /// The date of the estimate.
    pub as_of: Date,
    /// The figures.
    pub figures: Figures,
}

/// The figures of a request (batch, and the first half of [`estimate`]).
pub fn evaluate<'v>(rs: &'v RuleSet, req: &Request<'_>) -> Result<Evaluation<'v>, EstimateError> {
    let as_of = req.as_of.unwrap_or_else(Date::today);
    match pick(rs, as_of, req.version, req.answers)? {
        Pick::One(v) => {
            let (answers, errs) = Answers::parse(v, req.answers, as_of);
            if !errs.is_empty() {
                return Err(EstimateError::Answers { errors: errs });
            }
            let figures = figures(v, &answers, as_of)?;
            Ok(Evaluation { version: v, candidates: Vec::new(), answers, as_of, figures })
        }
        Pick::Range(picks) => range_figures(&picks, req.answers, as_of),
    }
}

/// Makes an estimate.
pub fn estimate<'v>(rs: &'v RuleSet, req: &Request<'_>) -> Result<Estimate<'v>, EstimateError> {
    let ev = evaluate(rs, req)?;
    let mut e = contract(ev.version, &ev.answers, ev.as_of, req.lang, &ev.figures);
    if !ev.candidates.is_empty() {
        e.version = None;
        e.effective_from = None;
        e.effective_to = None;
        e.version_candidates = ev.candidates.iter().map(|v| v.version.as_str()).collect();
    }
    if req.changes {
        // while the version is undecided no change is certain: none is suggested
        let found = if ev.candidates.is_empty() { program_changes(ev.version, &ev.answers, ev.as_of, &ev.figures) } else { Vec::new() };
        for (i, p) in e.programs.iter_mut().enumerate() {
            p.changes = Some(found.get(i).map(|cs| cs.iter().map(|c| change_view(ev.version, c, req.lang)).collect()).unwrap_or_default());
        }
    }
    Ok(e)
}

/// The changes that would make each program pay (more), for validated answers on one version
/// whose figures are `f`.
pub fn program_changes(v: &Version, answers: &Answers, as_of: Date, f: &Figures) -> Vec<Vec<Change>> {
    let now: Vec<(Status, Option<Decimal>)> = f.programs.iter().map(|p| (p.status, p.amount)).collect();
    changes::changes(v, &answers.values, as_of, &now)
}

/// An answer value of question `q` as the answers object writes it.
fn answer_value(v: &Version, q: usize, x: V) -> Option<AnswerValue<'_>> {
    let question = v.questions.get(q)?;
    Some(match (question.ty, x) {
        (_, V::Bool(b)) => AnswerValue::Bool(b),
        (_, V::Opt(o)) => AnswerValue::Option(question.options.get(o)?.id.as_str()),
        (QType::Integer, V::Num(n)) => AnswerValue::Int(i64::try_from(n).ok()?),
        (_, V::Num(n)) => AnswerValue::Decimal(n),
        (_, V::Date(d)) => AnswerValue::Date(d),
        _ => return None,
    })
}

/// A change in the contract's words.
fn change_view<'v>(v: &'v Version, c: &Change, lang: Lang) -> ChangeView<'v> {
    let set = c
        .set
        .iter()
        .map(|s| {
            let q = s.question();
            let qn = &v.questions[q];
            let (question, label) = (qn.id.as_str(), qn.label.get(lang));
            match *s {
                Setting::Value(_, x) => {
                    let value_label = match x {
                        V::Opt(o) => qn.options.get(o).map(|o| o.label.get(lang)),
                        _ => None,
                    };
                    SetAnswer { question, label, value_label, value: answer_value(v, q, x), min: None, max: None }
                }
                Setting::Between(_, lo, hi) => SetAnswer {
                    question,
                    label,
                    value_label: None,
                    value: None,
                    min: lo.and_then(|x| answer_value(v, q, x)),
                    max: hi.and_then(|x| answer_value(v, q, x)),
                },
            }
        })
        .collect();
    ChangeView { set, status: Status::Eligible, amount: c.amount }
}

// ------------------------------------------------------------------ one assignment

/// One program's result for a complete assignment.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Outcome {
    /// Its conditions hold and no other member of its exclusive group takes its place.
    met: bool,
    /// Its amount (zero when not met or not cash).
    amount: Decimal,
    /// The member of its exclusive group paid instead.
    excluded_by: Option<usize>,
}

#[derive(Clone, Copy)]
enum Slot {
    Empty,
    Busy,
    Raw(Outcome),
    Done(Outcome),
}

/// Programs evaluated for one complete assignment, each once (a program another one refers
/// to is evaluated when first needed).
struct Assignment<'a> {
    v: &'a Version,
    values: &'a [V],
    as_of: Date,
    /// Each program before and after its exclusive group.
    slots: RefCell<Vec<(Slot, Slot)>>,
    error: RefCell<Option<EstimateError>>,
}

fn arith(v: &Version, p: &Program, e: EvalError) -> EstimateError {
    let detail = match e {
        EvalError::NoRow { table, option } => {
            let t = v.tables.get(table);
            let option = t.and_then(|t| v.questions.get(t.key)).and_then(|q| q.options.get(option)).map_or("?", |o| o.id.as_str());
            format!("table '{}' has no row for '{option}' (rule file error)", t.map_or("?", |t| t.id.as_str()))
        }
        e => e.to_string(),
    };
    EstimateError::Arithmetic { program: p.id.clone(), detail }
}

fn not_asked(p: &Program) -> EstimateError {
    EstimateError::Arithmetic {
        program: p.id.clone(),
        detail: "the amount depends on a question that is not asked in this case (rule file error)".into(),
    }
}

/// The effective kind: a cash program whose amount is built on an unpublished one is
/// unpublished too.
pub fn kind(p: &Program) -> ProgramKind {
    if p.unpublished_base.is_some() {
        ProgramKind::CashUnpublished
    } else {
        p.kind
    }
}

impl<'a> Assignment<'a> {
    fn new(v: &'a Version, values: &'a [V], as_of: Date) -> Self {
        let n = v.programs.len();
        Assignment { v, values, as_of, slots: RefCell::new(vec![(Slot::Empty, Slot::Empty); n]), error: RefCell::new(None) }
    }

    fn env(&self) -> Env<'_> {
        Env::new(self.values, self.as_of).with_consts(&self.v.consts).with_programs(self)
    }

    fn fail<T>(&self, e: EstimateError) -> Result<T, EstimateError> {
        Err(self.error.borrow_mut().take().unwrap_or(e))
    }

    /// Program `i` by its own conditions and amount, before its exclusive group.
    fn raw(&self, i: usize) -> Result<Outcome, EstimateError> {
        match self.slots.borrow().get(i).map(|s| s.0) {
            Some(Slot::Raw(o)) => return Ok(o),
            Some(Slot::Busy) => {
                return self.fail(EstimateError::Arithmetic {
                    program: self.v.programs[i].id.clone(),
                    detail: "programs refer to each other".into(),
                })
            }
            _ => {}
        }
        self.slots.borrow_mut()[i].0 = Slot::Busy;
        let p = &self.v.programs[i];
        let env = self.env();
        let mut met = true;
        for c in &p.conditions {
            match c.when.code.holds(&env) {
                Ok(Tri::True) => {}
                Ok(_) => {
                    met = false;
                    break;
                }
                Err(e) => return self.fail(arith(self.v, p, e)),
            }
        }
        let zero = self.v.rounding.zero();
        let amount = if met && kind(p) == ProgramKind::Cash {
            program_amount(self.v, p, &env).or_else(|e| self.fail(e))?.ok_or_else(|| not_asked(p))?
        } else {
            zero
        };
        let o = Outcome { met, amount, excluded_by: None };
        self.slots.borrow_mut()[i].0 = Slot::Raw(o);
        Ok(o)
    }

    /// Program `i` after its exclusive group.
    fn outcome(&self, i: usize) -> Result<Outcome, EstimateError> {
        if let Some((_, Slot::Done(o))) = self.slots.borrow().get(i) {
            return Ok(*o);
        }
        let mut o = self.raw(i)?;
        if let (true, Some(g)) = (o.met, self.v.programs[i].exclusive_group.as_deref()) {
            let mut best: Option<(usize, Decimal)> = None;
            for (j, m) in self.v.programs.iter().enumerate() {
                if m.exclusive_group.as_deref() != Some(g) {
                    continue;
                }
                let r = if j == i { o } else { self.raw(j)? };
                if r.met && best.is_none_or(|(_, a)| r.amount > a) {
                    best = Some((j, r.amount));
                }
            }
            if let Some((w, _)) = best.filter(|(w, _)| *w != i) {
                o = Outcome { met: false, amount: self.v.rounding.zero(), excluded_by: Some(w) };
            }
        }
        self.slots.borrow_mut()[i].1 = Slot::Done(o);
        Ok(o)
    }

    /// The payments of met program `i` with amount `amount`.
    fn schedule(&self, i: usize, amount: Decimal) -> Result<Vec<Pay>, EstimateError> {
        let p = &self.v.programs[i];
        let env = self.env();
        let rows = match &p.schedule {
            Schedule::Once => return Ok(vec![(1, p.payers.first().copied().unwrap_or(0), amount)]),
            Schedule::Rows(rows) => {
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let x = r.amount.code.number(&env).or_else(|e| self.fail(arith(self.v, p, e)))?.ok_or_else(|| {
                        EstimateError::Arithmetic {
                            program: p.id.clone(),
                            detail: format!("the year-{} amount depends on a question that is not asked in this case", r.year),
                        }
                    })?;
                    out.push((r.year, r.payer, self.v.rounding.apply(x)));
                }
                out
            }
            Schedule::Periodic(_) => periodic(self.v, p, &env).or_else(|e| self.fail(e))?.ok_or_else(|| not_asked(p))?,
        };
        let mut sum = self.v.rounding.zero();
        for r in &rows {
            sum = sum.checked_add(r.2).ok_or_else(|| arith(self.v, p, EvalError::Overflow))?;
        }
        if sum != amount {
            return Err(EstimateError::ScheduleMismatch {
                program: p.id.clone(),
                amount: amount.to_string(),
                schedule_sum: sum.to_string(),
            });
        }
        Ok(rows.into_iter().filter(|r| !r.2.is_zero()).collect())
    }
}

impl Programs for Assignment<'_> {
    fn amount(&self, p: usize) -> Result<V, EvalError> {
        match self.outcome(p) {
            Ok(o) => Ok(V::Num(o.amount)),
            Err(e) => {
                *self.error.borrow_mut() = Some(e);
                Err(EvalError::Type)
            }
        }
    }

    fn eligible(&self, p: usize) -> Result<V, EvalError> {
        match self.outcome(p) {
            Ok(o) => Ok(V::Bool(o.met)),
            Err(e) => {
                *self.error.borrow_mut() = Some(e);
                Err(EvalError::Type)
            }
        }
    }
}

/// The rounded amount of a cash program whose conditions hold; `None` when it depends on a
/// question that has no value.
fn program_amount(v: &Version, p: &Program, env: &Env<'_>) -> Result<Option<Decimal>, EstimateError> {
    let Some(a) = &p.amount else {
        // a schedule by rule and no amount: the schedule's total
        let Some(rows) = periodic(v, p, env)? else { return Ok(None) };
        let mut sum = v.rounding.zero();
        for r in rows {
            sum = sum.checked_add(r.2).ok_or_else(|| arith(v, p, EvalError::Overflow))?;
        }
        return Ok(Some(sum));
    };
    let Some(raw) = a.formula.code.number(env).map_err(|e| arith(v, p, e))? else { return Ok(None) };
    let capped = match a.cap {
        Some(c) if raw > c => c,
        _ => raw,
    };
    if capped.is_sign_negative() && !capped.is_zero() {
        return Err(EstimateError::Arithmetic {
            program: p.id.clone(),
            detail: format!("the amount {capped} is negative (rule file error)"),
        });
    }
    Ok(Some(v.rounding.apply(capped)))
}

/// The payments of a schedule by rule: (year, payer, amount), one row a year.
fn periodic(v: &Version, p: &Program, env: &Env<'_>) -> Result<Option<Vec<Pay>>, EstimateError> {
    let Schedule::Periodic(s) = &p.schedule else { return Ok(None) };
    let (Some(each), Some(count)) =
        (s.amount.code.number(env).map_err(|e| arith(v, p, e))?, s.count.code.number(env).map_err(|e| arith(v, p, e))?)
    else {
        return Ok(None);
    };
    let bad = |detail: String| EstimateError::Arithmetic { program: p.id.clone(), detail };
    if !count.is_integer() || count.is_sign_negative() && !count.is_zero() {
        return Err(bad(format!("the number of periods {count} is not a whole number (rule file error)")));
    }
    let per_year = Decimal::from(12 / s.months.max(1));
    let years = (count / per_year).ceil();
    if years > Decimal::from(MAX_YEARS) {
        return Err(bad(format!("payments over more than {MAX_YEARS} years (rule file error)")));
    }
    let mut rows = Vec::new();
    let mut left = count;
    let mut year = 1;
    while left > Decimal::ZERO {
        let periods = left.min(per_year);
        let mut x = each.checked_mul(periods).ok_or_else(|| arith(v, p, EvalError::Overflow))?;
        if let Some(cap) = s.cap_per_year {
            x = x.min(cap);
        }
        rows.push((year, s.payer, v.rounding.apply(x)));
        left -= periods;
        year += 1;
    }
    Ok(Some(rows))
}

// ------------------------------------------------------------------ the values still possible

/// Where an answer that picks the version is confined (the days that pick one version).
#[derive(Clone, Copy, Debug)]
struct Confine {
    q: usize,
    from: Option<Date>,
    to: Option<Date>,
}

/// The values each missing question can take, computed once per estimate. Dates: every day
/// where a comparison the rules make can change its result, with the days around it, and the
/// question's bounds; between two such days nothing changes, so these represent every day.
struct Candidates<'a> {
    v: &'a Version,
    as_of: Date,
    confine: Option<Confine>,
    cache: RefCell<Vec<Option<Domain>>>,
}

impl<'a> Candidates<'a> {
    fn new(v: &'a Version, as_of: Date, confine: Option<Confine>) -> Self {
        Candidates { v, as_of, confine, cache: RefCell::new(vec![None; v.questions.len()]) }
    }

    fn of(&self, q: usize) -> (Vec<V>, bool) {
        if let Some(Some(c)) = self.cache.borrow().get(q) {
            return c.clone();
        }
        let c = self.compute(q);
        if let Some(slot) = self.cache.borrow_mut().get_mut(q) {
            *slot = Some(c.clone());
        }
        c
    }

    fn compute(&self, q: usize) -> (Vec<V>, bool) {
        let v = self.v;
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
                for &x in &v.numbers {
                    for y in [x.checked_sub(step), Some(x), x.checked_add(step)].into_iter().flatten() {
                        if y >= lo && y <= hi && (question.ty == QType::Decimal || y.is_integer()) {
                            c.push(y);
                        }
                    }
                }
                c.sort();
                c.dedup();
                (c.into_iter().map(V::Num).collect(), false)
            }
            QType::Date => {
                let bound = |b: Option<Bound>, default: Date| match b.map(|x| x.on(self.as_of)) {
                    Some(Bound::Date(d)) => d,
                    _ => default,
                };
                let (mut lo, mut hi) = (bound(question.min, Date::MIN), bound(question.max, Date::MAX));
                if let Some(c) = self.confine.filter(|c| c.q == q) {
                    if let Some(f) = c.from {
                        lo = lo.max(f);
                    }
                    if let Some(t) = c.to.and_then(|t| t.add_days(-1)) {
                        hi = hi.min(t);
                    }
                    if lo > hi {
                        return (Vec::new(), true);
                    }
                }
                let (points, exact) = date_points(v, q, self.as_of);
                let mut c: Vec<Date> = vec![lo, hi];
                for d in points {
                    for k in -3..=3 {
                        if let Some(x) = d.add_days(k) {
                            c.push(x);
                        }
                    }
                }
                c.retain(|d| *d >= lo && *d <= hi);
                c.sort();
                c.dedup();
                (c.into_iter().map(V::Date).collect(), exact)
            }
        }
    }
}

/// The days where a comparison in the version's rules can change its result as date question
/// `q` moves, and whether every use of `q` was understood (else the range is marked inexact).
fn date_points(v: &Version, q: usize, as_of: Date) -> (Vec<Date>, bool) {
    let mut points = Vec::new();
    let mut exact = true;
    let env = Env::new(&[], as_of).with_consts(&v.consts);
    let mut visit = |e: &Expr| exact &= points_in(e, q, &env, &mut points);
    for question in &v.questions {
        if let Some(a) = &question.ask_when {
            visit(&a.expr);
        }
    }
    for p in &v.programs {
        for c in &p.conditions {
            visit(&c.when.expr);
        }
        if let Some(a) = &p.amount {
            visit(&a.formula.expr);
        }
        match &p.schedule {
            Schedule::Rows(rows) => rows.iter().for_each(|r| visit(&r.amount.expr)),
            Schedule::Periodic(s) => {
                visit(&s.amount.expr);
                visit(&s.count.expr);
            }
            Schedule::Once => {}
        }
    }
    for d in [Some(as_of), Some(v.effective_from), v.effective_to].into_iter().flatten() {
        points.push(d);
    }
    (points, exact)
}

fn reads(e: &Expr, q: usize) -> bool {
    let mut r = false;
    e.walk(&mut |n| r |= n.kind == Kind::Question(q));
    r
}

/// `e` as `q + offset` (a date), or `age(q + offset)` (a number): `(offset, is_age)`.
fn shifted(e: &Expr, q: usize, env: &Env<'_>) -> Option<(Span, bool)> {
    match &e.kind {
        Kind::Question(x) if *x == q => Some((Span::default(), false)),
        Kind::Bin(op @ (crate::expr::BinOp::Add | crate::expr::BinOp::Sub), a, b) => {
            let (inner, span_side, sign) = if reads(a, q) { (a, b, *op) } else { (b, a, crate::expr::BinOp::Add) };
            if reads(span_side, q) {
                return None;
            }
            let V::Span(s) = crate::expr::eval(span_side, env).ok()? else { return None };
            let (off, age) = shifted(inner, q, env)?;
            if age {
                return None;
            }
            let s = if sign == crate::expr::BinOp::Sub { s.back() } else { s };
            Some((off.plus(s)?, false))
        }
        Kind::Call(crate::expr::Func::Age, args) => {
            let (off, age) = shifted(args.first()?, q, env)?;
            (!age).then_some((off, true))
        }
        _ => None,
    }
}

/// Adds the flip points of the comparisons in `e` that read `q`; false when `q` is read in a
/// way these do not cover.
fn points_in(e: &Expr, q: usize, env: &Env<'_>, out: &mut Vec<Date>) -> bool {
    if !reads(e, q) {
        return true;
    }
    let compare = |side: &Expr, other: &Expr, out: &mut Vec<Date>| -> bool {
        if reads(other, q) {
            return false;
        }
        let Some((off, age)) = shifted(side, q, env) else { return false };
        match (age, crate::expr::eval(other, env)) {
            (false, Ok(V::Date(t))) => {
                out.extend(t.add_span(off.back()));
                true
            }
            (true, Ok(V::Num(n))) => {
                // the birthdays of the ages from one below to one above the limit (a limit at
                // the edge of what a decimal holds is no age: nobody's flip point)
                let (Some(first), Some(last)) = (n.floor().checked_sub(Decimal::ONE), n.ceil().checked_add(Decimal::ONE)) else {
                    return true;
                };
                let mut k = Some(first);
                while let Some(age) = k.filter(|k| *k <= last) {
                    if let Ok(years) = i32::try_from(age) {
                        if let Some(t) = (years.checked_mul(12)).and_then(|m| env.as_of.add_months(-m)) {
                            out.extend(t.add_span(off.back()));
                        }
                    }
                    k = age.checked_add(Decimal::ONE);
                }
                true
            }
            _ => false,
        }
    };
    match &e.kind {
        Kind::Bin(op, a, b) if op.is_comparison() => {
            if reads(a, q) {
                compare(a, b, out)
            } else {
                compare(b, a, out)
            }
        }
        Kind::In { value, list, .. } if reads(value, q) => list.iter().all(|item| compare(value, item, out)),
        Kind::Not(a) => points_in(a, q, env, out),
        Kind::Bin(_, a, b) => points_in(a, q, env, out) & points_in(b, q, env, out),
        Kind::If(c, a, b) => points_in(c, q, env, out) & points_in(a, q, env, out) & points_in(b, q, env, out),
        Kind::In { list, .. } => list.iter().fold(true, |ok, x| ok & points_in(x, q, env, out)),
        // an age used as a number (an amount by age) changes on every anniversary
        Kind::Call(crate::expr::Func::Age, args) => match args.first().and_then(|a| shifted(a, q, env)) {
            Some((off, false)) => {
                for k in 0..=(crate::date::MAX_YEAR - crate::date::MIN_YEAR) {
                    if let Some(t) = env.as_of.add_months(-12 * k) {
                        out.extend(t.add_span(off.back()));
                    }
                }
                true
            }
            _ => false,
        },
        Kind::Call(_, args) if args.iter().all(|a| !reads(a, q) || matches!(a.kind, Kind::Bin(..) | Kind::If(..))) => {
            args.iter().fold(true, |ok, x| ok & points_in(x, q, env, out))
        }
        _ => false,
    }
}

/// Whether question `q` is asked given `values` (its `ask_when` holds).
fn asked_in(v: &Version, q: usize, values: &[V], as_of: Date) -> bool {
    match v.questions.get(q).and_then(|x| x.ask_when.as_ref()) {
        None => true,
        Some(aw) => aw.code.holds(&Env::new(values, as_of).with_consts(&v.consts)) == Ok(Tri::True),
    }
}

/// Calls `f` once for every combination of values the questions in `deps` (sorted question
/// indexes, closed under `ask_when`) can still take. Given answers are fixed; a question that
/// is not asked in a combination has no value and is not branched on. Returns whether the
/// enumeration covered every case exactly.
fn for_each_assignment(
    v: &Version,
    deps: &[usize],
    given: &[V],
    cands: &Candidates<'_>,
    values: &mut [V],
    f: &mut dyn FnMut(&[V]) -> Result<(), EstimateError>,
) -> Result<bool, EstimateError> {
    let as_of = cands.as_of;
    // `values` holds the given answers on entry and again on return; only the entries of
    // `deps` change in between.
    let restore = |values: &mut [V]| {
        for &q in deps {
            if let Some(x) = values.get_mut(q) {
                *x = given.get(q).copied().unwrap_or(V::Unknown);
            }
        }
    };
    let confined = |q: usize| cands.confine.is_some_and(|c| c.q == q);
    // When every question read is answered or not asked there is one case.
    let mut fixed = true;
    for &q in deps {
        if !asked_in(v, q, values, as_of) {
            values[q] = V::Unknown;
        } else if given.get(q).is_none_or(|g| *g == V::Unknown) || confined(q) {
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
    let fill = |from: usize, values: &mut [V], doms: &mut Vec<Vec<V>>, idx: &mut Vec<usize>, exact: &mut bool| -> bool {
        for k in from..n {
            let q = deps[k];
            let g = given.get(q).copied().unwrap_or(V::Unknown);
            doms[k] = if !asked_in(v, q, values, as_of) {
                vec![V::Unknown]
            } else if g != V::Unknown {
                vec![g]
            } else {
                let (c, ex) = cands.of(q);
                *exact &= ex;
                c
            };
            idx[k] = 0;
            match doms[k].first() {
                Some(x) => values[q] = *x,
                None => return false,
            }
        }
        true
    };
    if !fill(0, values, &mut doms, &mut idx, &mut exact) {
        restore(values);
        return Ok(exact);
    }
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
        if !fill(k + 1, values, &mut doms, &mut idx, &mut exact) {
            break;
        }
    }
    restore(values);
    Ok(exact)
}

// ------------------------------------------------------------------ figures

/// One program's figures: status, amounts, schedule, and what is still missing.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The status.
    pub status: Status,
    /// The amount, when eligible and known (cash programs).
    pub amount: Option<Decimal>,
    /// The lowest possible amount (cash programs).
    pub min: Option<Decimal>,
    /// The highest possible amount (cash programs).
    pub max: Option<Decimal>,
    /// Whether min and max are exact.
    pub exact: bool,
    /// Payments (year, payer index, amount), when the amount is known.
    pub schedule: Vec<Pay>,
    /// The questions still to answer that decide it (indexes, in question order).
    pub missing: Vec<usize>,
    /// The member of its exclusive group paid instead, for every answer still possible.
    pub excluded_by: Option<usize>,
    /// Whether it gives way to another member of its group: always, never or it depends.
    pub gives_way: Met,
    /// The lowest and highest amounts by its own conditions, before its exclusive group.
    pub own_range: (Decimal, Decimal),
}

/// The figures of an estimate: each program's and the totals, without texts.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// Per program, in the order of the rule file.
    pub programs: Vec<Figure>,
    /// The sum of cash programs, when exact.
    pub total: Option<Decimal>,
    /// The lowest possible sum of cash programs.
    pub total_min: Decimal,
    /// The highest possible sum of cash programs.
    pub total_max: Decimal,
    /// Answers given to questions not asked.
    pub unused: Vec<usize>,
    /// The first question whose answer would narrow the estimate.
    pub next_question: Option<usize>,
}

/// `values` with `ask_when` applied where it is decided: a question whose `ask_when` is false
/// has no value; one whose `ask_when` is still unknown keeps it.
fn mask(v: &Version, values: &mut [V], as_of: Date) {
    for q in 0..v.questions.len() {
        if values.get(q).is_none_or(|x| matches!(x, V::Unknown)) {
            continue;
        }
        if let Some(aw) = &v.questions[q].ask_when {
            if aw.code.holds(&Env::new(values, as_of).with_consts(&v.consts)) == Ok(Tri::False) {
                values[q] = V::Unknown;
            }
        }
    }
}

/// Whether question `q` may still be asked given the partial answers: its `ask_when` is not
/// false, and every unanswered question that `ask_when` reads may itself be asked (one that
/// never will be leaves it undecided for good, so `q` is never shown). `ask_when` reads only
/// earlier questions, so this ends.
fn may_be_asked(v: &Version, q: usize, partial: &[V], as_of: Date) -> bool {
    match v.questions.get(q).and_then(|x| x.ask_when.as_ref()) {
        None => true,
        Some(aw) => {
            aw.code.holds(&Env::new(partial, as_of).with_consts(&v.consts)) != Ok(Tri::False)
                && aw
                    .reads
                    .iter()
                    .all(|&r| r < q && (partial.get(r).is_some_and(|x| !matches!(x, V::Unknown)) || may_be_asked(v, r, partial, as_of)))
        }
    }
}

/// The figures for validated answers on one version.
pub fn figures(v: &Version, answers: &Answers, as_of: Date) -> Result<Figures, EstimateError> {
    figures_in(v, &answers.values, as_of, None)
}

fn figures_in(v: &Version, given: &[V], as_of: Date, confine: Option<Confine>) -> Result<Figures, EstimateError> {
    let n = v.questions.len();
    let mut partial: Vec<V> = given.iter().copied().chain(std::iter::repeat(V::Unknown)).take(n).collect();
    mask(v, &mut partial, as_of);
    // Answers that decide every program (the usual case in batch): one assignment for all.
    let decided = |q: usize| partial[q] != V::Unknown || !v.read[q] || !may_be_asked(v, q, &partial, as_of);
    if confine.is_none() && (0..n).all(decided) {
        return decided_figures(v, given, &partial, as_of);
    }
    let mut scratch: Vec<V> = given.iter().copied().chain(std::iter::repeat(V::Unknown)).take(n).collect();
    let given: Vec<V> = scratch.clone();
    let zero = v.rounding.zero();
    let cands = Candidates::new(v, as_of, confine);
    let mut programs = Vec::with_capacity(v.programs.len());
    for i in 0..v.programs.len() {
        programs.push(program_figure(v, i, &given, &partial, &cands, &mut scratch)?);
    }
    // The total: the sum of the programs when each is exact, else over joint answers (one
    // applicant cannot be both an enterprise and a postdoc, so maxima do not simply add up).
    let cash: Vec<usize> = (0..v.programs.len()).filter(|&i| kind(&v.programs[i]) == ProgramKind::Cash).collect();
    let (mut lo, mut hi) = (zero, zero);
    let mut groups_done: Vec<&str> = Vec::new();
    for &i in &cash {
        let overflow = || EstimateError::Arithmetic { program: v.programs[i].id.clone(), detail: "total overflow".into() };
        // a group pays its highest member: at least the highest of their lowest amounts
        let (a, b) = match v.programs[i].exclusive_group.as_deref() {
            Some(g) if groups_done.contains(&g) => continue,
            Some(g) => {
                groups_done.push(g);
                let members = cash.iter().filter(|&&j| v.programs[j].exclusive_group.as_deref() == Some(g));
                members.fold((zero, zero), |(a, b), &j| (a.max(programs[j].own_range.0), b.max(programs[j].own_range.1)))
            }
            None => (programs[i].min.unwrap_or(zero), programs[i].max.unwrap_or(zero)),
        };
        lo = lo.checked_add(a).ok_or_else(overflow)?;
        hi = hi.checked_add(b).ok_or_else(overflow)?;
    }
    if lo != hi {
        let mut deps: Vec<usize> = cash.iter().flat_map(|&i| v.programs[i].deps.iter().copied()).collect();
        deps.sort_unstable();
        deps.dedup();
        let (mut jlo, mut jhi): (Option<Decimal>, Option<Decimal>) = (None, None);
        let exact = for_each_assignment(v, &deps, &given, &cands, &mut scratch, &mut |values| {
            let a = Assignment::new(v, values, as_of);
            let mut sum = zero;
            for &i in &cash {
                let o = a.outcome(i)?;
                sum = sum
                    .checked_add(o.amount)
                    .ok_or_else(|| EstimateError::Arithmetic { program: String::new(), detail: "total overflow".into() })?;
            }
            jlo = Some(jlo.map_or(sum, |x| x.min(sum)));
            jhi = Some(jhi.map_or(sum, |x| x.max(sum)));
            Ok(())
        })?;
        if let (true, Some(a), Some(b)) = (exact, jlo, jhi) {
            (lo, hi) = (a, b);
        }
    }
    let unused = (0..n).filter(|&i| given[i] != V::Unknown && partial[i] == V::Unknown).collect();
    let next_question = (0..n).find(|q| programs.iter().any(|f| f.missing.contains(q)));
    Ok(Figures { programs, total: (lo == hi).then_some(lo), total_min: lo, total_max: hi, unused, next_question })
}

/// The figures when the answers decide every program: one assignment (the answers, with the
/// questions not asked left out) evaluates them all, each once.
fn decided_figures(v: &Version, given: &[V], partial: &[V], as_of: Date) -> Result<Figures, EstimateError> {
    let zero = v.rounding.zero();
    let a = Assignment::new(v, partial, as_of);
    let mut programs = Vec::with_capacity(v.programs.len());
    let mut total = zero;
    for (i, p) in v.programs.iter().enumerate() {
        let (o, own) = (a.outcome(i)?, a.raw(i)?.amount);
        let cash = kind(p) == ProgramKind::Cash;
        let schedule = if o.met && cash { a.schedule(i, o.amount)? } else { Vec::new() };
        if cash {
            total = total
                .checked_add(o.amount)
                .ok_or_else(|| EstimateError::Arithmetic { program: p.id.clone(), detail: "total overflow".into() })?;
        }
        programs.push(Figure {
            status: if o.met { Status::Eligible } else { Status::NotEligible },
            amount: (o.met && cash).then_some(o.amount),
            min: cash.then_some(o.amount),
            max: cash.then_some(o.amount),
            exact: true,
            schedule,
            missing: Vec::new(),
            excluded_by: o.excluded_by,
            gives_way: if o.excluded_by.is_some() { Met::NotMet } else { Met::Met },
            own_range: (own, own),
        });
    }
    let unused = (0..v.questions.len()).filter(|&i| given.get(i).is_some_and(|g| *g != V::Unknown) && partial[i] == V::Unknown).collect();
    Ok(Figures { programs, total: Some(total), total_min: total, total_max: total, unused, next_question: None })
}

fn program_figure(
    v: &Version,
    i: usize,
    given: &[V],
    partial: &[V],
    cands: &Candidates<'_>,
    scratch: &mut [V],
) -> Result<Figure, EstimateError> {
    let p = &v.programs[i];
    let as_of = cands.as_of;
    let cash = kind(p) == ProgramKind::Cash;
    let (mut any_met, mut any_not) = (false, false);
    let (mut lo, mut hi): (Option<Decimal>, Option<Decimal>) = (None, None);
    let mut first_met: Option<Decimal> = None;
    let mut amounts_equal = true;
    let mut sched: Option<Vec<Pay>> = None;
    let mut sched_equal = true;
    let (mut excluded_by, mut excluded_always, mut excluded_ever, mut raw_met_ever) = (None, true, false, false);
    let (mut own_lo, mut own_hi): (Option<Decimal>, Option<Decimal>) = (None, None);
    let exact = for_each_assignment(v, &p.deps, given, cands, scratch, &mut |values| {
        let a = Assignment::new(v, values, as_of);
        let o = a.outcome(i)?;
        let own = a.raw(i)?.amount;
        own_lo = Some(own_lo.map_or(own, |x| x.min(own)));
        own_hi = Some(own_hi.map_or(own, |x| x.max(own)));
        if let Some(w) = o.excluded_by {
            excluded_ever = true;
            raw_met_ever = true;
            if excluded_by.is_some_and(|x| x != w) {
                excluded_always = false;
            }
            excluded_by = excluded_by.or(Some(w));
        } else if o.met {
            excluded_always = false;
            raw_met_ever = true;
        }
        if o.met {
            any_met = true;
            if cash {
                let s = a.schedule(i, o.amount)?;
                match &sched {
                    None => sched = Some(s),
                    Some(prev) if *prev != s => sched_equal = false,
                    _ => {}
                }
                match first_met {
                    None => first_met = Some(o.amount),
                    Some(x) if x != o.amount => amounts_equal = false,
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
    let zero = v.rounding.zero();
    let amount = (cash && status == Status::Eligible && amounts_equal).then(|| first_met.unwrap_or(zero));
    let schedule = match (amount, sched) {
        (Some(_), Some(s)) if sched_equal => s,
        _ => Vec::new(),
    };
    let (min, max) = if cash { (Some(lo.unwrap_or(zero)), Some(hi.unwrap_or(zero))) } else { (None, None) };
    let decided = status != Status::NeedsInfo && (!cash || min == max);
    let missing = if decided {
        Vec::new()
    } else {
        p.deps.iter().copied().filter(|&q| given.get(q).is_none_or(|x| *x == V::Unknown) && may_be_asked(v, q, partial, as_of)).collect()
    };
    let always = excluded_ever && excluded_always && !any_met;
    let gives_way = if !excluded_ever {
        Met::Met
    } else if always || (raw_met_ever && !any_met) {
        Met::NotMet
    } else {
        Met::Unknown
    };
    let own_range = (own_lo.unwrap_or(zero), own_hi.unwrap_or(zero));
    Ok(Figure {
        status,
        amount,
        min,
        max,
        exact,
        schedule,
        missing,
        excluded_by: if always { excluded_by } else { None },
        gives_way,
        own_range,
    })
}

/// The cash of one set of answers by payer and by year, each from the lowest to the highest
/// it can come to over every combination of the answers still possible (the same when the
/// answers decide it), on the one path (exclusive groups and references applied): what a
/// budget adds up over many applicants (`batch --summary`). The lowest (highest) of a payer is
/// that of its payments over all years in one combination, so the ranges of different payers
/// or years need not be reached together. Made for one version and reused from one set of
/// answers to the next.
#[derive(Clone, Debug, Default)]
pub struct Payments {
    /// Each payer a cash program pays through (index into the version's payers, in order):
    /// lowest, highest.
    pub by_payer: Vec<(usize, Decimal, Decimal)>,
    /// Each year of the cash programs' schedules, in order: lowest, highest.
    pub by_year: Vec<(u32, Decimal, Decimal)>,
    /// Whether every combination was counted (false when an unanswered question has no
    /// finite list of values, or there were too many).
    pub exact: bool,
    deps: Vec<usize>,
}

impl Payments {
    /// Empty payments (every figure zero) with the payers and years `v`'s cash programs can
    /// pay through.
    pub fn new(v: &Version) -> Payments {
        let zero = v.rounding.zero();
        let (mut deps, mut payers, mut years) = (Vec::new(), Vec::new(), Vec::new());
        for p in v.programs.iter().filter(|p| kind(p) == ProgramKind::Cash) {
            deps.extend_from_slice(&p.deps);
            match &p.schedule {
                Schedule::Once => {
                    payers.extend(p.payers.first().copied());
                    years.push(1);
                }
                Schedule::Rows(rows) => {
                    for r in rows {
                        payers.push(r.payer);
                        years.push(r.year);
                    }
                }
                Schedule::Periodic(x) => {
                    payers.push(x.payer);
                    years.extend(1..=MAX_YEARS);
                }
            }
        }
        for x in [&mut deps, &mut payers] {
            x.sort_unstable();
            x.dedup();
        }
        years.sort_unstable();
        years.dedup();
        Payments {
            by_payer: payers.into_iter().map(|i| (i, zero, zero)).collect(),
            by_year: years.into_iter().map(|y| (y, zero, zero)).collect(),
            exact: true,
            deps,
        }
    }

    /// The payments for `answers` on `v` (the version it was made for).
    pub fn compute(&mut self, v: &Version, answers: &Answers, as_of: Date) -> Result<(), EstimateError> {
        let zero = v.rounding.zero();
        let n = v.questions.len();
        let given: Vec<V> = answers.values.iter().copied().chain(std::iter::repeat(V::Unknown)).take(n).collect();
        let mut values = given.clone();
        let cands = Candidates::new(v, as_of, None);
        let Payments { by_payer, by_year, exact, deps } = self;
        let mut first = true;
        let (mut payer_now, mut year_now) = (vec![zero; by_payer.len()], vec![zero; by_year.len()]);
        *exact = for_each_assignment(v, deps, &given, &cands, &mut values, &mut |vals| {
            let a = Assignment::new(v, vals, as_of);
            payer_now.iter_mut().for_each(|x| *x = zero);
            year_now.iter_mut().for_each(|x| *x = zero);
            for i in 0..v.programs.len() {
                if kind(&v.programs[i]) != ProgramKind::Cash {
                    continue;
                }
                let o = a.outcome(i)?;
                if !o.met {
                    continue;
                }
                for (year, payer, x) in a.schedule(i, o.amount)? {
                    let overflow = || arith(v, &v.programs[i], EvalError::Overflow);
                    if let Some(k) = by_payer.iter().position(|e| e.0 == payer) {
                        payer_now[k] = payer_now[k].checked_add(x).ok_or_else(overflow)?;
                    }
                    if let Some(k) = by_year.iter().position(|e| e.0 == year) {
                        year_now[k] = year_now[k].checked_add(x).ok_or_else(overflow)?;
                    }
                }
            }
            // the first combination sets each range; the others widen it
            let widen = |lo: &mut Decimal, hi: &mut Decimal, x: Decimal, first: bool| {
                (*lo, *hi) = if first { (x, x) } else { ((*lo).min(x), (*hi).max(x)) };
            };
            for ((_, lo, hi), x) in by_payer.iter_mut().zip(&payer_now) {
                widen(lo, hi, *x, first);
            }
            for ((_, lo, hi), x) in by_year.iter_mut().zip(&year_now) {
                widen(lo, hi, *x, first);
            }
            first = false;
            Ok(())
        })?;
        Ok(())
    }
}

// ------------------------------------------------------------------ the estimate

/// Other programs' figures as the reasons read them under partial answers: known only when
/// decided.
struct Decided<'a> {
    figures: &'a [Figure],
}

impl Programs for Decided<'_> {
    fn amount(&self, p: usize) -> Result<V, EvalError> {
        Ok(match self.figures.get(p) {
            Some(f) if f.min.is_some() && f.min == f.max && f.status != Status::NeedsInfo => V::Num(f.min.unwrap_or_default()),
            _ => V::Unknown,
        })
    }

    fn eligible(&self, p: usize) -> Result<V, EvalError> {
        Ok(match self.figures.get(p).map(|f| f.status) {
            Some(Status::Eligible) => V::Bool(true),
            Some(Status::NotEligible) => V::Bool(false),
            _ => V::Unknown,
        })
    }
}

/// Estimates on one version with validated answers. The estimate borrows its texts and
/// sources from the version.
pub fn estimate_version<'v>(v: &'v Version, answers: &Answers, as_of: Date, lang: Lang) -> Result<Estimate<'v>, EstimateError> {
    let f = figures(v, answers, as_of)?;
    Ok(contract(v, answers, as_of, lang, &f))
}

/// The contract of an estimate from its figures.
fn contract<'v>(v: &'v Version, answers: &Answers, as_of: Date, lang: Lang, f: &Figures) -> Estimate<'v> {
    let mut partial: Vec<V> = answers.values.iter().copied().chain(std::iter::repeat(V::Unknown)).take(v.questions.len()).collect();
    mask(v, &mut partial, as_of);
    let decided = Decided { figures: &f.programs };
    let env = Env::new(&partial, as_of).with_consts(&v.consts).with_programs(&decided);
    let qid = |q: usize| v.questions[q].id.as_str();
    let programs = v
        .programs
        .iter()
        .zip(&f.programs)
        .map(|(p, fig)| {
            let mut reasons: Vec<Reason<'v>> = p
                .conditions
                .iter()
                .map(|c| Reason {
                    result: match c.when.code.holds(&env) {
                        Ok(Tri::True) => Met::Met,
                        Ok(Tri::False) => Met::NotMet,
                        _ if !c.when.reads.is_empty() && c.when.reads.iter().all(|&q| !may_be_asked(v, q, &partial, as_of)) => {
                            Met::NotApplicable
                        }
                        _ => Met::Unknown,
                    },
                    text: c.text.get(lang),
                    source: &c.source,
                    condition: &c.when.src,
                    assumption: c.assumption.as_ref().map(|a| a.get(lang)),
                })
                .collect();
            if let Some(g) = &p.exclusive_group {
                reasons.push(Reason {
                    result: fig.gives_way,
                    text: p.explained.group_text.as_ref().map_or("", |t| t.get(lang)),
                    source: &p.source,
                    condition: g_condition(p, g),
                    assumption: None,
                });
            }
            ProgramEstimate {
                id: &p.id,
                name: p.name.get(lang),
                kind: kind(p),
                status: fig.status,
                amount: fig.amount,
                min: fig.min,
                max: fig.max,
                range_exact: fig.exact,
                missing: fig.missing.iter().map(|&q| qid(q)).collect(),
                reasons,
                schedule: fig
                    .schedule
                    .iter()
                    .map(|&(year, payer, amount)| {
                        let x = v.payers.get(payer);
                        Payment { year, payer: x.map_or("", |x| x.id.as_str()), payer_name: x.map_or("", |x| x.name.get(lang)), amount }
                    })
                    .collect(),
                assumptions: p.explained.assumptions.iter().map(|t| t.get(lang)).collect(),
                sources: &p.explained.sources,
                payers: p.explained.payer_names.iter().map(|t| t.get(lang)).collect(),
                description: p.description.as_ref().map(|d| d.get(lang)),
                note: p.note.as_ref().map(|d| d.get(lang)),
                exclusive_group: p.exclusive_group.as_deref(),
                tables: p.tables.iter().filter_map(|&t| v.tables.get(t)).map(|t| table_view(v, t, lang)).collect(),
                excluded_by: fig.excluded_by.map(|w| v.programs[w].id.as_str()),
                changes: None,
            }
        })
        .collect();
    Estimate {
        rule_set: &v.rule_set,
        rule_set_name: v.name.get(lang),
        version: Some(&v.version),
        effective_from: Some(v.effective_from),
        effective_to: v.effective_to,
        as_of,
        lang: lang.tag(),
        currency: &v.currency,
        total: f.total,
        total_min: f.total_min,
        total_max: f.total_max,
        next_question: f.next_question.map(qid),
        programs,
        assumptions: v.assumptions.iter().map(|t| t.get(lang)).collect(),
        unused_answers: f.unused.iter().map(|&q| qid(q)).collect(),
        version_candidates: Vec::new(),
        ages: v
            .age_of
            .iter()
            .filter_map(|&q| match answers.values.get(q) {
                Some(V::Date(d)) => Some(Age { question: qid(q), years: d.years_since(as_of) }),
                _ => None,
            })
            .collect(),
    }
}

fn g_condition<'v>(p: &'v Program, _g: &str) -> &'v str {
    p.explained.group_condition.as_deref().unwrap_or("")
}

fn table_view<'v>(v: &'v Version, t: &'v crate::rules::Table, lang: Lang) -> TableView<'v> {
    let q = &v.questions[t.key];
    TableView {
        id: &t.id,
        name: t.name.get(lang),
        key: &q.id,
        rows: q
            .options
            .iter()
            .zip(&t.rows)
            .filter_map(|(o, r)| r.map(|value| TableRow { option: &o.id, label: o.label.get(lang), value }))
            .collect(),
    }
}

/// The estimate while the answer that picks the version is missing: the exact range over
/// every version it could pick. The texts, reasons and schedules are the latest candidate's;
/// statuses, amounts, ranges and totals span them all.
fn range_figures<'v>(
    picks: &[(&'v Version, Option<Date>, Option<Date>)],
    raw: &[(String, Raw)],
    as_of: Date,
) -> Result<Evaluation<'v>, EstimateError> {
    let Some(&(latest, _, _)) = picks.last() else {
        return Err(EstimateError::NoVersion { as_of: as_of.to_string(), covered: List::default() });
    };
    let (answers, errs) = Answers::parse(latest, raw, as_of);
    if !errs.is_empty() {
        return Err(EstimateError::Answers { errors: errs });
    }
    let q = latest.versions_by.unwrap_or(0);
    let mut each: Vec<(&Version, Figures)> = Vec::new();
    for &(v, from, to) in picks {
        let (a, errs) = Answers::parse(v, raw, as_of);
        if !errs.is_empty() {
            return Err(EstimateError::Answers { errors: errs });
        }
        let vq = v.versions_by.unwrap_or(q);
        let f = figures_in(v, &a.values, as_of, Some(Confine { q: vq, from, to }))?;
        each.push((v, f));
    }
    let base = figures(latest, &answers, as_of)?;
    let mut merged = base.clone();
    for (i, p) in latest.programs.iter().enumerate() {
        let figs: Vec<Option<&Figure>> =
            each.iter().map(|(v, f)| v.programs.iter().position(|x| x.id == p.id).and_then(|j| f.programs.get(j))).collect();
        let m = &mut merged.programs[i];
        let statuses: Vec<Status> = figs.iter().map(|f| f.map_or(Status::NotEligible, |f| f.status)).collect();
        m.status = if statuses.iter().all(|s| *s == Status::Eligible) {
            Status::Eligible
        } else if statuses.iter().all(|s| *s == Status::NotEligible) {
            Status::NotEligible
        } else {
            Status::NeedsInfo
        };
        if kind(p) == ProgramKind::Cash {
            let zero = latest.rounding.zero();
            let mins = figs.iter().map(|f| f.and_then(|f| f.min).unwrap_or(zero));
            let maxs = figs.iter().map(|f| f.and_then(|f| f.max).unwrap_or(zero));
            m.min = mins.min();
            m.max = maxs.max();
            let amounts: Vec<Option<Decimal>> = figs.iter().map(|f| f.and_then(|f| f.amount)).collect();
            m.amount = if m.status == Status::Eligible && amounts.windows(2).all(|w| w[0] == w[1]) { amounts[0] } else { None };
            if m.amount.is_none() {
                m.schedule.clear();
            }
        }
        m.exact = figs.iter().all(|f| f.is_none_or(|f| f.exact));
        let decided = m.status != Status::NeedsInfo && m.min == m.max;
        if decided {
            m.missing.clear();
        } else {
            // the questions by their index in the latest version
            let mut missing: Vec<usize> = Vec::new();
            for (k, (v, _)) in each.iter().enumerate() {
                if let Some(f) = figs[k] {
                    for &x in &f.missing {
                        if let Some(j) = latest.question_index(&v.questions[x].id) {
                            missing.push(j);
                        }
                    }
                }
            }
            missing.push(q);
            missing.sort_unstable();
            missing.dedup();
            m.missing = missing;
        }
    }
    merged.total_min = each.iter().map(|(_, f)| f.total_min).min().unwrap_or(base.total_min);
    merged.total_max = each.iter().map(|(_, f)| f.total_max).max().unwrap_or(base.total_max);
    merged.total = (merged.total_min == merged.total_max).then_some(merged.total_min);
    merged.next_question = (0..latest.questions.len()).find(|x| merged.programs.iter().any(|f| f.missing.contains(x)));
    Ok(Evaluation { version: latest, candidates: picks.iter().map(|(v, _, _)| *v).collect(), answers, as_of, figures: merged })
}

/// Which questions the form shows given the answers so far: those without `ask_when` and
/// those whose `ask_when` holds. A question whose `ask_when` is still undecided waits until
/// the answers it depends on are given.
pub fn asked(v: &Version, answers: &Answers, as_of: Date) -> Vec<bool> {
    let mut partial = answers.values.clone();
    partial.resize(v.questions.len(), V::Unknown);
    let mut out = Vec::with_capacity(v.questions.len());
    for q in 0..v.questions.len() {
        let shown = asked_in(v, q, &partial, as_of);
        if !shown {
            partial[q] = V::Unknown;
        }
        out.push(shown);
    }
    out
}
