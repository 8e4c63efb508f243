//! A readable text report of an estimate, in zh-CN or en.

use crate::contract::{AnswerValue, Estimate, Met, SetAnswer, Status};
use crate::rules::{Lang, ProgramKind, Version};
use rust_decimal::Decimal;
use std::fmt::Write;

/// Groups digits in thousands: `300000.00` → `300,000.00`.
pub fn group(d: &Decimal) -> String {
    let s = d.to_string();
    let (sign, body) = s.strip_prefix('-').map_or(("", s.as_str()), |b| ("-", b));
    let (int, frac) = body.split_once('.').map_or((body, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// An answer a change sets, in words: "= yes", "= Approved", "from 24 to 72".
fn answer_words(a: &SetAnswer<'_>, lang: Lang) -> String {
    let word = |x: &AnswerValue<'_>| match x {
        AnswerValue::Bool(b) => t(lang, if *b { "是" } else { "否" }, if *b { "yes" } else { "no" }).to_string(),
        AnswerValue::Option(o) => a.value_label.unwrap_or(o).to_string(),
        AnswerValue::Int(i) => i.to_string(),
        AnswerValue::Decimal(d) => d.to_string(),
        AnswerValue::Date(d) => d.to_string(),
    };
    match (&a.value, &a.min, &a.max) {
        (Some(x), _, _) => format!("{} {}", t(lang, "为", "="), word(x)),
        (None, Some(lo), Some(hi)) => format!("{} {} {} {}", t(lang, "在", "from"), word(lo), t(lang, "至", "to"), word(hi)),
        (None, Some(lo), None) => format!("{} {}", t(lang, "不低于（不早于）", "from"), word(lo)),
        (None, None, Some(hi)) => format!("{} {}", t(lang, "不高于（不晚于）", "up to"), word(hi)),
        (None, None, None) => String::new(),
    }
}

/// Renders an estimate for a person; `v` is the version the estimate used (for labels).
pub fn text_report(e: &Estimate, v: &Version, lang: Lang) -> String {
    let label = |id: &str| v.questions.iter().find(|q| q.id == id).map_or(id.to_string(), |q| q.label.get(lang).to_string());
    let mut s = String::new();
    let cur = &e.currency;
    let version = match e.version {
        Some(x) => x.to_string(),
        None => e.version_candidates.join(t(lang, " 或 ", " or ")),
    };
    let _ = writeln!(s, "{} — {} {} ({} {})", e.rule_set_name, t(lang, "版本", "version"), version, t(lang, "估算日期", "as of"), e.as_of);
    match e.total {
        Some(tot) => {
            let _ = writeln!(s, "{}: {} {}", t(lang, "现金合计", "Cash total"), group(&tot), cur);
        }
        None => {
            let _ = writeln!(
                s,
                "{}: {} – {} {}",
                t(lang, "现金合计（范围）", "Cash total (range)"),
                group(&e.total_min),
                group(&e.total_max),
                cur
            );
        }
    }
    if let Some(q) = &e.next_question {
        let _ = writeln!(s, "{}: {}", t(lang, "下一个可缩小范围的问题", "Next question that narrows the estimate"), label(q));
    }
    for p in &e.programs {
        let status = match (p.status, lang) {
            (Status::Eligible, Lang::Zh) => "符合",
            (Status::NotEligible, Lang::Zh) => "不符合",
            (Status::NeedsInfo, Lang::Zh) => "待补充信息",
            (Status::Eligible, Lang::En) => "eligible",
            (Status::NotEligible, Lang::En) => "not eligible",
            (Status::NeedsInfo, Lang::En) => "needs information",
        };
        let _ = writeln!(s);
        let _ = write!(s, "■ {} [{}]", p.name, status);
        match (p.kind, p.amount, p.min, p.max) {
            (ProgramKind::Cash, Some(a), _, _) => {
                let _ = write!(s, ": {} {cur}", group(&a));
            }
            (ProgramKind::Cash, None, Some(lo), Some(hi)) if p.status != Status::NotEligible => {
                let _ = write!(s, ": {} – {} {cur}", group(&lo), group(&hi));
            }
            (ProgramKind::CashUnpublished, _, _, _) if p.status != Status::NotEligible => {
                let _ = write!(s, ": {}", t(lang, "金额未公布", "amount not published"));
            }
            _ => {}
        }
        let _ = writeln!(s);
        if let Some(d) = &p.description {
            let _ = writeln!(s, "  {d}");
        }
        if let Some(n) = &p.note {
            let _ = writeln!(s, "  {}{n}", t(lang, "说明：", "Note: "));
        }
        for pay in &p.schedule {
            let year = match lang {
                Lang::Zh => format!("第{}年", pay.year),
                Lang::En => format!("year {}", pay.year),
            };
            let _ = writeln!(s, "  {year} {}: {} {cur}", pay.payer_name, group(&pay.amount));
        }
        for r in &p.reasons {
            let mark = match r.result {
                Met::Met => "✓",
                Met::NotMet => "✗",
                Met::Unknown => "?",
                Met::NotApplicable => "–",
            };
            let _ = writeln!(s, "  {mark} {} [{}]", r.text, r.source);
        }
        if !p.missing.is_empty() {
            let names: Vec<String> = p.missing.iter().map(|m| label(m)).collect();
            let _ = writeln!(s, "  {}: {}", t(lang, "尚需回答", "Still to answer"), names.join(t(lang, "；", "; ")));
        }
        for a in &p.assumptions {
            let _ = writeln!(s, "  {}{a}", t(lang, "假设：", "Assumption: "));
        }
        if let Some(changes) = p.changes.as_ref().filter(|c| !c.is_empty()) {
            let head = if p.status == Status::Eligible {
                t(lang, "怎样可以多得", "How to get more")
            } else {
                t(lang, "怎样可以符合条件", "How to qualify")
            };
            let _ = writeln!(s, "  {head}{}", t(lang, "：", ":"));
            for c in changes {
                let set: Vec<String> = c.set.iter().map(|a| format!("{} {}", a.label, answer_words(a, lang))).collect();
                let then = match (p.kind, c.amount) {
                    (ProgramKind::Cash, Some(a)) => format!("{} {cur}", group(&a)),
                    _ => t(lang, "符合条件", "eligible").to_string(),
                };
                let _ = writeln!(s, "  → {} {}{} {then}", t(lang, "如果", "If"), set.join(t(lang, "，并且", ", and ")), t(lang, "：", ":"));
            }
        }
    }
    if !e.assumptions.is_empty() {
        let _ = writeln!(s);
        for a in &e.assumptions {
            let _ = writeln!(s, "{}{a}", t(lang, "假设：", "Assumption: "));
        }
    }
    let _ = writeln!(
        s,
        "\n{}",
        t(lang, "本结果为依据公开政策的估算，不是审批决定。", "This is an estimate from published policy, not a decision.")
    );
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::group;

    #[test]
    fn groups_thousands() {
        for (a, b) in [("300000.00", "300,000.00"), ("0.00", "0.00"), ("1000", "1,000"), ("-12345.6", "-12,345.6"), ("999", "999")] {
            assert_eq!(group(&a.parse().unwrap()), b);
        }
    }
}
