//! What changed between two versions, in words: period, questions, programs, conditions,
//! amounts, schedules and sources. Where a program's amount depends only on yes/no and
//! option questions, the amounts are compared case by case.

use crate::answers::Answers;
use crate::expr::V;
use crate::rules::{Lang, Program, QType, Schedule, Version};

fn q_desc(v: &Version, i: usize) -> String {
    let q = &v.questions[i];
    let mut s = format!("{} ({})", q.id, q.ty.name());
    if q.ty == QType::Enum {
        s += &format!(" [{}]", q.options.iter().map(|o| o.id.as_str()).collect::<Vec<_>>().join(", "));
    }
    if let (Some(a), Some(b)) = (q.min, q.max) {
        s += &format!(" {a}–{b}");
    }
    s
}

fn cases(v: &Version, p: &Program) -> Option<Vec<(String, Vec<V>)>> {
    let mut out = vec![(String::new(), vec![V::Unknown; v.questions.len()])];
    for &q in &p.deps {
        let question = &v.questions[q];
        // the answer that picks the version: a day this version applies to
        if v.versions_by == Some(q) {
            for (_, vals) in &mut out {
                vals[q] = V::Date(v.effective_from);
            }
            continue;
        }
        let vals: Vec<(String, V)> = match question.ty {
            QType::Bool => vec![("false".into(), V::Bool(false)), ("true".into(), V::Bool(true))],
            QType::Enum => question.options.iter().enumerate().map(|(i, o)| (o.id.clone(), V::Opt(i))).collect(),
            _ => return None,
        };
        let mut next = Vec::new();
        for (label, vals0) in &out {
            for (l, x) in &vals {
                let mut vv = vals0.clone();
                vv[q] = *x;
                let sep = if label.is_empty() { "" } else { ", " };
                next.push((format!("{label}{sep}{} = {l}", question.id), vv));
            }
        }
        if next.len() > 256 {
            return None;
        }
        out = next;
    }
    Some(out)
}

fn amounts_by_case(v: &Version, p: &Program) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (label, values) in cases(v, p)? {
        let est = crate::estimate::estimate_version(v, &Answers { values }, v.effective_from, Lang::En).ok()?;
        let pe = est.programs.into_iter().find(|x| x.id == p.id)?;
        let a = match pe.amount {
            Some(a) => a.to_string(),
            None => pe.status.name().to_string(),
        };
        out.push((label, a));
    }
    Some(out)
}

/// Lines describing what changed from `a` to `b`.
pub fn diff(a: &Version, b: &Version) -> Vec<String> {
    let mut out = Vec::new();
    if a.effective_from != b.effective_from || a.effective_to != b.effective_to {
        let words = |v: &Version| crate::error::period_in_words(&v.period(), crate::rules::Lang::En);
        out.push(format!("in force: {} → {}", words(a), words(b)));
        match (a.effective_to, b.effective_to) {
            (None, Some(t)) => out.push(format!("the policy now ends: no longer in force from {t}")),
            (Some(_), None) => out.push("the policy no longer has an end date".to_string()),
            _ => {}
        }
    }
    let by = |v: &Version| v.versions_by.map(|q| v.questions[q].id.clone());
    if by(a) != by(b) {
        let say = |x: Option<String>| x.map_or("the date of the estimate".to_string(), |q| format!("the answer to {q}"));
        out.push(format!("the version is chosen by {} → {}", say(by(a)), say(by(b))));
    }
    let value = |x: &crate::expr::V| match x {
        V::Num(n) => n.to_string(),
        V::Date(d) => d.to_string(),
        other => format!("{other:?}"),
    };
    for x in &a.values {
        match b.values.iter().find(|y| y.id == x.id) {
            None => out.push(format!("value removed: {} ({})", x.id, value(&x.value))),
            Some(y) if y.value != x.value => out.push(format!("value {}: {} → {}", x.id, value(&x.value), value(&y.value))),
            _ => {}
        }
    }
    for y in &b.values {
        if !a.values.iter().any(|x| x.id == y.id) {
            out.push(format!("value added: {} = {}", y.id, value(&y.value)));
        }
    }
    let rows = |v: &Version, t: &crate::rules::Table| -> Vec<(String, Option<rust_decimal::Decimal>)> {
        v.questions[t.key].options.iter().zip(&t.rows).map(|(o, r)| (o.id.clone(), *r)).collect()
    };
    for t in &a.tables {
        let Some(u) = b.tables.iter().find(|u| u.id == t.id) else {
            out.push(format!("table removed: {} ({})", t.id, t.name.en));
            continue;
        };
        let (ra, rb) = (rows(a, t), rows(b, u));
        for (option, x) in &ra {
            let y = rb.iter().find(|(o, _)| o == option).and_then(|(_, y)| *y);
            let show = |d: Option<rust_decimal::Decimal>| d.map_or("no entry".to_string(), |d| d.to_string());
            if *x != y {
                let label = a.questions[t.key].options.iter().find(|o| &o.id == option).map_or(option.as_str(), |o| o.label.en.as_str());
                out.push(format!("table {} ({}): {label} ({option}) {} → {}", t.id, t.name.en, show(*x), show(y)));
            }
        }
        for (option, y) in &rb {
            if !ra.iter().any(|(o, _)| o == option) {
                out.push(format!("table {}: {option} added: {}", t.id, y.map_or("no entry".to_string(), |d| d.to_string())));
            }
        }
    }
    for u in &b.tables {
        if !a.tables.iter().any(|t| t.id == u.id) {
            out.push(format!("table added: {} ({})", u.id, u.name.en));
        }
    }
    if a.rounding != b.rounding {
        out.push(format!(
            "rounding: {} to {} places → {} to {} places",
            a.rounding.mode.name(),
            a.rounding.scale,
            b.rounding.mode.name(),
            b.rounding.scale
        ));
    }
    let va: Vec<&str> = a.assumptions.iter().map(|t| t.en.as_str()).collect();
    let vb: Vec<&str> = b.assumptions.iter().map(|t| t.en.as_str()).collect();
    for x in vb.iter().filter(|x| !va.contains(x)) {
        out.push(format!("assumption added: {x}"));
    }
    for x in va.iter().filter(|x| !vb.contains(x)) {
        out.push(format!("assumption removed: {x}"));
    }
    for (i, q) in a.questions.iter().enumerate() {
        match b.question_index(&q.id) {
            None => out.push(format!("question removed: {}", q_desc(a, i))),
            Some(j) => {
                let (da, db) = (q_desc(a, i), q_desc(b, j));
                if da != db {
                    out.push(format!("question changed: {da} → {db}"));
                }
                let (wa, wb) = (q.ask_when.as_ref().map(|f| f.src.as_str()), b.questions[j].ask_when.as_ref().map(|f| f.src.as_str()));
                if wa != wb {
                    out.push(format!("question {} asked when: {} → {}", q.id, wa.unwrap_or("always"), wb.unwrap_or("always")));
                }
            }
        }
    }
    for (j, q) in b.questions.iter().enumerate() {
        if a.question_index(&q.id).is_none() {
            out.push(format!("question added: {}", q_desc(b, j)));
        }
    }
    for p in &a.programs {
        let Some(pb) = b.programs.iter().find(|x| x.id == p.id) else {
            out.push(format!("program removed: {} ({})", p.id, p.name.en));
            continue;
        };
        if p.name != pb.name {
            out.push(format!("program {}: name \"{}\" → \"{}\"", p.id, p.name.en, pb.name.en));
        }
        if p.description != pb.description {
            out.push(format!("program {}: description changed", p.id));
        }
        if p.note != pb.note {
            out.push(format!("program {}: note changed", p.id));
        }
        let assumptions = |p: &Program| -> Vec<String> {
            let mut v: Vec<String> = p.assumptions.iter().map(|t| t.en.clone()).collect();
            v.extend(p.conditions.iter().filter_map(|c| c.assumption.as_ref().map(|t| t.en.clone())));
            v.extend(p.amount.iter().filter_map(|a| a.assumption.as_ref().map(|t| t.en.clone())));
            match &p.schedule {
                Schedule::Rows(rows) => v.extend(rows.iter().filter_map(|s| s.assumption.as_ref().map(|t| t.en.clone()))),
                Schedule::Periodic(s) => v.extend(s.assumption.as_ref().map(|t| t.en.clone())),
                Schedule::Once => {}
            }
            v
        };
        let (aa, ab) = (assumptions(p), assumptions(pb));
        for x in ab.iter().filter(|x| !aa.contains(x)) {
            out.push(format!("program {}: assumption added: {x}", p.id));
        }
        for x in aa.iter().filter(|x| !ab.contains(x)) {
            out.push(format!("program {}: assumption removed: {x}", p.id));
        }
        if p.kind != pb.kind {
            out.push(format!("program {}: kind {} → {}", p.id, p.kind.name(), pb.kind.name()));
        }
        for c in &p.conditions {
            if !pb.conditions.iter().any(|x| x.when.src == c.when.src) {
                out.push(format!("program {}: condition removed: {}", p.id, c.when.src));
            }
        }
        for c in &pb.conditions {
            if !p.conditions.iter().any(|x| x.when.src == c.when.src) {
                out.push(format!("program {}: condition added: {}", p.id, c.when.src));
            }
        }
        let fa = p.amount.as_ref().map(|x| (x.formula.src.clone(), x.cap));
        let fb = pb.amount.as_ref().map(|x| (x.formula.src.clone(), x.cap));
        if fa != fb {
            let show = |f: &Option<(String, Option<rust_decimal::Decimal>)>| match f {
                None => "none".to_string(),
                Some((s, None)) => s.clone(),
                Some((s, Some(c))) => format!("{s} (cap {c})"),
            };
            out.push(format!("program {}: amount {} → {}", p.id, show(&fa), show(&fb)));
            if let (Some(ca), Some(cb)) = (amounts_by_case(a, p), amounts_by_case(b, pb)) {
                for (label, x) in &ca {
                    if let Some((_, y)) = cb.iter().find(|(l, _)| l == label) {
                        if x != y {
                            out.push(format!("program {}: when {label}: {x} → {y}", p.id));
                        }
                    }
                }
            }
        }
        let sched = |v: &Version, p: &Program| -> Vec<String> {
            let payer = |i: usize| v.payers.get(i).map_or("?", |x| x.id.as_str()).to_string();
            match &p.schedule {
                Schedule::Once => Vec::new(),
                Schedule::Rows(rows) => rows.iter().map(|s| format!("year {} {}: {}", s.year, payer(s.payer), s.amount.src)).collect(),
                Schedule::Periodic(s) => vec![format!(
                    "{} {} for {} {}: {}",
                    if s.months == 12 { "each year" } else { "each month" },
                    payer(s.payer),
                    s.count.src,
                    if s.months == 12 { "years" } else { "months" },
                    s.amount.src
                )],
            }
        };
        let (sa, sb) = (sched(a, p), sched(b, pb));
        if sa != sb {
            out.push(format!(
                "program {}: schedule [{}] → [{}]",
                p.id,
                if sa.is_empty() { "all in year 1".into() } else { sa.join("; ") },
                if sb.is_empty() { "all in year 1".into() } else { sb.join("; ") }
            ));
        }
    }
    for p in &b.programs {
        if !a.programs.iter().any(|x| x.id == p.id) {
            out.push(format!("program added: {} ({})", p.id, p.name.en));
        }
    }
    for s in &a.sources {
        if b.source(&s.id).is_none() {
            out.push(format!("source removed: {} ({})", s.id, s.title));
        }
    }
    for s in &b.sources {
        if a.source(&s.id).is_none() {
            out.push(format!("source added: {} ({})", s.id, s.title));
        }
    }
    out
}
