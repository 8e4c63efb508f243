//! An estimate in two parts, for a fast crossing into JavaScript.
//!
//! Most of an estimate's bytes are texts that depend only on the version and the language:
//! program names, conditions in words, quoted sources. The *skeleton* carries them and crosses
//! once per version and language; the *compact* part carries what the answers decide
//! (statuses, amounts, reason results, schedules) and crosses at every estimate. The browser
//! joins them (`src/hydrate.js`) into exactly the JSON contract the CLI prints — the parity
//! tests compare the two on thousands of answer sets.

use crate::date::Date;
use crate::estimate::{Estimate, Met, Reason, Status, Texts};
use crate::rules::{Lang, ProgramKind, Source, Version};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

struct Dec(Decimal);

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

#[derive(Serialize)]
struct Skeleton<'v> {
    rule_set: &'v str,
    rule_set_name: &'v str,
    version: &'v str,
    effective_from: Date,
    effective_to: Option<Date>,
    lang: &'static str,
    currency: &'v str,
    assumptions: Texts<'v>,
    /// Payer names by id.
    payers: serde_json::Map<String, serde_json::Value>,
    programs: Vec<SkeletonProgram<'v>>,
}

#[derive(Serialize)]
struct SkeletonProgram<'v> {
    id: &'v str,
    name: &'v str,
    kind: ProgramKind,
    reasons: Vec<SkeletonReason<'v>>,
    assumptions: Texts<'v>,
    sources: &'v [Source],
    payers: Texts<'v>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'v str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'v str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exclusive_group: Option<&'v str>,
}

#[derive(Serialize)]
struct SkeletonReason<'v> {
    text: &'v str,
    source: &'v str,
    condition: &'v str,
    #[serde(skip_serializing_if = "Option::is_none")]
    assumption: Option<&'v str>,
}

/// The parts of every estimate on `v` in `lang` that do not depend on the answers, as JSON.
pub fn skeleton_json(v: &Version, lang: Lang) -> Result<String, serde_json::Error> {
    let skeleton = Skeleton {
        rule_set: &v.rule_set,
        rule_set_name: v.name.get(lang),
        version: &v.version,
        effective_from: v.effective_from,
        effective_to: v.effective_to,
        lang: lang.tag(),
        currency: &v.currency,
        assumptions: Texts::new(&v.assumptions, lang),
        payers: v.payers.iter().map(|p| (p.id.clone(), serde_json::Value::from(p.name.get(lang)))).collect(),
        programs: v
            .programs
            .iter()
            .map(|p| SkeletonProgram {
                id: &p.id,
                name: p.name.get(lang),
                kind: p.kind,
                reasons: p
                    .conditions
                    .iter()
                    .map(|c| SkeletonReason {
                        text: c.text.get(lang),
                        source: &c.source,
                        condition: &c.when.src,
                        assumption: c.assumption.as_ref().map(|a| a.get(lang)),
                    })
                    .collect(),
                assumptions: Texts::new(&p.explained.assumptions, lang),
                sources: &p.explained.sources,
                payers: Texts::new(&p.explained.payer_names, lang),
                description: p.description.as_ref().map(|d| d.get(lang)),
                note: p.note.as_ref().map(|d| d.get(lang)),
                exclusive_group: p.exclusive_group.as_deref(),
            })
            .collect(),
    };
    serde_json::to_string(&skeleton)
}

#[derive(Serialize)]
struct Compact<'a, 'v> {
    version: &'v str,
    lang: &'static str,
    as_of: Date,
    total: Option<Dec>,
    total_min: Dec,
    total_max: Dec,
    next_question: Option<&'v str>,
    unused_answers: &'a [&'v str],
    programs: Vec<CompactProgram<'a, 'v>>,
}

/// One program: `[status, amount, min, max, range_exact, missing, results, schedule, more]`
/// where `results` are the conditions' results in order, `schedule` is `[[year, payer id,
/// amount]]` and `more` the reasons that are not conditions of the rule file.
#[derive(Serialize)]
struct CompactProgram<'a, 'v>(
    Status,
    Option<Dec>,
    Option<Dec>,
    Option<Dec>,
    bool,
    &'a [&'v str],
    Vec<Met>,
    Vec<(u32, &'v str, Dec)>,
    &'a [Reason<'v>],
);

/// What `e` (an estimate on `v`) adds to the skeleton of its version and language, as JSON.
pub fn compact_json(e: &Estimate<'_>, v: &Version) -> Result<String, serde_json::Error> {
    let programs = e
        .programs
        .iter()
        .zip(&v.programs)
        .map(|(pe, p)| {
            let n = p.conditions.len().min(pe.reasons.len());
            let (conditions, more) = pe.reasons.split_at(n);
            CompactProgram(
                pe.status,
                pe.amount.map(Dec),
                pe.min.map(Dec),
                pe.max.map(Dec),
                pe.range_exact,
                &pe.missing,
                conditions.iter().map(|r| r.result).collect(),
                pe.schedule.iter().map(|s| (s.year, s.payer, Dec(s.amount))).collect(),
                more,
            )
        })
        .collect();
    serde_json::to_string(&Compact {
        version: e.version,
        lang: e.lang,
        as_of: e.as_of,
        total: e.total.map(Dec),
        total_min: Dec(e.total_min),
        total_max: Dec(e.total_max),
        next_question: e.next_question,
        unused_answers: &e.unused_answers,
        programs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{Answers, Raw};
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
        let rs = crate::load_dir(std::path::Path::new("rules/baotou-rare-earth-zone")).unwrap();
        let as_of = Date::parse("2024-07-15").unwrap();
        let v = rs.version_on(as_of).unwrap();
        let cases: Vec<Vec<(String, Raw)>> = vec![
            vec![],
            vec![
                ("applicant_type".into(), Raw::Str("postdoc".into())),
                ("in_zone".into(), Raw::Bool(true)),
                ("months_in_station".into(), Raw::Int(24)),
            ],
            vec![
                ("applicant_type".into(), Raw::Str("enterprise".into())),
                ("in_zone".into(), Raw::Bool(true)),
                ("months_in_station".into(), Raw::Int(3)),
            ],
        ];
        for lang in [Lang::Zh, Lang::En] {
            let skel: Value = serde_json::from_str(&skeleton_json(v, lang).unwrap()).unwrap();
            for raw in &cases {
                let (answers, _) = Answers::parse(v, raw);
                let e = estimate_version(v, &answers, as_of, lang).unwrap();
                let full = serde_json::to_value(&e).unwrap();
                let c: Value = serde_json::from_str(&compact_json(&e, v).unwrap()).unwrap();
                assert_eq!(join(&skel, &c), full);
            }
        }
    }
}
