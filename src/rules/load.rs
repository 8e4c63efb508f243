//! Loading: a version file as written ([`super::file`]) → a checked [`Version`]. Every problem
//! is collected with its field path; a file with any problem yields no version at all (never
//! half-loaded). TOML files are read here too (natively), and their problems located at
//! `file:line:col`.

use super::file::{AmountFile, ConditionFile, PerMonthFile, PerYearFile, ProgramFile, QuestionFile, Scalar, VersionFile};
use super::*;
use crate::error::short;
use crate::expr::{self, Scope, SigType, Ty, V};
use crate::money::{parse_decimal, RoundingMode};

/// A problem with its field path and, inside an expression, the byte offset of the token.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(crate) struct Found {
    pub error: RuleError,
    pub inner: Option<usize>,
}

struct Loader<'a> {
    file: &'a str,
    found: Vec<Found>,
}

impl Loader<'_> {
    fn err(&mut self, field: &str, problem: Problem) {
        self.err_in(field, None, problem);
    }

    fn err_in(&mut self, field: &str, inner: Option<usize>, problem: Problem) {
        let error = RuleError { file: self.file.to_string(), line: None, column: None, field: field.to_string(), problem };
        self.found.push(Found { error, inner });
    }
}

/// The last key of a field path.
fn last(field: &str) -> String {
    field.rsplit('.').next().unwrap_or(field).split('[').next().unwrap_or(field).to_string()
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn is_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

/// Names an expression may not use for a question, value or table (a function's name is
/// free: `months` is a question, `months(6)` the function).
fn reserved(id: &str) -> bool {
    matches!(id, "as_of" | "true" | "false" | "and" | "or" | "not" | "in" | "if" | "then" | "else")
}

impl Loader<'_> {
    fn id(&mut self, field: &str, s: &str) -> Option<String> {
        if is_id(s) {
            Some(s.to_string())
        } else {
            self.err(field, Problem::BadId { value: short(s, 40) });
            None
        }
    }

    fn text(&mut self, field: &str, t: &Text) -> Option<Text> {
        let mut ok = true;
        for (key, s) in [("zh-CN", &t.zh), ("en", &t.en)] {
            if s.chars().all(char::is_whitespace) {
                self.err(&join(field, key), Problem::Empty { key: key.into() });
                ok = false;
            }
        }
        ok.then(|| t.clone())
    }

    fn texts(&mut self, field: &str, ts: &[Text]) -> Vec<Text> {
        ts.iter().enumerate().filter_map(|(i, t)| self.text(&format!("{field}[{i}]"), t)).collect()
    }

    fn opt_text(&mut self, field: &str, t: &Option<Text>) -> Option<Text> {
        t.as_ref().and_then(|t| self.text(field, t))
    }

    fn nonblank(&mut self, field: &str, key: &str, s: &str) -> Option<String> {
        if s.chars().all(char::is_whitespace) {
            self.err(field, Problem::Empty { key: key.into() });
            None
        } else {
            Some(s.to_string())
        }
    }

    fn date(&mut self, field: &str, s: &Scalar) -> Option<Date> {
        match s {
            Scalar::Date(x) | Scalar::Str(x) => match Date::parse(x) {
                Ok(d) => Some(d),
                Err(detail) => {
                    self.err(field, Problem::BadDate { value: short(x, 40), detail });
                    None
                }
            },
            _ => {
                self.err(
                    field,
                    Problem::BadBound { key: field.rsplit('.').next().unwrap_or(field).into(), expected: "a date like 2024-01-01".into() },
                );
                None
            }
        }
    }

    fn decimal(&mut self, field: &str, s: &Scalar) -> Option<Decimal> {
        match s {
            Scalar::Str(x) => match parse_decimal(x) {
                Ok(d) => Some(d),
                Err(detail) => {
                    self.err(field, Problem::BadDecimal { value: short(x, 40), detail });
                    None
                }
            },
            Scalar::Float(f) => {
                let written = format!("{f:?}");
                let hint = parse_decimal(&written).map_or_else(
                    |_| "100000.00".to_string(),
                    |mut d| {
                        if d.scale() < 2 {
                            d.rescale(2);
                        }
                        d.to_string()
                    },
                );
                self.err(field, Problem::FloatAmount { written, hint });
                None
            }
            Scalar::Int(i) => {
                self.err(field, Problem::IntegerAmount { hint: format!("{i}.00") });
                None
            }
            other => {
                self.err(
                    field,
                    Problem::WrongType {
                        key: last(field),
                        found: other.kind().into(),
                        expected: "a decimal string like \"100000.00\"".into(),
                    },
                );
                None
            }
        }
    }

    fn int(&mut self, field: &str, key: &str, s: &Scalar, min: i64, max: i64) -> Option<i64> {
        match s {
            Scalar::Int(i) if (min..=max).contains(i) => Some(*i),
            Scalar::Int(i) => {
                self.err(field, Problem::OutOfRange { key: key.into(), value: *i, min, max });
                None
            }
            other => {
                self.err(field, Problem::WrongType { key: key.into(), found: other.kind().into(), expected: "an integer".into() });
                None
            }
        }
    }

    fn cite(&mut self, field: &str, id: &str, sources: &[Source]) -> Option<String> {
        if sources.iter().any(|s| s.id == id) {
            Some(id.to_string())
        } else {
            self.err(field, Problem::UnknownSource { id: short(id, 40) });
            None
        }
    }

    fn payer(&mut self, field: &str, id: &str, payers: &[Payer]) -> Option<usize> {
        let i = payers.iter().position(|p| p.id == id);
        if i.is_none() {
            self.err(field, Problem::UnknownPayer { id: short(id, 40) });
        }
        i
    }

    fn formula(&mut self, field: &str, src: &str, scope: &Scope<'_>, consts: &Consts, want: Ty) -> Option<Formula> {
        let mut e = match expr::parse(src) {
            Ok(e) => e,
            Err(pe) => {
                self.err_in(field, Some(pe.at), pe.problem);
                return None;
            }
        };
        match expr::check(&mut e, scope) {
            Ok(t) if t == want => {
                Some(Formula { code: expr::compile(&e, scope, consts), reads: e.questions(), expr: e, src: src.to_string() })
            }
            Ok(t) => {
                self.err_in(field, Some(0), Problem::ResultType { found: t.name(scope), expected: want.name(scope) });
                None
            }
            Err(pe) => {
                self.err_in(field, Some(pe.at), pe.problem);
                None
            }
        }
    }
}

fn sig(q: &QuestionFile) -> (String, SigType) {
    let ty = match q.ty.as_str() {
        "bool" => SigType::Bool,
        "integer" => SigType::Integer,
        "decimal" => SigType::Decimal,
        "date" => SigType::Date,
        _ => SigType::Enum(q.options.iter().map(|o| o.id.clone()).collect()),
    };
    (q.id.clone(), ty)
}

/// Checks one version file and builds its [`Version`]. `file` names it in errors, which carry
/// field paths (a TOML file's loader adds lines and columns).
pub fn load_version(file: &str, f: &VersionFile) -> Result<Version, RuleErrors> {
    check_version(file, f).map_err(|found| RuleErrors(found.into_iter().map(|f| f.error).collect()))
}

pub(crate) fn check_version(file: &str, f: &VersionFile) -> Result<Version, Vec<Found>> {
    let mut ld = Loader { file, found: Vec::new() };
    let v = read_version(&mut ld, f);
    match v {
        Some(v) if ld.found.is_empty() => Ok(v),
        _ => {
            if ld.found.is_empty() {
                ld.err("", Problem::Invalid { detail: "the file could not be read as a rule file".into() });
            }
            Err(ld.found)
        }
    }
}

/// Most entries in one list of a version file (its sources, questions, programs, a question's
/// options, a program's conditions, …): far more than any published policy has, and a bound
/// on what checking a file costs.
pub const MAX_ENTRIES: usize = 1_000;

/// Most programs in one exclusive group: an estimate weighs each member against every other,
/// so its cost grows with the square of a group's size (a published group has a handful).
pub const MAX_GROUP: usize = 64;

/// Every list of the file within [`MAX_ENTRIES`] and every exclusive group within
/// [`MAX_GROUP`]; an error at each that is not.
fn within_limits(ld: &mut Loader<'_>, f: &VersionFile) -> bool {
    let mut lists: Vec<(String, usize)> = vec![
        ("issuers".into(), f.issuers.len()),
        ("assumptions".into(), f.assumptions.len()),
        ("sources".into(), f.sources.len()),
        ("questions".into(), f.questions.len()),
        ("values".into(), f.values.len()),
        ("tables".into(), f.tables.len()),
        ("payers".into(), f.payers.len()),
        ("programs".into(), f.programs.len()),
    ];
    lists.extend(f.questions.iter().enumerate().map(|(i, q)| (format!("questions[{i}].options"), q.options.len())));
    lists.extend(f.tables.iter().enumerate().map(|(i, t)| (format!("tables[{i}].rows"), t.rows.len())));
    for (i, p) in f.programs.iter().enumerate() {
        lists.push((format!("programs[{i}].payers"), p.payers.len()));
        lists.push((format!("programs[{i}].conditions"), p.conditions.len()));
        lists.push((format!("programs[{i}].schedule"), p.schedule.len()));
        lists.push((format!("programs[{i}].assumptions"), p.assumptions.len()));
    }
    let mut ok = true;
    // each member of an exclusive group is weighed against every other in each estimate
    for (group, members) in group_members(f.programs.iter().map(|p| p.exclusive_group.as_deref())) {
        if let Some(&over) = members.get(MAX_GROUP) {
            let problem = Problem::GroupTooLarge { group: short(group, 64), count: members.len() as i64, max: MAX_GROUP as i64 };
            ld.err(&format!("programs[{over}].exclusive_group"), problem);
            ok = false;
        }
    }
    for (field, len) in lists {
        if len > MAX_ENTRIES {
            ld.err(&field, Problem::TooMany { list: field.clone(), count: len as i64, max: MAX_ENTRIES as i64 });
            ok = false;
        }
    }
    ok
}

/// The members of each exclusive group (given each program's group, in program order).
fn group_members<'a>(groups: impl Iterator<Item = Option<&'a str>>) -> std::collections::BTreeMap<&'a str, Vec<usize>> {
    let mut members: std::collections::BTreeMap<&str, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, g) in groups.enumerate() {
        if let Some(g) = g {
            members.entry(g).or_default().push(i);
        }
    }
    members
}

fn read_version(ld: &mut Loader<'_>, f: &VersionFile) -> Option<Version> {
    if !within_limits(ld, f) {
        return None;
    }
    if let Some(fmt) = &f.format {
        if *fmt != Scalar::Int(1) {
            let found = match fmt {
                Scalar::Int(i) => i.to_string(),
                Scalar::Str(s) | Scalar::Date(s) => format!("{s:?}"),
                other => other.kind().to_string(),
            };
            ld.err("format", Problem::Format { found });
        }
    }
    let rule_set = ld.id("rule_set", &f.rule_set);
    let version = ld.id("version", &f.version);
    let name = ld.text("name", &f.name);
    let jurisdiction = ld.text("jurisdiction", &f.jurisdiction);
    let summary = ld.opt_text("summary", &f.summary);
    let apply = ld.opt_text("apply", &f.apply);
    let issuers = ld.texts("issuers", &f.issuers);
    let currency = if f.currency.len() == 3 && f.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        Some(f.currency.clone())
    } else {
        ld.err("currency", Problem::BadCurrency { value: short(&f.currency, 20) });
        None
    };
    let effective_from = ld.date("effective_from", &f.effective_from);
    let effective_to = f.effective_to.as_ref().and_then(|t| ld.date("effective_to", t));
    if let (Some(from), Some(to)) = (effective_from, effective_to) {
        if to <= from {
            ld.err("effective_to", Problem::BadPeriod { from: from.to_string(), to: to.to_string() });
        }
    }
    let scale = match &f.money.scale {
        Some(s) => ld.int("money.scale", "scale", s, 0, 6),
        None => {
            ld.err("money", Problem::MissingKey { key: "scale".into(), table: "money".into() });
            None
        }
    };
    let mode = match &f.money.rounding {
        Some(r) => {
            let mode = RoundingMode::parse(r);
            if mode.is_none() {
                ld.err("money.rounding", Problem::UnknownRounding { value: short(r, 30), allowed: List::from_iter(RoundingMode::NAMES) });
            }
            mode
        }
        None => {
            ld.err("money", Problem::MissingKey { key: "rounding".into(), table: "money".into() });
            None
        }
    };
    let assumptions = ld.texts("assumptions", &f.assumptions);

    let mut sources: Vec<Source> = Vec::new();
    for (i, s) in f.sources.iter().enumerate() {
        let field = format!("sources[{i}]");
        let id = ld.id(&join(&field, "id"), &s.id);
        let date = match &s.date {
            Some(Scalar::Date(x) | Scalar::Str(x)) => {
                let ok = Date::parse(x).is_ok() || (x.len() == 7 && Date::parse(&format!("{x}-01")).is_ok());
                if !ok {
                    ld.err(&join(&field, "date"), Problem::BadSourceDate { value: short(x, 30) });
                }
                Some(x.clone())
            }
            Some(other) => {
                ld.err(
                    &join(&field, "date"),
                    Problem::WrongType { key: "date".into(), found: other.kind().into(), expected: "a date".into() },
                );
                None
            }
            None => None,
        };
        if let Some(u) = &s.url {
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                ld.err(&join(&field, "url"), Problem::BadUrl { value: short(u, 60) });
            }
        }
        let title = ld.nonblank(&join(&field, "title"), "title", &s.title);
        let issuer = ld.nonblank(&join(&field, "issuer"), "issuer", &s.issuer);
        let quote = ld.nonblank(&join(&field, "quote"), "quote", &s.quote);
        if let (Some(id), Some(title), Some(issuer), Some(quote)) = (id, title, issuer, quote) {
            if sources.iter().any(|x| x.id == id) {
                ld.err(&field, Problem::Duplicate { what: "source".into(), id: id.clone() });
            }
            sources.push(Source { id, title, issuer, date, number: s.number.clone(), url: s.url.clone(), quote });
        }
    }

    // Names an expression may use: questions, then values and tables.
    let sigs: Vec<(String, SigType)> = f.questions.iter().map(sig).collect();
    let mut names: Vec<String> = Vec::new();
    let mut unique = |ld: &mut Loader<'_>, field: &str, what: &str, id: &str| -> bool {
        if reserved(id) {
            ld.err(field, Problem::Reserved { id: id.into() });
            false
        } else if names.iter().any(|n| n == id) {
            ld.err(field, Problem::Duplicate { what: what.into(), id: id.into() });
            false
        } else {
            names.push(id.to_string());
            true
        }
    };
    let mut values: Vec<NamedValue> = Vec::new();
    let mut value_sigs: Vec<(String, Ty)> = Vec::new();
    for (i, q) in f.questions.iter().enumerate() {
        let field = format!("questions[{i}]");
        if is_id(&q.id) {
            unique(ld, &field, "question", &q.id);
        }
    }
    for (i, x) in f.values.iter().enumerate() {
        let field = format!("values[{i}]");
        let Some(id) = ld.id(&join(&field, "id"), &x.id) else { continue };
        let ok = unique(ld, &field, "value", &x.id);
        let value = match &x.value {
            Scalar::Date(_) => ld.date(&join(&field, "value"), &x.value).map(V::Date),
            Scalar::Str(s) if Date::parse(s).is_ok() => ld.date(&join(&field, "value"), &x.value).map(V::Date),
            other => ld.decimal(&join(&field, "value"), other).map(V::Num),
        };
        let name = ld.opt_text(&join(&field, "name"), &x.name);
        let source = ld.cite(&join(&field, "source"), &x.source, &sources);
        let assumption = ld.opt_text(&join(&field, "assumption"), &x.assumption);
        if let (true, Some(value), Some(source)) = (ok, value, source) {
            value_sigs.push((id.clone(), if matches!(value, V::Date(_)) { Ty::Date } else { Ty::Num }));
            values.push(NamedValue { id, value, name, source, assumption });
        }
    }
    let mut tables: Vec<Table> = Vec::new();
    let mut table_sigs: Vec<(String, usize)> = Vec::new();
    for (i, t) in f.tables.iter().enumerate() {
        let field = format!("tables[{i}]");
        let Some(id) = ld.id(&join(&field, "id"), &t.id) else { continue };
        let ok = unique(ld, &field, "table", &t.id);
        let key = sigs.iter().position(|s| s.0 == t.key);
        let options = match key.map(|k| &sigs[k].1) {
            Some(SigType::Enum(opts)) => Some(opts.clone()),
            Some(_) => {
                ld.err(&join(&field, "key"), Problem::TableKeyNotEnum { table: id.clone(), id: short(&t.key, 40) });
                None
            }
            None => {
                ld.err(&join(&field, "key"), Problem::UnknownQuestionId { id: short(&t.key, 40) });
                None
            }
        };
        let name = ld.text(&join(&field, "name"), &t.name);
        let source = ld.cite(&join(&field, "source"), &t.source, &sources);
        let assumption = ld.opt_text(&join(&field, "assumption"), &t.assumption);
        let mut rows = vec![None; options.as_ref().map_or(0, Vec::len)];
        let mut rows_ok = true;
        for (option, value) in &t.rows {
            let rf = join(&join(&field, "rows"), option);
            match options.as_ref().and_then(|o| o.iter().position(|x| x == option)) {
                Some(o) => match ld.decimal(&rf, value) {
                    Some(d) => rows[o] = Some(d),
                    None => rows_ok = false,
                },
                None => {
                    if let Some(opts) = &options {
                        ld.err(
                            &rf,
                            Problem::NotAnOption { value: short(option, 30), question: t.key.clone(), options: List::from_iter(opts) },
                        );
                    }
                    rows_ok = false;
                }
            }
        }
        if let (true, true, Some(key), Some(name), Some(source)) = (ok, rows_ok, key, name, source) {
            table_sigs.push((id.clone(), key));
            tables.push(Table { id, key, name, rows, source, assumption });
        }
    }
    let consts = Consts {
        values: values.iter().map(|v| v.value).collect(),
        tables: tables.iter().map(|t| t.rows.iter().map(|r| r.map(V::Num)).collect()).collect(),
    };

    let mut questions: Vec<Question> = Vec::new();
    for (i, q) in f.questions.iter().enumerate() {
        let scope = Scope { questions: &sigs, visible: i, values: &value_sigs, tables: &table_sigs, programs: &[] };
        if let Some(q) = read_question(ld, q, &format!("questions[{i}]"), &scope, &consts, &sources) {
            questions.push(q);
        }
    }
    let versions_by = f.versions_by.as_ref().and_then(|id| match questions.iter().position(|q| q.id == *id) {
        Some(i) if questions[i].ty == QType::Date => Some(i),
        Some(_) => {
            ld.err("versions_by", Problem::VersionsByNotDate { id: id.clone() });
            None
        }
        None => {
            ld.err("versions_by", Problem::UnknownQuestionId { id: short(id, 40) });
            None
        }
    });

    let mut payers: Vec<Payer> = Vec::new();
    for (i, p) in f.payers.iter().enumerate() {
        let field = format!("payers[{i}]");
        let id = ld.id(&join(&field, "id"), &p.id);
        let name = ld.text(&join(&field, "name"), &p.name);
        if let (Some(id), Some(name)) = (id, name) {
            if payers.iter().any(|x| x.id == id) {
                ld.err(&field, Problem::Duplicate { what: "payer".into(), id: id.clone() });
            }
            payers.push(Payer { id, name });
        }
    }

    if f.programs.is_empty() {
        ld.err("", Problem::MissingKey { key: "programs".into(), table: "the file".into() });
    }
    let program_ids: Vec<String> = f.programs.iter().map(|p| p.id.clone()).collect();
    let scope = Scope { questions: &sigs, visible: sigs.len(), values: &value_sigs, tables: &table_sigs, programs: &program_ids };
    let mut programs: Vec<Program> = Vec::new();
    for (i, p) in f.programs.iter().enumerate() {
        let field = format!("programs[{i}]");
        if let Some(p) = read_program(ld, p, &field, &scope, &consts, &sources, &payers) {
            if programs.iter().any(|x| x.id == p.id) {
                ld.err(&field, Problem::Duplicate { what: "program".into(), id: p.id.clone() });
            }
            programs.push(p);
        }
    }
    if programs.len() != f.programs.len() || !ld.found.is_empty() {
        return None;
    }
    let order = program_order(ld, &mut programs)?;
    link(&mut programs, &questions, &order);

    let mut v = Version {
        file: ld.file.to_string(),
        file_name: ld
            .file
            .get(ld.file.bytes().rposition(|b| b == b'/' || b == b'\\').map_or(0, |i| i + 1)..)
            .unwrap_or(ld.file)
            .to_string(),
        rule_set: rule_set?,
        version: version?,
        name: name?,
        summary,
        jurisdiction: jurisdiction?,
        issuers,
        apply,
        currency: currency?,
        effective_from: effective_from?,
        effective_to,
        versions_by,
        rounding: Rounding { scale: u32::try_from(scale?).ok()?, mode: mode? },
        assumptions,
        sources,
        questions,
        values,
        tables,
        consts,
        payers,
        programs,
        order,
        numbers: Vec::new(),
        age_of: Vec::new(),
        read: Vec::new(),
    };
    v.read = (0..v.questions.len()).map(|q| v.programs.iter().any(|p| p.deps.contains(&q))).collect();
    v.numbers = numbers(&v);
    v.age_of = ages(&v);
    let explained: Vec<Explained> = v.programs.iter().map(|p| explain(&v, p)).collect();
    for (p, x) in v.programs.iter_mut().zip(explained) {
        p.explained = x;
    }
    Some(v)
}

fn read_question(
    ld: &mut Loader<'_>,
    q: &QuestionFile,
    field: &str,
    scope: &Scope<'_>,
    consts: &Consts,
    sources: &[Source],
) -> Option<Question> {
    let id = ld.id(&join(field, "id"), &q.id);
    let ty = match q.ty.as_str() {
        "bool" => Some(QType::Bool),
        "integer" => Some(QType::Integer),
        "decimal" => Some(QType::Decimal),
        "date" => Some(QType::Date),
        "enum" => Some(QType::Enum),
        other => {
            ld.err(&join(field, "type"), Problem::UnknownType { value: short(other, 30) });
            None
        }
    };
    let label = ld.text(&join(field, "label"), &q.label);
    let help = ld.opt_text(&join(field, "help"), &q.help);
    let unit = ld.opt_text(&join(field, "unit"), &q.unit);
    let mut options: Vec<Choice> = Vec::new();
    for (i, o) in q.options.iter().enumerate() {
        let of = format!("{field}.options[{i}]");
        let oid = ld.id(&join(&of, "id"), &o.id);
        let olabel = ld.text(&join(&of, "label"), &o.label);
        if let (Some(oid), Some(olabel)) = (oid, olabel) {
            if options.iter().any(|c| c.id == oid) {
                ld.err(&of, Problem::Duplicate { what: "option".into(), id: oid.clone() });
            }
            options.push(Choice { id: oid, label: olabel });
        }
    }
    let bound = |ld: &mut Loader<'_>, key: &str, b: &Option<Scalar>| -> Option<Bound> {
        let b = b.as_ref()?;
        let bf = join(field, key);
        match (ty?, b) {
            (QType::Integer, Scalar::Int(i)) => Some(Bound::Num(Decimal::from(*i))),
            (QType::Integer, _) => {
                ld.err(&bf, Problem::BadBound { key: key.into(), expected: "an integer".into() });
                None
            }
            (QType::Decimal, b) => ld.decimal(&bf, b).map(Bound::Num),
            (QType::Date, Scalar::Str(s)) if s == "as_of" => Some(Bound::AsOf),
            (QType::Date, b) => ld.date(&bf, b).map(Bound::Date),
            _ => {
                ld.err(&bf, Problem::BoundNotApplicable { key: key.into() });
                None
            }
        }
    };
    let min = bound(ld, "min", &q.min);
    let max = bound(ld, "max", &q.max);
    match ty {
        Some(QType::Integer | QType::Decimal) if min.is_none() || max.is_none() => ld.err(field, Problem::NeedsBounds {}),
        Some(QType::Enum) if options.is_empty() => ld.err(field, Problem::NeedsOptions {}),
        Some(t) if t != QType::Enum && !options.is_empty() => ld.err(field, Problem::OptionsOnlyForEnum {}),
        _ => {}
    }
    let above = match (min, max) {
        (Some(Bound::Num(x)), Some(Bound::Num(y))) => x > y,
        (Some(Bound::Date(x)), Some(Bound::Date(y))) => x > y,
        _ => false,
    };
    if let (true, Some(a), Some(b)) = (above, min, max) {
        ld.err(field, Problem::MinAboveMax { min: a.to_string(), max: b.to_string() });
    }
    let ask_when = q.ask_when.as_ref().and_then(|src| ld.formula(&join(field, "ask_when"), src, scope, consts, Ty::Bool));
    let source = q.source.as_ref().and_then(|s| ld.cite(&join(field, "source"), s, sources));
    let assumption = ld.opt_text(&join(field, "assumption"), &q.assumption);
    Some(Question { id: id?, ty: ty?, label: label?, help, unit, options, min, max, ask_when, fixed: q.fixed, source, assumption })
}

#[allow(clippy::too_many_arguments)]
fn read_program(
    ld: &mut Loader<'_>,
    p: &ProgramFile,
    field: &str,
    scope: &Scope<'_>,
    consts: &Consts,
    sources: &[Source],
    payers: &[Payer],
) -> Option<Program> {
    let id = ld.id(&join(field, "id"), &p.id);
    let name = ld.text(&join(field, "name"), &p.name);
    let description = ld.opt_text(&join(field, "description"), &p.description);
    let kind = match p.kind.as_str() {
        "cash" => Some(ProgramKind::Cash),
        "cash_unpublished" => Some(ProgramKind::CashUnpublished),
        "in_kind" => Some(ProgramKind::InKind),
        "service" => Some(ProgramKind::Service),
        other => {
            ld.err(&join(field, "kind"), Problem::UnknownKind { value: short(other, 30) });
            None
        }
    };
    let mut prog_payers = Vec::new();
    for (i, id) in p.payers.iter().enumerate() {
        if let Some(x) = ld.payer(&format!("{field}.payers[{i}]"), id, payers) {
            prog_payers.push(x);
        }
    }
    let exclusive_group = p.exclusive_group.as_ref().and_then(|g| ld.id(&join(field, "exclusive_group"), g));
    let source = ld.cite(&join(field, "source"), &p.source, sources);
    let mut conditions = Vec::new();
    for (i, c) in p.conditions.iter().enumerate() {
        if let Some(c) = read_condition(ld, c, &format!("{field}.conditions[{i}]"), scope, consts, sources) {
            conditions.push(c);
        }
    }
    let amount = p.amount.as_ref().and_then(|a| read_amount(ld, a, &join(field, "amount"), scope, consts, sources));
    let forms = usize::from(!p.schedule.is_empty()) + usize::from(p.per_year.is_some()) + usize::from(p.per_month.is_some());
    if forms > 1 {
        ld.err(field, Problem::ScheduleForm { detail: "give one of schedule, per_year or per_month, not several".into() });
    }
    let schedule = if let Some(y) = &p.per_year {
        read_periodic(ld, PeriodicFile::Year(y), &join(field, "per_year"), scope, consts, sources, payers, &prog_payers)
            .map(|x| Schedule::Periodic(Box::new(x)))
    } else if let Some(m) = &p.per_month {
        read_periodic(ld, PeriodicFile::Month(m), &join(field, "per_month"), scope, consts, sources, payers, &prog_payers)
            .map(|x| Schedule::Periodic(Box::new(x)))
    } else if p.schedule.is_empty() {
        Some(Schedule::Once)
    } else {
        let mut rows = Vec::new();
        for (i, r) in p.schedule.iter().enumerate() {
            let rf = format!("{field}.schedule[{i}]");
            let year = ld.int(&join(&rf, "year"), "year", &r.year, 1, i64::from(MAX_YEARS));
            let payer = ld.payer(&join(&rf, "payer"), &r.payer, payers);
            if let Some(x) = payer {
                if !prog_payers.contains(&x) {
                    ld.err(&join(&rf, "payer"), Problem::PayerNotInProgram { id: r.payer.clone() });
                }
            }
            let amt = ld.formula(&join(&rf, "amount"), &r.amount, scope, consts, Ty::Num);
            let src = ld.cite(&join(&rf, "source"), &r.source, sources);
            let assumption = ld.opt_text(&join(&rf, "assumption"), &r.assumption);
            if let (Some(year), Some(payer), Some(amount), Some(source)) = (year, payer, amt, src) {
                rows.push(ScheduleRow { year: year as u32, payer, amount, source, assumption });
            }
        }
        Some(Schedule::Rows(rows))
    };
    let assumptions = ld.texts(&join(field, "assumptions"), &p.assumptions);
    let note = ld.opt_text(&join(field, "note"), &p.note);
    let kind = kind?;
    if kind == ProgramKind::Cash {
        if p.amount.is_none() && p.per_year.is_none() && p.per_month.is_none() {
            ld.err(field, Problem::CashNeedsAmount {});
        }
        if prog_payers.is_empty() {
            ld.err(field, Problem::CashNeedsPayer {});
        }
    } else {
        let present = [
            ("amount", p.amount.is_some()),
            ("schedule", !p.schedule.is_empty()),
            ("per_year", p.per_year.is_some()),
            ("per_month", p.per_month.is_some()),
            ("exclusive_group", p.exclusive_group.is_some()),
        ];
        for (key, _) in present.iter().filter(|x| x.1) {
            ld.err(&join(field, key), Problem::OnlyCash { key: (*key).into(), kind: kind.name().into() });
        }
    }
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
        schedule: schedule?,
        assumptions,
        note,
        deps: Vec::new(),
        refs: Vec::new(),
        tables: Vec::new(),
        unpublished_base: None,
        explained: Explained::default(),
    })
}

fn read_condition(
    ld: &mut Loader<'_>,
    c: &ConditionFile,
    field: &str,
    scope: &Scope<'_>,
    consts: &Consts,
    sources: &[Source],
) -> Option<Condition> {
    let when = ld.formula(&join(field, "when"), &c.when, scope, consts, Ty::Bool);
    let text = ld.text(&join(field, "text"), &c.text);
    let source = ld.cite(&join(field, "source"), &c.source, sources);
    let assumption = ld.opt_text(&join(field, "assumption"), &c.assumption);
    Some(Condition { when: when?, text: text?, source: source?, assumption })
}

fn read_amount(ld: &mut Loader<'_>, a: &AmountFile, field: &str, scope: &Scope<'_>, consts: &Consts, sources: &[Source]) -> Option<Amount> {
    let formula = ld.formula(&join(field, "formula"), &a.formula, scope, consts, Ty::Num);
    let cap = a.cap.as_ref().and_then(|c| ld.decimal(&join(field, "cap"), c));
    let ids = a.source.ids();
    if ids.is_empty() {
        ld.err(&join(field, "source"), Problem::MissingKey { key: "source".into(), table: field.into() });
    }
    let cited: Vec<String> = ids.iter().filter_map(|id| ld.cite(&join(field, "source"), id, sources)).collect();
    let assumption = ld.opt_text(&join(field, "assumption"), &a.assumption);
    (cited.len() == ids.len() && !ids.is_empty()).then_some(())?;
    Some(Amount { formula: formula?, cap: if a.cap.is_some() { Some(cap?) } else { None }, sources: cited, assumption })
}

enum PeriodicFile<'a> {
    Year(&'a PerYearFile),
    Month(&'a PerMonthFile),
}

#[allow(clippy::too_many_arguments)]
fn read_periodic(
    ld: &mut Loader<'_>,
    f: PeriodicFile<'_>,
    field: &str,
    scope: &Scope<'_>,
    consts: &Consts,
    sources: &[Source],
    payers: &[Payer],
    prog_payers: &[usize],
) -> Option<Periodic> {
    let (months, amount, count, count_key, payer, cap, source, assumption) = match f {
        PeriodicFile::Year(y) => (12, &y.amount, &y.years, "years", &y.payer, &y.cap_per_year, &y.source, &y.assumption),
        PeriodicFile::Month(m) => (1, &m.amount, &m.months, "months", &m.payer, &m.cap_per_year, &m.source, &m.assumption),
    };
    let amount = ld.formula(&join(field, "amount"), amount, scope, consts, Ty::Num);
    let count = ld.formula(&join(field, count_key), count, scope, consts, Ty::Num);
    let payer_i = ld.payer(&join(field, "payer"), payer, payers);
    if let Some(x) = payer_i {
        if !prog_payers.contains(&x) {
            ld.err(&join(field, "payer"), Problem::PayerNotInProgram { id: payer.clone() });
        }
    }
    let cap_per_year = cap.as_ref().and_then(|c| ld.decimal(&join(field, "cap_per_year"), c));
    let source = ld.cite(&join(field, "source"), source, sources);
    let assumption = ld.opt_text(&join(field, "assumption"), assumption);
    if cap.is_some() && cap_per_year.is_none() {
        return None;
    }
    Some(Periodic { months, amount: amount?, count: count?, payer: payer_i?, cap_per_year, source: source?, assumption })
}

/// The expressions of a program, each with its field under the program (`amount.formula`).
fn formulas(p: &Program) -> Vec<(String, &Formula)> {
    let mut out: Vec<(String, &Formula)> =
        p.conditions.iter().enumerate().map(|(i, c)| (format!("conditions[{i}].when"), &c.when)).collect();
    out.extend(p.amount.as_ref().map(|a| ("amount.formula".to_string(), &a.formula)));
    match &p.schedule {
        Schedule::Once => {}
        Schedule::Rows(rows) => out.extend(rows.iter().enumerate().map(|(i, r)| (format!("schedule[{i}].amount"), &r.amount))),
        Schedule::Periodic(x) => {
            let (key, count) = if x.months == 12 { ("per_year", "years") } else { ("per_month", "months") };
            out.push((format!("{key}.amount"), &x.amount));
            out.push((format!("{key}.{count}"), &x.count));
        }
    }
    out
}

/// Programs ordered so that each comes after the programs it refers to; a circle of
/// references is an error naming it.
fn program_order(ld: &mut Loader<'_>, programs: &mut [Program]) -> Option<Vec<usize>> {
    let direct: Vec<Vec<usize>> = programs
        .iter()
        .map(|p| {
            let mut refs: Vec<usize> = formulas(p).iter().flat_map(|f| f.1.expr.programs()).collect();
            refs.sort_unstable();
            refs.dedup();
            refs
        })
        .collect();
    // depth-first without recursion (a chain of references as long as the file allows cannot
    // overflow the stack), with the path kept to name a circle
    let n = programs.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on the path, 2 done
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        // the path: each program on it and how many of its references are visited
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (i, ref mut next)) = path.last_mut() {
            let Some(&j) = direct[i].get(*next) else {
                path.pop();
                state[i] = 2;
                order.push(i);
                continue;
            };
            *next += 1;
            match state[j] {
                0 => {
                    state[j] = 1;
                    path.push((j, 0));
                }
                1 => {
                    let from = path.iter().position(|&(x, _)| x == j).unwrap_or(0);
                    let circle: Vec<usize> = path[from..].iter().map(|&(x, _)| x).chain([j]).collect();
                    // located at the first program's reference to the next one in the circle
                    let (first, next) = (circle.first().copied().unwrap_or(0), circle.get(1).copied().unwrap_or(0));
                    let at = formulas(&programs[first])
                        .into_iter()
                        .find_map(|(field, f)| f.expr.program_at(next).map(|at| (format!("programs[{first}].{field}"), at)));
                    let (field, inner) = at.map_or((format!("programs[{first}]"), None), |(field, at)| (field, Some(at)));
                    ld.err_in(&field, inner, Problem::ProgramCycle { path: circle.iter().map(|&x| programs[x].id.clone()).collect() });
                    return None;
                }
                _ => {}
            }
        }
    }
    if !within_depth(ld, programs, &direct, &order) {
        return None;
    }
    for (p, refs) in programs.iter_mut().zip(direct) {
        p.refs = refs;
    }
    Some(order)
}

/// Most programs one estimate evaluates inside one another: `amount(p)` and `eligible(p)`
/// evaluate `p` on demand, and so does weighing the other members of an exclusive group. The
/// browser's stack holds a few hundred such levels; published policies use two or three.
pub const MAX_CHAIN: usize = 32;

/// No chain of evaluations deeper than [`MAX_CHAIN`], and no circle: program `i` may evaluate
/// the programs it refers to and those its group's other members refer to (one of them being
/// `i` itself is a circle through the group, which the estimate would meet as programs that
/// refer to each other). `order` has each program after those it refers to; a chain through a
/// group's members may go back up it, so each program's depth is settled in rounds, at most
/// `MAX_CHAIN` of them.
fn within_depth(ld: &mut Loader<'_>, programs: &[Program], direct: &[Vec<usize>], order: &[usize]) -> bool {
    let mates = group_members(programs.iter().map(|p| p.exclusive_group.as_deref()));
    let next = |i: usize| -> Vec<usize> {
        let group = programs[i].exclusive_group.as_deref().and_then(|g| mates.get(g)).map_or(&[][..], Vec::as_slice);
        let mut n: Vec<usize> = direct[i].iter().chain(group.iter().filter(|&&m| m != i).flat_map(|&m| &direct[m])).copied().collect();
        n.sort_unstable();
        n.dedup();
        n
    };
    let next: Vec<Vec<usize>> = (0..programs.len()).map(next).collect();
    // depth[i]: the longest chain from i, and the program after i on it
    let mut depth: Vec<(usize, Option<usize>)> = vec![(1, None); programs.len()];
    for _ in 0..=MAX_CHAIN {
        let mut changed = false;
        for &i in order {
            let best = next[i].iter().map(|&j| (depth[j].0 + 1, Some(j))).max_by_key(|d| d.0);
            if let Some(d) = best.filter(|d| d.0 > depth[i].0) {
                depth[i] = d;
                changed = true;
            }
        }
        let deepest = (0..programs.len()).max_by_key(|&i| depth[i].0);
        if let Some(start) = deepest.filter(|&i| depth[i].0 > MAX_CHAIN) {
            let mut path = vec![start];
            let mut at = depth[start].1;
            while let (Some(j), true) = (at, path.len() <= MAX_CHAIN) {
                if let Some(from) = path.iter().position(|&x| x == j) {
                    // the chain comes back to a program already on it: a circle
                    let circle = path[from..].iter().chain([&j]).map(|&x| programs[x].id.clone()).collect();
                    ld.err(&format!("programs[{j}]"), Problem::ProgramCycle { path: circle });
                    return false;
                }
                path.push(j);
                at = depth[j].1;
            }
            let path = path.iter().map(|&x| programs[x].id.clone()).collect();
            ld.err(&format!("programs[{start}]"), Problem::ChainTooDeep { path, max: MAX_CHAIN as i64 });
            return false;
        }
        if !changed {
            break;
        }
    }
    true
}

/// Each program's questions (direct, through `ask_when`, through the programs it refers to
/// and through the other members of its exclusive group), its references closed over, the
/// tables it reads and whether an unpublished amount makes its own unpublished.
fn link(programs: &mut [Program], questions: &[Question], order: &[usize]) {
    // A program depends on what it reaches: the programs it refers to and the other members
    // of its exclusive group, and theirs in turn. One search per program (a file may have
    // thousands of programs, in one group or in one long chain).
    let own: Vec<Vec<usize>> = programs.iter().map(|p| formulas(p).iter().flat_map(|f| f.1.expr.questions()).collect()).collect();
    let asked_when: Vec<Vec<usize>> =
        questions.iter().map(|q| q.ask_when.as_ref().map(|a| a.expr.questions()).unwrap_or_default()).collect();
    let groups = group_members(programs.iter().map(|p| p.exclusive_group.as_deref()));
    let members: Vec<&[usize]> = groups.values().map(Vec::as_slice).collect();
    let group_of: Vec<Option<usize>> =
        programs.iter().map(|p| p.exclusive_group.as_deref().and_then(|g| groups.keys().position(|k| *k == g))).collect();
    // marks: the search that last saw each program, group and question
    let (mut seen, mut group_seen, mut asked) =
        (vec![usize::MAX; programs.len()], vec![usize::MAX; members.len()], vec![usize::MAX; questions.len()]);
    let mut linked: Vec<(Vec<usize>, Vec<usize>)> = Vec::with_capacity(programs.len());
    for i in 0..programs.len() {
        let mark = |x: Option<&mut usize>| x.is_some_and(|m| std::mem::replace(m, i) != i);
        mark(seen.get_mut(i));
        let (mut refs, mut stack) = (Vec::new(), vec![i]);
        while let Some(k) = stack.pop() {
            let mates = group_of[k].filter(|&g| mark(group_seen.get_mut(g))).and_then(|g| members.get(g).copied()).unwrap_or(&[]);
            for &j in programs[k].refs.iter().chain(mates) {
                if mark(seen.get_mut(j)) {
                    refs.push(j);
                    stack.push(j);
                }
            }
        }
        let mut deps: Vec<usize> = Vec::new();
        for k in std::iter::once(i).chain(refs.iter().copied()) {
            deps.extend(own[k].iter().copied().filter(|&q| mark(asked.get_mut(q))));
        }
        // and the questions that decide whether those are asked, in turn
        let mut at = 0;
        while let Some(&q) = deps.get(at) {
            at += 1;
            let more: Vec<usize> =
                asked_when.get(q).map_or(&[][..], Vec::as_slice).iter().copied().filter(|&x| mark(asked.get_mut(x))).collect();
            deps.extend(more);
        }
        deps.sort_unstable();
        refs.sort_unstable();
        linked.push((deps, refs));
    }
    for &i in order {
        let tables: Vec<usize> = formulas(&programs[i])
            .iter()
            .skip(programs[i].conditions.len())
            .flat_map(|f| {
                let mut t = Vec::new();
                f.1.expr.walk(&mut |e| {
                    if let expr::Kind::Lookup(x, _) = e.kind {
                        t.push(x);
                    }
                });
                t
            })
            .collect();
        let base = programs[i]
            .amount
            .iter()
            .map(|a| &a.formula)
            .chain(match &programs[i].schedule {
                Schedule::Periodic(x) => vec![&x.amount],
                Schedule::Rows(rows) => rows.iter().map(|r| &r.amount).collect(),
                Schedule::Once => vec![],
            })
            .flat_map(|f| f.expr.programs())
            .find(|&r| programs[r].kind == ProgramKind::CashUnpublished || programs[r].unpublished_base.is_some());
        let p = &mut programs[i];
        p.tables = tables;
        p.tables.sort_unstable();
        p.tables.dedup();
        p.unpublished_base = base;
    }
    for (p, (deps, refs)) in programs.iter_mut().zip(linked) {
        p.deps = deps;
        p.refs = refs;
    }
}

/// The numbers the version's expressions and values use, sorted.
fn numbers(v: &Version) -> Vec<Decimal> {
    let mut nums: Vec<Decimal> = v.values.iter().filter_map(|x| if let V::Num(n) = x.value { Some(n) } else { None }).collect();
    let mut visit = |e: &Expr| {
        e.walk(&mut |n| {
            if let expr::Kind::Num(x) = n.kind {
                nums.push(x);
            }
        })
    };
    for q in &v.questions {
        if let Some(a) = &q.ask_when {
            visit(&a.expr);
        }
    }
    for p in &v.programs {
        formulas(p).iter().for_each(|f| visit(&f.1.expr));
    }
    nums.sort();
    nums.dedup();
    nums
}

/// The date questions the version takes an age of, in question order.
fn ages(v: &Version) -> Vec<usize> {
    let mut out = Vec::new();
    let mut visit = |e: &Expr| {
        e.walk(&mut |n| {
            if let expr::Kind::Call(expr::Func::Age, args) = &n.kind {
                for a in args {
                    out.extend(a.questions());
                }
            }
        })
    };
    v.questions.iter().filter_map(|q| q.ask_when.as_ref()).for_each(|f| visit(&f.expr));
    for p in &v.programs {
        formulas(p).iter().for_each(|f| visit(&f.1.expr));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// What an estimate of the program shows that does not depend on the answers: the readings
/// behind its figures, the sources it cites (its own first), its payers.
fn explain(v: &Version, p: &Program) -> Explained {
    let mut assumptions: Vec<Text> = Vec::new();
    let mut add = |t: Option<&Text>| {
        if let Some(t) = t {
            if !assumptions.contains(t) {
                assumptions.push(t.clone());
            }
        }
    };
    p.assumptions.iter().for_each(|a| add(Some(a)));
    p.conditions.iter().for_each(|c| add(c.assumption.as_ref()));
    add(p.amount.as_ref().and_then(|a| a.assumption.as_ref()));
    match &p.schedule {
        Schedule::Rows(rows) => rows.iter().for_each(|s| add(s.assumption.as_ref())),
        Schedule::Periodic(x) => add(x.assumption.as_ref()),
        Schedule::Once => {}
    }
    let used_values: Vec<usize> = formulas(p)
        .iter()
        .flat_map(|f| {
            let mut out = Vec::new();
            f.1.expr.walk(&mut |e| {
                if let expr::Kind::Value(i) = e.kind {
                    out.push(i);
                }
            });
            out
        })
        .collect();
    for &i in &used_values {
        add(v.values.get(i).and_then(|x| x.assumption.as_ref()));
    }
    for &t in &p.tables {
        add(v.tables.get(t).and_then(|x| x.assumption.as_ref()));
    }
    for &q in &p.deps {
        add(v.questions.get(q).and_then(|x| x.assumption.as_ref()));
    }
    let mut cited: Vec<&str> = vec![p.source.as_str()];
    let schedule_sources: Vec<&str> = match &p.schedule {
        Schedule::Rows(rows) => rows.iter().map(|s| s.source.as_str()).collect(),
        Schedule::Periodic(x) => vec![x.source.as_str()],
        Schedule::Once => vec![],
    };
    let refs = p
        .conditions
        .iter()
        .map(|c| c.source.as_str())
        .chain(p.amount.iter().flat_map(|a| a.sources.iter().map(String::as_str)))
        .chain(schedule_sources)
        .chain(used_values.iter().filter_map(|&i| v.values.get(i).map(|x| x.source.as_str())))
        .chain(p.tables.iter().filter_map(|&t| v.tables.get(t).map(|x| x.source.as_str())))
        .chain(p.deps.iter().filter_map(|&q| v.questions.get(q).and_then(|x| x.source.as_deref())));
    for s in refs {
        if !cited.contains(&s) {
            cited.push(s);
        }
    }
    let (group_text, group_condition) = match &p.exclusive_group {
        Some(g) => {
            let members: Vec<&Program> = v.programs.iter().filter(|o| o.exclusive_group.as_ref() == Some(g)).collect();
            let names = |lang: Lang| members.iter().map(|m| m.name.get(lang)).collect::<Vec<_>>();
            let text = Text {
                zh: format!("就高不重复：{} 只能享受其中金额最高的一项", names(Lang::Zh).join("、")),
                en: format!("Only the highest of {} is granted (就高不重复)", names(Lang::En).join(", ")),
            };
            (Some(text), Some(format!("exclusive_group = {g}")))
        }
        None => (None, None),
    };
    Explained {
        assumptions,
        sources: cited.iter().filter_map(|id| v.source(id).cloned()).collect(),
        payer_names: p.payers.iter().filter_map(|&i| v.payers.get(i)).map(|x| x.name.clone()).collect(),
        group_text,
        group_condition,
    }
}

// ------------------------------------------------------------------ files (native)

/// A problem of a whole file.
#[cfg(any(not(target_arch = "wasm32"), feature = "author"))]
fn whole(file: &str, problem: Problem) -> RuleErrors {
    RuleErrors::one(file, problem)
}

/// A problem reported by serde while reading a document, as a [`Problem`]: the messages of
/// serde's derives (unknown and missing keys, wrong types) become codes with their arguments.
pub(crate) fn serde_problem(message: &str, table: &str, key: &str) -> Problem {
    let ticks = |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_string).collect() };
    let table = if table.is_empty() { "the file".to_string() } else { table.to_string() };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let names = ticks(&format!("`{rest}"));
        let key = names.first().cloned().unwrap_or_default();
        let allowed: Vec<String> = names.into_iter().skip(1).collect();
        let suggestion = allowed
            .iter()
            .map(|a| (strsim::levenshtein(a, &key), a))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, a)| a.clone());
        return Problem::UnknownKey { key: short(&key, 40), table, suggestion, allowed: List(allowed) };
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        return Problem::MissingKey { key: rest.trim_end_matches('`').to_string(), table };
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            let found = match found.split_once(' ') {
                Some(("string", _)) => "a string",
                Some(("integer", _)) => "an integer",
                Some(("floating", _)) => "a float",
                Some(("boolean", _)) => "a boolean",
                _ => match found {
                    "map" => "a table",
                    "sequence" => "an array",
                    other => other,
                },
            };
            let expected = match expected {
                "a sequence" => "an array",
                "a map" => "a table",
                e if e.starts_with("struct ") => "a table",
                e => e,
            };
            return Problem::WrongType { key: key.to_string(), found: found.into(), expected: expected.into() };
        }
    }
    Problem::Invalid { detail: message.to_string() }
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

/// Reads one TOML version file as written: its problems located at line and column.
#[cfg(any(not(target_arch = "wasm32"), feature = "author"))]
fn parse_file(file: &str, text: &str) -> Result<VersionFile, RuleErrors> {
    use super::locate::{Doc, Lines};
    toml::from_str::<VersionFile>(text).map_err(|e| {
        let lines = Lines::new(text);
        let at = e.span().map(|s| s.start);
        let (line, column) = at.map_or((None, None), |a| {
            let (l, c) = lines.locate(a);
            (Some(l), Some(c))
        });
        let message = e.message().trim().to_string();
        // a document that does not parse as TOML at all is a syntax error
        let problem = if toml::de::DeTable::parse(text).is_err() {
            Problem::TomlSyntax { detail: message }
        } else {
            let doc = Doc::new(text);
            let table = at.map(|a| doc.table_at(a)).unwrap_or_default();
            let key = at.and_then(|a| doc.key_at(a)).unwrap_or_default();
            serde_problem(&message, &table, &key)
        };
        let field = match &problem {
            Problem::UnknownKey { key, table, .. } | Problem::MissingKey { key, table } if table != "the file" => format!("{table}.{key}"),
            Problem::UnknownKey { key, .. } | Problem::MissingKey { key, .. } => key.clone(),
            _ => at.map(|a| Doc::new(text).table_at(a)).unwrap_or_default(),
        };
        let field = match &problem {
            Problem::WrongType { key, .. } if !key.is_empty() => join(&field, key),
            _ => field,
        };
        RuleErrors(vec![RuleError { file: file.to_string(), line, column, field, problem }])
    })
}

/// Gives problems found after parsing the line and column of their field.
#[cfg(any(not(target_arch = "wasm32"), feature = "author"))]
fn locate(text: &str, found: Vec<Found>) -> RuleErrors {
    use super::locate::{Doc, Lines};
    let doc = Doc::new(text);
    let lines = Lines::new(text);
    RuleErrors(
        found
            .into_iter()
            .map(|f| {
                let mut e = f.error;
                if let Some(at) = doc.offset(&e.field, f.inner) {
                    let (l, c) = lines.locate(at);
                    (e.line, e.column) = (Some(l), Some(c));
                }
                e
            })
            .collect(),
    )
}

/// Loads one version file.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_file(path: &std::path::Path) -> Result<Version, RuleErrors> {
    read_file(path).map(|(v, _, _)| v)
}

/// Loads one version file: the checked version, the file as written and its text.
#[cfg(not(target_arch = "wasm32"))]
fn read_file(path: &std::path::Path) -> Result<(Version, VersionFile, String), RuleErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| whole(&file, Problem::CannotRead { detail: e.to_string() }))?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    let folder = path.parent().and_then(|d| d.file_name()).map(|d| d.to_string_lossy().to_string());
    read_text(&file, &stem, folder.as_deref(), &text).map(|(v, vf)| (v, vf, text))
}

/// One version file's text (named `file` in messages): checked, and its name (`stem`) and
/// folder checked against the version and rule set it declares.
#[cfg(any(not(target_arch = "wasm32"), feature = "author"))]
fn read_text(file: &str, stem: &str, folder: Option<&str>, text: &str) -> Result<(Version, VersionFile), RuleErrors> {
    let vf = parse_file(file, text)?;
    let v = check_version(file, &vf).map_err(|found| locate(text, found))?;
    let mut found = Vec::new();
    let mut push = |field: &str, problem| {
        found.push(Found {
            error: RuleError { file: file.to_string(), line: None, column: None, field: field.into(), problem },
            inner: None,
        })
    };
    if stem != v.version {
        push("version", Problem::FileName { version: v.version.clone(), stem: stem.to_string() });
    }
    if let Some(dir) = folder {
        if dir != v.rule_set {
            push("rule_set", Problem::FolderName { rule_set: v.rule_set.clone(), folder: dir.to_string() });
        }
    }
    if found.is_empty() {
        Ok((v, vf))
    } else {
        Err(locate(text, found))
    }
}

/// A rule set from the texts of its version files, `(file name, TOML)`, as a folder named `set`
/// holds them (the browser's authoring page): every problem at its file, line and column.
#[cfg(any(not(target_arch = "wasm32"), feature = "author"))]
pub fn read_texts(set: &str, files: &[(String, String)]) -> Result<(RuleSet, Vec<(String, VersionFile)>), RuleErrors> {
    let mut loaded = Vec::new();
    let mut errs = Vec::new();
    for (name, text) in files {
        let stem = name.strip_suffix(".toml").unwrap_or(name);
        match read_text(name, stem, Some(set), text) {
            Ok((v, vf)) => loaded.push((v, vf, text.clone())),
            Err(e) => errs.extend(e.0),
        }
    }
    if !errs.is_empty() {
        return Err(RuleErrors(errs));
    }
    assemble(set, loaded)
}

/// The checks across the versions of a rule set, each problem located in its file's text.
#[cfg(any(not(target_arch = "wasm32"), feature = "author"))]
fn assemble(name: &str, loaded: Vec<(Version, VersionFile, String)>) -> Result<(RuleSet, Vec<(String, VersionFile)>), RuleErrors> {
    if loaded.is_empty() {
        return Err(whole(name, Problem::NoVersionFiles {}));
    }
    let texts: Vec<(String, String)> = loaded.iter().map(|(v, _, t)| (v.file.clone(), t.clone())).collect();
    let files: Vec<(String, VersionFile)> = loaded.iter().map(|(v, f, _)| (v.file_name.clone(), f.clone())).collect();
    let rs = RuleSet::new(loaded.into_iter().map(|(v, _, _)| v).collect()).map_err(|e| {
        RuleErrors(
            e.0.into_iter()
                .flat_map(|err| {
                    let text = texts.iter().find(|(f, _)| *f == err.file).map(|(_, t)| t.as_str()).unwrap_or("");
                    locate(text, vec![Found { error: err, inner: None }]).0
                })
                .collect(),
        )
    })?;
    Ok((rs, files))
}

/// Loads a rule-set folder: every version file, then the checks across versions.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_dir(dir: &std::path::Path) -> Result<RuleSet, RuleErrors> {
    read_dir(dir).map(|(rs, _)| rs)
}

/// Loads a rule-set folder and keeps each version file as written (for bundles): the rule set
/// and, for each version, its file name and its file.
#[cfg(not(target_arch = "wasm32"))]
pub fn read_dir(dir: &std::path::Path) -> Result<(RuleSet, Vec<(String, VersionFile)>), RuleErrors> {
    let name = dir.display().to_string();
    let files = rule_files(dir).map_err(|e| whole(&name, Problem::CannotRead { detail: e.to_string() }))?;
    let mut loaded = Vec::new();
    let mut errs = Vec::new();
    for f in &files {
        match read_file(f) {
            Ok(x) => loaded.push(x),
            Err(e) => errs.extend(e.0),
        }
    }
    if !errs.is_empty() {
        return Err(RuleErrors(errs));
    }
    assemble(&name, loaded)
}
