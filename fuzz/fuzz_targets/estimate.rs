//! Arbitrary JSON answers against every shipped rule set: an estimate or a clear error naming
//! a field, never a panic; and the invariants of a good estimate hold.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use subsidy_calc::{estimate, load_bundle, raw_from_json, Date, Lang, Request, RuleSet};

fn sets() -> &'static Vec<RuleSet> {
    static S: OnceLock<Vec<RuleSet>> = OnceLock::new();
    S.get_or_init(|| {
        ["baotou-rare-earth-zone", "guangzhou-tianhe", "zibo", "shenyang"]
            .iter()
            .map(|s| {
                let path = format!("{}/../www/rules/{s}.json", env!("CARGO_MANIFEST_DIR"));
                let text = std::fs::read_to_string(&path).expect("run `make bundles` first");
                load_bundle(s, &text).expect("shipped bundles load")
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let rs = &sets()[usize::from(data[0]) % 4];
    let day = i32::from(u16::from_le_bytes([data[1], data[2]])) % 6000;
    let as_of = Date::parse("2018-01-01").expect("valid").add_days(day);
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&data[3..]) else { return };
    let Ok(raw) = raw_from_json(&json) else { return };
    match estimate(rs, &Request { answers: &raw, as_of, version: None, lang: Lang::En }) {
        Ok(e) => {
            assert!(e.total_min <= e.total_max);
            for p in &e.programs {
                if let (Some(lo), Some(hi)) = (p.min, p.max) {
                    assert!(lo <= hi);
                }
                if let Some(a) = p.amount {
                    let s: subsidy_calc::Decimal = p.schedule.iter().map(|x| x.amount).sum();
                    assert_eq!(s, a);
                }
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
