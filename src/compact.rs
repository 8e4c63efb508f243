//! An estimate in two parts, for a fast crossing into JavaScript.
//!
//! Most of an estimate's bytes are texts that depend only on the version and the language:
//! program names, conditions in words, quoted sources. The *skeleton* carries them and crosses
//! once per version and language; the *compact* part carries what the answers decide
//! (statuses, amounts, reason results, schedules) and crosses at every estimate. The browser
//! joins them (`src/hydrate.js`) into exactly the JSON contract the CLI prints — the parity
//! tests compare the two on thousands of answer sets.

use crate::date::Date;
#[cfg(any(feature = "figures", not(target_arch = "wasm32")))]
use crate::estimate::Figures;
use crate::estimate::{Estimate, Met, Status};
use crate::json::{Obj, ToJson};
use crate::rules::{Lang, Version};
use rust_decimal::Decimal;

/// The parts of every estimate on `v` in `lang` that do not depend on the answers, as JSON:
/// the estimate's own fields that do not change, `payers` (payer names by id) and, per
/// program, its fixed fields with `reasons` holding each condition's text, source,
/// condition and assumption; `statuses` and `results`, the names of the numbers in the
/// compact part.
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
        .field("statuses", &Raw(STATUS_NAMES))
        .field("results", &Raw(RESULT_NAMES))
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

/// The names of the statuses and condition results by their numbers in the compact part, as
/// JSON (a test checks them against `status_code`, `result_code` and the names).
const STATUS_NAMES: &str = r#"["eligible","not_eligible","needs_info"]"#;
const RESULT_NAMES: &str = r#"["met","not_met","unknown","not_applicable"]"#;

fn status_code(s: Status) -> u32 {
    match s {
        Status::Eligible => 0,
        Status::NotEligible => 1,
        Status::NeedsInfo => 2,
    }
}

fn result_code(m: Met) -> u32 {
    match m {
        Met::Met => 0,
        Met::NotMet => 1,
        Met::Unknown => 2,
        Met::NotApplicable => 3,
    }
}

/// Reusable buffers for the compact part of estimates.
#[derive(Default)]
pub struct Compact {
    /// The compact part of the last estimate written, UTF-8.
    pub out: Vec<u8>,
    tmp: String,
    /// The last `as_of` written, and its text.
    date: Option<(Date, String)>,
    /// The figures of the last call to `figures`, their buffers reused (not in the widget's
    /// wasm, which has no `figures`).
    #[cfg(any(feature = "figures", not(target_arch = "wasm32")))]
    pub figures: Figures,
}

impl Compact {
    /// The compact part last written, as text: valid UTF-8 by construction (whole characters
    /// only are written).
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.out).unwrap_or_default()
    }
}

/// Appends `n` in ASCII, six bits a byte, the most significant first, all but the last byte
/// marked by 0x40 (one code unit a byte in JS).
fn num(out: &mut Vec<u8>, n: u32) {
    let mut shift = 0;
    while shift < 30 && n >> (shift + 6) != 0 {
        shift += 6;
    }
    while shift > 0 {
        out.push(0x40 | ((n >> shift) & 0x3f) as u8);
        shift -= 6;
    }
    out.push((n & 0x3f) as u8);
}

/// Appends a string as its length in UTF-16 code units plus one, then its text; `None` as 0.
fn text(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => num(out, 0),
        Some(s) => {
            // The length in UTF-16 code units: one per UTF-8 leading byte, two for four bytes.
            let mut n = 1;
            for &b in s.as_bytes() {
                n += u32::from(b & 0xc0 != 0x80) + u32::from(b >= 0xf0);
            }
            num(out, n);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// A decimal as its text, `None` as 0, 1 when it is written exactly as the last decimal
/// (`last`, its representation); `tmp` is scratch space.
fn dec(out: &mut Vec<u8>, tmp: &mut String, last: &mut [u8; 16], d: Option<Decimal>) {
    let Some(d) = d else {
        return out.push(0);
    };
    // Equal representations (mantissa, scale and sign) have equal texts.
    let repr = d.serialize();
    if repr == *last {
        return out.push(1);
    }
    *last = repr;
    tmp.clear();
    crate::money::push_decimal(tmp, d);
    // ASCII: one code unit a byte.
    num(out, tmp.len() as u32 + 1);
    out.extend_from_slice(tmp.as_bytes());
}

/// Clears `out` and writes `as_of` (its text kept in `date` for the next call); returns the
/// representation of "no decimal yet" for [`dec`]: no decimal has it (its flags byte is
/// invalid), so the first is written.
fn start(out: &mut Vec<u8>, date: &mut Option<(Date, String)>, as_of: Date) -> [u8; 16] {
    out.clear();
    match date {
        Some((d, t)) if *d == as_of => text(out, Some(t)),
        _ => text(out, Some(&date.insert((as_of, as_of.to_string())).1)),
    }
    [0xff; 16]
}

/// Writes into `c.out` (cleared first) the figures in `c.figures` for `as_of`, decoded by
/// `hydrateFigures` in `src/hydrate.js`: `as_of`, `total`, `total_min`, `total_max`, the count
/// of programs, then per program its status number, `amount`, `min` and `max` (each as
/// [`compact`] writes them).
#[cfg(any(feature = "figures", not(target_arch = "wasm32")))]
pub fn compact_figures(c: &mut Compact, as_of: Date) {
    let Compact { out, tmp, date, figures } = c;
    let last = &mut start(out, date, as_of);
    dec(out, tmp, last, figures.total);
    dec(out, tmp, last, Some(figures.total_min));
    dec(out, tmp, last, Some(figures.total_max));
    num(out, figures.programs.len() as u32);
    for f in &figures.programs {
        num(out, status_code(f.status));
        dec(out, tmp, last, f.amount);
        dec(out, tmp, last, f.min);
        dec(out, tmp, last, f.max);
    }
}

/// Writes into `c.out` (cleared first) what `e` adds to the skeleton of
/// its version and language, decoded by `src/hydrate.js`. Numbers are one to six ASCII bytes
/// (see [`num`]); strings are their length plus one, then their text (0 for null); a decimal
/// is a string, or 1 for the last decimal again. In order: `as_of`, `total`, `total_min`,
/// `total_max`, `next_question`, the count of `unused_answers` and each, the count of
/// programs, then per program: its status number times 2 plus `range_exact`, `amount`, `min`,
/// `max`, the count of `missing` and each, the count of condition results and their numbers
/// three a byte (two bits each, the first lowest), the count of schedule lines and per line
/// `year`, `payer` and `amount`, and the JSON of the reasons that are not conditions of the
/// rule file (null when there are none).
pub fn compact(c: &mut Compact, e: &Estimate<'_>) {
    let Compact { out, tmp, date, .. } = c;
    let last = &mut start(out, date, e.as_of);
    dec(out, tmp, last, e.total);
    dec(out, tmp, last, Some(e.total_min));
    dec(out, tmp, last, Some(e.total_max));
    text(out, e.next_question);
    num(out, e.unused_answers.len() as u32);
    for q in &e.unused_answers {
        text(out, Some(q));
    }
    num(out, e.programs.len() as u32);
    for pe in &e.programs {
        let mut results = pe.reasons.results();
        let n = results.len();
        num(out, status_code(pe.status) * 2 + u32::from(pe.range_exact));
        dec(out, tmp, last, pe.amount);
        dec(out, tmp, last, pe.min);
        dec(out, tmp, last, pe.max);
        num(out, pe.missing.len() as u32);
        for q in &pe.missing {
            text(out, Some(q));
        }
        num(out, n as u32);
        for _ in 0..n.div_ceil(3) {
            let mut bits = 0;
            for (j, r) in results.by_ref().take(3).enumerate() {
                bits |= result_code(r) << (2 * j);
            }
            out.push(bits as u8);
        }
        num(out, pe.schedule.len() as u32);
        for s in &pe.schedule {
            num(out, s.year);
            text(out, Some(s.payer));
            dec(out, tmp, last, Some(s.amount));
        }
        let more = pe.reasons.more();
        if more.is_empty() {
            num(out, 0);
        } else {
            tmp.clear();
            more.json(tmp);
            text(out, Some(tmp));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{Answers, Raw};
    use crate::date::Date;
    use crate::estimate::estimate_version;
    use serde_json::Value;

    /// Reads the compact part as `src/hydrate.js` does, in UTF-16 code units.
    struct Reader {
        s: Vec<u16>,
        i: usize,
        last: Value,
    }

    impl Reader {
        fn num(&mut self) -> u64 {
            let mut k = 0;
            loop {
                let c = u64::from(self.s[self.i]);
                self.i += 1;
                if c < 0x40 {
                    return k * 0x40 + c;
                }
                k = k * 0x40 + c - 0x40;
            }
        }

        fn str(&mut self) -> Value {
            match self.num() as usize {
                0 => Value::Null,
                n => {
                    let t = String::from_utf16(&self.s[self.i..self.i + n - 1]).unwrap();
                    self.i += n - 1;
                    Value::String(t)
                }
            }
        }

        fn dec(&mut self) -> Value {
            if self.s[self.i] == 1 {
                self.i += 1;
                return self.last.clone();
            }
            let d = self.str();
            if !d.is_null() {
                self.last = d.clone();
            }
            d
        }

        fn strs(&mut self) -> Value {
            let n = self.num();
            Value::Array((0..n).map(|_| self.str()).collect())
        }
    }

    /// Every question of `v` answered: yes, its first option, `int`, `dec`, 2024-03-01.
    fn answered(v: &Version, int: i64, dec: &str) -> Vec<(String, Raw)> {
        v.questions
            .iter()
            .map(|q| {
                let r = match q.ty {
                    crate::rules::QType::Bool => Raw::Bool(true),
                    crate::rules::QType::Enum => Raw::Str(q.options.first().map(|o| o.id.clone()).unwrap_or_default()),
                    crate::rules::QType::Integer => Raw::Int(int),
                    crate::rules::QType::Decimal => Raw::Str(dec.into()),
                    crate::rules::QType::Date => Raw::Str("2024-03-01".into()),
                };
                (q.id.clone(), r)
            })
            .collect()
    }

    /// Joins the two parts as `src/hydrate.js` does, to check that nothing is lost.
    fn join(skel: &Value, compact: &str) -> Value {
        let mut c = Reader { last: Value::Null, s: compact.encode_utf16().collect(), i: 0 };
        let mut out = skel.clone();
        let o = out.as_object_mut().unwrap();
        for k in ["payers", "statuses", "results"] {
            o.remove(k);
        }
        o.insert("as_of".into(), c.str());
        for k in ["total", "total_min", "total_max"] {
            o.insert(k.into(), c.dec());
        }
        o.insert("next_question".into(), c.str());
        o.insert("unused_answers".into(), c.strs());
        let count = c.num() as usize;
        let programs: Vec<Value> = skel["programs"].as_array().unwrap()[..count]
            .iter()
            .map(|sp| {
                let mut p = sp.clone();
                let m = p.as_object_mut().unwrap();
                let code = c.num() as usize;
                m.insert("status".into(), skel["statuses"][code / 2].clone());
                for k in ["amount", "min", "max"] {
                    m.insert(k.into(), c.dec());
                }
                m.insert("range_exact".into(), Value::Bool(code % 2 == 1));
                m.insert("missing".into(), c.strs());
                let n = c.num() as usize;
                let mut bits = 0;
                let mut reasons: Vec<Value> = sp["reasons"].as_array().unwrap()[..n]
                    .iter()
                    .enumerate()
                    .map(|(j, r)| {
                        let mut r = r.clone();
                        if j % 3 == 0 {
                            bits = c.num() as usize;
                        }
                        let res = skel["results"][(bits >> (2 * (j % 3))) & 3].clone();
                        r.as_object_mut().unwrap().insert("result".into(), res);
                        r
                    })
                    .collect();
                let schedule = (0..c.num())
                    .map(|_| {
                        let year = c.num();
                        let payer = c.str();
                        let id = payer.as_str().unwrap();
                        let name = skel["payers"].get(id).cloned().unwrap_or(Value::from(""));
                        serde_json::json!({"year": year, "payer": payer, "payer_name": name, "amount": c.dec()})
                    })
                    .collect();
                if let Value::String(more) = c.str() {
                    let more: Value = serde_json::from_str(&more).unwrap();
                    reasons.extend(more.as_array().unwrap().iter().cloned());
                }
                m.insert("reasons".into(), Value::Array(reasons));
                m.insert("schedule".into(), Value::Array(schedule));
                p
            })
            .collect();
        assert_eq!(c.i, c.s.len(), "the whole compact part is read");
        o.insert("programs".into(), Value::Array(programs));
        out
    }

    #[test]
    fn skeleton_and_compact_join_into_the_estimate() {
        let as_of = Date::parse("2024-07-15").unwrap();
        let mut checked = 0;
        let mut buf = Compact::default();
        for dir in [
            "rules/baotou-rare-earth-zone",
            "rules/guangzhou-tianhe",
            "rules/zibo",
            "rules/shenyang",
            "tests/rules/hostile-text",
            "tests/rules/exclusive-group",
        ] {
            let rs = crate::load_dir(std::path::Path::new(dir)).unwrap();
            for v in &rs.versions {
                // Nothing answered, then every question answered with its first value.
                let first = answered(v, 24, "1.00");
                for lang in [Lang::Zh, Lang::En] {
                    let skel: Value = serde_json::from_str(&skeleton_json(v, lang)).unwrap();
                    for raw in [Vec::new(), first.clone()] {
                        let (answers, _) = Answers::parse(v, &raw);
                        let Ok(e) = estimate_version(v, &answers, as_of, lang) else { continue };
                        let full = serde_json::to_value(&e).unwrap();
                        compact(&mut buf, &e);
                        assert_eq!(join(&skel, buf.text()), full, "{dir} {}", v.version);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked >= 20, "{checked} estimates checked");
    }

    #[test]
    fn figures_are_read_back_as_written() {
        let as_of = Date::parse("2024-07-15").unwrap();
        let mut c = Compact::default();
        let mut checked = 0;
        for dir in ["rules/baotou-rare-earth-zone", "rules/zibo", "tests/rules/exclusive-group"] {
            let rs = crate::load_dir(std::path::Path::new(dir)).unwrap();
            for v in &rs.versions {
                // Nothing answered (ranges, needs_info), then the first option of each.
                let first = answered(v, 12, "1.50");
                for raw in [Vec::new(), first] {
                    let (answers, _) = Answers::parse(v, &raw);
                    c.figures.compute(v, &answers, as_of).unwrap();
                    compact_figures(&mut c, as_of);
                    let mut r = Reader { last: Value::Null, s: c.text().encode_utf16().collect(), i: 0 };
                    let text = |d: Option<Decimal>| d.map_or(Value::Null, |x| Value::from(x.to_string()));
                    assert_eq!(r.str(), Value::from("2024-07-15"));
                    assert_eq!(r.dec(), text(c.figures.total));
                    assert_eq!(r.dec(), text(Some(c.figures.total_min)));
                    assert_eq!(r.dec(), text(Some(c.figures.total_max)));
                    assert_eq!(r.num() as usize, c.figures.programs.len());
                    for f in &c.figures.programs {
                        assert_eq!(r.num(), u64::from(status_code(f.status)));
                        for d in [f.amount, f.min, f.max] {
                            assert_eq!(r.dec(), text(d), "{dir}");
                        }
                    }
                    assert_eq!(r.i, r.s.len(), "the whole of it is read");
                    checked += 1;
                }
            }
        }
        assert!(checked >= 6, "{checked}");
    }

    #[test]
    fn numbers_and_lengths() {
        let mut out = Vec::new();
        let ns = [0, 1, 63, 64, 127, 128, 0xfff, 0x1000, 0x3fff_ffff, 0x4000_0000, u32::MAX];
        for n in ns {
            num(&mut out, n);
        }
        let t = std::str::from_utf8(&out).unwrap();
        let mut r = Reader { last: Value::Null, s: t.encode_utf16().collect(), i: 0 };
        for n in ns {
            assert_eq!(r.num(), u64::from(n));
        }
        assert!(t.is_ascii());
        let strs = ["", "a", "é", "引号", "🎉x", "\u{0}\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}"];
        out.clear();
        for s in strs {
            text(&mut out, Some(s));
        }
        text(&mut out, None);
        let mut r = Reader { last: Value::Null, s: std::str::from_utf8(&out).unwrap().encode_utf16().collect(), i: 0 };
        for s in strs {
            assert_eq!(r.str(), Value::from(s));
        }
        assert_eq!(r.str(), Value::Null);
    }

    #[test]
    fn decimals_as_display_writes_them() {
        let mut tmp = String::new();
        let mut ds: Vec<Decimal> = crate::money::tests::DECIMALS.iter().map(|s| s.parse().unwrap()).collect();
        ds.extend((0..=28).map(|k| Decimal::new(-12345, k)));
        for d in ds {
            let mut last = [0xff; 16];
            let mut out = Vec::new();
            dec(&mut out, &mut tmp, &mut last, Some(d));
            let mut r = Reader { last: Value::Null, s: std::str::from_utf8(&out).unwrap().encode_utf16().collect(), i: 0 };
            assert_eq!(r.str(), Value::from(d.to_string()), "{d}");
            out.clear();
            dec(&mut out, &mut tmp, &mut last, Some(d));
            assert_eq!(out, [1], "{d} repeated");
        }
        // Equal decimals written differently are both written.
        let mut out = Vec::new();
        let mut last = [0xff; 16];
        for s in ["1.0", "1.00", "0", "0.0"] {
            dec(&mut out, &mut tmp, &mut last, Some(s.parse().unwrap()));
            assert_ne!(out.last(), Some(&1), "{s}");
        }
    }

    #[test]
    fn every_status_and_result_has_its_number_and_name() {
        use crate::estimate::{Met, Status};
        let statuses: Vec<String> = serde_json::from_str(STATUS_NAMES).unwrap();
        for s in [Status::Eligible, Status::NotEligible, Status::NeedsInfo] {
            assert_eq!(statuses[status_code(s) as usize], s.name());
        }
        let results: Vec<String> = serde_json::from_str(RESULT_NAMES).unwrap();
        for m in [Met::Met, Met::NotMet, Met::Unknown, Met::NotApplicable] {
            assert_eq!(results[result_code(m) as usize], m.name());
        }
    }
}
