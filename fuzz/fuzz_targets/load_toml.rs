//! Any bytes as a TOML rule file: the loader returns a version or errors with positions,
//! never panics, and a loaded version estimates without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use subsidy_calc::{estimate, from_toml, load_version, Date, Lang, Request, RuleSet};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = from_toml("fuzz.toml", text) else { return };
    match load_version("fuzz.toml", Some(text), doc) {
        Ok(v) => {
            let from = v.effective_from;
            if let Ok(rs) = RuleSet::new(vec![v]) {
                let _ = estimate(&rs, &Request { answers: &[], as_of: Some(from), version: None, lang: Lang::En });
                let _ = estimate(&rs, &Request { answers: &[], as_of: Date::parse("2000-01-01").ok(), version: None, lang: Lang::Zh });
            }
        }
        Err(errs) => {
            for e in &errs.0 {
                assert!(!e.message.is_empty());
                assert!(e.line.is_some() == e.column.is_some());
            }
        }
    }
});
