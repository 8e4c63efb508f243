//! Native benchmarks (standard harness, `cargo bench --bench engine`): prints one JSON line per
//! figure, read by scripts/bench.mjs. Medians of several timed batches; these machines are shared.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Instant;
use subsidy_calc::{bundle_json, estimate_version, figures, load_bundle, read_dir, Answers, Date, Lang, Raw};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Seconds per call, median of `batches` batches of `n` calls.
fn time<F: FnMut()>(n: usize, batches: usize, mut f: F) -> f64 {
    for _ in 0..n / 10 {
        f();
    }
    median(
        (0..batches)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..n {
                    f();
                }
                t.elapsed().as_secs_f64() / n as f64
            })
            .collect(),
    )
}

fn report(name: &str, value: f64, unit: &str) {
    println!("{{\"figure\":\"{name}\",\"value\":{value},\"unit\":\"{unit}\"}}");
}

/// A rule set with `programs` programs over 200 questions, as TOML.
fn generated(programs: usize) -> String {
    let mut s = String::from(
        "format = 1\nrule_set = \"gen\"\nversion = \"v1\"\nname = { zh-CN = \"生成\", en = \"Generated\" }\njurisdiction = { zh-CN = \"测试\", en = \"Test\" }\ncurrency = \"CNY\"\neffective_from = 2024-01-01\n[money]\nscale = 2\nrounding = \"half_up\"\n[[sources]]\nid = \"s\"\ntitle = \"t\"\nissuer = \"i\"\nquote = \"q\"\n[[payers]]\nid = \"p\"\nname = { zh-CN = \"付\", en = \"Payer\" }\n",
    );
    for q in 0..200 {
        match q % 3 {
            0 => s += &format!("[[questions]]\nid = \"q{q}\"\ntype = \"bool\"\nlabel = {{ zh-CN = \"问{q}\", en = \"Q{q}\" }}\n"),
            1 => s += &format!("[[questions]]\nid = \"q{q}\"\ntype = \"integer\"\nlabel = {{ zh-CN = \"问{q}\", en = \"Q{q}\" }}\nmin = 0\nmax = 100\n"),
            _ => s += &format!("[[questions]]\nid = \"q{q}\"\ntype = \"enum\"\nlabel = {{ zh-CN = \"问{q}\", en = \"Q{q}\" }}\noptions = [{{ id = \"a\", label = {{ zh-CN = \"甲\", en = \"A\" }} }}, {{ id = \"b\", label = {{ zh-CN = \"乙\", en = \"B\" }} }}]\n"),
        }
    }
    for p in 0..programs {
        let (b, i, e) = ((p * 3) % 198, (p * 3 + 1) % 198, (p * 3 + 2) % 198);
        s += &format!(
            "[[programs]]\nid = \"p{p}\"\nname = {{ zh-CN = \"项目{p}\", en = \"P{p}\" }}\nkind = \"cash\"\npayers = [\"p\"]\nsource = \"s\"\n\
             [[programs.conditions]]\nwhen = \"q{b} and q{e} == 'a'\"\ntext = {{ zh-CN = \"条件\", en = \"C\" }}\nsource = \"s\"\n\
             [programs.amount]\nformula = \"1000.00 * min(q{i}, 24) + {p}\"\nsource = \"s\"\n"
        );
    }
    s
}

fn main() {
    let (rs, files) = read_dir(std::path::Path::new("rules/baotou-rare-earth-zone")).unwrap();
    let as_of = Date::parse("2024-07-15").unwrap();
    let v = rs.version_on(as_of).unwrap();
    let raw = vec![
        ("applicant_type".to_string(), Raw::Str("postdoc".into())),
        ("in_zone".to_string(), Raw::Bool(true)),
        ("months_in_station".to_string(), Raw::Int(24)),
        ("school_age_children".to_string(), Raw::Int(1)),
    ];
    let (answers, _) = Answers::parse(v, &raw, as_of);
    // One path only, a fixed number of times (BENCH_N), for an instruction count under
    // callgrind: scripts/bench.mjs runs two counts and takes the difference per estimate.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let n: usize = std::env::var("BENCH_N").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    if only == "figures" {
        for _ in 0..n {
            black_box(figures(v, black_box(&answers), as_of).unwrap());
        }
        return;
    }
    if only == "full" {
        for _ in 0..n {
            black_box(estimate_version(v, black_box(&answers), as_of, Lang::En).unwrap());
        }
        return;
    }
    let full = time(20_000, 7, || {
        black_box(estimate_version(v, black_box(&answers), as_of, Lang::En).unwrap());
    });
    report("native_full_estimate", 1.0 / full, "estimates/s");
    let q = time(200_000, 7, || {
        black_box(figures(v, black_box(&answers), as_of).unwrap());
    });
    report("native_figures", 1.0 / q, "estimates/s");
    let parse = time(100_000, 7, || {
        black_box(Answers::parse(v, black_box(&raw), as_of));
    });
    report("native_answer_validation", parse * 1e9, "ns");
    let json = bundle_json(&rs.id, &files);
    let load = time(2_000, 7, || {
        black_box(load_bundle("b", black_box(&json)).unwrap());
    });
    report("baotou_bundle_load", load * 1e3, "ms");
    let none: Vec<(String, Raw)> = Vec::new();
    let (empty, _) = Answers::parse(v, &none, as_of);
    let ranged = time(2_000, 7, || {
        black_box(estimate_version(v, black_box(&empty), as_of, Lang::En).unwrap());
    });
    report("native_estimate_nothing_answered", ranged * 1e6, "us");

    for programs in [10, 100, 1000] {
        let toml = generated(programs);
        let file: subsidy_calc::rules::file::VersionFile = toml::from_str(&toml).unwrap();
        let bundle = bundle_json("gen", &[("v1.toml".to_string(), file)]);
        let grs = load_bundle("g", &bundle).unwrap();
        let load = time(if programs == 1000 { 20 } else { 200 }, 5, || {
            black_box(load_bundle("g", black_box(&bundle)).unwrap());
        });
        report(&format!("generated_{programs}_bundle_load"), load * 1e3, "ms");
        let v = &grs.versions[0];
        let raw: Vec<(String, Raw)> = (0..200)
            .map(|q| {
                let r = match q % 3 {
                    0 => Raw::Bool(q % 2 == 0),
                    1 => Raw::Int((q % 50) as i64),
                    _ => Raw::Str("a".into()),
                };
                (format!("q{q}"), r)
            })
            .collect();
        let (answers, errs) = Answers::parse(v, &raw, v.effective_from);
        assert!(errs.is_empty());
        let est = time(if programs == 1000 { 200 } else { 2_000 }, 5, || {
            black_box(estimate_version(v, black_box(&answers), v.effective_from, Lang::En).unwrap());
        });
        report(&format!("generated_{programs}_estimate"), est * 1e6, "us");
    }
}
