//! Any bytes as a JSON bundle (what the browser loads): errors, never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use subsidy_calc::{bundle_json, estimate, load_bundle, Lang, Request};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(rs) = load_bundle("fuzz.json", text) {
        // A bundle that loads survives a round trip unchanged in meaning.
        let again = load_bundle("again.json", &bundle_json(&rs)).expect("a canonical bundle reloads");
        assert_eq!(again.versions.len(), rs.versions.len());
        for v in &rs.versions {
            let _ = estimate(&rs, &Request { answers: &[], as_of: Some(v.effective_from), version: None, lang: Lang::En });
        }
    }
});
