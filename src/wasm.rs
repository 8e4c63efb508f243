//! The browser boundary — the only `#[wasm_bindgen]` file. It converts JS values to the core's
//! types and back (serde-wasm-bindgen; web-sys for forms) and forwards every call; no rule
//! logic lives here.
//!
//! An estimate crosses in two parts (see `contract.rs`): the texts that do not depend on the
//! answers once per version and language (frozen and kept here), and per call the part that
//! does; both through serde-wasm-bindgen (faster than serde_json and `JSON.parse` for the
//! answer part). `overlay` lays the second over the first, key by key, into the object the
//! CLI prints. Bundles too are read from a parsed JS object, so the wasm links no JSON parser
//! or writer of its own. Errors cross as `{ kind, code, message, field?, …arguments, errors? }`
//! with the message in the language asked for.

use crate::answers::{validate, Answers, Raw};
use crate::contract::{Estimate, OptionView, Part, QuestionView, VersionInfo};
use crate::error::{AnswerError, EstimateError, Problem, RuleErrors};
use crate::estimate::{asked, estimate, pick, Pick, Request};
use crate::expr::V;
use crate::rules::{Lang, QType, RuleSet, Version};
use crate::Date;
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
function freeze(x) {
  if (x && typeof x === "object" && !Object.isFrozen(x)) {
    for (const k of Object.keys(x)) freeze(x[k]);
    Object.freeze(x);
  }
  return x;
}
export { freeze };
export function nesting(value, max) {
  let depth = 0;
  for (let level = [value]; level.length && depth <= max; depth++) {
    const next = [];
    for (const x of level) if (x !== null && typeof x === "object") next.push(...Object.values(x));
    if (!next.length) break;
    level = next;
  }
  return depth;
}
const object = (x) => x !== null && typeof x === "object";
export function overlay(shared, values) {
  if (Array.isArray(values)) return values.map((v, i) => overlay(shared?.[i], v));
  if (!object(values) || !object(shared) || Array.isArray(shared)) return values;
  // the shared keys in their order, each answer value in its place, new keys last
  const out = { ...shared };
  for (const k of Object.keys(values)) {
    const v = values[k];
    out[k] = object(v) && object(shared[k]) ? overlay(shared[k], v) : v;
  }
  return out;
}
"#)]
extern "C" {
    /// The nesting of arrays and objects in a parsed bundle, counted up to `max + 1`.
    fn nesting(value: &JsValue, max: u32) -> u32;
    /// Freezes the shared part of an estimate, deeply.
    fn freeze(shared: &JsValue) -> JsValue;
    /// Lays the answer part over the shared part.
    fn overlay(shared: &JsValue, values: &JsValue) -> JsValue;
}

// What reads a caller's values: a getter or a Proxy trap may throw, and an exception thrown
// through the wasm's frames leaves its stack pointer behind (enough of them and the instance
// breaks), so these return the exception instead, and it is thrown once the call has returned.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn object_entries(o: &JsValue) -> Result<js_sys::Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(v: &JsValue) -> Result<bool, JsValue>;
}

/// JSON-compatible serialization (maps as plain objects, no `undefined`).
fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// Sets `key` of JS object `o` (an object made here: setting cannot fail).
fn set(o: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(o, &key.into(), value);
}

/// Bad answers for JS: each its field, code and arguments (serde) and its message in `lang`.
fn field_errors(errors: &[AnswerError], lang: Lang) -> JsValue {
    let out = to_js(errors);
    for (i, e) in errors.iter().enumerate() {
        if let Ok(x) = js_sys::Reflect::get_u32(&out, i as u32) {
            set(&x, "message", &e.message(lang).into());
        }
    }
    out
}

/// An error for JS: its kind, code and arguments (serde), its message in `lang`, the field at
/// fault and, for answers, each bad field with its own code and message.
fn estimate_error(e: &EstimateError, lang: Lang) -> JsValue {
    let out = js_sys::Object::new();
    set(&out, "kind", &e.kind().into());
    js_sys::Object::assign(&out, to_js(e).unchecked_ref());
    set(&out, "message", &e.message(lang).into());
    // the JS API names the date `asOf`
    if let Some(field) = e.field().map(|f| if f == "as_of" { "asOf" } else { f }) {
        set(&out, "field", &field.into());
    }
    if let EstimateError::Answers { errors } = e {
        set(&out, "errors", &field_errors(errors, lang));
    }
    out.into()
}

/// A rule-file error for JS: `kind`, the first problem's code, arguments, file, line and
/// column, every problem under `problems`, and all of them in words. The first problem is
/// copied from `problems` (one serialization of a problem, not a second flattened one).
fn rule_error(e: &RuleErrors) -> JsValue {
    let problems = to_js(e);
    let out = js_sys::Object::new();
    set(&out, "kind", &"rules".into());
    if !e.0.is_empty() {
        if let Ok(first) = js_sys::Reflect::get_u32(&problems, 0) {
            js_sys::Object::assign(&out, first.unchecked_ref());
        }
    }
    set(&out, "message", &e.describe(Lang::En).into());
    set(&out, "problems", &problems);
    out.into()
}

fn input_error(e: EstimateError) -> JsValue {
    estimate_error(&e, Lang::En)
}

/// What a JS value is, as errors name it: its `typeof`, or `array`.
fn js_kind(v: &JsValue) -> String {
    if is_array(v).unwrap_or(false) {
        "array".into()
    } else {
        v.js_typeof().as_string().unwrap_or_default()
    }
}

/// An argument that is not of its type: an input error naming it.
fn bad_argument(field: &str, expected: &str, v: &JsValue) -> JsValue {
    input_error(EstimateError::BadArgument { field: field.into(), expected: expected.into(), found: js_kind(v) })
}

/// A text argument: absent (`undefined` or `null`) or a string. Anything else is refused here,
/// before wasm-bindgen's string copy, which expects a string.
fn text_arg(v: &JsValue, field: &str) -> Result<Option<String>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or_else(|| bad_argument(field, "string", v))
}

/// The options read: language, pinned version, and whether to add the changes. Each option
/// is read on its own and must be of its type.
fn options(opts: &JsValue) -> Result<(Lang, Option<String>, bool), JsValue> {
    if opts.is_null() || opts.is_undefined() {
        return Ok((Lang::Zh, None, false));
    }
    if !opts.is_object() || is_array(opts)? {
        return Err(bad_argument("options", "object", opts));
    }
    // a getter that throws: its exception, as for the answers
    let get = |key: &str| js_sys::Reflect::get(opts, &key.into());
    let lang = parse_lang(&get("lang")?)?;
    let version = text_arg(&get("version")?, "version")?.filter(|v| !v.is_empty());
    let changes = get("changes")?;
    let changes = match changes.as_bool() {
        Some(b) => b,
        None if changes.is_undefined() || changes.is_null() => false,
        None => return Err(bad_argument("changes", "boolean", &changes)),
    };
    Ok((lang, version, changes))
}

fn parse_lang(lang: &JsValue) -> Result<Lang, JsValue> {
    match text_arg(lang, "lang")?.as_deref() {
        None | Some("") => Ok(Lang::Zh),
        Some(l) => Lang::parse(l).ok_or_else(|| input_error(EstimateError::BadLang { value: l.to_string() })),
    }
}

fn parse_date(as_of: &JsValue) -> Result<Date, JsValue> {
    match text_arg(as_of, "as_of")?.as_deref() {
        None | Some("") => Ok(today()),
        Some(s) => Date::parse(s).map_err(|detail| input_error(EstimateError::BadAsOf { value: s.to_string(), detail })),
    }
}

fn today() -> Date {
    let d = js_sys::Date::new_0();
    Date::from_ymd(d.get_full_year() as i32, d.get_month() + 1, d.get_date()).unwrap_or_else(|_| Date::today())
}

/// Reads JS answers without trusting their shape: own enumerable keys only, each value read on
/// its own (one that cannot be read is that field's error, the others are kept). Nothing is
/// coerced, and an array or object is not walked (no answer is one, and walking one runs its
/// getters).
fn raw_answers(answers: &JsValue) -> Result<Vec<(String, Raw)>, JsValue> {
    if answers.is_null() || answers.is_undefined() {
        return Ok(Vec::new());
    }
    if !answers.is_object() || is_array(answers)? {
        let e = AnswerError { field: "answers".into(), problem: crate::error::AnswerProblem::NotAnObject {} };
        return Err(input_error(EstimateError::Answers { errors: vec![e] }));
    }
    let entries = object_entries(answers)?;
    let mut out = Vec::with_capacity(entries.length() as usize);
    for pair in entries.iter() {
        let pair: js_sys::Array = pair.unchecked_into();
        let (key, value) = (pair.get(0).as_string().unwrap_or_default(), pair.get(1));
        let raw = if value.is_object() || value.is_function() {
            if is_array(&value)? {
                Raw::Array
            } else {
                Raw::Object
            }
        } else {
            serde_wasm_bindgen::from_value::<Raw>(value).unwrap_or_else(|e| Raw::Unreadable(e.to_string()))
        };
        out.push((key, raw));
    }
    Ok(out)
}

/// A validated answer as `estimate` takes answers: an option id, a boolean, a whole number,
/// or text (decimals and dates).
#[derive(Serialize)]
#[serde(untagged)]
enum AnswerOut<'v> {
    Text(String),
    Id(&'v str),
    Bool(bool),
    Int(i64),
}

fn answer_value(q: &crate::rules::Question, v: V) -> Option<AnswerOut<'_>> {
    Some(match v {
        V::Opt(o) => AnswerOut::Id(&q.options.get(o)?.id),
        V::Bool(b) => AnswerOut::Bool(b),
        V::Num(n) if n.scale() == 0 => i64::try_from(n.mantissa()).map_or_else(|_| AnswerOut::Text(n.to_string()), AnswerOut::Int),
        V::Num(n) => AnswerOut::Text(n.to_string()),
        V::Date(d) => AnswerOut::Text(d.to_string()),
        _ => return None,
    })
}

/// Most levels of arrays and objects in a bundle (the deepest value of a real one is 9 down).
const MAX_BUNDLE_NESTING: u32 = 32;

/// What a shared part is kept by: the version used, the latest candidate while undecided, the
/// language.
type SharedKey = (Option<String>, Option<String>, Lang);

/// A loaded rule set, ready to estimate.
#[wasm_bindgen]
pub struct Calculator {
    rules: RuleSet,
    /// The shared part of an estimate, per version used (or undecided and the latest
    /// candidate) and language, so far.
    shared: RefCell<Vec<(SharedKey, JsValue)>>,
}

impl Calculator {
    /// The shared part of the estimates of `e`'s version in `lang`: made from the first such
    /// estimate (its answer parts are laid over by every call's), frozen and kept. Kept per
    /// version used (or undecided, then per the latest candidate, whose texts it shows) and
    /// language.
    fn shared_part(&self, e: &Estimate<'_>, lang: Lang) -> JsValue {
        let (version, latest) = (e.version, e.version_candidates.last().copied());
        let found = self
            .shared
            .borrow()
            .iter()
            .find(|((v, c, l), _)| v.as_deref() == version && c.as_deref() == latest && *l == lang)
            .map(|x| x.1.clone());
        if let Some(s) = found {
            return s;
        }
        let s = freeze(&Part::Shared.write(|| to_js(e)));
        self.shared.borrow_mut().push(((version.map(String::from), latest.map(String::from), lang), s.clone()));
        s
    }

    fn estimate_js(
        &self,
        raw: &[(String, Raw)],
        as_of: Date,
        version: Option<&str>,
        lang: Lang,
        changes: bool,
    ) -> Result<JsValue, EstimateError> {
        let e = estimate(&self.rules, &Request { answers: raw, as_of: Some(as_of), version, lang, changes })?;
        Ok(overlay(&self.shared_part(&e, lang), &Part::Answers.write(|| to_js(&e))))
    }

    /// The version whose questions the form shows.
    fn form_version(&self, as_of: Date, version: Option<&str>, raw: &[(String, Raw)]) -> Result<&Version, EstimateError> {
        Ok(match pick(&self.rules, as_of, version, raw)? {
            Pick::One(v) => v,
            Pick::Range(picks) => picks
                .last()
                .map(|p| p.0)
                .ok_or_else(|| EstimateError::NoVersion { as_of: as_of.to_string(), covered: self.rules.periods() })?,
        })
    }
}

#[wasm_bindgen]
impl Calculator {
    /// Loads and checks a compiled rule bundle (`subsidy-calc compile`), given as its JSON text.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(bundle: JsValue) -> Result<Calculator, JsValue> {
        let Some(bundle) = bundle.as_string() else { return Err(bad_argument("bundle", "string", &bundle)) };
        let value = js_sys::JSON::parse(&bundle).map_err(|e| {
            let message = js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_default();
            rule_error(&crate::rules::json_syntax("bundle", &bundle, &message))
        })?;
        // deeper than any bundle: refused before serde-wasm-bindgen describes it (recursively)
        if nesting(&value, MAX_BUNDLE_NESTING) > MAX_BUNDLE_NESTING {
            let detail = format!("nested deeper than {MAX_BUNDLE_NESTING} levels");
            let e = crate::error::RuleError {
                file: "bundle".into(),
                line: None,
                column: None,
                field: String::new(),
                problem: Problem::JsonSyntax { detail },
            };
            return Err(rule_error(&RuleErrors(vec![e])));
        }
        let format = js_sys::Reflect::get(&value, &"format".into()).unwrap_or(JsValue::UNDEFINED);
        let shown = js_sys::JSON::stringify(&format).ok().and_then(|s| s.as_string()).unwrap_or_else(|| "missing".into());
        crate::rules::check_format("bundle", format.as_string().as_deref(), &shown).map_err(|e| rule_error(&e))?;
        crate::rules::load_bundle_value("bundle", serde_wasm_bindgen::Deserializer::from(value))
            .map(|rules| Calculator { rules, shared: RefCell::new(Vec::new()) })
            .map_err(|e| rule_error(&e))
    }

    /// The rule set id.
    #[wasm_bindgen(getter, js_name = ruleSet)]
    pub fn rule_set(&self) -> String {
        self.rules.id.clone()
    }

    /// The estimate for `answers` on `asOf` (default today): exactly the CLI's JSON contract.
    /// `opts`: `{ lang?: "zh-CN" | "en", version?: string, changes?: boolean }` (`changes`: add
    /// to each program the changes of answers that would make it pay, or pay more). Throws
    /// `{kind: "answer", field, errors: [...]}` when an answer does not fit its question.
    pub fn estimate(&self, answers: JsValue, as_of: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
        test_hook();
        let raw = raw_answers(&answers)?;
        let as_of = parse_date(&as_of)?;
        let (lang, version, changes) = options(&opts)?;
        self.estimate_js(&raw, as_of, version.as_deref(), lang, changes).map_err(|e| estimate_error(&e, lang))
    }

    /// Like `estimate`, but never throws for bad answers: returns `{ estimate, errors, error }`
    /// where `errors` lists each bad field and the estimate uses only the good answers.
    pub fn evaluate(&self, answers: JsValue, as_of: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
        test_hook();
        let raw = raw_answers(&answers)?;
        let as_of = parse_date(&as_of)?;
        let (lang, version, changes) = options(&opts)?;
        let (good, errors) = match self.form_version(as_of, version.as_deref(), &raw) {
            Ok(v) => {
                let (_, errs) = Answers::parse(v, &raw, as_of);
                let bad: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
                let good: Vec<(String, Raw)> = raw.iter().filter(|(k, _)| !bad.contains(&k.as_str())).cloned().collect();
                (good, errs)
            }
            Err(_) => (raw.clone(), Vec::new()),
        };
        let out = js_sys::Object::new();
        let (estimate, error) = match self.estimate_js(&good, as_of, version.as_deref(), lang, changes) {
            Ok(e) => (e, JsValue::NULL),
            Err(e) => (JsValue::NULL, estimate_error(&e, lang)),
        };
        set(&out, "estimate", &estimate);
        set(&out, "errors", &field_errors(&errors, lang));
        set(&out, "error", &error);
        Ok(out.into())
    }

    /// The questions to ask now, in order, given the answers so far: labels, help, options,
    /// units and limits in `lang`. A question whose `ask_when` is false is left out.
    pub fn questions(&self, lang: JsValue, answers: JsValue, as_of: JsValue, version: JsValue) -> Result<JsValue, JsValue> {
        let lang = parse_lang(&lang)?;
        let raw = raw_answers(&answers)?;
        let as_of = parse_date(&as_of)?;
        let version = text_arg(&version, "version")?;
        let v = self.form_version(as_of, version.as_deref().filter(|s| !s.is_empty()), &raw).map_err(|e| estimate_error(&e, lang))?;
        let (answers, _) = Answers::parse(v, &raw, as_of);
        let out: Vec<QuestionView<'_>> = v
            .questions
            .iter()
            .zip(asked(v, &answers, as_of))
            .filter(|(_, a)| *a)
            .map(|(q, _)| QuestionView {
                id: &q.id,
                ty: q.ty,
                label: q.label.get(lang),
                help: q.help.as_ref().map(|t| t.get(lang)),
                unit: q.unit.as_ref().map(|t| t.get(lang)),
                options: q.options.iter().map(|o| OptionView { id: &o.id, label: o.label.get(lang) }).collect(),
                min: q.min.map(|b| b.on(as_of).to_string()),
                max: q.max.map(|b| b.on(as_of).to_string()),
                assumption: q.assumption.as_ref().map(|t| t.get(lang)),
                fixed: q.fixed,
            })
            .collect();
        Ok(to_js(&out))
    }

    /// The versions of the rule set and the periods they cover.
    pub fn versions(&self) -> JsValue {
        let out: Vec<VersionInfo<'_>> = self
            .rules
            .versions
            .iter()
            .map(|v| VersionInfo {
                rule_set: &v.rule_set,
                version: &v.version,
                effective_from: v.effective_from,
                effective_to: v.effective_to,
                name: &v.name,
                jurisdiction: &v.jurisdiction,
                currency: &v.currency,
                versions_by: v.versions_by.map(|q| v.questions[q].id.as_str()),
            })
            .collect();
        to_js(&out)
    }

    /// Reads a form's named controls (`FormData`: a control is named by its question id) and
    /// converts each by its question's type: `{ answers, errors }`, `answers` as `estimate`
    /// takes them, `errors` one per field that does not fit (`{ field, code, message, … }`).
    /// Empty controls are unanswered; controls that name no question are left alone.
    #[wasm_bindgen(js_name = answersFromForm)]
    pub fn answers_from_form(&self, form: JsValue, as_of: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
        let Some(form) = form.dyn_ref::<web_sys::HtmlFormElement>() else { return Err(bad_argument("form", "form", &form)) };
        let as_of = parse_date(&as_of)?;
        let (lang, version, _) = options(&opts)?;
        let data = web_sys::FormData::new_with_form(form)?;
        let read = |v: &Version| -> Vec<(String, Raw)> {
            let mut raw = Vec::new();
            for q in &v.questions {
                let Some(text) = data.get(&q.id).as_string() else { continue };
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                let value = match q.ty {
                    QType::Bool => match text {
                        "true" | "on" | "yes" | "1" => Raw::Bool(true),
                        "false" | "off" | "no" | "0" => Raw::Bool(false),
                        _ => Raw::Str(text.to_string()),
                    },
                    QType::Integer => text.parse::<i64>().map_or_else(|_| Raw::Str(text.to_string()), Raw::Int),
                    _ => Raw::Str(text.to_string()),
                };
                raw.push((q.id.clone(), value));
            }
            raw
        };
        // the version may depend on an answer in the form (versions_by): read with the
        // current version's questions first
        let first = self.form_version(as_of, version.as_deref(), &[]).map_err(|e| estimate_error(&e, lang))?;
        let v = self.form_version(as_of, version.as_deref(), &read(first)).map_err(|e| estimate_error(&e, lang))?;
        let raw = read(v);
        let mut answers = std::collections::BTreeMap::new();
        let mut errors = Vec::new();
        for (id, r) in &raw {
            let Some(q) = v.question_index(id).map(|i| &v.questions[i]) else { continue };
            match validate(q, r, as_of) {
                Ok(x) => {
                    if let Some(a) = answer_value(q, x) {
                        answers.insert(q.id.as_str(), a);
                    }
                }
                Err(problem) => errors.push(AnswerError { field: id.clone(), problem }),
            }
        }
        let out: JsValue = js_sys::Object::new().into();
        set(&out, "answers", &to_js(&answers));
        set(&out, "errors", &field_errors(&errors, lang));
        Ok(out)
    }
}

#[cfg(feature = "test-hooks")]
thread_local! {
    static PANIC_NEXT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Test hook (the `test-hooks` feature only, never the shipped build): the next call of a
/// `Calculator` panics inside the wasm, so the page's recovery (re-instantiation) can be tested
/// through the page's own calls.
#[cfg(feature = "test-hooks")]
#[wasm_bindgen(js_name = __panicOnNextCall)]
pub fn panic_on_next_call() {
    PANIC_NEXT.with(|p| p.set(true));
}

/// Where a test asked for a panic, panics.
fn test_hook() {
    #[cfg(feature = "test-hooks")]
    if PANIC_NEXT.with(|p| p.replace(false)) {
        #[allow(clippy::panic)]
        {
            panic!("panic requested by a test");
        }
    }
}

// ------------------------------------------------------------------ the authoring page

/// A file typed in the authoring page.
#[cfg(feature = "author")]
#[derive(serde::Deserialize)]
struct TextFile {
    name: String,
    text: String,
}

/// One problem of the files, for the editor: where, and what in the asked language.
#[cfg(feature = "author")]
#[derive(Serialize)]
struct ProblemOut<'a> {
    #[serde(flatten)]
    error: &'a crate::error::RuleError,
    message: String,
}

/// The test cases' results.
#[cfg(feature = "author")]
#[derive(Serialize)]
struct TestsOut {
    passed: usize,
    failed: usize,
    summary: String,
    /// Each case: its file, name and what did not match (empty when it passed).
    cases: Vec<crate::cases::CaseResult>,
}

/// What changed against the shipped version of the same id.
#[cfg(feature = "author")]
#[derive(Serialize)]
struct DiffOut {
    version: String,
    lines: Vec<String>,
}

#[cfg(feature = "author")]
#[derive(Serialize)]
struct AuthorOut<'a> {
    /// Problems of the version files and of the test files, each at its file, line and column.
    problems: Vec<ProblemOut<'a>>,
    /// The compiled bundle (JSON), when the version files load.
    bundle: Option<String>,
    tests: Option<TestsOut>,
    diff: Vec<DiffOut>,
}

/// The authoring page's engine: the same loader, checks, test runner and diff as the CLI, on
/// files typed in the browser. It keeps only the published rule set the edits are compared
/// with, read once when the set is opened.
#[cfg(feature = "author")]
#[wasm_bindgen]
pub struct Author {
    shipped: Option<RuleSet>,
}

#[cfg(feature = "author")]
#[wasm_bindgen]
impl Author {
    /// An editing session on a set whose published bundle is `shipped` (its JSON; null for a
    /// new set, or one that does not load: then nothing is compared).
    #[wasm_bindgen(constructor)]
    pub fn new(shipped: JsValue) -> Result<Author, JsValue> {
        let shipped = text_arg(&shipped, "shipped")?
            .and_then(|t| crate::rules::load_bundle_value("shipped", &mut serde_json::Deserializer::from_str(&t)).ok());
        Ok(Author { shipped })
    }

    /// Checks the version files of rule set `set` (`[{name, text}]`), compiles them to a
    /// bundle, runs the test files (`[{name, text}]`) on it and says what changed against the
    /// published set: `{ problems: [{file, line, column, field, code, message, …}], bundle,
    /// tests: {passed, failed, summary, cases}, diff: [{version, lines}] }`.
    pub fn check(&self, set: JsValue, files: JsValue, tests: JsValue, lang: JsValue) -> Result<JsValue, JsValue> {
        let lang = parse_lang(&lang)?;
        let Some(set) = set.as_string() else { return Err(bad_argument("set", "string", &set)) };
        let read = |v: JsValue, what: &str| -> Result<Vec<(String, String)>, JsValue> {
            let error = |e: &dyn std::fmt::Display| JsValue::from(js_sys::Error::new(&format!("{what}: {e}")));
            // a plain copy first (JSON.stringify runs the caller's getters, and returns what they throw)
            let text = js_sys::JSON::stringify(&v)?.as_string().ok_or_else(|| error(&"expected a list of {name, text}"))?;
            let files: Vec<TextFile> = serde_wasm_bindgen::from_value(js_sys::JSON::parse(&text)?).map_err(|e| error(&e))?;
            Ok(files.into_iter().map(|f| (f.name, f.text)).collect())
        };
        let files = read(files, "files")?;
        let test_files = read(tests, "tests")?;
        let loaded = crate::rules::read_texts(&set, &files);
        let mut errors: Vec<crate::error::RuleError> = Vec::new();
        let (bundle, tests_out, diff) = match &loaded {
            Err(e) => {
                errors.extend(e.0.iter().cloned());
                (None, None, Vec::new())
            }
            Ok((rs, vfs)) => {
                let bundle = crate::rules::bundle_json(&set, vfs);
                let run = crate::cases::run_texts(rs, &test_files);
                let (passed, failed) = (run.passed(), run.failed());
                errors.extend(run.broken.into_iter().flat_map(|e| e.0));
                let cases = run.cases;
                let summary = crate::cases::summary_line(passed, failed);
                let mut diff = Vec::new();
                if let Some(old) = &self.shipped {
                    for v in &rs.versions {
                        if let Ok(o) = old.version(&v.version) {
                            diff.push(DiffOut { version: v.version.clone(), lines: crate::diff::diff(o, v) });
                        } else {
                            diff.push(DiffOut { version: v.version.clone(), lines: vec![format!("version {} is new", v.version)] });
                        }
                    }
                }
                (Some(bundle), Some(TestsOut { passed, failed, summary, cases }), diff)
            }
        };
        let problems = errors.iter().map(|e| ProblemOut { error: e, message: e.message(lang) }).collect();
        Ok(to_js(&AuthorOut { problems, bundle, tests: tests_out, diff }))
    }
}
