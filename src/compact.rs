//! An estimate in two parts, for a fast crossing into JavaScript.
//!
//! Most of an estimate's bytes are texts that depend only on the version and the language:
//! program names, conditions in words, quoted sources. The *skeleton* carries them and crosses
//! once per version and language; the *compact* part carries what the answers decide
//! (statuses, amounts, reason results, schedules) and crosses at every estimate. The browser
//! joins them (`src/hydrate.js`) into exactly the JSON contract the CLI prints — the parity
//! tests compare the two on thousands of answer sets.

use crate::estimate::Estimate;
use crate::json::{array, string, Obj, ToJson};
use crate::rules::{Lang, Version};

/// The parts of every estimate on `v` in `lang` that do not depend on the answers, as JSON:
/// the estimate's own fields that do not change, `payers` (payer names by id) and, per
/// program, its fixed fields with `reasons` holding each condition's text, source,
/// condition and assumption.
pub fn skeleton_json(v: &Version, lang: Lang) -> String {
    let mut out = String::with_capacity(8192);
    let mut payer_map = String::new();
    let mut names = Obj::new(&mut payer_map);
    for p in &v.payers {
        names.field(&p.id, p.name.get(lang));
    }
    names.end();
    let mut programs = String::from("[");
    for (i, p) in v.programs.iter().enumerate() {
        if i > 0 {
            programs.push(',');
        }
        let mut reasons = String::from("[");
        for (j, c) in p.conditions.iter().enumerate() {
            if j > 0 {
                reasons.push(',');
            }
            Obj::new(&mut reasons)
                .field("text", c.text.get(lang))
                .field("source", &c.source)
                .field("condition", &c.when.src)
                .some("assumption", &c.assumption.as_ref().map(|a| a.get(lang)))
                .end();
        }
        reasons.push(']');
        Obj::new(&mut programs)
            .field("id", &p.id)
            .field("name", p.name.get(lang))
            .field("kind", &p.kind)
            .field("reasons", &Raw(&reasons))
            .field("assumptions", &crate::estimate::Texts::new(&p.explained.assumptions, lang))
            .field("sources", &p.explained.sources)
            .field("payers", &crate::estimate::Texts::new(&p.explained.payer_names, lang))
            .some("description", &p.description.as_ref().map(|d| d.get(lang)))
            .some("note", &p.note.as_ref().map(|d| d.get(lang)))
            .some("exclusive_group", &p.exclusive_group)
            .end();
    }
    programs.push(']');
    Obj::new(&mut out)
        .field("rule_set", &v.rule_set)
        .field("rule_set_name", v.name.get(lang))
        .field("version", &v.version)
        .field("effective_from", &v.effective_from)
        .field("effective_to", &v.effective_to)
        .field("lang", lang.tag())
        .field("currency", &v.currency)
        .field("assumptions", &crate::estimate::Texts::new(&v.assumptions, lang))
        .field("payers", &Raw(&payer_map))
        .field("programs", &Raw(&programs))
        .end();
    out
}

/// JSON text written already.
struct Raw<'a>(&'a str);

impl ToJson for Raw<'_> {
    fn json(&self, out: &mut String) {
        out.push_str(self.0);
    }
}

/// What `e` adds to the skeleton of its version and language, as JSON.
/// Each program is `[status, amount, min, max, range_exact, missing, results, schedule,
/// more]` where `results` are the conditions' results in order, `schedule` is `[[year, payer
/// id, amount]]` and `more` the reasons that are not conditions of the rule file.
pub fn compact_json(e: &Estimate<'_>) -> String {
    let mut programs = String::with_capacity(128 * e.programs.len());
    programs.push('[');
    for (i, pe) in e.programs.iter().enumerate() {
        if i > 0 {
            programs.push(',');
        }
        let out = &mut programs;
        out.push('[');
        pe.status.json(out);
        for d in [&pe.amount, &pe.min, &pe.max] {
            out.push(',');
            d.json(out);
        }
        out.push(',');
        pe.range_exact.json(out);
        out.push(',');
        pe.missing.json(out);
        out.push(',');
        array(out, pe.reasons.results());
        out.push(',');
        out.push('[');
        for (k, s) in pe.schedule.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push('[');
            s.year.json(out);
            out.push(',');
            string(out, s.payer);
            out.push(',');
            s.amount.json(out);
            out.push(']');
        }
        out.push(']');
        out.push(',');
        pe.reasons.more().json(out);
        out.push(']');
    }
    programs.push(']');
    let mut out = String::with_capacity(programs.len() + 256);
    Obj::new(&mut out)
        .field("version", e.version)
        .field("lang", e.lang)
        .field("as_of", &e.as_of)
        .field("total", &e.total)
        .field("total_min", &e.total_min)
        .field("total_max", &e.total_max)
        .field("next_question", &e.next_question)
        .field("unused_answers", &e.unused_answers)
        .field("programs", &Raw(&programs))
        .end();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{Answers, Raw};
    use crate::date::Date;
    use crate::estimate::estimate_version;
    use serde_json::Value;

    /// Joins the two parts as `src/hydrate.js` does, to check that nothing is lost.
    fn join(skel: &Value, c: &Value) -> Value {
        let mut out = skel.clone();
        let o = out.as_object_mut().unwrap();
        o.remove("payers");
        for k in ["version", "lang", "as_of", "total", "total_min", "total_max", "next_question", "unused_answers"] {
            o.insert(k.into(), c[k].clone());
        }
        let programs: Vec<Value> = skel["programs"]
            .as_array()
            .unwrap()
            .iter()
            .zip(c["programs"].as_array().unwrap())
            .map(|(sp, x)| {
                let mut p = sp.clone();
                let m = p.as_object_mut().unwrap();
                for (i, k) in ["status", "amount", "min", "max", "range_exact", "missing"].iter().enumerate() {
                    m.insert((*k).into(), x[i].clone());
                }
                let mut reasons: Vec<Value> = sp["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(x[6].as_array().unwrap())
                    .map(|(r, res)| {
                        let mut r = r.clone();
                        r.as_object_mut().unwrap().insert("result".into(), res.clone());
                        r
                    })
                    .collect();
                reasons.extend(x[8].as_array().unwrap().iter().cloned());
                m.insert("reasons".into(), Value::Array(reasons));
                let schedule = x[7]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| {
                        let id = s[1].as_str().unwrap();
                        serde_json::json!({"year": s[0], "payer": id, "payer_name": skel["payers"].get(id).cloned().unwrap_or(Value::from("")), "amount": s[2]})
                    })
                    .collect();
                m.insert("schedule".into(), Value::Array(schedule));
                p
            })
            .collect();
        o.insert("programs".into(), Value::Array(programs));
        out
    }

    #[test]
    fn skeleton_and_compact_join_into_the_estimate() {
        let as_of = Date::parse("2024-07-15").unwrap();
        let mut checked = 0;
        for dir in ["rules/baotou-rare-earth-zone", "rules/guangzhou-tianhe", "rules/zibo", "rules/shenyang", "tests/rules/hostile-text"] {
            let rs = crate::load_dir(std::path::Path::new(dir)).unwrap();
            for v in &rs.versions {
                // Nothing answered, then every question answered with its first value.
                let first: Vec<(String, Raw)> = v
                    .questions
                    .iter()
                    .map(|q| {
                        let r = match q.ty {
                            crate::rules::QType::Bool => Raw::Bool(true),
                            crate::rules::QType::Enum => Raw::Str(q.options.first().map(|o| o.id.clone()).unwrap_or_default()),
                            crate::rules::QType::Integer => Raw::Int(24),
                            crate::rules::QType::Decimal => Raw::Str("1.00".into()),
                            crate::rules::QType::Date => Raw::Str("2024-03-01".into()),
                        };
                        (q.id.clone(), r)
                    })
                    .collect();
                for lang in [Lang::Zh, Lang::En] {
                    let skel: Value = serde_json::from_str(&skeleton_json(v, lang)).unwrap();
                    for raw in [Vec::new(), first.clone()] {
                        let (answers, _) = Answers::parse(v, &raw);
                        let Ok(e) = estimate_version(v, &answers, as_of, lang) else { continue };
                        let full = serde_json::to_value(&e).unwrap();
                        let c: Value = serde_json::from_str(&compact_json(&e)).unwrap();
                        assert_eq!(join(&skel, &c), full, "{dir} {}", v.version);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked >= 20, "{checked} estimates checked");
    }
}
