//! Rule test cases: `rules/<set>/tests/*.toml`, each a list of `[[cases]]` with answers, a
//! date and the expected estimate (a partial match: only the fields written are checked;
//! `programs` is keyed by program id; the string `"null"` expects JSON null) or the expected
//! error.

use crate::answers::Raw;
use crate::date::Date;
use crate::error::{RuleError, RuleErrors};
use crate::estimate::{estimate, Request};
use crate::node::{from_toml, rule_error, to_json, LineIndex, Node, Value};
use crate::rules::{Lang, RuleSet};
use serde_json::Value as J;
use std::path::Path;

/// The result of one case.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The test file.
    pub file: String,
    /// The case name.
    pub name: String,
    /// What did not match; empty when the case passed.
    pub failures: Vec<String>,
}

fn raw(n: &Node) -> Raw {
    match &n.value {
        Value::Str(s) if s == "null" => Raw::Null,
        Value::Str(s) | Value::Date(s) => Raw::Str(s.clone()),
        Value::Int(i) => Raw::Int(*i),
        Value::Float(f) => match f.as_str() {
            "nan" | "+nan" | "-nan" => Raw::Float(f64::NAN),
            "inf" | "+inf" => Raw::Float(f64::INFINITY),
            "-inf" => Raw::Float(f64::NEG_INFINITY),
            _ => Raw::Float(f.parse().unwrap_or(f64::NAN)),
        },
        Value::Bool(b) => Raw::Bool(*b),
        Value::Array(_) => Raw::Other("an array"),
        Value::Table(_) => Raw::Other("an object"),
    }
}

fn get<'a>(t: &'a [(String, Option<usize>, Node)], k: &str) -> Option<&'a Node> {
    t.iter().find(|(key, _, _)| key == k).map(|(_, _, n)| n)
}

fn matches(expected: &J, actual: &J, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (J::String(s), J::Null) if s == "null" => {}
        (J::Object(e), J::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match (k.as_str(), a.get(k)) {
                    ("programs", Some(J::Array(list))) => {
                        let Some(eo) = ev.as_object() else {
                            out.push(format!("{p}: expected a table keyed by program id"));
                            continue;
                        };
                        for (id, epv) in eo {
                            match list.iter().find(|x| x.get("id").and_then(J::as_str) == Some(id)) {
                                Some(apv) => matches(epv, apv, &format!("{p}.{id}"), out),
                                None => out.push(format!("{p}.{id}: no such program in the estimate")),
                            }
                        }
                    }
                    (_, Some(av)) => matches(ev, av, &p, out),
                    (_, None) => out.push(format!("{p}: no such field in the estimate")),
                }
            }
        }
        (J::Array(e), J::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!("{path}: expected {} items, got {}: {}", e.len(), a.len(), J::Array(a.clone())));
                return;
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                matches(ev, av, &format!("{path}[{i}]"), out);
            }
        }
        _ if expected == actual => {}
        _ => out.push(format!("{path}: expected {expected}, got {actual}")),
    }
}

fn fail(file: &str, message: String) -> RuleErrors {
    RuleErrors(vec![RuleError { file: file.into(), line: None, column: None, field: String::new(), message }])
}

/// Runs every case of one test file against a rule set.
pub fn run_file(rs: &RuleSet, path: &Path) -> Result<Vec<CaseResult>, RuleErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| fail(&file, format!("cannot read: {e}")))?;
    let doc = from_toml(&file, &text).map_err(|e| RuleErrors(vec![e]))?;
    let Value::Table(top) = &doc.value else { return Err(fail(&file, "not a table".into())) };
    let Some(Node { value: Value::Array(cases), .. }) = get(top, "cases") else {
        return Err(fail(&file, "a test file holds [[cases]]".into()));
    };
    let mut results = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let Value::Table(t) = &c.value else { return Err(fail(&file, format!("cases[{i}] is not a table"))) };
        let name = match get(t, "name").map(|n| &n.value) {
            Some(Value::Str(s)) => s.clone(),
            _ => format!("cases[{i}]"),
        };
        for (k, _, _) in t {
            if !["name", "source", "as_of", "version", "lang", "answers", "expect", "expect_error"].contains(&k.as_str()) {
                return Err(fail(&file, format!("cases[{i}] ({name}): unknown key '{k}'")));
            }
        }
        // An empty expect (`[cases.expect]` with nothing under it, or `expect = {}`) would pass
        // whatever the estimate says: an error of the test file, not a passing case.
        if let Some((_, key_at, Node { value: Value::Table(e), at, .. })) = t.iter().find(|(k, _, _)| k == "expect") {
            if e.is_empty() {
                let lines = LineIndex::new(&text);
                let message = format!(
                    "{name}: expect is empty, so the case checks nothing; write the fields the estimate must match \
                     (such as total = \"300000.00\") or use expect_error"
                );
                return Err(RuleErrors(vec![rule_error(&file, Some(&lines), key_at.or(*at), &format!("cases[{i}].expect"), message)]));
            }
        }
        let mut failures = Vec::new();
        let as_of = match get(t, "as_of").map(|n| &n.value) {
            Some(Value::Date(s) | Value::Str(s)) => Date::parse(s).map_err(|m| fail(&file, format!("{name}: as_of: {m}")))?,
            _ => return Err(fail(&file, format!("{name}: every case needs as_of"))),
        };
        let version = match get(t, "version").map(|n| &n.value) {
            Some(Value::Str(s)) => Some(s.as_str()),
            _ => None,
        };
        let lang = match get(t, "lang").map(|n| &n.value) {
            Some(Value::Str(s)) => Lang::parse(s).ok_or_else(|| fail(&file, format!("{name}: unknown lang {s:?}")))?,
            _ => Lang::En,
        };
        let answers: Vec<(String, Raw)> = match get(t, "answers").map(|n| &n.value) {
            Some(Value::Table(a)) => a.iter().map(|(k, _, v)| (k.clone(), raw(v))).collect(),
            None => Vec::new(),
            Some(_) => return Err(fail(&file, format!("{name}: answers must be a table"))),
        };
        let result = estimate(rs, &Request { answers: &answers, as_of: Some(as_of), version, lang });
        match (get(t, "expect"), get(t, "expect_error"), result) {
            (Some(exp), None, Ok(est)) => {
                let actual = serde_json::to_value(&est).unwrap_or(J::Null);
                matches(&to_json(exp), &actual, "estimate", &mut failures);
            }
            (Some(_), None, Err(e)) => failures.push(format!("expected an estimate, got the error: {e}")),
            (None, Some(exp), Err(e)) => {
                let J::Object(want) = to_json(exp) else { return Err(fail(&file, format!("{name}: expect_error must be a table"))) };
                for (k, v) in &want {
                    let got = match k.as_str() {
                        "kind" => J::String(e.kind().into()),
                        "field" => e.field().map_or(J::Null, |f| J::String(f.into())),
                        "message" => {
                            let msg = e.to_string();
                            if v.as_str().is_some_and(|s| !msg.contains(s)) {
                                failures.push(format!("error message {msg:?} does not contain {v}"));
                            }
                            continue;
                        }
                        other => return Err(fail(&file, format!("{name}: expect_error has unknown key '{other}'"))),
                    };
                    if got != *v {
                        failures.push(format!("error {k}: expected {v}, got {got} ({e})"));
                    }
                }
            }
            (None, Some(_), Ok(_)) => failures.push("expected an error, got an estimate".into()),
            _ => return Err(fail(&file, format!("{name}: a case has exactly one of expect or expect_error"))),
        }
        results.push(CaseResult { file: file.clone(), name, failures });
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// Runs the cases in `toml` (written to a temporary file) against the Baotou rules.
    fn run_text(tag: &str, toml: &str) -> (String, Result<Vec<CaseResult>, RuleErrors>) {
        let rs = crate::rules::load_dir(Path::new("rules/baotou-rare-earth-zone")).unwrap();
        let dir = std::env::temp_dir().join(format!("subsidy-calc-cases-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cases.toml");
        std::fs::write(&path, toml).unwrap();
        let r = run_file(&rs, &path);
        std::fs::remove_dir_all(&dir).ok();
        (path.display().to_string(), r)
    }

    const CASE: &str = "[[cases]]\nname = \"postdoc\"\nas_of = 2024-07-15\n\
                        answers = { applicant_type = \"postdoc\", in_zone = true, months_in_station = 24 }\n";

    #[test]
    fn an_empty_expect_is_an_error_of_the_test_file() {
        for (tag, expect, at) in [("table", "[cases.expect]\n", "5:8"), ("inline", "expect = {}\n", "5:1")] {
            let (file, r) = run_text(tag, &format!("{CASE}{expect}"));
            let errs = r.expect_err(tag);
            assert_eq!(
                errs.to_string(),
                format!(
                    "{file}:{at}: postdoc: expect is empty, so the case checks nothing; write the fields the estimate must match \
                     (such as total = \"300000.00\") or use expect_error"
                ),
                "{tag}"
            );
            assert_eq!(errs.0[0].field, "cases[0].expect");
        }
        // The same case expecting something runs, and passes.
        let (_, r) = run_text("full", &format!("{CASE}expect = {{ total = \"300000.00\" }}\n"));
        let results = r.unwrap();
        assert_eq!(results.len(), 1);
        assert!(results[0].failures.is_empty(), "{:?}", results[0].failures);
        // An empty program table still checks that the program is there.
        let (_, r) = run_text("programs", &format!("{CASE}[cases.expect.programs.nonexistent]\n"));
        assert_eq!(r.unwrap()[0].failures, ["estimate.programs.nonexistent: no such program in the estimate"]);
    }
}
