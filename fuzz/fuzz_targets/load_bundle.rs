//! Any bytes as a JSON bundle (what the browser loads): errors, never panics. A bundle that
//! loads reads as a `Bundle`, is written again by `bundle_json` and reloads to the same rule
//! set; writing that again gives the same text (the canonical form is a fixed point); and
//! each version estimates with no answers without panicking, keeping the estimate invariants.
#![no_main]
use libfuzzer_sys::fuzz_target;
use subsidy_calc::{bundle_json, estimate, load_bundle, Bundle, Lang, Request};

#[path = "common/mod.rs"]
mod common;

fn canonical(b: &Bundle) -> String {
    let files: Vec<(String, subsidy_calc::rules::file::VersionFile)> =
        b.versions.iter().map(|v| (v.file.clone(), v.rules.clone())).collect();
    bundle_json(&b.rule_set, &files)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let rs = match load_bundle("fuzz.json", text) {
        Ok(rs) => rs,
        Err(errs) => {
            assert!(!errs.0.is_empty(), "an error without a problem");
            for e in &errs.0 {
                assert!(!e.message(Lang::En).is_empty() && !e.message(Lang::Zh).is_empty(), "an empty message: {e:?}");
                assert_eq!(e.line.is_some(), e.column.is_some(), "{e:?}");
            }
            return;
        }
    };
    let bundle = match serde_json::from_str::<Bundle>(text) {
        Ok(b) => b,
        Err(e) => panic!("load_bundle accepted it but it does not read as a Bundle: {e}"),
    };
    let first = canonical(&bundle);
    let again = match load_bundle("fuzz.json", &first) {
        Ok(rs) => rs,
        Err(e) => panic!("a bundle that loads does not reload after bundle_json: {e}\n{first}"),
    };
    assert_eq!(again.id, rs.id);
    assert_eq!(again.versions.len(), rs.versions.len());
    assert!(again == rs, "the reloaded rule set differs from the loaded one\n{first}");
    let reread = serde_json::from_str::<Bundle>(&first).unwrap_or_else(|e| panic!("bundle_json output is not a Bundle: {e}\n{first}"));
    let second = canonical(&reread);
    assert_eq!(first, second, "bundle_json is not a fixed point");
    for v in &rs.versions {
        for (as_of, lang) in [(Some(v.effective_from), Lang::En), (v.effective_to.and_then(|d| d.add_days(-1)), Lang::Zh)] {
            match estimate(&rs, &Request { answers: &[], as_of, version: None, lang, changes: true }) {
                Ok(e) => {
                    common::check_estimate(&rs, &e, lang);
                    common::check_changes(&rs, &e, &[], lang);
                }
                Err(e) => common::check_error(&e),
            }
        }
    }
});
