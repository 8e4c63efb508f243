//! The browser boundary — the only `#[wasm_bindgen]` file. It converts JS values to the core's
//! types and back and forwards every call; no rule logic lives here.
//!
//! Money crosses as decimal strings; errors cross as plain objects
//! `{ kind, message, field?, file?, line?, column? }`.

use crate::answers::{Answers, Raw};
#[cfg(feature = "figures")]
use crate::compact::compact_figures;
use crate::compact::{compact, skeleton_json, Compact};
use crate::error::{EstimateError, RuleErrors};
use crate::estimate::{estimate_version, pick, Estimate};
use crate::json::{Obj, ToJson};
use crate::rules::{Bound, Lang, QType, RuleSet, Version};
use crate::{load_bundle, Date};
use js_sys::{Array, Object, Reflect};
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;

/// A structured error for JS.
struct JsError {
    kind: &'static str,
    message: String,
    field: Option<String>,
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    errors: Vec<FieldError>,
}

impl JsError {
    /// An estimate error without its per-field list (used where fields are listed apart).
    fn of(e: &EstimateError) -> JsError {
        JsError { kind: e.kind(), message: e.to_string(), field: None, file: None, line: None, column: None, errors: Vec::new() }
    }
}

struct FieldError {
    field: String,
    message: String,
}

/// A value as a JS object: serialized to JSON here, parsed by the browser's `JSON.parse`
/// (smaller than building the object through the boundary field by field, and as fast).
fn to_js(v: &(impl ToJson + ?Sized)) -> JsValue {
    js_sys::JSON::parse(&crate::json::to_string(v)).unwrap_or_else(|e| e)
}

impl ToJson for JsError {
    fn json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("kind", self.kind).field("message", &self.message).some("field", &self.field).some("file", &self.file);
        o.some("line", &self.line).some("column", &self.column);
        if !self.errors.is_empty() {
            o.field("errors", &self.errors);
        }
        o.end();
    }
}

impl ToJson for FieldError {
    fn json(&self, out: &mut String) {
        Obj::new(out).field("field", &self.field).field("message", &self.message).end();
    }
}

fn plain(kind: &'static str, message: String, field: Option<String>) -> JsValue {
    to_js(&JsError { kind, message, field, file: None, line: None, column: None, errors: Vec::new() })
}

fn rule_error(e: &RuleErrors) -> JsValue {
    let first = e.0.first();
    to_js(&JsError {
        kind: "rules",
        message: e.to_string(),
        field: first.map(|x| x.field.clone()).filter(|f| !f.is_empty()),
        file: first.map(|x| x.file.clone()),
        line: first.and_then(|x| x.line),
        column: first.and_then(|x| x.column),
        errors: Vec::new(),
    })
}

fn estimate_error(e: &EstimateError) -> JsValue {
    let errors = match e {
        EstimateError::Answers(v) => v.iter().map(|x| FieldError { field: x.field.clone(), message: x.message.clone() }).collect(),
        _ => Vec::new(),
    };
    to_js(&JsError {
        kind: e.kind(),
        message: e.to_string(),
        field: e.field().map(String::from),
        file: None,
        line: None,
        column: None,
        errors,
    })
}

/// Reads JS answers without trusting their shape: only own enumerable keys, each value
/// classified by its JS type. Nothing is coerced.
fn raw_answers(answers: &JsValue) -> Result<Vec<(String, Raw)>, JsValue> {
    if answers.is_null() || answers.is_undefined() {
        return Ok(Vec::new());
    }
    if !answers.is_object() || Array::is_array(answers) {
        return Err(plain("answer", "answers must be an object {question_id: value}".into(), Some("answers".into())));
    }
    let obj: &Object = answers.unchecked_ref();
    let entries = Object::entries(obj);
    let n = entries.length();
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let raw = match value_kind(&entries, i) {
            0 => Raw::Null,
            1 => Raw::Bool(false),
            2 => Raw::Bool(true),
            3 => {
                let f = number_at(&entries, i);
                if f.is_finite() && f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_991.0 {
                    Raw::Int(f as i64)
                } else {
                    Raw::Float(f)
                }
            }
            4 => Raw::Str(text_at(&entries, i)),
            5 => Raw::Other("an array"),
            _ => Raw::Other("an object"),
        };
        out.push((key_at(&entries, i), raw));
    }
    Ok(out)
}

fn parse_lang(lang: Option<String>) -> Result<Lang, JsValue> {
    match lang.as_deref() {
        None | Some("") => Ok(Lang::Zh),
        Some(l) => Lang::parse(l)
            .ok_or_else(|| plain("input", format!("unknown language {}; use zh-CN or en", crate::error::quoted(l)), Some("lang".into()))),
    }
}

fn parse_date(as_of: Option<String>) -> Result<Date, JsValue> {
    match as_of.as_deref() {
        None | Some("") => Ok(today()),
        Some(s) => Date::parse(s).map_err(|m| plain("input", format!("asOf: {m}"), Some("asOf".into()))),
    }
}

fn today() -> Date {
    let d = js_sys::Date::new_0();
    Date::from_ymd(d.get_full_year() as i32, d.get_month() + 1, d.get_date()).unwrap_or_else(|_| Date::today())
}

/// Options of `estimate` and `evaluate`: `{ lang?: "zh-CN" | "en", version?: string }`.
fn options(opts: &JsValue) -> Result<(Lang, Option<String>), JsValue> {
    if opts.is_null() || opts.is_undefined() {
        return Ok((Lang::Zh, None));
    }
    let opts: &Options = opts.unchecked_ref();
    let get = |v: Result<JsValue, JsValue>| v.ok().and_then(|v| v.as_string());
    Ok((parse_lang(get(opts.lang()))?, get(opts.version()).filter(|v| !v.is_empty())))
}

#[wasm_bindgen]
extern "C" {
    /// The options object of `estimate` and `evaluate`, read as `Reflect.get` reads it.
    type Options;
    #[wasm_bindgen(method, getter, catch)]
    fn lang(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn version(this: &Options) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(module = "/src/hydrate.js")]
extern "C" {
    #[wasm_bindgen(js_name = parseSkeleton)]
    fn parse_skeleton(json: &str) -> JsValue;
    fn hydrate(skeleton: &JsValue, compact: &str) -> JsValue;
    #[cfg(feature = "figures")]
    #[wasm_bindgen(js_name = hydrateFigures)]
    fn hydrate_figures(skeleton: &JsValue, compact: &str) -> JsValue;
    #[wasm_bindgen(js_name = keyAt)]
    fn key_at(entries: &Array, i: u32) -> String;
    #[wasm_bindgen(js_name = valueKind)]
    fn value_kind(entries: &Array, i: u32) -> u32;
    #[wasm_bindgen(js_name = valueAt)]
    fn number_at(entries: &Array, i: u32) -> f64;
    #[wasm_bindgen(js_name = valueAt)]
    fn text_at(entries: &Array, i: u32) -> String;
}

/// A loaded rule set, ready to estimate.
#[wasm_bindgen]
pub struct Calculator {
    rules: RuleSet,
    /// The parsed skeleton of each version and language used so far (see `compact.rs`).
    skeletons: RefCell<Vec<(String, Lang, JsValue)>>,
    /// The buffer of the compact part, reused from one estimate to the next.
    buf: Cell<Compact>,
}

struct QuestionOut<'a> {
    id: &'a str,
    ty: QType,
    label: &'a str,
    help: Option<&'a str>,
    unit: Option<&'a str>,
    options: Vec<OptionOut<'a>>,
    min: Option<String>,
    max: Option<String>,
    assumption: Option<&'a str>,
}

struct OptionOut<'a> {
    id: &'a str,
    label: &'a str,
}

struct VersionOut<'a> {
    rule_set: &'a str,
    version: &'a str,
    effective_from: String,
    effective_to: Option<String>,
    name: &'a crate::rules::Text,
    jurisdiction: &'a crate::rules::Text,
    currency: &'a str,
}

struct Evaluation {
    errors: Vec<FieldError>,
    error: Option<JsError>,
}

impl ToJson for QuestionOut<'_> {
    fn json(&self, out: &mut String) {
        Obj::new(out)
            .field("id", self.id)
            .field("type", &self.ty)
            .field("label", self.label)
            .field("help", &self.help)
            .field("unit", &self.unit)
            .field("options", &self.options)
            .field("min", &self.min)
            .field("max", &self.max)
            .field("assumption", &self.assumption)
            .end();
    }
}

impl ToJson for OptionOut<'_> {
    fn json(&self, out: &mut String) {
        Obj::new(out).field("id", self.id).field("label", self.label).end();
    }
}

impl ToJson for VersionOut<'_> {
    fn json(&self, out: &mut String) {
        Obj::new(out)
            .field("rule_set", self.rule_set)
            .field("version", self.version)
            .field("effective_from", &self.effective_from)
            .field("effective_to", &self.effective_to)
            .field("name", self.name)
            .field("jurisdiction", self.jurisdiction)
            .field("currency", self.currency)
            .end();
    }
}

/// `{ estimate: null, errors, error }`; the estimate is set on the object afterwards.
impl ToJson for Evaluation {
    fn json(&self, out: &mut String) {
        Obj::new(out).field("estimate", &None::<u32>).field("errors", &self.errors).field("error", &self.error).end();
    }
}

impl Calculator {
    /// The version, validated answers, date and language of a call to `estimate` or `figures`.
    fn prepare(&self, answers: &JsValue, as_of: Option<String>, opts: &JsValue) -> Result<(&Version, Answers, Date, Lang), JsValue> {
        let raw = raw_answers(answers)?;
        let as_of = parse_date(as_of)?;
        let (lang, version) = options(opts)?;
        let v = pick(&self.rules, as_of, version.as_deref()).map_err(|e| estimate_error(&e))?;
        let (answers, errs) = Answers::parse(v, &raw);
        if !errs.is_empty() {
            return Err(estimate_error(&EstimateError::Answers(errs)));
        }
        Ok((v, answers, as_of, lang))
    }

    /// The skeleton of `v` in `lang`, parsed once per version and language.
    fn skeleton(&self, v: &Version, lang: Lang) -> JsValue {
        let known = self
            .skeletons
            .try_borrow()
            .ok()
            .and_then(|k| k.iter().find(|(id, l, _)| *id == v.version && *l == lang).map(|(_, _, s)| s.clone()));
        match known {
            Some(s) => s,
            None => {
                let s = parse_skeleton(&skeleton_json(v, lang));
                if let Ok(mut k) = self.skeletons.try_borrow_mut() {
                    k.push((v.version.clone(), lang, s.clone()));
                }
                s
            }
        }
    }

    /// The estimate as a JS object: the version's skeleton joined with the compact part of
    /// this estimate.
    fn to_js_estimate(&self, v: &Version, lang: Lang, e: &Estimate<'_>) -> Result<JsValue, JsValue> {
        let skeleton = self.skeleton(v, lang);
        let mut buf = self.buf.take();
        compact(&mut buf, e);
        let out = hydrate(&skeleton, buf.text());
        self.buf.set(buf);
        Ok(out)
    }
}

#[wasm_bindgen]
impl Calculator {
    /// Loads and validates a compiled rule bundle (`subsidy-calc compile`).
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(bundle: &str) -> Result<Calculator, JsValue> {
        load_bundle("bundle", bundle)
            .map(|rules| Calculator { rules, skeletons: RefCell::new(Vec::new()), buf: Cell::default() })
            .map_err(|e| rule_error(&e))
    }

    /// The rule set id.
    #[wasm_bindgen(getter, js_name = ruleSet)]
    pub fn rule_set(&self) -> String {
        self.rules.id.clone()
    }

    /// The estimate for `answers` on `asOf` (default today): exactly the CLI's JSON contract.
    /// Throws `{kind: "answer", field, errors: [...]}` when an answer does not fit its question.
    pub fn estimate(&self, answers: JsValue, as_of: Option<String>, opts: JsValue) -> Result<JsValue, JsValue> {
        let (v, answers, as_of, lang) = self.prepare(&answers, as_of, &opts)?;
        let e = estimate_version(v, &answers, as_of, lang).map_err(|e| estimate_error(&e))?;
        self.to_js_estimate(v, lang, &e)
    }

    /// The figures of the estimate only: `{ rule_set, version, as_of, currency, total,
    /// total_min, total_max, programs: [{ id, status, amount, min, max }] }`, each the same as
    /// in `estimate`, without reasons, schedules or texts, and faster (for screening many
    /// answer sets; BENCHMARKS.md). Arguments and errors as for `estimate`. In the speed build
    /// (`make wasm-fast`, feature `figures`) only: the widget's build leaves it out.
    #[cfg(feature = "figures")]
    pub fn figures(&self, answers: JsValue, as_of: Option<String>, opts: JsValue) -> Result<JsValue, JsValue> {
        let (v, answers, as_of, lang) = self.prepare(&answers, as_of, &opts)?;
        let mut buf = self.buf.take();
        let out = buf.figures.compute(v, &answers, as_of).map(|()| {
            compact_figures(&mut buf, as_of);
            hydrate_figures(&self.skeleton(v, lang), buf.text())
        });
        self.buf.set(buf);
        out.map_err(|e| estimate_error(&e))
    }

    /// Like `estimate`, but never throws for bad answers: returns `{ estimate, errors, error }`
    /// where `errors` lists each bad field and the estimate uses only the good answers.
    pub fn evaluate(&self, answers: JsValue, as_of: Option<String>, opts: JsValue) -> Result<JsValue, JsValue> {
        let raw = raw_answers(&answers)?;
        let as_of = parse_date(as_of)?;
        let (lang, version) = options(&opts)?;
        let v = match pick(&self.rules, as_of, version.as_deref()) {
            Ok(v) => v,
            Err(e) => return Ok(to_js(&Evaluation { errors: Vec::new(), error: Some(JsError::of(&e)) })),
        };
        let (answers, errs) = Answers::parse(v, &raw);
        let errors = errs.into_iter().map(|x| FieldError { field: x.field, message: x.message }).collect();
        match estimate_version(v, &answers, as_of, lang) {
            Ok(e) => {
                let out = to_js(&Evaluation { errors, error: None });
                Reflect::set(&out, &JsValue::from_str("estimate"), &self.to_js_estimate(v, lang, &e)?)?;
                Ok(out)
            }
            Err(e) => Ok(to_js(&Evaluation { errors, error: Some(JsError::of(&e)) })),
        }
    }

    /// The questions to ask now, in order, given the answers so far: labels, help, options,
    /// units and limits in `lang`. A question whose `ask_when` is false is left out.
    pub fn questions(
        &self,
        lang: Option<String>,
        answers: JsValue,
        as_of: Option<String>,
        version: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let lang = parse_lang(lang)?;
        let raw = raw_answers(&answers)?;
        let as_of = parse_date(as_of)?;
        let v = pick(&self.rules, as_of, version.as_deref().filter(|s| !s.is_empty())).map_err(|e| estimate_error(&e))?;
        let (answers, _) = Answers::parse(v, &raw);
        let asked = crate::estimate::asked(v, &answers, as_of);
        let out: Vec<QuestionOut<'_>> = v
            .questions
            .iter()
            .zip(asked)
            .filter(|(_, a)| *a)
            .map(|(q, _)| QuestionOut {
                id: &q.id,
                ty: q.ty,
                label: q.label.get(lang),
                help: q.help.as_ref().map(|t| t.get(lang)),
                unit: q.unit.as_ref().map(|t| t.get(lang)),
                options: q.options.iter().map(|o| OptionOut { id: &o.id, label: o.label.get(lang) }).collect(),
                min: q.min.map(|b: Bound| b.to_string()),
                max: q.max.map(|b: Bound| b.to_string()),
                assumption: q.assumption.as_ref().map(|t| t.get(lang)),
            })
            .collect();
        Ok(to_js(&out))
    }

    /// The versions of the rule set and the periods they cover.
    pub fn versions(&self) -> JsValue {
        let out: Vec<VersionOut<'_>> = self
            .rules
            .versions
            .iter()
            .map(|v| VersionOut {
                rule_set: &v.rule_set,
                version: &v.version,
                effective_from: v.effective_from.to_string(),
                effective_to: v.effective_to.map(|d| d.to_string()),
                name: &v.name,
                jurisdiction: &v.jurisdiction,
                currency: &v.currency,
            })
            .collect();
        to_js(&out)
    }
}

/// Test hook: panics inside the wasm so the page's recovery (re-instantiation) can be tested.
#[wasm_bindgen(js_name = __panicForTest)]
pub fn panic_for_test() {
    #[allow(clippy::panic)]
    {
        panic!("panic requested by a test");
    }
}
