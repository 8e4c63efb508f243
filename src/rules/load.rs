//! Loading: document tree → validated [`Version`]. Every problem is collected with its place;
//! a file with any problem yields no version at all (never half-loaded).

use super::*;
use crate::error::quoted;
use crate::expr::{self, QuestionSig, Scope, SigType};
use crate::money::{parse_decimal, RoundingMode};
use crate::node::{rule_error, LineIndex, Value};

/// The loader's state: the file, its lines (the TOML text, natively only: the wasm reads only
/// bundles, which carry no text, so it compiles no line lookups) and the problems so far.
struct Ld<'a> {
    file: &'a str,
    #[cfg(not(target_arch = "wasm32"))]
    lines: Option<LineIndex<'a>>,
    errs: Vec<RuleError>,
}

impl<'a> Ld<'a> {
    fn new(file: &'a str, text: Option<&'a str>) -> Self {
        #[cfg(target_arch = "wasm32")]
        let _ = text;
        Ld {
            file,
            #[cfg(not(target_arch = "wasm32"))]
            lines: text.map(LineIndex::new),
            errs: Vec::new(),
        }
    }

    fn lines(&self) -> Option<&LineIndex<'a>> {
        #[cfg(not(target_arch = "wasm32"))]
        return self.lines.as_ref();
        #[cfg(target_arch = "wasm32")]
        None
    }

    fn err(&mut self, at: Option<usize>, field: &str, msg: impl Into<String>) {
        let e = rule_error(self.file, self.lines(), at, field, msg.into());
        self.errs.push(e);
    }
}

type Entries = [(String, Option<usize>, Node)];

struct Obj<'n> {
    path: String,
    at: Option<usize>,
    entries: &'n Entries,
    used: Vec<bool>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let mut prev: Vec<usize> = (0..=b.chars().count()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.chars().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

fn obj<'n>(ld: &mut Ld<'_>, node: &'n Node, path: &str) -> Option<Obj<'n>> {
    match &node.value {
        Value::Table(entries) => Some(Obj { path: path.to_string(), at: node.at, entries, used: vec![false; entries.len()] }),
        other => {
            ld.err(node.at, path, format!("{} must be a table, not {}", display_path(path), other.kind()));
            None
        }
    }
}

fn display_path(path: &str) -> String {
    if path.is_empty() {
        "the file".to_string()
    } else {
        path.to_string()
    }
}

fn is_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

impl<'n> Obj<'n> {
    fn field(&self, key: &str) -> String {
        join(&self.path, key)
    }

    fn get(&mut self, key: &str) -> Option<&'n Node> {
        let i = self.entries.iter().position(|(k, _, _)| k == key)?;
        self.used[i] = true;
        Some(&self.entries[i].2)
    }

    fn missing(&self, ld: &mut Ld<'_>, key: &str) {
        ld.err(self.at, &self.field(key), format!("missing key '{key}' in {}", display_path(&self.path)));
    }

    fn finish(self, ld: &mut Ld<'_>, allowed: &[&str]) {
        for (i, (k, kat, _)) in self.entries.iter().enumerate() {
            if self.used[i] {
                continue;
            }
            let hint = allowed
                .iter()
                .filter(|a| edit_distance(a, k) <= 2)
                .min_by_key(|a| edit_distance(a, k))
                .map(|a| format!("; did you mean '{a}'?"))
                .unwrap_or_else(|| format!("; allowed keys are {}", crate::error::joined(allowed, ", ")));
            ld.err(*kat, &join(&self.path, k), format!("unknown key '{k}' in {}{hint}", display_path(&self.path)));
        }
    }

    fn string(&mut self, ld: &mut Ld<'_>, key: &str, required: bool) -> Option<String> {
        let Some(n) = self.get(key) else {
            if required {
                self.missing(ld, key);
            }
            return None;
        };
        match &n.value {
            Value::Str(s) if s.chars().all(char::is_whitespace) => {
                ld.err(n.at, &self.field(key), format!("'{key}' is empty"));
                None
            }
            Value::Str(s) => Some(s.clone()),
            other => {
                ld.err(n.at, &self.field(key), format!("'{key}' must be a string, not {}", other.kind()));
                None
            }
        }
    }

    fn id(&mut self, ld: &mut Ld<'_>, key: &str) -> Option<String> {
        let s = self.string(ld, key, true)?;
        if !is_id(&s) {
            let at = self.get(key).and_then(|n| n.at);
            ld.err(
                at,
                &self.field(key),
                format!(
                    "{} is not a valid id: use lowercase letters, digits, '_' or '-' (at most 64)",
                    quoted(&crate::date::truncate(&s, 40))
                ),
            );
            return None;
        }
        Some(s)
    }

    fn text(&mut self, ld: &mut Ld<'_>, key: &str, required: bool) -> Option<Text> {
        let Some(n) = self.get(key) else {
            if required {
                self.missing(ld, key);
            }
            return None;
        };
        text_node(ld, n, &self.field(key))
    }

    fn array(&mut self, ld: &mut Ld<'_>, key: &str) -> Vec<(String, &'n Node)> {
        let Some(n) = self.get(key) else { return Vec::new() };
        match &n.value {
            Value::Array(items) => items.iter().enumerate().map(|(i, x)| (format!("{}[{i}]", self.field(key)), x)).collect(),
            other => {
                ld.err(n.at, &self.field(key), format!("'{key}' must be an array, not {}", other.kind()));
                Vec::new()
            }
        }
    }

    fn date(&mut self, ld: &mut Ld<'_>, key: &str, required: bool) -> Option<Date> {
        let Some(n) = self.get(key) else {
            if required {
                self.missing(ld, key);
            }
            return None;
        };
        date_node(ld, n, &self.field(key))
    }

    fn decimal(&mut self, ld: &mut Ld<'_>, key: &str) -> Option<Decimal> {
        let n = self.get(key)?;
        decimal_node(ld, n, &self.field(key))
    }

    fn int(&mut self, ld: &mut Ld<'_>, key: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        let n = self.get(key)?;
        match n.value {
            Value::Int(i) if range.contains(&i) => Some(i),
            Value::Int(i) => {
                ld.err(n.at, &self.field(key), format!("'{key}' is {i}; it must be from {} to {}", range.start(), range.end()));
                None
            }
            ref other => {
                ld.err(n.at, &self.field(key), format!("'{key}' must be an integer, not {}", other.kind()));
                None
            }
        }
    }
}

fn text_node(ld: &mut Ld<'_>, n: &Node, field: &str) -> Option<Text> {
    let mut o = obj(ld, n, field)?;
    let zh = o.string(ld, "zh-CN", true);
    let en = o.string(ld, "en", true);
    o.finish(ld, &["zh-CN", "en"]);
    Some(Text { zh: zh?, en: en? })
}

fn date_node(ld: &mut Ld<'_>, n: &Node, field: &str) -> Option<Date> {
    match &n.value {
        Value::Date(s) | Value::Str(s) => match Date::parse(s) {
            Ok(d) => Some(d),
            Err(m) => {
                ld.err(n.at, field, m);
                None
            }
        },
        other => {
            ld.err(n.at, field, format!("{field} must be a date like 2024-01-01, not {}", other.kind()));
            None
        }
    }
}

fn decimal_node(ld: &mut Ld<'_>, n: &Node, field: &str) -> Option<Decimal> {
    match &n.value {
        Value::Str(s) => match parse_decimal(s) {
            Ok(d) => Some(d),
            Err(m) => {
                ld.err(n.text_at.or(n.at), field, m);
                None
            }
        },
        Value::Float(f) => {
            let hint = parse_decimal(f).map(|mut d| {
                if d.scale() < 2 {
                    d.rescale(2);
                }
                crate::money::decimal_string(d)
            });
            let hint = hint.unwrap_or_else(|_| "100000.00".into());
            ld.err(n.at, field, format!("{f} is a float; write amounts as decimal strings like \"{hint}\" so they stay exact"));
            None
        }
        Value::Int(i) => {
            ld.err(n.at, field, format!("write amounts as decimal strings like \"{i}.00\""));
            None
        }
        other => {
            ld.err(n.at, field, format!("{field} must be a decimal string like \"100000.00\", not {}", other.kind()));
            None
        }
    }
}

fn formula_node(ld: &mut Ld<'_>, n: &Node, field: &str, scope: &Scope<'_>, want: expr::Ty) -> Option<Formula> {
    let src = match &n.value {
        Value::Str(s) => s.clone(),
        other => {
            ld.err(n.at, field, format!("{field} must be an expression in a string, not {}", other.kind()));
            return None;
        }
    };
    let place = |at: usize| n.text_at.map(|t| t + at).or(n.at);
    let mut e = match expr::parse(&src) {
        Ok(e) => e,
        Err(pe) => {
            ld.err(place(pe.at), field, pe.message);
            return None;
        }
    };
    match expr::check(&mut e, scope) {
        Ok(t) if t == want => Some(Formula { code: expr::compile(&e, scope), reads: e.questions(), expr: e, src }),
        Ok(t) => {
            ld.err(place(0), field, format!("this expression gives {}, but {} is needed here", t.name(scope), want.name(scope)));
            None
        }
        Err(pe) => {
            ld.err(place(pe.at), field, pe.message);
            None
        }
    }
}

const VERSION_KEYS: [&str; 16] = [
    "format",
    "rule_set",
    "version",
    "name",
    "jurisdiction",
    "issuers",
    "currency",
    "effective_from",
    "effective_to",
    "money",
    "assumptions",
    "sources",
    "questions",
    "payers",
    "programs",
    "summary",
];

/// Loads and validates one version from its document tree. `text` is the TOML source when
/// there is one (for line and column; natively only, the wasm has no TOML); `file` names the
/// file in errors.
pub fn load_version(file: &str, text: Option<&str>, doc: Node) -> Result<Version, RuleErrors> {
    let mut ld = Ld::new(file, text);
    let v = read_version(&mut ld, &doc);
    match v {
        Some(mut v) if ld.errs.is_empty() => {
            if let (Some(li), Value::Table(t)) = (ld.lines(), &doc.value) {
                v.locs = t
                    .iter()
                    .filter_map(|(k, at, n)| {
                        let (l, c) = li.locate(n.at.or(*at)?);
                        Some((k.clone(), l, c))
                    })
                    .collect();
            }
            v.doc = doc;
            v.literals = crate::estimate::literals(&v);
            let explained: Vec<_> = v.programs.iter().map(|p| crate::estimate::explained(&v, p)).collect();
            for (p, x) in v.programs.iter_mut().zip(explained) {
                p.explained = x;
            }
            Ok(v)
        }
        _ => {
            if ld.errs.is_empty() {
                ld.err(None, "", "the file could not be read as a rule file");
            }
            Err(RuleErrors(ld.errs))
        }
    }
}

fn read_version(ld: &mut Ld<'_>, doc: &Node) -> Option<Version> {
    let mut o = obj(ld, doc, "")?;
    if let Some(n) = o.get("format") {
        if n.value != Value::Int(1) {
            ld.err(n.at, "format", "this engine reads rule files of format 1");
        }
    }
    let rule_set = o.id(ld, "rule_set");
    let version = o.id(ld, "version");
    let name = o.text(ld, "name", true);
    let jurisdiction = o.text(ld, "jurisdiction", true);
    let _summary = o.text(ld, "summary", false);
    let issuers: Vec<Text> = o.array(ld, "issuers").into_iter().filter_map(|(f, n)| text_node(ld, n, &f)).collect();
    let currency = o.string(ld, "currency", true);
    if let Some(c) = &currency {
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            let at = o.get("currency").and_then(|n| n.at);
            ld.err(at, "currency", format!("{} is not an ISO 4217 code like \"CNY\"", quoted(c)));
        }
    }
    let effective_from = o.date(ld, "effective_from", true);
    let effective_to = o.date(ld, "effective_to", false);
    if let (Some(f), Some(t)) = (effective_from, effective_to) {
        if t <= f {
            let at = o.get("effective_to").and_then(|n| n.at);
            ld.err(at, "effective_to", format!("effective_to {t} must be after effective_from {f}"));
        }
    }
    let rounding = match o.get("money") {
        Some(n) => read_money(ld, n),
        None => {
            o.missing(ld, "money");
            None
        }
    };
    let assumptions: Vec<Text> = o.array(ld, "assumptions").into_iter().filter_map(|(f, n)| text_node(ld, n, &f)).collect();

    let mut sources = Vec::new();
    for (f, n) in o.array(ld, "sources") {
        if let Some(s) = read_source(ld, n, &f) {
            if sources.iter().any(|x: &Source| x.id == s.id) {
                ld.err(n.at, &f, format!("source id '{}' is declared twice", s.id));
            }
            sources.push(s);
        }
    }
    let source_ids: Vec<String> = sources.iter().map(|s| s.id.clone()).collect();

    let question_nodes = o.array(ld, "questions");
    let sigs = question_sigs(&question_nodes);
    let mut questions = Vec::new();
    for (i, (f, n)) in question_nodes.iter().enumerate() {
        if let Some(q) = read_question(ld, n, f, &sigs, i, &source_ids) {
            if questions.iter().any(|x: &Question| x.id == q.id) || q.id == "as_of" {
                ld.err(n.at, f, format!("question id '{}' is declared twice or reserved", q.id));
            }
            questions.push(q);
        }
    }

    let mut payers = Vec::new();
    for (f, n) in o.array(ld, "payers") {
        let Some(mut po) = obj(ld, n, &f) else { continue };
        let id = po.id(ld, "id");
        let name = po.text(ld, "name", true);
        po.finish(ld, &["id", "name"]);
        if let (Some(id), Some(name)) = (id, name) {
            if payers.iter().any(|p: &Payer| p.id == id) {
                ld.err(n.at, &f, format!("payer id '{id}' is declared twice"));
            }
            payers.push(Payer { id, name });
        }
    }

    let mut programs = Vec::new();
    let scope = Scope { questions: &sigs, visible: sigs.len() };
    let program_nodes = o.array(ld, "programs");
    if program_nodes.is_empty() {
        o.missing(ld, "programs");
    }
    for (f, n) in program_nodes {
        if let Some(p) = read_program(ld, n, &f, &scope, &source_ids, &payers, &questions) {
            if programs.iter().any(|x: &Program| x.id == p.id) {
                ld.err(n.at, &f, format!("program id '{}' is declared twice", p.id));
            }
            programs.push(p);
        }
    }
    o.finish(ld, &VERSION_KEYS);

    Some(Version {
        file: ld.file.to_string(),
        // the last path component: after the last '/' or '\\'
        file_name: ld
            .file
            .get(ld.file.bytes().rposition(|b| b == b'/' || b == b'\\').map_or(0, |i| i + 1)..)
            .unwrap_or(ld.file)
            .to_string(),
        rule_set: rule_set?,
        version: version?,
        name: name?,
        jurisdiction: jurisdiction?,
        issuers,
        currency: currency?,
        effective_from: effective_from?,
        effective_to,
        rounding: rounding?,
        assumptions,
        sources,
        questions,
        payers,
        programs,
        doc: Node { value: Value::Bool(false), at: None, text_at: None },
        locs: Vec::new(),
        literals: (Vec::new(), Vec::new()),
    })
}

fn read_money(ld: &mut Ld<'_>, n: &Node) -> Option<Rounding> {
    let mut m = obj(ld, n, "money")?;
    let scale = m.int(ld, "scale", 0..=6);
    if m.get("scale").is_none() {
        m.missing(ld, "scale");
    }
    let mode = m.string(ld, "rounding", true).and_then(|r| {
        let mode = RoundingMode::parse(&r);
        if mode.is_none() {
            let at = m.get("rounding").and_then(|n| n.at);
            ld.err(
                at,
                "money.rounding",
                format!("unknown rounding {}; use one of {}", quoted(&r), crate::error::joined(&RoundingMode::NAMES, ", ")),
            );
        }
        mode
    });
    m.finish(ld, &["scale", "rounding"]);
    Some(Rounding { scale: u32::try_from(scale?).ok()?, mode: mode? })
}

fn read_source(ld: &mut Ld<'_>, n: &Node, f: &str) -> Option<Source> {
    let mut s = obj(ld, n, f)?;
    let id = s.id(ld, "id");
    let title = s.string(ld, "title", true);
    let issuer = s.string(ld, "issuer", true);
    let date = match s.get("date") {
        Some(d) => match &d.value {
            Value::Date(x) | Value::Str(x) => {
                let ok = Date::parse(x).is_ok() || (x.len() == 7 && Date::parse(&format!("{x}-01")).is_ok());
                if !ok {
                    ld.err(d.at, &s.field("date"), format!("{} is not a date (YYYY-MM-DD or YYYY-MM)", quoted(x)));
                }
                Some(x.clone())
            }
            other => {
                ld.err(d.at, &s.field("date"), format!("date must be a date, not {}", other.kind()));
                None
            }
        },
        None => None,
    };
    let number = s.string(ld, "number", false);
    let url = s.string(ld, "url", false);
    if let Some(u) = &url {
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            let at = s.get("url").and_then(|n| n.at);
            ld.err(at, &s.field("url"), "url must start with https:// or http://");
        }
    }
    let quote = s.string(ld, "quote", true);
    s.finish(ld, &["id", "title", "issuer", "date", "number", "url", "quote"]);
    Some(Source { id: id?, title: title?, issuer: issuer?, date, number, url, quote: quote? })
}

fn question_sigs(nodes: &[(String, &Node)]) -> Vec<QuestionSig> {
    nodes
        .iter()
        .map(|(_, n)| {
            let get = |k: &str| match &n.value {
                Value::Table(t) => t.iter().find(|(key, _, _)| key == k).map(|(_, _, v)| v),
                _ => None,
            };
            let s = |k: &str| match get(k).map(|v| &v.value) {
                Some(Value::Str(s)) => s.clone(),
                _ => String::new(),
            };
            let ty = match s("type").as_str() {
                "bool" => SigType::Bool,
                "integer" => SigType::Integer,
                "decimal" => SigType::Decimal,
                "date" => SigType::Date,
                _ => SigType::Enum(match get("options").map(|v| &v.value) {
                    Some(Value::Array(a)) => a
                        .iter()
                        .map(|o| match &o.value {
                            Value::Table(t) => t
                                .iter()
                                .find(|(k, _, _)| k == "id")
                                .and_then(|(_, _, v)| if let Value::Str(s) = &v.value { Some(s.clone()) } else { None })
                                .unwrap_or_default(),
                            _ => String::new(),
                        })
                        .collect(),
                    _ => Vec::new(),
                }),
            };
            QuestionSig { id: s("id"), ty }
        })
        .collect()
}

fn cite(ld: &mut Ld<'_>, o: &mut Obj<'_>, sources: &[String], required: bool) -> Option<String> {
    let s = o.string(ld, "source", required)?;
    if !sources.contains(&s) {
        let at = o.get("source").and_then(|n| n.at);
        ld.err(at, &o.field("source"), format!("unknown source '{s}'; declare it under [[sources]]"));
        return None;
    }
    Some(s)
}

/// `source = "id"` or `source = ["id", "id2"]` (a figure that combines several clauses).
fn cite_many(ld: &mut Ld<'_>, o: &mut Obj<'_>, sources: &[String]) -> Option<Vec<String>> {
    let Some(n) = o.get("source") else {
        o.missing(ld, "source");
        return None;
    };
    let field = o.field("source");
    let ids: Vec<(&Node, &str)> = match &n.value {
        Value::Str(s) => vec![(n, s.as_str())],
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .filter_map(|x| match &x.value {
                Value::Str(s) => Some((x, s.as_str())),
                _ => {
                    ld.err(x.at, &field, "a source is a source id string");
                    None
                }
            })
            .collect(),
        other => {
            ld.err(n.at, &field, format!("source must be a source id or a list of them, not {}", other.kind()));
            return None;
        }
    };
    let mut out = Vec::new();
    for (x, id) in ids {
        if sources.iter().any(|s| s == id) {
            out.push(id.to_string());
        } else {
            ld.err(x.at, &field, format!("unknown source '{id}'; declare it under [[sources]]"));
        }
    }
    (!out.is_empty()).then_some(out)
}

fn read_question(ld: &mut Ld<'_>, n: &Node, f: &str, sigs: &[QuestionSig], index: usize, sources: &[String]) -> Option<Question> {
    let mut q = obj(ld, n, f)?;
    let id = q.id(ld, "id");
    let ty = q.string(ld, "type", true).and_then(|t| {
        let ty = match t.as_str() {
            "bool" => Some(QType::Bool),
            "integer" => Some(QType::Integer),
            "decimal" => Some(QType::Decimal),
            "date" => Some(QType::Date),
            "enum" => Some(QType::Enum),
            _ => None,
        };
        if ty.is_none() {
            let at = q.get("type").and_then(|n| n.at);
            ld.err(at, &q.field("type"), format!("unknown type {}; use bool, integer, decimal, date or enum", quoted(&t)));
        }
        ty
    });
    let label = q.text(ld, "label", true);
    let help = q.text(ld, "help", false);
    let unit = q.text(ld, "unit", false);
    let mut options = Vec::new();
    for (of, on) in q.array(ld, "options") {
        let Some(mut oo) = obj(ld, on, &of) else { continue };
        let oid = oo.id(ld, "id");
        let olabel = oo.text(ld, "label", true);
        oo.finish(ld, &["id", "label"]);
        if let (Some(oid), Some(olabel)) = (oid, olabel) {
            if options.iter().any(|c: &Choice| c.id == oid) {
                ld.err(on.at, &of, format!("option '{oid}' is declared twice"));
            }
            options.push(Choice { id: oid, label: olabel });
        }
    }
    let bound = |ld: &mut Ld<'_>, q: &mut Obj<'_>, key: &str| -> Option<Bound> {
        let n = q.get(key)?;
        let field = q.field(key);
        match ty? {
            QType::Integer => match n.value {
                Value::Int(i) => Some(Bound::Num(Decimal::from(i))),
                ref other => {
                    ld.err(n.at, &field, format!("'{key}' of an integer question must be an integer, not {}", other.kind()));
                    None
                }
            },
            QType::Decimal => decimal_node(ld, n, &field).map(Bound::Num),
            QType::Date => date_node(ld, n, &field).map(Bound::Date),
            _ => {
                ld.err(n.at, &field, format!("'{key}' applies only to integer, decimal and date questions"));
                None
            }
        }
    };
    let min = bound(ld, &mut q, "min");
    let max = bound(ld, &mut q, "max");
    match ty {
        Some(QType::Integer | QType::Decimal) if min.is_none() || max.is_none() => {
            ld.err(n.at, f, "integer and decimal questions need both min and max (they bound answers and ranges)");
        }
        Some(QType::Enum) if options.is_empty() => ld.err(n.at, f, "an enum question needs options"),
        Some(t) if t != QType::Enum && !options.is_empty() => ld.err(n.at, f, "only enum questions have options"),
        _ => {}
    }
    if let (Some(a), Some(b)) = (min, max) {
        let bad = match (a, b) {
            (Bound::Num(x), Bound::Num(y)) => x > y,
            (Bound::Date(x), Bound::Date(y)) => x > y,
            _ => false,
        };
        if bad {
            ld.err(n.at, f, format!("min {a} is greater than max {b}"));
        }
    }
    let scope = Scope { questions: sigs, visible: index };
    let ask_when = q.get("ask_when").and_then(|an| formula_node(ld, an, &q.field("ask_when"), &scope, expr::Ty::Bool));
    let source = cite(ld, &mut q, sources, false);
    let assumption = q.text(ld, "assumption", false);
    q.finish(ld, &["id", "type", "label", "help", "unit", "options", "min", "max", "ask_when", "source", "assumption"]);
    Some(Question { id: id?, ty: ty?, label: label?, help, unit, options, min, max, ask_when, source, assumption })
}

#[allow(clippy::too_many_arguments)]
fn read_program(
    ld: &mut Ld<'_>,
    n: &Node,
    f: &str,
    scope: &Scope<'_>,
    sources: &[String],
    payers: &[Payer],
    questions: &[Question],
) -> Option<Program> {
    use expr::Ty;
    let mut p = obj(ld, n, f)?;
    let id = p.id(ld, "id");
    let name = p.text(ld, "name", true);
    let description = p.text(ld, "description", false);
    let kind = p.string(ld, "kind", true).and_then(|k| {
        let kind = match k.as_str() {
            "cash" => Some(ProgramKind::Cash),
            "cash_unpublished" => Some(ProgramKind::CashUnpublished),
            "in_kind" => Some(ProgramKind::InKind),
            "service" => Some(ProgramKind::Service),
            _ => None,
        };
        if kind.is_none() {
            let at = p.get("kind").and_then(|n| n.at);
            ld.err(at, &p.field("kind"), format!("unknown kind {}; use cash, cash_unpublished, in_kind or service", quoted(&k)));
        }
        kind
    });
    let payer_index = |ld: &mut Ld<'_>, node: &Node, field: &str| -> Option<usize> {
        let Value::Str(s) = &node.value else {
            ld.err(node.at, field, "a payer is a payer id string");
            return None;
        };
        let i = payers.iter().position(|x| x.id == *s);
        if i.is_none() {
            ld.err(node.at, field, format!("unknown payer '{s}'; declare it under [[payers]]"));
        }
        i
    };
    let mut prog_payers = Vec::new();
    for (pf, pn) in p.array(ld, "payers") {
        if let Some(i) = payer_index(ld, pn, &pf) {
            prog_payers.push(i);
        }
    }
    let exclusive_group = if p_has(n, "exclusive_group").is_some() { p.id(ld, "exclusive_group") } else { None };
    let source = cite(ld, &mut p, sources, true);
    let mut conditions = Vec::new();
    for (cf, cn) in p.array(ld, "conditions") {
        let Some(mut c) = obj(ld, cn, &cf) else { continue };
        let when = match c.get("when") {
            Some(w) => formula_node(ld, w, &c.field("when"), scope, Ty::Bool),
            None => {
                c.missing(ld, "when");
                None
            }
        };
        let text = c.text(ld, "text", true);
        let csrc = cite(ld, &mut c, sources, true);
        let assumption = c.text(ld, "assumption", false);
        c.finish(ld, &["when", "text", "source", "assumption"]);
        if let (Some(when), Some(text), Some(source)) = (when, text, csrc) {
            conditions.push(Condition { when, text, source, assumption });
        }
    }
    let amount = match p.get("amount") {
        Some(an) => (|| {
            let mut a = obj(ld, an, &join(f, "amount"))?;
            let formula = match a.get("formula") {
                Some(fnode) => formula_node(ld, fnode, &a.field("formula"), scope, Ty::Num),
                None => {
                    a.missing(ld, "formula");
                    None
                }
            };
            let cap = a.decimal(ld, "cap");
            let asrc = cite_many(ld, &mut a, sources);
            let assumption = a.text(ld, "assumption", false);
            a.finish(ld, &["formula", "cap", "source", "assumption"]);
            Some(Amount { formula: formula?, cap, sources: asrc?, assumption })
        })(),
        None => None,
    };
    let mut schedule = Vec::new();
    for (sf, sn) in p.array(ld, "schedule") {
        let Some(mut s) = obj(ld, sn, &sf) else { continue };
        let year = s.int(ld, "year", 1..=50);
        if s.get("year").is_none() {
            s.missing(ld, "year");
        }
        let payer = match s.get("payer") {
            Some(pn) => {
                let i = payer_index(ld, pn, &s.field("payer"));
                if let Some(i) = i {
                    if !prog_payers.contains(&i) {
                        ld.err(pn.at, &s.field("payer"), "this payer is not in the program's payers");
                    }
                }
                i
            }
            None => {
                s.missing(ld, "payer");
                None
            }
        };
        let amt = match s.get("amount") {
            Some(an) => formula_node(ld, an, &s.field("amount"), scope, Ty::Num),
            None => {
                s.missing(ld, "amount");
                None
            }
        };
        let ssrc = cite(ld, &mut s, sources, true);
        let assumption = s.text(ld, "assumption", false);
        s.finish(ld, &["year", "payer", "amount", "source", "assumption"]);
        if let (Some(year), Some(payer), Some(amount), Some(source)) = (year, payer, amt, ssrc) {
            schedule.push(ScheduleRow { year: year as u32, payer, amount, source, assumption });
        }
    }
    let assumptions: Vec<Text> = p.array(ld, "assumptions").into_iter().filter_map(|(af, an)| text_node(ld, an, &af)).collect();
    let note = p.text(ld, "note", false);
    p.finish(
        ld,
        &[
            "id",
            "name",
            "description",
            "kind",
            "payers",
            "exclusive_group",
            "source",
            "conditions",
            "amount",
            "schedule",
            "assumptions",
            "note",
        ],
    );
    let kind = kind?;
    if kind == ProgramKind::Cash {
        if amount.is_none() && p_has(n, "amount").is_none() {
            ld.err(n.at, f, "a cash program needs an [amount] with a formula");
        }
        if prog_payers.is_empty() {
            ld.err(n.at, f, "a cash program needs at least one payer");
        }
    } else {
        for key in ["amount", "schedule", "exclusive_group"] {
            if let Some(at) = p_has(n, key) {
                ld.err(
                    Some(at),
                    &join(f, key),
                    format!("only cash programs have '{key}' ({} programs pay no computed amount)", kind.name()),
                );
            }
        }
    }
    let mut deps: Vec<usize> = Vec::new();
    let mut add = |e: &Expr| {
        for q in e.questions() {
            if !deps.contains(&q) {
                deps.push(q);
            }
        }
    };
    conditions.iter().for_each(|c| add(&c.when.expr));
    if let Some(a) = &amount {
        add(&a.formula.expr);
    }
    schedule.iter().for_each(|s| add(&s.amount.expr));
    let mut i = 0;
    while i < deps.len() {
        if let Some(aw) = questions.get(deps[i]).and_then(|q| q.ask_when.as_ref()) {
            for q in aw.expr.questions() {
                if !deps.contains(&q) {
                    deps.push(q);
                }
            }
        }
        i += 1;
    }
    crate::sort::sort_dedup(&mut deps);
    Some(Program {
        id: id?,
        name: name?,
        description,
        kind,
        payers: prog_payers,
        exclusive_group,
        source: source?,
        conditions,
        amount,
        schedule,
        assumptions,
        note,
        deps,
        explained: Default::default(),
    })
}

fn p_has(n: &Node, key: &str) -> Option<usize> {
    match &n.value {
        Value::Table(t) => t.iter().find(|(k, _, _)| k == key).map(|(_, at, v)| v.at.or(*at).unwrap_or(0)),
        _ => None,
    }
}

/// The version files of a rule-set folder: `*.toml` directly inside it, sorted.
#[cfg(not(target_arch = "wasm32"))]
pub fn rule_files(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Loads one version file.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_file(path: &std::path::Path) -> Result<Version, RuleErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        RuleErrors(vec![RuleError {
            file: file.clone(),
            line: None,
            column: None,
            field: String::new(),
            message: format!("cannot read: {e}"),
        }])
    })?;
    let doc = crate::node::from_toml(&file, &text).map_err(|e| RuleErrors(vec![e]))?;
    let v = load_version(&file, Some(&text), doc)?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    let mut errs = Vec::new();
    if stem != v.version {
        let (line, column) = v.locs.iter().find(|(k, _, _)| k == "version").map_or((None, None), |(_, l, c)| (Some(*l), Some(*c)));
        errs.push(RuleError {
            file: file.clone(),
            line,
            column,
            field: "version".into(),
            message: format!("version is {:?} but the file is named {stem}.toml; name each file after its version", v.version),
        });
    }
    if let Some(dir) = path.parent().and_then(|d| d.file_name()).map(|d| d.to_string_lossy().to_string()) {
        if dir != v.rule_set {
            let (line, column) = v.locs.iter().find(|(k, _, _)| k == "rule_set").map_or((None, None), |(_, l, c)| (Some(*l), Some(*c)));
            errs.push(RuleError {
                file: file.clone(),
                line,
                column,
                field: "rule_set".into(),
                message: format!("rule_set is {:?} but the folder is {dir}/; keep each rule set in a folder named by its id", v.rule_set),
            });
        }
    }
    if errs.is_empty() {
        Ok(v)
    } else {
        Err(RuleErrors(errs))
    }
}

/// Loads a rule-set folder: every version file, then the checks across versions.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_dir(dir: &std::path::Path) -> Result<RuleSet, RuleErrors> {
    let files = rule_files(dir).map_err(|e| {
        RuleErrors(vec![RuleError {
            file: dir.display().to_string(),
            line: None,
            column: None,
            field: String::new(),
            message: format!("cannot read the folder: {e}"),
        }])
    })?;
    let mut versions = Vec::new();
    let mut errs = Vec::new();
    for f in &files {
        match load_file(f) {
            Ok(v) => versions.push(v),
            Err(e) => errs.extend(e.0),
        }
    }
    if !errs.is_empty() {
        return Err(RuleErrors(errs));
    }
    if versions.is_empty() {
        return Err(RuleErrors(vec![RuleError {
            file: dir.display().to_string(),
            line: None,
            column: None,
            field: String::new(),
            message: "no version files (*.toml) in this folder".into(),
        }]));
    }
    RuleSet::new(versions)
}
