//! What would change a result: for a program that does not pay, or pays less than it could,
//! the smallest changes of answers that make it pay (more).
//!
//! The search tries the questions the program reads that the person can change (not `fixed`),
//! one at a time, then two, then three, over the same candidate values the ranges use (every
//! option, every whole number in range, every day where a condition can flip). A question that
//! a change makes newly asked (approval → the approval date) is set too, fixed or not. Each
//! combination is evaluated on the one path, [`Assignment`]; a suggestion is only what that path
//! gives. A run of whole numbers or days that all give the same amount is one suggestion with
//! bounds: the candidates include every day where a condition flips, so between two adjacent
//! candidates nothing changes, and a run's ends are exact.

use super::{asked_in, kind, mask, Assignment, Candidates};
use crate::contract::Status;
use crate::date::Date;
use crate::expr::V;
use crate::rules::{Bound, ProgramKind, QType, Version};
use rust_decimal::Decimal;
use std::collections::HashSet;

/// At most this many suggestions per program.
pub const MAX_CHANGES: usize = 3;
/// At most this many questions changed at once.
const MAX_CHANGED: usize = 3;
/// Combinations of one set of changed questions beyond this are not tried.
const MAX_PER_SET: usize = 4_096;
/// Evaluations per program beyond this end the search (what was found stays exact).
const MAX_PER_PROGRAM: usize = 20_000;

/// An answer a suggestion sets.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting {
    /// This value.
    Value(usize, V),
    /// Any value from `min` to `max`, both included (open where `None`).
    Between(usize, Option<V>, Option<V>),
}

impl Setting {
    /// The question it sets.
    pub fn question(&self) -> usize {
        match self {
            Setting::Value(q, _) | Setting::Between(q, _, _) => *q,
        }
    }
}

/// One suggestion: with these answers set, and every other as answered, the program is
/// eligible with this amount (`None`: not cash, or not published).
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The answers set, in question order.
    pub set: Vec<Setting>,
    /// How many of them change an answer (the rest are newly asked).
    pub changed: usize,
    /// The amount.
    pub amount: Option<Decimal>,
}

/// One evaluated combination: the values of the questions set, in question order, and the
/// amount (`None` for a program without a published amount).
type Found = (Vec<(usize, V)>, Option<Decimal>);

/// The suggestions for each program of `v`, for the answers `given` (indexed by question) on
/// `as_of`, whose figures say `status` and `amount` for each program. Programs that need
/// information first, and eligible ones that cannot pay more, get none.
pub(crate) fn changes(v: &Version, given: &[V], as_of: Date, now: &[(Status, Option<Decimal>)]) -> Vec<Vec<Change>> {
    let n = v.questions.len();
    let mut partial: Vec<V> = given.iter().copied().chain(std::iter::repeat(V::Unknown)).take(n).collect();
    mask(v, &mut partial, as_of);
    let cands = Candidates::new(v, as_of, None);
    (0..v.programs.len())
        .map(|i| match now.get(i) {
            Some(&(Status::NotEligible, _)) => program_changes(v, i, &partial, as_of, &cands, None),
            Some(&(Status::Eligible, Some(a))) if kind(&v.programs[i]) == ProgramKind::Cash => {
                program_changes(v, i, &partial, as_of, &cands, Some(a))
            }
            _ => Vec::new(),
        })
        .collect()
}

struct Search<'a> {
    v: &'a Version,
    i: usize,
    as_of: Date,
    cands: &'a Candidates<'a>,
    /// The answers as given, masked.
    partial: &'a [V],
    /// Pay more than this (an eligible program), or just pay (`None`).
    above: Option<Decimal>,
    evaluations: usize,
}

fn program_changes(v: &Version, i: usize, partial: &[V], as_of: Date, cands: &Candidates<'_>, above: Option<Decimal>) -> Vec<Change> {
    let p = &v.programs[i];
    // the questions the person can change: read by the program, asked now, not fixed facts
    let changeable: Vec<usize> = p.deps.iter().copied().filter(|&q| !v.questions[q].fixed && asked_in(v, q, partial, as_of)).collect();
    let mut s = Search { v, i, as_of, cands, partial, above, evaluations: 0 };
    // each suggestion with the questions it changes
    let mut out: Vec<(Vec<usize>, Change)> = Vec::new();
    for k in 1..=MAX_CHANGED.min(changeable.len()) {
        if out.len() >= MAX_CHANGES || s.evaluations >= MAX_PER_PROGRAM {
            break;
        }
        let mut this_round: Vec<(Vec<usize>, Change)> = Vec::new();
        for subset in subsets(&changeable, k) {
            if let Some(c) = s.try_set(&subset) {
                // a smaller change that pays at least as much makes this one pointless
                let redundant = out.iter().any(|(qs, o)| qs.iter().all(|q| subset.contains(q)) && o.amount >= c.amount);
                if !redundant {
                    this_round.push((subset, c));
                }
            }
            if s.evaluations >= MAX_PER_PROGRAM {
                break;
            }
        }
        // fewest changed first (rounds), then the highest amount
        this_round.sort_by_key(|c| std::cmp::Reverse(c.1.amount));
        out.extend(this_round);
    }
    out.into_iter().take(MAX_CHANGES).map(|(_, c)| c).collect()
}

/// The subsets of `items` with `k` members, in order.
fn subsets(items: &[usize], k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut idx: Vec<usize> = (0..k).collect();
    if k == 0 || k > items.len() {
        return out;
    }
    loop {
        out.push(idx.iter().map(|&j| items[j]).collect());
        let Some(pos) = (0..k).rev().find(|&j| idx[j] < items.len() - k + j) else { break };
        idx[pos] += 1;
        for j in pos + 1..k {
            idx[j] = idx[j - 1] + 1;
        }
    }
    out
}

/// Moves `idx` to the next combination of indexes into lists of lengths `len(k)`, the last
/// moving fastest; false after the last combination.
fn next_combination(idx: &mut [usize], len: impl Fn(usize) -> usize) -> bool {
    let Some(k) = (0..idx.len()).rev().find(|&k| idx[k] + 1 < len(k)) else { return false };
    idx[k] += 1;
    idx[k + 1..].fill(0);
    true
}

impl Search<'_> {
    /// The candidate values of question `q` (the ranges' own), and whether a run of them is
    /// exact (whole numbers enumerated in full; dates whose every use is understood).
    fn domain(&self, q: usize) -> (Vec<V>, bool) {
        let (values, exact) = self.cands.of(q);
        let rangeable = exact && matches!(self.v.questions[q].ty, QType::Integer | QType::Date);
        (values, rangeable)
    }

    /// The best suggestion that changes exactly the questions in `set`.
    fn try_set(&mut self, set: &[usize]) -> Option<Change> {
        let doms: Vec<Vec<V>> = set.iter().map(|&q| self.domain(q).0.into_iter().filter(|x| *x != self.partial[q]).collect()).collect();
        let size = doms.iter().try_fold(1usize, |acc, d| acc.checked_mul(d.len()))?;
        if size == 0 || size > MAX_PER_SET {
            return None;
        }
        let mut found: Vec<Found> = Vec::new();
        let mut idx = vec![0usize; set.len()];
        let mut values = self.partial.to_vec();
        loop {
            for (k, &q) in set.iter().enumerate() {
                values[q] = doms[k][idx[k]];
            }
            self.complete(&mut values, set, &mut found);
            if !next_combination(&mut idx, |k| doms[k].len()) || self.evaluations >= MAX_PER_PROGRAM {
                break;
            }
        }
        self.best(set, &found)
    }

    /// Sets the questions newly asked under `values` (each over its candidates), then
    /// evaluates; records the combinations that pay.
    fn complete(&mut self, values: &mut Vec<V>, set: &[usize], found: &mut Vec<Found>) {
        let v = self.v;
        let mut masked = values.clone();
        mask(v, &mut masked, self.as_of);
        let deps = &v.programs[self.i].deps;
        let open = deps.iter().copied().find(|&q| masked[q] == V::Unknown && asked_in(v, q, &masked, self.as_of));
        if let Some(q) = open {
            // an answer left open by the person stays open: no suggestion can rest on it
            if asked_in(v, q, self.partial, self.as_of) {
                return;
            }
            let (dom, _) = self.domain(q);
            for x in dom {
                values[q] = x;
                self.complete(values, set, found);
                if self.evaluations >= MAX_PER_PROGRAM {
                    break;
                }
            }
            values[q] = V::Unknown;
            return;
        }
        self.evaluations += 1;
        let a = Assignment::new(v, &masked, self.as_of);
        let Ok(o) = a.outcome(self.i) else { return };
        if !o.met {
            return;
        }
        let amount = (kind(&v.programs[self.i]) == ProgramKind::Cash).then_some(o.amount);
        if let Some(floor) = self.above {
            if amount.is_none_or(|a| a <= floor) {
                return;
            }
        }
        // a changed answer that the change itself leaves unasked is no change
        if set.iter().any(|&q| masked[q] == V::Unknown) {
            return;
        }
        let newly = |q: usize| self.partial[q] == V::Unknown && masked[q] != V::Unknown;
        let set_now: Vec<(usize, V)> = deps.iter().copied().filter(|&q| set.contains(&q) || newly(q)).map(|q| (q, masked[q])).collect();
        found.push((set_now, amount));
    }

    /// Of the combinations found, those with the highest amount (then the fewest answers set),
    /// as one suggestion: the combination nearest the answers given, each whole number or date
    /// widened to the run of candidates that gives the same.
    fn best(&self, set: &[usize], found: &[Found]) -> Option<Change> {
        let top = found.iter().map(|f| f.1).max()?;
        let fewest = found.iter().filter(|f| f.1 == top).map(|f| f.0.len()).min()?;
        let group: Vec<&Vec<(usize, V)>> = found.iter().filter(|f| f.1 == top && f.0.len() == fewest).map(|f| &f.0).collect();
        let members: HashSet<Vec<(usize, V)>> = group.iter().map(|g| (*g).clone()).collect();
        let rep = group.iter().min_by_key(|g| self.distance(g))?;
        let keys: Vec<usize> = rep.iter().map(|x| x.0).collect();
        // the run of each whole number or date around the representative, the others held
        let mut runs: Vec<Vec<V>> = Vec::with_capacity(rep.len());
        for (j, &(q, x)) in rep.iter().enumerate() {
            let (dom, rangeable) = self.domain(q);
            let at = dom.iter().position(|d| *d == x);
            let (Some(at), true) = (at, rangeable) else {
                runs.push(vec![x]);
                continue;
            };
            let with = |d: V| {
                let mut c = (*rep).clone();
                c[j].1 = d;
                members.contains(&c)
            };
            let (mut lo, mut hi) = (at, at);
            while lo > 0 && with(dom[lo - 1]) {
                lo -= 1;
            }
            while hi + 1 < dom.len() && with(dom[hi + 1]) {
                hi += 1;
            }
            runs.push(dom[lo..=hi].to_vec());
        }
        // every combination of the runs must be in the group, else the point alone
        let box_size = runs.iter().try_fold(1usize, |acc, r| acc.checked_mul(r.len())).unwrap_or(usize::MAX);
        let ok = box_size <= MAX_PER_SET && {
            let mut idx = vec![0usize; runs.len()];
            let mut all = true;
            loop {
                let c: Vec<(usize, V)> = keys.iter().enumerate().map(|(j, &q)| (q, runs[j][idx[j]])).collect();
                if !members.contains(&c) {
                    all = false;
                    break;
                }
                if !next_combination(&mut idx, |k| runs[k].len()) {
                    break;
                }
            }
            all
        };
        let settings = rep
            .iter()
            .enumerate()
            .map(|(j, &(q, x))| {
                let run = &runs[j];
                if !ok || run.len() < 2 {
                    return Setting::Value(q, x);
                }
                let (dom, _) = self.domain(q);
                let open_low = run.first() == dom.first() && !self.bounded(q, true);
                let open_high = run.last() == dom.last() && !self.bounded(q, false);
                Setting::Between(q, (!open_low).then(|| run[0]), (!open_high).then(|| run[run.len() - 1]))
            })
            .collect();
        Some(Change { set: settings, changed: set.len(), amount: top })
    }

    /// Whether question `q` has a declared lower (`low`) or upper bound.
    fn bounded(&self, q: usize, low: bool) -> bool {
        let question = &self.v.questions[q];
        let b = if low { question.min } else { question.max };
        matches!(b.map(|b| b.on(self.as_of)), Some(Bound::Date(_) | Bound::Num(_)))
    }

    /// How far a combination is from the answers given: how many answers differ, then how far
    /// numbers and dates move.
    fn distance(&self, c: &[(usize, V)]) -> (usize, Decimal) {
        let mut differ = 0;
        let mut far = Decimal::ZERO;
        for &(q, x) in c {
            let now = self.partial[q];
            if now == V::Unknown || now == x {
                continue;
            }
            differ += 1;
            // saturating: numbers at the edges of a decimal are only "far"
            far = far.saturating_add(match (now, x) {
                (V::Num(a), V::Num(b)) => a.saturating_sub(b).abs(),
                (V::Date(a), V::Date(b)) => Decimal::from((i64::from(a.days()) - i64::from(b.days())).abs()),
                _ => Decimal::ZERO,
            });
        }
        (differ, far)
    }
}
