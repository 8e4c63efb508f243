//! Shared by the fuzz targets: the invariants every estimate the engine returns must keep.
#![allow(dead_code)]

use subsidy_calc::{estimate, AnswerValue, Decimal, Estimate, EstimateError, Lang, Raw, Request, RuleSet, Status};

/// Checks what must hold of any estimate the engine gives: ranges ordered and non-negative,
/// totals consistent with their range and with decided programs, a schedule adding up to its
/// amount, and the contract serializable and printable. Panics (a finding) otherwise.
pub fn check_estimate(rs: &RuleSet, e: &Estimate<'_>, lang: Lang) {
    let zero = Decimal::ZERO;
    assert!(e.total_min <= e.total_max, "total_min {} > total_max {}", e.total_min, e.total_max);
    assert!(e.total_min >= zero, "negative total_min {}", e.total_min);
    assert_eq!(
        e.total,
        (e.total_min == e.total_max).then_some(e.total_min),
        "total {:?} vs range {}..{}",
        e.total,
        e.total_min,
        e.total_max
    );
    let mut decided_sum = Some(zero);
    for p in &e.programs {
        let cash = p.min.is_some();
        assert_eq!(p.min.is_some(), p.max.is_some(), "{}: min {:?} max {:?}", p.id, p.min, p.max);
        if let (Some(lo), Some(hi)) = (p.min, p.max) {
            assert!(lo <= hi, "{}: min {lo} > max {hi}", p.id);
            assert!(lo >= zero, "{}: negative min {lo}", p.id);
            if p.status == Status::NotEligible {
                assert_eq!(hi, zero, "{}: not eligible but max {hi}", p.id);
            }
            decided_sum = match decided_sum {
                Some(s) if p.range_exact && lo == hi => s.checked_add(lo),
                _ => None,
            };
        }
        if let Some(a) = p.amount {
            assert!(cash, "{}: an amount {a} for a program without a range", p.id);
            assert_eq!(p.status, Status::Eligible, "{}: amount {a} but status {:?}", p.id, p.status);
            if let (Some(lo), Some(hi)) = (p.min, p.max) {
                assert!(lo <= a && a <= hi, "{}: amount {a} outside {lo}..{hi}", p.id);
            }
        }
        if !p.schedule.is_empty() {
            let Some(a) = p.amount else { panic!("{}: a schedule without an amount: {:?}", p.id, p.schedule) };
            let s: Decimal = p.schedule.iter().map(|x| x.amount).sum();
            assert_eq!(s, a, "{}: schedule adds up to {s}, amount {a}", p.id);
        }
    }
    if let (Some(s), true) = (decided_sum, e.version_candidates.is_empty()) {
        // every cash program decided exactly: the total is their sum (over several candidate
        // versions a program the latest lacks may still count, so only for one version)
        assert_eq!(e.total, Some(s), "every cash program decided, their amounts add up to {s}, total {:?}", e.total);
    }
    let json = serde_json::to_string(e);
    assert!(json.is_ok(), "the estimate does not serialize: {json:?}");
    let v = e.version.and_then(|id| rs.versions.iter().find(|v| v.version == id)).or(rs.versions.last());
    if let Some(v) = v {
        let report = subsidy_calc::text_report(e, v, lang);
        assert!(!report.is_empty());
    }
}

/// An error must say something.
pub fn check_error(e: &EstimateError) {
    assert!(!e.to_string().is_empty(), "an empty message for {e:?}");
}

fn raw(v: &AnswerValue<'_>) -> Raw {
    match v {
        AnswerValue::Bool(b) => Raw::Bool(*b),
        AnswerValue::Option(id) => Raw::Str(id.to_string()),
        AnswerValue::Int(i) => Raw::Int(*i),
        AnswerValue::Decimal(d) => Raw::Str(d.to_string()),
        AnswerValue::Date(d) => Raw::Str(d.to_string()),
    }
}

/// Each suggested change is exact: re-estimated with its answers set (a value, or each end of
/// a range), every other answer as given, on the same version and date, the program has the
/// status and amount the change says.
pub fn check_changes(rs: &RuleSet, e: &Estimate<'_>, answers: &[(String, Raw)], lang: Lang) {
    for p in &e.programs {
        for c in p.changes.iter().flatten() {
            // the answers at the low end and at the high end of every range
            let mut ends: [Vec<(String, Raw)>; 2] = [answers.to_vec(), answers.to_vec()];
            let mut usable = true;
            for s in &c.set {
                let (lo, hi) = match (&s.value, &s.min, &s.max) {
                    (Some(v), _, _) => (raw(v), raw(v)),
                    (None, Some(a), Some(b)) => (raw(a), raw(b)),
                    _ => {
                        usable = false;
                        break;
                    }
                };
                for (set, x) in ends.iter_mut().zip([lo, hi]) {
                    set.retain(|(k, _)| k != s.question);
                    set.push((s.question.to_string(), x));
                }
            }
            if !usable {
                continue;
            }
            for set in &ends {
                let again = estimate(rs, &Request { answers: set, as_of: Some(e.as_of), version: e.version, lang, changes: false });
                let again = match again {
                    Ok(x) => x,
                    Err(err) => panic!("{}: the change {c:?} gives an error: {err}\n  answers: {set:?}", p.id),
                };
                let Some(q) = again.programs.iter().find(|x| x.id == p.id) else { panic!("{}: gone after the change {c:?}", p.id) };
                assert!(
                    q.status == c.status && q.amount == c.amount,
                    "{}: the change {c:?} promises {:?} {:?}, re-estimated {:?} {:?}\n  answers: {set:?}\n  as_of: {}",
                    p.id,
                    c.status,
                    c.amount,
                    q.status,
                    q.amount,
                    e.as_of
                );
            }
        }
    }
}
