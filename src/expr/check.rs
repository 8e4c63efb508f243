//! Type checking: resolves names to questions, named values, tables and programs, strings to
//! enum options and `date('…')` to a date, and rejects every mix of types, so evaluation never
//! meets a type it did not expect.

use super::{BinOp, Expr, Func, Kind, Param, ParseError, Ty};
use crate::date::Date;
use crate::error::{short, List, Problem};

/// The type of a question, as the checker sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SigType {
    /// `bool`
    Bool,
    /// `integer` (a number).
    Integer,
    /// `decimal` (a number).
    Decimal,
    /// `date`
    Date,
    /// `enum` with its option ids.
    Enum(Vec<String>),
}

/// What an expression may refer to.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    /// All questions of the version, in order: id and type.
    pub questions: &'a [(String, SigType)],
    /// Only `questions[..visible]` may be read (a question's `ask_when` may read only earlier
    /// questions, which rules out cycles).
    pub visible: usize,
    /// Named values: id and type (a number or a date).
    pub values: &'a [(String, Ty)],
    /// Tables: id and the index of their key question.
    pub tables: &'a [(String, usize)],
    /// Program ids `amount()` and `eligible()` may name (none in `ask_when`).
    pub programs: &'a [String],
}

impl<'a> Scope<'a> {
    /// Questions only, all visible.
    pub fn questions(questions: &'a [(String, SigType)]) -> Scope<'a> {
        Scope { questions, visible: questions.len(), values: &[], tables: &[], programs: &[] }
    }

    fn question_id(&self, q: usize) -> &str {
        self.questions.get(q).map_or("?", |s| s.0.as_str())
    }
}

impl Ty {
    /// The type's name in messages.
    pub fn name(self, scope: &Scope<'_>) -> String {
        match self {
            Ty::Bool => "a boolean".into(),
            Ty::Num => "a number".into(),
            Ty::Date => "a date".into(),
            Ty::Span => "a length of time".into(),
            Ty::Enum(q) => format!("an option of {}", scope.question_id(q)),
            Ty::Text => "a string".into(),
            Ty::Program => "a program".into(),
        }
    }
}

fn err(at: usize, problem: Problem) -> ParseError {
    ParseError { at, problem }
}

fn resolve_option(e: &mut Expr, q: usize, scope: &Scope<'_>) -> Result<(), ParseError> {
    let Kind::Str(s) = &e.kind else { return Ok(()) };
    let Some((id, SigType::Enum(opts))) = scope.questions.get(q) else {
        return Err(err(e.at, Problem::Invalid { detail: "internal: not an enum".into() }));
    };
    match opts.iter().position(|o| o == s) {
        Some(i) => {
            e.kind = Kind::Option(q, i);
            Ok(())
        }
        None => Err(err(e.at, Problem::NotAnOption { value: short(s, 30), question: id.clone(), options: List::from_iter(opts) })),
    }
}

/// Checks `e` in `scope`, resolving names in place, and returns its type.
pub fn check(e: &mut Expr, scope: &Scope<'_>) -> Result<Ty, ParseError> {
    let at = e.at;
    match &mut e.kind {
        Kind::Num(_) => Ok(Ty::Num),
        Kind::Bool(_) => Ok(Ty::Bool),
        Kind::Date(_) | Kind::AsOf => Ok(Ty::Date),
        Kind::Str(_) => Ok(Ty::Text),
        Kind::Option(q, _) => Ok(Ty::Enum(*q)),
        Kind::Question(q) => sig_ty(*q, scope),
        Kind::Value(i) => Ok(scope.values.get(*i).map_or(Ty::Num, |v| v.1)),
        Kind::Program(_) => Ok(Ty::Program),
        Kind::Lookup(..) => Ok(Ty::Num),
        Kind::Ident(name) => {
            if let Some(i) = scope.questions.iter().position(|q| q.0 == *name) {
                if i >= scope.visible {
                    return Err(err(at, Problem::AskedLater { name: name.clone() }));
                }
                e.kind = Kind::Question(i);
                return sig_ty(i, scope);
            }
            if let Some(i) = scope.values.iter().position(|v| v.0 == *name) {
                e.kind = Kind::Value(i);
                return Ok(scope.values[i].1);
            }
            if scope.tables.iter().any(|t| t.0 == *name) {
                let key = scope.tables.iter().find(|t| t.0 == *name).map_or("?", |t| scope.question_id(t.1));
                return Err(err(at, Problem::Expected { wanted: format!("{name}[{key}]"), found: format!("'{name}'") }));
            }
            Err(err(at, Problem::UnknownName { name: short(name, 30) }))
        }
        Kind::Index(name, key) => {
            let Some(t) = scope.tables.iter().position(|t| t.0 == *name) else {
                return Err(err(at, Problem::UnknownName { name: short(name, 30) }));
            };
            let q = scope.tables[t].1;
            let tk = check(key, scope)?;
            match tk {
                Ty::Text => resolve_option(key, q, scope)?,
                Ty::Enum(k) if k == q => {}
                other => {
                    return Err(err(
                        key.at,
                        Problem::TableKey { table: name.clone(), expected: Ty::Enum(q).name(scope), found: other.name(scope) },
                    ))
                }
            }
            let key = std::mem::replace(key, Box::new(Expr { kind: Kind::Bool(false), at }));
            e.kind = Kind::Lookup(t, key);
            Ok(Ty::Num)
        }
        Kind::Not(inner) => {
            expect(inner, scope, Ty::Bool, "not")?;
            Ok(Ty::Bool)
        }
        Kind::Neg(inner) => {
            expect(inner, scope, Ty::Num, "-")?;
            Ok(Ty::Num)
        }
        Kind::Bin(op, a, b) => {
            let op = *op;
            match op {
                BinOp::And | BinOp::Or => {
                    expect(a, scope, Ty::Bool, op.symbol())?;
                    expect(b, scope, Ty::Bool, op.symbol())?;
                    Ok(Ty::Bool)
                }
                BinOp::Mul | BinOp::Div => {
                    expect(a, scope, Ty::Num, op.symbol())?;
                    expect(b, scope, Ty::Num, op.symbol())?;
                    Ok(Ty::Num)
                }
                BinOp::Add | BinOp::Sub => {
                    let ta = check(a, scope)?;
                    let tb = check(b, scope)?;
                    match (op, ta, tb) {
                        (_, Ty::Num, Ty::Num) => Ok(Ty::Num),
                        (_, Ty::Date, Ty::Span) | (BinOp::Add, Ty::Span, Ty::Date) => Ok(Ty::Date),
                        (_, Ty::Span, Ty::Span) => Ok(Ty::Span),
                        (_, Ty::Date, Ty::Num) | (BinOp::Add, Ty::Num, Ty::Date) => {
                            Err(err(at, Problem::DatePlusNumber { op: op.symbol().into() }))
                        }
                        (_, Ty::Num | Ty::Date | Ty::Span, Ty::Num | Ty::Date | Ty::Span) => {
                            Err(err(at, Problem::Mixes { op: op.symbol().into(), a: ta.name(scope), b: tb.name(scope) }))
                        }
                        (_, Ty::Num | Ty::Date | Ty::Span, bad) => {
                            Err(err(b.at, Problem::Needs { op: op.symbol().into(), want: Ty::Num.name(scope), found: bad.name(scope) }))
                        }
                        (_, bad, _) => {
                            Err(err(a.at, Problem::Needs { op: op.symbol().into(), want: Ty::Num.name(scope), found: bad.name(scope) }))
                        }
                    }
                }
                BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    let ta = check(a, scope)?;
                    let tb = check(b, scope)?;
                    let t = unify(a, ta, b, tb, scope, at, op.symbol())?;
                    if t == Ty::Span {
                        return Err(err(at, Problem::SpanCompared { op: op.symbol().into() }));
                    }
                    if !matches!(op, BinOp::Eq | BinOp::Ne) && !matches!(t, Ty::Num | Ty::Date) {
                        return Err(err(at, Problem::Orders { op: op.symbol().into(), found: t.name(scope) }));
                    }
                    Ok(Ty::Bool)
                }
            }
        }
        Kind::In { value, list, .. } => {
            let tv = check(value, scope)?;
            if tv == Ty::Text {
                return Err(err(value.at, Problem::InNeedsValue {}));
            }
            if tv == Ty::Span {
                return Err(err(value.at, Problem::SpanCompared { op: "in".into() }));
            }
            for item in list.iter_mut() {
                let ti = check(item, scope)?;
                match (tv, ti) {
                    (Ty::Enum(q), Ty::Text) => resolve_option(item, q, scope)?,
                    _ if ti == tv => {}
                    _ => return Err(err(item.at, Problem::ListType { item: ti.name(scope), value: tv.name(scope) })),
                }
            }
            Ok(Ty::Bool)
        }
        Kind::Call(f, args) => {
            let f = *f;
            let def = f.def();
            let arity_ok = if def.variadic { args.len() >= def.params.len() } else { args.len() == def.params.len() };
            if !arity_ok {
                let expected = if def.variadic { format!("{} or more", def.params.len()) } else { def.params.len().to_string() };
                return Err(err(at, Problem::Arity { name: def.name.into(), expected, found: args.len() as i64 }));
            }
            let mut types = Vec::with_capacity(args.len());
            for (i, a) in args.iter_mut().enumerate() {
                let param = def.params.get(i).or(def.params.last()).copied().unwrap_or(Param::Number);
                let t = check_arg(f, param, a, scope)?;
                if let (Param::Ordered, Some(&first)) = (param, types.first()) {
                    if first != t {
                        return Err(err(a.at, Problem::ArgsMixed { name: def.name.into(), a: Ty::name(first, scope), b: t.name(scope) }));
                    }
                }
                types.push(t);
            }
            if f == Func::Date {
                // a literal: the date itself
                if let Some(Expr { kind: Kind::Date(d), .. }) = args.first() {
                    e.kind = Kind::Date(*d);
                }
            }
            Ok((def.result)(&types))
        }
        Kind::If(c, a, b) => {
            expect(c, scope, Ty::Bool, "if")?;
            let ta = check(a, scope)?;
            let tb = check(b, scope)?;
            let t = unify(a, ta, b, tb, scope, at, "if")?;
            if t == Ty::Text {
                return Err(err(at, Problem::IfGivesString {}));
            }
            Ok(t)
        }
    }
}

/// Checks one argument of a call against its parameter.
fn check_arg(f: Func, param: Param, a: &mut Expr, scope: &Scope<'_>) -> Result<Ty, ParseError> {
    let name = f.def().name;
    match param {
        Param::DateText => {
            let Kind::Str(s) = &a.kind else {
                return Err(err(a.at, Problem::NeedsLiteral { name: name.into(), want: param.describe().into() }));
            };
            let d = Date::parse(s).map_err(|detail| err(a.at, Problem::BadDate { value: short(s, 30), detail }))?;
            a.kind = Kind::Date(d);
            Ok(Ty::Date)
        }
        Param::Program => {
            let Kind::Ident(id) = &a.kind else {
                return Err(err(a.at, Problem::NeedsLiteral { name: name.into(), want: param.describe().into() }));
            };
            if scope.programs.is_empty() {
                return Err(err(a.at, Problem::ProgramNotHere { name: name.into() }));
            }
            match scope.programs.iter().position(|p| p == id) {
                Some(p) => {
                    a.kind = Kind::Program(p);
                    Ok(Ty::Program)
                }
                None => Err(err(a.at, Problem::UnknownProgram { name: short(id, 30), known: List::from_iter(scope.programs) })),
            }
        }
        Param::Number | Param::Date | Param::Ordered => {
            let t = check(a, scope)?;
            let ok = match param {
                Param::Number => t == Ty::Num,
                Param::Date => t == Ty::Date,
                _ => matches!(t, Ty::Num | Ty::Date),
            };
            if ok {
                Ok(t)
            } else {
                Err(err(a.at, Problem::ArgType { name: name.into(), want: param.describe().into(), found: t.name(scope) }))
            }
        }
    }
}

fn sig_ty(q: usize, scope: &Scope<'_>) -> Result<Ty, ParseError> {
    Ok(match scope.questions.get(q).map(|s| &s.1) {
        Some(SigType::Bool) => Ty::Bool,
        Some(SigType::Integer | SigType::Decimal) => Ty::Num,
        Some(SigType::Date) => Ty::Date,
        Some(SigType::Enum(_)) => Ty::Enum(q),
        None => return Err(err(0, Problem::Invalid { detail: "internal: question index out of range".into() })),
    })
}

fn expect(e: &mut Expr, scope: &Scope<'_>, want: Ty, what: &str) -> Result<(), ParseError> {
    let t = check(e, scope)?;
    if t != want {
        return Err(err(e.at, Problem::Needs { op: what.into(), want: want.name(scope), found: t.name(scope) }));
    }
    Ok(())
}

fn unify(a: &mut Expr, ta: Ty, b: &mut Expr, tb: Ty, scope: &Scope<'_>, at: usize, what: &str) -> Result<Ty, ParseError> {
    match (ta, tb) {
        (Ty::Enum(q), Ty::Text) => {
            resolve_option(b, q, scope)?;
            Ok(ta)
        }
        (Ty::Text, Ty::Enum(q)) => {
            resolve_option(a, q, scope)?;
            Ok(tb)
        }
        (Ty::Text, Ty::Text) => Err(err(at, Problem::TwoStrings {})),
        _ if ta == tb && ta != Ty::Program => Ok(ta),
        _ => Err(err(at, Problem::Mixes { op: what.into(), a: ta.name(scope), b: tb.name(scope) })),
    }
}
