//! Arbitrary JSON answers against every compiled rule set in www/rules (`make bundles`): an
//! estimate or a clear error naming a field, never a panic; and the invariants of a good
//! estimate hold (see `common::check_estimate`).
//!
//! Input: byte 0 picks the rule set (index into the sorted bundles, `www/rules/*.json` then
//! `www/rules/test/*.json`), bytes 1–2 the date (days after 2010-01-01, modulo 12000), byte 3
//! flags (bit 0: Chinese texts; bits 1–3: pin the version, 1 = the first, 7 = one that does not
//! exist; bit 4: no suggested changes; bit 7: no date, i.e. today); the rest is the answers as
//! JSON text. Each suggested change is checked by re-estimating with it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use subsidy_calc::{estimate, load_bundle, raw_from_json_text, Date, Lang, Request, RuleSet};

#[path = "common/mod.rs"]
mod common;

fn bundles(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json")).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn sets() -> &'static Vec<RuleSet> {
    static S: OnceLock<Vec<RuleSet>> = OnceLock::new();
    S.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/rules");
        let mut out = Vec::new();
        // the shipped bundles must load; the test bundles are used when they do
        for (path, shipped) in bundles(&root).into_iter().map(|p| (p, true)).chain(bundles(&root.join("test")).into_iter().map(|p| (p, false))) {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            match load_bundle(&name, &text) {
                Ok(rs) => out.push(rs),
                Err(e) if shipped => panic!("{name} does not load (run `make bundles`?): {e}"),
                Err(e) => eprintln!("estimate fuzz: skipping {name}: {e}"),
            }
        }
        assert!(!out.is_empty(), "no bundles in {}: run `make bundles` first", root.display());
        eprintln!("estimate fuzz: {} rule sets: {}", out.len(), out.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(", "));
        out
    })
}

fuzz_target!(|data: &[u8]| {
    let sets = sets();
    if data.len() < 4 {
        return;
    }
    let rs = &sets[usize::from(data[0]) % sets.len()];
    let flags = data[3];
    let as_of = if flags & 0x80 != 0 {
        None
    } else {
        let day = i32::from(u16::from_le_bytes([data[1], data[2]])) % 12_000;
        Date::from_ymd(2010, 1, 1).ok().and_then(|d| d.add_days(day))
    };
    let lang = if flags & 1 != 0 { Lang::Zh } else { Lang::En };
    let version = match (flags >> 1) & 7 {
        0 => None,
        7 => Some("no-such-version"),
        k => rs.versions.get(usize::from(k) - 1).map(|v| v.version.as_str()),
    };
    let Ok(text) = std::str::from_utf8(&data[4..]) else { return };
    let raw = match raw_from_json_text(text) {
        Ok(raw) => raw,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let changes = flags & 0x10 == 0;
    match estimate(rs, &Request { answers: &raw, as_of, version, lang, changes }) {
        Ok(e) => {
            common::check_estimate(rs, &e, lang);
            common::check_changes(rs, &e, &raw, lang);
        }
        Err(e) => common::check_error(&e),
    }
});
