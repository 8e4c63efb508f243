#![cfg(not(target_arch = "wasm32"))]
//! The command line as a user runs it: exit codes, the JSON contract, reports, bundles.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const BAOTOU: &str = "rules/baotou-rare-earth-zone";

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_subsidy-calc"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // The CLI may exit before reading (a bad flag): a closed pipe is not a test failure.
    let _ = pipe.write_all(stdin.unwrap_or("").as_bytes());
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn estimate_json(rules: &str, answers: &str, as_of: &str) -> serde_json::Value {
    let out = run(&["estimate", "--rules", rules, "--as-of", as_of, "--answers", "-", "--lang", "en"], Some(answers));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn postdoc_estimate_keeps_the_public_contract() {
    let e = estimate_json(BAOTOU, r#"{"applicant_type":"postdoc","in_zone":true,"months_in_station":24}"#, "2024-07-15");
    assert_eq!(e["rule_set"], "baotou-rare-earth-zone");
    assert_eq!(e["version"], "2024");
    assert_eq!(e["as_of"], "2024-07-15");
    assert_eq!(e["currency"], "CNY");
    assert_eq!(e["total"], "300000.00");
    assert_eq!(e["total_min"], "300000.00");
    assert_eq!(e["total_max"], "300000.00");
    let programs = e["programs"].as_array().unwrap();
    assert_eq!(programs.len(), 5);
    let la = programs.iter().find(|p| p["id"] == "living_allowance").unwrap();
    for key in ["id", "kind", "status", "amount", "min", "max", "missing", "reasons", "schedule", "assumptions", "sources"] {
        assert!(la.get(key).is_some(), "program field {key}");
    }
    assert_eq!(la["kind"], "cash");
    assert_eq!(la["status"], "eligible");
    assert_eq!(la["amount"], "300000.00");
    assert_eq!(la["schedule"][0]["year"], 1);
    assert_eq!(la["schedule"][0]["amount"], "150000.00");
    assert_eq!(la["schedule"][1]["amount"], "150000.00");
    assert!(la["schedule"][0]["payer"].is_string());
    assert_eq!(la["reasons"][0]["result"], "met");
    assert_eq!(la["reasons"][0]["source"], "seed-living");
    assert!(la["assumptions"].as_array().unwrap().len() >= 2);
    assert!(la["sources"][0]["quote"].as_str().unwrap().contains("30万元"));
    // Money is never a JSON number.
    fn no_numbers_for_money(v: &serde_json::Value, key: &str) {
        match v {
            serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| no_numbers_for_money(x, k)),
            serde_json::Value::Array(a) => a.iter().for_each(|x| no_numbers_for_money(x, key)),
            serde_json::Value::Number(_) => assert_eq!(key, "year", "only years are numbers, found {key}"),
            _ => {}
        }
    }
    no_numbers_for_money(&e, "");
    let housing = programs.iter().find(|p| p["id"] == "housing_support").unwrap();
    assert!(housing["amount"].is_null() && housing["min"].is_null() && housing["max"].is_null());
}

#[test]
fn enterprise_gets_the_setup_fund() {
    let e = estimate_json(
        BAOTOU,
        r#"{"applicant_type":"enterprise","in_zone":true,"workstation_status":"approved","workstation_approved_on":"2024-03-01"}"#,
        "2024-07-15",
    );
    assert_eq!(e["total"], "100000.00");
    let f = e["programs"].as_array().unwrap().iter().find(|p| p["id"] == "station_setup_fund").unwrap().clone();
    assert_eq!(f["status"], "eligible");
    assert_eq!(
        f["schedule"],
        serde_json::json!([{"year": 1, "payer": "zone", "payer_name": "Baotou Rare Earth High-tech Zone", "amount": "100000.00"}])
    );
}

#[test]
fn text_reports_in_both_languages() {
    let answers = r#"{"applicant_type":"postdoc","in_zone":true,"months_in_station":13}"#;
    let en =
        run(&["estimate", "--rules", BAOTOU, "--as-of", "2024-07-15", "--answers", "-", "--format", "text", "--lang", "en"], Some(answers));
    let en = String::from_utf8(en.stdout).unwrap();
    assert!(en.contains("Cash total: 162,500.00 CNY"), "{en}");
    assert!(en.contains("year 2 Three levels of government (Inner Mongolia, Baotou city, the zone): 12,500.00 CNY"), "{en}");
    assert!(en.contains("not a decision"), "{en}");
    let zh = run(&["estimate", "--rules", BAOTOU, "--as-of", "2024-07-15", "--answers", "-", "--format", "text"], Some(answers));
    let zh = String::from_utf8(zh.stdout).unwrap();
    assert!(zh.contains("现金合计: 162,500.00 CNY"), "{zh}");
    assert!(zh.contains("第2年"), "{zh}");
}

#[test]
fn bad_input_exits_2_with_one_clear_line() {
    let cases: [(&[&str], &str, &str); 7] = [
        (&["--as-of", "2024-07-15"], r#"{"months_in_station": 73, "applicant_type": "postdoc"}"#, "months_in_station: 73 is out of range"),
        (&["--as-of", "2024-07-15"], r#"{"applicant_type": 3}"#, "applicant_type: expected one of enterprise, postdoc, doctor"),
        (&["--as-of", "2024-07-15"], r#"{"nonsense": true}"#, "nonsense: unknown question"),
        (&["--as-of", "2024-07-15"], "{not json", "answers: not valid JSON"),
        (&["--as-of", "2024-07-15"], "[1, 2]", "answers: answers must be a JSON object"),
        (&["--as-of", "2024-02-30"], "{}", "--as-of: 2024-02 has no day 30"),
        (&["--as-of", "2023-12-31"], "{}", "no version is in force on 2023-12-31; the rule set is in force from 2024-01-01"),
    ];
    for (extra, stdin, want) in cases {
        let mut args = vec!["estimate", "--rules", BAOTOU, "--answers", "-", "--lang", "en"];
        args.extend_from_slice(extra);
        let out = run(&args, Some(stdin));
        assert_eq!(out.status.code(), Some(2), "{want}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.contains(want), "{err} should contain {want}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn check_reports_positions_and_exits_1() {
    let out = run(&["check", "tests/broken-rules/unknown-option.toml"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("tests/broken-rules/unknown-option.toml:48:17: 'postdc' is not an option of kind"), "{err}");
    let ok = run(&["check"], None);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8(ok.stdout).unwrap().contains("ok rules/baotou-rare-earth-zone"));
}

#[test]
fn test_command_counts_cases() {
    let out = run(&["test", BAOTOU], None);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    let last = text.lines().last().unwrap();
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 30, "{last}");
    assert!(last.ends_with("passed, 0 failed"), "{last}");
}

#[test]
fn compiled_bundle_gives_the_same_estimates_as_the_toml() {
    let dir = std::env::temp_dir().join(format!("subsidy-calc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("baotou.json");
    let out = run(&["compile", BAOTOU, "-o", bundle.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&bundle).unwrap();
    assert!(text.starts_with("{\"format\":\"subsidy-calc-bundle/1\""));
    for answers in [
        "{}",
        r#"{"applicant_type":"postdoc"}"#,
        r#"{"applicant_type":"postdoc","in_zone":true,"months_in_station":7,"school_age_children":2}"#,
        r#"{"applicant_type":"enterprise","in_zone":true,"workstation_status":"approved"}"#,
    ] {
        let a = estimate_json(BAOTOU, answers, "2024-07-15");
        let b = estimate_json(bundle.to_str().unwrap(), answers, "2024-07-15");
        assert_eq!(a, b, "{answers}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn diff_names_what_changed() {
    let out = run(&["diff", "tests/broken-sets/good-chain", "2019", "2022"], None);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(text.contains("in force: 2019-11-01 to 2022-08-09 → from 2022-08-10"), "{text}");
    let out = run(&["diff", "tests/rules/versions-by", "2020", "2022"], None);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("in force: 2020-01-01 to 2021-12-31 → 2022-01-01 to 2024-12-31"), "{text}");
    assert!(text.contains("table amounts (Grant by level): Level A (a) 1000.00 → 2000.00"), "{text}");
    assert!(!text.contains("Level B"), "an unchanged row is not listed: {text}");
    let out = run(&["diff", "rules/zibo", "2019", "2022"], None);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("program housing_subsidy: when degree = master, new_to_zibo = true: 80000.00 → 120000.00"), "{text}");
    assert!(
        text.contains("program junior_college_subsidy: when degree = junior_college, new_to_zibo = true: 10000.00 → 30000.00"),
        "{text}"
    );
    let out = run(&["diff", "tests/broken-sets/good-chain", "2019", "2030"], None);
    assert_eq!(out.status.code(), Some(2));
}

/// A fresh temporary folder for test `tag` with `in.csv` holding `text`: (folder, file).
fn temp_csv(tag: &str, text: impl AsRef<[u8]>) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("subsidy-calc-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("in.csv");
    std::fs::write(&csv, text).unwrap();
    (dir, csv)
}

#[test]
fn batch_keeps_every_row_and_puts_errors_in_their_column() {
    let (dir, csv) = temp_csv(
        "batch",
        "applicant_type,in_zone,workstation_status,workstation_approved_on,months_in_station,school_age_children\n\
         postdoc,true,,,24,1\n\
         enterprise,yes,approved,2024-03-01,,\n\
         postdoc,maybe,,,99,\n\
         postdoc,true,,,,\n\
         \"doctor\",\"true\",,,,0\n",
    );
    let out = dir.join("out.csv");
    let o = run(
        &[
            "batch",
            "--rules",
            BAOTOU,
            "--input",
            csv.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--as-of",
            "2024-07-15",
            "--summary",
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 6, "header + rows in = rows out");
    let head: Vec<&str> = rows[0].split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let cells = |i: usize| rows[i].split(',').map(String::from).collect::<Vec<_>>();
    assert_eq!(cells(1)[col("total")], "300000.00");
    assert_eq!(cells(1)[col("living_allowance_status")], "eligible");
    assert_eq!(cells(2)[col("station_setup_fund_amount")], "100000.00");
    assert!(rows[3].contains("in_zone: expected true or false"), "{}", rows[3]);
    assert_eq!(cells(4)[col("living_allowance_status")], "needs_info");
    assert_eq!(cells(4)[col("total_max")], "300000.00");
    assert_eq!(cells(5)[col("housing_support_status")], "eligible");
    // Every line of the summary. The row with an error is in no figure. 24 months at 12,500
    // for the first postdoc (150,000 in each year); 0 to the 24-month cap for the one whose
    // months are not given (0 to 150,000 in each year), which is also why 1 row has unanswered
    // questions; the setup fund once, in year 1, from the zone. The housing subsidy's amount
    // is not published: no sum holds it. In-kind support and services pay no cash.
    let summary = String::from_utf8(o.stdout).unwrap();
    assert_eq!(
        summary,
        "rows: 5 (errors: 1, with unanswered questions: 1)\n\
         rows with an error are left out of every figure below\n\
         \n\
         cash total: 400000.00 – 700000.00 CNY\n\
         \n\
         by program (eligible, needs info, cash):\n\
         \x20 housing_support: 3 eligible, 0 needs info, amount not published\n\
         \x20 living_allowance: 1 eligible, 1 needs info, 300000.00 – 600000.00 CNY\n\
         \x20 schooling_support: 1 eligible, 1 needs info, in kind, no cash amount\n\
         \x20 station_services: 0 eligible, 0 needs info, a service, no cash amount\n\
         \x20 station_setup_fund: 1 eligible, 0 needs info, 100000.00 CNY\n\
         \n\
         by payer (cash):\n\
         \x20 three_levels: 300000.00 – 600000.00 CNY\n\
         \x20 zone: 100000.00 CNY\n\
         \n\
         by year (cash):\n\
         \x20 year 1: 250000.00 – 400000.00 CNY\n\
         \x20 year 2: 150000.00 – 300000.00 CNY\n\
         \n\
         note: a – b: from the lowest to the highest the unanswered questions allow; the highest figures of different lines \
         need not come together, so they can add up to more than the highest cash total\n\
         note: not in any sum: the amounts of housing_support (not published)\n"
    );
    // JSONL: a line that is not JSON, one that is not UTF-8 (GBK) and one with more answers
    // than any version has questions are bad rows; the rows after them go on
    let jsonl = dir.join("in.jsonl");
    let row = b"{\"applicant_type\":\"postdoc\",\"in_zone\":true,\"months_in_station\":13}\n";
    let many: String = (0..1001).map(|i| format!("\"k{i}\":1")).collect::<Vec<_>>().join(",");
    let lines =
        [&row[..], b"not json\n", b"{\"applicant_type\":\"\xb2\xa9\xca\xbf\"}\n", format!("{{{many}}}\n").as_bytes(), &row[..]].concat();
    std::fs::write(&jsonl, lines).unwrap();
    let o = run(
        &["batch", "--rules", BAOTOU, "--input", jsonl.to_str().unwrap(), "--output", out.to_str().unwrap(), "--as-of", "2024-07-15"],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 6, "{text}");
    assert!(rows[1].starts_with("1,") && rows[1].contains(",162500.00,"));
    assert!(rows[2].starts_with("2,") && rows[2].contains("not valid JSON"));
    assert!(rows[3].starts_with("3,") && rows[3].ends_with(",not UTF-8 text (save the file as UTF-8)"), "{}", rows[3]);
    assert!(rows[4].starts_with("4,") && rows[4].contains("1001 answers; a rule set has at most 1000 questions"), "{}", rows[4]);
    assert!(rows[5].starts_with("5,") && rows[5].contains(",162500.00,"));
    std::fs::remove_dir_all(&dir).ok();
}

/// The batch path pays only the highest member of an exclusive group, and a row whose amount
/// still depends on an unanswered question gets the range, as `estimate` does.
#[test]
fn batch_applies_exclusive_groups_and_ranges() {
    let input = "rents,buys,area\ntrue,true,150\ntrue,true,50\ntrue,true,\n";
    let (text, _) = batch("batch-ex", "tests/rules/exclusive-group", "2024-06-01", input, &[]);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    let col = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
    let cell = |r: usize, name: &str| rows[r][col(name)];
    // 150 m²: the purchase subsidy (45,000) beats the rent subsidy (30,000).
    assert_eq!((cell(1, "rent_subsidy_status"), cell(1, "purchase_subsidy_amount")), ("not_eligible", "45000.00"));
    assert_eq!(cell(1, "total"), "50000.00");
    // 50 m²: the rent subsidy wins.
    assert_eq!((cell(2, "rent_subsidy_amount"), cell(2, "purchase_subsidy_status")), ("30000.00", "not_eligible"));
    assert_eq!(cell(2, "total"), "35000.00");
    // Area unknown: a range, no error.
    assert_eq!((cell(3, "total"), cell(3, "total_min"), cell(3, "total_max"), cell(3, "error")), ("", "35000.00", "65000.00", ""));
}

/// Runs `batch` on `input` (written to a fresh `in.csv`) with `rules` on `as_of`: (the output
/// file, what it printed). `extra`: more flags, such as `--summary`.
fn batch(tag: &str, rules: &str, as_of: &str, input: impl AsRef<[u8]>, extra: &[&str]) -> (String, String) {
    let (dir, csv) = temp_csv(tag, input);
    let out = dir.join("out.csv");
    let mut args = vec!["batch", "--rules", rules, "--input", csv.to_str().unwrap(), "--output", out.to_str().unwrap(), "--as-of", as_of];
    args.extend_from_slice(extra);
    let o = run(&args, None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    (text, String::from_utf8(o.stdout).unwrap())
}

/// Rows go to the workers in chunks of thousands: over several chunks and three workers, every
/// row comes out once, numbered and in its place (checked against each row's own months in
/// station, and the rows that are not UTF-8 text by their error), and the output and the
/// summary are those of one worker.
#[test]
fn batch_over_many_chunks_keeps_the_rows_in_order_whatever_the_workers() {
    let mut input = b"applicant_type,in_zone,months_in_station\n".to_vec();
    for i in 0..20_000u32 {
        match i % 1000 {
            // a line of spaces (skipped), then a row with too few cells (an error row)
            999 => input.extend_from_slice(b"   \npostdoc,true\n"),
            // a row saved as GBK (an error row)
            500 => input.extend_from_slice(b"postdoc,\xca\xc7,1\n"),
            _ => input.extend_from_slice(format!("postdoc,true,{}\n", i % 50).as_bytes()),
        }
    }
    let (one, sum_one) = batch("chunks-1", BAOTOU, "2024-07-15", &input, &["--summary", "--jobs", "1"]);
    let (three, sum_three) = batch("chunks-3", BAOTOU, "2024-07-15", &input, &["--summary", "--jobs", "3"]);
    assert_eq!(one, three);
    assert_eq!(sum_one, sum_three);
    assert!(sum_one.starts_with("rows: 20000 (errors: 40, "), "{sum_one}");
    let rows: Vec<&str> = one.lines().skip(1).collect();
    assert_eq!(rows.len(), 20_000);
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells[0], (i + 1).to_string());
        // the months in station, and the end of the row: the error cell
        let (months, end) = match i % 1000 {
            999 => (String::new(), ",\"2 cells, but the header has 3\""),
            500 => (String::new(), ",in_zone: not UTF-8 text (save the file as CSV UTF-8)"),
            _ => ((i % 50).to_string(), ","),
        };
        assert_eq!(cells[5], months, "row {}", i + 1);
        assert!(row.ends_with(end), "row {}: {row}", i + 1);
    }
}

/// `--jobs` takes a number of workers from 1 to 256: each worker is a thread with its own
/// stack, and thousands of them abort the process when the system runs out of mappings.
#[test]
fn batch_refuses_zero_workers_and_too_many() {
    for jobs in ["0", "257", "20000"] {
        let o = run(&["batch", "--rules", BAOTOU, "--input", "x.csv", "--output", "y.csv", "--jobs", jobs], None);
        assert_eq!(o.status.code(), Some(2), "--jobs {jobs}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--jobs") && err.contains("1..=256"), "--jobs {jobs}: {err}");
    }
}

/// `batch` with the Baotou rules as of 2024-07-15.
fn batch_baotou(tag: &str, input: &str, extra: &[&str]) -> (String, String) {
    batch(tag, BAOTOU, "2024-07-15", input, extra)
}

/// The header of every Baotou batch output.
const BAOTOU_HEAD: &str = "row,applicant_type,in_zone,workstation_status,workstation_approved_on,months_in_station,school_age_children,\
station_setup_fund_status,station_setup_fund_amount,station_setup_fund_min,station_setup_fund_max,\
station_services_status,station_services_amount,station_services_min,station_services_max,\
living_allowance_status,living_allowance_amount,living_allowance_min,living_allowance_max,\
housing_support_status,housing_support_amount,housing_support_min,housing_support_max,\
schooling_support_status,schooling_support_amount,schooling_support_min,schooling_support_max,\
total,total_min,total_max,error\n";

/// The output row of a postdoc in the zone, in station `months` (12,500 a month, at most 24),
/// school-age children not answered, given as `answers` (the row's answer cells).
fn postdoc_row(n: u32, answers: &str, amount: &str) -> String {
    format!(
        "{n},{answers},not_eligible,,0.00,0.00,not_eligible,,,,eligible,{amount},{amount},{amount},eligible,,,,needs_info,,,,{amount},{amount},{amount},\n"
    )
}

#[test]
fn batch_csv_reads_a_quoted_field_with_a_comma() {
    let (text, _) = batch_baotou(
        "csv-comma",
        "applicant_type,in_zone,months_in_station\n\"postdoc, in station\",true,24\n\"postdoc\",true,\"13\"\n",
        &[],
    );
    let want = format!(
        "{BAOTOU_HEAD}1,\"postdoc, in station\",true,,,24,,,,,,,,,,,,,,,,,,,,,,,,,\
         \"applicant_type: \"\"postdoc, in station\"\" is not an option; the options are enterprise, postdoc, doctor\"\n{}",
        postdoc_row(2, "postdoc,true,,,13,", "162500.00")
    );
    assert_eq!(text, want);
}

#[test]
fn batch_csv_reads_a_quoted_field_over_two_lines() {
    // Two rows with a line break inside a quoted cell, then a plain row: three rows out,
    // numbered 1 to 3, and the cells with a line break written back quoted.
    let (text, _) = batch_baotou(
        "csv-lines",
        "applicant_type,in_zone,months_in_station\n\"post\ndoc\",true,24\npostdoc,\"tr\nue\",13\npostdoc,true,13\n",
        &[],
    );
    let want = format!(
        "{BAOTOU_HEAD}1,\"post\ndoc\",true,,,24,,,,,,,,,,,,,,,,,,,,,,,,,\
         \"applicant_type: \"\"post\\ndoc\"\" is not an option; the options are enterprise, postdoc, doctor\"\n\
         2,postdoc,\"tr\nue\",,,13,,,,,,,,,,,,,,,,,,,,,,,,,\"in_zone: expected true or false, got the text \"\"tr\\nue\"\"\"\n{}",
        postdoc_row(3, "postdoc,true,,,13,", "162500.00")
    );
    assert_eq!(text, want);
}

#[test]
fn batch_csv_skips_a_bom_at_the_start() {
    // Excel's "CSV UTF-8" starts with a BOM; the first question id is read without it.
    let (text, _) = batch_baotou("csv-bom", "\u{feff}applicant_type,in_zone,months_in_station\npostdoc,true,24\n", &[]);
    assert_eq!(text, format!("{BAOTOU_HEAD}{}", postdoc_row(1, "postdoc,true,,,24,", "300000.00")));
    // Also before a quoted first id.
    let (text, _) = batch_baotou("csv-bom-quoted", "\u{feff}\"applicant_type\",in_zone,months_in_station\npostdoc,true,13\n", &[]);
    assert_eq!(text, format!("{BAOTOU_HEAD}{}", postdoc_row(1, "postdoc,true,,,13,", "162500.00")));
}

#[test]
fn batch_csv_reads_crlf_line_endings() {
    // CRLF throughout, a blank line skipped; the output is written with LF.
    let (text, _) =
        batch_baotou("csv-crlf", "applicant_type,in_zone,months_in_station\r\npostdoc,true,24\r\n\r\nenterprise,false,\r\n", &[]);
    let want = format!(
        "{BAOTOU_HEAD}{}2,enterprise,false,,,,,not_eligible,,0.00,0.00,not_eligible,,,,not_eligible,,0.00,0.00,\
         not_eligible,,,,not_eligible,,,,0.00,0.00,0.00,\n",
        postdoc_row(1, "postdoc,true,,,24,", "300000.00")
    );
    assert_eq!(text, want);
}

#[test]
fn batch_csv_puts_a_row_that_is_not_utf8_in_the_error_column() {
    // A cell saved as GBK (是): that row gets the error, the next row goes on.
    let input = b"applicant_type,in_zone,months_in_station\npostdoc,\xca\xc7,24\npostdoc,true,24\n";
    let (text, _) = batch("csv-gbk", BAOTOU, "2024-07-15", input, &[]);
    let want = format!(
        "{BAOTOU_HEAD}1,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,in_zone: not UTF-8 text (save the file as CSV UTF-8)\n{}",
        postdoc_row(2, "postdoc,true,,,24,", "300000.00")
    );
    assert_eq!(text, want);
}

/// The summary of two postdocs whose school-age children are not given (so the schooling
/// support needs information) but whose cash is exact: every line, the payer and year sums
/// included (they were left empty when any program of a row needed information).
#[test]
fn batch_summary_sums_exact_cash_of_rows_that_need_info() {
    let (_, summary) =
        batch_baotou("summary-postdocs", "applicant_type,in_zone,months_in_station\npostdoc,true,24\npostdoc,true,13\n", &["--summary"]);
    assert_eq!(
        summary,
        "rows: 2 (errors: 0, with unanswered questions: 2)\n\
         \n\
         cash total: 462500.00 CNY\n\
         \n\
         by program (eligible, needs info, cash):\n\
         \x20 housing_support: 2 eligible, 0 needs info, amount not published\n\
         \x20 living_allowance: 2 eligible, 0 needs info, 462500.00 CNY\n\
         \x20 schooling_support: 0 eligible, 2 needs info, in kind, no cash amount\n\
         \x20 station_services: 0 eligible, 0 needs info, a service, no cash amount\n\
         \x20 station_setup_fund: 0 eligible, 0 needs info, 0.00 CNY\n\
         \n\
         by payer (cash):\n\
         \x20 three_levels: 462500.00 CNY\n\
         \x20 zone: 0.00 CNY\n\
         \n\
         by year (cash):\n\
         \x20 year 1: 300000.00 CNY\n\
         \x20 year 2: 162500.00 CNY\n\
         \n\
         note: not in any sum: the amounts of housing_support (not published)\n"
    );
}

/// An applicant whose type is not given could be an enterprise (the zone's setup fund, in
/// year 1) or a postdoc (the three levels' allowance, over two years): each payer and year
/// gets its own lowest and highest, and the highs of the two payers (400,000) add up to more
/// than the highest the row can cost (300,000), as the note says.
#[test]
fn batch_summary_gives_each_payer_and_year_its_range() {
    let (_, summary) = batch_baotou("summary-unknown-type", "applicant_type,in_zone\n,true\n", &["--summary"]);
    assert_eq!(
        summary,
        "rows: 1 (errors: 0, with unanswered questions: 1)\n\
         \n\
         cash total: 0.00 – 300000.00 CNY\n\
         \n\
         by program (eligible, needs info, cash):\n\
         \x20 housing_support: 0 eligible, 1 needs info, amount not published\n\
         \x20 living_allowance: 0 eligible, 1 needs info, 0.00 – 300000.00 CNY\n\
         \x20 schooling_support: 0 eligible, 1 needs info, in kind, no cash amount\n\
         \x20 station_services: 0 eligible, 1 needs info, a service, no cash amount\n\
         \x20 station_setup_fund: 0 eligible, 1 needs info, 0.00 – 100000.00 CNY\n\
         \n\
         by payer (cash):\n\
         \x20 three_levels: 0.00 – 300000.00 CNY\n\
         \x20 zone: 0.00 – 100000.00 CNY\n\
         \n\
         by year (cash):\n\
         \x20 year 1: 0.00 – 150000.00 CNY\n\
         \x20 year 2: 0.00 – 150000.00 CNY\n\
         \n\
         note: a – b: from the lowest to the highest the unanswered questions allow; the highest figures of different lines \
         need not come together, so they can add up to more than the highest cash total\n\
         note: not in any sum: the amounts of housing_support (not published)\n"
    );
}

/// Runs `batch --summary` on `input` with the test rule set `rules` as of 2024-06-01: what it
/// printed.
fn summary_of(tag: &str, rules: &str, input: &str) -> String {
    batch(tag, rules, "2024-06-01", input, &["--summary"]).1
}

/// Exclusive groups in the payer and year sums: one subsidy of the group per row, the highest
/// (rows 1 and 2: 45,000 and 30,000, each with the 5,000 bonus); with the area unknown, 30,000
/// to 60,000 (the rent subsidy, or the purchase subsidy at its 200 m² cap), not both: each of
/// the two needs information in that row (the rent subsidy gives way when the purchase subsidy
/// is higher). The area runs to 1,000 m², too many values to try each: the note says the range
/// is from sample values.
#[test]
fn batch_summary_pays_one_member_of_an_exclusive_group() {
    let summary =
        summary_of("summary-exclusive", "tests/rules/exclusive-group", "rents,buys,area\ntrue,true,150\ntrue,true,50\ntrue,true,\n");
    assert_eq!(
        summary,
        "rows: 3 (errors: 0, with unanswered questions: 1)\n\
         \n\
         cash total: 120000.00 – 150000.00 CNY\n\
         \n\
         by program (eligible, needs info, cash):\n\
         \x20 purchase_subsidy: 1 eligible, 1 needs info, 45000.00 – 105000.00 CNY\n\
         \x20 rent_subsidy: 1 eligible, 1 needs info, 30000.00 – 60000.00 CNY\n\
         \x20 settling_bonus: 3 eligible, 0 needs info, 15000.00 CNY\n\
         \n\
         by payer (cash):\n\
         \x20 test: 120000.00 – 150000.00 CNY\n\
         \n\
         by year (cash):\n\
         \x20 year 1: 120000.00 – 150000.00 CNY\n\
         \n\
         note: a – b: from the lowest to the highest the unanswered questions allow; the highest figures of different lines \
         need not come together, so they can add up to more than the highest cash total\n\
         note: in 1 of the rows the ranges come from sample values of an unanswered question (too many values to try each)\n"
    );
}

/// tests/rules/money-half-up with `from` replaced by `to`, in a fresh folder named by its id:
/// (the folder to remove, the rule set).
fn changed_money_rules(tag: &str, from: &str, to: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("subsidy-calc-{tag}-{}", std::process::id()));
    let set = dir.join("money-half-up");
    std::fs::create_dir_all(&set).unwrap();
    let text = std::fs::read_to_string("tests/rules/money-half-up/2024.toml").unwrap();
    assert!(text.contains(from));
    std::fs::write(set.join("2024.toml"), text.replace(from, to)).unwrap();
    (dir, set.to_str().unwrap().to_string())
}

/// Sums beyond the largest decimal stop there, and the summary says so.
#[test]
fn batch_summary_notes_a_sum_beyond_the_largest_decimal() {
    let (dir, rules) = changed_money_rules("summary-overflow", "formula = \"0.1 + 0.2\"", "formula = \"9000000000000000000000000000 * 7\"");
    let summary = summary_of("summary-overflow-in", &rules, "base\n1\n2\n");
    assert_eq!(
        summary,
        "rows: 2 (errors: 0, with unanswered questions: 0)\n\
         \n\
         cash total: 63000000000000000000000000001 CNY\n\
         \n\
         by program (eligible, needs info, cash):\n\
         \x20 point_one_plus_point_two: 2 eligible, 0 needs info, 63000000000000000000000000000 CNY\n\
         \x20 rounded_base: 2 eligible, 0 needs info, 3.00 CNY\n\
         \x20 third: 2 eligible, 0 needs info, 1.00 CNY\n\
         \n\
         by payer (cash):\n\
         \x20 test: 63000000000000000000000000001 CNY\n\
         \n\
         by year (cash):\n\
         \x20 year 1: 63000000000000000000000000001 CNY\n\
         \n\
         note: a sum went beyond the largest decimal (about 7.9e28) and stopped there; the sums above are too small\n"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A schedule that does not add up to the amount (a rule-file error): such a row cannot be
/// estimated (as `estimate` refuses the same answers), so it is an error row, with the reason
/// in its error column, and the summary leaves it out and says so.
#[test]
fn batch_rows_whose_schedule_does_not_add_up_are_errors() {
    let (dir, rules) = changed_money_rules(
        "summary-schedule",
        "formula = \"0.1 + 0.2\"\nsource = \"golden\"\n",
        "formula = \"0.1 + 0.2\"\nsource = \"golden\"\n\
         [[programs.schedule]]\nyear = 1\npayer = \"test\"\namount = \"0.1\"\nsource = \"golden\"\n\
         [[programs.schedule]]\nyear = 2\npayer = \"test\"\namount = \"0.1\"\nsource = \"golden\"\n",
    );
    let summary = summary_of("summary-schedule-in", &rules, "base\n1\n2\n");
    assert_eq!(
        summary,
        "rows: 2 (errors: 2, with unanswered questions: 0)\n\
         rows with an error are left out of every figure below\n\
         \n\
         cash total: 0.00 CNY\n\
         \n\
         by program (eligible, needs info, cash):\n\
         \x20 point_one_plus_point_two: 0 eligible, 0 needs info, 0.00 CNY\n\
         \x20 rounded_base: 0 eligible, 0 needs info, 0.00 CNY\n\
         \x20 third: 0 eligible, 0 needs info, 0.00 CNY\n\
         \n\
         by payer (cash):\n\
         \x20 test: 0.00 CNY\n\
         \n\
         by year (cash):\n\
         \x20 year 1: 0.00 CNY\n"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A rule set whose only program is a service: no cash line has anything to show, and says so.
#[test]
fn batch_summary_of_rules_without_cash() {
    let text = std::fs::read_to_string("tests/rules/money-half-up/2024.toml").unwrap();
    let head = &text[..text.find("[[programs]]").unwrap()];
    let service = "[[programs]]\nid = \"advice\"\nname = { zh-CN = \"咨询\", en = \"Advice\" }\nkind = \"service\"\npayers = [\"test\"]\n\
                   source = \"golden\"\n";
    let (dir, rules) = changed_money_rules("summary-no-cash", &text, &format!("{head}{service}"));
    let summary = summary_of("summary-no-cash-in", &rules, "base\n1\n");
    assert_eq!(
        summary,
        "rows: 1 (errors: 0, with unanswered questions: 0)\n\
         \n\
         cash total: 0.00 CNY\n\
         \n\
         by program (eligible, needs info, cash):\n\
         \x20 advice: 1 eligible, 0 needs info, a service, no cash amount\n\
         \n\
         by payer (cash):\n\
         \x20 none: no program pays cash\n\
         \n\
         by year (cash):\n\
         \x20 none: no program pays cash\n"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// In a file of one column, `""` is a row with an empty cell (the question not answered),
/// while a line of spaces is blank and skipped.
#[test]
fn batch_csv_reads_a_quoted_empty_cell_as_a_row() {
    let (text, _) = batch("csv-empty-cell", "tests/rules/money-half-up", "2024-06-01", "base\n10.005\n   \n\"\"\n", &[]);
    assert_eq!(
        text,
        "row,base,point_one_plus_point_two_status,point_one_plus_point_two_amount,point_one_plus_point_two_min,point_one_plus_point_two_max,\
         rounded_base_status,rounded_base_amount,rounded_base_min,rounded_base_max,third_status,third_amount,third_min,third_max,\
         total,total_min,total_max,error\n\
         1,10.005,eligible,0.30,0.30,0.30,eligible,10.01,10.01,10.01,eligible,3.34,3.34,3.34,13.65,13.65,13.65,\n\
         2,,eligible,0.30,0.30,0.30,needs_info,,0.00,1000000.00,needs_info,,0.00,333333.33,,0.30,1333333.63,\n"
    );
}

/// The zh-CN text report: each status word (符合 / 不符合 / 待补充信息) on its program's line,
/// the range of a program whose amount depends on an unanswered question (the allowance of a
/// postdoc whose months are not given), the unpublished amount and what is still to answer.
#[test]
fn zh_cn_text_report_lines() {
    let answers = r#"{"applicant_type":"postdoc","in_zone":true,"school_age_children":1}"#;
    let out = run(
        &["estimate", "--rules", BAOTOU, "--as-of", "2024-07-15", "--answers", "-", "--format", "text", "--lang", "zh-CN"],
        Some(answers),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "包头稀土高新区博士后工作站及人才支持 — 版本 2024 (估算日期 2024-07-15)",
            "现金合计（范围）: 0.00 – 300,000.00 CNY",
            "下一个可缩小范围的问题: 在站月数（已在站或预计在站）",
        ],
        "{text}"
    );
    let programs: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with('■')).collect();
    assert_eq!(
        programs,
        [
            "■ 新设博士后工作站一次性设站支持经费 [不符合]",
            "■ 设站全程服务 [不符合]",
            "■ 在站博士后生活补贴 [待补充信息]: 0.00 – 300,000.00 CNY",
            "■ 住房补贴 [符合]: 金额未公布",
            "■ 子女入学支持 [符合]",
        ],
        "{text}"
    );
    for line in [
        "  ✗ 申请主体为设站企业 [seed-setup-fund]",
        "  – 博士后科研工作站已获批设立 [seed-setup-fund]",
        "  ? 已在站（或预计在站）至少 1 个月 [seed-living]",
        "  尚需回答: 在站月数（已在站或预计在站）",
        "  ✓ 有随迁学龄子女 [seed-life]",
    ] {
        assert!(lines.contains(&line), "{line:?} in\n{text}");
    }
    assert_eq!(lines.last(), Some(&"本结果为依据公开政策的估算，不是审批决定。"), "{text}");
}

/// Where an answer picks the version (Zibo, by the day work started), each row is estimated
/// under its own version and the summary gives the cash by version, the undecided rows apart.
#[test]
fn batch_summary_totals_by_version_when_an_answer_picks_it() {
    let summary = summary_of(
        "summary-zibo",
        "rules/zibo",
        "degree,new_to_zibo,started_on\nmaster,true,2021-05-01\nmaster,true,2023-01-01\nbachelor,true,\n",
    );
    let by_version = summary.split("by version (rows, cash):\n").nth(1).unwrap_or("");
    assert!(
        by_version.starts_with(
            "  version 2019: 1 rows, 80000.00 CNY\n  version 2022: 1 rows, 120000.00 CNY\n  \
             not decided (the answer that picks the version is missing): 1 rows, 0.00 – 80000.00 CNY\n"
        ),
        "{summary}"
    );
    assert!(summary.contains("housing_subsidy: 2 eligible, 1 needs info, 200000.00 – 280000.00 CNY"), "{summary}");
}

#[test]
fn changes_in_json_and_in_words() {
    let answers = r#"{"applicant_type":"enterprise","in_zone":true,"workstation_status":"planning"}"#;
    let base = ["estimate", "--rules", "rules/baotou-rare-earth-zone", "--as-of", "2024-07-15", "--answers", "-"];
    // without --changes the contract has no changes key
    let out = run(&base, Some(answers));
    assert!(out.status.success());
    assert!(!String::from_utf8(out.stdout).unwrap().contains("\"changes\""));
    let out = run(&[&base[..], &["--changes", "--lang", "en"]].concat(), Some(answers));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fund = json["programs"].as_array().unwrap().iter().find(|p| p["id"] == "station_setup_fund").unwrap();
    assert_eq!(
        fund["changes"],
        serde_json::json!([{
            "set": [
                {"question": "workstation_status", "label": "Your postdoctoral workstation", "value_label": "Approved", "value": "approved"},
                {"question": "workstation_approved_on", "label": "Date the workstation was approved", "min": "2024-01-01", "max": "2024-07-15"}
            ],
            "status": "eligible",
            "amount": "100000.00"
        }])
    );
    let out = run(&[&base[..], &["--changes", "--lang", "en", "--format", "text"]].concat(), Some(answers));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "  How to qualify:\n  → If Your postdoctoral workstation = Approved, and Date the workstation was approved from 2024-01-01 to 2024-07-15: 100,000.00 CNY"
        ),
        "{text}"
    );
}
