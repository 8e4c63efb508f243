#![cfg(not(target_arch = "wasm32"))]
//! The corpus of broken rule files: each must fail to load with exactly the
//! `file:line:col: message` lines written in `expected.txt`, and never half-load.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;
use subsidy_calc::{bundle_json, load_bundle, load_dir, load_file, read_dir, Bundle};

fn expected(path: &str) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let key = line.split(':').next().unwrap().to_string();
        let key = key.split('/').next().unwrap().to_string();
        map.entry(key).or_default().push(line.to_string());
    }
    map
}

fn relative(errors: &subsidy_calc::RuleErrors, base: &str) -> Vec<String> {
    errors.0.iter().map(|e| e.to_string().trim_start_matches(base).to_string()).collect()
}

#[test]
fn each_broken_file_fails_with_its_exact_positions_and_messages() {
    let want = expected("tests/broken-rules/expected.txt");
    let mut seen = 0;
    for entry in std::fs::read_dir("tests/broken-rules").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let result = load_file(&path);
        if name == "valid.toml" {
            assert!(result.is_ok(), "the control file must load: {:?}", result.err());
            continue;
        }
        let errs = result.expect_err(&name);
        let got = relative(&errs, "tests/broken-rules/");
        let exp = want.get(&name).unwrap_or_else(|| panic!("{name} has no line in expected.txt; got {got:?}"));
        assert_eq!(&got, exp, "{name}");
        for e in &errs.0 {
            assert!(e.line.is_some() && e.column.is_some(), "{name}: every TOML error has a line and column: {e}");
        }
        seen += 1;
    }
    assert_eq!(seen, want.len(), "every expectation has its file");
    assert!(seen >= 20, "the corpus has {seen} broken files");
}

#[test]
fn version_sets_with_gaps_overlaps_or_misnamed_files_fail() {
    let want = expected("tests/broken-sets/expected.txt");
    for (set, lines) in &want {
        let errs = load_dir(&Path::new("tests/broken-sets").join(set)).expect_err(set);
        assert_eq!(&relative(&errs, "tests/broken-sets/"), lines, "{set}");
    }
    assert!(want.len() >= 4);
    let ok = load_dir(Path::new("tests/broken-sets/good-chain")).unwrap();
    assert_eq!(ok.versions.len(), 2);
}

#[test]
fn a_bundle_is_validated_like_the_toml_it_came_from() {
    let (rs, files) = read_dir(Path::new("tests/broken-sets/good-chain")).unwrap();
    let json = bundle_json(&rs.id, &files);
    let again = load_bundle("good-chain.json", &json).unwrap();
    let unnamed = |rs: &subsidy_calc::RuleSet| {
        rs.versions.iter().map(|v| subsidy_calc::Version { file: String::new(), ..v.clone() }).collect::<Vec<_>>()
    };
    assert_eq!(unnamed(&again), unnamed(&rs), "a bundle loads into the same rule set as its files");
    let read: Bundle = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&read).unwrap() + "\n", json, "bundles are canonical: a round trip changes nothing");

    let cases = [
        ("\"formula\":\"1000.00 * min(months, 24)\"", "\"formula\":\"1000.00 * min(months, kind)\"", "programs[0].amount.formula"),
        ("\"scale\":2", "\"scale\":2.5", "money.scale"),
        ("\"source\":\"s1\"}", "\"source\":\"s1\",\"extra\":1}", "extra"),
        ("\"effective_to\":\"2022-08-10\"", "\"effective_to\":\"2022-09-10\"", "effective_from"),
    ];
    for (from, to, field) in cases {
        assert!(json.contains(from), "{from}");
        let bad = json.replacen(from, to, 1);
        let errs = load_bundle("b.json", &bad).expect_err(field);
        assert!(errs.0.iter().any(|e| e.field.contains(field)), "{field}: {errs}");
        assert!(errs.0.iter().all(|e| e.file.starts_with("b.json")), "{errs}");
    }
    let errs = load_bundle("b.json", "{\"format\": 1").unwrap_err();
    assert_eq!(errs.0[0].line, Some(1));
    let errs = load_bundle("b.json", "{\"format\":\"other/9\",\"versions\":[]}").unwrap_err();
    assert!(errs.to_string().contains("subsidy-calc compile"), "{errs}");
}

/// The fuzzer's find: text after the bundle's JSON value was ignored (the browser's JSON.parse
/// refuses it). Now an error at the line and column where it starts.
#[test]
fn a_bundle_with_text_after_it_is_refused() {
    let (_, files) = read_dir(Path::new("rules/zibo")).unwrap();
    let json = bundle_json("zibo", &files);
    assert!(load_bundle("zibo.json", &json).is_ok());
    for junk in ["\nR", "{}", " []", "\n\n  x"] {
        let errs = load_bundle("zibo.json", &format!("{json}{junk}")).expect_err(junk);
        let e = &errs.0[0];
        assert!(e.line.is_some() && e.column.is_some(), "{junk:?}: {e}");
        assert!(e.to_string().contains("trailing characters"), "{junk:?}: {e}");
    }
    // white space after it is fine
    assert!(load_bundle("zibo.json", &format!("{json}\n \t\n")).is_ok());
}

/// The fuzzer's find: a constant chain of `and`/`or` sent the compiler round in a circle until
/// the stack overflowed. It loads, and the condition folds to its value.
#[test]
fn a_constant_and_or_chain_loads() {
    let text = std::fs::read_to_string("tests/broken-rules/valid.toml").unwrap();
    let text =
        text.replace("when = \"kind == 'postdoc'\"", "when = \"kind == 'postdoc' or (true and true) or (false or (true and false))\"");
    let (rs, _) = subsidy_calc::read_texts("broken-rules", &[("valid.toml".to_string(), text)]).unwrap();
    assert_eq!(rs.versions.len(), 1);
}

/// A table may leave out an option that a condition keeps away from it; when the rule file
/// forgets that condition, the estimate that reaches the missing row fails with a message
/// naming the table and the option (not a generic "no row").
#[test]
fn a_missing_table_row_names_the_table_and_option() {
    let text = std::fs::read_to_string("tests/rules/tables/2024.toml").unwrap();
    let unguarded = text.replace("when = \"degree in ['phd', 'master', 'bachelor']\"", "when = \"degree != 'phd' or degree == 'phd'\"");
    assert_ne!(text, unguarded);
    let (rs, _) = subsidy_calc::read_texts("tables", &[("2024.toml".to_string(), unguarded)]).unwrap();
    let answers = [("degree".to_string(), subsidy_calc::Raw::Str("other".into()))];
    let req = subsidy_calc::Request {
        answers: &answers,
        as_of: Some(subsidy_calc::Date::parse("2024-06-01").unwrap()),
        version: None,
        lang: subsidy_calc::Lang::En,
        changes: false,
    };
    let err = subsidy_calc::estimate(&rs, &req).expect_err("the missing row is reached");
    assert!(err.to_string().contains("table 'per_year' has no row for 'other'"), "{err}");
    // with a listed option the same rule set estimates
    let answers = [("degree".to_string(), subsidy_calc::Raw::Str("master".into()))];
    assert!(subsidy_calc::estimate(&rs, &subsidy_calc::Request { answers: &answers, ..req }).is_ok());
}

/// An age limit at the very edge of what a decimal holds (the largest decimal, written as a
/// sum so that it loads) is no birthday anyone has: the range over an unanswered birth date
/// is estimated, with no overflow looking for the ages around the limit.
#[test]
fn an_age_limit_at_the_largest_decimal_estimates() {
    let text = std::fs::read_to_string("tests/rules/dates/2024.toml").unwrap();
    for limit in [
        "9999999999999999999999999999 * 7 + 9228162514264337593543950342",
        "0 - 9999999999999999999999999999 * 7 - 9228162514264337593543950342",
    ] {
        let edge = text.replace("when = \"age(birth_date) < 35\"", &format!("when = \"age(birth_date) < {limit}\""));
        assert_ne!(text, edge);
        let (rs, _) = subsidy_calc::read_texts("dates", &[("2024.toml".to_string(), edge)]).unwrap();
        let req = subsidy_calc::Request {
            answers: &[],
            as_of: Some(subsidy_calc::Date::parse("2024-06-01").unwrap()),
            version: None,
            lang: subsidy_calc::Lang::En,
            changes: true,
        };
        assert!(subsidy_calc::estimate(&rs, &req).is_ok(), "{limit}");
    }
}

/// The valid file with `programs` in place of its one program.
fn with_programs(programs: &str) -> String {
    let text = std::fs::read_to_string("tests/broken-rules/valid.toml").unwrap();
    let head = text.split("[[programs]]").next().unwrap().to_string();
    head + programs
}

/// One cash program: its id, amount formula and, if any, exclusive group.
fn program(id: &str, formula: &str, group: Option<&str>) -> String {
    let group = group.map(|g| format!("exclusive_group = \"{g}\"\n")).unwrap_or_default();
    format!(
        "\n[[programs]]\nid = \"{id}\"\nname = {{ zh-CN = \"补贴\", en = \"Allowance\" }}\nkind = \"cash\"\npayers = [\"city\"]\nsource = \"s1\"\n{group}\n\
         [[programs.conditions]]\nwhen = \"kind == 'postdoc'\"\ntext = {{ zh-CN = \"博士后\", en = \"A postdoc\" }}\nsource = \"s1\"\n\n\
         [programs.amount]\nformula = \"{formula}\"\nsource = \"s1\"\n"
    )
}

/// `n` programs, each one more than the one it refers to; `backwards`: each refers to the one
/// after it in the file, not the one before.
fn chain(n: usize, backwards: bool) -> String {
    (0..n)
        .map(|i| match (i, backwards) {
            (0, false) => program("p0", "1.00", None),
            (i, false) => program(&format!("p{i}"), &format!("amount(p{}) + 1", i - 1), None),
            (i, true) if i == n - 1 => program(&format!("p{i}"), "1.00", None),
            (i, true) => program(&format!("p{i}"), &format!("amount(p{}) + 1", i + 1), None),
        })
        .collect()
}

fn load(text: String) -> Result<subsidy_calc::RuleSet, Vec<String>> {
    subsidy_calc::read_texts("broken-rules", &[("valid.toml".to_string(), text)])
        .map(|(rs, _)| rs)
        .map_err(|e| e.0.iter().map(|x| x.problem.message(subsidy_calc::Lang::En)).collect())
}

/// What the engine takes has limits, each a clear error: more entries in a list than
/// `MAX_ENTRIES` (checking a file once cost the square or worse of their number: 400 programs in
/// one group took 14 s), a larger exclusive group than `MAX_GROUP` (each estimate weighs every
/// member against every other), programs referring to one another deeper than `MAX_CHAIN` (the
/// estimate evaluates them inside one another: 1,000 deep overflowed the browser's stack, and
/// 70,000 the CLI's). Up to each limit, the file loads and estimates.
#[test]
fn lists_groups_and_chains_beyond_the_limits_are_refused() {
    use subsidy_calc::{MAX_CHAIN, MAX_ENTRIES, MAX_GROUP};
    let many = |n: usize| (0..n).map(|i| program(&format!("p{i}"), "1.00", None)).collect::<String>();
    assert_eq!(
        load(with_programs(&many(MAX_ENTRIES + 1))).unwrap_err(),
        [format!("'programs' has 1001 entries; at most {MAX_ENTRIES} are allowed")]
    );
    assert_eq!(load(with_programs(&many(MAX_ENTRIES))).unwrap().versions[0].programs.len(), MAX_ENTRIES);

    let group = |n: usize| (0..n).map(|i| program(&format!("p{i}"), &format!("{i}.00"), Some("g"))).collect::<String>();
    assert_eq!(load(with_programs(&group(MAX_GROUP + 1))).unwrap_err(), ["exclusive group 'g' has 65 programs; at most 64 are allowed"]);
    let rs = load(with_programs(&group(MAX_GROUP))).unwrap();
    let answers = [("kind".to_string(), subsidy_calc::Raw::Str("postdoc".into()))];
    let request = subsidy_calc::Request {
        answers: &answers,
        as_of: subsidy_calc::Date::parse("2024-07-15").ok(),
        version: None,
        lang: subsidy_calc::Lang::En,
        changes: true,
    };
    let e = subsidy_calc::estimate(&rs, &request).unwrap();
    // only the highest amount of the group is paid
    assert_eq!(e.total.map(|t| t.to_string()), Some("63.00".to_string()));

    for backwards in [false, true] {
        let rs = load(with_programs(&chain(MAX_CHAIN, backwards))).unwrap();
        let e = subsidy_calc::estimate(&rs, &request).unwrap();
        // 1 + 2 + … + 32, each program one more than the one it refers to
        assert_eq!(e.total.map(|t| t.to_string()), Some("528.00".to_string()), "backwards: {backwards}");
        let err = load(with_programs(&chain(MAX_CHAIN + 1, backwards))).unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(err[0].starts_with("programs refer to one another more than 32 deep: "), "{err:?}");
        // and far beyond, still an error (not a stack overflow)
        assert_eq!(load(with_programs(&chain(MAX_ENTRIES, backwards))).unwrap_err().len(), 1);
    }
}

/// A member of an exclusive group that refers, directly or not, to its own group: each estimate
/// would evaluate a program inside itself. Refused at load as a circle (not as a chain too deep,
/// and not left to fail in some estimates only).
#[test]
fn a_circle_through_an_exclusive_group_is_refused() {
    let two = program("a", "amount(b) + 1", Some("g")) + &program("b", "1.00", Some("g"));
    let err = load(with_programs(&two)).unwrap_err();
    assert_eq!(err.len(), 1);
    assert!(err[0].starts_with("programs refer to each other in a circle: "), "{err:?}");
    let through = program("a", "1.00", Some("g")) + &program("b", "amount(x)", Some("g")) + &program("x", "amount(a)", None);
    let err = load(with_programs(&through)).unwrap_err();
    assert_eq!(err.len(), 1);
    assert!(err[0].starts_with("programs refer to each other in a circle: "), "{err:?}");
    // a member referring to a program outside its group is no circle
    let outside = program("a", "amount(x) + 1", Some("g")) + &program("b", "1.00", Some("g")) + &program("x", "1.00", None);
    assert_eq!(load(with_programs(&outside)).unwrap().versions[0].programs.len(), 3);
}
