#![cfg(not(target_arch = "wasm32"))]
//! Properties that hold for every shipped rule set and every answer set:
//! more months never lowers the living allowance; min ≤ amount ≤ max; the schedule sums to
//! the amount; totals agree with the programs; ineligible pays 0; and the ranges given with
//! unknown answers contain every completion of those answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use std::sync::OnceLock;
use subsidy_calc::{
    estimate, load_dir, AnswerValue, Bound, Date, Estimate, Lang, ProgramKind, QType, Raw, Request, RuleSet, SetAnswer, Status, Version,
};

fn rule_sets() -> &'static Vec<RuleSet> {
    static SETS: OnceLock<Vec<RuleSet>> = OnceLock::new();
    SETS.get_or_init(|| {
        let mut v = Vec::new();
        let mut dirs: Vec<_> = std::fs::read_dir("rules").unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
        dirs.sort();
        for d in dirs {
            v.push(load_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())));
        }
        assert!(v.len() >= 4, "four rule sets ship");
        v
    })
}

fn baotou() -> &'static RuleSet {
    rule_sets().iter().find(|r| r.id == "baotou-rare-earth-zone").unwrap()
}

fn run<'v>(rs: &'v RuleSet, answers: &[(String, Raw)], as_of: Date) -> Estimate<'v> {
    estimate(rs, &Request { answers, as_of: Some(as_of), version: None, lang: Lang::En, changes: false }).unwrap()
}

fn run_with_changes<'v>(rs: &'v RuleSet, answers: &[(String, Raw)], as_of: Date) -> Estimate<'v> {
    estimate(rs, &Request { answers, as_of: Some(as_of), version: None, lang: Lang::En, changes: true }).unwrap()
}

/// An answer value of the contract (as a change sets it) as a raw answer.
fn raw_of(x: &AnswerValue<'_>) -> Raw {
    match x {
        AnswerValue::Bool(b) => Raw::Bool(*b),
        AnswerValue::Option(o) => Raw::Str((*o).to_string()),
        AnswerValue::Int(i) => Raw::Int(*i),
        AnswerValue::Decimal(d) => Raw::Str(d.to_string()),
        AnswerValue::Date(d) => Raw::Str(d.to_string()),
    }
}

/// The values to try for one answer a change sets: the value, or each bound given and a
/// value between them.
fn tries(s: &SetAnswer<'_>) -> Vec<Raw> {
    if let Some(x) = &s.value {
        return vec![raw_of(x)];
    }
    let mut out: Vec<Raw> = [&s.min, &s.max].into_iter().flatten().map(raw_of).collect();
    match (&s.min, &s.max) {
        (Some(AnswerValue::Int(a)), Some(AnswerValue::Int(b))) => out.push(Raw::Int(a + (b - a) / 2)),
        (Some(AnswerValue::Date(a)), Some(AnswerValue::Date(b))) => {
            out.push(Raw::Str(a.add_days((b.days() - a.days()) / 2).unwrap().to_string()));
        }
        _ => {}
    }
    out
}

/// A valid raw answer for question `q` of `v` on `as_of`, chosen by `seed`.
fn answer(v: &Version, q: usize, seed: u64, as_of: Date) -> Raw {
    let question = &v.questions[q];
    match question.ty {
        QType::Bool => Raw::Bool(seed % 2 == 0),
        QType::Enum => Raw::Str(question.options[(seed as usize) % question.options.len()].id.clone()),
        QType::Integer | QType::Decimal => {
            let (Some(Bound::Num(lo)), Some(Bound::Num(hi))) = (question.min, question.max) else { unreachable!() };
            let span = (hi - lo).trunc();
            let span = u64::try_from(span.mantissa()).unwrap_or(u64::MAX).max(1);
            let x = lo + Decimal::from(seed % (span + 1));
            if question.ty == QType::Integer {
                Raw::Int(i64::try_from(x.mantissa() / 10i128.pow(x.scale())).unwrap())
            } else {
                Raw::Str(x.to_string())
            }
        }
        QType::Date => {
            let bound = |b: Option<Bound>, default: &str| match b.map(|b| b.on(as_of)) {
                Some(Bound::Date(d)) => d,
                _ => Date::parse(default).unwrap(),
            };
            let (lo, hi) = (bound(question.min, "1950-01-01"), bound(question.max, "2040-12-31"));
            let span = (hi.days() - lo.days()).max(0) as u64;
            Raw::Str(lo.add_days((seed % (span + 1)) as i32).unwrap().to_string())
        }
    }
}

/// Answers for `v` on `as_of`: question `i` answered when bit `i` of `mask` is set.
fn answers_for(v: &Version, mask: u64, seeds: &[u64], as_of: Date) -> Vec<(String, Raw)> {
    (0..v.questions.len())
        .filter(|i| mask >> (i % 64) & 1 == 1)
        .map(|i| (v.questions[i].id.clone(), answer(v, i, seeds[i % seeds.len()], as_of)))
        .collect()
}

fn check_invariants(e: &Estimate) {
    let zero = Decimal::ZERO;
    let mut sum_min = zero;
    let mut sum_max = zero;
    for p in &e.programs {
        if p.kind == ProgramKind::Cash {
            let (lo, hi) = (p.min.unwrap(), p.max.unwrap());
            assert!(lo <= hi, "{}: min {lo} > max {hi}", p.id);
            assert!(lo >= zero);
            if let Some(a) = p.amount {
                assert!(lo <= a && a <= hi, "{}: {lo} ≤ {a} ≤ {hi}", p.id);
                assert_eq!(p.status, Status::Eligible);
                let s: Decimal = p.schedule.iter().map(|x| x.amount).sum();
                assert_eq!(s, a, "{}: the schedule sums to the amount", p.id);
            }
            if p.status == Status::NotEligible {
                assert_eq!((p.amount, lo, hi), (None, zero, zero), "{}: ineligible pays 0", p.id);
                assert!(p.schedule.is_empty());
            }
            sum_min += lo;
            sum_max += hi;
        } else {
            assert!(p.amount.is_none() && p.min.is_none() && p.max.is_none(), "{}: only cash has amounts", p.id);
        }
        if p.status != Status::NeedsInfo && p.min == p.max {
            assert!(p.missing.is_empty(), "{}: decided programs miss nothing", p.id);
        }
    }
    assert!(e.total_min <= e.total_max);
    // Joint ranges are at least as tight as the sum of the programs' own ranges.
    assert!(e.total_min >= sum_min && e.total_max <= sum_max, "{} {} vs {} {}", e.total_min, e.total_max, sum_min, sum_max);
    if let Some(t) = e.total {
        assert_eq!(t, e.total_min);
        assert_eq!(t, e.total_max);
        let exact: Decimal = e.programs.iter().filter(|p| p.kind == ProgramKind::Cash).map(|p| p.amount.unwrap_or(zero)).sum();
        assert_eq!(t, exact, "the total is the sum of the programs");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn more_months_never_lower_the_living_allowance(a in 0i64..=72, b in 0i64..=72) {
        let (lo, hi) = (a.min(b), a.max(b));
        let as_of = Date::parse("2024-07-15").unwrap();
        let amount = |m: i64| {
            let answers = vec![
                ("applicant_type".to_string(), Raw::Str("postdoc".into())),
                ("in_zone".to_string(), Raw::Bool(true)),
                ("months_in_station".to_string(), Raw::Int(m)),
            ];
            let e = run(baotou(), &answers, as_of);
            e.programs.iter().find(|p| p.id == "living_allowance").unwrap().min.unwrap()
        };
        let (x, y) = (amount(lo), amount(hi));
        prop_assert!(x <= y, "{lo} months → {x}, {hi} months → {y}");
        prop_assert!(y <= Decimal::from(300_000));
    }

    #[test]
    fn invariants_hold_for_any_answers(set in 0usize..64, mask in any::<u64>(), seeds in prop::collection::vec(any::<u64>(), 8), day in 0i32..4000) {
        let rs = &rule_sets()[set % rule_sets().len()];
        let as_of = Date::parse("2019-11-01").unwrap().add_days(day).unwrap();
        let v = rs.version_on(as_of);
        prop_assume!(v.is_ok(), "no version is in force on the date");
        let v = v.unwrap();
        let e = run(rs, &answers_for(v, mask, &seeds, as_of), as_of);
        check_invariants(&e);
    }

    /// Every suggested change, applied to the answers (each bound of a range, and a value
    /// between), re-estimates to exactly the status and amount it claims; a fixed answer is
    /// never changed; an eligible program is only offered more.
    #[test]
    fn changes_are_exact(set in 0usize..64, mask in any::<u64>(), seeds in prop::collection::vec(any::<u64>(), 8), day in 0i32..4000) {
        let rs = &rule_sets()[set % rule_sets().len()];
        let as_of = Date::parse("2019-11-01").unwrap().add_days(day).unwrap();
        let v = rs.version_on(as_of);
        prop_assume!(v.is_ok(), "no version is in force on the date");
        let v = v.unwrap();
        let answers = answers_for(v, mask, &seeds, as_of);
        let e = run_with_changes(rs, &answers, as_of);
        for p in &e.programs {
            let changes = p.changes.as_ref().expect("changes were asked for");
            prop_assert!(changes.len() <= 3);
            for c in changes {
                prop_assert_eq!(c.status, Status::Eligible);
                if p.status == Status::Eligible {
                    prop_assert!(c.amount > p.amount, "{}: {:?} is more than {:?}", &p.id, c.amount, p.amount);
                }
                // answers used (given, and asked) that the change sets
                let changed: Vec<&str> = c
                    .set
                    .iter()
                    .map(|s| s.question)
                    .filter(|q| answers.iter().any(|(k, _)| k == q) && !e.unused_answers.contains(q))
                    .collect();
                for q in &changed {
                    let question = v.questions.iter().find(|x| x.id == *q).unwrap();
                    prop_assert!(!question.fixed, "{}: the fixed answer {} is changed", &p.id, q);
                }
                // every combination of the values to try
                let lists: Vec<(String, Vec<Raw>)> = c.set.iter().map(|s| (s.question.to_string(), tries(s))).collect();
                let mut idx = vec![0usize; lists.len()];
                loop {
                    let mut a: Vec<(String, Raw)> = answers.iter().filter(|(k, _)| !lists.iter().any(|(q, _)| q == k)).cloned().collect();
                    a.extend(lists.iter().enumerate().map(|(j, (q, xs))| (q.clone(), xs[idx[j]].clone())));
                    let again = run(rs, &a, as_of);
                    let q = again.programs.iter().find(|x| x.id == p.id).unwrap();
                    prop_assert_eq!(q.status, Status::Eligible, "{}: {:?} re-estimated", &p.id, &a);
                    prop_assert_eq!(q.amount, c.amount, "{}: {:?} re-estimated", &p.id, &a);
                    let Some(k) = (0..lists.len()).rev().find(|&k| idx[k] + 1 < lists[k].1.len()) else { break };
                    idx[k] += 1;
                    idx[k + 1..].fill(0);
                }
            }
        }
    }

    #[test]
    fn ranges_contain_every_completion(set in 0usize..64, mask in any::<u64>(), seeds in prop::collection::vec(any::<u64>(), 8), fill in prop::collection::vec(any::<u64>(), 8), day in 0i32..4000) {
        let rs = &rule_sets()[set % rule_sets().len()];
        let as_of = Date::parse("2019-11-01").unwrap().add_days(day).unwrap();
        let v = rs.version_on(as_of);
        prop_assume!(v.is_ok(), "no version is in force on the date");
        let v = v.unwrap();
        let partial = answers_for(v, mask, &seeds, as_of);
        let full_answers: Vec<(String, Raw)> = (0..v.questions.len())
            .map(|i| match partial.iter().find(|(k, _)| *k == v.questions[i].id) {
                Some(x) => x.clone(),
                None => (v.questions[i].id.clone(), answer(v, i, fill[i % fill.len()], as_of)),
            })
            .collect();
        let p = run(rs, &partial, as_of);
        let f = run(rs, &full_answers, as_of);
        prop_assert!(f.total.is_some(), "all answered gives an exact total");
        prop_assert!(p.total_min <= f.total_min && f.total_max <= p.total_max, "total {} not in {}..{}", f.total_min, p.total_min, p.total_max);
        for (pp, fp) in p.programs.iter().zip(&f.programs) {
            prop_assert_eq!(&pp.id, &fp.id);
            prop_assert_ne!(fp.status, Status::NeedsInfo, "{} is decided when all is answered", &fp.id);
            match pp.status {
                Status::Eligible => prop_assert_eq!(fp.status, Status::Eligible, "{}", &pp.id),
                Status::NotEligible => prop_assert_eq!(fp.status, Status::NotEligible, "{}", &pp.id),
                Status::NeedsInfo => {}
            }
            if let (Some(lo), Some(hi), Some(x)) = (pp.min, pp.max, fp.min) {
                prop_assert!(lo <= x && x <= hi, "{}: {} not in {}..{}", &pp.id, x, lo, hi);
            }
        }
    }
}

#[test]
fn every_months_value_has_the_documented_schedule() {
    let as_of = Date::parse("2024-07-15").unwrap();
    for m in 0..=72i64 {
        let answers = vec![
            ("applicant_type".to_string(), Raw::Str("postdoc".into())),
            ("in_zone".to_string(), Raw::Bool(true)),
            ("months_in_station".to_string(), Raw::Int(m)),
        ];
        let e = run(baotou(), &answers, as_of);
        let la = e.programs.iter().find(|p| p.id == "living_allowance").unwrap();
        let per_month = Decimal::from(12_500);
        let y1 = per_month * Decimal::from(m.min(12));
        let y2 = per_month * Decimal::from((m - 12).clamp(0, 12));
        assert_eq!(la.min.unwrap(), y1 + y2, "{m} months");
        let years: Vec<(u32, Decimal)> = la.schedule.iter().map(|p| (p.year, p.amount)).collect();
        let want: Vec<(u32, Decimal)> = [(1, y1), (2, y2)].into_iter().filter(|(_, x)| !x.is_zero()).collect();
        assert_eq!(years, want, "{m} months");
    }
}

/// Exclusive groups (tests/rules/exclusive-group): on every combination of answers, known or
/// not, the estimate pays only the highest eligible member (the first listed on a tie), as
/// a plain reading of the rule gives it.
#[test]
fn exclusive_groups_pay_the_highest_member() {
    let rs = load_dir(std::path::Path::new("tests/rules/exclusive-group")).unwrap();
    let as_of = Date::parse("2024-06-01").unwrap();
    let d = |x: i64| Decimal::new(x * 100, 2);
    // The reading of the rule for complete answers: (rent, purchase) paid.
    let paid = |rents: bool, buys: bool, area: i64| -> (Decimal, Decimal) {
        let rent = if rents { d(30_000) } else { d(0) };
        let purchase = if buys { d(300 * area.min(200)) } else { d(0) };
        if rents && buys {
            if purchase > rent {
                (d(0), purchase)
            } else {
                (rent, d(0))
            }
        } else {
            (rent, purchase)
        }
    };
    let areas: Vec<i64> = (0..=1000).collect();
    let mut cases = 0;
    for rents in [None, Some(true), Some(false)] {
        for buys in [None, Some(true), Some(false)] {
            for area in [None, Some(0), Some(50), Some(100), Some(101), Some(150), Some(1000)] {
                let mut raw = Vec::new();
                raw.extend(rents.map(|r| ("rents".to_string(), Raw::Bool(r))));
                raw.extend(buys.map(|b| ("buys".to_string(), Raw::Bool(b))));
                raw.extend(area.map(|a| ("area".to_string(), Raw::Int(a))));
                let e = run(&rs, &raw, as_of);
                // every completion of the answers, by the plain reading
                let mut outcomes = Vec::new();
                for r in rents.map_or(vec![false, true], |x| vec![x]) {
                    for b in buys.map_or(vec![false, true], |x| vec![x]) {
                        let choices: Vec<i64> = if !b { vec![0] } else { area.map_or(areas.clone(), |a| vec![a]) };
                        for a in choices {
                            outcomes.push(paid(r, b, a));
                        }
                    }
                }
                for (i, id) in ["rent_subsidy", "purchase_subsidy"].iter().enumerate() {
                    let p = e.programs.iter().find(|p| p.id == *id).unwrap();
                    let amounts: Vec<Decimal> = outcomes.iter().map(|o| if i == 0 { o.0 } else { o.1 }).collect();
                    let (lo, hi) = (*amounts.iter().min().unwrap(), *amounts.iter().max().unwrap());
                    if p.range_exact {
                        assert_eq!((p.min, p.max), (Some(lo), Some(hi)), "{raw:?} {id}");
                    } else {
                        // too many areas to try each: the range holds every amount
                        assert!(p.min.unwrap() <= lo && hi <= p.max.unwrap(), "{raw:?} {id}");
                    }
                    if lo == hi && !lo.is_zero() {
                        assert_eq!((p.status, p.amount), (Status::Eligible, Some(lo)), "{raw:?} {id}");
                    }
                }
                // and the settling-in bonus, 5,000, for everyone
                let totals: Vec<Decimal> = outcomes.iter().map(|o| o.0 + o.1 + d(5_000)).collect();
                let (lo, hi) = (*totals.iter().min().unwrap(), *totals.iter().max().unwrap());
                if e.programs.iter().all(|p| p.range_exact) {
                    assert_eq!((e.total_min, e.total_max), (lo, hi), "{raw:?}");
                } else {
                    assert!(e.total_min <= lo && hi <= e.total_max, "{raw:?}");
                }
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 63);
}

/// Completed years by a plain reading: the anniversaries from `birth` up to `on`, each on the
/// same month and day, or on 1 March where that day is 29 February of a common year.
fn completed_years(birth: Date, on: Date) -> i32 {
    let leap = |y: i32| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let (by, bm, bd) = birth.ymd();
    let mut years = 0;
    let mut y = by + 1;
    loop {
        let (m, d) = if bm == 2 && bd == 29 && !leap(y) { (3, 1) } else { (bm, bd) };
        let Ok(anniversary) = Date::from_ymd(y, m, d) else { return years };
        if anniversary > on {
            return years;
        }
        years += 1;
        y += 1;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    /// `age()` and date + years(n) against a day-by-day reading of the calendar, over many
    /// years, with 29 February birth dates drawn often.
    #[test]
    fn age_and_anniversaries_follow_the_calendar(birth_days in 0i32..30_000, span in 0i32..32_000, feb29 in any::<bool>(), years in 1i32..80) {
        let base = Date::parse("1940-01-01").unwrap();
        let mut birth = base.add_days(birth_days).unwrap();
        if feb29 {
            // the 29 February nearest before it
            while !(birth.ymd().1 == 2 && birth.ymd().2 == 29) {
                birth = birth.add_days(-1).unwrap();
            }
        }
        let on = birth.add_days(span).unwrap_or(birth);
        prop_assert_eq!(birth.years_since(on), completed_years(birth, on), "born {} on {}", birth, on);
        // the n-th anniversary is the first day on which the age is n
        let nth = birth.add_months(12 * years).unwrap();
        prop_assert_eq!(completed_years(birth, nth), years, "born {}: anniversary {}", birth, nth);
        prop_assert_eq!(completed_years(birth, nth.add_days(-1).unwrap()), years - 1, "born {}: the day before {}", birth, nth);
    }
}

/// A rule set whose conditions read dates: an age limit, two years after graduation, an
/// event on or after a fixed day (as tests/rules/dates does, inline here).
fn date_rules() -> RuleSet {
    let toml = r#"
format = 1
rule_set = "date-ranges"
version = "2024"
name = { zh-CN = "日期", en = "Dates" }
jurisdiction = { zh-CN = "测试", en = "Test" }
currency = "CNY"
effective_from = 2000-01-01
[money]
scale = 2
rounding = "half_up"
[[sources]]
id = "s"
title = "t"
issuer = "i"
quote = "q"
[[payers]]
id = "p"
name = { zh-CN = "付", en = "P" }
[[questions]]
id = "birth_date"
type = "date"
label = { zh-CN = "出生日期", en = "Born" }
min = 1965-01-01
max = "as_of"
[[questions]]
id = "graduated_on"
type = "date"
label = { zh-CN = "毕业日期", en = "Graduated" }
min = 1990-01-01
max = 2040-12-31
[[programs]]
id = "young"
name = { zh-CN = "青年", en = "Young" }
kind = "cash"
payers = ["p"]
source = "s"
[[programs.conditions]]
when = "age(birth_date) < 35"
text = { zh-CN = "未满35周岁", en = "Under 35" }
source = "s"
[programs.amount]
formula = "1000.00 + 10.00 * age(birth_date)"
source = "s"
[[programs]]
id = "recent"
name = { zh-CN = "毕业两年内", en = "Recent" }
kind = "cash"
payers = ["p"]
source = "s"
[[programs.conditions]]
when = "graduated_on <= as_of and as_of <= graduated_on + years(2)"
text = { zh-CN = "毕业两年内", en = "Within two years" }
source = "s"
[programs.amount]
formula = "500.00"
source = "s"
"#;
    let file: subsidy_calc::rules::file::VersionFile = toml::from_str(toml).unwrap();
    RuleSet::new(vec![subsidy_calc::load_version("date-ranges.toml", &file).unwrap()]).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, .. ProptestConfig::default() })]

    /// With a date unanswered, the status and the range are those of trying every day the
    /// question allows (brute force), on dates near 29 February too.
    #[test]
    fn date_ranges_are_exact_against_every_day(day in 0i32..15_000, feb in any::<bool>()) {
        let rs = date_rules();
        let mut as_of = Date::parse("2000-01-01").unwrap().add_days(day).unwrap();
        if feb {
            while as_of.ymd().1 != 3 || as_of.ymd().2 != 1 {
                as_of = as_of.add_days(1).unwrap();
            }
        }
        let est = |answers: &[(String, Raw)]| run(&rs, answers, as_of);
        // the other date answered, so each estimate varies one date only
        let other = |q: &str| if q == "birth_date" { ("graduated_on", "2001-06-30") } else { ("birth_date", "1970-02-28") };
        for (question, program, lo) in [("birth_date", "young", "1965-01-01"), ("graduated_on", "recent", "1990-01-01")] {
            let (oq, ov) = other(question);
            let fixed = (oq.to_string(), Raw::Str(ov.to_string()));
            let fixed = if Date::parse(ov).unwrap() <= as_of || oq == "graduated_on" { Some(fixed) } else { None };
            let partial = est(fixed.as_slice());
            let p = partial.programs.iter().find(|p| p.id == program).unwrap();
            let mut amounts = Vec::new();
            let mut statuses = std::collections::BTreeSet::new();
            let mut d = Date::parse(lo).unwrap();
            let last = if question == "birth_date" { as_of } else { Date::parse("2040-12-31").unwrap() };
            while d <= last {
                let mut answers = vec![(question.to_string(), Raw::Str(d.to_string()))];
                answers.extend(fixed.clone());
                let e = est(&answers);
                let x = e.programs.iter().find(|x| x.id == program).unwrap();
                amounts.push(x.min.unwrap());
                statuses.insert(x.status.name());
                d = d.add_days(1).unwrap();
            }
            let (min, max) = (*amounts.iter().min().unwrap(), *amounts.iter().max().unwrap());
            prop_assert!(p.range_exact, "{program} on {as_of}");
            prop_assert_eq!((p.min.unwrap(), p.max.unwrap()), (min, max), "{} on {}", program, as_of);
            let want = match (statuses.contains("eligible"), statuses.contains("not_eligible")) {
                (true, true) => Status::NeedsInfo,
                (true, false) => Status::Eligible,
                _ => Status::NotEligible,
            };
            prop_assert_eq!(p.status, want, "{} on {}", program, as_of);
        }
    }
}
