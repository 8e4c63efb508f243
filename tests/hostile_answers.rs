#![cfg(not(target_arch = "wasm32"))]
//! Hostile answers through the CLI: each gets exit 2 and one line naming the field (or, when
//! the text is not JSON at all, naming `answers` and the position) — never a crash, never a
//! silent success.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Stdio};

fn estimate(rules: &str, answers: &str) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_subsidy-calc"))
        .args(["estimate", "--rules", rules, "--as-of", "2024-07-15", "--answers", "-", "--lang", "en"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = answers.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

const BAOTOU: &str = "rules/baotou-rare-earth-zone";
const MONEY: &str = "tests/rules/money-half-up";

#[test]
fn hostile_answers_are_refused_with_the_field_named() {
    let big = "x".repeat(10 * 1024 * 1024);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let cases: Vec<(&str, String, &str)> = vec![
        (BAOTOU, r#"{"in_zone":"yes"}"#.into(), "in_zone: expected true or false"),
        (BAOTOU, r#"{"in_zone":1}"#.into(), "in_zone: expected true or false"),
        (BAOTOU, r#"{"applicant_type":["postdoc"]}"#.into(), "applicant_type: expected one of"),
        (
            BAOTOU,
            r#"{"applicant_type":"postdoc","months_in_station":1e400}"#.into(),
            "months_in_station: expected a whole number, got a value that cannot be read (number out of range)",
        ),
        (BAOTOU, r#"{"applicant_type":"postdoc","months_in_station":-1e400}"#.into(), "months_in_station:"),
        (
            BAOTOU,
            r#"{"applicant_type":"postdoc","months_in_station":123456789012345678901234567890}"#.into(),
            "months_in_station: expected a whole number",
        ),
        (
            BAOTOU,
            r#"{"applicant_type":"postdoc","months_in_station":9007199254740993}"#.into(),
            "months_in_station: 9007199254740993 is out of range",
        ),
        (BAOTOU, r#"{"applicant_type":"postdoc","months_in_station":24.0000001}"#.into(), "months_in_station: expected a whole number"),
        (BAOTOU, r#"{"applicant_type":"postdoc","months_in_station":NaN}"#.into(), "answers: not valid JSON"),
        (BAOTOU, r#"{"applicant_type":"postdoc","months_in_station":Infinity}"#.into(), "answers: not valid JSON"),
        (BAOTOU, format!(r#"{{"applicant_type":"{big}"}}"#), "applicant_type: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\" is not an option"),
        (BAOTOU, format!(r#"{{"{big}":true}}"#), "unknown question"),
        (
            BAOTOU,
            format!(r#"{{"in_zone":{deep}}}"#),
            "in_zone: expected true or false, got a value that cannot be read (recursion limit exceeded)",
        ),
        (BAOTOU, deep.clone(), "answers: "),
        (BAOTOU, r#"{"__proto__":{"in_zone":true}}"#.into(), "__proto__: unknown question"),
        (BAOTOU, r#"{"constructor":{"prototype":{}}}"#.into(), "constructor: unknown question"),
        (BAOTOU, r#"{"toString":"x"}"#.into(), "toString: unknown question"),
        (BAOTOU, r#"{"in_zone":true,"in_zone":false}"#.into(), "in_zone: answered twice"),
        (
            BAOTOU,
            r#"{"applicant_type":"enterprise","workstation_status":"approved","workstation_approved_on":"2024-02-30"}"#.into(),
            "workstation_approved_on: 2024-02 has no day 30",
        ),
        (
            BAOTOU,
            r#"{"applicant_type":"enterprise","workstation_status":"approved","workstation_approved_on":"2023-02-29"}"#.into(),
            "workstation_approved_on: 2023-02 has no day 29",
        ),
        (
            BAOTOU,
            r#"{"applicant_type":"enterprise","workstation_status":"approved","workstation_approved_on":"2024-3-1"}"#.into(),
            "workstation_approved_on:",
        ),
        (
            BAOTOU,
            r#"{"applicant_type":"enterprise","workstation_status":"approved","workstation_approved_on":20240301}"#.into(),
            "workstation_approved_on: expected a date",
        ),
        (BAOTOU, "".into(), "answers: not valid JSON"),
        (BAOTOU, "\u{feff}{}".into(), "answers: not valid JSON"),
        (BAOTOU, r#"{"in_zone":true} {"in_zone":false}"#.into(), "answers: not valid JSON: trailing characters"),
        (
            MONEY,
            r#"{"base":"1.00000000000000000000000000001"}"#.into(),
            "base: \"1.00000000000000000000000000001\" has more than 28 digits",
        ),
        (MONEY, r#"{"base":"79228162514264337593543950336"}"#.into(), "base:"),
        (MONEY, r#"{"base":0.1}"#.into(), "base: expected a decimal written as a string"),
        (MONEY, r#"{"base":"-0.01"}"#.into(), "base: -0.01 is out of range"),
        (MONEY, r#"{"base":"1,000.00"}"#.into(), "base: \"1,000.00\" is not a decimal number"),
        (MONEY, r#"{"base":" 1"}"#.into(), "base:"),
        (MONEY, r#"{"base":"NaN"}"#.into(), "base:"),
    ];
    let n = cases.len();
    for (rules, input, want) in cases {
        let (code, out, err) = estimate(rules, &input);
        let shown: String = input.chars().take(80).collect();
        assert_eq!(code, Some(2), "{shown}: exit 2 (stderr {err})");
        assert!(out.is_empty(), "{shown}: nothing on stdout");
        assert_eq!(err.lines().count(), 1, "{shown}: one line: {}", err.chars().take(300).collect::<String>());
        assert!(err.len() < 2_000, "{shown}: the message stays short even for huge input");
        assert!(err.contains(want), "{shown}: {err} should contain {want}");
    }
    assert!(n >= 30, "{n} hostile answers");
}

#[test]
fn harmless_oddities_are_accepted() {
    for (rules, input, total) in [
        (BAOTOU, r#"{"applicant_type":"postdoc","in_zone":true,"months_in_station":-0}"#, "0.00"),
        (BAOTOU, r#"{"applicant_type":"postdoc","in_zone":true,"months_in_station":24.0}"#, "300000.00"),
        (BAOTOU, r#"{"applicant_type":"postdoc","in_zone":true,"months_in_station":"24"}"#, "300000.00"),
        (BAOTOU, r#"{"applicant_type":"postdoc","in_zone":true,"months_in_station":24,"school_age_children":null}"#, "300000.00"),
        (MONEY, r#"{"base":"-0"}"#, "0.30"),
        (MONEY, r#"{"base":"1.005"}"#, "1.65"),
    ] {
        let (code, out, err) = estimate(rules, input);
        assert_eq!(code, Some(0), "{input}: {err}");
        let e: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(e["total"], total, "{input}");
    }
}
