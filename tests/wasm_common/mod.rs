//! Boundary tests shared by the Node and the Chromium runs: the JS API as a page calls it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use js_sys::{Array, Object, Reflect, JSON};
use subsidy_calc::wasm_api::Calculator;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

const BAOTOU: &str = include_str!("../../www/rules/baotou-rare-earth-zone.json");
const ZIBO: &str = include_str!("../../www/rules/zibo.json");

fn obj(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |acc, k| match k.parse::<u32>() {
        Ok(i) if Array::is_array(&acc) => Array::from(&acc).get(i),
        _ => Reflect::get(&acc, &JsValue::from_str(k)).unwrap(),
    })
}

fn s(v: &JsValue, path: &str) -> String {
    get(v, path).as_string().unwrap_or_else(|| format!("<{:?}>", get(v, path)))
}

fn opts(lang: &str) -> JsValue {
    obj(&format!("{{\"lang\":\"{lang}\"}}"))
}

#[wasm_bindgen_test]
fn postdoc_24_months_gets_300000_as_decimal_strings() {
    let calc = Calculator::from_json(JsValue::from(BAOTOU)).unwrap();
    let e = calc
        .estimate(obj(r#"{"applicant_type":"postdoc","in_zone":true,"months_in_station":24}"#), JsValue::from("2024-07-15"), opts("en"))
        .unwrap();
    assert_eq!(s(&e, "total"), "300000.00");
    let programs = Array::from(&get(&e, "programs"));
    let living = programs.iter().find(|p| s(p, "id") == "living_allowance").unwrap();
    assert_eq!((s(&living, "status"), s(&living, "amount")), ("eligible".to_string(), "300000.00".to_string()));
    assert_eq!(s(&living, "schedule.1.amount"), "150000.00");
    assert_eq!(get(&living, "schedule.1.year").as_f64(), Some(2.0));
    // the texts shared between estimates are frozen; the estimate itself is not
    assert!(Object::is_frozen(&get(&living, "sources").into()));
    assert!(!Object::is_frozen(&living.clone().into()));
    // A plain object, not a Map or a class instance.
    assert!(Object::get_prototype_of(&e) == Object::get_prototype_of(&Object::new()));
}

#[wasm_bindgen_test]
fn enterprise_gets_100000_in_chinese() {
    let calc = Calculator::from_json(JsValue::from(BAOTOU)).unwrap();
    let a = r#"{"applicant_type":"enterprise","in_zone":true,"workstation_status":"approved","workstation_approved_on":"2024-03-01"}"#;
    let e = calc.estimate(obj(a), JsValue::from("2024-07-15"), JsValue::UNDEFINED).unwrap();
    assert_eq!(s(&e, "total"), "100000.00");
    assert_eq!(s(&e, "lang"), "zh-CN");
    assert_eq!(s(&e, "programs.0.name"), "新设博士后工作站一次性设站支持经费");
}

#[wasm_bindgen_test]
fn bad_answers_are_structured_errors_naming_each_field() {
    let calc = Calculator::from_json(JsValue::from(BAOTOU)).unwrap();
    let bad = obj(r#"{"applicant_type":"student","months_in_station":"lots","in_zone":true}"#);
    let err = calc.estimate(bad.clone(), JsValue::from("2024-07-15"), JsValue::UNDEFINED).unwrap_err();
    assert_eq!(s(&err, "kind"), "answer");
    assert_eq!(s(&err, "field"), "applicant_type");
    assert_eq!(s(&err, "errors.1.field"), "months_in_station");
    // The lenient call keeps the good answers and lists the bad ones.
    let ev = calc.evaluate(bad, JsValue::from("2024-07-15"), opts("en")).unwrap();
    assert_eq!(Array::from(&get(&ev, "errors")).length(), 2);
    assert_eq!(s(&ev, "estimate.programs.3.id"), "housing_support");
    // The calculator is still alive after errors.
    assert!(calc.estimate(obj("{}"), JsValue::from("2024-07-15"), JsValue::UNDEFINED).is_ok());
}

#[wasm_bindgen_test]
fn hostile_values_are_rejected_not_coerced() {
    let calc = Calculator::from_json(JsValue::from(BAOTOU)).unwrap();
    for (json, field) in [
        (r#"{"applicant_type":"postdoc","months_in_station":1e400}"#, "months_in_station"),
        (r#"{"applicant_type":"postdoc","months_in_station":[24]}"#, "months_in_station"),
        (r#"{"in_zone":"true"}"#, "in_zone"),
        (r#"{"__proto__":{"x":1}}"#, "__proto__"),
        (r#"{"constructor":1}"#, "constructor"),
    ] {
        let err = calc.estimate(obj(json), JsValue::from("2024-07-15"), JsValue::UNDEFINED).unwrap_err();
        assert_eq!(s(&err, "kind"), "answer", "{json}");
        assert_eq!(s(&err, "field"), field, "{json}");
    }
    let nan = Object::new();
    Reflect::set(&nan, &"months_in_station".into(), &JsValue::from_f64(f64::NAN)).unwrap();
    Reflect::set(&nan, &"applicant_type".into(), &"postdoc".into()).unwrap();
    let err = calc.estimate(nan.into(), JsValue::from("2024-07-15"), JsValue::UNDEFINED).unwrap_err();
    assert!(s(&err, "message").contains("NaN"));
    let err = calc.estimate(obj("[1,2]"), JsValue::from("2024-07-15"), JsValue::UNDEFINED).unwrap_err();
    assert_eq!(s(&err, "field"), "answers");
    let err = calc.estimate(obj("{}"), JsValue::from("2024-02-30"), JsValue::UNDEFINED).unwrap_err();
    assert_eq!(s(&err, "field"), "asOf");
}

#[wasm_bindgen_test]
fn questions_follow_earlier_answers() {
    let calc = Calculator::from_json(JsValue::from(BAOTOU)).unwrap();
    let ids = |answers: &str| -> Vec<String> {
        let q = calc.questions(JsValue::from("en"), obj(answers), JsValue::from("2024-07-15"), JsValue::UNDEFINED).unwrap();
        Array::from(&q).iter().map(|x| s(&x, "id")).collect()
    };
    assert_eq!(ids("{}"), ["applicant_type", "in_zone"]);
    assert_eq!(ids(r#"{"applicant_type":"enterprise"}"#), ["applicant_type", "in_zone", "workstation_status"]);
    assert_eq!(
        ids(r#"{"applicant_type":"enterprise","workstation_status":"approved"}"#),
        ["applicant_type", "in_zone", "workstation_status", "workstation_approved_on"]
    );
    assert_eq!(ids(r#"{"applicant_type":"postdoc"}"#), ["applicant_type", "in_zone", "months_in_station", "school_age_children"]);
    let q = calc
        .questions(JsValue::from("zh-CN"), obj(r#"{"applicant_type":"postdoc"}"#), JsValue::from("2024-07-15"), JsValue::UNDEFINED)
        .unwrap();
    assert_eq!(s(&q, "2.unit"), "个月");
    assert_eq!(s(&q, "2.max"), "72");
}

#[wasm_bindgen_test]
fn versions_are_picked_by_date_and_can_be_pinned() {
    let calc = Calculator::from_json(JsValue::from(ZIBO)).unwrap();
    let v = calc.versions();
    assert_eq!(s(&v, "0.version"), "2019");
    assert_eq!(s(&v, "0.effective_to"), "2022-08-10");
    // the version in force on the day the person started work in Zibo (versions_by)
    let a = r#"{"degree":"master","new_to_zibo":true,"started_on":"2022-08-09"}"#;
    let b = r#"{"degree":"master","new_to_zibo":true,"started_on":"2022-08-10"}"#;
    let before = calc.estimate(obj(a), JsValue::from("2022-08-09"), JsValue::UNDEFINED).unwrap();
    let after = calc.estimate(obj(b), JsValue::from("2022-08-10"), JsValue::UNDEFINED).unwrap();
    assert_eq!(s(&before, "total"), "80000.00");
    assert_eq!(s(&after, "total"), "120000.00");
    let still_2019 = calc.estimate(obj(a), JsValue::from("2024-01-01"), JsValue::UNDEFINED).unwrap();
    assert_eq!((s(&still_2019, "version"), s(&still_2019, "total")), ("2019".to_string(), "80000.00".to_string()));
    let unknown = calc.estimate(obj(r#"{"degree":"master","new_to_zibo":true}"#), JsValue::from("2024-01-01"), JsValue::UNDEFINED).unwrap();
    assert!(get(&unknown, "version").is_null());
    assert_eq!(s(&unknown, "version_candidates.1"), "2022");
    let pinned = calc.estimate(obj(a), JsValue::from("2024-01-01"), obj(r#"{"version":"2019"}"#)).unwrap();
    assert_eq!(s(&pinned, "version"), "2019");
    let err = calc.estimate(obj(a), JsValue::from("2019-10-31"), JsValue::UNDEFINED).unwrap_err();
    assert_eq!(s(&err, "kind"), "no_version");
}

#[wasm_bindgen_test]
fn broken_bundles_are_structured_errors() {
    let err = Calculator::from_json(JsValue::from("{\"format\":")).err().unwrap();
    assert_eq!(s(&err, "kind"), "rules");
    assert_eq!(get(&err, "line").as_f64(), Some(1.0));
    let tampered = BAOTOU.replacen("\"formula\":\"100000.00\"", "\"formula\":\"100000.00 + in_zone\"", 1);
    let err = Calculator::from_json(JsValue::from(&tampered)).err().unwrap();
    assert_eq!(s(&err, "kind"), "rules");
    assert!(s(&err, "field").ends_with("amount.formula"), "{}", s(&err, "field"));
}
