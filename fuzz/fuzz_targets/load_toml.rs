//! Any bytes as a TOML rule file: the loader returns a version or errors, never panics; the
//! file loader (`load_file`, which adds lines and columns) agrees with `load_version` and
//! places every error inside the text; a loaded version estimates without panicking and keeps
//! the estimate invariants; and its bundle (`bundle_json`, what `make bundles` writes) loads to
//! the same version.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;
use subsidy_calc::rules::file::VersionFile;
use subsidy_calc::{bundle_json, estimate, load_bundle, load_file, load_version, Date, Lang, Problem, Request, RuleSet, Version};

#[path = "common/mod.rs"]
mod common;

/// A file of this process's own, rewritten for each input.
fn scratch() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let dir = std::env::temp_dir().join("subsidy-calc-fuzz").join(std::process::id().to_string()).join("fuzz");
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        dir.join("fuzz.toml")
    })
}

/// A version without the names of the file it came from.
fn unnamed(v: &Version) -> Version {
    Version { file: String::new(), file_name: String::new(), ..v.clone() }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = toml::from_str::<VersionFile>(text);
    let loaded = parsed.as_ref().ok().map(|doc| load_version("fuzz.toml", doc));

    // The file loader: the same verdict, with every position inside the text.
    let path = scratch();
    if std::fs::write(path, text).is_ok() {
        let lines = text.split('\n').count() as u32;
        match load_file(path) {
            Ok(_) => assert!(matches!(loaded, Some(Ok(_))), "load_file accepts what load_version rejects: {loaded:?}"),
            Err(errs) => {
                assert!(!errs.0.is_empty());
                for e in &errs.0 {
                    assert!(!e.message(Lang::En).is_empty() && !e.message(Lang::Zh).is_empty(), "an empty message: {e:?}");
                    assert_eq!(e.line.is_some(), e.column.is_some(), "{e:?}");
                    if let (Some(l), Some(c)) = (e.line, e.column) {
                        assert!(l >= 1 && l <= lines && c >= 1, "position {l}:{c} outside the text ({lines} lines): {e:?}");
                        let line_chars = text.split('\n').nth(l as usize - 1).map_or(0, |s| s.chars().count()) as u32;
                        assert!(c <= line_chars + 1, "column {c} past the end of line {l} ({line_chars} characters): {e:?}");
                    }
                }
                if let Some(Ok(_)) = loaded {
                    // only the checks of the file's name and folder may fail
                    for e in &errs.0 {
                        assert!(
                            matches!(e.problem, Problem::FileName { .. } | Problem::FolderName { .. }),
                            "load_version accepts it but load_file says: {e:?}"
                        );
                    }
                }
            }
        }
    }

    let (Ok(doc), Some(loaded)) = (&parsed, loaded) else { return };
    let v = match loaded {
        Ok(v) => v,
        Err(errs) => {
            assert!(!errs.0.is_empty());
            for e in &errs.0 {
                assert!(!e.message(Lang::En).is_empty(), "an empty message: {e:?}");
                assert_eq!(e.line.is_some(), e.column.is_some(), "{e:?}");
            }
            return;
        }
    };
    let from = v.effective_from;
    let to = v.effective_to;
    let reference = unnamed(&v);
    let Ok(rs) = RuleSet::new(vec![v]) else { return };
    for (as_of, lang) in [
        (Some(from), Lang::En),
        (to.and_then(|d| d.add_days(-1)), Lang::Zh),
        (Date::from_ymd(2000, 1, 1).ok(), Lang::Zh),
    ] {
        match estimate(&rs, &Request { answers: &[], as_of, version: None, lang, changes: true }) {
            Ok(e) => {
                    common::check_estimate(&rs, &e, lang);
                    common::check_changes(&rs, &e, &[], lang);
                }
            Err(e) => common::check_error(&e),
        }
    }
    // Its bundle loads to the same version.
    let json = bundle_json(&rs.id, &[("fuzz.toml".to_string(), doc.clone())]);
    match load_bundle("fuzz.json", &json) {
        Ok(b) => {
            assert_eq!(b.versions.len(), 1);
            assert!(unnamed(&b.versions[0]) == reference, "the bundle of a loaded version loads to another version\n{json}");
        }
        Err(e) => panic!("a version that loads gives a bundle that does not: {e}\n{json}"),
    }
});
