//! Rule test cases: `rules/<set>/tests/*.toml`, each a list of `[[cases]]` with answers, a
//! date and the expected estimate (a partial match: only the fields written are checked;
//! `programs` is keyed by program id; the string `"null"` expects JSON null) or the expected
//! error.

use crate::answers::Raw;
use crate::date::Date;
use crate::error::{Problem, RuleErrors};
use crate::estimate::{estimate, Request};
use crate::rules::{Lang, RuleSet};
use serde::Deserialize;
use serde_json::Value as J;

/// A test file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    cases: Vec<Case>,
}

/// One case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// The source clause the case is derived from.
    #[serde(default)]
    #[allow(dead_code)]
    source: Option<String>,
    as_of: toml::Value,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    /// Ask for the changes that would make each program pay (more).
    #[serde(default)]
    changes: bool,
    #[serde(default)]
    answers: toml::Table,
    #[serde(default)]
    expect: Option<toml::Table>,
    #[serde(default)]
    expect_error: Option<ExpectError>,
}

/// The error a case expects.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectError {
    kind: Option<String>,
    code: Option<String>,
    field: Option<String>,
    /// Text the English message contains.
    message: Option<String>,
}

/// The result of one case.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CaseResult {
    /// The test file.
    pub file: String,
    /// The case name.
    pub name: String,
    /// What did not match; empty when the case passed.
    pub failures: Vec<String>,
}

fn raw(v: &toml::Value) -> Raw {
    match v {
        toml::Value::String(s) if s == "null" => Raw::Null,
        toml::Value::String(s) => Raw::Str(s.clone()),
        toml::Value::Datetime(d) => Raw::Str(d.to_string()),
        toml::Value::Integer(i) => Raw::Int(*i),
        toml::Value::Float(f) => Raw::Float(*f),
        toml::Value::Boolean(b) => Raw::Bool(*b),
        toml::Value::Array(_) => Raw::Array,
        toml::Value::Table(_) => Raw::Object,
    }
}

fn to_json(v: &toml::Value) -> J {
    match v {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => J::String(f.to_string()),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Array(a) => J::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => J::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
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

fn fail(file: &str, detail: String) -> RuleErrors {
    RuleErrors::one(file, Problem::TestFile { detail })
}

/// The summary line of a test run, as `subsidy-calc test` ends and the authoring page shows it.
pub fn summary_line(passed: usize, failed: usize) -> String {
    format!("{passed} passed, {failed} failed")
}

/// A run of test files: every case's result, and the problems of the files that could not run.
#[derive(Clone, Debug, Default)]
pub struct Run {
    /// Each case, in file order.
    pub cases: Vec<CaseResult>,
    /// The problems of the test files that could not be read or run (each such file fails).
    pub broken: Vec<RuleErrors>,
}

impl Run {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.failures.is_empty()).count()
    }

    /// Cases that failed, and files that could not run.
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed() + self.broken.len()
    }

    /// Adds the results of one test file.
    pub fn add(&mut self, result: Result<Vec<CaseResult>, RuleErrors>) {
        match result {
            Ok(cases) => self.cases.extend(cases),
            Err(e) => self.broken.push(e),
        }
    }
}

/// Runs test files given as `(name, text)` against a rule set.
pub fn run_texts(rs: &RuleSet, files: &[(String, String)]) -> Run {
    let mut run = Run::default();
    for (name, text) in files {
        run.add(run_text(rs, name, text));
    }
    run
}

/// Runs every case of one test file against a rule set.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_file(rs: &RuleSet, path: &std::path::Path) -> Result<Vec<CaseResult>, RuleErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| RuleErrors::one(&file, Problem::CannotRead { detail: e.to_string() }))?;
    run_text(rs, &file, &text)
}

/// Runs every case of a test file's text (named `file` in messages) against a rule set.
pub fn run_text(rs: &RuleSet, file: &str, text: &str) -> Result<Vec<CaseResult>, RuleErrors> {
    let file = file.to_string();
    let tf: TestFile = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((None, None), |s| {
            let before = text.get(..s.start).unwrap_or("");
            (Some(before.matches('\n').count() as u32 + 1), Some(before.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1))
        });
        let mut errs = fail(&file, e.message().trim().to_string());
        if let Some(x) = errs.0.first_mut() {
            (x.line, x.column) = (line, column);
        }
        errs
    })?;
    let mut results = Vec::new();
    for (i, c) in tf.cases.into_iter().enumerate() {
        let name = c.name;
        // An empty expect (`[cases.expect]` with nothing under it, or `expect = {}`) would pass
        // whatever the estimate says: an error of the test file, not a passing case.
        if c.expect.as_ref().is_some_and(|e| e.is_empty()) {
            let field = format!("cases[{i}].expect");
            let detail = format!(
                "{name}: expect is empty, so the case checks nothing; write the fields the estimate must match \
                 (such as total = \"300000.00\") or use expect_error"
            );
            let mut errs = fail(&file, detail);
            let doc = crate::rules::locate::Doc::new(text);
            if let (Some(x), Some(at)) = (errs.0.first_mut(), doc.key_offset(&field)) {
                let (l, col) = crate::rules::locate::Lines::new(text).locate(at);
                (x.line, x.column, x.field) = (Some(l), Some(col), field);
            }
            return Err(errs);
        }
        let as_of = match &c.as_of {
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::String(s) => s.clone(),
            other => return Err(fail(&file, format!("{name}: as_of must be a date, not {}", other.type_str()))),
        };
        let as_of = Date::parse(&as_of).map_err(|m| fail(&file, format!("{name}: as_of: {m}")))?;
        let lang = match c.lang.as_deref() {
            Some(s) => Lang::parse(s).ok_or_else(|| fail(&file, format!("{name}: unknown lang {s:?}")))?,
            None => Lang::En,
        };
        let answers: Vec<(String, Raw)> = c.answers.iter().map(|(k, v)| (k.clone(), raw(v))).collect();
        let result =
            estimate(rs, &Request { answers: &answers, as_of: Some(as_of), version: c.version.as_deref(), lang, changes: c.changes });
        let mut failures = Vec::new();
        match (c.expect, c.expect_error, result) {
            (Some(exp), None, Ok(est)) => {
                let actual = serde_json::to_value(&est).unwrap_or(J::Null);
                matches(&to_json(&toml::Value::Table(exp)), &actual, "estimate", &mut failures);
            }
            (Some(_), None, Err(e)) => failures.push(format!("expected an estimate, got the error: {e}")),
            (None, Some(exp), Err(e)) => {
                if exp.kind.is_none() && exp.code.is_none() && exp.field.is_none() && exp.message.is_none() {
                    return Err(fail(&file, format!("{name}: [cases.expect_error] is empty; a case must expect something")));
                }
                // for answers, the code of the first bad answer
                let code = serde_json::to_value(&e).ok().and_then(|j| {
                    let first = j.get("errors").and_then(|x| x.get(0)).cloned().unwrap_or(j);
                    first.get("code").and_then(J::as_str).map(String::from)
                });
                let checks = [
                    ("kind", exp.kind.as_deref(), Some(e.kind().to_string())),
                    ("code", exp.code.as_deref(), code),
                    ("field", exp.field.as_deref(), e.field().map(String::from)),
                ];
                for (what, want, got) in checks {
                    if let Some(w) = want {
                        if got.as_deref() != Some(w) {
                            failures.push(format!("error {what}: expected {w:?}, got {got:?} ({e})"));
                        }
                    }
                }
                if let Some(m) = exp.message {
                    let msg = e.to_string();
                    if !msg.contains(&m) {
                        failures.push(format!("error message {msg:?} does not contain {m:?}"));
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
        let rs = crate::rules::load_dir(std::path::Path::new("rules/baotou-rare-earth-zone")).unwrap();
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
